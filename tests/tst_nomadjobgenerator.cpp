// NomadJobGenerator: the jobspec HCL and the POST /v1/jobs body of every job.
//
// Golden files: tests/data/nomad/<scenario>/<job>.{nomad.hcl,json}, and the
// repository's jobs/ (the countdash example as generated). Run with
// MESHPAD_UPDATE_GOLDEN=1 to rewrite them from the current output, then
// read the diff before committing it.
//
// "Means the same" is checked with HashiCorp's own HCL2 parser:
// tests/tools/nomad-hcl-to-api.mjs reads each HCL file as jobspec2 would and
// gives the job in the API's normal form (defaults explicit, order of groups
// and ports ignored, see the script's header); our JSON body is put through
// the same normal form and must be equal. The seed's counter.nomad and
// dashboard.nomad (tests/data/seed/, verbatim from the blog) go through it too.
#include "apischemachecker.h"
#include "generate/nomadjobgenerator.h"
#include "model/projectfile.h"
#include "nomadhcltoapi.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace mesh::generate;
using namespace mesh::model;
using namespace Qt::StringLiterals;

namespace {

const QString kTestData = QStringLiteral(MESHPAD_TEST_DATA);
const QString kSource = QStringLiteral(MESHPAD_SOURCE_DIR);

bool updateGolden()
{
    return qEnvironmentVariableIntValue("MESHPAD_UPDATE_GOLDEN") == 1;
}

QString readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

bool writeText(const QString &path, const QString &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text.toUtf8()) >= 0;
}

Service service(const QString &id, const QString &job)
{
    Service s;
    s.id = {id};
    s.name = id;
    s.job = job;
    s.group = id;
    s.task = id;
    s.command = u"/usr/local/bin/"_s + id;
    return s;
}

Upstream upstream(const QString &from, const QString &to, int port)
{
    Upstream u;
    u.id = {from + u"->" + to};
    u.downstream = {from};
    u.destination = {to};
    u.localBindPort = port;
    return u;
}

// Values that must come back from the parser exactly (escaping scenario).
const QStringList &awkwardValues()
{
    static const QStringList values = {
        u"say \"hi\""_s,
        u"C:\\dir\\"_s,
        u"line1\nline2\ttab\r"_s,
        u"grüße ✓ 𝄞 日本"_s,
        u"%{if x}literal%{endif}"_s,
        u"${NOMAD_PORT_http}"_s,
        u"http://${NOMAD_UPSTREAM_ADDR_count-api}/x"_s,
        u"$${escaped} %%{too}"_s,
        u"${not an expression"_s,
        u"${a + b}"_s,
        u"$$${x}"_s,
        u"100% $"_s,
        QString(),
        u"\u0001\u007f"_s,
    };
    return values;
}

// Interpolations in env values and args (issue 17), one job each: what HCL2
// would evaluate (`${true}` is the bool true, `${var.x}` jobspec2's own
// variable) must be escaped so the jobspec means the text the JSON body
// carries; a runtime variable must be kept. Row name, value.
const QList<std::pair<QString, QString>> &hostileInterpolations()
{
    static const QList<std::pair<QString, QString>> rows = {
        {u"env and args ${true}"_s, u"${true}"_s},
        {u"env and args ${false}"_s, u"${false}"_s},
        {u"env and args ${null}"_s, u"${null}"_s},
        {u"env and args x${true}y inside text"_s, u"x${true}y"_s},
        {u"env and args ${true.x}"_s, u"${true.x}"_s},
        {u"env and args ${var.x}"_s, u"${var.x}"_s},
        {u"env and args ${local.y}"_s, u"${local.y}"_s},
        {u"env and args ${var}"_s, u"${var}"_s},
        {u"env and args ${upper(x)} function call"_s, u"${upper(x)}"_s},
        {u"env and args $${x} stays text"_s, u"$${x}"_s},
        {u"env and args %{if} directive"_s, u"%{if true}x%{endif}"_s},
        {u"env and args ${NOMAD_PORT_http} kept"_s, u"${NOMAD_PORT_http}"_s},
        {u"env and args ${trueish} kept"_s, u"${trueish}"_s},
        {u"env and args ${node.unique.name} kept"_s, u"${node.unique.name}"_s},
    };
    return rows;
}

