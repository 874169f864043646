// consul/<service>.json, consul/<service>.hcl and consul/intentions/*.json:
// golden files, every body checked against Consul's API structs, every HCL
// file compared in meaning with its JSON — read with HCL 1 exactly as Consul
// reads it (tests/tools/hcl1json), and with HCL 2 (hcl2json) since the
// strings are written to mean the same in both — hostile values, the seed's
// payloads, escaping, determinism, and invalid designs.
//
// Goldens live in tests/data/consul/<row>/; MESHPAD_UPDATE_GOLDEN=1 rewrites
// them from the current output (review with git diff).
#include "apischemachecker.h"
#include "goldenfiles.h"
#include "hcl1json.h"
#include "hcl2json.h"
#include "testtopologies.h"

#include "generate/artifactset.h"
#include "generate/consulgenerator.h"
#include "model/projectfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace mesh::model;
using mesh::generate::ArtifactSet;
using mesh::generate::ConsulGenerator;
using meshtest::makeService;
using meshtest::makeUpstream;

namespace {

QJsonObject parseObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

// hcl2json prints strings (values and object keys) in HCL's JSON syntax,
// where `$${` and `%%{` are the escapes of a literal `${` / `%{`. This gives
// the string's meaning; plainString() leaves no other template to resolve.
QString untemplate(const QString &text)
{
    QString s = text;
    s.replace(QStringLiteral("$${"), QStringLiteral("${")).replace(QStringLiteral("%%{"), QStringLiteral("%{"));
    return s;
}

QJsonValue untemplate(const QJsonValue &v)
{
    if (v.isString())
        return untemplate(v.toString());
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue &e : v.toArray())
            out.append(untemplate(e));
        return out;
    }
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out.insert(untemplate(it.key()), untemplate(it.value()));
        return out;
    }
    return v;
}

Topology checksAndMeta()
{
    Topology t;
    Service web = makeService(QStringLiteral("web"), QStringLiteral("web"), QStringLiteral("http"));
    web.ports = {{QStringLiteral("http"), 8080, 0}};
    web.check = {CheckKind::Http, QStringLiteral("healthz"), 1500, 1000};
    web.tags = {QStringLiteral("v1"), QStringLiteral("canary")};
    web.meta = {{QStringLiteral("version"), QStringLiteral("1")},
                {QStringLiteral("owner"), QStringLiteral("team-a")},
                {QStringLiteral("version"), QStringLiteral("2")}};
    Service db = makeService(QStringLiteral("db"), QStringLiteral("db"), QStringLiteral("pg"));
    db.ports = {{QStringLiteral("pg"), 0, 5432}};
    db.check = {CheckKind::Tcp, QString(), 30000, 5000};
    Service cache = makeService(QStringLiteral("cache"), QStringLiteral("cache"), QStringLiteral("6379"));
    cache.connectSidecar = false;
    t.services = {web, db, cache};
    Upstream toDb = makeUpstream(QStringLiteral("web"), QStringLiteral("db"), 15432);
    toDb.localBindAddress = QStringLiteral("127.0.0.2");
    t.upstreams = {toDb, makeUpstream(QStringLiteral("web"), QStringLiteral("cache"), 16379),
                   // From a service without a sidecar: no listener can exist.
                   makeUpstream(QStringLiteral("cache"), QStringLiteral("db"), 25432)};
    return t;
}

Topology defaultDeny()
{
    Topology t;
    t.settings.defaultPolicy = IntentionAction::Deny;
    t.services = {makeService(QStringLiteral("a"), QStringLiteral("frontend"), QStringLiteral("8000")),
                  makeService(QStringLiteral("b"), QStringLiteral("api"), QStringLiteral("9000")),
                  makeService(QStringLiteral("c"), QStringLiteral("batch"), QStringLiteral("7000")),
                  makeService(QStringLiteral("d"), QStringLiteral("lonely"), QStringLiteral("6000"))};
    t.upstreams = {makeUpstream(QStringLiteral("a"), QStringLiteral("b"), 9100),
                   makeUpstream(QStringLiteral("c"), QStringLiteral("b"), 9100, IntentionAction::Deny)};
    return t;
}

Topology defaultAllowWithDeny()
{
    Topology t = defaultDeny();
    t.settings.defaultPolicy = IntentionAction::Allow;
    return t;
}

