// The lab's Nomad server: jobs decoded and canonicalized as Nomad does, run
// by a fake scheduler, and read back over real HTTP (apps::http::HttpServer
// on 127.0.0.1:0) the way the nomad CLI, curl and jq read them.

#include "apps/http/httpserver.h"
#include "generate/nomadjobgenerator.h"
#include "lab/api/gostructschema.h"
#include "lab/nomad/gojsondecoder.h"
#include "lab/nomad/jobscheduler.h"
#include "lab/nomad/jobspec.h"
#include "lab/nomad/nomadapi.h"
#include "lab/nomad/nomadstate.h"
#include "model/projectfile.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

using namespace mesh;
using namespace mesh::lab::nomad;
using namespace Qt::StringLiterals;

namespace {

// Records what NomadState asks for; the test plays the runtime's part.
class FakeScheduler final : public JobScheduler
{
public:
    struct Placement
    {
        QString jobId;
        quint64 version = 0;
        QList<model::Service> services;
        QList<model::Upstream> upstreams;
    };
    void placeJob(const QString &jobId, quint64 version, const QList<model::Service> &services,
                  const QList<model::Upstream> &upstreams) override
    {
        placed.append({jobId, version, services, upstreams});
    }
    void stopJob(const QString &jobId) override { stopped.append(jobId); }

    QList<Placement> placed;
    QStringList stopped;
};

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Services compared as the lab runs them: ids, canvas positions and the
// palette template are not part of a Nomad job; env and meta are Go maps
// (no order).
model::Service comparable(model::Service s)
{
    s.id = {};
    s.position = {};
    s.templateKind = model::ServiceTemplate::Generic;
    const auto byKey = [](const model::KeyValue &a, const model::KeyValue &b) { return a.key < b.key; };
    std::sort(s.env.begin(), s.env.end(), byKey);
    std::sort(s.meta.begin(), s.meta.end(), byKey);
    return s;
}

struct HttpReply
{
    int status = 0;
    QByteArray body;
    QByteArray index; // X-Nomad-Index
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

} // namespace

class TestLabNomad : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void roundTripExample_data();
    void roundTripExample();
    void decodeErrors_data();
    void decodeErrors();
    void canonicalJobHasConnectSidecar();
    void unnamedConnectServiceIsStableAcrossRegisters();

    void registerRunsAndDeploys();
    void failingTaskFailsDeployment();
    void progressDeadlineFailsDeployment();
    void lostAllocationIsReplaced();
    void planSameJobIsNone();
    void planChangedCount();
    void planUnplaceableDriver();
    void enforceIndexConflict();
    void purgeForgetsJob();
    void blockingQueryWakesOnChange();
    void blockingQueryBadParameters_data();
    void blockingQueryBadParameters();
    void jqRecipeFindsDashboard();
    void errorsAndMethods_data();
    void errorsAndMethods();
    void parseJobspec();
    void submissionOfTheCurrentVersion();
    void parseJobspecVariables();
    void parseJobspecErrors_data();
    void parseJobspecErrors();

private:
    HttpReply call(const QByteArray &method, const QString &path, const QByteArray &body = {});
    HttpReply post(const QString &path, const QByteArray &body) { return call("POST", path, body); }
    HttpReply get(const QString &path) { return call("GET", path); }
    // Every response body the tests read decodes as the Go client would.
    void checkResponse(const HttpReply &reply, const QString &type);
    QString registerJob(const QByteArray &body);
    // Plays the runtime: places `count` allocations of job/group and starts them.
    QStringList placeAndStart(const QString &job, const QString &group, const QString &task, int count,
                              quint64 version = 0, QList<AllocatedPort> ports = {});
    QString url(const QString &path) const { return u"http://127.0.0.1:%1%2"_s.arg(m_server->port()).arg(path); }

    std::optional<lab::GoStructSchema> m_responses;
    std::unique_ptr<NomadState> m_state;
    std::unique_ptr<NomadApi> m_api;
    std::unique_ptr<apps::http::HttpServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    FakeScheduler m_scheduler;
    int m_nextAlloc = 0;
};

void TestLabNomad::initTestCase()
{
    QString error;
    m_responses
        = lab::GoStructSchema::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/nomad-responses.json"), &error);
    QVERIFY2(m_responses, qPrintable(error));
}

void TestLabNomad::init()
{
    m_scheduler = {};
    m_state = std::make_unique<NomadState>(lab::Placement::defaultNodes(0));
    m_state->setScheduler(&m_scheduler);
    m_api = std::make_unique<NomadApi>(m_state.get(), u"one"_s);
    m_server = std::make_unique<apps::http::HttpServer>();
    apps::http::HttpServer::Limits limits;
    limits.bufferBodyBytes = 4 * 1024 * 1024;
    m_server->setLimits(limits);
    m_server->setHandler([this](const apps::http::Request &request, apps::http::Response &response) {
        m_api->handle(request, response);
    });
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    m_network = std::make_unique<QNetworkAccessManager>();
}

void TestLabNomad::cleanup()
{
    m_network.reset();
    m_server.reset();
    m_api.reset();
    m_state.reset();
}

HttpReply TestLabNomad::call(const QByteArray &method, const QString &path, const QByteArray &body)
{
    QNetworkRequest request{QUrl(url(path))};
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, body);
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpReply out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    out.index = reply->rawHeader("X-Nomad-Index");
    reply->deleteLater();
    return out;
}

void TestLabNomad::checkResponse(const HttpReply &reply, const QString &type)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(reply.body, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, reply.body.constData());
    const QJsonValue value = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    const QStringList problems = m_responses->checkResponse(value, type);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

QString TestLabNomad::registerJob(const QByteArray &body)
{
    const HttpReply r = post(u"/v1/jobs"_s, body);
    if (r.status != 200) {
        qWarning("register answered %d: %s", r.status, r.body.constData());
        return {};
    }
    checkResponse(r, u"JobRegisterResponse"_s);
    return r.json().object().value(u"EvalID").toString();
}

QStringList TestLabNomad::placeAndStart(const QString &job, const QString &group, const QString &task, int count,
                                        quint64 version, QList<AllocatedPort> ports)
{
    QStringList ids;
    const QStringList nodes{u"one"_s, u"two"_s, u"three"_s};
    for (int i = 0; i < count; ++i) {
        PlacedAllocation placed;
        placed.allocId = u"%1-0000-4000-8000-000000000000"_s.arg(++m_nextAlloc, 8, 10, QChar(u'0'));
        placed.allocName = u"%1.%2[%3]"_s.arg(job, group).arg(i);
        placed.jobId = job;
        placed.jobVersion = version;
        placed.group = group;
        placed.node = nodes.at(i % 3);
        placed.nodeAddress = u"127.0.1.%1"_s.arg(i % 3 + 1);
        placed.allocAddress = u"127.0.2.%1"_s.arg(m_nextAlloc);
        placed.ports = ports;
        m_state->allocationPlaced(placed);
        for (const QStringView type : {kTaskReceived, kTaskSetup, kTaskStarted})
            m_state->taskEvent(placed.allocId, task, {type.toString()});
        ids.append(placed.allocId);
    }
    return ids;
}