Topology countdashExample()
{
    auto loaded = ProjectFile::load(kSource + u"/resources/examples/countdash.meshpad");
    return loaded ? *loaded : Topology{};
}

// The scenarios: each a design, generated into tests/data/nomad/<slug>/.
Topology scenario(const QString &slug)
{
    Topology t;
    t.name = slug;
    if (slug == u"countdash") {
        return countdashExample();
    } else if (slug == u"docker-static-host") {
        Service web = service(u"web"_s, u"web"_s);
        web.driver = Driver::Docker;
        web.image = u"nginx:1.25"_s;
        web.command.clear();
        web.args = {u"-g"_s, u"daemon off;"_s};
        web.networkMode = NetworkMode::Host;
        web.ports = {{u"http"_s, 0, 8080}, {u"admin"_s, 0, 0}};
        web.port = u"http"_s;
        web.connectSidecar = false;
        web.check = {CheckKind::Tcp, u"/ignored"_s, 5000, 1000};
        t.services = {web};
    } else if (slug == u"checks-and-groups") {
        // Two services of one job are two groups; HTTP checks are exposed
        // only where Connect in bridge mode hides the app's port.
        Service api = service(u"api"_s, u"shop"_s);
        api.count = 2;
        api.port = u"9001"_s;
        api.check = {CheckKind::Http, u"/health"_s, 1500, 2000};
        Service worker = service(u"worker"_s, u"shop"_s);
        worker.connectSidecar = false;
        worker.ports = {{u"http"_s, 0, 9100}}; // label, to, static
        worker.port = u"http"_s;
        worker.check = {CheckKind::Http, u"/ready"_s, 60000, 500};
        t.services = {api, worker};
        t.upstreams = {upstream(u"worker"_s, u"api"_s, 7000)}; // no sidecar: not written
    } else if (slug == u"tags-meta-resources") {
        Service s = service(u"search"_s, u"search"_s);
        s.port = u"9200"_s;
        s.tags = {u"v1"_s, u"primary"_s};
        s.meta = {{u"version"_s, u"7"_s}, {u"team.owner"_s, u"search"_s}};
        s.env = {{u"discovery.type"_s, u"single-node"_s}, {u"ES_JAVA_OPTS"_s, u"-Xms512m"_s}};
        s.resources = {500, 1024};
        t.services = {s};
    } else if (slug == u"mapped-label-upstreams") {
        Service web = service(u"web"_s, u"web"_s);
        web.ports = {{u"http"_s, 9002, 0}};
        web.port = u"http"_s;
        web.env = {{u"PORT"_s, u"${NOMAD_PORT_http}"_s},
                   {u"API"_s, u"http://${NOMAD_UPSTREAM_ADDR_api}"_s},
                   {u"CACHE"_s, u"${NOMAD_UPSTREAM_ADDR_cache}"_s}};
        Service api = service(u"api"_s, u"backend"_s);
        api.port = u"9001"_s;
        Service cache = service(u"cache"_s, u"backend"_s);
        cache.port = u"6379"_s;
        Upstream toCache = upstream(u"web"_s, u"cache"_s, 6379);
        toCache.localBindAddress = u"127.0.0.2"_s;
        t.services = {web, api, cache};
        t.upstreams = {upstream(u"web"_s, u"api"_s, 8080), toCache};
    } else if (slug == u"escaping") {
        Service s = service(u"odd"_s, u"odd"_s);
        s.port = u"9000"_s;
        s.command = u"/opt/my app/bin \"x\""_s;
        s.args = awkwardValues();
        s.tags = awkwardValues();
        for (qsizetype i = 0; i < awkwardValues().size(); ++i) {
            s.env.append({u"V"_s + QString::number(i), awkwardValues()[i]});
            s.meta.append({u"m"_s + QString::number(i), awkwardValues()[i]});
        }
        s.env.append({u"a.b"_s, u"dotted key, so the map form"_s});
        t.services = {s};
    } else if (slug == u"hostile-interpolations") {
        for (qsizetype i = 0; i < hostileInterpolations().size(); ++i) {
            Service s = service(u"h"_s + QString::number(i), u"h"_s + QString::number(i));
            s.port = u"9000"_s;
            s.env = {{u"V"_s, hostileInterpolations()[i].second}};
            s.args = {hostileInterpolations()[i].second};
            t.services.append(s);
        }
    } else if (slug == u"invalid-design") {
        // What the GUI meets mid-edit: empty names, a path in a job name,
        // an arrow to nowhere, count 0, a repeated env key.
        Service blank = service(u"blank"_s, QString());
        blank.name.clear();
        blank.group.clear();
        blank.task.clear();
        blank.command.clear();
        blank.count = 0;
        blank.env = {{u"PORT"_s, u"1"_s}, {u"PORT"_s, u"2"_s}, {u"X"_s, u""_s}};
        Service escape = service(u"escape"_s, u"../../etc/passwd"_s);
        escape.resources = {-5, 0};
        Service twin = service(u"twin"_s, u".._.._etc_passwd"_s);
        t.settings.datacenter.clear();
        t.services = {blank, escape, twin};
        t.upstreams = {upstream(u"blank"_s, u"missing"_s, 8080), upstream(u"escape"_s, u"twin"_s, 0)};
    }
    return t;
}