// Names and values that must be escaped in JSON and HCL.
Topology escaping()
{
    Topology t;
    Service odd = makeService(QStringLiteral("odd"), QStringLiteral("we\"b\\sv\u00fc\u2603 /x"), QStringLiteral("80"));
    odd.tags = {QStringLiteral("quo\"te"), QStringLiteral("back\\slash"), QStringLiteral("tab\there"),
                QStringLiteral("line\nbreak"), QStringLiteral("\U0001F680 rocket")};
    odd.meta = {{QStringLiteral("x-y"), QStringLiteral("${NOMAD_PORT_http}")},
                {QStringLiteral("has space"), QStringLiteral("%{if true}x%{endif}")},
                {QStringLiteral("q\"k"), QStringLiteral("$${lit} and ${not a traversal}")},
                {QStringLiteral("for"), QStringLiteral("keyword key")},
                {QStringLiteral("ctl"), QStringLiteral("bell\u0007")}};
    odd.check = {CheckKind::Http, QStringLiteral("/h?q=\"x\""), 10000, 2000};
    Service peer = makeService(QStringLiteral("peer"), QStringLiteral("p\u00e9er"), QStringLiteral("81"));
    t.services = {odd, peer};
    t.upstreams = {makeUpstream(QStringLiteral("peer"), QStringLiteral("odd"), 8081)};
    return t;
}

// A design whose names and values are written to break a careless HCL
// writer (issue 17): one service `web` with the values of a hostile row, and
// a `client` whose upstream points at it.
struct Hostile
{
    QString name = QStringLiteral("web");
    QStringList tags;
    QList<KeyValue> meta;
    QString checkPath = QStringLiteral("/health");
    CheckKind check = CheckKind::Http;
    QString bindAddress;
};

Topology hostile(const Hostile &h)
{
    Topology t;
    Service web = makeService(QStringLiteral("web"), h.name, QStringLiteral("8080"));
    web.tags = h.tags;
    web.meta = h.meta;
    web.check = {h.check, h.checkPath, 10000, 2000};
    Service client = makeService(QStringLiteral("client"), QStringLiteral("client"), QStringLiteral("9000"));
    Upstream u = makeUpstream(QStringLiteral("client"), QStringLiteral("web"), 18080);
    u.localBindAddress = h.bindAddress;
    t.services = {web, client};
    t.upstreams = {u};
    return t;
}

// The issue's case: a meta value opening `${` and a check path closing it.
// HCL 1 read everything in between as one string, so Consul saw no check.
Topology issueCase()
{
    Hostile h;
    h.meta = {{QStringLiteral("team"), QStringLiteral("team-${{")}};
    h.checkPath = QStringLiteral("/health}}");
    return hostile(h);
}