void TestLabNomad::roundTripExample_data()
{
    QTest::addColumn<QString>("path");
    const QDir examples(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples"));
    for (const QString &file : examples.entryList({u"*.meshpad"_s}, QDir::Files))
        QTest::newRow(qPrintable(file)) << examples.filePath(file);
}

void TestLabNomad::roundTripExample()
{
    QFETCH(QString, path);
    const Result<model::Topology> topology = model::ProjectFile::load(path);
    QVERIFY2(topology, qPrintable(topology ? QString() : topology.error().message));

    QList<model::Service> services;
    QList<model::Upstream> upstreams;
    for (const QString &job : topology->jobNames()) {
        const QString json = generate::NomadJobGenerator::json(*topology, job);
        const Result<QJsonObject> request
            = GoJsonDecoder::nomadApi().decodeBody(json.toUtf8(), u"JobRegisterRequest"_s);
        QVERIFY2(request, qPrintable(request ? QString() : request.error().message));
        const QJsonObject stored = JobSpec::canonicalize(request->value(u"Job").toObject());
        const QStringList errors = JobSpec::validate(stored);
        QVERIFY2(errors.isEmpty(), qPrintable(JobSpec::multierrorText(errors)));
        const RunModel run = JobSpec::runModel(stored);
        services += run.services;
        upstreams += run.upstreams;
    }

    QCOMPARE(services.size(), topology->services.size());
    for (const model::Service &original : topology->services) {
        const auto it = std::find_if(services.begin(), services.end(),
                                     [&](const model::Service &s) { return s.name == original.name; });
        QVERIFY2(it != services.end(), qPrintable(original.name));
        QCOMPARE(comparable(*it), comparable(original));
    }
    QCOMPARE(upstreams.size(), topology->upstreams.size());
    for (const model::Upstream &original : topology->upstreams) {
        const QString from = topology->service(original.downstream)->name;
        const QString to = topology->service(original.destination)->name;
        const auto it = std::find_if(upstreams.begin(), upstreams.end(), [&](const model::Upstream &u) {
            return u.downstream.value == from && u.destination.value == to;
        });
        QVERIFY2(it != upstreams.end(), qPrintable(from + u" -> " + to));
        QCOMPARE(it->localBindPort, original.localBindPort);
        QCOMPARE(it->localBindAddress, original.localBindAddress);
    }
}

void TestLabNomad::decodeErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");

    QTest::newRow("env value as a number")
        << QByteArray(
               R"({"Job":{"ID":"x","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"exec","Env":{"PORT":9001}}]}]}})")
        << 400 << u"json: cannot unmarshal number into Go struct field Task.Job.TaskGroups.Tasks.Env of type string"_s;
    QTest::newRow("count as a string")
        << QByteArray(R"({"Job":{"ID":"x","TaskGroups":[{"Name":"g","Count":"3"}]}})") << 400
        << u"json: cannot unmarshal string into Go struct field TaskGroup.Job.TaskGroups.Count of type int"_s;
    QTest::newRow("duration as a Go string")
        << QByteArray(
               R"({"Job":{"ID":"x","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"exec","KillTimeout":"5s"}]}]}})")
        << 400
        << u"json: cannot unmarshal string into Go struct field Task.Job.TaskGroups.Tasks.KillTimeout of type time.Duration"_s;
    QTest::newRow("no job") << QByteArray(R"({"EnforceIndex":false})") << 400 << u"Job must be specified"_s;
    QTest::newRow("no job id") << QByteArray(R"({"Job":{"Name":"x"}})") << 400 << u"Job ID hasn't been provided"_s;
    QTest::newRow("group without tasks")
        << QByteArray(R"({"Job":{"ID":"x","TaskGroups":[{"Name":"api"}]}})") << 500
        << u"1 error occurred:\n\t* Task group api validation failed: 1 error occurred:\n\t* Missing tasks for task group\n\n\n\n"_s;
    QTest::newRow("task without driver")
        << QByteArray(R"({"Job":{"ID":"x","TaskGroups":[{"Name":"api","Tasks":[{"Name":"t"}]}]}})") << 500
        << u"1 error occurred:\n\t* Task group api validation failed: 1 error occurred:\n\t* Task t validation failed: 1 error occurred:\n\t* Missing task driver\n\n\n\n\n\n"_s;
    QTest::newRow("sidecar in host mode")
        << QByteArray(
               R"({"Job":{"ID":"x","TaskGroups":[{"Name":"api","Networks":[{"Mode":"host"}],)"
               R"("Services":[{"Name":"a","Connect":{"SidecarService":{}}}],"Tasks":[{"Name":"t","Driver":"exec"}]}]}})")
        << 500
        << u"1 error occurred:\n\t* Consul Connect sidecar requires bridge network, found \"host\" in group \"api\"\n\n"_s;
    QTest::newRow("truncated json") << QByteArray(R"({"Job":{"ID":"x")") << 400 << u"unexpected EOF"_s;
}

void TestLabNomad::decodeErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    const HttpReply r = post(u"/v1/jobs"_s, body);
    QCOMPARE(r.status, status);
    QCOMPARE(QString::fromUtf8(r.body), message);
    QVERIFY(m_scheduler.placed.isEmpty());
}