const QStringList &scenarioSlugs()
{
    static const QStringList slugs = {
        u"countdash"_s,
        u"docker-static-host"_s,
        u"checks-and-groups"_s,
        u"tags-meta-resources"_s,
        u"mapped-label-upstreams"_s,
        u"escaping"_s,
        u"hostile-interpolations"_s,
        u"invalid-design"_s,
    };
    return slugs;
}

ArtifactSet generate(const Topology &topology)
{
    ArtifactSet set;
    NomadJobGenerator::addArtifacts(topology, set);
    return set;
}

QJsonObject parseJson(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class TestNomadJobGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void golden_data();
    void golden();
    void hclMeansTheSameAsJson_data();
    void hclMeansTheSameAsJson();
    void jsonBodyMatchesApiSchema_data();
    void jsonBodyMatchesApiSchema();
    void deterministic_data();
    void deterministic();

    void seedJobs_data();
    void seedJobs();
    void countdashMatchesReferenceJson();
    void repoJobsMatchExample();

    void escaping_data();
    void escaping();
    void hostileInterpolations_data();
    void hostileInterpolations();
    void jsonFacts();
    void artifactPaths();
    void unknownJobIsEmptyButValid();
    void externalServiceHasNoJob();

private:
    void fillScenarioRows();
    QJsonObject mapped(const QString &path) const;

    QTemporaryDir m_dir;
    QJsonObject m_mapped; // file -> normal form, from one run of the mapper
    QString m_mapperError;
};

// Writes every scenario's files (and the seed's) and runs the mapper once:
// node and the parser's WebAssembly take a second to start.
void TestNomadJobGenerator::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(!countdashExample().services.isEmpty(), "resources/examples/countdash.meshpad does not load");
    QStringList files;
    for (const QString &slug : scenarioSlugs()) {
        const ArtifactSet set = generate(scenario(slug));
        for (const Artifact &a : set.artifacts()) {
            const QString path = m_dir.filePath(slug + u'/' + a.path);
            QVERIFY2(writeText(path, a.text), qPrintable(path));
            files.append(path);
        }
    }
    files << kTestData + u"/seed/counter.nomad" << kTestData + u"/seed/dashboard.nomad";

    const auto mapped = meshtest::nomadHclToApi(files);
    if (!mapped) {
        m_mapperError = mapped.error();
        return;
    }
    m_mapped = *mapped;
}