// One row per hostile case: name, design.
QList<std::pair<QString, Topology>> hostileRows()
{
    QList<std::pair<QString, Topology>> rows;
    auto meta = [](const QString &value) {
        Hostile h;
        h.meta = {{QStringLiteral("v"), value}};
        return hostile(h);
    };
    rows.append({QStringLiteral("meta value team-${{ with check path /health}}"), issueCase()});
    rows.append({QStringLiteral("meta value team-${{ with tag }}"), [] {
                     Hostile h;
                     h.meta = {{QStringLiteral("team"), QStringLiteral("team-${{")}};
                     h.tags = {QStringLiteral("}}"), QStringLiteral("v1")};
                     return hostile(h);
                 }()});
    rows.append({QStringLiteral("meta value with unclosed ${"), meta(QStringLiteral("cost ${5"))});
    rows.append({QStringLiteral("meta value ${NOMAD_PORT_http} is text"), meta(QStringLiteral("${NOMAD_PORT_http}"))});
    rows.append(
        {QStringLiteral("meta value ${ \"quoted\" } inside interpolation"), meta(QStringLiteral("${ \"a\" } b\""))});
    rows.append({QStringLiteral("meta value %{if x}y%{endif}"), meta(QStringLiteral("%{if x}y%{endif}"))});
    rows.append({QStringLiteral("meta value $${lit} (HCL2's escape)"), meta(QStringLiteral("$${lit}"))});
    rows.append({QStringLiteral("meta value %%{lit} (HCL2's escape)"), meta(QStringLiteral("%%{lit}"))});
    rows.append({QStringLiteral("meta value $$${x}"), meta(QStringLiteral("$$${x}"))});
    rows.append({QStringLiteral("meta value {{ and }}"), meta(QStringLiteral("{{ x }} }{"))});
    rows.append(
        {QStringLiteral("meta value that looks like \\u0024{x}"), meta(QStringLiteral("\\u0024{x} \\u0025{y}"))});
    rows.append({QStringLiteral("meta value backslash before ${"), meta(QStringLiteral("\\${x}"))});
    rows.append({QStringLiteral("meta value quotes and backslashes"), meta(QStringLiteral("say \"hi\" C:\\dir\\"))});
    rows.append({QStringLiteral("meta value newline tab return"), meta(QStringLiteral("a\nb\tc\rd"))});
    rows.append({QStringLiteral("meta value control characters"), meta(QStringLiteral("bell\u0007 del\u007f"))});
    rows.append({QStringLiteral("meta value unicode"), meta(QStringLiteral("grüße ✓ 𝄞 日本"))});
    rows.append({QStringLiteral("meta value ending in $ and %"), meta(QStringLiteral("100% $"))});
    rows.append({QStringLiteral("meta keys ${k} and %{k}"), [] {
                     Hostile h;
                     h.meta = {{QStringLiteral("${k}"), QStringLiteral("1")},
                               {QStringLiteral("%{k}"), QStringLiteral("2")},
                               {QStringLiteral("a\"b"), QStringLiteral("3")},
                               {QStringLiteral("x-y"), QStringLiteral("4")}};
                     return hostile(h);
                 }()});
    rows.append({QStringLiteral("tags with ${, %{, }} and quotes"), [] {
                     Hostile h;
                     h.tags = {QStringLiteral("${"), QStringLiteral("%{"), QStringLiteral("}}"), QStringLiteral("\""),
                               QStringLiteral("${a}\"${b}")};
                     return hostile(h);
                 }()});
    rows.append({QStringLiteral("check path with ${ and quotes"), [] {
                     Hostile h;
                     h.checkPath = QStringLiteral("/h?q=\"${x}\"&p=%{y}");
                     return hostile(h);
                 }()});
    rows.append({QStringLiteral("tcp check beside meta ${"), [] {
                     Hostile h;
                     h.check = CheckKind::Tcp;
                     h.meta = {{QStringLiteral("v"), QStringLiteral("${")}};
                     return hostile(h);
                 }()});
    rows.append({QStringLiteral("service name ${x} as upstream destination"), [] {
                     Hostile h;
                     h.name = QStringLiteral("web-${x}-%{y}");
                     return hostile(h);
                 }()});
    rows.append({QStringLiteral("local bind address 127.0.0.${1}"), [] {
                     Hostile h;
                     h.bindAddress = QStringLiteral("127.0.0.${1}");
                     return hostile(h);
                 }()});
    return rows;
}

// What the Validator refuses; generating must still work.
Topology invalid()
{
    Topology t;
    Service empty = makeService(QStringLiteral("e"), QString(), QString());
    Service dup1 = makeService(QStringLiteral("d1"), QStringLiteral("dup"), QStringLiteral("nolabel"));
    Service dup2 = makeService(QStringLiteral("d2"), QStringLiteral("dup"), QStringLiteral("-5"));
    dup2.check.kind = CheckKind::Http;
    Service dots = makeService(QStringLiteral("dots"), QStringLiteral(".."), QStringLiteral("1"));
    t.services = {empty, dup1, dup2, dots};
    t.upstreams = {makeUpstream(QStringLiteral("d1"), QStringLiteral("missing"), 1000),
                   makeUpstream(QStringLiteral("missing"), QStringLiteral("d2"), 1001),
                   makeUpstream(QStringLiteral("d1"), QStringLiteral("d1"), 0),
                   makeUpstream(QStringLiteral("e"), QStringLiteral("d2"), 1002),
                   makeUpstream(QStringLiteral("e"), QStringLiteral("d2"), 1003, IntentionAction::Deny)};
    return t;
}

ArtifactSet generate(const Topology &t)
{
    ArtifactSet set;
    ConsulGenerator::addArtifacts(t, set);
    return set;
}

const QStringList kHclBlocks = {QStringLiteral("service"), QStringLiteral("check"), QStringLiteral("connect"),
                                QStringLiteral("sidecar_service"), QStringLiteral("proxy")};

} // namespace

class TestConsulGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void artifacts_data();
    void artifacts();
    void hostileValuesMeanTheSameToConsul_data();
    void hostileValuesMeanTheSameToConsul();
    void seedPayloads();
    void exampleProjectFile();
    void intentions_data();
    void intentions();
    void escaping();
    void goDuration_data();
    void goDuration();
    void fileStems();
    void deterministic();
    void neverCrashes();
    void externalServiceGetsIntentionsOnly();

