// JobImporter: Nomad jobs in the API's JSON form (+ Consul intentions) → a
// design. The jobs come from three places a user imports from: Meshpad's own
// generated jobs (jobs/*.json), a cluster's GET /v1/job/:id (canonicalized,
// tests/data/importer/*-cluster.json, written after api.Job.Canonicalize in
// hashicorp/nomad: api/jobs.go and the Connect hook in
// nomad/job_endpoint_hook_connect.go), and the lab's Nomad API.
#include "deploy/ownership.h"
#include "generate/nomadjob.h"
#include "generate/nomadjobgenerator.h"
#include "importer/jobimporter.h"
#include "lab/nomad/nomadapi.h"
#include "lab/nomad/nomadstate.h"
#include "lab/placement.h"
#include "model/projectfile.h"
#include "nomad/jobspecreader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace mesh;
using namespace mesh::importer;
using namespace Qt::StringLiterals;

namespace {

const QString kTestData = QStringLiteral(MESHPAD_TEST_DATA);
const QString kSource = QStringLiteral(MESHPAD_SOURCE_DIR);

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

JobSource readJob(const QString &path)
{
    const mesh::Result<JobSource> job = JobImporter::readJob(readFile(path));
    if (!job)
        qFatal("%s: %s", qPrintable(path), qPrintable(job.error().message));
    return *job;
}

QJsonObject parse(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8()).object();
}

QStringList texts(const QList<ImportNote> &notes)
{
    QStringList out;
    for (const ImportNote &n : notes)
        out.append(n.text());
    return out;
}

// The example without what the importer leaves to the caller.
model::Topology withoutLayout(model::Topology design)
{
    design.name.clear();
    for (model::Service &s : design.services)
        s.position = {};
    return design;
}

model::Topology countdashExample()
{
    const mesh::Result<model::Topology> design
        = model::ProjectFile::load(kSource + u"/resources/examples/countdash.meshpad"_s);
    if (!design)
        qFatal("countdash.meshpad: %s", qPrintable(design.error().message));
    return withoutLayout(*design);
}

// Sets `value` at a JSON pointer of `root` ("/TaskGroups/0/Tasks/2": an
// index one past the end appends).
QJsonValue setAt(const QJsonValue &root, QStringList path, const QJsonValue &value)
{
    if (path.isEmpty())
        return value;
    const QString head = path.takeFirst();
    if (root.isArray()) {
        QJsonArray array = root.toArray();
        const qsizetype i = head.toLongLong();
        if (i == array.size())
            array.append(setAt(QJsonValue(), path, value));
        else
            array.replace(i, setAt(array.at(i), path, value));
        return array;
    }
    QJsonObject object = root.toObject();
    object.insert(head, setAt(object.value(head), path, value));
    return object;
}

QJsonObject patched(QJsonObject job, const QList<std::pair<QString, QString>> &patches)
{
    for (const auto &[pointer, json] : patches) {
        const QJsonValue value = QJsonDocument::fromJson("[" + json.toUtf8() + "]").array().first();
        job = setAt(job, pointer.split(u'/', Qt::SkipEmptyParts), value).toObject();
    }
    return job;
}

