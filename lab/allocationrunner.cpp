#include "allocationrunner.h"

#include "api/consulstate.h"
#include "healthchecker.h"
#include "portforwarder.h"
#include "portholder.h"
#include "runtimeenvironment.h"

#include "core/goduration.h"
#include "pki/spiffeid.h"
#include "proxy/identitysource.h"
#include "proxy/inboundlistener.h"
#include "proxy/proxymetrics.h"
#include "proxy/upstreamlistener.h"

#include "counterserver.h"
#include "dashboardserver.h"
#include "environment.h"

#include <QDir>
#include <QFileInfo>

#include <csignal>

#if defined(Q_OS_LINUX)
#include <sys/prctl.h>
#include <unistd.h>
#endif

namespace mesh::lab {

namespace {
constexpr int kPortAttempts = 64;
constexpr int kOutputLines = 200;
constexpr auto kStopGrace = std::chrono::seconds(2);
// A task that ran this long before failing starts its back-off afresh.
constexpr qint64 kStableRunMs = 60'000;
// Health checks of services that declare none (the lab's own TCP check).
constexpr int kDefaultCheckTimeoutMs = 1000;
// How often an allocation waiting for a held address looks again: a bind
// and no process started, so no back-off beyond the restart delay is needed.
constexpr auto kMinAddressPoll = std::chrono::milliseconds(100);
constexpr auto kMaxAddressPoll = std::chrono::milliseconds(2000);
} // namespace

AllocationRunner::AllocationRunner(const Context &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    m_service = m_context.topology->service(m_context.serviceId);
    Q_ASSERT(m_service);
    m_clock.start();
    m_restartTimer.setSingleShot(true);
    connect(&m_restartTimer, &QTimer::timeout, this, [this] {
        // Looking again at a held address is no restart: no task ran since.
        const bool restart = !m_waitingForAddress;
        if (restart)
            ++m_restarts;
        start();
        if (restart && (m_state == InstanceState::Starting || m_state == InstanceState::Running))
            Q_EMIT eventOccurred(LabEvent::Kind::Restarted, QStringLiteral("restarted (restart %1)").arg(m_restarts));
    });
    m_killTimer.setSingleShot(true);
    connect(&m_killTimer, &QTimer::timeout, this, [this] {
        if (m_process && m_process->state() != QProcess::NotRunning)
            m_process->kill();
    });
}

AllocationRunner::~AllocationRunner()
{
    if (m_process) {
        m_process->disconnect(this);
        if (m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(1000);
        }
    }
    teardown(/*keepPorts=*/false);
    if (m_context.catalog)
        m_context.catalog->deregister(m_context.plan.allocId);
    if (!m_context.allocDir.isEmpty())
        QDir(m_context.allocDir).removeRecursively();
}

AllocationRunner::TaskKind AllocationRunner::taskKind() const
{
    const model::Service &service = *m_service;
    if (service.driver == model::Driver::Docker) {
        // The seed's first version ran HashiCorp's images; the lab has the
        // same programs built in.
        if (service.image.contains(QStringLiteral("counter-api")))
            return TaskKind::Counter;
        if (service.image.contains(QStringLiteral("counter-dashboard")))
            return TaskKind::Dashboard;
        return TaskKind::Unsupported;
    }
    const QString program = QFileInfo(service.command).fileName();
    if (program == QLatin1String("counter"))
        return TaskKind::Counter;
    if (program == QLatin1String("dashboard"))
        return TaskKind::Dashboard;
    return TaskKind::Process;
}

std::optional<quint16> AllocationRunner::servicePort() const
{
    const std::optional<int> port = m_service->servicePortNumber();
    if (!port || *port <= 0 || *port > 65535)
        return std::nullopt;
    return quint16(*port);
}

bool AllocationRunner::isIdle() const
{
    return !m_process || m_process->state() == QProcess::NotRunning;
}

void AllocationRunner::setState(InstanceState state, const QString &message)
{
    if (state == m_state && message == m_message)
        return;
    m_state = state;
    m_message = message;
    Q_EMIT stateChanged();
}

void AllocationRunner::start()
{
    m_stopping = false;
    m_restartTimer.stop();
    if (!m_received) {
        m_received = true;
        reportTask({.type = nomad::kTaskReceived.toString()}, Tasks::Both);
        reportTask({.type = nomad::kTaskSetup.toString()}, Tasks::Both);
    }
    if (taskKind() == TaskKind::Unsupported) {
        const QString why = QStringLiteral("the lab cannot run docker image \"%1\"; use an exec task "
                                           "(the lab runs HashiCorp's counter-api and counter-dashboard "
                                           "images as its built-in apps)")
                                .arg(m_service->image);
        setState(InstanceState::Failed, why);
        Q_EMIT eventOccurred(LabEvent::Kind::Failed, why);
        reportTask({.type = nomad::kTaskDriverFailure.toString(), .failsTask = true, .driverError = why});
        return;
    }
    setState(InstanceState::Starting);
    if (!m_context.allocDir.isEmpty()) {
        const QDir alloc(m_context.allocDir);
        alloc.mkpath(QStringLiteral("alloc"));
        alloc.mkpath(m_service->task + QStringLiteral("/local"));
        alloc.mkpath(m_service->task + QStringLiteral("/secrets"));
    }
    QString error;
    if (!startPorts(&error)) {
        taskFailed(error, std::nullopt, 0, /*driverFailure=*/true);
        return;
    }
    if (const auto clash = addressClash()) {
        waitForAddress(clash->first, clash->second);
        return;
    }
    m_waitingForAddress = false;
    m_clashPort = 0;
    m_clash.clear();
    if (!startSidecar(&error) || !startTask(&error)) {
        taskFailed(error, std::nullopt, 0, /*driverFailure=*/true);
        return;
    }
    if (m_context.catalog) {
        ConsulState::Registration registration;
        registration.allocId = m_context.plan.allocId;
        registration.service = m_service->name;
        registration.node = m_context.node.name;
        registration.address = m_context.node.address;
        registration.port = m_inbound ? m_sidecarPort : 0;
        registration.group = m_service->group;
        registration.portLabel = m_service->port;
        registration.appAddress = m_context.plan.address;
        registration.appPort = servicePort().value_or(0);
        registration.tags = m_service->tags;
        // Critical until a check passes while the task runs, as a new
        // Consul check starts critical (Status, default "critical":
        // https://developer.hashicorp.com/consul/api-docs/agent/check); a
        // child process may have started, and been checked, in startTask().
        registration.healthy = m_health == HealthStatus::Passing && taskRunning();
        for (const model::Upstream *upstream : m_context.topology->upstreamsFrom(m_service->id)) {
            registration.upstreams.append({RuntimeEnvironment::destinationName(*m_context.topology, *upstream),
                                           m_context.plan.address.toString(), upstream->localBindPort});
        }
        m_context.catalog->registerInstance(registration);
    }
    m_runningSince.start();
    // The sidecar task runs as soon as its listeners do; to Nomad it keeps
    // running while the app task restarts.
    if ((m_inbound || !m_upstreams.isEmpty()) && !m_sidecarRunning) {
        m_sidecarRunning = true;
        reportTask({.type = nomad::kTaskStarted.toString()}, Tasks::Sidecar);
    }
    if (!m_process) {
        setState(InstanceState::Running);
        Q_EMIT eventOccurred(
            LabEvent::Kind::Started,
            QStringLiteral("started on %1 (%2)").arg(m_context.node.name, m_context.plan.address.toString()));
        reportTask({.type = nomad::kTaskStarted.toString()});
        startHealthCheck();
    }
    // A child process is checked from when it has started (startTask), as
    // Nomad registers a task's services only once the task runs
    // (hashicorp/nomad: client/allocrunner/taskrunner/service_hook.go, Poststart).
}

QList<quint16> AllocationRunner::ownPorts() const
{
    QList<quint16> ports;
    const auto add = [&ports](int port) {
        if (port > 0 && port <= 65535 && !ports.contains(quint16(port)))
            ports.append(quint16(port));
    };
    // The embedded apps are bound by the lab itself, which reports a failed
    // listen at once; a child process only fails after it has started.
    if (taskKind() == TaskKind::Process) {
        if (const std::optional<quint16> port = servicePort())
            add(*port);
        for (const AllocatedPort &port : m_ports)
            add(port.to > 0 ? port.to : port.hostPort); // as startPorts() forwards them
    }
    // The sidecar's upstream listeners, bound on the allocation's address
    // when startSidecar() runs.
    if (m_service->connectSidecar && m_service->networkMode == model::NetworkMode::Bridge && m_context.identity) {
        for (const model::Upstream *upstream : m_context.topology->upstreamsFrom(m_service->id))
            add(upstream->localBindPort);
    }
    return ports;
}

std::optional<std::pair<quint16, QString>> AllocationRunner::addressClash() const
{
    for (const quint16 port : ownPorts()) {
        if (!PortHolder::isTaken(m_context.plan.address, port))
            continue;
        // Still the clash already told about: spare the walk over /proc.
        if (port == m_clashPort && !m_clash.isEmpty())
            return std::pair{port, m_clash};
        return std::pair{port, PortHolder::describeClash(m_context.plan.address, port,
                                                         PortHolder::find(m_context.plan.address, port))};
    }
    return std::nullopt;
}

void AllocationRunner::waitForAddress(quint16 port, const QString &clash)
{
    // Starting the task anyway would only crash-loop on "Address already in
    // use" while whoever holds the port answers the health check. Nomad's
    // bridge networking gives each allocation its own network namespace, so
    // this cannot happen there; in the lab, the address is the namespace.
    teardown(/*keepPorts=*/true);
    setHealth(HealthStatus::Critical, clash, m_health == HealthStatus::Passing);
    m_waitingForAddress = true;
    setState(InstanceState::Restarting, clash + QStringLiteral("; the task starts once it is free"));
    const auto poll = std::clamp(m_context.restartDelay, std::chrono::milliseconds(kMinAddressPoll),
                                 std::chrono::milliseconds(kMaxAddressPoll));
    if (port != m_clashPort || clash != m_clash) {
        m_clashPort = port;
        m_clash = clash;
        reportTask({.type = nomad::kTaskDriverFailure.toString(), .driverError = clash});
        reportTask({.type = nomad::kTaskRestarting.toString(),
                    .restartReason = QStringLiteral("Restart within policy"),
                    .startDelayNs = qint64(poll.count()) * 1'000'000});
        Q_EMIT eventOccurred(
            LabEvent::Kind::Failed,
            QStringLiteral("%1; the task starts once it is free (looking every %2 ms)").arg(clash).arg(poll.count()));
    }
    m_restartTimer.start(poll);
}

bool AllocationRunner::startPorts(QString *error)
{
    const bool reuse = !m_ports.isEmpty(); // a restart keeps its host ports, so URLs stay valid
    if (!reuse) {
        for (const model::PortMapping &mapping : m_service->ports) {
            AllocatedPort port;
            port.label = mapping.label;
            port.hostAddress = m_context.node.address.toString();
            port.hostPort = quint16(mapping.staticPort);
            m_ports.append(port);
        }
    }
    for (int i = 0; i < m_service->ports.size() && i < m_ports.size(); ++i) {
        const model::PortMapping &mapping = m_service->ports.at(i);
        AllocatedPort &port = m_ports[i];
        port.to = quint16(mapping.to > 0 ? mapping.to : 0);
        Result<> listening = fail(Error::Code::Network, QString());
        for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
            if (port.hostPort == 0 || (mapping.staticPort == 0 && attempt > 0))
                port.hostPort = m_context.takePort(m_context.node.address);
            // Without `to` the task listens on the host port number inside
            // its namespace, as Nomad maps it.
            const quint16 inside = port.to > 0 ? port.to : port.hostPort;
            auto *forwarder = new PortForwarder(m_context.plan.address, inside, this);
            listening = forwarder->listen(m_context.node.address, port.hostPort);
            if (listening) {
                m_forwarders.append(forwarder);
                break;
            }
            delete forwarder;
            if (mapping.staticPort != 0)
                break;
        }
        if (!listening) {
            *error = QStringLiteral("port \"%1\": %2").arg(mapping.label, listening.error().message);
            return false;
        }
    }
    return true;
}