private:
    void checkBodies(const ArtifactSet &set, bool expectClean);
    void checkHclMeansJson(const ArtifactSet &set);
    void checkHcl1MeansJson(const ArtifactSet &set);
    std::optional<meshtest::ApiSchemaChecker> m_consul;
};

void TestConsulGenerator::initTestCase()
{
    QString error;
    m_consul = meshtest::ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/consul.json"), &error);
    QVERIFY2(m_consul, qPrintable(error));
    if (const QString missing = meshtest::Hcl2Json::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    if (const QString missing = meshtest::Hcl1Json::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    // One node run for every HCL file the tests below parse.
    QStringList hcl;
    for (const Topology &t : {meshtest::countdash(), checksAndMeta(), defaultDeny(), defaultAllowWithDeny(),
                              ::escaping(), invalid(), issueCase()}) {
        const ArtifactSet set = generate(t); // named: a temporary would die before the loop
        for (const auto &a : set.artifacts()) {
            if (a.kind == mesh::generate::ArtifactKind::Hcl)
                hcl.append(a.text);
        }
    }
    for (const auto &row : hostileRows()) {
        const ArtifactSet set = generate(row.second);
        for (const auto &a : set.artifacts()) {
            if (a.kind == mesh::generate::ArtifactKind::Hcl)
                hcl.append(a.text);
        }
    }
    meshtest::Hcl2Json::prefetch(hcl);
}

void TestConsulGenerator::artifacts_data()
{
    QTest::addColumn<Topology>("topology");
    QTest::addColumn<bool>("schemaClean"); // false: the design is invalid on purpose
    QTest::newRow("countdash") << meshtest::countdash() << true;
    QTest::newRow("checks-meta-tags") << checksAndMeta() << true;
    QTest::newRow("default-deny") << defaultDeny() << true;
    QTest::newRow("default-allow-with-deny") << defaultAllowWithDeny() << true;
    QTest::newRow("escaping") << ::escaping() << true;
    QTest::newRow("invalid") << invalid() << false;
    QTest::newRow("hostile-issue-17") << issueCase() << true;
}

// Goldens, schema and HCL-vs-JSON for every artifact of every row.
void TestConsulGenerator::artifacts()
{
    QFETCH(Topology, topology);
    QFETCH(bool, schemaClean);
    const ArtifactSet set = generate(topology);

    QList<meshtest::GoldenFiles::File> files;
    for (const auto &a : set.artifacts())
        files.append({a.path, a.text});
    const QStringList differences = meshtest::GoldenFiles::compareTree(
        QStringLiteral(MESHPAD_TEST_DATA "/consul/") + QString::fromLatin1(QTest::currentDataTag()), files);
    QVERIFY2(differences.isEmpty(), qPrintable(differences.join(u'\n')));

    checkBodies(set, schemaClean);
    if (QTest::currentTestFailed())
        return;
    checkHcl1MeansJson(set);
    if (QTest::currentTestFailed())
        return;
    checkHclMeansJson(set);
}

void TestConsulGenerator::hostileValuesMeanTheSameToConsul_data()
{
    QTest::addColumn<Topology>("topology");
    for (const auto &[name, topology] : hostileRows())
        QTest::newRow(qPrintable(name)) << topology;
}

// Each consul/<svc>.hcl, read with HCL 1 as `consul services register` reads
// it, means exactly what consul/<svc>.json says; and it holds the values of
// the design themselves, not merely something equal to a wrong JSON.
void TestConsulGenerator::hostileValuesMeanTheSameToConsul()
{
    QFETCH(Topology, topology);
    const ArtifactSet set = generate(topology);
    checkHcl1MeansJson(set);
    if (QTest::currentTestFailed())
        return;
    checkHclMeansJson(set);
    if (QTest::currentTestFailed())
        return;

    const Service &web = topology.services.at(0);
    const QString path = u"consul/" + ConsulGenerator::fileStems(topology).at(0) + u".hcl";
    const auto *hcl = set.find(path);
    QVERIFY2(hcl, qPrintable(path));
    const auto parsed = meshtest::Hcl1Json::parse(hcl->text);
    QVERIFY2(parsed.json, qPrintable(parsed.error));
    QString error;
    const QJsonObject service
        = meshtest::Hcl1Json::patchSliceOfMaps(*parsed.json, meshtest::Hcl1Json::consulServiceSkipPaths(), &error)
              .value(u"service")
              .toObject();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(service.value(u"name").toString(), web.name);
    QStringList tags;
    for (const QJsonValue &v : service.value(u"tags").toArray())
        tags.append(v.toString());
    QCOMPARE(tags, web.tags);
    const QJsonObject meta = service.value(u"meta").toObject();
    QCOMPARE(meta.size(), web.meta.size());
    for (const KeyValue &kv : web.meta)
        QCOMPARE(meta.value(kv.key).toString(), kv.value);
    const QJsonObject check = service.value(u"check").toObject();
    if (web.check.kind == CheckKind::Http)
        QCOMPARE(check.value(u"http").toString(), u"http://localhost:8080" + web.check.path);
    else
        QCOMPARE(check.value(u"tcp").toString(), QStringLiteral("localhost:8080"));
    QCOMPARE(check.value(u"interval").toString(), QStringLiteral("10s"));
    QCOMPARE(check.value(u"timeout").toString(), QStringLiteral("2s"));

    const QString clientPath = u"consul/" + ConsulGenerator::fileStems(topology).at(1) + u".hcl";
    const auto client = meshtest::Hcl1Json::parse(set.find(clientPath)->text);
    QVERIFY2(client.json, qPrintable(client.error));
    const QJsonObject upstream = meshtest::Hcl1Json::patchSliceOfMaps(
                                     *client.json, meshtest::Hcl1Json::consulServiceSkipPaths(),
                                     &error)[u"service"][u"connect"][u"sidecar_service"][u"proxy"][u"upstreams"][0]
                                     .toObject();
    QCOMPARE(upstream.value(u"destination_name").toString(), web.name);
    QCOMPARE(upstream.value(u"local_bind_port").toInt(), 18080);
    if (!topology.upstreams.first().localBindAddress.isEmpty())
        QCOMPARE(upstream.value(u"local_bind_address").toString(), topology.upstreams.first().localBindAddress);
}

void TestConsulGenerator::checkBodies(const ArtifactSet &set, bool expectClean)
{
    int checked = 0;
    for (const auto &a : set.artifacts()) {
        if (!a.path.endsWith(u".json"))
            continue;
        const QString root = a.path.startsWith(u"consul/intentions/") ? QStringLiteral("service-intentions")
                                                                      : QStringLiteral("consul-registration");
        const QStringList problems = m_consul->checkText(a.text, root);
        if (expectClean)
            QVERIFY2(problems.isEmpty(), qPrintable(a.path + u":\n" + problems.join(u'\n')));
        // Even an invalid design never yields unknown keys or wrong types;
        // only what the endpoint refuses (an empty Name).
        for (const QString &p : problems)
            QVERIFY2(p.contains(u"Missing service name") || p.contains(u"needs a Name"),
                     qPrintable(a.path + u": " + p));
        ++checked;
    }
    QVERIFY(checked > 0);
}

// The consumer's view: Consul loads consul/*.hcl with HCL 1 (hcl.Decode,
// then lib.PatchSliceOfMaps; hashicorp/consul: agent/config/config.go), and
// no HCL 1 string may hold an interpolation (`${`): Consul would keep it as
// text, but its scanner reads past quotes until the braces balance.
void TestConsulGenerator::checkHcl1MeansJson(const ArtifactSet &set)
{
    QStringList texts, paths;
    for (const auto &a : set.artifacts()) {
        if (a.path.endsWith(u".hcl")) {
            texts.append(a.text);
            paths.append(a.path);
        }
    }
    QVERIFY(!texts.isEmpty());
    const auto parsed = meshtest::Hcl1Json::parse(texts);
    for (qsizetype i = 0; i < parsed.size(); ++i) {
        QVERIFY2(parsed[i].json, qPrintable(paths[i] + u": HCL 1 refused it: " + parsed[i].error + u"\n" + texts[i]));
        QString error;
        const QJsonObject top = meshtest::Hcl1Json::patchSliceOfMaps(
            *parsed[i].json, meshtest::Hcl1Json::consulServiceSkipPaths(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(paths[i] + u": " + error));
        QCOMPARE(top.keys(), QStringList{QStringLiteral("service")});
        const QJsonObject fromHcl = top.value(u"service").toObject();

        QString jsonPath = paths[i];
        jsonPath.replace(jsonPath.size() - 4, 4, QStringLiteral(".json"));
        const auto *json = set.find(jsonPath);
        QVERIFY2(json, qPrintable(jsonPath));
        const QJsonObject a = m_consul->canonical(fromHcl, u"consul-registration");
        const QJsonObject b = m_consul->canonical(parseObject(json->text), u"consul-registration");
        QVERIFY2(a == b,
                 qPrintable(paths[i] + u" read with HCL 1 means\n" + QString::fromUtf8(QJsonDocument(a).toJson())
                            + u"\nbut its JSON means\n" + QString::fromUtf8(QJsonDocument(b).toJson())
                            + u"\n--- the HCL ---\n" + texts[i]));
    }
}

// HCL 2's view (hcl2json) of the same files: plainString() is written to
// mean the same text to both, so an HCL 2 tool sees what Consul sees.
void TestConsulGenerator::checkHclMeansJson(const ArtifactSet &set)
{
    QStringList texts, paths;
    for (const auto &a : set.artifacts()) {
        if (a.path.endsWith(u".hcl")) {
            texts.append(a.text);
            paths.append(a.path);
        }
    }
    const auto parsed = meshtest::Hcl2Json::parse(texts);
    for (qsizetype i = 0; i < parsed.size(); ++i) {
        QVERIFY2(parsed[i].json, qPrintable(paths[i] + u": HCL parser refused it: " + parsed[i].error));
        const QJsonObject top = meshtest::Hcl2Json::unwrapBlocks(*parsed[i].json, kHclBlocks);
        QCOMPARE(top.keys(), QStringList{QStringLiteral("service")});
        const QJsonObject fromHcl = untemplate(top.value(u"service")).toObject();

        QString jsonPath = paths[i];
        jsonPath.replace(jsonPath.size() - 4, 4, QStringLiteral(".json"));
        const auto *json = set.find(jsonPath);
        QVERIFY2(json, qPrintable(jsonPath));
        const QJsonObject fromJson = parseObject(json->text);
        // The snake_case HCL and the CamelCase JSON name the same fields once
        // both are put in the agent's canonical key spelling.
        const QJsonObject a = m_consul->canonical(fromHcl, u"consul-registration");
        const QJsonObject b = m_consul->canonical(fromJson, u"consul-registration");
        QVERIFY2(a == b, qPrintable(paths[i] + u" means\n" + QString::fromUtf8(QJsonDocument(a).toJson())
                                    + u"\nbut its JSON means\n" + QString::fromUtf8(QJsonDocument(b).toJson())));
    }
}

// Equal in meaning to the seed scripts' payloads (names aside, as the issue
// asks): the blog's snake_case bodies with the Nomad names.
void TestConsulGenerator::seedPayloads()
{
    const Topology t = meshtest::countdash();
    const QJsonObject seedCounter
        = parseObject(QStringLiteral(R"({"name": "count-api", "port": 9001, "connect": {"sidecar_service": {}}})"));
    const QJsonObject seedDashboard = parseObject(QStringLiteral(
        R"({"name": "count-dashboard", "port": 9002, "connect": {"sidecar_service": {"proxy": {"upstreams": [
            {"destination_name": "count-api", "local_bind_port": 8080}]}}}})"));
    QVERIFY(!seedCounter.isEmpty() && !seedDashboard.isEmpty());
    const QJsonObject counter = parseObject(ConsulGenerator::registrationJson(t, t.services[0]));
    const QJsonObject dashboard = parseObject(ConsulGenerator::registrationJson(t, t.services[1]));
    QCOMPARE(m_consul->canonical(counter, u"consul-registration"),
             m_consul->canonical(seedCounter, u"consul-registration"));
    QCOMPARE(m_consul->canonical(dashboard, u"consul-registration"),
             m_consul->canonical(seedDashboard, u"consul-registration"));
    // Default allow and one allowed arrow: one entry, for count-api.
    const ArtifactSet set = generate(t);
    QCOMPARE(set.paths(),
             (QStringList{QStringLiteral("consul/count-api.json"), QStringLiteral("consul/count-api.hcl"),
                          QStringLiteral("consul/count-dashboard.json"), QStringLiteral("consul/count-dashboard.hcl"),
                          QStringLiteral("consul/intentions/count-api.json")}));
}