// A design that uses every field the Nomad job carries: several groups in
// one job, checks of both kinds, tags and meta in an unsorted order, static
// and mapped ports, docker with args, raw_exec in host mode without a
// sidecar, resources, a local bind address.
model::Topology richDesign()
{
    using namespace model;
    Topology t;
    t.settings.datacenter = u"eu-west"_s;

    Service web;
    web.id = {u"web"_s};
    web.name = u"web"_s;
    web.templateKind = ServiceTemplate::Docker;
    web.job = u"shop"_s;
    web.group = u"frontend"_s;
    web.task = u"nginx"_s;
    web.count = 2;
    web.driver = Driver::Docker;
    web.image = u"nginx:1.25-alpine"_s;
    web.command = u"nginx"_s;
    web.args = {u"-g"_s, u"daemon off;"_s};
    web.env = {{u"ZONE"_s, u"b"_s}, {u"API_URL"_s, u"http://${NOMAD_UPSTREAM_ADDR_api}"_s}, {u"a.b"_s, u"1"_s}};
    web.ports = {{u"admin"_s, 9100, 29100}, {u"http"_s, 8080, 0}};
    web.port = u"http"_s;
    web.check = {CheckKind::Http, u"/ready"_s, 5000, 1500};
    web.tags = {u"public"_s, u"v2"_s};
    web.meta = {{u"team"_s, u"shop"_s}, {u"owner"_s, u"ann"_s}};
    web.resources = {250, 512};

    Service api;
    api.id = {u"api"_s};
    api.name = u"api"_s;
    api.job = u"shop"_s;
    api.group = u"backend"_s;
    api.task = u"api"_s;
    api.command = u"/usr/local/bin/api"_s;
    api.env = {{u"PORT"_s, u"7000"_s}};
    api.port = u"7000"_s;
    api.check = {CheckKind::Tcp, u"/health"_s, 10000, 2000};
    api.resources = {100, 300}; // explicit, equal to Nomad's defaults

    Service metrics;
    metrics.id = {u"metrics"_s};
    metrics.name = u"metrics"_s;
    metrics.job = u"metrics"_s;
    metrics.group = u"metrics"_s;
    metrics.task = u"exporter"_s;
    metrics.driver = Driver::RawExec;
    metrics.command = u"/opt/exporter"_s;
    metrics.networkMode = NetworkMode::Host;
    metrics.connectSidecar = false;
    metrics.ports = {{u"prom"_s, 0, 9200}};
    metrics.port = u"prom"_s;

    t.services = {web, api, metrics};
    Upstream u;
    u.id = {u"web-to-api"_s};
    u.downstream = web.id;
    u.destination = api.id;
    u.localBindPort = 7001;
    u.localBindAddress = u"127.0.0.2"_s;
    t.upstreams = {u};
    return t;
}

QList<JobSource> generatedJobs(const model::Topology &design)
{
    QList<JobSource> jobs;
    for (const QString &job : design.jobNames()) {
        const mesh::Result<JobSource> source
            = JobImporter::readJob(generate::NomadJobGenerator::json(design, job).toUtf8());
        if (!source)
            qFatal("generated job %s: %s", qPrintable(job), qPrintable(source.error().message));
        jobs.append(*source);
    }
    return jobs;
}

} // namespace

using Patches = QList<std::pair<QString, QString>>;
Q_DECLARE_METATYPE(mesh::model::Topology)
Q_DECLARE_METATYPE(mesh::model::IntentionAction)
Q_DECLARE_METATYPE(mesh::model::Driver)
Q_DECLARE_METATYPE(mesh::model::ServiceTemplate)
Q_DECLARE_METATYPE(Patches)

class TestJobImporter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void meshpadJobsImportAsTheExample();
    void seedPostJobsImportAsTheExample();
    void generateImportGenerateIsIdentical_data();
    void generateImportGenerateIsIdentical();
    void keyOrderSurvivesOnlyFromText();
    void clusterJobsImportWithoutNotes();
    void exposedCheckAsTheServerRewritesIt();
    void keyOrderOfEscapedAndNestedKeys();
    void labJobsImportWithoutNotes();
    void unknownDestinationBecomesExternal();
    void unmodelledFieldIsOneNote_data();
    void unmodelledFieldIsOneNote();
    void groupsWithSeveralTasksOrServices();
    void sameServiceInTwoJobs();
    void intentionsMarkArrows();
    void wildcardIntentionsSetTheDefaultPolicy_data();
    void wildcardIntentionsSetTheDefaultPolicy();
    void templateFollowsThePalette_data();
    void templateFollowsThePalette();
};

void TestJobImporter::meshpadJobsImportAsTheExample()
{
    // The order of the example's services: dashboard first.
    const JobImporter::Result imported = JobImporter::importJobs(
        {readJob(kSource + u"/jobs/dashboard.json"_s), readJob(kSource + u"/jobs/counter.json"_s)});

    QVERIFY2(imported.notes.isEmpty(), qPrintable(texts(imported.notes).join(u'\n')));
    const model::Topology expected = countdashExample();
    QCOMPARE(imported.design.services.size(), expected.services.size());
    for (qsizetype i = 0; i < expected.services.size(); ++i)
        QVERIFY2(imported.design.services.at(i) == expected.services.at(i),
                 qPrintable(model::ProjectFile::toJson(imported.design)));
    QCOMPARE(imported.design, expected);
}

