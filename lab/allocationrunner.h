#pragma once

#include "lab/labevent.h"
#include "lab/labsnapshot.h"
#include "lab/nomad/taskevent.h"
#include "lab/placement.h"
#include "model/topology.h"
#include "proxy/proxyoptions.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace apps::counter {
class CounterServer;
}
namespace apps::dashboard {
class DashboardServer;
}
namespace mesh::proxy {
class IdentitySource;
class InboundListener;
class UpstreamListener;
struct MetricsSnapshot;
} // namespace mesh::proxy

namespace mesh::lab {

class HealthChecker;
class ConsulState;
class PortForwarder;

// One allocation of the lab, as a Nomad client runs one: its published
// ports (forwarded from the node's address), its sidecar (an inbound mTLS
// listener on the node's address and upstream listeners on the allocation's
// own address), its task (the embedded counter or dashboard, or a child
// process with Nomad's environment) and its health check, registered in the
// lab's catalog. A task that fails is restarted after a back-off that
// doubles per failure. Lives on the lab's network thread; never blocks it.
//
// Health tells the truth about the task: a check counts only while the task
// runs, so a restarting, exited or stopped task is never passing, whatever
// answers on its port. Before a child process starts, the runner makes sure
// nothing else listens where the task (or its sidecar's upstream listeners)
// must: if something does, the allocation waits in Restarting with a message
// naming the address and its holder ("127.0.2.2:9001 is already in use by PID
// 4242 (python3)"), told once as a Failed event, and starts as soon as the
// address is free; such waits are not restarts (no restart counted, no
// restart policy spent: no task ran).
class AllocationRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AllocationRunner)

