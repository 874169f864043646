// A soak of the embedded lab (issue 16, item 7): the countdash example on the
// Lab facade in this process, the dashboard page open, a paced load through
// the mesh and drills in rotation, for a bounded time, loopback only.
//
//   build/release/bench/lab_soak                       # 60 s, 1,000 req/s, a drill every 5 s
//   build/release/bench/lab_soak --duration 3600       # the one-hour run
//   options: --rate N (requests/s, 1000)  --connections N (8)  --drill-every S (5)
//            --report-every S (60)  --warmup S (10)  --no-browser
//   CHROMIUM overrides the browser (default /usr/bin/chromium).
//
// What runs:
//   - countdash as the example has it: the dashboard, and count-api at the
//     example's count (3), on the lab's three nodes;
//   - "the page": a headless Chromium on the dashboard's published URL when
//     one is installed (confirmed through its DevTools /json/list), else a
//     WebSocket on the dashboard's /ws, which is what the page opens; the
//     first report line says which;
//   - the load: HTTP/1.1 keep-alive GETs sent to the dashboard allocation's
//     upstream listener (its own address, the arrow's local bind port 8080),
//     so each passes the dashboard's sidecar → mTLS → a counter's inbound
//     listener → the counter; paced at --rate over --connections threads, one
//     connection each, redialled when a drill cuts it;
//   - the drills, one every --drill-every in this rotation: kill a counter
//     (Lab::killInstance), stop a node that does not hold the dashboard, start
//     it again, deny the arrow, allow it again. Allocations are looked up by
//     service name in each snapshot, never kept across drills: a node stop
//     may replace them.
//
// One line at the end of the warm-up, every --report-every and at the end:
// RSS, open descriptors, threads, child processes (Chromium's counted apart),
// requests sent / answered 200 / failed (inside a drill window — from a drill
// until 3 s after it, or while a node is down or the arrow denied — or
// outside), and the counters' total count beside the requests answered. Then
// the growth of RSS and descriptors from the first line to the last.
// Figures only: the exit status is non-zero only when the soak could not run.

#include "eventloopwait.h"
#include "httpexchange.h"
#include "workerthreads.h"

#include "lab/lab.h"
#include "model/projectfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

using Clock = std::chrono::steady_clock;
using mesh::lab::InstanceSnapshot;
using mesh::lab::InstanceState;
using mesh::lab::Lab;
using mesh::lab::LabSnapshot;

constexpr auto kDrillGrace = std::chrono::seconds(3);
constexpr int kStartTimeoutMs = 60'000;

// Runs the event loop until `done` or `timeoutMs`, looking every 20 ms;
// false on timeout.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    return mesh::bench::waitFor(done, timeoutMs, 20);
}

// A line of /proc/self/status ("VmRSS:", "Threads:"), its first number.
qint64 statusField(const QByteArray &name)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(name))
            return line.mid(name.size()).trimmed().split(' ').constFirst().toLongLong();
    }
    return -1;
}

qint64 openDescriptors()
{
    return QDir(u"/proc/self/fd"_s).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size();
}

// pid → ppid for every process (man 5 proc, /proc/PID/stat field 4; the
// command name in parentheses may hold spaces, so count from the last ')').
QMultiHash<qint64, qint64> childrenByParent()
{
    QMultiHash<qint64, qint64> children;
    for (const QString &entry : QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile file(u"/proc/%1/stat"_s.arg(pid));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = file.readAll();
        const qsizetype close = text.lastIndexOf(')');
        if (close < 0)
            continue;
        const QList<QByteArray> fields = text.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields[0] != "Z")
            children.insert(fields[1].toLongLong(), pid);
    }
    return children;
}

qint64 treeSize(const QMultiHash<qint64, qint64> &children, qint64 root)
{
    qint64 n = 1;
    for (qint64 child : children.values(root))
        n += treeSize(children, child);
    return n;
}

// A constant-rate HTTP/1.1 client: one thread and one keep-alive connection
// per connection slot, each sending its share of the rate on a fixed
// schedule (late requests go at once, so the rate holds when a reply is
// slow). The target address is read at each dial: the dashboard allocation
// may move.
class PacedClient
{
public:
    PacedClient(int rate, int connections, quint16 port)
        : m_rate(rate)
        , m_connections(connections)
        , m_port(port)
    {
    }
    ~PacedClient() { stop(); }

