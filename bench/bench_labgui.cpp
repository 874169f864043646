// The editor's Run on the countdash example, offscreen, in one process as
// the app runs it (the window, the lab's network thread, the in-process
// counters and dashboard, the sidecars):
//   - the time from Run to the dashboard's first count, as a page sees it
//     (a WebSocket to its /ws, opened as soon as the lab publishes the URL);
//   - the process's memory (VmRSS) with the example running and a page open,
//     beside the same figure before Run;
//   - the GUI event loop's worst stall (the largest gap between ticks of a
//     1 ms timer) while a paced client on its own threads sends 1,000 HTTP
//     requests/s through the dashboard's upstream listener to the counters
//     (plain TCP → mTLS sidecar → counter), beside the same figure idle;
//     with an editor driver alongside (once a second a user action through
//     the GUI: drag a card on the canvas and Ctrl+Z, type into the
//     inspector's Tags and Ctrl+Z, toggle the Problems or the Artifacts
//     dock), per minute and overall (issue 16, row L4);
//   - the event loop's worst gap across Run itself, from triggering Run to
//     the page's first count (issue 16, row F14).
// Targets (issue 6): under 2 s, under 150 MB, under 50 ms. Figures only.
// --duration S: seconds of load (default 10); the soak of row L4 is 120+.

#include "eventloopwait.h"
#include "httpexchange.h"
#include "schedtimes.h"
#include "workerthreads.h"

#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "canvas/serviceitem.h"
#include "docks/inspectordock.h"
#include "mainwindow.h"

#include "lab/lab.h"
#include "model/topologymodel.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QLineEdit>
#include <QMouseEvent>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>
#include <QUndoStack>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using meshpad::gui::CanvasView;
using meshpad::gui::MainWindow;

namespace {

using Clock = std::chrono::steady_clock;
using mesh::bench::SchedTimes;
using mesh::bench::schedTimes;

constexpr int kRate = 1000;      // requests per second, all workers together
constexpr int kWorkers = 4;      // one keep-alive connection each
constexpr int kLoadSeconds = 10; // default of --duration
constexpr int kIdleSeconds = 3;
constexpr int kBucketSeconds = 60; // the soak's per-minute figures
constexpr double kTargetMs = 50;

QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(file.readAll().trimmed());
}

double rssMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').constFirst().toDouble() / 1024.0;
    }
    return -1;
}

// Runs the event loop until `done` or `timeoutMs`, looking every 5 ms;
// false on timeout.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    return mesh::bench::waitFor(done, timeoutMs, 5);
}

// The largest and 99th-percentile gaps between ticks of a 1 ms timer.
struct Stall
{
    double maxMs = 0;
    double p99Ms = 0;
    qsizetype ticks = 0;
};

Stall figuresOf(std::vector<double> gaps)
{
    Stall stall;
    stall.ticks = qsizetype(gaps.size());
    if (gaps.empty())
        return stall;
    std::sort(gaps.begin(), gaps.end());
    stall.maxMs = gaps.back();
    stall.p99Ms = gaps[size_t(double(gaps.size() - 1) * 0.99)];
    return stall;
}

// What the kernel says the GUI thread is doing while one of its gaps is
// long: a thread of its own polls the time of the GUI thread's last tick
// every 5 ms and, 40 ms into a gap and every 40 ms after, reads the GUI
// thread's state, wait channel and current system call from /proc
// (proc(5): /proc/[pid]/task/[tid]/stat, wchan, syscall). On x86-64,
// "S futex_wait… syscall 202" is a lock, "S do_sys_poll… syscall 7/271" an
// idle event loop, "D io_schedule…" the disk, "R" on a CPU or waiting for
// one.
class KernelWatch
{
public:
    KernelWatch()
        : m_task(QStringLiteral("/proc/self/task/%1/").arg(::gettid()))
    {
    }
    ~KernelWatch() { stop(); }
    void start()
    {
        m_stop = false;
        m_thread = std::thread([this] { watch(); });
    }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    // Called by the GUI thread on every tick.
    void tick(Clock::time_point now) { m_lastTick = now.time_since_epoch().count(); }
    // The samples taken in the gap that began at `gapStart` (its last tick).
    QString samples(Clock::time_point gapStart)
    {
        const std::lock_guard lock(m_mutex);
        return m_samples.value(gapStart.time_since_epoch().count());
    }

private:
    QString read(const QString &name) const
    {
        QFile file(m_task + name);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("?");
        return QString::fromLatin1(file.readAll().trimmed());
    }

