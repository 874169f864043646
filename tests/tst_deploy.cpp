// Deploy (mesh/deploy) against the embedded lab's Consul and Nomad APIs:
// plans as `nomad job plan` shows them, apply with check-and-set, watching to
// healthy or to the reason it failed, ownership and teardown; and the real
// `meshpad plan|teardown` printing what peers say (owners, job names, error
// bodies) escaped for the terminal.

#include "apischemachecker.h"
#include "terminalsafety.h"

#include "consul/consulclient.h"
#include "deploy/deployer.h"
#include "deploy/deployplan.h"
#include "deploy/deploytarget.h"
#include "deploy/desiredstate.h"
#include "deploy/ownership.h"
#include "deploy/planner.h"
#include "deploy/plantext.h"
#include "lab/lab.h"
#include "model/projectfile.h"
#include "nomad/nomadclient.h"

#include <QCoro/QCoroTask>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace mesh;
using namespace mesh::deploy;

namespace {

model::Topology countdash()
{
    auto loaded = model::ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
    Q_ASSERT(loaded);
    return *loaded;
}

model::Service *serviceNamed(model::Topology &topology, QStringView name)
{
    for (model::Service &s : topology.services) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

QString joined(const QList<DeployEvent> &events)
{
    QStringList lines;
    for (const DeployEvent &e : events)
        lines.append(e.toText());
    return lines.join(u'\n');
}

#ifdef MESHPAD_DEPLOY_CLI_TESTS
// The CLI rows below run the real `meshpad`: built in the debug pass only
// (tests/CMakeLists.txt); the sanitized pass checks deploy's coroutines.

using meshtest::hostileEscaped;
using meshtest::hostileText;
using meshtest::rawControl;
using meshtest::visible;

struct CliRun
{
    int status = -1;
    QByteArray out;
    QByteArray err;
};

#endif // MESHPAD_DEPLOY_CLI_TESTS

} // namespace

class TestDeploy final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_caDir;
    std::unique_ptr<lab::Lab> m_lab;
    std::unique_ptr<consul::ConsulClient> m_consul;
    std::unique_ptr<nomad::NomadClient> m_nomad;
    QList<DeployEvent> m_events;
    QString m_consulAddress;
    QString m_nomadAddress;

#ifdef MESHPAD_DEPLOY_CLI_TESTS
    // `meshpad ARGUMENTS` with its own HOME, its Consul and Nomad at the
    // given addresses (-target environment). Waits without blocking: the lab
    // (or a fake peer) it talks to runs on this thread.
    CliRun meshpad(const QStringList &arguments, const QString &consul, const QString &nomad)
    {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &key : env.keys()) {
            if (key.startsWith(u"CONSUL_") || key.startsWith(u"NOMAD_") || key.startsWith(u"XDG_"))
                env.remove(key);
        }
        env.insert(u"HOME"_s, home.path());
        env.insert(u"CONSUL_HTTP_ADDR"_s, consul);
        env.insert(u"NOMAD_ADDR"_s, nomad);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"), arguments);
        if (!p.waitForStarted(10'000) || !QTest::qWaitFor([&p] { return p.state() == QProcess::NotRunning; }, 30'000)) {
            p.kill();
            p.waitForFinished(5'000);
            return {};
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                p.readAllStandardError()};
    }
#endif

