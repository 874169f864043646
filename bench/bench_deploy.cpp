// Deploy on the embedded lab, in one process as the editor runs it (the lab
// on its network thread, the Deployer and the Deploy dialog's progress panel
// on the GUI thread):
//   - the time from Deploy (Deployer::apply) to every deployment successful,
//     for the countdash example and for a 100-service design (25 jobs of 4
//     groups, a chain of 99 arrows);
//   - beside it, the baseline in the same process and lab: the same job
//     bodies POSTed straight to /v1/jobs and each deployment followed with
//     blocking queries until successful — what `nomad job run` does, without
//     plan, intentions, check-and-set or explanations;
//   - the GUI thread's worst stall while watching (largest gap between ticks
//     of a 1 ms timer), beside the same figure idle.
// Each design is measured twice: with Nomad's default min_healthy_time (10 s,
// which no deployment can beat) and with min_healthy_time 0, where what is
// left is the lab's start-up and Meshpad's own work.
// Targets (issue 12): countdash < 3 s, 100 services < 15 s, stall < 50 ms.
// And the first HTTPS use (issue 16, row F14): HAProxy terminates TLS in
// front of the lab's Consul and Nomad APIs (a CA and a server certificate
// for IP 127.0.0.1 made with the openssl CLI), and a fresh process of this
// bench (--https-child, so OpenSSL, Qt's TLS backend and its caches are
// cold) opens the editor with countdash, opens Deploy…, picks the
// `environment` target (CONSUL_HTTP_ADDR/NOMAD_ADDR https://…,
// CONSUL_CACERT/NOMAD_CACERT the CA) and presses Plan: the GUI thread's
// worst gap from opening the dialog to the plan shown, then the same for a
// second Plan (warm). BENCH_ONLY=https runs only that.
// Figures only.

#include "schedtimes.h"

#include "deploy/deploydialog.h"
#include "deploy/deployprogress.h"
#include "mainwindow.h"

#include "consul/consulclient.h"
#include "deploy/deployer.h"
#include "deploy/deploytarget.h"
#include "deploy/desiredstate.h"
#include "deploy/planner.h"
#include "lab/lab.h"
#include "model/projectfile.h"
#include "nomad/nomadclient.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

#include <QCoro/QCoroTask>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace mesh;