bool AllocationRunner::startSidecar(QString *error)
{
    if (!m_service->connectSidecar || m_service->networkMode != model::NetworkMode::Bridge || !m_context.identity)
        return true;
    if (const std::optional<quint16> appPort = servicePort()) {
        m_inbound = new proxy::InboundListener(m_service->name, m_context.identity, m_context.catalog,
                                               m_context.proxyOptions, this);
        m_inbound->setLocalApp(m_context.plan.address, *appPort);
        Result<> listening = fail(Error::Code::Network, QString());
        for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
            if (m_sidecarPort == 0 || attempt > 0)
                m_sidecarPort = m_context.takePort(m_context.node.address);
            listening = m_inbound->listen(m_context.node.address, m_sidecarPort);
            if (listening)
                break;
        }
        if (!listening) {
            *error = QStringLiteral("sidecar: %1").arg(listening.error().message);
            return false;
        }
        connect(m_inbound->metrics(), &proxy::ProxyMetrics::connectionRefused, this,
                [this](pki::RefusalReason reason, const QString &peer, const QString &detail) {
                    const bool denied = reason == pki::RefusalReason::Denied;
                    if (denied) {
                        // InboundConnection puts the source's SPIFFE ID first.
                        const auto source = pki::SpiffeId::parse(QStringView(detail).left(detail.indexOf(u':', 9)));
                        if (source)
                            Q_EMIT sourceDenied(source->service);
                    }
                    Q_EMIT eventOccurred(denied ? LabEvent::Kind::Denied : LabEvent::Kind::Refused,
                                         QStringLiteral("sidecar refused %1: %2%3")
                                             .arg(peer, pki::toString(reason),
                                                  detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail)));
                });
    }
    for (const model::Upstream *upstream : m_context.topology->upstreamsFrom(m_service->id)) {
        const QString destination = RuntimeEnvironment::destinationName(*m_context.topology, *upstream);
        auto *listener = new proxy::UpstreamListener(destination, m_context.identity, m_context.catalog,
                                                     m_context.proxyOptions, this);
        // The local bind address is the allocation's own (see RuntimeEnvironment).
        if (Result<> listening = listener->listen(m_context.plan.address, quint16(upstream->localBindPort));
            !listening) {
            delete listener;
            *error = QStringLiteral("upstream %1: %2").arg(destination, listening.error().message);
            return false;
        }
        listener->setSourceAddress(m_context.plan.address);
        const auto fault = m_faults.constFind(upstream->id);
        if (fault != m_faults.constEnd())
            listener->setFault(fault->first, fault->second);
        m_upstreams.insert(upstream->id, listener);
    }
    return true;
}