// resources/examples/countdash.meshpad (the shipped example) generates what
// the design built here from the issue's description generates; its
// services come in another order, so compare per service name.
void TestConsulGenerator::exampleProjectFile()
{
    const auto loaded = ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
    QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().message));
    const Topology built = meshtest::countdash();
    QCOMPARE(loaded->services.size(), built.services.size());
    for (const Service &s : built.services) {
        const Service *fromFile = loaded->serviceByName(s.name);
        QVERIFY2(fromFile, qPrintable(s.name));
        QCOMPARE(ConsulGenerator::registrationJson(*loaded, *fromFile), ConsulGenerator::registrationJson(built, s));
        QCOMPARE(ConsulGenerator::serviceDefinitionHcl(*loaded, *fromFile),
                 ConsulGenerator::serviceDefinitionHcl(built, s));
        QCOMPARE(ConsulGenerator::needsIntentions(*loaded, *fromFile), ConsulGenerator::needsIntentions(built, s));
        if (ConsulGenerator::needsIntentions(built, s))
            QCOMPARE(ConsulGenerator::intentionsJson(*loaded, *fromFile), ConsulGenerator::intentionsJson(built, s));
    }
}

void TestConsulGenerator::intentions_data()
{
    QTest::addColumn<Topology>("topology");
    // destination name -> its sources as "name:action", in order
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("default allow: only destinations of arrows")
        << defaultAllowWithDeny() << QStringList{QStringLiteral("api=frontend:allow,batch:deny")};
    QTest::newRow("default deny: every service, * deny last")
        << defaultDeny()
        << QStringList{QStringLiteral("frontend=*:deny"), QStringLiteral("api=frontend:allow,batch:deny,*:deny"),
                       QStringLiteral("batch=*:deny"), QStringLiteral("lonely=*:deny")};
    QTest::newRow("dangling and duplicate arrows")
        << invalid() << QStringList{QStringLiteral("dup=dup:allow"), QStringLiteral("dup=:allow")};
}