void TestJobImporter::seedPostJobsImportAsTheExample()
{
    // The blog post's counter.nomad and dashboard.nomad (tests/data/seed/,
    // verbatim), read as `nomad job run` reads them.
    QList<QJsonObject> jobs;
    for (const QString &file : {u"dashboard.nomad"_s, u"counter.nomad"_s}) {
        mesh::nomad::JobspecReader::Options options;
        options.fileName = file;
        const mesh::Result<QJsonObject> job
            = mesh::nomad::JobspecReader::read(readFile(kTestData + u"/seed/"_s + file), options);
        QVERIFY2(job, qPrintable(job ? QString() : job.error().message));
        jobs.append(*job);
    }
    const JobImporter::Result imported = JobImporter::importJobs(jobs);
    QVERIFY2(imported.notes.isEmpty(), qPrintable(texts(imported.notes).join(u'\n')));

    // The example, but for the dashboard's env order: the reader gives the
    // job as a QJsonObject, whose keys iterate sorted (as Nomad's Go maps
    // do), so the text's order would have to come from the reader itself
    // (JobSource::keyOrder).
    model::Topology expected = countdashExample();
    std::reverse(expected.services[0].env.begin(), expected.services[0].env.end());
    QCOMPARE(imported.design, expected);
}

void TestJobImporter::generateImportGenerateIsIdentical_data()
{
    QTest::addColumn<model::Topology>("design");
    QTest::newRow("the countdash example") << countdashExample();
    QTest::newRow("every field a job carries") << richDesign();
}

void TestJobImporter::generateImportGenerateIsIdentical()
{
    QFETCH(model::Topology, design);
    const JobImporter::Result imported = JobImporter::importJobs(generatedJobs(design));
    QVERIFY2(imported.notes.isEmpty(), qPrintable(texts(imported.notes).join(u'\n')));
    QCOMPARE(imported.design.jobNames(), design.jobNames());
    for (const QString &job : design.jobNames()) {
        QCOMPARE(generate::NomadJobGenerator::json(imported.design, job),
                 generate::NomadJobGenerator::json(design, job));
        QCOMPARE(generate::NomadJobGenerator::hcl(imported.design, job), generate::NomadJobGenerator::hcl(design, job));
    }
}

void TestJobImporter::keyOrderSurvivesOnlyFromText()
{
    const QByteArray text = readFile(kSource + u"/jobs/dashboard.json"_s);
    const QStringList userOrder{u"PORT"_s, u"COUNTING_SERVICE_URL"_s};

    const mesh::Result<JobSource> fromText = JobImporter::readJob(text);
    QVERIFY(fromText);
    QCOMPARE(fromText->keyOrder.value(u"/TaskGroups/0/Tasks/0/Env"_s), userOrder);
    const model::Service fromTextService = JobImporter::importJobs({*fromText}).design.services.first();
    QCOMPARE(fromTextService.env.first().key, u"PORT"_s);

    // A bare QJsonObject has forgotten the order: sorted, as Nomad's own Go
    // maps come back from a cluster.
    const QJsonObject bare = QJsonDocument::fromJson(text).object().value(u"Job"_s).toObject();
    const model::Service bareService = JobImporter::importJobs(QList<QJsonObject>{bare}).design.services.first();
    QCOMPARE(bareService.env.first().key, u"COUNTING_SERVICE_URL"_s);
}

void TestJobImporter::clusterJobsImportWithoutNotes()
{
    const JobImporter::Result imported
        = JobImporter::importJobs({readJob(kTestData + u"/importer/dashboard-cluster.json"_s),
                                   readJob(kTestData + u"/importer/counter-cluster.json"_s)});
    QVERIFY2(imported.notes.isEmpty(), qPrintable(texts(imported.notes).join(u'\n')));

    // The same design as the example, but for env order: the cluster's Go
    // maps are sorted.
    model::Topology expected = countdashExample();
    std::reverse(expected.services[0].env.begin(), expected.services[0].env.end());
    QCOMPARE(imported.design, expected);
}