QJsonObject TestNomadJobGenerator::mapped(const QString &path) const
{
    return m_mapped.value(path).toObject();
}

void TestNomadJobGenerator::fillScenarioRows()
{
    QTest::addColumn<QString>("slug");
    for (const QString &slug : scenarioSlugs())
        QTest::newRow(qPrintable(slug)) << slug;
}

void TestNomadJobGenerator::golden_data()
{
    fillScenarioRows();
}

void TestNomadJobGenerator::golden()
{
    QFETCH(QString, slug);
    const QString dir = kTestData + u"/nomad/" + slug;
    const ArtifactSet set = generate(scenario(slug));
    QVERIFY(!set.artifacts().isEmpty());
    QStringList expectedFiles;
    for (const Artifact &a : set.artifacts()) {
        QVERIFY(a.path.startsWith(u"nomad/"));
        const QString path = dir + u'/' + a.path.mid(6);
        expectedFiles.append(QFileInfo(path).fileName());
        if (updateGolden())
            QVERIFY(writeText(path, a.text));
        QCOMPARE(a.text, readText(path));
    }
    // No golden file left over from a job that is no longer generated.
    QStringList present = QDir(dir).entryList(QDir::Files | QDir::Hidden);
    present.sort();
    expectedFiles.sort();
    QCOMPARE(present, expectedFiles);
}

void TestNomadJobGenerator::hclMeansTheSameAsJson_data()
{
    fillScenarioRows();
}

void TestNomadJobGenerator::hclMeansTheSameAsJson()
{
    QFETCH(QString, slug);
    if (!m_mapperError.isEmpty())
        QFAIL(qPrintable(m_mapperError));
    const Topology topology = scenario(slug);
    for (const QString &job : topology.jobNames()) {
        const QString stem = m_dir.filePath(slug + u"/nomad/" + NomadJobGenerator::fileStem(job));
        const QJsonObject fromHcl = mapped(stem + u".nomad.hcl");
        const QJsonObject fromJson = mapped(stem + u".json");
        // Parses with HashiCorp's parser, and within the mapper's subset.
        QVERIFY2(!fromHcl.contains(u"error"), qPrintable(fromHcl.value(u"error").toString()));
        QVERIFY2(fromHcl.contains(u"Job"), qPrintable(stem));
        QVERIFY2(!fromJson.contains(u"error"), qPrintable(fromJson.value(u"error").toString()));
        if (fromHcl != fromJson) {
            qInfo().noquote() << "HCL means:\n"
                              << QJsonDocument(fromHcl).toJson() << "\nJSON means:\n"
                              << QJsonDocument(fromJson).toJson();
        }
        QVERIFY2(fromHcl == fromJson, qPrintable(u"job " + job));
    }
}

void TestNomadJobGenerator::jsonBodyMatchesApiSchema_data()
{
    fillScenarioRows();
}

// Nomad silently drops unknown keys and answers 400 to wrong types
// (api-schemas/README.md): every body has only known keys of the right type.
void TestNomadJobGenerator::jsonBodyMatchesApiSchema()
{
    QFETCH(QString, slug);
    QString error;
    const auto checker = meshtest::ApiSchemaChecker::load(kTestData + u"/api-schemas/nomad.json", &error);
    QVERIFY2(checker, qPrintable(error));
    const ArtifactSet set = generate(scenario(slug));
    for (const Artifact &a : set.artifacts()) {
        if (a.kind != ArtifactKind::Json)
            continue;
        QStringList problems = checker->checkText(a.text, u"nomad-job");
        // A job without a name has an empty ID, which Nomad refuses: the
        // Validator's to report; everything else must still be right.
        if (parseJson(a.text).value(u"Job").toObject().value(u"ID").toString().isEmpty())
            QCOMPARE(problems.removeIf([](const QString &p) { return p.contains(u"no ID"); }), 1);
        QVERIFY2(problems.isEmpty(), qPrintable(a.path + u":\n" + problems.join(u'\n')));
    }
}