    Result<DeployPlan> plan(const model::Topology &topology, bool teardown = false)
    {
        Planner planner(m_consul.get(), m_nomad.get());
        DesiredState desired
            = teardown ? DesiredState::nothing(topology.name) : DesiredState::fromTopology(topology, topology.name);
        // An allocation counts as healthy after 500 ms instead of Nomad's
        // default min_healthy_time of 10 s (unhealthy if not by 5 s, not
        // 5 min), and a failing task gives up after
        // one restart 200 ms later instead of two 15 s apart, so the suite
        // does not wait on Nomad's defaults. The same for every plan, so "no
        // changes" holds.
        for (QJsonObject &job : desired.jobs) {
            job.insert(u"Update"_s,
                       QJsonObject{{u"MinHealthyTime"_s, 500'000'000}, {u"HealthyDeadline"_s, qint64(5'000'000'000)}});
            QJsonArray groups = job.value(u"TaskGroups"_s).toArray();
            for (qsizetype i = 0; i < groups.size(); ++i) {
                QJsonObject group = groups.at(i).toObject();
                group.insert(u"RestartPolicy"_s, QJsonObject{{u"Attempts"_s, 1},
                                                             {u"Delay"_s, 200'000'000},
                                                             {u"Interval"_s, qint64(60'000'000'000)},
                                                             {u"Mode"_s, u"fail"_s}});
                groups.replace(i, group);
            }
            job.insert(u"TaskGroups"_s, groups);
        }
        return QCoro::waitFor(planner.plan(desired, teardown));
    }

    Result<DeployOutcome> apply(const DeployPlan &plan, std::chrono::milliseconds deadline = std::chrono::seconds(90))
    {
        Deployer deployer(m_consul.get(), m_nomad.get());
        m_events.clear();
        connect(&deployer, &Deployer::event, this, [this](const DeployEvent &e) { m_events.append(e); });
        return QCoro::waitFor(deployer.apply(plan, {.deadline = deadline}));
    }

    // Plans and applies `topology`, which must come up.
    void deploy(const model::Topology &topology)
    {
        auto planned = plan(topology);
        QVERIFY2(planned, qPrintable(planned ? QString() : planned.error().message));
        auto outcome = apply(*planned);
        QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().message));
        QVERIFY2(outcome->status == DeployOutcome::Status::Succeeded,
                 qPrintable(outcome->failures.join(u'\n') + u'\n' + joined(m_events)));
    }

    void teardownAll(const model::Topology &topology)
    {
        auto planned = plan(topology, true);
        QVERIFY2(planned, qPrintable(planned ? QString() : planned.error().message));
        auto outcome = apply(*planned);
        QVERIFY2(outcome && outcome->status == DeployOutcome::Status::Succeeded,
                 qPrintable((outcome ? outcome->failures.join(u'\n') : outcome.error().message) + joined(m_events)));
    }

    QJsonArray jobsOnCluster()
    {
        auto jobs = QCoro::waitFor(m_nomad->jobs());
        return jobs ? jobs->value : QJsonArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<DeployEvent>();
        lab::Lab::Options options;
        options.caDirectory = m_caDir.path();
        options.consulPort = 0;
        options.nomadPort = 0;
        m_lab = std::make_unique<lab::Lab>(options);
        QSignalSpy started(m_lab.get(), &lab::Lab::started);
        QSignalSpy failed(m_lab.get(), &lab::Lab::startFailed);
        QVERIFY(m_lab->start(model::Topology{}));
        QTRY_VERIFY_WITH_TIMEOUT(!started.isEmpty() || !failed.isEmpty(), 30'000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
        const auto snapshot = started.first().first().value<lab::LabSnapshot>();
        DeployTarget target = DeployTarget::lab(snapshot.nodes.first().consulAddress,
                                                snapshot.nodes.first().nomadAddress, QProcessEnvironment());
        m_consulAddress = snapshot.nodes.first().consulAddress;
        m_nomadAddress = snapshot.nodes.first().nomadAddress;
        m_consul = std::make_unique<consul::ConsulClient>(*target.consul.endpoint());
        m_nomad = std::make_unique<nomad::NomadClient>(*target.nomad.endpoint());
    }

    void cleanup()
    {
        // Every test starts from an empty cluster: purge whatever is left.
        for (const QJsonValue &job : jobsOnCluster())
            QCoro::waitFor(m_nomad->deregisterJob(job.toObject().value(u"ID").toString(), true));
        auto entries = QCoro::waitFor(m_consul->configEntries(u"service-intentions"_s));
        if (entries) {
            for (const QJsonObject &e : std::as_const(entries->value))
                QCoro::waitFor(m_consul->deleteConfigEntry(u"service-intentions"_s, e.value(u"Name").toString()));
        }
    }

    void cleanupTestCase()
    {
        m_consul.reset();
        m_nomad.reset();
        if (m_lab) {
            QSignalSpy stopped(m_lab.get(), &lab::Lab::stopped);
            m_lab->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!stopped.isEmpty(), 30'000);
        }
    }

    // The whole round: plan (two jobs to create, the intention to add),
    // deploy until healthy with the dashboard's URL, the dashboard answers,
    // a second plan shows no changes, teardown leaves nothing.
    void countdashRoundTrip()
    {
        const model::Topology topology = countdash();
        auto first = plan(topology);
        QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
        QCOMPARE(first->jobs.size(), 2);
        for (const JobChange &job : first->jobs) {
            QCOMPARE(toString(job.action), u"create"_s);
            QCOMPARE(job.jobModifyIndex, 0u);
        }
        const QString text = PlanText::text(*first);
        QVERIFY2(text.contains(u"+   Job: \"dashboard\""_s), qPrintable(text));
        QVERIFY2(text.contains(u"+   Task Group: \"api\" (3 create)"_s), qPrintable(text));
        QVERIFY2(text.contains(u"- All tasks successfully allocated."_s), qPrintable(text));
        QVERIFY2(text.contains(u"+   Intentions: \"count-api\""_s), qPrintable(text));
        QVERIFY2(text.contains(u"count-dashboard → count-api: allow"_s), qPrintable(text));

        auto outcome = apply(*first);
        QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().message));
        QVERIFY2(outcome->status == DeployOutcome::Status::Succeeded,
                 qPrintable(outcome->failures.join(u'\n') + u'\n' + joined(m_events)));
        QCOMPARE(outcome->urls.size(), 1);
        QVERIFY2(outcome->urls.first().startsWith(u"http://127."_s), qPrintable(outcome->urls.first()));
        // Progress reached 3 of 3 healthy for the counter.
        bool sawHealthy = false;
        for (const DeployEvent &e : std::as_const(m_events))
            sawHealthy = sawHealthy || (e.kind == DeployEvent::Kind::Progress && e.group == u"api" && e.healthy == 3);
        QVERIFY2(sawHealthy, qPrintable(joined(m_events)));

        // The dashboard it names answers.
        QNetworkAccessManager net;
        std::unique_ptr<QNetworkReply> reply(net.get(QNetworkRequest(QUrl(outcome->urls.first()))));
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10'000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

        // What Meshpad wrote carries its ownership.
        auto counter = QCoro::waitFor(m_nomad->job(u"counter"_s));
        QVERIFY(counter);
        QCOMPARE(counter->value.value(u"Meta").toObject().value(u"meshpad.design").toString(), u"countdash"_s);
        auto entry = QCoro::waitFor(m_consul->configEntry(u"service-intentions"_s, u"count-api"_s));
        QVERIFY(entry);
        const QJsonObject source = entry->value.value(u"Sources").toArray().first().toObject();
        QCOMPARE(Ownership::designOfSource(source), u"countdash"_s);

        // Nothing the servers fill in looks like a change.
        auto second = plan(topology);
        QVERIFY2(second, qPrintable(second ? QString() : second.error().message));
        QVERIFY2(!second->hasChanges(), qPrintable(PlanText::text(*second)));
        QVERIFY2(PlanText::text(*second).contains(u"No changes."_s), qPrintable(PlanText::text(*second)));

        teardownAll(topology);
        QCOMPARE(jobsOnCluster().size(), 0);
        auto entries = QCoro::waitFor(m_consul->configEntries(u"service-intentions"_s));
        QVERIFY(entries);
        QCOMPARE(entries->value.size(), 0);
        for (const QString &service : {u"count-api"_s, u"count-dashboard"_s}) {
            auto health = QCoro::waitFor(m_consul->healthService(service));
            QVERIFY(health);
            QCOMPARE(health->value.size(), 0);
        }
        // Its processes are gone: the dashboard's port no longer answers.
        std::unique_ptr<QNetworkReply> gone(net.get(QNetworkRequest(QUrl(outcome->urls.first()))));
        QTRY_VERIFY_WITH_TIMEOUT(gone->isFinished(), 10'000);
        QCOMPARE(gone->error(), QNetworkReply::ConnectionRefusedError);
        QTRY_COMPARE_WITH_TIMEOUT(m_lab->snapshot().instances.size(), 0, 15'000);
    }

    // A changed design plans as Nomad annotates it.
    void planShowsChanges_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("count 3 to 5 places 2") << u"count"_s
                                               << QStringList{u"+/- Task Group: \"api\" (2 create, 3 ignore)"_s,
                                                              u"  +/- Count: \"3\" => \"5\" (forces create)"_s};
        QTest::newRow("renamed env var replaces the allocations")
            << u"env"_s
            << QStringList{u"+/- Task Group: \"api\" (3 create/destroy update)"_s,
                           u"  +/- Task: \"counter\" (forces create/destroy update)"_s,
                           u"    +   Env[LISTEN_PORT]: \"9001\""_s, u"    -   Env[PORT]: \"9001\""_s};
        QTest::newRow("flipped arrow flips the intention")
            << u"deny"_s
            << QStringList{u"+/- Intentions: \"count-api\""_s,
                           u"  +/- count-dashboard → count-api: \"allow\" => \"deny\""_s};
        QTest::newRow("removed service stops its job")
            << u"remove"_s
            << QStringList{u"-   Job: \"dashboard\" (stop: the design no longer has it)"_s,
                           u"-   Intentions: \"count-api\" (entry deleted: nothing else remains in it)"_s};
    }

    void planShowsChanges()
    {
        QFETCH(QString, change);
        QFETCH(QStringList, expected);
        model::Topology topology = countdash();
        deploy(topology);
        if (QTest::currentTestFailed())
            return;

        model::Service *api = serviceNamed(topology, u"count-api");
        if (change == u"count") {
            api->count = 5;
        } else if (change == u"env") {
            api->env = {{u"LISTEN_PORT"_s, u"9001"_s}};
        } else if (change == u"deny") {
            topology.upstreams.first().action = model::IntentionAction::Deny;
        } else if (change == u"remove") {
            topology.upstreams.clear();
            topology.services.removeIf([](const model::Service &s) { return s.name == u"count-dashboard"; });
        }
        auto planned = plan(topology);
        QVERIFY2(planned, qPrintable(planned ? QString() : planned.error().message));
        QVERIFY(planned->hasChanges());
        const QString text = PlanText::text(*planned);
        for (const QString &line : expected)
            QVERIFY2(text.contains(line), qPrintable(u"missing: "_s + line + u"\n\n"_s + text));
        if (change == u"count") {
            const JobChange &counter = planned->jobs.at(1);
            QCOMPARE(counter.id, u"counter"_s);
            QCOMPARE(counter.desiredUpdates.value(u"api").toObject().value(u"Place").toInt(), 2);
        }

        // Applied, the second plan is clean again.
        auto outcome = apply(*planned);
        QVERIFY2(outcome && outcome->status == DeployOutcome::Status::Succeeded,
                 qPrintable((outcome ? outcome->failures.join(u'\n') : outcome.error().message) + joined(m_events)));
        auto again = plan(topology);
        QVERIFY(again);
        QVERIFY2(!again->hasChanges(), qPrintable(PlanText::text(*again)));
    }

    // Someone changes the job between plan and apply: refused, and nothing
    // of the plan is written (its intention flip included).
    void changedSincePlanIsRefused()
    {
        model::Topology topology = countdash();
        deploy(topology);
        if (QTest::currentTestFailed())
            return;
        serviceNamed(topology, u"count-api")->count = 4;
        topology.upstreams.first().action = model::IntentionAction::Deny;
        auto planned = plan(topology);
        QVERIFY(planned && planned->hasChanges());

        // A colleague scales the counter through the API meanwhile.
        auto current = QCoro::waitFor(m_nomad->job(u"counter"_s));
        QVERIFY(current);
        QJsonObject edited = current->value;
        QJsonArray groups = edited.value(u"TaskGroups").toArray();
        QJsonObject group = groups.first().toObject();
        group.insert(u"Count"_s, 2);
        groups.replace(0, group);
        edited.insert(u"TaskGroups"_s, groups);
        QVERIFY(QCoro::waitFor(m_nomad->registerJob(edited)));

        auto outcome = apply(*planned);
        QVERIFY(!outcome);
        QCOMPARE(outcome.error().code, Error::Code::Conflict);
        QVERIFY2(outcome.error().message.contains(u"job \"counter\" changed since the plan"_s),
                 qPrintable(outcome.error().message));
        QVERIFY2(outcome.error().message.contains(u"nothing was applied"_s), qPrintable(outcome.error().message));
        QVERIFY(m_events.isEmpty());
        auto after = QCoro::waitFor(m_nomad->job(u"counter"_s));
        QCOMPARE(after->value.value(u"TaskGroups").toArray().first().toObject().value(u"Count").toInt(), 2);
        auto entry = QCoro::waitFor(m_consul->configEntry(u"service-intentions"_s, u"count-api"_s));
        QCOMPARE(entry->value.value(u"Sources").toArray().first().toObject().value(u"Action").toString(), u"allow"_s);
    }

    // A job of the same name that the design does not own is a conflict at
    // plan time, and apply refuses the plan.
    void foreignJobIsAConflict()
    {
        const model::Topology topology = countdash();
        // The same job, registered by hand (no meshpad.design).
        QJsonObject job = DesiredState::fromTopology(topology, u"countdash"_s).job(u"counter"_s);
        job.remove(u"Meta"_s);
        QVERIFY(QCoro::waitFor(m_nomad->registerJob(job)));
        auto planned = plan(topology);
        QVERIFY(planned);
        QCOMPARE(planned->conflicts.size(), 1);
        QVERIFY2(planned->conflicts.first().contains(
                     u"job \"counter\" exists on the cluster and belongs to no Meshpad design"_s),
                 qPrintable(planned->conflicts.first()));
        QVERIFY(PlanText::text(*planned).contains(u"! Conflict: job \"counter\""_s));
        auto outcome = apply(*planned);
        QVERIFY(!outcome);
        QCOMPARE(outcome.error().code, Error::Code::Conflict);
        QCOMPARE(jobsOnCluster().size(), 1); // the dashboard was not deployed either
        // And a teardown of the design does not touch it.
        auto teardown = plan(topology, true);
        QVERIFY(teardown);
        QVERIFY(!teardown->hasChanges());
    }

    // Another owner's intention sources stay exactly as they are; the
    // design's own are added beside them and removed alone.
    void foreignIntentionSourcesAreKept()
    {
        const model::Topology topology = countdash();
        const QJsonObject theirs{{u"Kind"_s, u"service-intentions"_s},
                                 {u"Name"_s, u"count-api"_s},
                                 {u"Sources"_s, QJsonArray{QJsonObject{{u"Name"_s, u"billing"_s},
                                                                       {u"Action"_s, u"deny"_s},
                                                                       {u"Description"_s, u"by hand"_s}}}}};
        QVERIFY(QCoro::waitFor(m_consul->putConfigEntry(theirs)).value_or(false));
        deploy(topology);
        if (QTest::currentTestFailed())
            return;
        auto entry = QCoro::waitFor(m_consul->configEntry(u"service-intentions"_s, u"count-api"_s));
        QVERIFY(entry);
        QCOMPARE(entry->value.value(u"Sources").toArray().size(), 2);
        teardownAll(topology);
        entry = QCoro::waitFor(m_consul->configEntry(u"service-intentions"_s, u"count-api"_s));
        QVERIFY2(entry, "the entry must stay: another owner's source remains in it");
        const QJsonArray sources = entry->value.value(u"Sources").toArray();
        QCOMPARE(sources.size(), 1);
        QCOMPARE(sources.first().toObject().value(u"Name").toString(), u"billing"_s);
        QCOMPARE(sources.first().toObject().value(u"Description").toString(), u"by hand"_s);
    }

    // A task that exits at once: the deploy fails within its deadline and
    // says which allocation and task, with the exit code.
    void failingTaskIsExplained()
    {
        model::Topology topology = countdash();
        model::Service *api = serviceNamed(topology, u"count-api");
        api->driver = model::Driver::RawExec;
        api->command = u"/bin/sh"_s;
        api->args = {u"-c"_s, u"exit 3"_s};
        api->count = 1;
        auto planned = plan(topology);
        QVERIFY(planned);
        QElapsedTimer timer;
        timer.start();
        auto outcome = apply(*planned, std::chrono::seconds(60));
        QVERIFY(outcome);
        QVERIFY(outcome->status == DeployOutcome::Status::Failed);
        QVERIFY(timer.elapsed() < 65'000);
        qInfo("failed after %lld ms: %s", qint64(timer.elapsed()), qPrintable(outcome->failures.join(u'\n')));
        const QString failures = outcome->failures.join(u'\n');
        QVERIFY2(failures.contains(u"counter: "_s), qPrintable(failures));
        QVERIFY2(failures.contains(u"counter.api[0]"_s), qPrintable(failures));
        QVERIFY2(failures.contains(u"task \"counter\""_s), qPrintable(failures));
        QVERIFY2(failures.contains(u"exit code 3"_s), qPrintable(failures));
    }

    // A target that refuses, or answers 403: the plan fails at once with the
    // address or the server's words, and nothing hangs.
    void unreachableOrForbiddenTargetSaysSo()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 closedPort = closed.serverPort();
        QTcpServer forbidding;
        QVERIFY(forbidding.listen(QHostAddress::LocalHost));
        // Closed only now: closed first, its port could be handed straight
        // to `forbidding`, and the "refused" target would answer 403.
        closed.close();
        connect(&forbidding, &QTcpServer::newConnection, this, [&forbidding] {
            QTcpSocket *socket = forbidding.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n\r\n"
                              "Permission denied");
                socket->disconnectFromHost();
            });
        });
        for (const quint16 port : {closedPort, forbidding.serverPort()}) {
            const QString address = u"http://127.0.0.1:%1"_s.arg(port);
            DeployTarget target = DeployTarget::lab(address, address, QProcessEnvironment());
            consul::ConsulClient consul(*target.consul.endpoint());
            nomad::NomadClient nomad(*target.nomad.endpoint());
            Planner planner(&consul, &nomad);
            QElapsedTimer timer;
            timer.start();
            auto planned = QCoro::waitFor(planner.plan(DesiredState::fromTopology(countdash(), u"countdash"_s)));
            QVERIFY(!planned);
            QVERIFY(timer.elapsed() < 30'000);
            if (port == closedPort) {
                QCOMPARE(planned.error().code, Error::Code::Refused);
                QVERIFY2(planned.error().message.contains(address), qPrintable(planned.error().message));
            } else {
                QCOMPARE(planned.error().code, Error::Code::PermissionDenied);
                QVERIFY2(planned.error().message.contains(u"Permission denied"_s), qPrintable(planned.error().message));
            }
        }
    }

    // A check that never passes (the counter listens on 9009, the service
    // says 9001): the allocation is unhealthy at healthy_deadline, and the
    // failure quotes the check.
    void failingCheckIsExplained()
    {
        model::Topology topology = countdash();
        model::Service *api = serviceNamed(topology, u"count-api");
        api->count = 1;
        api->env = {{u"PORT"_s, u"9009"_s}};
        api->check.kind = model::CheckKind::Http;
        api->check.path = u"/health"_s;
        api->check.intervalMs = 500;
        api->check.timeoutMs = 400;
        auto planned = plan(topology);
        QVERIFY(planned);
        auto outcome = apply(*planned, std::chrono::seconds(60));
        QVERIFY(outcome);
        QVERIFY(outcome->status == DeployOutcome::Status::Failed);
        const QString failures = outcome->failures.join(u'\n');
        qInfo("%s", qPrintable(failures));
        QVERIFY2(failures.contains(u"counter.api[0]"_s), qPrintable(failures));
        QVERIFY2(failures.contains(u"Alloc Unhealthy: Services not healthy by deadline: count-api"_s),
                 qPrintable(failures));
        QVERIFY2(failures.contains(u"is critical: Get \"http://"_s)
                     && failures.contains(u"connect: connection refused"_s),
                 qPrintable(failures));
    }

    // A group that cannot be placed: the plan's dry run says so with Nomad's
    // reason, and the deploy fails naming the group.
    void placementFailureIsExplained()
    {
        model::Topology topology = countdash();
        model::Service *api = serviceNamed(topology, u"count-api");
        api->count = 4; // three nodes, one static port each
        api->ports = {{u"http"_s, 9001, 29001}};
        api->port = u"http"_s;
        auto planned = plan(topology);
        QVERIFY(planned);
        const QString text = PlanText::text(*planned);
        QVERIFY2(text.contains(u"- WARNING: Failed to place all allocations."_s), qPrintable(text));
        QVERIFY2(text.contains(u"Task Group \"api\" (failed to place 1 allocation):"_s), qPrintable(text));
        QVERIFY2(text.contains(u"dimension \"network: reserved port collision"_s), qPrintable(text));
        QCOMPARE(planned->placementFailures(), QStringList{u"counter/api"_s});
        auto outcome = apply(*planned, std::chrono::seconds(30));
        QVERIFY(outcome);
        QVERIFY(outcome->status == DeployOutcome::Status::Failed);
        const QString failures = outcome->failures.join(u'\n');
        QVERIFY2(failures.contains(u"group \"api\" could not be placed"_s)
                     && failures.contains(u"reserved port collision"_s),
                 qPrintable(failures));
    }

#ifdef MESHPAD_DEPLOY_CLI_TESTS
    // `meshpad plan` quotes what peers say: another owner's name from a
    // job's Meta or an intention source's Description in its conflict lines,
    // a server's error body in its error line. All of it reaches the
    // terminal escaped: nothing clears the screen, writes the clipboard or
    // reorders the line.
    void cliPlanEscapesPeerText_data()
    {
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("onStdout");
        QTest::addColumn<QString>("expected");
        const QString escaped = hostileEscaped();
        QTest::newRow("foreign job's owner in the conflict line")
            << u"job"_s << QStringList{u"plan"_s} << 2 << true
            << u"! Conflict: job \"counter\" exists on the cluster and belongs to the design \"rival"_s + escaped
                   + u"\", not to \"countdash\"";
        QTest::newRow("foreign intention source's owner in the conflict line")
            << u"intention"_s << QStringList{u"plan"_s} << 2 << true
            << u"! Conflict: the intention count-dashboard → count-api exists in Consul and belongs to the design "
               "\"rival"_s
                   + escaped + u"\", not to \"countdash\"";
        QTest::newRow("server's error body in the error line")
            << u"forbidding"_s << QStringList{u"plan"_s} << 2 << false
            << u"meshpad plan: Nomad refused GET /v1/jobs: denied"_s + escaped;
        // A job marked as the design's but named by someone else: the
        // teardown plans it and prints its event lines about it.
        QTest::newRow("owned job's name in the teardown's event lines")
            << u"owned"_s << QStringList{u"teardown"_s, u"-auto-approve"_s} << 0 << true
            << u"evil"_s + escaped + u": stopped and purged\n"_s;
    }

    void cliPlanEscapesPeerText()
    {
        QFETCH(QString, peer);
        QFETCH(QStringList, command);
        QFETCH(int, status);
        QFETCH(bool, onStdout);
        QFETCH(QString, expected);
        const QString design = QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
        QVERIFY2(QFile::exists(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad")),
                 "build the meshpad target: this test runs the real binary");
        const QString hostile = hostileText();
        QString consul = m_consulAddress;
        QString nomad = m_nomadAddress;

        QTcpServer forbidding;
        if (peer == u"job" || peer == u"owned") {
            QJsonObject job = DesiredState::fromTopology(countdash(), u"countdash"_s).job(u"counter"_s);
            if (peer == u"job") {
                job.insert(u"Meta"_s, QJsonObject{{u"meshpad.design"_s, QString(u"rival"_s + hostile)}});
            } else {
                job.insert(u"ID"_s, QString(u"evil"_s + hostile));
                job.insert(u"Name"_s, QString(u"evil"_s + hostile));
            }
            QVERIFY(QCoro::waitFor(m_nomad->registerJob(job)));
        } else if (peer == u"intention") {
            const QJsonObject theirs{
                {u"Kind"_s, u"service-intentions"_s},
                {u"Name"_s, u"count-api"_s},
                {u"Sources"_s, QJsonArray{QJsonObject{{u"Name"_s, u"count-dashboard"_s},
                                                      {u"Action"_s, u"deny"_s},
                                                      {u"Description"_s, QString(u"meshpad.design=rival"_s + hostile
                                                                                 + u"; meshpad.version=1"_s)}}}}};
            QVERIFY(QCoro::waitFor(m_consul->putConfigEntry(theirs)).value_or(false));
        } else {
            // A server that refuses every request, its words carrying the escapes.
            QVERIFY(forbidding.listen(QHostAddress::LocalHost));
            const QByteArray body = (u"denied"_s + hostile).toUtf8();
            connect(&forbidding, &QTcpServer::newConnection, this, [&forbidding, body] {
                while (QTcpSocket *socket = forbidding.nextPendingConnection()) {
                    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                    connect(socket, &QTcpSocket::readyRead, socket, [socket, body] {
                        socket->readAll();
                        socket->write("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                      "Connection: close\r\nContent-Length: "
                                      + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                        socket->disconnectFromHost();
                    });
                }
            });
            consul = nomad = u"http://127.0.0.1:%1"_s.arg(forbidding.serverPort());
        }

        const CliRun r = meshpad(command + QStringList{design, u"-target"_s, u"environment"_s}, consul, nomad);
        const QString out = QString::fromUtf8(r.out);
        const QString err = QString::fromUtf8(r.err);
        const QString both = visible(out + u"\n--- stderr:\n"_s + err);
        QVERIFY2(r.status == status, qPrintable(u"exit status %1\n"_s.arg(r.status) + both));
        QVERIFY2((onStdout ? out : err).contains(expected), qPrintable(u"missing: "_s + expected + u"\n"_s + both));
        for (const QByteArray &stream : {r.out, r.err}) {
            const QString raw = rawControl(stream);
            QVERIFY2(raw.isEmpty(), qPrintable(raw + u"\n"_s + both));
        }
        for (const QString &shown : {uR"(\x1b[2J)"_s, uR"(\x1b]52;c;aGk=\x07)"_s, uR"(\x9b)"_s, uR"(\u202e)"_s})
            QVERIFY2(QString(out + err).contains(shown), qPrintable(shown + u"\n"_s + both));
        if (peer == u"job" || peer == u"intention")
            QVERIFY2(err.contains(u"the plan has conflicts; nothing was applied"_s), qPrintable(both));
        if (peer == u"owned") {
            // The plan's own line about it, before the events.
            QVERIFY2(out.contains(u"-   Job: \"evil"_s + hostileEscaped() + u"\" (stop and purge)\n"_s),
                     qPrintable(both));
            QCOMPARE(jobsOnCluster().size(), 0);
        }
    }

    // With -json the same peer text arrives as JSON escapes (\u001b,
    // \u009b, \u202e), never raw, and parses back to exactly what the peer
    // wrote.
    void cliPlanJsonEscapesPeerText()
    {
        const QString design = QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
        const QString hostile = hostileText();
        QJsonObject job = DesiredState::fromTopology(countdash(), u"countdash"_s).job(u"counter"_s);
        job.insert(u"Meta"_s, QJsonObject{{u"meshpad.design"_s, QString(u"rival"_s + hostile)}});
        QVERIFY(QCoro::waitFor(m_nomad->registerJob(job)));

        const CliRun r
            = meshpad({u"plan"_s, u"-json"_s, design, u"-target"_s, u"environment"_s}, m_consulAddress, m_nomadAddress);
        const QString both = visible(QString::fromUtf8(r.out) + u"\n--- stderr:\n"_s + QString::fromUtf8(r.err));
        QVERIFY2(r.status == 2, qPrintable(u"exit status %1\n"_s.arg(r.status) + both));
        QVERIFY2(rawControl(r.out).isEmpty(), qPrintable(rawControl(r.out) + u"\n"_s + both));
        QVERIFY2(r.out.contains("\\u009b") && r.out.contains("\\u202e"), qPrintable(both));
        bool found = false;
        for (const QByteArray &line : r.out.split('\n')) {
            if (line.trimmed().isEmpty())
                continue;
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            // Somewhere in the line's values: the owner exactly as the peer wrote it.
            const std::function<bool(const QJsonValue &)> holds = [&](const QJsonValue &v) {
                if (v.isString())
                    return v.toString().contains(u"rival"_s + hostile);
                if (v.isArray()) {
                    const QJsonArray array = v.toArray();
                    for (const QJsonValue &e : array) {
                        if (holds(e))
                            return true;
                    }
                    return false;
                }
                const QJsonObject object = v.toObject();
                for (auto it = object.begin(); it != object.end(); ++it) {
                    if (holds(it.value()))
                        return true;
                }
                return false;
            };
            found = found || holds(doc.object());
        }
        QVERIFY2(found, qPrintable(both));
    }
#endif // MESHPAD_DEPLOY_CLI_TESTS

    // An external service (an imported upstream's destination) is not
    // deployed, but who may call it is.
    void externalServiceGetsIntentionsButNoJob()
    {
        model::Topology topology = countdash();
        for (model::Service &s : topology.services) {
            if (s.name == u"count-api")
                s.external = true;
        }
        const DesiredState desired = DesiredState::fromTopology(topology, u"countdash"_s);
        QCOMPARE(desired.jobs.size(), 1);
        QCOMPARE(desired.jobs.first().value(u"ID").toString(), u"dashboard"_s);
        QVERIFY(desired.intentions.contains(u"count-api"_s));
        for (const auto &entrypoint : desired.entrypoints)
            QVERIFY(entrypoint.service != u"count-api");
    }

    // What deploy sends to Consul decodes into Consul's own structs.
    void intentionEntriesMatchConsulSchema()
    {
        const auto schema
            = meshtest::ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/consul.json"));
        QVERIFY(schema);
        model::Topology topology = countdash();
        topology.settings.defaultPolicy = model::IntentionAction::Deny;
        QStringList conflicts;
        const auto changes
            = Planner::planIntentions(DesiredState::fromTopology(topology, u"countdash"_s), {}, &conflicts);
        QVERIFY(conflicts.isEmpty());
        QCOMPARE(changes.size(), 2); // count-api (arrow + *), count-dashboard (*)
        for (const IntentionChange &change : changes) {
            const QStringList problems = schema->check(change.entry, u"service-intentions");
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
            QCOMPARE(change.entry.value(u"Meta").toObject().value(u"meshpad.design").toString(), u"countdash"_s);
        }
    }
};

QTEST_GUILESS_MAIN(TestDeploy)
#include "tst_deploy.moc"