void TestJobImporter::exposedCheckAsTheServerRewritesIt()
{
    // Nomad's expose-check hook gives an exposed check a port of its own and
    // an expose path listening there (hashicorp/nomad:
    // nomad/job_endpoint_hook_expose_check.go): Nomad's doing, not the job's.
    const QJsonObject job
        = patched(readJob(kTestData + u"/importer/counter-cluster.json"_s).job,
                  {
                      {u"/TaskGroups/0/Services/0/Checks"_s,
                       uR"([{"Name": "service: \"count-api\" check", "Type": "http", "Path": "/health", "Protocol": "",
               "PortLabel": "svc_count-api_ck_1a2b3c", "Expose": true, "AddressMode": "", "Interval": 10000000000,
               "Timeout": 2000000000, "InitialStatus": "", "TLSSkipVerify": false, "Method": "", "Header": null,
               "CheckRestart": null, "GRPCService": "", "GRPCUseTLS": false, "TaskName": "",
               "SuccessBeforePassing": 0, "FailuresBeforeCritical": 0, "Body": "", "OnUpdate": "require_healthy"}])"_s},
                      {u"/TaskGroups/0/Networks/0/DynamicPorts/1"_s,
                       uR"({"Label": "svc_count-api_ck_1a2b3c", "Value": 0, "To": -1, "HostNetwork": "default"})"_s},
                      {u"/TaskGroups/0/Services/0/Connect/SidecarService/Proxy"_s,
                       uR"({"LocalServiceAddress": "", "LocalServicePort": 0, "Upstreams": null, "Config": null,
              "Expose": {"Paths": [{"Path": "/health", "Protocol": "http", "LocalPathPort": 9001,
                                    "ListenerPort": "svc_count-api_ck_1a2b3c"}]}})"_s},
                  });
    const JobImporter::Result imported = JobImporter::importJobs(QList<QJsonObject>{job});
    QVERIFY2(imported.notes.isEmpty(), qPrintable(texts(imported.notes).join(u'\n')));
    const model::Service &api = imported.design.services.first();
    QCOMPARE(model::toString(api.check.kind), u"http"_s);
    QCOMPARE(api.check.path, u"/health"_s);
    QCOMPARE(api.check.intervalMs, 10000);
    QCOMPARE(api.check.timeoutMs, 2000);
    QVERIFY(api.ports.isEmpty());

    // An expose path of the job's own is not Nomad's.
    const QJsonObject own = patched(job, {{u"/TaskGroups/0/Services/0/Connect/SidecarService/Proxy/Expose/Paths/1"_s,
                                           uR"({"Path": "/metrics", "Protocol": "http", "LocalPathPort": 9001,
                                                "ListenerPort": "metrics"})"_s}});
    const JobImporter::Result withOwn = JobImporter::importJobs(QList<QJsonObject>{own});
    QCOMPARE(withOwn.notes.size(), 1);
    QVERIFY(withOwn.notes.first().where.endsWith(u"Proxy › Expose › Paths[1]"));
}

void TestJobImporter::keyOrderOfEscapedAndNestedKeys()
{
    const mesh::Result<JobSource> source = JobImporter::readJob(
        R"({"ID": "x", "TaskGroups": [{"Services": [{"Meta": {"z\u00e9": "1", "a/b": "2", "m~n": "3", "z\u00e9": "4"}}],
            "Tasks": [{"Env": {"B": "1", "A": {"nested": [1, {"k": "v"}]}}}]}]})");
    QVERIFY(source);
    // The repeated key keeps its first place; pointers escape '/' and '~'.
    QCOMPARE(source->keyOrder.value(u"/TaskGroups/0/Services/0/Meta"_s), (QStringList{u"zé"_s, u"a/b"_s, u"m~n"_s}));
    QCOMPARE(source->keyOrder.value(u"/TaskGroups/0/Tasks/0/Env"_s), (QStringList{u"B"_s, u"A"_s}));
    QCOMPARE(source->keyOrder.value(u"/TaskGroups/0/Tasks/0/Env/A/nested/1"_s), QStringList{u"k"_s});
    QCOMPARE(source->job.value(u"ID").toString(), u"x"_s);

    QVERIFY(!JobImporter::readJob("[1, 2]"));
    QVERIFY(!JobImporter::readJob("{\"ID\": "));
}