    void watch()
    {
        using namespace std::chrono;
        qint64 sampledGap = 0;
        int samplesInGap = 0;
        while (!m_stop) {
            std::this_thread::sleep_for(milliseconds(5));
            const qint64 last = m_lastTick;
            if (last == 0)
                continue;
            const auto lastTick = Clock::time_point(Clock::duration(last));
            const double inGapMs = duration<double, std::milli>(Clock::now() - lastTick).count();
            if (last != sampledGap) {
                sampledGap = last;
                samplesInGap = 0;
            }
            if (inGapMs < 40.0 * (samplesInGap + 1) || samplesInGap >= 5)
                continue;
            ++samplesInGap;
            // stat: "pid (comm) state …"; the state follows the last ')'.
            const QString stat = read(QStringLiteral("stat"));
            const qsizetype paren = stat.lastIndexOf(u')');
            const QString state = paren < 0 ? QStringLiteral("?") : stat.mid(paren + 2, 1);
            const QString syscall = read(QStringLiteral("syscall")).section(u' ', 0, 0);
            const QString sample = QStringLiteral("+%1 ms: %2 %3 syscall %4")
                                       .arg(inGapMs, 0, 'f', 0)
                                       .arg(state, read(QStringLiteral("wchan")), syscall);
            const std::lock_guard lock(m_mutex);
            QString &text = m_samples[last];
            text += (text.isEmpty() ? QString() : QStringLiteral("; ")) + sample;
        }
    }

    const QString m_task;
    std::atomic<qint64> m_lastTick{0};
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
    std::mutex m_mutex;
    QHash<qint64, QString> m_samples;
};

// Gaps between ticks of a 1 ms timer while it runs, overall and per
// `bucketSeconds` since start(): a stall is the largest gap.
class GapMeter
{
public:
    explicit GapMeter(int bucketSeconds = kBucketSeconds)
        : m_bucketSeconds(bucketSeconds)
    {
        m_tick.setTimerType(Qt::PreciseTimer);
        m_tick.setInterval(1);
        QObject::connect(&m_tick, &QTimer::timeout, [this] {
            const auto now = Clock::now();
            const SchedTimes sched = schedTimes();
            if (m_watch)
                m_watch->tick(now);
            // The last tick or two may come after the planned end: its bucket.
            const auto bucket = std::min(size_t(std::chrono::duration<double>(now - m_start).count() / m_bucketSeconds),
                                         m_lastBucket);
            if (m_buckets.size() <= bucket)
                m_buckets.resize(bucket + 1);
            const double gap = std::chrono::duration<double, std::milli>(now - m_last).count();
            m_buckets[bucket].push_back(gap);
            if (gap >= kTargetMs)
                ++m_over;
            const Worst here{gap,
                             sched.cpuMs - m_lastSched.cpuMs,
                             sched.waitMs - m_lastSched.waitMs,
                             std::chrono::duration<double, std::milli>(now - m_start).count() - gap,
                             {}};
            const auto kernel = [&] { return m_watch ? m_watch->samples(m_last) : QString(); };
            if (gap > m_worst.gapMs) {
                m_worst = here;
                m_worst.context = m_context ? m_context() : QString();
                m_worst.kernel = kernel();
            }
            // What no scheduler can be blamed for: the gap less its wait
            // for a CPU (work on the GUI thread, or the thread blocked).
            if (here.ownMs() > m_worstOwn.ownMs()) {
                m_worstOwn = here;
                m_worstOwn.context = m_context ? m_context() : QString();
                m_worstOwn.kernel = kernel();
            }
            m_last = now;
            m_lastSched = sched;
        });
    }
    // Asked when a new worst gap ends: what was going on (for the report).
    void setContext(std::function<QString()> context) { m_context = std::move(context); }
    // The planned length, so per-bucket figures end with it.
    void setDuration(int seconds) { m_lastBucket = size_t(std::max(0, seconds - 1) / m_bucketSeconds); }
    // Samples the GUI thread's kernel state in long gaps (KernelWatch).
    void setKernelWatch(KernelWatch *watch) { m_watch = watch; }
    void start()
    {
        m_buckets.clear();
        m_worst = {};
        m_worstOwn = {};
        m_over = 0;
        m_start = m_last = Clock::now();
        m_lastSched = schedTimes();
        if (m_watch)
            m_watch->tick(m_last);
        m_tick.start();
    }
    // The worst gap: when it began (ms after start()), how much of it the
    // GUI thread spent on a CPU and waiting for one, and the context then.
    struct Worst
    {
        double gapMs = 0;
        double onCpuMs = 0;
        double waitingMs = 0; // runnable, waiting for a CPU
        double atMs = 0;
        QString context;
        QString kernel; // KernelWatch's samples in it, if any
        double ownMs() const { return gapMs - waitingMs; }
        double asleepMs() const { return std::max(0.0, gapMs - onCpuMs - waitingMs); } // sampled apart: ±0.1 ms
        QString breakdown() const
        {
            return QStringLiteral("of its %1 ms the GUI thread was on a CPU %2 ms, waiting for a CPU %3 ms, asleep "
                                  "or blocked %4 ms")
                .arg(gapMs, 0, 'f', 1)
                .arg(onCpuMs, 0, 'f', 1)
                .arg(waitingMs, 0, 'f', 1)
                .arg(asleepMs(), 0, 'f', 1);
        }
    };
    Worst worst() const { return m_worst; }
    qsizetype gapsOverTarget() const { return m_over; }
    // The gap with the most time not spent waiting for a CPU: roughly the
    // worst an idle machine would have seen.
    Worst worstOwn() const { return m_worstOwn; }
    void stop() { m_tick.stop(); }
    Stall overall() const
    {
        std::vector<double> all;
        for (const std::vector<double> &b : m_buckets)
            all.insert(all.end(), b.begin(), b.end());
        return figuresOf(std::move(all));
    }
    QList<Stall> buckets() const
    {
        QList<Stall> out;
        for (const std::vector<double> &b : m_buckets)
            out.append(figuresOf(b));
        return out;
    }

private:
    int m_bucketSeconds;
    QTimer m_tick;
    Clock::time_point m_start;
    Clock::time_point m_last;
    SchedTimes m_lastSched;
    Worst m_worst;
    qsizetype m_over = 0;
    Worst m_worstOwn;
    KernelWatch *m_watch = nullptr;
    size_t m_lastBucket = SIZE_MAX;
    std::function<QString()> m_context;
    std::vector<std::vector<double>> m_buckets;
};