void TestLabNomad::canonicalJobHasConnectSidecar()
{
    // Lower-case keys match (Go's case-insensitive decoding) and unknown
    // keys are dropped, not refused.
    const QByteArray body = R"({"job":{"id":"counter","taskgroups":[{"name":"api","count":3,"Bogus":1,
        "networks":[{"mode":"bridge"}],"services":[{"name":"count-api","portlabel":"9001","connect":{"sidecarservice":{}}}],
        "tasks":[{"name":"counter","driver":"exec","config":{"command":"/bin/counter"},"env":{"PORT":"9001"}}]}]}})";
    QVERIFY(!registerJob(body).isEmpty());
    const HttpReply r = get(u"/v1/job/counter"_s);
    QCOMPARE(r.status, 200);
    checkResponse(r, u"Job"_s);
    const QJsonObject job = r.json().object();
    QCOMPARE(job.value(u"Name").toString(), u"counter"_s);
    QCOMPARE(job.value(u"Priority").toInt(), 50);
    QCOMPARE(job.value(u"Region").toString(), u"global"_s);
    QCOMPARE(job.value(u"Update").toObject().value(u"ProgressDeadline").toInteger(), 600'000'000'000LL);
    const QJsonObject group = job.value(u"TaskGroups").toArray().first().toObject();
    QVERIFY(!group.contains(u"Bogus"));
    QCOMPARE(group.value(u"RestartPolicy").toObject().value(u"Attempts").toInt(), 2);
    const QJsonArray tasks = group.value(u"Tasks").toArray();
    QCOMPARE(tasks.size(), 2);
    const QJsonObject sidecar = tasks.at(1).toObject();
    QCOMPARE(sidecar.value(u"Name").toString(), u"connect-proxy-count-api"_s);
    QCOMPARE(sidecar.value(u"Kind").toString(), u"connect-proxy:count-api"_s);
    QCOMPARE(sidecar.value(u"Lifecycle").toObject().value(u"Sidecar").toBool(), true);
    QCOMPARE(tasks.at(0).toObject().value(u"Resources").toObject().value(u"MemoryMB").toInt(), 300);
    const QJsonObject port
        = group.value(u"Networks").toArray().first().toObject().value(u"DynamicPorts").toArray().first().toObject();
    QCOMPARE(port.value(u"Label").toString(), u"connect-proxy-count-api"_s);
    QCOMPARE(port.value(u"To").toInt(), -1);

    // Registering what GET returned changes nothing: no new version.
    const QByteArray again = QJsonDocument(QJsonObject{{u"Job"_s, job}}).toJson();
    QVERIFY(!registerJob(again).isEmpty());
    QCOMPARE(get(u"/v1/job/counter"_s).json().object().value(u"Version").toInt(), 0);
    QCOMPARE(m_scheduler.placed.size(), 1);
}

// A Connect service without a name is called <job>-<group> before the
// sidecar is injected, so reading the job back and registering it again
// finds that sidecar instead of adding a second one (found by fuzz_nomadjob).
void TestLabNomad::unnamedConnectServiceIsStableAcrossRegisters()
{
    const QByteArray body = R"({"Job":{"ID":"web","TaskGroups":[{"Name":"api","Networks":[{"Mode":"bridge"}],
        "Services":[{"PortLabel":"8080","Connect":{"SidecarService":{}}}],
        "Tasks":[{"Name":"app","Driver":"exec","Config":{"command":"/bin/app"}}]}]}})";
    QVERIFY(!registerJob(body).isEmpty());
    const QJsonObject job = get(u"/v1/job/web"_s).json().object();
    const QJsonObject group = job.value(u"TaskGroups").toArray().first().toObject();
    QCOMPARE(group.value(u"Services").toArray().first().toObject().value(u"Name").toString(), u"web-api"_s);
    QStringList tasks;
    for (const QJsonValue &task : group.value(u"Tasks").toArray())
        tasks.append(task.toObject().value(u"Name").toString());
    QCOMPARE(tasks, (QStringList{u"app"_s, u"connect-proxy-web-api"_s}));
    QCOMPARE(JobSpec::canonicalize(job), job);
    QVERIFY(!registerJob(QJsonDocument(QJsonObject{{u"Job"_s, job}}).toJson()).isEmpty());
    QCOMPARE(get(u"/v1/job/web"_s).json().object().value(u"Version").toInt(), 0);
}