void TestNomadJobGenerator::deterministic_data()
{
    fillScenarioRows();
}

void TestNomadJobGenerator::deterministic()
{
    QFETCH(QString, slug);
    const ArtifactSet first = generate(scenario(slug));
    const ArtifactSet second = generate(scenario(slug));
    QCOMPARE(first.paths(), second.paths());
    for (const Artifact &a : first.artifacts())
        QCOMPARE(a.text.toUtf8(), second.find(a.path)->text.toUtf8());
}

void TestNomadJobGenerator::seedJobs_data()
{
    QTest::addColumn<QString>("job");
    QTest::newRow("counter.nomad") << u"counter"_s;
    QTest::newRow("dashboard.nomad") << u"dashboard"_s;
}

// The example design generates jobs equal in meaning to the seed's files.
void TestNomadJobGenerator::seedJobs()
{
    QFETCH(QString, job);
    if (!m_mapperError.isEmpty())
        QFAIL(qPrintable(m_mapperError));
    const QJsonObject seed = mapped(kTestData + u"/seed/" + job + u".nomad");
    QVERIFY2(seed.contains(u"Job"), qPrintable(seed.value(u"error").toString()));
    const QString stem = m_dir.filePath(u"countdash/nomad/"_s + job);
    QCOMPARE(mapped(stem + u".nomad.hcl"), seed);
    QCOMPARE(mapped(stem + u".json"), seed);
}

// Nomad's API job (hashicorp/nomad: api/jobs.go, api/tasks.go,
// api/services.go), key for key.
void TestNomadJobGenerator::countdashMatchesReferenceJson()
{
    const Topology t = countdashExample();
    const QJsonObject counter = parseJson(NomadJobGenerator::json(t, u"counter"));
    const QJsonObject reference
        = parseJson(uR"({"Job": {"ID": "counter", "Name": "counter", "Type": "service", "Datacenters": ["dc1"],
      "TaskGroups": [{"Name": "api", "Count": 3,
        "Networks": [{"Mode": "bridge"}],
        "Services": [{"Name": "count-api", "PortLabel": "9001",
                      "Connect": {"SidecarService": {}}}],
        "Tasks": [{"Name": "counter", "Driver": "exec",
                   "Config": {"command": "/vagrant/apps/bin/counter"},
                   "Env": {"PORT": "9001"}}]}]}})"_s);
    QVERIFY(!reference.isEmpty());
    QCOMPARE(counter, reference);

    const QJsonObject group = parseJson(NomadJobGenerator::json(t, u"dashboard"))
                                  .value(u"Job")
                                  .toObject()
                                  .value(u"TaskGroups")
                                  .toArray()
                                  .at(0)
                                  .toObject();
    const QJsonObject expected = parseJson(uR"({
      "Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "http", "Value": 0, "To": 9002}]}],
      "Services": [{"Name": "count-dashboard", "PortLabel": "9002",
        "Connect": {"SidecarService": {"Proxy": {"Upstreams": [
            {"DestinationName": "count-api", "LocalBindPort": 8080}]}}}}],
      "Tasks": [{"Name": "dashboard", "Driver": "exec", "Config": {"command": "/vagrant/apps/bin/dashboard"},
        "Env": {"PORT": "${NOMAD_PORT_http}",
                "COUNTING_SERVICE_URL": "http://${NOMAD_UPSTREAM_ADDR_count_api}"}}]})"_s);
    QVERIFY(!expected.isEmpty());
    for (auto it = expected.begin(); it != expected.end(); ++it)
        QCOMPARE(group.value(it.key()), it.value());
    QCOMPARE(group.value(u"Name").toString(), u"dashboard"_s);
    QCOMPARE(group.value(u"Count").toInt(), 1);
}