Stall measureStall(int seconds)
{
    GapMeter meter;
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    meter.start();
    loop.exec();
    meter.stop();
    return meter.overall();
}

// Once a second, one thing a user does in the editor, through its widgets
// (QTest's mouse and key events on the canvas's viewport and the inspector,
// the View menu's dock toggles, Edit › Undo — the action Ctrl+Z triggers),
// in turn:
//   0. drag the first card 48×32 px and back with Ctrl+Z;
//   1. click that card, type ", bench" at the end of the inspector's Tags
//      and Ctrl+Z;
//   2. show or hide the Problems dock;
//   3. show or hide the Artifacts dock (showing it regenerates the files).
// Every edit is undone, so the design ends as it began; each step's own
// time on the GUI thread is kept (it is part of the gaps measured).
class EditorDriver
{
public:
    explicit EditorDriver(MainWindow &window)
        : m_window(window)
    {
        m_timer.setInterval(1000);
        QObject::connect(&m_timer, &QTimer::timeout, [this] { step(); });
        for (QAction *a : window.allActions()) {
            if (a->objectName() == u"actionUndo")
                m_undo = a;
            else if (a->objectName() == u"actionShow_problemsDock")
                m_problems = a;
            else if (a->objectName() == u"actionShow_artifactsDock")
                m_artifacts = a;
        }
        m_original = window.model().topology();
    }
    void start() { m_timer.start(); }
    void stop() { m_timer.stop(); }

    int actions() const { return m_actions; }
    double worstActionMs() const { return m_worstActionMs; }
    QStringList failures() const { return m_failures; }
    // The design is as it was before the first action.
    bool designUnchanged() const { return m_window.model().topology() == m_original; }