void TestJobImporter::labJobsImportWithoutNotes()
{
    // Deployed as deploy::DesiredState sends them (ownership marks in the
    // job's Meta) to the lab's Nomad API, read back with GET /v1/job/:id.
    lab::nomad::NomadState state(lab::Placement::defaultNodes(0));
    lab::nomad::NomadApi api(&state, u"node1"_s);
    QList<model::Topology> designs{countdashExample(), richDesign()};
    for (const model::Topology &design : designs) {
        const model::TopologyIndex index(design);
        QList<QJsonObject> readBack;
        for (const QString &name : design.jobNames()) {
            generate::NomadJob job = generate::NomadJob::fromTopology(index, name);
            const QJsonObject owner = deploy::Ownership::meta(u"imported"_s);
            for (auto it = owner.begin(); it != owner.end(); ++it)
                job.meta.append({it.key(), it.value().toString()});
            QByteArray answer;
            QCOMPARE(api.submit(generate::NomadJobGenerator::json(job).toUtf8(), &answer), 200);
            const std::optional<QJsonObject> stored = state.job(name);
            QVERIFY(stored);
            readBack.append(*stored);
        }
        const JobImporter::Result imported = JobImporter::importJobs(readBack);
        QVERIFY2(imported.notes.isEmpty(), qPrintable(texts(imported.notes).join(u'\n')));

        // Equal but for env/meta order (the lab keeps Go's sorted maps) and
        // an explicit 100 MHz / 300 MB, which is Nomad's default once
        // canonicalized.
        model::Topology expected = design;
        for (model::Service &s : expected.services) {
            const auto byKey = [](const model::KeyValue &a, const model::KeyValue &b) { return a.key < b.key; };
            std::sort(s.env.begin(), s.env.end(), byKey);
            std::sort(s.meta.begin(), s.meta.end(), byKey);
            if (s.resources.cpuMhz == 100)
                s.resources.cpuMhz = 0;
            if (s.resources.memoryMb == 300)
                s.resources.memoryMb = 0;
        }
        expected.name.clear();
        QCOMPARE(imported.design, expected);
    }
}

void TestJobImporter::unknownDestinationBecomesExternal()
{
    const QJsonObject job = parse(uR"({"ID": "web", "Datacenters": ["dc1"], "TaskGroups": [{"Name": "web",
        "Networks": [{"Mode": "bridge"}],
        "Services": [{"Name": "web", "PortLabel": "8000", "Connect": {"SidecarService": {"Proxy": {"Upstreams": [
            {"DestinationName": "payments", "LocalBindPort": 9191},
            {"DestinationName": "payments", "LocalBindPort": 9192}]}}}}],
        "Tasks": [{"Name": "web", "Driver": "exec", "Config": {"command": "/bin/web"}}]}]})"_s);
    const JobImporter::Result imported = JobImporter::importJobs(QList<QJsonObject>{job});

    QVERIFY2(imported.notes.isEmpty(), qPrintable(texts(imported.notes).join(u'\n')));
    QCOMPARE(imported.design.services.size(), 2);
    const model::Service *payments = imported.design.serviceByName(u"payments");
    QVERIFY(payments);
    QVERIFY(payments->external);
    QVERIFY(payments->job.isEmpty());
    QVERIFY(!imported.design.services.first().external);
    // One external service however many arrows reach it; arrow ids as the
    // editor makes them.
    QCOMPARE(imported.design.upstreams.size(), 2);
    QCOMPARE(imported.design.upstreams.at(0).id.value, u"web-to-payments"_s);
    QCOMPARE(imported.design.upstreams.at(1).id.value, u"web-to-payments-2"_s);
    QCOMPARE(imported.design.upstreams.at(1).destination, payments->id);
}