// jobs/ holds the countdash jobs exactly as generated.
void TestNomadJobGenerator::repoJobsMatchExample()
{
    const ArtifactSet set = generate(countdashExample());
    QCOMPARE(set.paths(), QStringList({u"nomad/dashboard.nomad.hcl"_s, u"nomad/dashboard.json"_s,
                                       u"nomad/counter.nomad.hcl"_s, u"nomad/counter.json"_s}));
    for (const Artifact &a : set.artifacts()) {
        const QString path = kSource + u"/jobs/" + a.path.mid(6);
        if (updateGolden())
            QVERIFY(writeText(path, a.text));
        QVERIFY2(readText(path) == a.text,
                 qPrintable(u"jobs/"_s + a.path.mid(6)
                            + u" differs from what resources/examples/countdash.meshpad"
                              u" generates; run the tests with MESHPAD_UPDATE_GOLDEN=1 if the change is meant"));
    }
}

void TestNomadJobGenerator::escaping_data()
{
    QTest::addColumn<int>("index");
    const QStringList names = {
        u"double quotes"_s,
        u"backslashes"_s,
        u"newline tab return"_s,
        u"unicode"_s,
        u"template directives"_s,
        u"runtime variable"_s,
        u"runtime variable with dash"_s,
        u"escape sequences themselves"_s,
        u"unclosed interpolation"_s,
        u"expression interpolation"_s,
        u"dollar before interpolation"_s,
        u"lone percent and dollar"_s,
        u"empty"_s,
        u"control characters"_s,
    };
    QCOMPARE(names.size(), awkwardValues().size());
    for (qsizetype i = 0; i < names.size(); ++i)
        QTest::newRow(qPrintable(names[i])) << int(i);
}

// Every awkward value comes back from the HCL (through HashiCorp's parser)
// and from the JSON exactly as the model holds it: as env, meta, tag, arg.
void TestNomadJobGenerator::escaping()
{
    QFETCH(int, index);
    if (!m_mapperError.isEmpty())
        QFAIL(qPrintable(m_mapperError));
    const QString value = awkwardValues().at(index);
    const QString stem = m_dir.filePath(u"escaping/nomad/odd"_s);
    for (const QString &file : QStringList{stem + u".nomad.hcl", stem + u".json"}) {
        const QJsonObject group = mapped(file).value(u"Job").toObject().value(u"TaskGroups").toArray().at(0).toObject();
        const QJsonObject task = group.value(u"Tasks").toArray().at(0).toObject();
        const QJsonObject service = group.value(u"Services").toArray().at(0).toObject();
        const QString key = QString::number(index);
        QVERIFY2(!task.isEmpty(), qPrintable(file));
        // The normal form drops empty strings nowhere: "" stays "".
        QCOMPARE(task.value(u"Env").toObject().value(u"V" + key).toString(), value);
        QCOMPARE(service.value(u"Meta").toObject().value(u"m" + key).toString(), value);
        QCOMPARE(service.value(u"Tags").toArray().at(index).toString(), value);
        QCOMPARE(task.value(u"Config").toObject().value(u"args").toArray().at(index).toString(), value);
        QCOMPARE(task.value(u"Config").toObject().value(u"command").toString(), u"/opt/my app/bin \"x\""_s);
    }
}

void TestNomadJobGenerator::hostileInterpolations_data()
{
    QTest::addColumn<int>("index");
    for (qsizetype i = 0; i < ::hostileInterpolations().size(); ++i)
        QTest::newRow(qPrintable(::hostileInterpolations()[i].first)) << int(i);
}