public:
    struct Context final
    {
        std::shared_ptr<const model::Topology> topology;
        model::ServiceId serviceId;
        AllocationPlan plan;
        LabNode node;
        proxy::IdentitySource *identity = nullptr; // the service's leaf; not owned
        ConsulState *catalog = nullptr;            // not owned
        // A free-looking host port on a node's address (the lab's dynamic
        // port range); the runner binds it and asks again if it was taken.
        std::function<quint16(const QHostAddress &)> takePort;
        QString allocDir; // created by the runner, removed by stop
        std::chrono::milliseconds restartDelay{500};
        std::chrono::milliseconds maxRestartDelay{15'000};
        // A job's group `restart` block (Nomad's RestartPolicy): at most
        // `attempts` restarts within `interval`, each after `delay`; then,
        // with mode "fail", the task is not restarted and the allocation
        // fails. Unset (a design's Run): restart for ever with the back-off
        // above.
        struct RestartPolicy
        {
            int attempts = 2;
            std::chrono::milliseconds interval{30 * 60'000};
            std::chrono::milliseconds delay{15'000};
            bool failWhenExhausted = true; // mode "fail"; "delay" waits out the interval
        };
        std::optional<RestartPolicy> restartPolicy;
        proxy::ProxyOptions proxyOptions;
    };

    explicit AllocationRunner(const Context &context, QObject *parent = nullptr);
    ~AllocationRunner() override; // stops everything; a child gets SIGKILL

    void start();
    // Wanted stop (drill, node down, count lowered, lab stop): no restart.
    // A child process gets SIGTERM, then SIGKILL after 2 s; finished() follows.
    void stop(const QString &why);
    // As if the task crashed: the restart policy brings it back.
    void kill();

    InstanceState state() const { return m_state; }
    bool isStopped() const { return m_state == InstanceState::Stopped || m_state == InstanceState::Failed; }
    // True once nothing of this allocation runs any more (after stop()).
    bool isIdle() const;
    const model::Service &service() const { return *m_service; }
    const AllocationPlan &plan() const { return m_context.plan; }
    QString nodeName() const { return m_context.node.name; }

    InstanceSnapshot snapshot() const;
    // Metrics of this allocation's upstream listener for `arrow`, if any.
    std::optional<proxy::MetricsSnapshot> upstreamMetrics(const model::UpstreamId &arrow) const;
    void setArrowFault(const model::UpstreamId &arrow, std::chrono::milliseconds latency, double failureRate);

Q_SIGNALS:
    void eventOccurred(mesh::lab::LabEvent::Kind kind, const QString &text);
    void stateChanged();
    // The sidecar refused `source` because intentions deny it.
    void sourceDenied(const QString &source);
    // What Nomad's task runner would record for `task` (the service's task,
    // or its sidecar "connect-proxy-<service>"): Received, Task Setup,
    // Started, Terminated, Restarting, Not Restarting, Driver Failure,
    // Killing, Killed.
    void taskEvent(const QString &task, const mesh::lab::nomad::TaskEventReport &event);
    // After stop(): every socket closed and the child (if any) gone.
    void idle();

private:
    enum class TaskKind { Counter, Dashboard, Process, Unsupported };
    TaskKind taskKind() const;
    bool startPorts(QString *error);
    bool startSidecar(QString *error);
    bool startTask(QString *error);
    void startHealthCheck();
    // Whether the task runs now: a child process that has started and not
    // exited, or the embedded server object while it exists.
    bool taskRunning() const;
    // The only place m_health changes; mirrors it into the catalog.
    // `announce`: emit a Healthy/Unhealthy event when the status changes.
    void setHealth(HealthStatus status, const QString &output, bool announce = true);
    // The ports on the allocation's own address the task and its upstream
    // listeners must bind.
    QList<quint16> ownPorts() const;
    // The first of ownPorts() someone else listens on, with a message naming
    // it and its holder.
    std::optional<std::pair<quint16, QString>> addressClash() const;
    void waitForAddress(quint16 port, const QString &clash);
    void teardown(bool keepPorts);
    // `exitCode`: a task process that exited; `driverFailure`: the task could
    // not be started at all.
    void taskFailed(const QString &why, std::optional<int> exitCode = std::nullopt, int signal = 0,
                    bool driverFailure = false);
    enum class Tasks { App, Sidecar, Both };
    void reportTask(const nomad::TaskEventReport &event, Tasks tasks = Tasks::App);
    QString sidecarTaskName() const;
    void setState(InstanceState state, const QString &message = QString());
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void appendOutput(const QByteArray &bytes);
    std::optional<quint16> servicePort() const;

    Context m_context;
    const model::Service *m_service = nullptr;
    InstanceState m_state = InstanceState::Pending;
    HealthStatus m_health = HealthStatus::Unknown;
    QString m_message;
    int m_restarts = 0;
    int m_consecutiveFailures = 0;
    QList<qint64> m_policyRestarts; // steady ms of each restart, for restartPolicy
    QElapsedTimer m_clock;
    bool m_received = false;
    bool m_waitingForAddress = false; // Restarting because an address is held (see waitForAddress)
    quint16 m_clashPort = 0;          // the held port last told about, with its message
    QString m_clash;
    bool m_sidecarRunning = false; // as reported to Nomad
    QElapsedTimer m_runningSince;
    QTimer m_restartTimer;
    QTimer m_killTimer;

    QList<AllocatedPort> m_ports;
    quint16 m_sidecarPort = 0;
    QList<PortForwarder *> m_forwarders;
    proxy::InboundListener *m_inbound = nullptr;
    QHash<model::UpstreamId, proxy::UpstreamListener *> m_upstreams;
    QHash<model::UpstreamId, std::pair<std::chrono::milliseconds, double>> m_faults;
    HealthChecker *m_checker = nullptr;
    apps::counter::CounterServer *m_counter = nullptr;
    apps::dashboard::DashboardServer *m_dashboard = nullptr;
    QProcess *m_process = nullptr;
    bool m_stopping = false;
    QStringList m_output;
    QByteArray m_partialLine;
};

} // namespace mesh::lab