bool AllocationRunner::startTask(QString *error)
{
    RuntimeEnvironment::Inputs inputs;
    inputs.topology = m_context.topology.get();
    inputs.service = m_service;
    inputs.plan = m_context.plan;
    inputs.node = m_context.node;
    inputs.ports = m_ports;
    inputs.sidecarPort = m_inbound ? m_sidecarPort : 0;
    inputs.allocDir = m_context.allocDir;
    const RuntimeEnvironment runtime(inputs);
    const QMap<QString, QString> environment = runtime.taskEnvironment();

    const auto portFrom = [&](int fallback) {
        return apps::portFromEnvironment(environment.value(QStringLiteral("PORT")).toUtf8(), fallback);
    };
    switch (taskKind()) {
    case TaskKind::Counter: {
        const int port = portFrom(servicePort().value_or(9001));
        if (port < 0) {
            *error = QStringLiteral("counter: invalid PORT \"%1\"").arg(environment.value(QStringLiteral("PORT")));
            return false;
        }
        m_counter = new apps::counter::CounterServer(this);
        m_counter->setHostname(m_context.plan.allocName);
        if (!m_counter->listen(m_context.plan.address, quint16(port))) {
            *error = QStringLiteral("counter: listen %1:%2: %3")
                         .arg(m_context.plan.address.toString())
                         .arg(port)
                         .arg(m_counter->errorString());
            return false;
        }
        return true;
    }
    case TaskKind::Dashboard: {
        const int port = portFrom(servicePort().value_or(9002));
        if (port < 0) {
            *error = QStringLiteral("dashboard: invalid PORT \"%1\"").arg(environment.value(QStringLiteral("PORT")));
            return false;
        }
        m_dashboard = new apps::dashboard::DashboardServer(this);
        const QString url = environment.contains(QStringLiteral("COUNTING_SERVICE_URL"))
                                ? environment.value(QStringLiteral("COUNTING_SERVICE_URL"))
                                : QString::fromLatin1(apps::dashboard::DashboardServer::DefaultCountingServiceUrl);
        m_dashboard->setCountingServiceUrl(url);
        m_dashboard->setUpdateInterval(
            std::chrono::milliseconds(std::max(50, m_context.topology->settings.lab.dashboardRefreshMs)));
        if (!m_dashboard->listen(m_context.plan.address, quint16(port))) {
            *error = QStringLiteral("dashboard: listen %1:%2: %3")
                         .arg(m_context.plan.address.toString())
                         .arg(port)
                         .arg(m_dashboard->errorString());
            return false;
        }
        return true;
    }
    case TaskKind::Process: {
        const QString program = runtime.interpolate(m_service->command);
        if (program.isEmpty()) {
            *error = QStringLiteral("no command to run");
            return false;
        }
        m_process = new QProcess(this);
        QProcessEnvironment processEnvironment = QProcessEnvironment::systemEnvironment();
        for (auto it = environment.cbegin(); it != environment.cend(); ++it)
            processEnvironment.insert(it.key(), it.value());
        m_process->setProcessEnvironment(processEnvironment);
        if (!m_context.allocDir.isEmpty())
            m_process->setWorkingDirectory(QDir(m_context.allocDir).filePath(m_service->task));
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        connect(m_process, &QProcess::readyReadStandardOutput, this,
                [this] { appendOutput(m_process->readAllStandardOutput()); });
        connect(m_process, &QProcess::started, this, [this] {
            setState(InstanceState::Running);
            reportTask({.type = nomad::kTaskStarted.toString()});
            Q_EMIT eventOccurred(LabEvent::Kind::Started,
                                 QStringLiteral("started on %1 (%2), pid %3")
                                     .arg(m_context.node.name, m_context.plan.address.toString())
                                     .arg(m_process->processId()));
            startHealthCheck();
        });
        connect(m_process, &QProcess::finished, this, &AllocationRunner::onProcessFinished);
        connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError processError) {
            if (processError == QProcess::FailedToStart)
                onProcessFinished(-1, QProcess::CrashExit);
        });
#if defined(Q_OS_LINUX)
        // No orphans, ever: a task dies with the lab however the lab
        // ends, kill -9 included, where no destructor runs and the task would
        // otherwise live on under init, holding its address and port. The
        // kernel sends the PR_SET_PDEATHSIG signal when the *thread* that
        // forked the child exits, not the process (man 2 prctl, "parent
        // thread": https://man7.org/linux/man-pages/man2/prctl.2.html). Runners
        // live on, and start tasks only from, the lab's own thread
        // ("meshpad-lab", Lab::Lab), which ~Lab joins only after the runtime
        // has stopped every task — so the signal means "the lab is gone".
        // Starting a task from a short-lived thread would kill it early.
        // If the lab died between fork and prctl, no signal will come: the
        // child then has another parent (init or a subreaper) and leaves at
        // once. The setting survives execve (bar set-user-ID programs), so it
        // holds through exec-ing wrappers such as pyenv's shims, but not fork:
        // a task's own children are not covered. This runs in the child of a
        // multi-threaded process: async-signal-safe calls only.
        const pid_t labPid = ::getpid();
        m_process->setChildProcessModifier([labPid] {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != labPid)
                ::_exit(127);
        });
