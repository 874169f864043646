// The lab's health tells the truth about its tasks (issue 16): a check
// counts only while the task runs, so a stranger answering on a dead task's
// port never makes it passing; and an address someone else already holds is
// named with its holder instead of crash-looping on "Address already in use".
// Real child processes, real sockets on the lab's 127.<slot>.2.x addresses.

#include "lab/lab.h"
#include "lab/portholder.h"

#include "testtopologies.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <csignal>

using namespace mesh;
using namespace mesh::lab;

namespace {

constexpr int kStartTimeoutMs = 20'000;
constexpr int kCheckIntervalMs = 200;
constexpr quint16 kWebPort = 9001;

// The design: `python3 -m http.server` on the allocation's own
// address, checked by the lab's TCP check every kCheckIntervalMs.
model::Topology webDesign()
{
    model::Topology design;
    design.name = QStringLiteral("orphans");
    design.settings.lab.healthIntervalMs = kCheckIntervalMs;
    model::Service web = meshtest::makeService(QStringLiteral("web"), QStringLiteral("web"), QStringLiteral("http"));
    web.driver = model::Driver::RawExec;
    web.command = QStringLiteral("python3");
    web.args = {QStringLiteral("-m"), QStringLiteral("http.server"), QStringLiteral("--bind"),
                QStringLiteral("${NOMAD_ALLOC_IP_http}"), QString::number(kWebPort)};
    web.ports = {{QStringLiteral("http"), kWebPort, 0}};
    web.connectSidecar = false;
    design.services = {web};
    return design;
}

InstanceSnapshot onlyInstance(const Lab &lab)
{
    return lab.snapshot().instances.value(0);
}

bool runningAndPassing(const Lab &lab)
{
    const InstanceSnapshot instance = onlyInstance(lab);
    return instance.state == InstanceState::Running && instance.health == HealthStatus::Passing && instance.pid > 0;
}

QString describe(const InstanceSnapshot &instance)
{
    return QStringLiteral("%1/%2 pid %3: %4")
        .arg(toString(instance.state), toString(instance.health))
        .arg(instance.pid)
        .arg(instance.message);
}

// A python3 that listens on address:port (port 0: any free one) and prints
// the port, as an orphan of an earlier lab would hold it.
class PythonListener
{
public:
    ~PythonListener() { stop(); }

    bool listen(const QString &address, quint16 port)
    {
        static const QString script = QStringLiteral("import socket, sys, time\n"
                                                     "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                                                     "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                                                     "s.bind((sys.argv[1], int(sys.argv[2])))\n"
                                                     "s.listen(16)\n"
                                                     "print(s.getsockname()[1], flush=True)\n"
                                                     "time.sleep(600)\n");
        m_process.start(QStringLiteral("python3"), {QStringLiteral("-c"), script, address, QString::number(port)});
        if (!m_process.waitForStarted(10'000))
            return false;
        QByteArray line;
        QElapsedTimer clock;
        clock.start();
        while (!line.contains('\n') && clock.elapsed() < 15'000 && m_process.state() == QProcess::Running) {
            if (m_process.waitForReadyRead(100))
                line += m_process.readAllStandardOutput();
        }
        m_port = quint16(line.trimmed().toUInt());
        return m_port != 0;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished(5000);
    }

    qint64 pid() const { return m_process.processId(); }
    quint16 port() const { return m_port; }
    QString error() const { return QString::fromUtf8(m_process.readAllStandardError()); }

private:
    mutable QProcess m_process;
    quint16 m_port = 0;
};

// GET with Connection: close on the test thread (the lab runs on its own).
QByteArray httpGetBody(const QUrl &url, int timeoutMs = 3000)
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write("GET " + url.path(QUrl::FullyEncoded).toLatin1() + '?' + url.query(QUrl::FullyEncoded).toLatin1()
                 + " HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n");
    QByteArray response;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs && socket.state() != QAbstractSocket::UnconnectedState) {
        if (socket.waitForReadyRead(100))
            response += socket.readAll();
    }
    response += socket.readAll();
    const qsizetype headerEnd = response.indexOf("\r\n\r\n");
    return headerEnd < 0 ? QByteArray() : response.mid(headerEnd + 4);
}

// How many instances of `service` the lab's Consul API lists as passing
// (GET /v1/health/service/<service>?passing), -1 when it does not answer.
int passingInConsul(const Lab &lab, const QString &service)
{
    const QString consul = lab.snapshot().nodes.value(0).consulAddress;
    QUrl url(consul + QStringLiteral("/v1/health/service/") + service);
    url.setQuery(QStringLiteral("passing=1"));
    const QJsonDocument document = QJsonDocument::fromJson(httpGetBody(url));
    return document.isArray() ? int(document.array().size()) : -1;
}

int eventsContaining(const QSignalSpy &events, LabEvent::Kind kind, const QString &text)
{
    int count = 0;
    for (const QList<QVariant> &arguments : events) {
        const LabEvent event = arguments.value(0).value<LabEvent>();
        count += event.kind == kind && event.text.contains(text) ? 1 : 0;
    }
    return count;
}

} // namespace