void TestJobImporter::unmodelledFieldIsOneNote_data()
{
    QTest::addColumn<Patches>("patches");
    QTest::addColumn<QString>("where");

    QTest::newRow("a task template") << Patches{{u"/TaskGroups/0/Tasks/0/Templates"_s,
                                                 uR"([{"DestPath": "local/app.conf", "EmbeddedTmpl": "x"}])"_s}}
                                     << uR"(group "api" › task "counter" › Templates)"_s;
    QTest::newRow("a job constraint")
        << Patches{{u"/Constraints"_s,
                    uR"([{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}])"_s}}
        << u"Constraints"_s;
    QTest::newRow("a group constraint of the user's")
        << Patches{{u"/TaskGroups/0/Constraints/1"_s,
                    uR"({"LTarget": "${node.class}", "RTarget": "big", "Operand": "="})"_s}}
        << uR"(group "api" › Constraints)"_s;
    QTest::newRow("a second task")
        << Patches{{u"/TaskGroups/0/Tasks/2"_s,
                    uR"({"Name": "logger", "Driver": "exec", "Config": {"command": "/bin/log"}})"_s}}
        << uR"(group "api" › task "logger")"_s;
    QTest::newRow("vault") << Patches{{u"/TaskGroups/0/Tasks/0/Vault"_s,
                                       uR"({"Policies": ["counter"], "ChangeMode": "restart"})"_s}}
                           << uR"(group "api" › task "counter" › Vault)"_s;
    QTest::newRow("a volume") << Patches{{u"/TaskGroups/0/Volumes"_s,
                                          uR"({"data": {"Name": "data", "Type": "host", "Source": "data"}})"_s}}
                              << uR"(group "api" › Volumes)"_s;
    // The server copies the job's update block into every group: one
    // change, one note.
    QTest::newRow("update max_parallel") << Patches{{u"/Update/MaxParallel"_s, u"3"_s},
                                                    {u"/TaskGroups/0/Update/MaxParallel"_s, u"3"_s}}
                                         << u"Update › MaxParallel"_s;
    QTest::newRow("a group's own update")
        << Patches{{u"/TaskGroups/0/Update/Canary"_s, u"1"_s}} << uR"(group "api" › Update › Canary)"_s;
    QTest::newRow("another driver") << Patches{{u"/TaskGroups/0/Tasks/0/Driver"_s, uR"("java")"_s}}
                                    << uR"(group "api" › task "counter" › Driver)"_s;
    QTest::newRow("a driver option") << Patches{{u"/TaskGroups/0/Tasks/0/Config/pid_mode"_s, uR"("host")"_s}}
                                     << uR"(group "api" › task "counter" › Config › pid_mode)"_s;
    QTest::newRow("a restart policy") << Patches{{u"/TaskGroups/0/RestartPolicy/Attempts"_s, u"5"_s},
                                                 {u"/TaskGroups/0/Tasks/0/RestartPolicy/Attempts"_s, u"5"_s}}
                                      << uR"(group "api" › RestartPolicy › Attempts)"_s;
    QTest::newRow("a second check")
        << Patches{{u"/TaskGroups/0/Services/0/Checks"_s,
                    uR"([{"Type": "http", "Path": "/health", "Interval": 10000000000, "Timeout": 2000000000, "Expose": true},
                         {"Type": "tcp", "Interval": 10000000000, "Timeout": 2000000000}])"_s}}
        << uR"(group "api" › service "count-api" › Checks[1])"_s;
    QTest::newRow("a grpc check")
        << Patches{{u"/TaskGroups/0/Services/0/Checks"_s,
                    uR"([{"Type": "grpc", "Interval": 10000000000, "Timeout": 2000000000}])"_s}}
        << uR"(group "api" › service "count-api" › check › Type)"_s;
    QTest::newRow("an upstream's datacenter")
        << Patches{{u"/TaskGroups/0/Services/0/Connect/SidecarService/Proxy"_s,
                    uR"({"Upstreams": [{"DestinationName": "db", "LocalBindPort": 5432, "Datacenter": "dc2"}]})"_s}}
        << uR"(group "api" › service "count-api" › Connect › SidecarService › Proxy › upstream "db" › Datacenter)"_s;
    QTest::newRow("a sidecar task") << Patches{{u"/TaskGroups/0/Services/0/Connect/SidecarTask"_s,
                                                uR"({"Driver": "raw_exec", "Config": {"command": "envoy"}})"_s}}
                                    << uR"(group "api" › service "count-api" › Connect › SidecarTask)"_s;
    QTest::newRow("job meta of the user's")
        << Patches{{u"/Meta"_s, uR"({"meshpad.design": "x", "meshpad.version": "1", "owner": "ann"})"_s}}
        << u"Meta › owner"_s;
    QTest::newRow("a cni network") << Patches{{u"/TaskGroups/0/Networks/0/Mode"_s, uR"("cni/mesh")"_s}}
                                   << uR"(group "api" › network › Mode)"_s;
}

