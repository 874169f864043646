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
// Figures only.

#include "deploy/deployprogress.h"

#include "consul/consulclient.h"
#include "deploy/deployer.h"
#include "deploy/deploytarget.h"
#include "deploy/desiredstate.h"
#include "deploy/planner.h"
#include "lab/lab.h"
#include "model/projectfile.h"
#include "nomad/nomadclient.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <QCoro/QCoroTask>

#include <algorithm>
#include <chrono>
#include <vector>

using namespace Qt::StringLiterals;
using namespace mesh;

namespace {

using Clock = std::chrono::steady_clock;

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
            m_gaps.push_back(std::chrono::duration<double, std::milli>(now - m_last).count());
            m_last = now;
        });
        m_last = Clock::now();
        m_tick.start();
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
    std::vector<double> m_gaps;
};

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
    out() << "  baseline, POST /v1/jobs + blocking reads to successful: " << QString::number(baseline, 'f', 0)
          << " ms" << Qt::endl;
    out() << "  meshpad plan: " << QString::number(planMs, 'f', 0) << " ms; Deploy → successful: "
          << QString::number(applyMs, 'f', 0) << " ms (" << QString::number(applyMs / baseline, 'f', 2)
          << "× the baseline)" << Qt::endl;
    out() << "  GUI thread while watching: " << stallText << "; " << events << " events, the progress panel took "
          << QString::number(worstEventMs, 'f', 1) << " ms at worst for one" << Qt::endl;
    timer.restart();
    purge(c, state);
    out() << "  teardown (plan + apply + services gone from Consul): " << QString::number(double(timer.nsecsElapsed()) / 1e6, 'f', 0)
          << " ms" << Qt::endl;
    idle(1000);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    qRegisterMetaType<deploy::DeployEvent>();
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
    auto target = deploy::DeployTarget::lab(snapshot.nodes.first().consulAddress,
                                                  snapshot.nodes.first().nomadAddress, QProcessEnvironment());
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
    if (only.isEmpty() || only == "countdash")
        measure(clients, u"countdash"_s, *loaded, false);
    if (only.isEmpty() || only == "countdash-quick")
        measure(clients, u"countdash"_s, *loaded, true);
    if (only.isEmpty() || only == "hundred-quick")
        measure(clients, u"100 services"_s, hundredServices(), true);
    if (only.isEmpty() || only == "hundred")
        measure(clients, u"100 services"_s, hundredServices(), false);
    lab.stop();
    for (int i = 0; i < 300 && lab.isRunning(); ++i)
        idle(100);
    return 0;
}