#endif
        m_process->start(program, runtime.taskArguments());
        return true;
    }
    case TaskKind::Unsupported: break;
    }
    *error = QStringLiteral("unsupported task");
    return false;
}

void AllocationRunner::startHealthCheck()
{
    const std::optional<quint16> port = servicePort();
    if (!port) {
        // Nothing to check: the task running is all the lab can tell.
        setHealth(HealthStatus::Passing, QString(), /*announce=*/false);
        return;
    }
    HealthChecker::Target target;
    const model::HealthCheck &check = m_service->check;
    target.kind = check.kind == model::CheckKind::Http ? model::CheckKind::Http : model::CheckKind::Tcp;
    target.address = m_context.plan.address;
    target.port = *port;
    target.path = check.path;
    if (check.kind == model::CheckKind::None) {
        target.interval = std::chrono::milliseconds(std::max(100, m_context.topology->settings.lab.healthIntervalMs));
        target.timeout = std::chrono::milliseconds(kDefaultCheckTimeoutMs);
    } else {
        target.interval = std::chrono::milliseconds(std::max(100, check.intervalMs));
        target.timeout = std::chrono::milliseconds(std::max(100, check.timeoutMs));
    }
    m_checker = new HealthChecker(target, this);
    connect(m_checker, &HealthChecker::statusChanged, this, [this](HealthStatus status, const QString &output) {
        // A check counts only while the task runs: whatever answers on the
        // port of a task that does not — an orphan of an earlier run, any
        // stranger — is not this allocation. The checker lives only while the
        // task runs (teardown() deletes it), so this is a second line.
        if (!taskRunning())
            status = HealthStatus::Critical;
        setHealth(status, output);
    });
    m_checker->start();
}