// The jobspec, read as jobspec2 reads it (nomad-hcl-to-api.mjs reports an
// error for anything jobspec2 would evaluate), means its JSON body, and both
// carry the value as the design holds it, in env and in args.
void TestNomadJobGenerator::hostileInterpolations()
{
    QFETCH(int, index);
    if (!m_mapperError.isEmpty())
        QFAIL(qPrintable(m_mapperError));
    const QString value = ::hostileInterpolations().at(index).second;
    const QString stem = m_dir.filePath(u"hostile-interpolations/nomad/h"_s + QString::number(index));
    const QJsonObject fromHcl = mapped(stem + u".nomad.hcl");
    const QJsonObject fromJson = mapped(stem + u".json");
    QVERIFY2(!fromHcl.contains(u"error"), qPrintable(fromHcl.value(u"error").toString()));
    QVERIFY2(!fromJson.contains(u"error"), qPrintable(fromJson.value(u"error").toString()));
    QVERIFY2(fromHcl == fromJson,
             qPrintable(u"HCL means:\n"_s + QString::fromUtf8(QJsonDocument(fromHcl).toJson()) + u"\nJSON means:\n"
                        + QString::fromUtf8(QJsonDocument(fromJson).toJson())));
    const QJsonObject task = fromHcl.value(u"Job")
                                 .toObject()
                                 .value(u"TaskGroups")
                                 .toArray()
                                 .at(0)
                                 .toObject()
                                 .value(u"Tasks")
                                 .toArray()
                                 .at(0)
                                 .toObject();
    QCOMPARE(task.value(u"Env").toObject().value(u"V").toString(), value);
    QCOMPARE(task.value(u"Config").toObject().value(u"args").toArray().at(0).toString(), value);
}

