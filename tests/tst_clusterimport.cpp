// mesh::importer::ClusterImport against a fake Consul + Nomad on loopback:
// which jobs it reads and which it leaves out (with a note), the design's
// name from Meshpad's ownership marks, -job, a job purged mid-import, the
// deadline and the caller's cancel token, refusals and answers of the wrong
// shape. (The real binary against the lab: tst_importcli.)

#include "fakeagent.h"

#include "api/apiclient.h"
#include "api/canceltoken.h"
#include "consul/consulclient.h"
#include "deploy/ownership.h"
#include "importer/clusterimport.h"
#include "nomad/nomadclient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimer>

#include <QCoro/QCoroTask>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using mesh::Error;
using mesh::deploy::Ownership;
using mesh::importer::ClusterImport;
using meshtest::FakeAgent;
using meshtest::Reply;

namespace {

QJsonObject jobFile(const QString &name)
{
    QFile file(QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/") + name + u".json"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(u"Job").toObject();
}

QByteArray json(const QJsonValue &value)
{
    return value.isArray() ? QJsonDocument(value.toArray()).toJson() : QJsonDocument(value.toObject()).toJson();
}

QJsonObject stub(const QString &id, const QString &type = u"service"_s, bool stop = false,
                 const QString &parent = QString())
{
    return {{u"ID"_s, id},
            {u"Type"_s, type},
            {u"Stop"_s, stop},
            {u"ParentID"_s, parent},
            {u"Status"_s, stop ? u"dead"_s : u"running"_s}};
}

// The countdash cluster as `meshpad deploy` leaves it: both jobs and the
// intention marked as the design's, plus what a cluster has besides.
struct Cluster
{
    QJsonArray stubs{stub(u"counter"_s), stub(u"dashboard"_s), stub(u"nightly"_s, u"batch"_s),
                     stub(u"nightly/periodic-1700000000"_s, u"batch"_s, false, u"nightly"_s),
                     stub(u"old"_s, u"service"_s, true)};
    QHash<QByteArray, QJsonObject> jobs;
    QJsonArray intentions;

    explicit Cluster(const QString &counterDesign = u"countdash"_s, const QString &dashboardDesign = u"countdash"_s)
    {
        QJsonObject counter = jobFile(u"counter"_s);
        if (!counterDesign.isEmpty())
            counter.insert(u"Meta"_s, Ownership::meta(counterDesign));
        QJsonObject dashboard = jobFile(u"dashboard"_s);
        if (!dashboardDesign.isEmpty())
            dashboard.insert(u"Meta"_s, Ownership::meta(dashboardDesign));
        jobs.insert("/v1/job/counter", counter);
        jobs.insert("/v1/job/dashboard", dashboard);
        QJsonObject nightly = jobFile(u"counter"_s);
        nightly.insert(u"ID"_s, u"nightly"_s);
        nightly.insert(u"Name"_s, u"nightly"_s);
        nightly.insert(u"Type"_s, u"batch"_s);
        jobs.insert("/v1/job/nightly", nightly);
        intentions.append(QJsonObject{
            {u"Kind"_s, u"service-intentions"_s},
            {u"Name"_s, u"count-api"_s},
            {u"Meta"_s, Ownership::meta(u"countdash"_s)},
            {u"Sources"_s, QJsonArray{QJsonObject{{u"Name"_s, u"count-dashboard"_s},
                                                  {u"Action"_s, u"deny"_s},
                                                  {u"Description"_s, Ownership::sourceDescription(u"countdash"_s)}}}}});
    }

    Reply answer(const QByteArray &path) const
    {
        if (path == "/v1/jobs")
            return {200, json(stubs)};
        if (jobs.contains(path))
            return {200, json(jobs.value(path))};
        if (path == "/v1/config/service-intentions")
            return {200, json(intentions)};
        return {404, "job not found"};
    }
};

} // namespace

class TestClusterImport final : public QObject
{
    Q_OBJECT

private:
    FakeAgent m_agent;
    std::unique_ptr<mesh::consul::ConsulClient> m_consul;
    std::unique_ptr<mesh::nomad::NomadClient> m_nomad;