bool AllocationRunner::taskRunning() const
{
    if (m_state != InstanceState::Running)
        return false;
    switch (taskKind()) {
    case TaskKind::Counter: return m_counter != nullptr;
    case TaskKind::Dashboard: return m_dashboard != nullptr;
    case TaskKind::Process: return m_process && m_process->state() == QProcess::Running;
    case TaskKind::Unsupported: break;
    }
    return false;
}

void AllocationRunner::setHealth(HealthStatus status, const QString &output, bool announce)
{
    // The catalog first, also without a change here, so its check shows the
    // latest output.
    if (m_context.catalog && status != HealthStatus::Unknown)
        m_context.catalog->setHealthy(m_context.plan.allocId, status == HealthStatus::Passing, output);
    if (status == m_health)
        return;
    m_health = status;
    if (announce && status != HealthStatus::Unknown)
        Q_EMIT eventOccurred(status == HealthStatus::Passing ? LabEvent::Kind::Healthy : LabEvent::Kind::Unhealthy,
                             output);
    Q_EMIT stateChanged();
}

void AllocationRunner::teardown(bool keepPorts)
{
    if (m_checker) {
        m_checker->stop();
        delete m_checker;
        m_checker = nullptr;
    }
    delete m_counter;
    m_counter = nullptr;
    delete m_dashboard;
    m_dashboard = nullptr;
    if (m_inbound) {
        m_inbound->close();
        delete m_inbound;
        m_inbound = nullptr;
    }
    qDeleteAll(m_upstreams);
    m_upstreams.clear();
    qDeleteAll(m_forwarders);
    m_forwarders.clear();
    if (!keepPorts) {
        m_ports.clear();
        m_sidecarPort = 0;
    }
    // The snapshot's health is the caller's to set (critical after a
    // failure, unknown after a stop); the catalog's check fails at once.
    if (m_context.catalog)
        m_context.catalog->setHealthy(m_context.plan.allocId, false);
}