    void setTarget(const QString &address)
    {
        std::lock_guard lock(m_targetMutex);
        m_target = address.toStdString();
    }
    // Failures until `until`, or while `inEffect`, count as the drill's.
    void markDrill(Clock::time_point until, bool inEffect)
    {
        m_drillUntil = until.time_since_epoch().count();
        m_drillInEffect = inEffect;
    }
    void start()
    {
        m_workers.start(m_connections, [this] { work(); });
    }
    void stop() { m_workers.stop(); }

    quint64 sent() const { return m_sent; }
    quint64 answered() const { return m_answered; }
    quint64 failedInDrill() const { return m_failedInDrill; }
    quint64 failedOutside() const { return m_failedOutside; }
    quint64 connects() const { return m_connects; }

private:
    int dial()
    {
        std::string target;
        {
            std::lock_guard lock(m_targetMutex);
            target = m_target;
        }
        // A counter on a stopped node may never answer: give up on the
        // request (and the connection) after 2 s.
        const int fd = mesh::bench::dialTcp(target, m_port, std::chrono::seconds(2));
        if (fd >= 0)
            ++m_connects;
        return fd;
    }

    void fail()
    {
        const bool inDrill = m_drillInEffect || Clock::now().time_since_epoch().count() < m_drillUntil;
        ++(inDrill ? m_failedInDrill : m_failedOutside);
    }

    void work()
    {
        const std::string request = "GET / HTTP/1.1\r\nHost: count-api\r\n\r\n";
        const auto interval = std::chrono::nanoseconds(1'000'000'000LL * m_connections / m_rate);
        int fd = -1;
        auto next = Clock::now();
        // After a failed dial, wait a little before the next: a denied arrow
        // would otherwise cost a TLS handshake per scheduled request. The
        // requests scheduled meanwhile count as sent and failed.
        auto noDialBefore = Clock::now();
        while (!m_workers.stopping()) {
            std::this_thread::sleep_until(next);
            next += interval;
            ++m_sent;
            if (fd < 0) {
                if (Clock::now() < noDialBefore || (fd = dial()) < 0) {
                    fail();
                    if (Clock::now() >= noDialBefore)
                        noDialBefore = Clock::now() + std::chrono::milliseconds(25);
                    continue;
                }
            }
            if (mesh::bench::exchange(fd, request)) {
                ++m_answered;
            } else {
                fail();
                ::close(fd);
                fd = -1;
                noDialBefore = Clock::now() + std::chrono::milliseconds(25);
            }
        }
        if (fd >= 0)
            ::close(fd);
    }

    const int m_rate;
    const int m_connections;
    const quint16 m_port;
    std::mutex m_targetMutex;
    std::string m_target;
    std::atomic<Clock::rep> m_drillUntil{0};
    std::atomic<bool> m_drillInEffect{false};
    std::atomic<quint64> m_sent{0};
    std::atomic<quint64> m_answered{0};
    std::atomic<quint64> m_failedInDrill{0};
    std::atomic<quint64> m_failedOutside{0};
    std::atomic<quint64> m_connects{0};
    mesh::bench::WorkerThreads m_workers; // last: joined before the counters go
};

const InstanceSnapshot *runningInstanceOf(const LabSnapshot &snapshot, const QString &service)
{
    for (const InstanceSnapshot &i : snapshot.instances) {
        if (i.serviceName == service && i.state == InstanceState::Running)
            return &i;
    }
    return nullptr;
}

bool allRunning(const LabSnapshot &snapshot, int expected)
{
    int running = 0;
    for (const InstanceSnapshot &i : snapshot.instances) {
        if (i.state == InstanceState::Running && i.health != mesh::lab::HealthStatus::Critical)
            ++running;
    }
    return running >= expected;
}

// The page: a headless Chromium on the dashboard, or a WebSocket on its /ws.
class Page
{
public:
    ~Page() { close(); }