    mesh::Result<mesh::importer::JobImporter::Result> import(ClusterImport::Options options)
    {
        options.targetName = u"fake (Consul %1, Nomad %1)"_s.arg(m_agent.url());
        ClusterImport importer(m_consul.get(), m_nomad.get());
        return QCoro::waitFor(importer.run(options));
    }

    static QStringList noteTexts(const mesh::importer::JobImporter::Result &result)
    {
        QStringList texts;
        for (const auto &note : result.notes)
            texts.append(note.text());
        return texts;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_agent.listen());
        const auto endpoint = [this](const QString &product) {
            mesh::api::ApiEndpoint e;
            e.product = product;
            e.address = m_agent.url();
            e.baseUrl = QUrl(m_agent.url());
            return e;
        };
        m_consul = std::make_unique<mesh::consul::ConsulClient>(endpoint(u"Consul"_s));
        m_nomad = std::make_unique<mesh::nomad::NomadClient>(endpoint(u"Nomad"_s));
        mesh::api::ApiClient::Options fast;
        fast.retryBaseDelay = 10ms;
        fast.retryMaxDelay = 50ms;
        m_consul->api()->setOptions(fast);
        m_nomad->api()->setOptions(fast);
    }

    void init() { m_agent.seen.clear(); }

    // Service jobs that run are read; the rest is said, never read.
    void readsRunningServiceJobs()
    {
        const Cluster cluster;
        m_agent.handler = [&](const QByteArray &path) { return cluster.answer(path); };
        auto result = import({});
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->design.services.size(), 2);
        QCOMPARE(result->design.upstreams.size(), 1);
        QCOMPARE(mesh::model::toString(result->design.upstreams.constFirst().action), u"deny"_s);
        QCOMPARE(noteTexts(*result),
                 (QStringList{u"job nightly: not imported: a batch job; Meshpad imports service jobs (name it with "
                              "-job to import it anyway)"_s,
                              u"job old: not imported: stopped (nomad job stop); name it with -job to import it "
                              "anyway"_s}));
        for (const QByteArray skipped : {"/v1/job/nightly", "/v1/job/old", "/v1/job/nightly%2Fperiodic-1700000000"})
            QVERIFY2(!m_agent.seen.contains(skipped), skipped.constData());
    }

    // The name of the design that deployed every job, else none (the
    // caller names it); the ownership marks themselves are no loss.
    void namesTheDesignAfterItsOwner_data()
    {
        QTest::addColumn<QString>("counter");
        QTest::addColumn<QString>("dashboard");
        QTest::addColumn<QString>("name");
        QTest::newRow("both of one design") << u"countdash"_s << u"countdash"_s << u"countdash"_s;
        QTest::newRow("of two designs") << u"countdash"_s << u"other"_s << QString();
        QTest::newRow("one not Meshpad's") << u"countdash"_s << QString() << QString();
    }

    void namesTheDesignAfterItsOwner()
    {
        QFETCH(QString, counter);
        QFETCH(QString, dashboard);
        QFETCH(QString, name);
        const Cluster cluster(counter, dashboard);
        m_agent.handler = [&](const QByteArray &path) { return cluster.answer(path); };
        auto result = import({});
        QVERIFY(result);
        QCOMPARE(result->design.name, name);
        for (const QString &text : noteTexts(*result))
            QVERIFY2(!text.contains(u"meshpad."), qPrintable(text));
    }

    // -job: exactly those, whatever their type; an unknown one stops it all.
    void jobIds()
    {
        const Cluster cluster;
        m_agent.handler = [&](const QByteArray &path) { return cluster.answer(path); };
        ClusterImport::Options options;
        options.jobIds = {u"nightly"_s};
        auto batch = import(options);
        QVERIFY(batch);
        QCOMPARE(batch->design.services.size(), 1);
        QCOMPARE(batch->design.services.constFirst().job, u"nightly"_s);
        QVERIFY(!m_agent.seen.contains("/v1/jobs"));

        options.jobIds = {u"counter"_s, u"nosuch"_s};
        auto unknown = import(options);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, Error::Code::NotFound);
        QVERIFY2(unknown.error().message.contains(u"Nomad has no job \"nosuch\""), qPrintable(unknown.error().message));
    }

    // Listed, then purged before it was read: what is there is imported.
    void jobPurgedWhileImporting()
    {
        Cluster cluster;
        cluster.jobs.remove("/v1/job/dashboard");
        m_agent.handler = [&](const QByteArray &path) { return cluster.answer(path); };
        auto result = import({});
        QVERIFY(result);
        QVERIFY(noteTexts(*result).contains(u"job dashboard: not imported: purged from Nomad while it was being "
                                            "imported"_s));
        QVERIFY(result->design.serviceByName(u"count-api"));
        QVERIFY(!result->design.serviceByName(u"count-dashboard"));
    }

    // Failures: an error naming the target, a code to branch on.
    void failures_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("Nomad 403") << QByteArray("/v1/jobs") << 403 << QByteArray("Permission denied")
                                   << int(Error::Code::PermissionDenied)
                                   << u"needs the list-jobs and read-job capabilities"_s;
        QTest::newRow("Consul 403") << QByteArray("/v1/config/service-intentions") << 403 << QByteArray("ACL not found")
                                    << int(Error::Code::PermissionDenied) << u"needs intentions:read"_s;
        QTest::newRow("Nomad 500") << QByteArray("/v1/job/counter") << 500 << QByteArray("boom")
                                   << int(Error::Code::HttpStatus) << u"with HTTP 500: boom"_s;
        QTest::newRow("garbage") << QByteArray("/v1/jobs") << 200 << QByteArray("{{{") << int(Error::Code::Parse)
                                 << u"JSON that does not parse"_s;
        QTest::newRow("another job than asked for")
            << QByteArray("/v1/job/counter") << 200 << QByteArray(R"({"ID": "evil"})") << int(Error::Code::Parse)
            << u"GET /v1/job/counter with a job whose ID is \"evil\""_s;
    }

    void failures()
    {
        QFETCH(QByteArray, path);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Cluster cluster;
        m_agent.handler = [&](const QByteArray &p) { return p == path ? Reply{status, body} : cluster.answer(p); };
        auto result = import({});
        QVERIFY(!result);
        QCOMPARE(int(result.error().code), code);
        QVERIFY2(result.error().message.startsWith(u"importing from fake (Consul "_s),
                 qPrintable(result.error().message));
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
    }

    // A cluster that never answers: the deadline ends the whole import.
    void deadline()
    {
        m_agent.handler = [](const QByteArray &) { return Reply{200, {}, true}; };
        ClusterImport::Options options;
        options.timeout = 300ms;
        auto result = import(options);
        QVERIFY(!result);
        QCOMPARE(result.error().code, Error::Code::Timeout);
        QVERIFY2(result.error().message.contains(u"no complete answer within 0.3 s"),
                 qPrintable(result.error().message));
    }

    // The caller gives up (Cancel in the editor): Cancelled, not Timeout.
    void callerCancels()
    {
        m_agent.handler = [](const QByteArray &) { return Reply{200, {}, true}; };
        mesh::api::CancelToken cancel;
        QTimer::singleShot(100ms, &cancel, &mesh::api::CancelToken::cancel);
        ClusterImport::Options options;
        options.cancel = &cancel;
        auto result = import(options);
        QVERIFY(!result);
        QCOMPARE(result.error().code, Error::Code::Cancelled);

        // Already cancelled: nothing is asked at all.
        m_agent.seen.clear();
        auto again = import(options);
        QVERIFY(!again);
        QCOMPARE(again.error().code, Error::Code::Cancelled);
        QVERIFY(m_agent.seen.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestClusterImport)
#include "tst_clusterimport.moc"