void AllocationRunner::taskFailed(const QString &why, std::optional<int> exitCode, int signal, bool driverFailure)
{
    if (m_stopping)
        return;
    if (driverFailure)
        reportTask({.type = nomad::kTaskDriverFailure.toString(), .driverError = why});
    else
        reportTask({.type = nomad::kTaskTerminated.toString(), .exitCode = exitCode.value_or(0), .signal = signal});
    if (m_process) {
        m_process->disconnect(this);
        if (m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(200); // SIGKILL is immediate; reaping it takes microseconds
        }
        m_process->deleteLater();
        m_process = nullptr;
    }
    teardown(/*keepPorts=*/true);
    // A task that is not running is critical at once, not after its next
    // check: whatever answers on its port now is not it. Consul's check of a
    // Nomad task goes when the task stops (hashicorp/nomad:
    // client/allocrunner/taskrunner/service_hook.go, Exited deregisters).
    setHealth(HealthStatus::Critical, why, /*announce=*/m_health == HealthStatus::Passing);
    if (m_runningSince.isValid() && m_runningSince.elapsed() > kStableRunMs)
        m_consecutiveFailures = 0;
    ++m_consecutiveFailures;
    auto delay = m_context.restartDelay;
    for (int i = 1; i < m_consecutiveFailures && delay < m_context.maxRestartDelay; ++i)
        delay *= 2;
    delay = std::min(delay, m_context.maxRestartDelay);
    if (const auto &policy = m_context.restartPolicy) {
        // Nomad's restart tracker (hashicorp/nomad:
        // client/allocrunner/taskrunner/restarts/restarts.go): restarts
        // within the interval count against `attempts`.
        const qint64 now = m_clock.elapsed();
        m_policyRestarts.removeIf([&](qint64 at) { return now - at >= policy->interval.count(); });
        if (m_policyRestarts.size() >= policy->attempts && policy->failWhenExhausted) {
            const QString reason
                = policy->attempts == 0
                      ? QStringLiteral("Policy allows no restarts")
                      : QStringLiteral("Exceeded allowed attempts %1 in interval %2 and mode is \"fail\"")
                            .arg(policy->attempts)
                            .arg(formatGoDuration(policy->interval));
            // A dead allocation's services leave Consul, as a Nomad client
            // deregisters them when its tasks stop.
            if (m_context.catalog)
                m_context.catalog->deregister(m_context.plan.allocId);
            setState(InstanceState::Failed, why + u"; " + reason);
            Q_EMIT eventOccurred(LabEvent::Kind::Failed, why + QStringLiteral("; not restarting: ") + reason);
            reportTask({.type = nomad::kTaskNotRestarting.toString(), .restartReason = reason});
            // Nomad kills the other tasks of the allocation (hashicorp/nomad:
            // client/allocrunner/alloc_runner.go handleTaskStateUpdates).
            if (m_sidecarRunning) {
                m_sidecarRunning = false;
                reportTask({.type = nomad::kTaskSiblingFailed.toString(),
                            .message = QStringLiteral("Task's sibling \"%1\" failed").arg(m_service->task)},
                           Tasks::Sidecar);
                reportTask({.type = nomad::kTaskKilled.toString()}, Tasks::Sidecar);
            }
            return;
        }
        delay = m_policyRestarts.size() >= policy->attempts
                    ? std::chrono::milliseconds(policy->interval.count() - (now - m_policyRestarts.constFirst()))
                    : policy->delay;
        m_policyRestarts.append(now + delay.count());
    }
    reportTask({.type = nomad::kTaskRestarting.toString(),
                .restartReason = QStringLiteral("Restart within policy"),
                .startDelayNs = qint64(delay.count()) * 1'000'000});
    setState(InstanceState::Restarting, why);
    Q_EMIT eventOccurred(LabEvent::Kind::Failed, QStringLiteral("%1; restarting in %2 ms").arg(why).arg(delay.count()));
    m_restartTimer.start(delay);
}