void TestConsulGenerator::intentions()
{
    QFETCH(Topology, topology);
    QFETCH(QStringList, expected);
    QStringList actual;
    for (const Service &s : topology.services) {
        if (!ConsulGenerator::needsIntentions(topology, s))
            continue;
        const QJsonObject entry = parseObject(ConsulGenerator::intentionsJson(topology, s));
        QCOMPARE(entry.value(u"Kind").toString(), QStringLiteral("service-intentions"));
        QStringList sources;
        for (const QJsonValue &v : entry.value(u"Sources").toArray())
            sources.append(v[u"Name"].toString() + u':' + v[u"Action"].toString());
        actual.append(entry.value(u"Name").toString() + u'=' + sources.join(u','));
    }
    QCOMPARE(actual, expected);
}

// The exact strings come back out of both the JSON and the HCL.
void TestConsulGenerator::escaping()
{
    const Topology t = ::escaping();
    const Service &odd = t.services[0];
    const QJsonObject json = parseObject(ConsulGenerator::registrationJson(t, odd));
    QCOMPARE(json.value(u"Name").toString(), odd.name);
    QStringList tags;
    for (const QJsonValue &v : json.value(u"Tags").toArray())
        tags.append(v.toString());
    QCOMPARE(tags, odd.tags);
    for (const KeyValue &kv : odd.meta)
        QCOMPARE(json.value(u"Meta")[kv.key].toString(), kv.value);
    QCOMPARE(json.value(u"Check")[u"HTTP"].toString(), QStringLiteral("http://localhost:80/h?q=\"x\""));

    const auto parsed = meshtest::Hcl2Json::parse(ConsulGenerator::serviceDefinitionHcl(t, odd));
    QVERIFY2(parsed.json, qPrintable(parsed.error));
    const QJsonObject service
        = untemplate(meshtest::Hcl2Json::unwrapBlocks(*parsed.json, kHclBlocks).value(u"service")).toObject();
    QCOMPARE(service.value(u"name").toString(), odd.name);
    for (const KeyValue &kv : odd.meta)
        QCOMPARE(service.value(u"meta")[kv.key].toString(), kv.value);

    // The downstream names the odd destination exactly.
    const QJsonObject peer = parseObject(ConsulGenerator::registrationJson(t, t.services[1]));
    QCOMPARE(peer[u"Connect"][u"SidecarService"][u"Proxy"][u"Upstreams"][0][u"DestinationName"].toString(), odd.name);
}