void TestJobImporter::unmodelledFieldIsOneNote()
{
    QFETCH(Patches, patches);
    QFETCH(QString, where);
    const QJsonObject job = patched(readJob(kTestData + u"/importer/counter-cluster.json"_s).job, patches);
    const JobImporter::Result imported = JobImporter::importJobs(QList<QJsonObject>{job});
    QVERIFY2(imported.notes.size() == 1, qPrintable(texts(imported.notes).join(u'\n')));
    QCOMPARE(imported.notes.first().job, u"counter"_s);
    QCOMPARE(imported.notes.first().where, where);
    QVERIFY2(imported.notes.first().message.startsWith(u"not imported"), qPrintable(imported.notes.first().text()));
    // The rest still imports.
    QCOMPARE(imported.design.services.first().name, u"count-api"_s);
}

void TestJobImporter::groupsWithSeveralTasksOrServices()
{
    const QJsonObject job = parse(uR"({"ID": "pair", "TaskGroups": [{"Name": "g",
        "Networks": [{"Mode": "bridge"}],
        "Services": [{"Name": "plain", "PortLabel": "80"},
                     {"Name": "meshed", "PortLabel": "81", "TaskName": "second", "Connect": {"SidecarService": {}}}],
        "Tasks": [{"Name": "first", "Driver": "exec", "Config": {"command": "/bin/a"}},
                  {"Name": "second", "Driver": "exec", "Config": {"command": "/bin/b"}}]}]})"_s);
    const JobImporter::Result imported = JobImporter::importJobs(QList<QJsonObject>{job});
    // The Connect service, run by the task it names.
    QCOMPARE(imported.design.services.size(), 1);
    QCOMPARE(imported.design.services.first().name, u"meshed"_s);
    QCOMPARE(imported.design.services.first().task, u"second"_s);
    QCOMPARE(imported.design.services.first().command, u"/bin/b"_s);
    QCOMPARE(
        texts(imported.notes),
        (QStringList{uR"(job pair: group "g" › service "plain": not imported: Meshpad draws one service per group)"_s,
                     uR"(job pair: group "g" › task "first": not imported: Meshpad runs one task per group)"_s}));
}

void TestJobImporter::sameServiceInTwoJobs()
{
    QJsonObject canary = readJob(kSource + u"/jobs/counter.json"_s).job;
    canary.insert(u"ID", u"counter-canary"_s);
    canary.insert(u"Name", u"counter-canary"_s);
    const JobImporter::Result imported
        = JobImporter::importJobs(QList<QJsonObject>{readJob(kSource + u"/jobs/counter.json"_s).job, canary});
    QCOMPARE(imported.design.services.size(), 2);
    QCOMPARE(imported.design.services.at(1).id.value, u"count-api-2"_s);
    QCOMPARE(imported.notes.size(), 1);
    QCOMPARE(imported.notes.first().job, u"counter-canary"_s);
    QCOMPARE(imported.notes.first().where, uR"(group "api" › service "count-api")"_s);
}

void TestJobImporter::intentionsMarkArrows()
{
    const QList<JobSource> jobs{readJob(kSource + u"/jobs/dashboard.json"_s),
                                readJob(kSource + u"/jobs/counter.json"_s)};
    const QJsonObject deny = parse(uR"({"Kind": "service-intentions", "Name": "count-api",
        "Meta": {"meshpad.design": "countdash", "meshpad.version": "1"},
        "Sources": [{"Name": "count-dashboard", "Action": "deny", "Type": "consul", "Precedence": 9,
                     "Description": "Meshpad: count-dashboard may not call count-api"},
                    {"Name": "billing", "Action": "allow"}]})"_s);
    const JobImporter::Result denied = JobImporter::importJobs(jobs, {deny});
    QCOMPARE(model::toString(denied.design.upstreams.first().action), u"deny"_s);
    // A source with no arrow: Meshpad draws intentions only as arrows.
    QCOMPARE(denied.notes.size(), 1);
    QCOMPARE(denied.notes.first().where, uR"(intentions "count-api" › source "billing")"_s);

    QJsonObject allow = deny;
    allow.insert(u"Sources", QJsonArray{QJsonObject{{u"Name"_s, u"count-dashboard"_s}, {u"Action"_s, u"allow"_s}}});
    const JobImporter::Result allowed = JobImporter::importJobs(jobs, {allow});
    QCOMPARE(model::toString(allowed.design.upstreams.first().action), u"allow"_s);
    QVERIFY2(allowed.notes.isEmpty(), qPrintable(texts(allowed.notes).join(u'\n')));
}