void AllocationRunner::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    if (!m_partialLine.isEmpty())
        appendOutput("\n");
    const QString last = m_output.isEmpty() ? QString() : QStringLiteral(": ") + m_output.constLast();
    if (m_stopping) {
        m_process->deleteLater();
        m_process = nullptr;
        m_killTimer.stop();
        Q_EMIT idle();
        return;
    }
    QString why;
    if (m_process->error() == QProcess::FailedToStart) {
        why = QStringLiteral("cannot start \"%1\": %2").arg(m_process->program(), m_process->errorString());
        taskFailed(why, std::nullopt, 0, /*driverFailure=*/true);
    } else if (status == QProcess::CrashExit) {
        // On Unix, QProcess gives a crashed child's signal as its exit code.
        why = QStringLiteral("the task was killed") + last;
        taskFailed(why, 0, exitCode);
    } else {
        why = QStringLiteral("the task exited with status %1").arg(exitCode) + last;
        taskFailed(why, exitCode);
    }
}

QString AllocationRunner::sidecarTaskName() const
{
    // The task Nomad's Connect hook injects (nomad/job_endpoint_hook_connect.go).
    return QStringLiteral("connect-proxy-") + m_service->name;
}

void AllocationRunner::reportTask(const nomad::TaskEventReport &event, Tasks tasks)
{
    if (tasks != Tasks::Sidecar)
        Q_EMIT taskEvent(m_service->task, event);
    if (tasks != Tasks::App && m_service->connectSidecar)
        Q_EMIT taskEvent(sidecarTaskName(), event);
}