    // True when a browser has the page open; else `why` says what failed.
    bool openInChromium(const QString &url, const QString &profile, QString *why)
    {
        const QString chromium
            = qEnvironmentVariableIsSet("CHROMIUM") ? qEnvironmentVariable("CHROMIUM") : u"/usr/bin/chromium"_s;
        if (!QFileInfo(chromium).isExecutable()) {
            *why = chromium + u" is not installed"_s;
            return false;
        }
        m_browser = std::make_unique<QProcess>();
        // Its own process group, so the renderers go with it at the end; and
        // gone with the bench if the bench is killed.
        m_browser->setChildProcessModifier([] {
            ::setsid();
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        });
        m_browser->setProcessChannelMode(QProcess::SeparateChannels);
        m_browser->setStandardOutputFile(QProcess::nullDevice());
        m_browser->start(chromium,
                         {u"--headless"_s, u"--no-sandbox"_s, u"--disable-gpu"_s, u"--disable-quic"_s,
                          u"--no-first-run"_s, u"--disable-background-networking"_s, u"--disable-component-update"_s,
                          u"--disable-sync"_s, u"--user-data-dir="_s + profile, u"--remote-debugging-port=0"_s, url});
        if (!m_browser->waitForStarted(10'000)) {
            *why = chromium + u": "_s + m_browser->errorString();
            return false;
        }
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…"
        static const QRegularExpression devtools(u"DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/"_s);
        QByteArray err;
        quint16 port = 0;
        waitFor(
            [&] {
                err += m_browser->readAllStandardError();
                if (const QRegularExpressionMatch m = devtools.match(QString::fromUtf8(err)); m.hasMatch())
                    port = quint16(m.captured(1).toUInt());
                return port != 0 || m_browser->state() == QProcess::NotRunning;
            },
            20'000);
        if (port == 0) {
            *why = chromium + u" printed no DevTools port: "_s + QString::fromUtf8(err.right(300)).simplified();
            return false;
        }
        // The page is listed once it has loaded the dashboard.
        if (!waitFor([&] { return devtoolsListsPage(port, url); }, 20'000)) {
            *why = u"Chromium's DevTools lists no page on "_s + url;
            return false;
        }
        return true;
    }

    void openWebSocket(const QString &url)
    {
        QUrl ws(url);
        ws.setScheme(u"ws"_s);
        ws.setPath(u"/ws"_s);
        m_socket = std::make_unique<QWebSocket>();
        QObject::connect(m_socket.get(), &QWebSocket::textMessageReceived, [this] { ++m_frames; });
        // As the page does: reconnect when the socket drops.
        QObject::connect(m_socket.get(), &QWebSocket::disconnected, m_socket.get(),
                         [this, ws] { QTimer::singleShot(1000, m_socket.get(), [this, ws] { m_socket->open(ws); }); });
        m_socket->open(ws);
    }

    qint64 browserPid() const { return m_browser ? m_browser->processId() : 0; }
    quint64 frames() const { return m_frames; }

    void close()
    {
        if (m_socket) {
            m_socket->disconnect();
            m_socket->close();
            m_socket.reset();
        }
        if (m_browser && m_browser->state() != QProcess::NotRunning) {
            const pid_t group = pid_t(m_browser->processId());
            ::kill(-group, SIGTERM);
            m_browser->waitForFinished(5000);
            // Its zygote and renderers linger a moment after it; the
            // profile they write to is about to be removed.
            ::kill(-group, SIGKILL);
            m_browser->waitForFinished(5000);
        }
        m_browser.reset();
    }

private:
    static bool devtoolsListsPage(quint16 port, const QString &url)
    {
        QTcpSocket socket;
        socket.connectToHost(u"127.0.0.1"_s, port);
        if (!socket.waitForConnected(2000))
            return false;
        // HTTP/1.1: its DevTools server does not answer HTTP/1.0.
        socket.write("GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                     + "\r\nConnection: close\r\n\r\n");
        QByteArray reply;
        qsizetype body = -1;
        qsizetype length = -1;
        static const QRegularExpression contentLength(u"\r\ncontent-length:\\s*(\\d+)"_s,
                                                      QRegularExpression::CaseInsensitiveOption);
        while (length < 0 || reply.size() < body + 4 + length) {
            if (!socket.waitForReadyRead(2000))
                return false;
            reply += socket.readAll();
            if (body < 0 && (body = reply.indexOf("\r\n\r\n")) >= 0) {
                const QRegularExpressionMatch m = contentLength.match(QString::fromLatin1(reply.left(body)));
                if (!m.hasMatch())
                    return false;
                length = m.captured(1).toLongLong();
            }
        }
        const QUrl wanted(url);
        for (const QJsonValue &v : QJsonDocument::fromJson(reply.mid(body + 4)).array()) {
            const QJsonObject target = v.toObject();
            const QUrl open(target.value(u"url").toString());
            if (target.value(u"type").toString() == u"page" && open.host() == wanted.host()
                && open.port() == wanted.port())
                return true;
        }
        return false;
    }

    std::unique_ptr<QProcess> m_browser;
    std::unique_ptr<QWebSocket> m_socket;
    quint64 m_frames = 0;
};

struct Report
{
    double seconds = 0;
    double rssMiB = 0;
    qint64 fds = 0;
    qint64 threads = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    // Settings and the lab's CA of this run only.
    QTemporaryDir home;
    qputenv("XDG_CONFIG_HOME", home.filePath(u"config"_s).toUtf8());
    qputenv("XDG_DATA_HOME", home.filePath(u"data"_s).toUtf8());
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"meshpad-lab-soak"_s);
    QTextStream out(stdout);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Soak the embedded lab: countdash, a page, paced load, drills."_s);
    parser.addHelpOption();
    const QCommandLineOption rateOption(u"rate"_s, u"Requests per second through the mesh."_s, u"n"_s, u"1000"_s);
    const QCommandLineOption connectionsOption(u"connections"_s, u"Keep-alive connections."_s, u"n"_s, u"8"_s);
    const QCommandLineOption durationOption(u"duration"_s, u"Seconds of load, warm-up included."_s, u"s"_s, u"60"_s);
    const QCommandLineOption drillOption(u"drill-every"_s, u"Seconds between drills."_s, u"s"_s, u"5"_s);
    const QCommandLineOption reportOption(u"report-every"_s, u"Seconds between report lines."_s, u"s"_s, u"60"_s);
    const QCommandLineOption warmupOption(u"warmup"_s, u"Seconds before the first line and drill."_s, u"s"_s, u"10"_s);
    const QCommandLineOption noBrowserOption(u"no-browser"_s, u"A WebSocket client instead of Chromium."_s);
    parser.addOptions(
        {rateOption, connectionsOption, durationOption, drillOption, reportOption, warmupOption, noBrowserOption});
    parser.process(app);
    const int rate = std::max(1, parser.value(rateOption).toInt());
    const int connections = std::max(1, parser.value(connectionsOption).toInt());
    const int duration = std::max(1, parser.value(durationOption).toInt());
    const int drillEvery = std::max(1, parser.value(drillOption).toInt());
    const int reportEvery = std::max(1, parser.value(reportOption).toInt());
    const int warmup = std::clamp(parser.value(warmupOption).toInt(), 0, duration);

    const mesh::Result<mesh::model::Topology> loaded
        = mesh::model::ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
    if (!loaded) {
        out << "lab_soak: cannot open the example: " << loaded.error().message << '\n';
        return 1;
    }
    const mesh::model::Topology &topology = *loaded;
    const mesh::model::Service *counter = topology.serviceByName(u"count-api");
    if (!counter || topology.upstreams.isEmpty()) {
        out << "lab_soak: the example has no count-api or no arrow\n";
        return 1;
    }
    const mesh::model::UpstreamId arrow = topology.upstreams.constFirst().id;
    const quint16 upstreamPort = quint16(topology.upstreams.constFirst().localBindPort);
    int expectedInstances = 0;
    for (const mesh::model::Service &s : topology.services)
        expectedInstances += s.count;

    Lab::Options options;
    options.caDirectory = home.filePath(u"ca"_s);
    // Free ports for the agents' APIs: a lab (or Consul) elsewhere on the
    // machine does not stop the soak.
    options.consulPort = 0;
    options.nomadPort = 0;
    Lab lab(options);
    QString startError;
    bool started = false;
    QObject::connect(&lab, &Lab::started, [&] { started = true; });
    QObject::connect(&lab, &Lab::startFailed, [&](const QString &error) { startError = error; });
    if (const mesh::Result<> ok = lab.start(topology); !ok) {
        out << "lab_soak: the lab refused the example: " << ok.error().message << '\n';
        return 1;
    }
    QElapsedTimer startClock;
    startClock.start();
    if (!waitFor([&] { return (started && allRunning(lab.snapshot(), expectedInstances)) || !startError.isEmpty(); },
                 kStartTimeoutMs)
        || !startError.isEmpty()) {
        out << "lab_soak: the lab did not start: " << (startError.isEmpty() ? u"timed out"_s : startError) << '\n';
        return 1;
    }
    const qint64 startMs = startClock.elapsed();
    const LabSnapshot ready = lab.snapshot();
    const QString dashboardUrl = ready.dashboardUrl;
    const InstanceSnapshot *dashboard = runningInstanceOf(ready, u"count-dashboard"_s);
    if (dashboardUrl.isEmpty() || !dashboard) {
        out << "lab_soak: the lab published no dashboard\n";
        return 1;
    }

    Page page;
    QString pageKind;
    QString noBrowser = u"--no-browser"_s;
    if (!parser.isSet(noBrowserOption) && page.openInChromium(dashboardUrl, home.filePath(u"chromium"_s), &noBrowser)) {
        pageKind = u"headless Chromium (pid %1) on %2"_s.arg(page.browserPid()).arg(dashboardUrl);
    } else {
        page.close();
        page.openWebSocket(dashboardUrl);
        pageKind = u"a WebSocket client on %1/ws, as the page opens it (%2)"_s.arg(dashboardUrl, noBrowser);
    }

    out << "lab soak: countdash (count-api count " << counter->count << ", the example's); every allocation "
        << "running " << startMs << " ms after start()\n";
    out << "  page: " << pageKind << '\n';
    out << "  load: " << rate << " requests/s over " << connections << " keep-alive connections to the dashboard's "
        << "upstream listener " << dashboard->address << ':' << upstreamPort << " (sidecar → mTLS → count-api)\n";
    out << "  drills every " << drillEvery << " s after a " << warmup << " s warm-up: kill a counter, stop a node, "
        << "start it, deny the arrow, allow it; a drill window is the drill + " << kDrillGrace.count()
        << " s, or while a node is down or the arrow denied\n";
    out << "  children: direct children of this process; Chromium's processes counted apart\n";
    out.flush();

    PacedClient client(rate, connections, upstreamPort);
    client.setTarget(dashboard->address);
    // The dashboard allocation may be replaced (a node stop): aim at where
    // it is now.
    QObject::connect(&lab, &Lab::snapshotChanged, [&](const LabSnapshot &snapshot) {
        if (const InstanceSnapshot *d = runningInstanceOf(snapshot, u"count-dashboard"_s))
            client.setTarget(d->address);
    });

    // The drills, in rotation; what each hit is looked up in the snapshot
    // of the moment.
    int step = 0;
    int drills = 0;
    int skipped = 0;
    QString stoppedNode;
    bool denied = false;
    int nodeTurn = 0;
    int killTurn = 0;
    const auto drill = [&] {
        const LabSnapshot snapshot = lab.snapshot();
        const InstanceSnapshot *d = runningInstanceOf(snapshot, u"count-dashboard"_s);
        bool done = true;
        switch (step) {
        case 0: { // kill a counter
            QList<const InstanceSnapshot *> counters;
            for (const InstanceSnapshot &i : snapshot.instances) {
                if (i.serviceName == u"count-api" && i.state == InstanceState::Running)
                    counters.append(&i);
            }
            if (counters.isEmpty())
                done = false;
            else
                lab.killInstance(counters.at(killTurn++ % counters.size())->allocId);
            break;
        }
        case 1: { // stop a node without the dashboard but with a counter
            QStringList candidates;
            for (const mesh::lab::NodeSnapshot &n : snapshot.nodes) {
                if (!n.up || (d && d->node == n.name))
                    continue;
                if (std::ranges::any_of(snapshot.instances, [&n](const InstanceSnapshot &i) {
                        return i.serviceName == u"count-api" && i.node == n.name;
                    }))
                    candidates.append(n.name);
            }
            if (candidates.isEmpty()) {
                done = false;
            } else {
                stoppedNode = candidates.at(nodeTurn++ % candidates.size());
                lab.stopNode(stoppedNode);
            }
            break;
        }
        case 2: // start it again
            if (stoppedNode.isEmpty()) {
                done = false;
            } else {
                lab.startNode(stoppedNode);
                stoppedNode.clear();
            }
            break;
        case 3:
            lab.setArrowAction(arrow, mesh::model::IntentionAction::Deny);
            denied = true;
            break;
        case 4:
            lab.setArrowAction(arrow, mesh::model::IntentionAction::Allow);
            denied = false;
            break;
        }
        (done ? drills : skipped) += 1;
        step = (step + 1) % 5;
        client.markDrill(Clock::now() + kDrillGrace, denied || !stoppedNode.isEmpty());
    };

    const auto childCounts = [&page] {
        const QMultiHash<qint64, qint64> children = childrenByParent();
        const qint64 browser = page.browserPid();
        qint64 direct = 0;
        qint64 browserTree = 0;
        for (qint64 child : children.values(qint64(::getpid()))) {
            if (child == browser)
                browserTree = treeSize(children, child);
            else
                ++direct;
        }
        return std::pair{direct, browserTree};
    };

    QElapsedTimer clock;
    std::vector<Report> reports;
    const auto report = [&](const QString &label) {
        const LabSnapshot snapshot = lab.snapshot();
        quint64 counted = 0;
        int counters = 0;
        for (const InstanceSnapshot &i : snapshot.instances) {
            if (i.serviceName == u"count-api" && i.counterValue) {
                counted += *i.counterValue;
                ++counters;
            }
        }
        Report r;
        r.seconds = double(clock.elapsed()) / 1000.0;
        r.rssMiB = double(statusField("VmRSS:")) / 1024.0;
        r.fds = openDescriptors();
        r.threads = statusField("Threads:");
        reports.push_back(r);
        const auto [children, browserProcesses] = childCounts();
        out << u"%1 t=%2s rss=%3MiB fds=%4 threads=%5 children=%6 chromium=%7 sent=%8 ok=%9 "_s.arg(label, -7)
                   .arg(r.seconds, 0, 'f', 0)
                   .arg(r.rssMiB, 0, 'f', 1)
                   .arg(r.fds)
                   .arg(r.threads)
                   .arg(children)
                   .arg(browserProcesses)
                   .arg(client.sent())
                   .arg(client.answered())
            << u"failed=%1 (in drills %2, outside %3) connects=%4 drills=%5 counters'count=%6 (%7 counters) "
               u"page-frames=%8\n"_s.arg(client.failedInDrill() + client.failedOutside())
                   .arg(client.failedInDrill())
                   .arg(client.failedOutside())
                   .arg(client.connects())
                   .arg(drills)
                   .arg(counted)
                   .arg(counters)
                   .arg(pageKind.startsWith(u"a WebSocket") ? QString::number(page.frames()) : u"-"_s);
        out.flush();
    };

    clock.start();
    client.start();
    QTimer drillTimer;
    QObject::connect(&drillTimer, &QTimer::timeout, drill);
    QTimer::singleShot(warmup * 1000, [&] {
        report(u"start"_s);
        drillTimer.start(drillEvery * 1000);
    });
    QTimer reportTimer;
    int nextReport = reportEvery;
    QObject::connect(&reportTimer, &QTimer::timeout, [&] {
        if (nextReport < duration && clock.elapsed() >= qint64(nextReport) * 1000) {
            if (nextReport > warmup)
                report(u"report"_s);
            nextReport += reportEvery;
        }
    });
    reportTimer.start(200);
    waitFor([&] { return clock.elapsed() >= qint64(duration) * 1000; }, duration * 1000 + 5000);
    drillTimer.stop();
    reportTimer.stop();
    if (reports.empty())
        report(u"start"_s);
    report(u"end"_s);
    client.stop();

    const Report &first = reports.front();
    const Report &last = reports.back();
    const auto growth = [](double from, double to) { return from > 0 ? (to - from) / from * 100.0 : 0.0; };
    out << u"growth from t=%1s to t=%2s: RSS %3% (%4 → %5 MiB), descriptors %6% (%7 → %8); %9 drills run, "_s
               .arg(first.seconds, 0, 'f', 0)
               .arg(last.seconds, 0, 'f', 0)
               .arg(growth(first.rssMiB, last.rssMiB), 0, 'f', 1)
               .arg(first.rssMiB, 0, 'f', 1)
               .arg(last.rssMiB, 0, 'f', 1)
               .arg(growth(double(first.fds), double(last.fds)), 0, 'f', 1)
               .arg(first.fds)
               .arg(last.fds)
               .arg(drills)
        << skipped << " skipped (nothing to hit)\n";
    out << u"requests: %1 sent, %2 answered 200 (%3/s over the run)\n"_s.arg(client.sent())
               .arg(client.answered())
               .arg(double(client.answered()) / std::max(1.0, last.seconds), 0, 'f', 0);
    out.flush();

    // Leave nothing behind: a node stopped or an arrow denied does not
    // matter to stop().
    page.close();
    bool stopped = false;
    QObject::connect(&lab, &Lab::stopped, [&] { stopped = true; });
    lab.stop();
    if (!waitFor([&] { return stopped; }, 15'000))
        out << "lab_soak: the lab did not report stopped within 15 s\n";
    return 0;
}