    // "640 ms after editor action 7 began (drag + Ctrl+Z, which took 3.1 ms)"
    QString lastAction() const
    {
        if (m_actions == 0)
            return QStringLiteral("before the first editor action");
        static const char *const kinds[]
            = {"drag + Ctrl+Z", "Tags typed + Ctrl+Z", "Problems dock toggled", "Artifacts dock toggled"};
        return QStringLiteral("%1 ms after editor action %2 began (%3, which took %4 ms)")
            .arg(double(m_sinceLast.nsecsElapsed()) / 1e6, 0, 'f', 0)
            .arg(m_actions)
            .arg(QLatin1StringView(kinds[(m_actions - 1) % 4]))
            .arg(m_lastMs, 0, 'f', 1);
    }

private:
    QWidget *viewport() const { return m_window.canvas()->viewport(); }

    void step()
    {
        QElapsedTimer took;
        took.start();
        m_sinceLast.start();
        switch (m_actions % 4) {
        case 0: moveCard(); break;
        case 1: typeTags(); break;
        case 2: toggle(m_problems, "Problems"); break;
        case 3: toggle(m_artifacts, "Artifacts"); break;
        }
        m_lastMs = double(took.nsecsElapsed()) / 1e6;
        m_worstActionMs = std::max(m_worstActionMs, m_lastMs);
        ++m_actions;
    }

    void fail(const QString &what)
    {
        if (m_failures.size() < 10)
            m_failures.append(what);
    }

    // The first card's centre in viewport coordinates, scrolled into view.
    std::optional<QPoint> cardCentre(mesh::model::ServiceId *id)
    {
        CanvasView *view = m_window.canvas();
        *id = m_window.model().topology().services.constFirst().id;
        const auto *item = view->canvasScene()->serviceItem(*id);
        if (!item)
            return std::nullopt;
        QPoint at = view->mapFromScene(item->sceneBoundingRect().center());
        if (!viewport()->rect().adjusted(40, 40, -40, -40).contains(at)) {
            view->centerOn(item);
            at = view->mapFromScene(item->sceneBoundingRect().center());
        }
        return at;
    }

    void undoTo(int index)
    {
        QUndoStack &stack = m_window.undoStack();
        for (int i = 0; i < 100 && stack.index() > index; ++i)
            m_undo->trigger();
    }

    void moveCard()
    {
        mesh::model::ServiceId id;
        const std::optional<QPoint> from = cardCentre(&id);
        if (!from) {
            fail(QStringLiteral("no card to move"));
            return;
        }
        const QPointF before = m_window.model().topology().services.constFirst().position;
        const int index = m_window.undoStack().index();
        const QPoint to = *from + QPoint(48, 32);
        QTest::mousePress(viewport(), Qt::LeftButton, {}, *from);
        for (int i = 1; i <= 6; ++i) {
            const QPoint p = *from + (to - *from) * i / 6;
            QMouseEvent move(QEvent::MouseMove, p, viewport()->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, {});
            QCoreApplication::sendEvent(viewport(), &move);
        }
        QTest::mouseRelease(viewport(), Qt::LeftButton, {}, to);
        if (m_window.model().topology().services.constFirst().position == before)
            fail(QStringLiteral("a drag did not move the card"));
        undoTo(index);
        if (m_window.model().topology().services.constFirst().position != before)
            fail(QStringLiteral("Ctrl+Z did not put the card back"));
    }

    void typeTags()
    {
        mesh::model::ServiceId id;
        const std::optional<QPoint> at = cardCentre(&id);
        if (!at) {
            fail(QStringLiteral("no card to click"));
            return;
        }
        QTest::mouseClick(viewport(), Qt::LeftButton, {}, *at);
        auto *field = qobject_cast<QLineEdit *>(m_window.inspector()->fieldWidget(QStringLiteral("tags")));
        if (m_window.inspector()->shownService() != id || !field) {
            fail(QStringLiteral("the inspector does not show the clicked card's Tags"));
            return;
        }
        const QStringList before = m_window.model().topology().services.constFirst().tags;
        const int index = m_window.undoStack().index();
        QTest::mouseClick(field, Qt::LeftButton, {}, QPoint(10, field->height() / 2));
        QTest::keyClick(field, Qt::Key_End);
        QTest::keyClicks(field, QStringLiteral(", bench"));
        if (m_window.model().topology().services.constFirst().tags == before)
            fail(QStringLiteral("typing into Tags changed nothing"));
        undoTo(index);
        if (m_window.model().topology().services.constFirst().tags != before)
            fail(QStringLiteral("Ctrl+Z did not restore the tags"));
    }

    void toggle(QAction *show, const char *dock)
    {
        if (!show) {
            fail(QStringLiteral("no View action for the %1 dock").arg(QLatin1StringView(dock)));
            return;
        }
        show->trigger();
    }