class TestLabHealth final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_caDir;

    Lab::Options options(std::chrono::milliseconds restartDelay) const
    {
        Lab::Options o;
        o.caDirectory = m_caDir.path();
        o.snapshotInterval = std::chrono::milliseconds(50);
        o.restartDelay = restartDelay;
        o.consulPort = 0;
        o.nomadPort = 0;
        return o;
    }

    // Samples the lab's snapshot for `ms` and fails on the first that shows
    // the allocation running or passing.
    static bool neverPassingFor(const Lab &lab, int ms, QString *seen)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < ms) {
            const InstanceSnapshot instance = onlyInstance(lab);
            if (instance.health == HealthStatus::Passing || instance.state == InstanceState::Running) {
                *seen = describe(instance);
                return false;
            }
            QTest::qWait(10);
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_caDir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty(), "python3 is needed");
    }

    // (c) The /proc lookup on its own: the PID and name of a listener the
    // test started, on its exact address or on the wildcard address; and no
    // holder where nobody listens.
    void portHolderNamesTheListeningProcess_data()
    {
        QTest::addColumn<QString>("bindAddress");
        QTest::addColumn<QString>("askedAddress");
        QTest::newRow("listener on the address itself") << u"127.0.0.1"_qs << u"127.0.0.1"_qs;
        QTest::newRow("wildcard listener holds every address") << u"0.0.0.0"_qs << u"127.0.0.9"_qs;
    }

    void portHolderNamesTheListeningProcess()
    {
        QFETCH(QString, bindAddress);
        QFETCH(QString, askedAddress);
        const QHostAddress asked(askedAddress);

        PythonListener listener;
        QVERIFY2(listener.listen(bindAddress, 0), qPrintable(listener.error()));
        const quint16 port = listener.port();
        QVERIFY(PortHolder::isTaken(asked, port));
        const std::optional<PortHolder> holder = PortHolder::find(asked, port);
        QVERIFY(holder.has_value());
        QCOMPARE(holder->pid, listener.pid());
        QVERIFY2(holder->command.startsWith(u"python"), qPrintable(holder->command));
        QCOMPARE(PortHolder::describeClash(asked, port, holder),
                 QStringLiteral("%1:%2 is already in use by PID %3 (%4)")
                     .arg(askedAddress)
                     .arg(port)
                     .arg(listener.pid())
                     .arg(holder->command));

        // Once it is gone, the port is free and nobody holds it.
        listener.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!PortHolder::isTaken(asked, port), 5000);
        const std::optional<PortHolder> nobody = PortHolder::find(asked, port);
        QVERIFY2(!nobody.has_value(), qPrintable(QString::number(nobody ? nobody->pid : 0)));
        QCOMPARE(
            PortHolder::describeClash(asked, port, nobody),
            QStringLiteral("%1:%2 is already in use by a process the lab cannot identify").arg(askedAddress).arg(port));
    }

    // (a) An orphan-style python3 holds the allocation's address:port when
    // its task is about to start: the allocation names the clash and the
    // holder, is never reported running or passing though the orphan answers
    // the check, says so once, and starts when the orphan is gone.
    void addressHeldByAnotherProcessIsNamedAndNeverPassing()
    {
        Lab lab(options(std::chrono::milliseconds(200)));
        QVERIFY(lab.start(webDesign()).has_value());
        QTRY_VERIFY2_WITH_TIMEOUT(runningAndPassing(lab), qPrintable(describe(onlyInstance(lab))), kStartTimeoutMs);
        const InstanceSnapshot first = onlyInstance(lab);
        const QHostAddress address(first.address);

        // The lab's own task leaves; an orphan takes its place.
        lab.stopInstance(first.allocId);
        QTRY_VERIFY_WITH_TIMEOUT(onlyInstance(lab).state == InstanceState::Stopped, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(QStringLiteral("/proc/%1").arg(first.pid)), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!PortHolder::isTaken(address, kWebPort), 5000);
        PythonListener orphan;
        QVERIFY2(orphan.listen(first.address, kWebPort), qPrintable(orphan.error()));

        QSignalSpy events(&lab, &Lab::eventOccurred);
        lab.startInstance(first.allocId);
        const QString clash = QStringLiteral("%1:%2 is already in use by PID %3 (python")
                                  .arg(first.address)
                                  .arg(kWebPort)
                                  .arg(orphan.pid());
        QTRY_VERIFY2_WITH_TIMEOUT(onlyInstance(lab).message.contains(clash), qPrintable(describe(onlyInstance(lab))),
                                  10'000);
        const InstanceSnapshot waiting = onlyInstance(lab);
        QVERIFY2(waiting.state == InstanceState::Restarting && waiting.health == HealthStatus::Critical,
                 qPrintable(describe(waiting)));
        QCOMPARE(waiting.pid, qint64(0)); // no task was started into the clash

        // The orphan answers a TCP check, yet over five check intervals (and
        // several looks at the address) the allocation never passes.
        QTcpSocket probe;
        probe.connectToHost(address, kWebPort);
        QVERIFY(probe.waitForConnected(3000));
        probe.abort();
        QString seen;
        QVERIFY2(neverPassingFor(lab, 5 * kCheckIntervalMs, &seen), qPrintable(seen));
        QCOMPARE(passingInConsul(lab, QStringLiteral("web")), 0);
        // Told once, not once per look.
        QCOMPARE(eventsContaining(events, LabEvent::Kind::Failed, clash), 1);
        QCOMPARE(onlyInstance(lab).restarts, 0);

        // The orphan goes: the task starts and passes.
        orphan.stop();
        QTRY_VERIFY2_WITH_TIMEOUT(runningAndPassing(lab), qPrintable(describe(onlyInstance(lab))), kStartTimeoutMs);
        QVERIFY(onlyInstance(lab).message.isEmpty());
        QVERIFY(onlyInstance(lab).pid != orphan.pid());
        QTRY_COMPARE_WITH_TIMEOUT(passingInConsul(lab, QStringLiteral("web")), 1, 5000);
        QCOMPARE(eventsContaining(events, LabEvent::Kind::Failed, clash), 1);
    }

    // (b) A task killed from outside is critical at once, although a
    // stranger (this test) answers on its port right after — a check alone
    // would call it passing. Its restart then names the stranger, and it
    // recovers when the stranger lets go.
    void deadTaskIsCriticalWhileAStrangerAnswers()
    {
        // A long back-off, so the task stays dead while the stranger answers.
        Lab lab(options(std::chrono::milliseconds(3000)));
        QVERIFY(lab.start(webDesign()).has_value());
        QTRY_VERIFY2_WITH_TIMEOUT(runningAndPassing(lab), qPrintable(describe(onlyInstance(lab))), kStartTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(passingInConsul(lab, QStringLiteral("web")), 1, 5000);
        const InstanceSnapshot first = onlyInstance(lab);
        const QHostAddress address(first.address);

        QElapsedTimer sinceKill;
        sinceKill.start();
        QCOMPARE(::kill(pid_t(first.pid), SIGKILL), 0);
        QTcpServer stranger;
        QTRY_VERIFY_WITH_TIMEOUT(stranger.isListening() || stranger.listen(address, kWebPort), 5000);

        QTRY_VERIFY2_WITH_TIMEOUT(onlyInstance(lab).health == HealthStatus::Critical,
                                  qPrintable(describe(onlyInstance(lab))), 5000);
        qInfo("critical %lld ms after SIGKILL (check interval %d ms)", sinceKill.elapsed(), kCheckIntervalMs);
        QCOMPARE(passingInConsul(lab, QStringLiteral("web")), 0);
        QString seen;
        QVERIFY2(neverPassingFor(lab, 3 * kCheckIntervalMs, &seen), qPrintable(seen));

        // The restart finds the stranger: this test's own PID.
        const QString clash = QStringLiteral("%1:%2 is already in use by PID %3 (")
                                  .arg(first.address)
                                  .arg(kWebPort)
                                  .arg(QCoreApplication::applicationPid());
        QTRY_VERIFY2_WITH_TIMEOUT(onlyInstance(lab).message.contains(clash), qPrintable(describe(onlyInstance(lab))),
                                  15'000);
        QVERIFY2(neverPassingFor(lab, 3 * kCheckIntervalMs, &seen), qPrintable(seen));
        QCOMPARE(passingInConsul(lab, QStringLiteral("web")), 0);

        stranger.close();
        QTRY_VERIFY2_WITH_TIMEOUT(runningAndPassing(lab), qPrintable(describe(onlyInstance(lab))), kStartTimeoutMs);
        QVERIFY(onlyInstance(lab).pid != first.pid);
        QTRY_COMPARE_WITH_TIMEOUT(passingInConsul(lab, QStringLiteral("web")), 1, 5000);
    }
};

QTEST_GUILESS_MAIN(TestLabHealth)
#include "tst_labhealth.moc"