void TestConsulGenerator::goDuration_data()
{
    QTest::addColumn<int>("ms");
    QTest::addColumn<QString>("expected");
    QTest::newRow("seconds") << 10000 << QStringLiteral("10s");
    QTest::newRow("minute as seconds") << 60000 << QStringLiteral("60s");
    QTest::newRow("milliseconds") << 1500 << QStringLiteral("1500ms");
    QTest::newRow("zero omits") << 0 << QString();
    QTest::newRow("negative omits") << -5 << QString();
}

void TestConsulGenerator::goDuration()
{
    QFETCH(int, ms);
    QFETCH(QString, expected);
    QCOMPARE(ConsulGenerator::goDuration(ms), expected);
}

void TestConsulGenerator::fileStems()
{
    const QStringList stems = ConsulGenerator::fileStems(invalid());
    QCOMPARE(stems, (QStringList{QStringLiteral("service"), QStringLiteral("dup"), QStringLiteral("dup-2"),
                                 QStringLiteral("service..")}));
    QCOMPARE(ConsulGenerator::fileStems(::escaping()),
             (QStringList{QStringLiteral("we_b_sv____x"), QStringLiteral("p_er")}));
    Topology caseClash;
    caseClash.services = {makeService(QStringLiteral("1"), QStringLiteral("Web"), QStringLiteral("1")),
                          makeService(QStringLiteral("2"), QStringLiteral("web"), QStringLiteral("2"))};
    QCOMPARE(ConsulGenerator::fileStems(caseClash), (QStringList{QStringLiteral("Web"), QStringLiteral("web-2")}));
}