namespace {

using Clock = std::chrono::steady_clock;
using mesh::bench::SchedTimes;
using mesh::bench::schedTimes;

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

// Gaps between ticks of a 1 ms timer while it is alive.
class StallMeter
{
public:
    StallMeter()
    {
        m_tick.setTimerType(Qt::PreciseTimer);
        m_tick.setInterval(1);
        QObject::connect(&m_tick, &QTimer::timeout, [this] {
            const auto now = Clock::now();
            const SchedTimes sched = schedTimes();
            const double gap = std::chrono::duration<double, std::milli>(now - m_last).count();
            m_gaps.push_back(gap);
            // What no scheduler can be blamed for: the gap less its wait
            // for a CPU (work on the GUI thread, or the thread blocked).
            m_worstOwn = std::max(m_worstOwn, gap - (sched.waitMs - m_lastSched.waitMs));
            if (gap > m_worst) {
                m_worst = gap;
                m_worstOnCpu = sched.cpuMs - m_lastSched.cpuMs;
                m_worstWaiting = sched.waitMs - m_lastSched.waitMs;
            }
            m_last = now;
            m_lastSched = sched;
        });
        m_last = Clock::now();
        m_lastSched = schedTimes();
        m_tick.start();
    }
    double worstMs() const { return m_worst; }
    // The most of one gap not spent waiting for a CPU: roughly the worst an
    // idle machine would have seen.
    double worstOwnMs() const { return m_worstOwn; }
    // How the GUI thread spent its worst gap: on a CPU, waiting for one, and
    // the rest asleep or blocked.
    QString worstBreakdown() const
    {
        return u"of its %1 ms on a CPU %2 ms, waiting for a CPU %3 ms, asleep or blocked %4 ms"_s
            .arg(m_worst, 0, 'f', 1)
            .arg(m_worstOnCpu, 0, 'f', 1)
            .arg(m_worstWaiting, 0, 'f', 1)
            .arg(std::max(0.0, m_worst - m_worstOnCpu - m_worstWaiting), 0, 'f', 1); // sampled apart: ±0.1 ms
    }
    QString figures()
    {
        m_tick.stop();
        if (m_gaps.empty())
            return u"no ticks"_s;
        std::sort(m_gaps.begin(), m_gaps.end());
        return u"worst %1 ms, p99 %2 ms over %3 ticks"_s.arg(m_gaps.back(), 0, 'f', 1)
            .arg(m_gaps[size_t(double(m_gaps.size() - 1) * 0.99)], 0, 'f', 1)
            .arg(m_gaps.size());
    }

private:
    QTimer m_tick;
    Clock::time_point m_last;
    SchedTimes m_lastSched;
    double m_worst = 0;
    double m_worstOnCpu = 0;
    double m_worstWaiting = 0;
    double m_worstOwn = 0;
    std::vector<double> m_gaps;
};

QString loadAverage()
{
    QFile file(u"/proc/loadavg"_s);
    if (!file.open(QIODevice::ReadOnly))
        return u"?"_s;
    return QString::fromLatin1(file.readAll().trimmed());
}

void idle(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

model::Topology hundredServices()
{
    auto loaded = model::ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
    model::Service counter;
    for (const model::Service &s : loaded->services) {
        if (s.name == u"count-api")
            counter = s;
    }
    model::Topology t;
    t.name = u"hundred"_s;
    for (int i = 0; i < 100; ++i) {
        model::Service s = counter;
        s.name = u"svc-%1"_s.arg(i, 3, 10, QChar(u'0'));
        s.id = {s.name};
        s.job = u"job-%1"_s.arg(i / 4, 2, 10, QChar(u'0'));
        s.group = u"g%1"_s.arg(i % 4);
        s.count = 1;
        t.services.append(s);
        if (i > 0) {
            model::Upstream u;
            u.id = {u"a%1"_s.arg(i)};
            u.downstream = t.services.at(i - 1).id;
            u.destination = s.id;
            u.localBindPort = 8080;
            t.upstreams.append(u);
        }
    }
    return t;
}

deploy::DesiredState desired(const model::Topology &topology, bool quick)
{
    deploy::DesiredState state = deploy::DesiredState::fromTopology(topology, topology.name);
    if (quick) {
        for (QJsonObject &job : state.jobs)
            job.insert(u"Update"_s, QJsonObject{{u"MinHealthyTime"_s, 0}});
    }
    return state;
}

struct Clients
{
    consul::ConsulClient *consul;
    nomad::NomadClient *nomad;
};

// POST every job, then follow each deployment with blocking queries until
// it is successful: the baseline.
double directApi(const Clients &c, const deploy::DesiredState &state)
{
    QElapsedTimer timer;
    timer.start();
    QStringList evals;
    for (const QJsonObject &job : state.jobs) {
        auto r = QCoro::waitFor(c.nomad->registerJob(job));
        if (!r) {
            out() << "  direct POST failed: " << r.error().message << Qt::endl;
            return -1;
        }
        evals.append(r->evalID);
    }
    for (const QString &evalId : std::as_const(evals)) {
        api::QueryOptions options;
        quint64 index = 0;
        QString deploymentId;
        for (int i = 0; i < 1000 && deploymentId.isEmpty(); ++i) {
            options.index = index;
            options.wait = std::chrono::seconds(30);
            auto e = QCoro::waitFor(c.nomad->evaluation(evalId, options));
            if (!e)
                return -1;
            index = e->index;
            deploymentId = e->value.deploymentID;
        }
        index = 0;
        for (;;) {
            options.index = index;
            options.wait = std::chrono::seconds(30);
            auto d = QCoro::waitFor(c.nomad->deployment(deploymentId, options));
            if (!d)
                return -1;
            index = d->index;
            if (d->value.status == u"successful")
                break;
            if (d->value.status == u"failed")
                return -1;
        }
    }
    return double(timer.nsecsElapsed()) / 1e6;
}

void purge(const Clients &c, const deploy::DesiredState &state)
{
    deploy::Planner planner(c.consul, c.nomad);
    auto plan = QCoro::waitFor(planner.plan(deploy::DesiredState::nothing(state.design), true));
    if (plan) {
        deploy::Deployer deployer(c.consul, c.nomad);
        QCoro::waitFor(deployer.apply(*plan));
    }
    // The baseline's jobs carry the design's meta too, so this removes them.
}

void measure(const Clients &c, const QString &label, const model::Topology &topology, bool quick)
{
    const deploy::DesiredState state = desired(topology, quick);
    out() << label << (quick ? " (min_healthy_time 0)" : " (min_healthy_time 10 s, Nomad's default)") << Qt::endl;

    const double baseline = directApi(c, state);
    purge(c, state);
    idle(1000);

    deploy::Planner planner(c.consul, c.nomad);
    QElapsedTimer timer;
    timer.start();
    auto plan = QCoro::waitFor(planner.plan(state));
    const double planMs = double(timer.nsecsElapsed()) / 1e6;
    if (!plan) {
        out() << "  plan failed: " << plan.error().message << Qt::endl;
        return;
    }
    meshpad::gui::DeployProgress progress;
    progress.resize(800, 400);
    if (qEnvironmentVariableIsEmpty("BENCH_HIDE"))
        progress.show();
    progress.start(*plan);
    deploy::Deployer deployer(c.consul, c.nomad);
    double worstEventMs = 0;
    int events = 0;
    QObject::connect(&deployer, &deploy::Deployer::event, &progress, [&](const deploy::DeployEvent &event) {
        QElapsedTimer shown;
        shown.start();
        progress.addEvent(event);
        worstEventMs = std::max(worstEventMs, double(shown.nsecsElapsed()) / 1e6);
        ++events;
    });
    if (!qEnvironmentVariableIsEmpty("BENCH_PAINT_FIRST"))
        idle(500);
    StallMeter stall;
    timer.restart();
    auto outcome = QCoro::waitFor(deployer.apply(*plan));
    const double applyMs = double(timer.nsecsElapsed()) / 1e6;
    const QString stallText = stall.figures();
    if (!outcome || outcome->status != deploy::DeployOutcome::Status::Succeeded) {
        out() << "  deploy failed: " << (outcome ? outcome->failures.join(u"; "_s) : outcome.error().message)
              << Qt::endl;
    }
    out() << "  baseline, POST /v1/jobs + blocking reads to successful: " << QString::number(baseline, 'f', 0) << " ms"
          << Qt::endl;
    out() << "  meshpad plan: " << QString::number(planMs, 'f', 0)
          << " ms; Deploy → successful: " << QString::number(applyMs, 'f', 0) << " ms ("
          << QString::number(applyMs / baseline, 'f', 2) << "× the baseline)" << Qt::endl;
    out() << "  GUI thread while watching: " << stallText << "; " << events << " events, the progress panel took "
          << QString::number(worstEventMs, 'f', 1) << " ms at worst for one" << Qt::endl;
    timer.restart();
    purge(c, state);
    out() << "  teardown (plan + apply + services gone from Consul): "
          << QString::number(double(timer.nsecsElapsed()) / 1e6, 'f', 0) << " ms" << Qt::endl;
    idle(1000);
}

// Runs the event loop until `done` or `timeoutMs`; false on timeout.
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer elapsed;
    elapsed.start();
    while (!done() && elapsed.elapsed() < timeoutMs)
        idle(5);
    return done();
}

// The --https-child process: the editor's Deploy… on the environment
// target its parent set up (HTTPS with a CA file), from a cold start.
int httpsChild()
{
    meshpad::gui::MainWindow window;
    if (!window.openFile(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"))) {
        out() << "  cannot open the example" << Qt::endl;
        return 1;
    }
    window.show();
    idle(500); // first layout and paint
    QAction *deploy = nullptr;
    for (QAction *a : window.allActions()) {
        if (a->objectName() == u"actionDeploy")
            deploy = a;
    }
    if (!deploy) {
        out() << "  no Deploy action" << Qt::endl;
        return 1;
    }
    using Stage = meshpad::gui::DeployDialog::Stage;
    // One Plan: from `open` (the dialog opened) or a second press, to the
    // plan shown or an error.
    const auto plan = [&](bool open, const QString &label) {
        StallMeter stall;
        QElapsedTimer timer;
        timer.start();
        if (open)
            deploy->trigger();
        meshpad::gui::DeployDialog *dialog = window.deployDialog();
        if (!dialog) {
            out() << "  the Deploy dialog did not open" << Qt::endl;
            return false;
        }
        if (open && !dialog->selectTarget(u"environment"_s)) {
            out() << "  no environment target" << Qt::endl;
            return false;
        }
        dialog->planButton()->click();
        const bool planned = waitUntil([&] { return dialog->stage() != Stage::Planning; }, 60'000)
                             && dialog->stage() == Stage::Planned;
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        const QString figures = stall.figures();
        if (!planned) {
            out() << "  " << label << ": no plan: " << dialog->statusLabel()->text() << Qt::endl;
            return false;
        }
        out() << "  " << label << ": plan shown after " << QString::number(ms, 'f', 0) << " ms; GUI thread " << figures
              << " (the worst gap: " << stall.worstBreakdown() << ")" << Qt::endl;
        out() << "    " << dialog->statusLabel()->text() << Qt::endl;
        out() << "    the most of one gap not waiting for a CPU: " << QString::number(stall.worstOwnMs(), 'f', 1)
              << " ms" << Qt::endl;
        if (open)
            out() << "F14 first HTTPS deploy: worst gap " << QString::number(stall.worstMs(), 'f', 1) << " ms (at most "
                  << QString::number(stall.worstOwnMs(), 'f', 1) << " ms of one gap not waiting for a CPU)" << Qt::endl;
        return true;
    };
    if (!plan(true, u"Deploy… opened → Plan on HTTPS (first TLS use, cold)"_s))
        return 1;
    idle(500);
    plan(false, u"Plan again (warm: TLS backend loaded, sessions resumable)"_s);
    window.deployDialog()->close();
    idle(200);
    return 0;
}

// A free TCP port on 127.0.0.1 (free when asked: good enough for a bench).
quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

bool run(const QString &program, const QStringList &arguments, const QString &workingDirectory)
{
    QProcess p;
    p.setWorkingDirectory(workingDirectory);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, arguments);
    if (!p.waitForFinished(30'000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        out() << "  " << program << " " << arguments.join(u' ') << " failed: " << QString::fromLocal8Bit(p.readAll())
              << Qt::endl;
        return false;
    }
    return true;
}

// A CA and a server certificate for IP 127.0.0.1 signed by it (P-256, one
// day), in `dir`: ca.pem, and server.pem (certificate + key, as HAProxy's
// `crt` takes it).
bool makeCertificates(const QString &dir)
{
    const QString openssl = u"openssl"_s;
    QFile ext(dir + u"/server.ext"_s);
    if (!ext.open(QIODevice::WriteOnly))
        return false;
    ext.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
              "subjectAltName=IP:127.0.0.1\n");
    ext.close();
    return run(openssl,
               {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s, u"-nodes"_s,
                u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.pem"_s, u"-days"_s, u"1"_s, u"-subj"_s,
                u"/CN=bench_deploy CA"_s},
               dir)
           && run(openssl,
                  {u"req"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s, u"-nodes"_s,
                   u"-keyout"_s, u"server.key"_s, u"-out"_s, u"server.csr"_s, u"-subj"_s, u"/CN=127.0.0.1"_s},
                  dir)
           && run(openssl,
                  {u"x509"_s, u"-req"_s, u"-in"_s, u"server.csr"_s, u"-CA"_s, u"ca.pem"_s, u"-CAkey"_s, u"ca.key"_s,
                   u"-CAcreateserial"_s, u"-out"_s, u"server.crt"_s, u"-days"_s, u"1"_s, u"-extfile"_s,
                   u"server.ext"_s},
                  dir)
           && run(u"sh"_s, {u"-c"_s, u"cat server.crt server.key > server.pem"_s}, dir);
}

// Row F14's first HTTPS Deploy: HAProxy with TLS in front of the lab's
// node-one APIs, and a child process of this bench planning through it.
void firstHttpsDeploy(const lab::LabSnapshot &snapshot)
{
    out() << "first HTTPS use (Deploy… → Plan, a fresh process; HAProxy terminating TLS before the lab's APIs)"
          << Qt::endl;
    const QString haproxy = QStandardPaths::findExecutable(u"haproxy"_s);
    if (haproxy.isEmpty()) {
        out() << "  skipped: no haproxy on PATH" << Qt::endl;
        return;
    }
    QTemporaryDir dir;
    if (!makeCertificates(dir.path()))
        return;
    const QUrl consul(snapshot.nodes.first().consulAddress);
    const QUrl nomad(snapshot.nodes.first().nomadAddress);
    const quint16 consulPort = freePort();
    const quint16 nomadPort = freePort();
    // TCP mode: TLS ends here and the bytes go on as they are; long server
    // timeouts for blocking queries.
    QFile config(dir.filePath(u"haproxy.cfg"_s));
    if (!config.open(QIODevice::WriteOnly))
        return;
    config.write(u"global\n    maxconn 1000\n"
                 "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 10m\n    timeout server 10m\n"
                 "listen consul\n    bind 127.0.0.1:%1 ssl crt %2\n    server consul %3:%4\n"
                 "listen nomad\n    bind 127.0.0.1:%5 ssl crt %2\n    server nomad %6:%7\n"_s.arg(consulPort)
                     .arg(dir.filePath(u"server.pem"_s), consul.host())
                     .arg(consul.port())
                     .arg(nomadPort)
                     .arg(nomad.host())
                     .arg(nomad.port())
                     .toUtf8());
    config.close();
    QProcess proxy;
    proxy.setProcessChannelMode(QProcess::MergedChannels);
    proxy.start(haproxy, {u"-db"_s, u"-f"_s, config.fileName()});
    const auto listening = [](quint16 port) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        return socket.waitForConnected(200);
    };
    if (!proxy.waitForStarted(5000)
        || !waitUntil([&] { return listening(consulPort) && listening(nomadPort); }, 10'000)) {
        out() << "  HAProxy did not start: " << QString::fromLocal8Bit(proxy.readAll()) << Qt::endl;
        proxy.kill();
        proxy.waitForFinished(5000);
        return;
    }
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
    env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
    env.insert(u"CONSUL_HTTP_ADDR"_s, u"https://127.0.0.1:%1"_s.arg(consulPort));
    env.insert(u"NOMAD_ADDR"_s, u"https://127.0.0.1:%1"_s.arg(nomadPort));
    env.insert(u"CONSUL_CACERT"_s, dir.filePath(u"ca.pem"_s));
    env.insert(u"NOMAD_CACERT"_s, dir.filePath(u"ca.pem"_s));
    for (const char *name :
         {"CONSUL_HTTP_TOKEN", "NOMAD_TOKEN", "CONSUL_HTTP_SSL_VERIFY", "NOMAD_SKIP_VERIFY", "CONSUL_TLS_SERVER_NAME",
          "NOMAD_TLS_SERVER_NAME", "CONSUL_CAPATH", "NOMAD_CAPATH", "SSL_CERT_FILE", "SSL_CERT_DIR"})
        env.remove(QString::fromLatin1(name));
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    child.start(QCoreApplication::applicationFilePath(), {u"--https-child"_s});
    // The lab runs on its own thread; this loop keeps the parent's side
    // (and nothing measured) alive meanwhile.
    if (!waitUntil([&] { return child.state() == QProcess::NotRunning; }, 180'000)) {
        out() << "  the child did not finish within 180 s" << Qt::endl;
        child.kill();
        child.waitForFinished(5000);
    } else if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0) {
        out() << "  the child failed (exit " << child.exitCode()
              << "); HAProxy said: " << QString::fromLocal8Bit(proxy.readAll()).trimmed() << Qt::endl;
    }
    proxy.terminate();
    if (!proxy.waitForFinished(5000)) {
        proxy.kill();
        proxy.waitForFinished(5000);
    }
    idle(500);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    qRegisterMetaType<deploy::DeployEvent>();
    if (QCoreApplication::arguments().contains(u"--https-child"_s))
        return httpsChild();
    // The machine may be shared: say how busy it was.
    out() << "load average at start: " << loadAverage() << Qt::endl;
    QTemporaryDir caDir;
    lab::Lab::Options options;
    options.caDirectory = caDir.path();
    options.consulPort = 0;
    options.nomadPort = 0;
    lab::Lab lab(options);
    lab::LabSnapshot snapshot;
    bool failed = false;
    QObject::connect(&lab, &lab::Lab::started, [&](const lab::LabSnapshot &s) { snapshot = s; });
    QObject::connect(&lab, &lab::Lab::startFailed, [&] { failed = true; });
    if (!lab.start(model::Topology{}))
        return 1;
    for (int i = 0; i < 300 && snapshot.nodes.isEmpty() && !failed; ++i)
        idle(100);
    if (snapshot.nodes.isEmpty()) {
        out() << "the lab did not start" << Qt::endl;
        return 1;
    }
    auto target = deploy::DeployTarget::lab(snapshot.nodes.first().consulAddress, snapshot.nodes.first().nomadAddress,
                                            QProcessEnvironment());
    consul::ConsulClient consul(*target.consul.endpoint());
    nomad::NomadClient nomad(*target.nomad.endpoint());
    const Clients clients{&consul, &nomad};
    out() << "lab: " << target.describe() << Qt::endl;
    {
        StallMeter idleStall;
        idle(3000);
        out() << "GUI thread idle, 3 s: " << idleStall.figures() << Qt::endl;
    }
    auto loaded = model::ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
    // BENCH_ONLY=hundred-quick: one scenario (for a profiler).
    const QByteArray only = qgetenv("BENCH_ONLY");
    if (only.isEmpty() || only == "https")
        firstHttpsDeploy(snapshot);
    if (only.isEmpty() || only == "countdash")
        measure(clients, u"countdash"_s, *loaded, false);
    if (only.isEmpty() || only == "countdash-quick")
        measure(clients, u"countdash"_s, *loaded, true);
    if (only.isEmpty() || only == "hundred-quick")
        measure(clients, u"100 services"_s, hundredServices(), true);
    if (only.isEmpty() || only == "hundred")
        measure(clients, u"100 services"_s, hundredServices(), false);
    out() << "load average at end: " << loadAverage() << Qt::endl;
    lab.stop();
    for (int i = 0; i < 300 && lab.isRunning(); ++i)
        idle(100);
    return 0;
}