void TestLabNomad::registerRunsAndDeploys()
{
    const QString evalId = registerJob(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json")));
    QVERIFY(!evalId.isEmpty());
    HttpReply r = get(u"/v1/evaluation/"_s + evalId);
    QCOMPARE(r.status, 200);
    checkResponse(r, u"Evaluation"_s);
    QCOMPARE(r.json().object().value(u"Status").toString(), u"complete"_s);
    QCOMPARE(r.json().object().value(u"TriggeredBy").toString(), u"job-register"_s);

    QCOMPARE(m_scheduler.placed.size(), 1);
    const FakeScheduler::Placement placement = m_scheduler.placed.first();
    QCOMPARE(placement.jobId, u"counter"_s);
    QCOMPARE(placement.services.size(), 1);
    QCOMPARE(placement.services.first().count, 3);
    QCOMPARE(placement.services.first().command, u"/vagrant/apps/bin/counter"_s);

    r = get(u"/v1/job/counter/deployment"_s);
    checkResponse(r, u"Deployment"_s);
    QCOMPARE(r.json().object().value(u"Status").toString(), u"running"_s);
    const QString deploymentId = r.json().object().value(u"ID").toString();

    const QStringList ids = placeAndStart(u"counter"_s, u"api"_s, u"counter"_s, 3, 0,
                                          {{u"connect-proxy-count-api"_s, 21001, 21001, false}});
    r = get(u"/v1/job/counter/allocations"_s);
    checkResponse(r, u"list of AllocationListStub"_s);
    const QJsonArray allocs = r.json().array();
    QCOMPARE(allocs.size(), 3);
    for (const QJsonValue &a : allocs) {
        QCOMPARE(a.toObject().value(u"ClientStatus").toString(), u"running"_s);
        QCOMPARE(a.toObject().value(u"TaskStates").toObject().value(u"counter").toObject().value(u"State").toString(),
                 u"running"_s);
        QVERIFY(!a.toObject().contains(u"AllocatedResources"));
    }
    r = get(u"/v1/allocation/"_s + ids.first());
    checkResponse(r, u"Allocation"_s);
    const QJsonObject shared = r.json().object().value(u"AllocatedResources").toObject().value(u"Shared").toObject();
    QCOMPARE(shared.value(u"Ports").toArray().first().toObject().value(u"Value").toInt(), 21001);

    for (const QString &id : ids)
        m_state->allocationHealth(id, true);
    r = get(u"/v1/deployment/"_s + deploymentId);
    checkResponse(r, u"Deployment"_s);
    const QJsonObject d = r.json().object();
    QCOMPARE(d.value(u"Status").toString(), u"successful"_s);
    QCOMPARE(d.value(u"StatusDescription").toString(), u"Deployment completed successfully"_s);
    const QJsonObject api = d.value(u"TaskGroups").toObject().value(u"api").toObject();
    QCOMPARE(api.value(u"DesiredTotal").toInt(), 3);
    QCOMPARE(api.value(u"PlacedAllocs").toInt(), 3);
    QCOMPARE(api.value(u"HealthyAllocs").toInt(), 3);
    r = get(u"/v1/deployment/allocations/"_s + deploymentId);
    checkResponse(r, u"list of AllocationListStub"_s);
    QCOMPARE(r.json().array().size(), 3);

    r = get(u"/v1/jobs"_s);
    checkResponse(r, u"list of JobListStub"_s);
    QCOMPARE(r.json().array().first().toObject().value(u"Status").toString(), u"running"_s);
    r = get(u"/v1/job/counter"_s);
    QCOMPARE(r.json().object().value(u"Stable").toBool(), true);
    r = get(u"/v1/job/counter/evaluations"_s);
    checkResponse(r, u"list of Evaluation"_s);
    QCOMPARE(r.json().array().size(), 1);
}

void TestLabNomad::failingTaskFailsDeployment()
{
    QVERIFY(!registerJob(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/dashboard.json"))).isEmpty());
    const QStringList ids = placeAndStart(u"dashboard"_s, u"dashboard"_s, u"dashboard"_s, 1);
    TaskEventReport terminated{kTaskTerminated.toString()};
    terminated.exitCode = 3;
    m_state->taskEvent(ids.first(), u"dashboard"_s, terminated);
    TaskEventReport notRestarting{kTaskNotRestarting.toString()};
    notRestarting.restartReason = u"Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\""_s;
    m_state->taskEvent(ids.first(), u"dashboard"_s, notRestarting);

    HttpReply r = get(u"/v1/allocation/"_s + ids.first());
    checkResponse(r, u"Allocation"_s);
    const QJsonObject alloc = r.json().object();
    QCOMPARE(alloc.value(u"ClientStatus").toString(), u"failed"_s);
    QCOMPARE(alloc.value(u"DeploymentStatus").toObject().value(u"Healthy").toBool(true), false);
    const QJsonObject state = alloc.value(u"TaskStates").toObject().value(u"dashboard").toObject();
    QCOMPARE(state.value(u"State").toString(), u"dead"_s);
    QCOMPARE(state.value(u"Failed").toBool(), true);
    const QJsonArray events = state.value(u"Events").toArray();
    const auto it = std::find_if(events.begin(), events.end(), [](const QJsonValue &e) {
        return e.toObject().value(u"Type").toString() == u"Terminated";
    });
    QVERIFY(it != events.end());
    QCOMPARE(it->toObject().value(u"ExitCode").toInt(), 3);
    QCOMPARE(it->toObject().value(u"DisplayMessage").toString(), u"Exit Code: 3"_s);
    QVERIFY(it->toObject().value(u"Time").toInteger() > 1'600'000'000'000'000'000LL);

    r = get(u"/v1/job/dashboard/deployment"_s);
    QCOMPARE(r.json().object().value(u"Status").toString(), u"failed"_s);
    QCOMPARE(r.json().object().value(u"StatusDescription").toString(), u"Failed due to unhealthy allocations"_s);
    QCOMPARE(r.json()
                 .object()
                 .value(u"TaskGroups")
                 .toObject()
                 .value(u"dashboard")
                 .toObject()
                 .value(u"UnhealthyAllocs")
                 .toInt(),
             1);
}

void TestLabNomad::progressDeadlineFailsDeployment()
{
    QJsonObject body
        = QJsonDocument::fromJson(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/dashboard.json"))).object();
    QJsonObject job = body.value(u"Job").toObject();
    job.insert(u"Update", QJsonObject{{u"ProgressDeadline"_s, 300'000'000}}); // 300 ms
    body.insert(u"Job", job);
    QVERIFY(!registerJob(QJsonDocument(body).toJson()).isEmpty());
    placeAndStart(u"dashboard"_s, u"dashboard"_s, u"dashboard"_s, 1); // never healthy
    QTRY_COMPARE_WITH_TIMEOUT(
        get(u"/v1/job/dashboard/deployment"_s).json().object().value(u"StatusDescription").toString(),
        u"Failed due to progress deadline"_s, 20'000);
}

// A node goes down: the runtime (played here) reports its allocation lost
// and places a replacement under the same name on a node still up; the API
// shows them as Nomad does (hashicorp/nomad: scheduler/reconcile.go for the
// lost allocations, nomad/state/state_store.go upsertAllocsImpl for the
// PreviousAllocation / NextAllocation link).
void TestLabNomad::lostAllocationIsReplaced()
{
    QVERIFY(!registerJob(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json"))).isEmpty());
    const QStringList ids = placeAndStart(u"counter"_s, u"api"_s, u"counter"_s, 3); // on one, two, three
    for (const QString &id : ids)
        m_state->allocationHealth(id, true);
    const QString deploymentId = get(u"/v1/job/counter/deployment"_s).json().object().value(u"ID").toString();
    QCOMPARE(get(u"/v1/deployment/"_s + deploymentId).json().object().value(u"Status").toString(), u"successful"_s);

    m_state->setNodeUp(u"two"_s, false);
    const QString lost = ids.at(1);
    m_state->allocationLost(lost);
    // What the runner reports while it stops never reaches the server.
    m_state->taskEvent(lost, u"counter"_s, {kTaskKilled.toString()});
    m_state->allocationStopped(lost);

    const auto replace = [this](const QString &previous, const QString &node, const QString &name) {
        PlacedAllocation placed;
        placed.allocId = u"%1-0000-4000-8000-000000000000"_s.arg(++m_nextAlloc, 8, 10, QChar(u'0'));
        placed.allocName = name;
        placed.jobId = u"counter"_s;
        placed.group = u"api"_s;
        placed.node = node;
        placed.nodeAddress = u"127.0.1.3"_s;
        placed.allocAddress = u"127.0.2.%1"_s.arg(m_nextAlloc);
        m_state->allocationPlaced(placed);
        for (const QStringView type : {kTaskReceived, kTaskSetup, kTaskStarted})
            m_state->taskEvent(placed.allocId, u"counter"_s, {type.toString()});
        m_state->allocationReplaced(previous, placed.allocId);
        return placed.allocId;
    };
    const QString replacement = replace(lost, u"three"_s, u"counter.api[1]"_s);

    HttpReply r = get(u"/v1/job/counter/allocations"_s);
    checkResponse(r, u"list of AllocationListStub"_s);
    QJsonArray allocs = r.json().array();
    QCOMPARE(allocs.size(), 4);
    QHash<QString, QJsonObject> byId;
    for (const QJsonValue &a : std::as_const(allocs))
        byId.insert(a.toObject().value(u"ID").toString(), a.toObject());
    const QJsonObject gone = byId.value(lost);
    QCOMPARE(gone.value(u"ClientStatus").toString(), u"lost"_s);
    QCOMPARE(gone.value(u"DesiredStatus").toString(), u"stop"_s);
    QCOMPARE(gone.value(u"DesiredDescription").toString(), u"alloc is lost since its node is down"_s);
    QCOMPARE(gone.value(u"ClientDescription").toString(), u"Tasks are running"_s);
    QCOMPARE(gone.value(u"NodeName").toString(), u"two"_s);
    QCOMPARE(gone.value(u"NextAllocation").toString(), replacement);
    const QJsonObject next = byId.value(replacement);
    QCOMPARE(next.value(u"Name").toString(), gone.value(u"Name").toString());
    QCOMPARE(next.value(u"ClientStatus").toString(), u"running"_s);
    QCOMPARE(next.value(u"NodeName").toString(), u"three"_s);
    QCOMPARE(next.value(u"NextAllocation").toString(), QString());

    r = get(u"/v1/allocation/"_s + replacement);
    checkResponse(r, u"Allocation"_s);
    QCOMPARE(r.json().object().value(u"PreviousAllocation").toString(), lost);
    // The deployment had succeeded: the replacement joins none.
    QCOMPARE(r.json().object().value(u"DeploymentID").toString(), QString());
    r = get(u"/v1/allocation/"_s + lost);
    checkResponse(r, u"Allocation"_s);
    QCOMPARE(r.json().object().value(u"NextAllocation").toString(), replacement);
    QCOMPARE(r.json().object().value(u"PreviousAllocation").toString(), QString());
    QCOMPARE(r.json().object().value(u"TaskStates").toObject().value(u"counter").toObject().value(u"State").toString(),
             u"running"_s); // as the client last reported it

    r = get(u"/v1/jobs"_s);
    checkResponse(r, u"list of JobListStub"_s);
    const QJsonObject summary = r.json()
                                    .array()
                                    .first()
                                    .toObject()
                                    .value(u"JobSummary")
                                    .toObject()
                                    .value(u"Summary")
                                    .toObject()
                                    .value(u"api")
                                    .toObject();
    QCOMPARE(summary.value(u"Running").toInt(), 3);
    QCOMPARE(summary.value(u"Lost").toInt(), 1);
    QCOMPARE(r.json().array().first().toObject().value(u"Status").toString(), u"running"_s);
    QCOMPARE(get(u"/v1/deployment/"_s + deploymentId)
                 .json()
                 .object()
                 .value(u"TaskGroups")
                 .toObject()
                 .value(u"api")
                 .toObject()
                 .value(u"PlacedAllocs")
                 .toInt(),
             3);

    // The node comes back: the lost allocation stays lost.
    m_state->setNodeUp(u"two"_s, true);
    QCOMPARE(get(u"/v1/allocation/"_s + lost).json().object().value(u"ClientStatus").toString(), u"lost"_s);

    // Losing the same index again and again keeps only the newest few lost.
    QString previous = replacement;
    for (int i = 0; i < 8; ++i) {
        m_state->allocationLost(previous);
        previous = replace(previous, u"one"_s, u"counter.api[1]"_s);
    }
    r = get(u"/v1/job/counter/allocations"_s);
    checkResponse(r, u"list of AllocationListStub"_s);
    allocs = r.json().array();
    const auto lostCount = std::count_if(allocs.begin(), allocs.end(), [](const QJsonValue &a) {
        return a.toObject().value(u"ClientStatus").toString() == u"lost";
    });
    QCOMPARE(int(lostCount), NomadState::kKeptLostAllocations);
    QCOMPARE(allocs.size(), 3 + NomadState::kKeptLostAllocations);
    QVERIFY(get(u"/v1/allocation/"_s + lost).status == 404); // collected
}

void TestLabNomad::planSameJobIsNone()
{
    const QByteArray counter = readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json"));
    QVERIFY(!registerJob(counter).isEmpty());
    QJsonObject plan = QJsonDocument::fromJson(counter).object();
    plan.insert(u"Diff", true);
    const HttpReply r = post(u"/v1/job/counter/plan"_s, QJsonDocument(plan).toJson());
    QCOMPARE(r.status, 200);
    checkResponse(r, u"JobPlanResponse"_s);
    const QJsonObject diff = r.json().object().value(u"Diff").toObject();
    QCOMPARE(diff.value(u"Type").toString(), u"None"_s);
    QVERIFY(diff.value(u"Fields").toArray().isEmpty());
    QVERIFY(diff.value(u"Objects").toArray().isEmpty());
    const QJsonObject group = diff.value(u"TaskGroups").toArray().first().toObject();
    QCOMPARE(group.value(u"Type").toString(), u"None"_s);
    QVERIFY(group.value(u"Fields").toArray().isEmpty());
    QVERIFY(group.value(u"Objects").toArray().isEmpty());
    QCOMPARE(r.json().object().value(u"JobModifyIndex").toInteger(),
             get(u"/v1/job/counter"_s).json().object().value(u"JobModifyIndex").toInteger());
}

void TestLabNomad::planChangedCount()
{
    const QByteArray counter = readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json"));
    QVERIFY(!registerJob(counter).isEmpty());
    placeAndStart(u"counter"_s, u"api"_s, u"counter"_s, 3);
    QJsonObject plan = QJsonDocument::fromJson(counter).object();
    QJsonObject job = plan.value(u"Job").toObject();
    QJsonArray groups = job.value(u"TaskGroups").toArray();
    QJsonObject group = groups.first().toObject();
    group.insert(u"Count", 5);
    groups.replace(0, group);
    job.insert(u"TaskGroups", groups);
    plan.insert(u"Job", job);
    plan.insert(u"Diff", true);

    const HttpReply r = post(u"/v1/job/counter/plan"_s, QJsonDocument(plan).toJson());
    QCOMPARE(r.status, 200);
    checkResponse(r, u"JobPlanResponse"_s);
    const QJsonObject response = r.json().object();
    QCOMPARE(response.value(u"Diff").toObject().value(u"Type").toString(), u"Edited"_s);
    const QJsonObject groupDiff = response.value(u"Diff").toObject().value(u"TaskGroups").toArray().first().toObject();
    QCOMPARE(groupDiff.value(u"Type").toString(), u"Edited"_s);
    const QJsonArray fields = groupDiff.value(u"Fields").toArray();
    QCOMPARE(fields.size(), 1);
    QCOMPARE(fields.first().toObject().value(u"Name").toString(), u"Count"_s);
    QCOMPARE(fields.first().toObject().value(u"Type").toString(), u"Edited"_s);
    QCOMPARE(fields.first().toObject().value(u"Old").toString(), u"3"_s);
    QCOMPARE(fields.first().toObject().value(u"New").toString(), u"5"_s);
    QCOMPARE(groupDiff.value(u"Updates").toObject(), (QJsonObject{{u"ignore"_s, 3}, {u"create"_s, 2}}));
    const QJsonObject updates
        = response.value(u"Annotations").toObject().value(u"DesiredTGUpdates").toObject().value(u"api").toObject();
    QCOMPARE(updates.value(u"Place").toInt(), 2);
    QCOMPARE(updates.value(u"Ignore").toInt(), 3);
    QCOMPARE(updates.value(u"DestructiveUpdate").toInt(), 0);

    // A changed env is a destructive update, and the Env field says so.
    QJsonObject task = group.value(u"Tasks").toArray().first().toObject();
    task.insert(u"Env", QJsonObject{{u"PORT"_s, u"9009"_s}});
    group.insert(u"Tasks", QJsonArray{task});
    group.insert(u"Count", 3);
    groups.replace(0, group);
    job.insert(u"TaskGroups", groups);
    plan.insert(u"Job", job);
    const QJsonObject envPlan = post(u"/v1/job/counter/plan"_s, QJsonDocument(plan).toJson()).json().object();
    // Tasks sort by name: the injected connect-proxy-count-api comes first,
    // unchanged.
    const QJsonArray taskDiffs
        = envPlan.value(u"Diff").toObject().value(u"TaskGroups").toArray().first().toObject().value(u"Tasks").toArray();
    QCOMPARE(taskDiffs.size(), 2);
    QCOMPARE(taskDiffs.at(0).toObject().value(u"Type").toString(), u"None"_s);
    const QJsonObject taskDiff = taskDiffs.at(1).toObject();
    QCOMPARE(taskDiff.value(u"Name").toString(), u"counter"_s);
    QCOMPARE(taskDiff.value(u"Type").toString(), u"Edited"_s);
    QCOMPARE(taskDiff.value(u"Fields").toArray().first().toObject().value(u"Name").toString(), u"Env[PORT]"_s);
    QCOMPARE(envPlan.value(u"Annotations")
                 .toObject()
                 .value(u"DesiredTGUpdates")
                 .toObject()
                 .value(u"api")
                 .toObject()
                 .value(u"DestructiveUpdate")
                 .toInt(),
             3);
}

void TestLabNomad::planUnplaceableDriver()
{
    const QByteArray body = R"({"Diff":true,"Job":{"ID":"java","TaskGroups":[{"Name":"app","Count":2,
        "Tasks":[{"Name":"app","Driver":"java","Config":{"jar_path":"/app.jar"}}]}]}})";
    const HttpReply r = post(u"/v1/job/java/plan"_s, body);
    QCOMPARE(r.status, 200);
    checkResponse(r, u"JobPlanResponse"_s);
    const QJsonObject failed = r.json().object().value(u"FailedTGAllocs").toObject().value(u"app").toObject();
    QCOMPARE(failed.value(u"ConstraintFiltered").toObject().value(u"missing drivers").toInt(), 3);
    QCOMPARE(failed.value(u"CoalescedFailures").toInt(), 1);

    // Registered anyway: the evaluation completes with the failure and a
    // blocked evaluation waits; nothing is placed.
    const QString evalId = registerJob(body);
    const QJsonObject eval = get(u"/v1/evaluation/"_s + evalId).json().object();
    QVERIFY(eval.value(u"FailedTGAllocs").toObject().contains(u"app"));
    const HttpReply blocked = get(u"/v1/evaluation/"_s + eval.value(u"BlockedEval").toString());
    QCOMPARE(blocked.json().object().value(u"Status").toString(), u"blocked"_s);
    QCOMPARE(m_scheduler.placed.size(), 1);
    QVERIFY(m_scheduler.placed.first().services.isEmpty());
    QCOMPARE(get(u"/v1/job/java"_s).json().object().value(u"Status").toString(), u"pending"_s);
}

void TestLabNomad::enforceIndexConflict()
{
    QVERIFY(!registerJob(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json"))).isEmpty());
    const qint64 current = get(u"/v1/job/counter"_s).json().object().value(u"JobModifyIndex").toInteger();
    QJsonObject body
        = QJsonDocument::fromJson(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json"))).object();
    body.insert(u"EnforceIndex", true);
    body.insert(u"JobModifyIndex", current + 5);
    HttpReply r = post(u"/v1/jobs"_s, QJsonDocument(body).toJson());
    QCOMPARE(r.status, 500);
    QCOMPARE(QString::fromUtf8(r.body),
             u"Enforcing job modify index %1: job exists with conflicting job modify index: %2"_s.arg(current + 5)
                 .arg(current));
    body.insert(u"JobModifyIndex", current);
    r = post(u"/v1/jobs"_s, QJsonDocument(body).toJson());
    QCOMPARE(r.status, 200);
}

void TestLabNomad::purgeForgetsJob()
{
    QVERIFY(!registerJob(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json"))).isEmpty());
    HttpReply r = call("DELETE", u"/v1/job/counter"_s);
    QCOMPARE(r.status, 200);
    checkResponse(r, u"JobDeregisterResponse"_s);
    QCOMPARE(get(u"/v1/job/counter"_s).json().object().value(u"Stop").toBool(), true);
    QCOMPARE(get(u"/v1/job/counter"_s).json().object().value(u"Status").toString(), u"dead"_s);
    QCOMPARE(m_scheduler.stopped, QStringList{u"counter"_s});

    r = call("DELETE", u"/v1/job/counter?purge=true"_s);
    QCOMPARE(r.status, 200);
    r = get(u"/v1/job/counter"_s);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body, QByteArray("job not found"));
    QCOMPARE(m_scheduler.stopped.size(), 2);
    QVERIFY(get(u"/v1/jobs"_s).json().array().isEmpty());
}

void TestLabNomad::blockingQueryWakesOnChange()
{
    QVERIFY(!registerJob(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json"))).isEmpty());
    const QStringList ids = placeAndStart(u"counter"_s, u"api"_s, u"counter"_s, 1);
    const HttpReply first = get(u"/v1/job/counter/allocations"_s);
    QVERIFY(!first.index.isEmpty());

    QNetworkReply *reply = m_network->get(QNetworkRequest(
        QUrl(url(u"/v1/job/counter/allocations?index=%1&wait=60s"_s.arg(QString::fromLatin1(first.index))))));
    QTRY_COMPARE_WITH_TIMEOUT(m_api->pendingQueries(), 1, 20'000);
    QVERIFY(!reply->isFinished());
    m_state->allocationHealth(ids.first(), true);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 20'000);
    QVERIFY(reply->rawHeader("X-Nomad-Index").toULongLong() > first.index.toULongLong());
    const QJsonArray allocs = QJsonDocument::fromJson(reply->readAll()).array();
    QCOMPARE(allocs.first().toObject().value(u"DeploymentStatus").toObject().value(u"Healthy").toBool(), true);
    reply->deleteLater();
    QCOMPARE(m_api->pendingQueries(), 0);

    // A short wait returns unchanged after it runs out.
    const HttpReply timedOut = get(u"/v1/job/counter/allocations?index=%1&wait=200ms"_s.arg(
        QString::fromLatin1(get(u"/v1/job/counter/allocations"_s).index)));
    QCOMPARE(timedOut.status, 200);
}

void TestLabNomad::blockingQueryBadParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("wait without unit") << u"?index=1&wait=30"_s << QByteArray("Invalid wait time");
    QTest::newRow("index not a number") << u"?index=abc"_s << QByteArray("Invalid index");
}

void TestLabNomad::blockingQueryBadParameters()
{
    QFETCH(QString, query);
    QFETCH(QByteArray, message);
    const HttpReply r = get(u"/v1/jobs"_s + query);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body, message);
}

void TestLabNomad::jqRecipeFindsDashboard()
{
    QVERIFY(!registerJob(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/dashboard.json"))).isEmpty());
    placeAndStart(u"dashboard"_s, u"dashboard"_s, u"dashboard"_s, 1, 0,
                  {{u"http"_s, 23456, 9002, false}, {u"connect-proxy-count-dashboard"_s, 23457, 23457, false}});
    const QString jq = QStandardPaths::findExecutable(u"jq"_s);
    const QString curl = QStandardPaths::findExecutable(u"curl"_s);
    if (jq.isEmpty() || curl.isEmpty())
        QFAIL("jq or curl is not installed: run packaging/install-deps.sh");
    // The server runs on this thread: wait in an event loop, never block.
    const auto shell = [](const QString &script) {
        QProcess p;
        QEventLoop loop;
        connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(60'000, &loop, &QEventLoop::quit);
        p.start(u"sh"_s, {u"-c"_s, script});
        loop.exec();
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished(5'000);
        }
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    };
    // The blog post's recipe, word for word but for the address.
    const QString id
        = shell(u"curl -s %1 | jq -r '.[] | select(.JobID == \"dashboard\") | .ID'"_s.arg(url(u"/v1/allocations"_s)));
    QVERIFY(!id.isEmpty());
    const QString link = shell(
        u"curl -s %1 | jq -r '.AllocatedResources.Shared.Networks[0] | "
        "(\"http://\" + .IP + \":\" + (.DynamicPorts[] | select(.Label == \"http\") | .Value | tostring))'"_s.arg(
            url(u"/v1/allocation/"_s + id)));
    QCOMPARE(link, u"http://127.0.1.1:23456"_s);
}

void TestLabNomad::errorsAndMethods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("unknown job") << QByteArray("GET") << u"/v1/job/nope"_s << 404 << QByteArray("job not found");
    QTest::newRow("unknown allocation") << QByteArray("GET") << u"/v1/allocation/nope"_s << 404
                                        << QByteArray("alloc not found");
    QTest::newRow("unknown evaluation") << QByteArray("GET") << u"/v1/evaluation/nope"_s << 404
                                        << QByteArray("eval not found");
    QTest::newRow("unknown deployment") << QByteArray("GET") << u"/v1/deployment/nope"_s << 404
                                        << QByteArray("deployment not found");
    QTest::newRow("no deployment is null")
        << QByteArray("GET") << u"/v1/job/nope/deployment"_s << 200 << QByteArray("null");
    QTest::newRow("delete on jobs") << QByteArray("DELETE") << u"/v1/jobs"_s << 405 << QByteArray("Invalid method");
    QTest::newRow("post on allocations") << QByteArray("POST") << u"/v1/allocations"_s << 405
                                         << QByteArray("Invalid method");
    QTest::newRow("unknown path") << QByteArray("GET") << u"/v1/nothing"_s << 404 << QByteArray("404 page not found");
    QTest::newRow("plan id mismatch") << QByteArray("POST") << u"/v1/job/other/plan"_s << 400
                                      << QByteArray("Job ID does not match");
    QTest::newRow("register id mismatch")
        << QByteArray("POST") << u"/v1/job/other"_s << 400 << QByteArray("Job ID does not match name");
}

void TestLabNomad::errorsAndMethods()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const HttpReply r = call(method, path, readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/counter.json")));
    QCOMPARE(r.status, status);
    QCOMPARE(r.body.trimmed(), body);

    // The read-only endpoints the CLI starts with.
    HttpReply leader = get(u"/v1/status/leader"_s);
    QCOMPARE(leader.body, QByteArray("\"127.0.1.1:4647\""));
    HttpReply nodes = get(u"/v1/nodes"_s);
    checkResponse(nodes, u"list of NodeListStub"_s);
    QCOMPARE(nodes.json().array().size(), 3);
    HttpReply node = get(u"/v1/node/"_s + nodes.json().array().at(1).toObject().value(u"ID").toString());
    checkResponse(node, u"Node"_s);
    QCOMPARE(node.json().object().value(u"Name").toString(), u"two"_s);
    HttpReply self = get(u"/v1/agent/self"_s);
    checkResponse(self, u"AgentSelf"_s);
    QCOMPARE(self.json().object().value(u"stats").toObject().value(u"client").toObject().value(u"node_id").toString(),
             nodes.json().array().at(0).toObject().value(u"ID").toString());
}

// POST /v1/jobs/parse (command/agent/job_endpoint.go JobsParseRequest): the
// bare api.Job jobspec2 makes of JobHCL; with Canonicalize, api.Job's
// defaults but not the server's Connect mutator; and what it answers
// registers as is.
void TestLabNomad::parseJobspec()
{
    const QString hcl = QString::fromUtf8(readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/dashboard.nomad.hcl")));
    QVERIFY(!hcl.isEmpty());
    const HttpReply plain = post(u"/v1/jobs/parse"_s, QJsonDocument(QJsonObject{{u"JobHCL"_s, hcl}}).toJson());
    QCOMPARE(plain.status, 200);
    checkResponse(plain, u"Job"_s);
    const QJsonObject job = plain.json().object();
    QVERIFY2(!job.contains(u"Job"), "the answer is the bare job");
    QCOMPARE(job.value(u"ID").toString(), u"dashboard"_s);
    QVERIFY2(!job.contains(u"Priority"), "no defaults without Canonicalize");
    const QJsonObject group = job.value(u"TaskGroups").toArray().at(0).toObject();
    QCOMPARE(group.value(u"Networks").toArray().at(0).toObject().value(u"DynamicPorts").toArray(),
             QJsonArray({QJsonObject{{u"Label"_s, u"http"_s}, {u"Value"_s, 0}, {u"To"_s, 9002}}}));
    QCOMPARE(group.value(u"Tasks").toArray().at(0).toObject().value(u"Env").toObject().value(u"PORT").toString(),
             u"${NOMAD_PORT_http}"_s);

    const HttpReply canonical = post(
        u"/v1/jobs/parse?pretty"_s, QJsonDocument(QJsonObject{{u"jobhcl"_s, hcl}, {u"canonicalize"_s, true}}).toJson());
    QCOMPARE(canonical.status, 200);
    checkResponse(canonical, u"Job"_s);
    QVERIFY2(canonical.body.contains("\n  "), "?pretty indents");
    const QJsonObject filled = canonical.json().object();
    QCOMPARE(filled.value(u"Priority").toInt(), 50);
    QCOMPARE(filled.value(u"Region").toString(), u"global"_s);
    const QJsonObject filledGroup = filled.value(u"TaskGroups").toArray().at(0).toObject();
    QCOMPARE(filledGroup.value(u"Count").toInt(), 1);
    QCOMPARE(filledGroup.value(u"RestartPolicy").toObject().value(u"Mode").toString(), u"fail"_s);
    QCOMPARE(filledGroup.value(u"Tasks").toArray().size(), 1); // no connect-proxy task: that is the server's
    QCOMPARE(
        filledGroup.value(u"Tasks").toArray().at(0).toObject().value(u"Resources").toObject().value(u"CPU").toInt(),
        100);

    // What parse answers is what `nomad job run` then registers.
    QVERIFY(!registerJob(QJsonDocument(QJsonObject{{u"Job"_s, job}}).toJson()).isEmpty());
    const HttpReply stored = get(u"/v1/job/dashboard"_s);
    QCOMPARE(stored.status, 200);
    QCOMPARE(stored.json().object().value(u"TaskGroups").toArray().at(0).toObject().value(u"Tasks").toArray().size(),
             2);
}

// GET /v1/job/:id/submission?version=N (command/agent/job_endpoint.go
// jobSubmissionCRUD): the jobspec a version was registered with, which
// import reads for the order env and meta were written in.
void TestLabNomad::submissionOfTheCurrentVersion()
{
    const QByteArray hcl = readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/dashboard.nomad.hcl"));
    const QByteArray json = readFile(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/dashboard.json"));
    QJsonObject body = QJsonDocument::fromJson(json).object();
    body.insert(u"Submission"_s, QJsonObject{{u"Source"_s, QString::fromUtf8(hcl)}, {u"Format"_s, u"hcl2"_s}});
    QVERIFY(!registerJob(QJsonDocument(body).toJson()).isEmpty());

    const HttpReply current = get(u"/v1/job/dashboard/submission?version=0"_s);
    QCOMPARE(current.status, 200);
    const QJsonObject submission = current.json().object();
    QCOMPARE(submission.value(u"Source").toString(), QString::fromUtf8(hcl));
    QCOMPARE(submission.value(u"Format").toString(), u"hcl2"_s);
    QCOMPARE(submission.value(u"JobID").toString(), u"dashboard"_s);
    QCOMPARE(submission.value(u"Version").toInt(), 0);

    QCOMPARE(get(u"/v1/job/dashboard/submission?version=1"_s).status, 404);
    QCOMPARE(get(u"/v1/job/nosuchjob/submission?version=0"_s).status, 404);
    const HttpReply noVersion = get(u"/v1/job/dashboard/submission"_s);
    QCOMPARE(noVersion.status, 400);
    QCOMPARE(noVersion.body, QByteArray("Unable to parse job submission version parameter"));
}

void TestLabNomad::parseJobspecVariables()
{
    const QByteArray hcl = "variable \"n\" {\n  type = number\n}\n"
                           "variable \"dc\" {\n  default = \"dc1\"\n}\n"
                           "job \"web\" {\n  datacenters = [var.dc]\n  group \"web\" {\n    count = var.n\n"
                           "    task \"web\" {\n      driver = \"exec\"\n    }\n  }\n}\n";
    // Variables is a var-file's text, VariableFlags are -var flags (which
    // win); an undeclared name is ignored, as the server parses leniently.
    const QJsonObject request{{u"JobHCL"_s, QString::fromUtf8(hcl)},
                              {u"Variables"_s, u"n = 2\nunused = true\n"_s},
                              {u"VariableFlags"_s, QJsonObject{{u"dc"_s, u"dc9"_s}, {u"other"_s, u"x"_s}}}};
    const HttpReply r = post(u"/v1/jobs/parse"_s, QJsonDocument(request).toJson());
    QCOMPARE(r.status, 200);
    checkResponse(r, u"Job"_s);
    const QJsonObject job = r.json().object();
    QCOMPARE(job.value(u"Datacenters").toArray(), QJsonArray({u"dc9"_s}));
    QCOMPARE(job.value(u"TaskGroups").toArray().at(0).toObject().value(u"Count").toInt(), 2);
}

void TestLabNomad::parseJobspecErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message"); // a regular expression
    QTest::newRow("empty jobspec") << QByteArray("POST") << QByteArray(R"({"JobHCL": ""})") << 400
                                   << u"^Job spec is empty$"_s;
    QTest::newRow("no jobspec") << QByteArray("PUT") << QByteArray(R"({"Canonicalize": true})") << 400
                                << u"^Job spec is empty$"_s;
    QTest::newRow("a wrong field type") << QByteArray("POST") << QByteArray(R"({"JobHCL": 3})") << 400
                                        << u"^json: cannot unmarshal .*JobHCL of type string$"_s;
    QTest::newRow("not JSON") << QByteArray("POST") << QByteArray("job {") << 400
                              << u"^invalid character 'j' looking for beginning of value$"_s;
    QTest::newRow("a syntax error") << QByteArray("POST") << QByteArray(R"({"JobHCL": "job \"x\" {"})") << 400
                                    << u"^Failed to parse job: input\\.hcl:1:\\d+: .*$"_s;
    QTest::newRow("an unknown block, with its place")
        << QByteArray("POST") << QByteArray(R"({"JobHCL": "job \"x\" {\n  grup \"g\" {}\n}"})") << 400
        << u"^Failed to parse job: input\\.hcl:2:3: Unsupported block type; Blocks of type \"grup\" are not expected here in job \"x\"\\. Did you mean \"group\"\\?$"_s;
    QTest::newRow("a variable without a value")
        << QByteArray("POST") << QByteArray(R"({"JobHCL": "variable \"v\" {}\njob \"x\" {}"})") << 400
        << u"^Failed to parse job: input\\.hcl:1:1: Unset variable \"v\"; .*$"_s;
    QTest::newRow("GET is not allowed") << QByteArray("GET") << QByteArray() << 405 << u"^Invalid method$"_s;
}

void TestLabNomad::parseJobspecErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    const HttpReply r = call(method, u"/v1/jobs/parse"_s, body);
    QCOMPARE(r.status, status);
    QVERIFY2(QRegularExpression(message).match(QString::fromUtf8(r.body)).hasMatch(), r.body.constData());
    QVERIFY(m_scheduler.placed.isEmpty());
}

QTEST_MAIN(TestLabNomad)
#include "tst_labnomad.moc"
