// consul/<service>.json, consul/<service>.hcl and consul/intentions/*.json:
// golden files, every body checked against Consul's API structs, every HCL
// file parsed by HashiCorp's parser and compared in meaning with its JSON,
// the seed's payloads, escaping, determinism, and invalid designs.
//
// Goldens live in tests/data/consul/<row>/; MESHPAD_UPDATE_GOLDEN=1 rewrites
// them from the current output (review with git diff).
#include "apischemachecker.h"
#include "goldenfiles.h"
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

// hcl2json prints strings in HCL's JSON syntax, where `$${` and `%%{` are the
// escapes of a literal `${` / `%{`; a kept `${name}` stays as it is (Consul
// and Nomad read it as that text). This gives the string's meaning.
QJsonValue untemplate(const QJsonValue &v)
{
    if (v.isString()) {
        QString s = v.toString();
        s.replace(QStringLiteral("$${"), QStringLiteral("${")).replace(QStringLiteral("%%{"), QStringLiteral("%{"));
        return s;
    }
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
            out.insert(it.key(), untemplate(it.value()));
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

private:
    void checkBodies(const ArtifactSet &set, bool expectClean);
    void checkHclMeansJson(const ArtifactSet &set);
    std::optional<meshtest::ApiSchemaChecker> m_consul;
};

void TestConsulGenerator::initTestCase()
{
    QString error;
    m_consul = meshtest::ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/consul.json"), &error);
    QVERIFY2(m_consul, qPrintable(error));
    if (const QString missing = meshtest::Hcl2Json::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    // One node run for every HCL file the tests below parse.
    QStringList hcl;
    for (const Topology &t : {meshtest::countdash(), checksAndMeta(), defaultDeny(), defaultAllowWithDeny(),
                              ::escaping(), invalid()}) {
        const ArtifactSet set = generate(t);  // named: a temporary would die before the loop
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
    QTest::addColumn<bool>("schemaClean");  // false: the design is invalid on purpose
    QTest::newRow("countdash") << meshtest::countdash() << true;
    QTest::newRow("checks-meta-tags") << checksAndMeta() << true;
    QTest::newRow("default-deny") << defaultDeny() << true;
    QTest::newRow("default-allow-with-deny") << defaultAllowWithDeny() << true;
    QTest::newRow("escaping") << ::escaping() << true;
    QTest::newRow("invalid") << invalid() << false;
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
    checkHclMeansJson(set);
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
            QVERIFY2(p.contains(u"Missing service name") || p.contains(u"needs a Name"), qPrintable(a.path + u": " + p));
        ++checked;
    }
    QVERIFY(checked > 0);
}

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
    const QJsonObject seedCounter = parseObject(QStringLiteral(
        R"({"name": "count-api", "port": 9001, "connect": {"sidecar_service": {}}})"));
    const QJsonObject seedDashboard = parseObject(QStringLiteral(
        R"({"name": "count-dashboard", "port": 9002, "connect": {"sidecar_service": {"proxy": {"upstreams": [
            {"destination_name": "count-api", "local_bind_port": 8080}]}}}})"));
    QVERIFY(!seedCounter.isEmpty() && !seedDashboard.isEmpty());
    const QJsonObject counter = parseObject(ConsulGenerator::registrationJson(t, t.services[0]));
    const QJsonObject dashboard = parseObject(ConsulGenerator::registrationJson(t, t.services[1]));
    QCOMPARE(m_consul->canonical(counter, u"consul-registration"), m_consul->canonical(seedCounter, u"consul-registration"));
    QCOMPARE(m_consul->canonical(dashboard, u"consul-registration"), m_consul->canonical(seedDashboard, u"consul-registration"));
    // Default allow and one allowed arrow: one entry, for count-api.
    const ArtifactSet set = generate(t);
    QCOMPARE(set.paths(), (QStringList{QStringLiteral("consul/count-api.json"), QStringLiteral("consul/count-api.hcl"),
                                      QStringLiteral("consul/count-dashboard.json"),
                                      QStringLiteral("consul/count-dashboard.hcl"),
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
        QCOMPARE(ConsulGenerator::serviceDefinitionHcl(*loaded, *fromFile), ConsulGenerator::serviceDefinitionHcl(built, s));
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
    QTest::newRow("dangling and duplicate arrows") << invalid() << QStringList{QStringLiteral("dup=dup:allow"), QStringLiteral("dup=:allow")};
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
    const QJsonObject service = untemplate(meshtest::Hcl2Json::unwrapBlocks(*parsed.json, kHclBlocks).value(u"service")).toObject();
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
    const QStringList names = {QString(), QStringLiteral("a"), QStringLiteral("A"), QStringLiteral("a"),
                               QStringLiteral("../x"), QStringLiteral("\u00e9"), QStringLiteral("*"),
                               QStringLiteral("a b")};
    for (int round = 0; round < 200; ++round) {
        Topology t;
        t.settings.defaultPolicy = random.bounded(2) ? IntentionAction::Deny : IntentionAction::Allow;
        const int services = random.bounded(6);
        for (int i = 0; i < services; ++i) {
            Service s = makeService(QString::number(i), names[random.bounded(names.size())],
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

QTEST_GUILESS_MAIN(TestConsulGenerator)
#include "tst_consulgenerator.moc"