void TestConsulGenerator::deterministic()
{
    for (const Topology &t : {meshtest::countdash(), checksAndMeta(), defaultDeny(), ::escaping(), invalid()}) {
        const Topology copy = t;
        const ArtifactSet a = generate(t);
        const ArtifactSet b = generate(copy);
        QCOMPARE(a.paths(), b.paths());
        for (const auto &artifact : a.artifacts())
            QCOMPARE(b.find(artifact.path)->text, artifact.text);
    }
}

// Random designs with dangling ends, empty and clashing names: every service
// still gets its files at distinct paths (ArtifactSet asserts on a clash in
// this debug build), and every JSON file parses.
void TestConsulGenerator::neverCrashes()
{
    QRandomGenerator random(20240601);
    const QStringList names = {QString(),           QStringLiteral("a"),    QStringLiteral("A"),
                               QStringLiteral("a"), QStringLiteral("../x"), QStringLiteral("\u00e9"),
                               QStringLiteral("*"), QStringLiteral("a b")};
    for (int round = 0; round < 200; ++round) {
        Topology t;
        t.settings.defaultPolicy = random.bounded(2) ? IntentionAction::Deny : IntentionAction::Allow;
        const int services = random.bounded(6);
        for (int i = 0; i < services; ++i) {
            Service s
                = makeService(QString::number(i), names[random.bounded(names.size())],
                              random.bounded(2) ? QString::number(random.bounded(-2, 70000)) : QStringLiteral("x"));
            s.connectSidecar = random.bounded(4) != 0;
            s.check.kind = CheckKind(random.bounded(3));
            s.check.intervalMs = random.bounded(-1, 20000);
            t.services.append(s);
        }
        for (int i = 0; i < random.bounded(8); ++i)
            t.upstreams.append(makeUpstream(QString::number(random.bounded(8)), QString::number(random.bounded(8)),
                                            random.bounded(-1, 70000),
                                            random.bounded(2) ? IntentionAction::Deny : IntentionAction::Allow));
        const ArtifactSet set = generate(t);
        QVERIFY(set.artifacts().size() >= 2 * services);
        for (const auto &a : set.artifacts()) {
            QVERIFY2(!a.path.contains(u"..") || a.path.contains(u"service.."), qPrintable(a.path));
            if (a.kind == mesh::generate::ArtifactKind::Json) {
                QJsonParseError error;
                QJsonDocument::fromJson(a.text.toUtf8(), &error);
                QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(a.path + u": " + a.text));
            }
        }
    }
}

void TestConsulGenerator::externalServiceGetsIntentionsOnly()
{
    // count-api registers itself where it runs; who may call it is still
    // the design's to say.
    Topology t = meshtest::countdash();
    t.services[0].external = true;
    t.upstreams[0].action = IntentionAction::Deny;
    const ArtifactSet set = generate(t);
    QCOMPARE(set.paths(),
             (QStringList{QStringLiteral("consul/count-dashboard.json"), QStringLiteral("consul/count-dashboard.hcl"),
                          QStringLiteral("consul/intentions/count-api.json")}));
    const QJsonObject entry
        = QJsonDocument::fromJson(set.find(QStringLiteral("consul/intentions/count-api.json"))->text.toUtf8()).object();
    QCOMPARE(entry.value(u"Sources").toArray().first().toObject().value(u"Action").toString(), QStringLiteral("deny"));
    // The caller's registration still names it as an upstream.
    QVERIFY(set.find(QStringLiteral("consul/count-dashboard.json"))->text.contains(u"count-api"));
}

QTEST_GUILESS_MAIN(TestConsulGenerator)
#include "tst_consulgenerator.moc"