    MainWindow &m_window;
    QTimer m_timer;
    QAction *m_undo = nullptr;
    QAction *m_problems = nullptr;
    QAction *m_artifacts = nullptr;
    mesh::model::Topology m_original;
    int m_actions = 0;
    double m_worstActionMs = 0;
    double m_lastMs = 0;
    QElapsedTimer m_sinceLast;
    QStringList m_failures;
};

// A constant-rate HTTP/1.1 client: kWorkers threads, each with one
// keep-alive connection, each sending its share of kRate on a fixed schedule
// (late requests go at once, so the rate holds when a reply is slow).
class PacedClient
{
public:
    PacedClient(std::string address, quint16 port)
        : m_address(std::move(address))
        , m_port(port)
    {
    }
    ~PacedClient() { stop(); }

    void start()
    {
        m_workers.start(kWorkers, [this] { work(); });
    }
    void stop() { m_workers.stop(); }
    quint64 completed() const { return m_completed; }
    quint64 errors() const { return m_errors; }

private:
    // A reply that never comes costs the request (an error) after 2 s, not
    // the worker's whole run.
    int dial() const { return mesh::bench::dialTcp(m_address, m_port, std::chrono::seconds(2)); }

    void work()
    {
        const std::string request = "GET / HTTP/1.1\r\nHost: count-api\r\n\r\n";
        const auto interval = std::chrono::nanoseconds(1'000'000'000LL * kWorkers / kRate);
        int fd = dial();
        auto next = Clock::now();
        while (!m_workers.stopping()) {
            std::this_thread::sleep_until(next);
            next += interval;
            if (fd < 0 && (fd = dial()) < 0) {
                ++m_errors;
                continue;
            }
            if (mesh::bench::exchange(fd, request)) {
                ++m_completed;
            } else {
                ++m_errors;
                ::close(fd);
                fd = -1;
            }
        }
        if (fd >= 0)
            ::close(fd);
    }

    std::string m_address;
    quint16 m_port;
    std::atomic<quint64> m_completed{0};
    std::atomic<quint64> m_errors{0};
    mesh::bench::WorkerThreads m_workers; // last: joined before the counters go
};

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Settings and the lab's CA of this run only.
    QTemporaryDir home;
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("meshpad-bench"));
    QTextStream out(stdout);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The editor's Run on the countdash example under load."));
    parser.addHelpOption();
    const QCommandLineOption durationOption(
        QStringLiteral("duration"),
        QStringLiteral("Seconds of load, with the editor driven (default %1).").arg(kLoadSeconds), QStringLiteral("S"),
        QString::number(kLoadSeconds));
    parser.addOption(durationOption);
    parser.process(app);
    bool durationOk = false;
    const int loadSeconds = parser.value(durationOption).toInt(&durationOk);
    if (!durationOk || loadSeconds < 1) {
        out << "--duration takes a number of seconds (1 or more)\n";
        return 2;
    }
    // The machine may be shared: say how busy it was.
    out << "load average at start: " << loadAverage() << "\n";
    out.flush();

    MainWindow window;
    if (!window.openFile(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"))) {
        out << "cannot open the example\n";
        return 1;
    }
    window.show();
    waitFor([] { return false; }, 500); // first layout and paint
    const double rssBefore = rssMiB();
    const Stall idleBefore = measureStall(kIdleSeconds);

    // Run → the first count a page receives.
    QAction *run = nullptr;
    for (QAction *a : window.allActions()) {
        if (a->objectName() == u"actionLabRun")
            run = a;
    }
    QWebSocket page;
    QElapsedTimer sinceRun;
    qint64 startedMs = -1;
    qint64 firstCountMs = -1;
    bool connecting = false;
    const auto openPage = [&] {
        const QString url = window.lab().snapshot().dashboardUrl;
        if (connecting || url.isEmpty())
            return;
        QUrl ws(url);
        ws.setScheme(QStringLiteral("ws"));
        ws.setPath(QStringLiteral("/ws"));
        connecting = true;
        page.open(ws);
    };
    QObject::connect(&window.lab(), &mesh::lab::Lab::started, &window, [&] {
        startedMs = sinceRun.elapsed();
        openPage();
    });
    QObject::connect(&window.lab(), &mesh::lab::Lab::snapshotChanged, &window, [&] { openPage(); });
    // Not listening yet: try again shortly, as a browser's reconnect would.
    QObject::connect(&page, &QWebSocket::stateChanged, &window, [&](QAbstractSocket::SocketState state) {
        if (state != QAbstractSocket::UnconnectedState || firstCountMs >= 0)
            return;
        QTimer::singleShot(10, &window, [&] {
            connecting = false;
            openPage();
        });
    });
    QObject::connect(&page, &QWebSocket::textMessageReceived, &window, [&](const QString &message) {
        if (firstCountMs < 0 && message.contains(u"\"count\":") && message.contains(u"\"message\":\"\""))
            firstCountMs = sinceRun.elapsed();
    });
    // Row F14: the GUI thread across Run itself (its own work on the GUI
    // thread counts: a long trigger() is one long gap).
    GapMeter runGaps(3600);
    KernelWatch kernelWatch;
    runGaps.setKernelWatch(&kernelWatch);
    kernelWatch.start();
    runGaps.start();
    sinceRun.start();
    run->trigger();
    if (!waitFor([&] { return firstCountMs >= 0; }, 30000)) {
        out << "no count within 30 s\n";
        return 1;
    }
    runGaps.stop();
    const Stall runStall = runGaps.overall();
    waitFor([] { return false; }, 2000); // settle: every check passing, a few fetches
    const double rssRunning = rssMiB();

    // The load, aimed at the dashboard's upstream listener (its allocation's
    // own address, the arrow's local bind port).
    const mesh::lab::LabSnapshot snapshot = window.lab().snapshot();
    QString address;
    for (const mesh::lab::InstanceSnapshot &i : snapshot.instances) {
        if (i.serviceName == u"count-dashboard")
            address = i.address;
    }
    const quint16 port = quint16(window.model().topology().upstreams.constFirst().localBindPort);
    PacedClient client(address.toStdString(), port);
    client.start();
    waitFor([] { return false; }, 1000); // connections and handshakes made
    const quint64 before = client.completed();
    QElapsedTimer loadTime;
    loadTime.start();
    GapMeter loadGaps;
    EditorDriver editor(window);
    loadGaps.setContext([&] { return editor.lastAction(); });
    loadGaps.setKernelWatch(&kernelWatch);
    loadGaps.setDuration(loadSeconds);
    {
        QEventLoop loop;
        QTimer::singleShot(loadSeconds * 1000, &loop, &QEventLoop::quit);
        loadGaps.start();
        editor.start();
        loop.exec();
        editor.stop();
        loadGaps.stop();
    }
    kernelWatch.stop();
    const Stall loaded = loadGaps.overall();
    const quint64 done = client.completed() - before;
    const double loadElapsed = double(loadTime.nsecsElapsed()) / 1e9;
    client.stop();
    const double rssLoaded = rssMiB();

    out << "lab GUI bench (countdash example, offscreen, one process)\n";
    out << QStringLiteral("  Run → lab started                      %1 ms\n").arg(startedMs);
    out << QStringLiteral("  Run → dashboard's first count          %1 ms   (target < 2000 ms)\n").arg(firstCountMs);
    out << QStringLiteral("  RSS before Run (window open)           %1 MiB\n").arg(rssBefore, 0, 'f', 1);
    out << QStringLiteral("  RSS with the example running + a page  %1 MiB   (target < 150 MB)\n")
               .arg(rssRunning, 0, 'f', 1);
    out << QStringLiteral("  RSS after the load                     %1 MiB\n").arg(rssLoaded, 0, 'f', 1);
    out << QStringLiteral("  event loop, idle before Run:  worst gap %1 ms, p99 %2 ms (%3 ticks of 1 ms in %4 s)\n")
               .arg(idleBefore.maxMs, 0, 'f', 1)
               .arg(idleBefore.p99Ms, 0, 'f', 1)
               .arg(idleBefore.ticks)
               .arg(kIdleSeconds);
    out << QStringLiteral("  event loop across Run (Run → first count): worst gap %1 ms, p99 %2 ms (%3 ticks)\n")
               .arg(runStall.maxMs, 0, 'f', 1)
               .arg(runStall.p99Ms, 0, 'f', 1)
               .arg(runStall.ticks);
    out << QStringLiteral("  event loop, lab under load + page open + editor used, per minute:\n");
    const QList<Stall> minutes = loadGaps.buckets();
    for (qsizetype i = 0; i < minutes.size(); ++i) {
        const int from = int(i) * kBucketSeconds;
        out << QStringLiteral("    %1–%2 s: worst gap %3 ms, p99 %4 ms (%5 ticks)\n")
                   .arg(from)
                   .arg(std::min(from + kBucketSeconds, loadSeconds))
                   .arg(minutes.at(i).maxMs, 0, 'f', 1)
                   .arg(minutes.at(i).p99Ms, 0, 'f', 1)
                   .arg(minutes.at(i).ticks);
    }
    out << QStringLiteral("  event loop, lab under load + page open + editor used: worst gap %1 ms, p99 %2 ms "
                          "(%3 ticks in %4 s)   (target < 50 ms)\n")
               .arg(loaded.maxMs, 0, 'f', 1)
               .arg(loaded.p99Ms, 0, 'f', 1)
               .arg(loaded.ticks)
               .arg(loadSeconds);
    const GapMeter::Worst worst = loadGaps.worst();
    out << QStringLiteral("  its worst gap began %1 s in and ended %2; %3; %4 gaps of 50 ms or more in all\n")
               .arg(worst.atMs / 1000, 0, 'f', 1)
               .arg(worst.context, worst.breakdown())
               .arg(loadGaps.gapsOverTarget());
    if (!worst.kernel.isEmpty())
        out << "    the GUI thread in it, per /proc (state, wait channel, system call): " << worst.kernel << "\n";
    const GapMeter::Worst own = loadGaps.worstOwn();
    out << QStringLiteral("  the gap with the most time not waiting for a CPU (%1 ms) began %2 s in and ended %3; %4\n")
               .arg(own.ownMs(), 0, 'f', 1)
               .arg(own.atMs / 1000, 0, 'f', 1)
               .arg(own.context, own.breakdown());
    if (!own.kernel.isEmpty())
        out << "    the GUI thread in it, per /proc (state, wait channel, system call): " << own.kernel << "\n";
    const GapMeter::Worst runWorst = runGaps.worst();
    out << QStringLiteral("  across Run, the worst gap began %1 ms after Run; %2; the most not waiting for a CPU in "
                          "one gap: %3 ms\n")
               .arg(runWorst.atMs, 0, 'f', 0)
               .arg(runWorst.breakdown())
               .arg(runGaps.worstOwn().ownMs(), 0, 'f', 1);
    if (!runWorst.kernel.isEmpty())
        out << "    the GUI thread in it, per /proc (state, wait channel, system call): " << runWorst.kernel << "\n";
    out << QStringLiteral("  editor: %1 actions (drag + Ctrl+Z, Tags typed + Ctrl+Z, Problems/Artifacts dock "
                          "toggled), the longest took %2 ms; design unchanged after: %3\n")
               .arg(editor.actions())
               .arg(editor.worstActionMs(), 0, 'f', 1)
               .arg(editor.designUnchanged() ? QStringLiteral("yes") : QStringLiteral("NO"));
    for (const QString &failure : editor.failures())
        out << "  editor action failed: " << failure << "\n";
    out << QStringLiteral("  load: %1 requests/s offered, %2/s completed through %3:%4 (%5 errors)\n")
               .arg(kRate)
               .arg(double(done) / loadElapsed, 0, 'f', 0)
               .arg(address)
               .arg(port)
               .arg(client.errors());
    out << "  load average at end: " << loadAverage() << "\n";
    out << QStringLiteral("F14 Run: worst gap %1 ms\n").arg(runStall.maxMs, 0, 'f', 1);
    out << QStringLiteral("L4 soak (%1 s, page open, editor used): worst gap %2 ms (at most %3 ms of one gap not "
                          "waiting for a CPU)\n")
               .arg(loadSeconds)
               .arg(loaded.maxMs, 0, 'f', 1)
               .arg(loadGaps.worstOwn().ownMs(), 0, 'f', 1);
    const auto held = [](double ms) { return ms < kTargetMs ? QStringLiteral("held") : QStringLiteral("NOT held"); };
    out << QStringLiteral("< 50 ms: F14 Run %1, L4 %2\n").arg(held(runStall.maxMs), held(loaded.maxMs));
    out.flush();

    page.close();
    for (QAction *a : window.allActions()) {
        if (a->objectName() == u"actionLabStop")
            a->trigger();
    }
    waitFor([&] { return window.labState() == MainWindow::LabState::Idle; }, 10000);
    window.undoStack().setClean();
    return 0;
}