// The API facts (hashicorp/nomad: api/) that a plain equality would not name.
void TestNomadJobGenerator::jsonFacts()
{
    const QString text = NomadJobGenerator::json(scenario(u"checks-and-groups"_s), u"shop");
    // Key order as the docs show it.
    const qsizetype id = text.indexOf(u"\"ID\""), name = text.indexOf(u"\"Name\""), type = text.indexOf(u"\"Type\""),
                    dcs = text.indexOf(u"\"Datacenters\""), groups = text.indexOf(u"\"TaskGroups\"");
    QVERIFY(0 <= id && id < name && name < type && type < dcs && dcs < groups);

    const QJsonArray taskGroups = parseJson(text).value(u"Job").toObject().value(u"TaskGroups").toArray();
    QCOMPARE(taskGroups.size(), 2);
    const QJsonObject api = taskGroups.at(0).toObject();
    const QJsonObject apiCheck
        = api.value(u"Services").toArray().at(0).toObject().value(u"Checks").toArray().at(0).toObject();
    // Durations are integer nanoseconds; the bridge Connect check is exposed.
    QCOMPARE(apiCheck.value(u"Interval").toInteger(), 1'500'000'000LL);
    QCOMPARE(apiCheck.value(u"Timeout").toInteger(), 2'000'000'000LL);
    QCOMPARE(apiCheck.value(u"Expose").toBool(), true);
    QCOMPARE(api.value(u"Services").toArray().at(0).toObject().value(u"Connect").toObject(),
             QJsonObject({{u"SidecarService"_s, QJsonObject()}}));

    const QJsonObject worker = taskGroups.at(1).toObject();
    const QJsonObject workerService = worker.value(u"Services").toArray().at(0).toObject();
    // No sidecar: no Connect (and so no upstream), and nothing to expose.
    QVERIFY(!workerService.contains(u"Connect"));
    QVERIFY(!workerService.value(u"Checks").toArray().at(0).toObject().contains(u"Expose"));
    // A static port is reserved with Value = static.
    const QJsonObject network = worker.value(u"Networks").toArray().at(0).toObject();
    QCOMPARE(network.value(u"ReservedPorts").toArray(),
             QJsonArray({QJsonObject({{u"Label"_s, u"http"_s}, {u"Value"_s, 9100}, {u"To"_s, 0}})}));
    QVERIFY(!network.contains(u"DynamicPorts"));

    // Env and Meta values are always strings, whatever they look like.
    const QJsonObject escaping = parseJson(NomadJobGenerator::json(scenario(u"escaping"_s), u"odd"));
    const QJsonObject env = escaping.value(u"Job")
                                .toObject()
                                .value(u"TaskGroups")
                                .toArray()
                                .at(0)
                                .toObject()
                                .value(u"Tasks")
                                .toArray()
                                .at(0)
                                .toObject()
                                .value(u"Env")
                                .toObject();
    for (const QJsonValue &v : env)
        QVERIFY(v.isString());

    // A label mapped `to` another port: the sidecar is told where the app is.
    const QJsonObject web = parseJson(NomadJobGenerator::json(scenario(u"mapped-label-upstreams"_s), u"web"));
    const QJsonObject proxy = web.value(u"Job")
                                  .toObject()
                                  .value(u"TaskGroups")
                                  .toArray()
                                  .at(0)
                                  .toObject()
                                  .value(u"Services")
                                  .toArray()
                                  .at(0)
                                  .toObject()
                                  .value(u"Connect")
                                  .toObject()
                                  .value(u"SidecarService")
                                  .toObject()
                                  .value(u"Proxy")
                                  .toObject();
    QCOMPARE(proxy.value(u"LocalServicePort").toInt(), 9002);
    QCOMPARE(proxy.value(u"Upstreams").toArray().size(), 2);
    QCOMPARE(proxy.value(u"Upstreams").toArray().at(1).toObject().value(u"LocalBindAddress").toString(),
             u"127.0.0.2"_s);
}

void TestNomadJobGenerator::artifactPaths()
{
    const ArtifactSet set = generate(scenario(u"invalid-design"_s));
    // Jobs "", "../../etc/passwd" and ".._.._etc_passwd": every file stays in
    // nomad/, and two names with one stem do not overwrite each other.
    QCOMPARE(set.paths(), QStringList({u"nomad/job.nomad.hcl"_s, u"nomad/job.json"_s,
                                       u"nomad/.._.._etc_passwd.nomad.hcl"_s, u"nomad/.._.._etc_passwd.json"_s,
                                       u"nomad/.._.._etc_passwd-2.nomad.hcl"_s, u"nomad/.._.._etc_passwd-2.json"_s}));
    QCOMPARE(set.artifacts().at(0).kind, ArtifactKind::Hcl);
    QCOMPARE(set.artifacts().at(1).kind, ArtifactKind::Json);
    // The arrow to a missing service is left out; a repeated env key is one.
    const QString hcl = set.artifacts().at(0).text;
    QVERIFY(!hcl.contains(u"upstreams"));
    QCOMPARE(hcl.count(u"PORT"), 1);
    QVERIFY(hcl.contains(u"PORT = \"2\""));
}

void TestNomadJobGenerator::unknownJobIsEmptyButValid()
{
    const Topology t = countdashExample();
    QCOMPARE(NomadJobGenerator::hcl(t, u"nope"), u"job \"nope\" {\n  datacenters = [\"dc1\"]\n}\n"_s);
    QVERIFY(parseJson(NomadJobGenerator::json(t, u"nope"))
                .value(u"Job")
                .toObject()
                .value(u"TaskGroups")
                .toArray()
                .isEmpty());
    QCOMPARE(generate(Topology{}).artifacts().size(), 0);
}

void TestNomadJobGenerator::externalServiceHasNoJob()
{
    // count-api runs elsewhere: no job for it, even if it kept its job name,
    // while the dashboard's upstream to it stays.
    Topology t = countdashExample();
    t.services[1].external = true;
    const ArtifactSet set = generate(t);
    QCOMPARE(set.paths(), QStringList({u"nomad/dashboard.nomad.hcl"_s, u"nomad/dashboard.json"_s}));
    QCOMPARE(NomadJobGenerator::json(t, u"dashboard"), NomadJobGenerator::json(countdashExample(), u"dashboard"));
    QVERIFY(parseJson(NomadJobGenerator::json(t, u"counter"))
                .value(u"Job")
                .toObject()
                .value(u"TaskGroups")
                .toArray()
                .isEmpty());
}

QTEST_GUILESS_MAIN(TestNomadJobGenerator)
#include "tst_nomadjobgenerator.moc"