void AllocationRunner::appendOutput(const QByteArray &bytes)
{
    m_partialLine += bytes;
    qsizetype newline;
    while ((newline = m_partialLine.indexOf('\n')) >= 0) {
        m_output.append(QString::fromUtf8(m_partialLine.left(newline)));
        m_partialLine.remove(0, newline + 1);
    }
    if (m_partialLine.size() > 4096) { // a line that never ends is still shown
        m_output.append(QString::fromUtf8(m_partialLine));
        m_partialLine.clear();
    }
    while (m_output.size() > kOutputLines)
        m_output.removeFirst();
}

void AllocationRunner::stop(const QString &why)
{
    m_restartTimer.stop();
    m_stopping = true;
    m_waitingForAddress = false;
    m_clashPort = 0;
    m_clash.clear();
    teardown(/*keepPorts=*/true);
    m_health = HealthStatus::Unknown; // deregistered below: no check any more
    if (m_context.catalog)
        m_context.catalog->deregister(m_context.plan.allocId);
    const bool wasStopped = m_state == InstanceState::Stopped;
    setState(InstanceState::Stopped, why);
    if (!wasStopped) {
        Q_EMIT eventOccurred(LabEvent::Kind::Stopped, QStringLiteral("stopped: %1").arg(why));
        reportTask(
            {.type = nomad::kTaskKilling.toString(), .killTimeoutNs = std::chrono::nanoseconds(kStopGrace).count()},
            Tasks::Both);
        reportTask({.type = nomad::kTaskKilled.toString()}, Tasks::Both);
        m_sidecarRunning = false;
    }
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        m_killTimer.start(kStopGrace);
        return; // idle() when it exits
    }
    if (m_process) {
        m_process->deleteLater();
        m_process = nullptr;
    }
    Q_EMIT idle();
}

void AllocationRunner::kill()
{
    if (m_state != InstanceState::Running && m_state != InstanceState::Starting)
        return;
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill(); // onProcessFinished() takes it from here
        return;
    }
    taskFailed(QStringLiteral("the task was killed (drill)"));
}

std::optional<proxy::MetricsSnapshot> AllocationRunner::upstreamMetrics(const model::UpstreamId &arrow) const
{
    const auto listener = m_upstreams.constFind(arrow);
    if (listener == m_upstreams.constEnd())
        return std::nullopt;
    return (*listener)->metrics()->snapshot();
}

void AllocationRunner::setArrowFault(const model::UpstreamId &arrow, std::chrono::milliseconds latency,
                                     double failureRate)
{
    m_faults.insert(arrow, {latency, failureRate});
    if (proxy::UpstreamListener *listener = m_upstreams.value(arrow))
        listener->setFault(latency, failureRate);
}

InstanceSnapshot AllocationRunner::snapshot() const
{
    InstanceSnapshot snapshot;
    snapshot.allocId = m_context.plan.allocId;
    snapshot.allocName = m_context.plan.allocName;
    snapshot.index = m_context.plan.index;
    snapshot.serviceId = m_service->id;
    snapshot.serviceName = m_service->name;
    snapshot.node = m_context.node.name;
    snapshot.nodeAddress = m_context.node.address.toString();
    snapshot.address = m_context.plan.address.toString();
    snapshot.state = m_state;
    snapshot.health = m_health;
    snapshot.restarts = m_restarts;
    snapshot.message = m_message;
    snapshot.ports = m_ports;
    snapshot.sidecarPort = m_inbound ? m_sidecarPort : 0;
    const TaskKind kind = taskKind();
    snapshot.embedded = kind == TaskKind::Counter || kind == TaskKind::Dashboard;
    snapshot.pid = m_process ? m_process->processId() : 0;
    constexpr qsizetype kSnapshotLines = 50;
    snapshot.output = m_output.mid(std::max<qsizetype>(0, m_output.size() - kSnapshotLines));
    if (m_counter)
        snapshot.counterValue = m_counter->count();
    return snapshot;
}

} // namespace mesh::lab