void TestJobImporter::wildcardIntentionsSetTheDefaultPolicy_data()
{
    QTest::addColumn<QStringList>("entries");
    QTest::addColumn<model::IntentionAction>("policy");
    QTest::addColumn<int>("notes");

    QTest::newRow("* to * deny")
        << QStringList{uR"({"Kind": "service-intentions", "Name": "*", "Sources": [{"Name": "*", "Action": "deny"}]})"_s}
        << model::IntentionAction::Deny << 0;
    QTest::newRow("* deny into every service, as Meshpad writes default deny")
        << QStringList{uR"({"Kind": "service-intentions", "Name": "count-api", "Sources": [
                            {"Name": "count-dashboard", "Action": "allow"}, {"Name": "*", "Action": "deny"}]})"_s,
                       uR"({"Kind": "service-intentions", "Name": "count-dashboard", "Sources": [
                            {"Name": "*", "Action": "deny"}]})"_s}
        << model::IntentionAction::Deny << 0;
    QTest::newRow("* deny into one service of two")
        << QStringList{uR"({"Kind": "service-intentions", "Name": "count-api", "Sources": [{"Name": "*", "Action": "deny"}]})"_s}
        << model::IntentionAction::Allow << 1;
    QTest::newRow("one service to every service")
        << QStringList{uR"({"Kind": "service-intentions", "Name": "*", "Sources": [{"Name": "count-dashboard", "Action": "deny"}]})"_s}
        << model::IntentionAction::Allow << 1;
}

void TestJobImporter::wildcardIntentionsSetTheDefaultPolicy()
{
    QFETCH(QStringList, entries);
    QFETCH(model::IntentionAction, policy);
    QFETCH(int, notes);
    QList<QJsonObject> intentions;
    for (const QString &e : entries)
        intentions.append(parse(e));
    const JobImporter::Result imported = JobImporter::importJobs(
        {readJob(kSource + u"/jobs/dashboard.json"_s), readJob(kSource + u"/jobs/counter.json"_s)}, intentions);
    QCOMPARE(model::toString(imported.design.settings.defaultPolicy), model::toString(policy));
    QCOMPARE(imported.notes.size(), notes);
    QCOMPARE(model::toString(imported.design.upstreams.first().action), u"allow"_s);
}

void TestJobImporter::templateFollowsThePalette_data()
{
    QTest::addColumn<model::Driver>("driver");
    QTest::addColumn<QString>("command");
    QTest::addColumn<model::ServiceTemplate>("expected");
    QTest::newRow("the demo counter") << model::Driver::Exec << u"/vagrant/apps/bin/counter"_s
                                      << model::ServiceTemplate::Counter;
    QTest::newRow("the demo dashboard under raw_exec")
        << model::Driver::RawExec << u"/opt/dashboard"_s << model::ServiceTemplate::Dashboard;
    QTest::newRow("a container") << model::Driver::Docker << QString() << model::ServiceTemplate::Docker;
    QTest::newRow("anything else") << model::Driver::Exec << u"/bin/counterfeit"_s << model::ServiceTemplate::Generic;
}

void TestJobImporter::templateFollowsThePalette()
{
    QFETCH(model::Driver, driver);
    QFETCH(QString, command);
    QFETCH(model::ServiceTemplate, expected);
    model::Service s;
    s.driver = driver;
    s.command = command;
    QCOMPARE(model::toString(JobImporter::templateOf(s)), model::toString(expected));
}

QTEST_GUILESS_MAIN(TestJobImporter)
#include "tst_jobimporter.moc"
