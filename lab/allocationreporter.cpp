#include "allocationreporter.h"

#include "allocationrunner.h"

#include "core/goduration.h"
#include "lab/nomad/nomadstate.h"

namespace mesh::lab {

AllocationReporter::AllocationReporter(AllocationRunner *runner, nomad::NomadState *state, const QString &jobId,
                                       quint64 jobVersion, std::chrono::milliseconds minHealthyTime,
                                       std::chrono::milliseconds healthyDeadline)
    : QObject(runner)
    , m_runner(runner)
    , m_state(state)
    , m_jobId(jobId)
    , m_jobVersion(jobVersion)
{
    m_minHealthy.setSingleShot(true);
    // min_healthy_time is a minimum: a coarse timer may fire 5 % early.
    m_minHealthy.setTimerType(Qt::PreciseTimer);
    m_minHealthy.setInterval(minHealthyTime);
    connect(&m_minHealthy, &QTimer::timeout, this, [this] {
        if (m_state && !m_healthy && !m_unhealthy && m_runner->state() == InstanceState::Running) {
            m_healthy = true;
            m_healthyDeadline.stop();
            m_state->allocationHealth(m_runner->plan().allocId, true);
        }
    });
    m_healthyDeadline.setSingleShot(true);
    m_healthyDeadline.setInterval(healthyDeadline);
    connect(&m_healthyDeadline, &QTimer::timeout, this, &AllocationReporter::onHealthyDeadline);
    connect(runner, &AllocationRunner::taskEvent, this, &AllocationReporter::onTaskEvent);
    connect(runner, &AllocationRunner::stateChanged, this, &AllocationReporter::onStateChanged);
    connect(runner, &AllocationRunner::idle, this, [this] {
        if (m_state && m_placed && !m_stopped && m_runner->isStopped() && m_runner->state() == InstanceState::Stopped) {
            m_stopped = true;
            m_state->allocationStopped(m_runner->plan().allocId);
        }
    });
}

AllocationReporter::~AllocationReporter() = default;

void AllocationReporter::placed()
{
    if (m_placed || !m_state)
        return;
    m_placed = true;
    const InstanceSnapshot snapshot = m_runner->snapshot();
    nomad::PlacedAllocation placed;
    placed.allocId = snapshot.allocId;
    placed.allocName = snapshot.allocName;
    placed.jobId = m_jobId;
    placed.jobVersion = m_jobVersion;
    placed.group = m_runner->service().group;
    placed.node = snapshot.node;
    placed.nodeAddress = snapshot.nodeAddress;
    placed.allocAddress = snapshot.address;
    for (const AllocatedPort &port : snapshot.ports) {
        const model::PortMapping *mapping = m_runner->service().portMapping(port.label);
        placed.ports.append({port.label, port.hostPort, port.to, mapping && mapping->staticPort != 0});
    }
    if (snapshot.sidecarPort != 0) {
        // The port Nomad's Connect hook adds for the sidecar, To -1: the same
        // number inside the allocation (nomad/job_endpoint_hook_connect.go).
        placed.ports.append(
            {QStringLiteral("connect-proxy-") + m_runner->service().name, snapshot.sidecarPort, -1, false});
    }
    m_state->allocationPlaced(placed);
    m_healthyDeadline.start();
    const auto held = std::exchange(m_held, {});
    for (const auto &[task, event] : held)
        m_state->taskEvent(snapshot.allocId, task, event);
    onStateChanged();
}

void AllocationReporter::onTaskEvent(const QString &task, const nomad::TaskEventReport &event)
{
    if (!m_state)
        return;
    if (!m_placed) {
        m_held.append({task, event});
        return;
    }
    m_state->taskEvent(m_runner->plan().allocId, task, event);
    if (event.type == nomad::kTaskNotRestarting || event.failsTask)
        reportUnhealthy();
}

void AllocationReporter::reportUnhealthy()
{
    m_minHealthy.stop();
    m_healthyDeadline.stop();
    if (m_unhealthy)
        return;
    m_unhealthy = true;
    m_state->allocationHealth(m_runner->plan().allocId, false);
}

void AllocationReporter::onHealthyDeadline()
{
    if (!m_state || m_healthy || m_unhealthy || m_stopped)
        return;
    // client/allochealth/tracker.go taskHealthState.event, for the one task
    // the lab runs per group (its sidecar is the lab's own).
    const InstanceSnapshot snapshot = m_runner->snapshot();
    const QString deadline = formatGoDuration(std::chrono::nanoseconds(m_healthyDeadline.intervalAsDuration()));
    QString why;
    if (snapshot.state != InstanceState::Running) {
        why = QStringLiteral("Task not running by healthy_deadline of %1").arg(deadline);
    } else if (snapshot.health != HealthStatus::Passing) {
        why = QStringLiteral("Services not healthy by deadline: %1").arg(m_runner->service().name);
    } else {
        why = QStringLiteral("Task not running for min_healthy_time of %1 by healthy_deadline of %2")
                  .arg(formatGoDuration(std::chrono::nanoseconds(m_minHealthy.intervalAsDuration())), deadline);
    }
    nomad::TaskEventReport event;
    event.type = nomad::kTaskAllocUnhealthy.toString();
    event.message = why;
    m_state->taskEvent(m_runner->plan().allocId, m_runner->service().task, event);
    reportUnhealthy();
}

void AllocationReporter::onStateChanged()
{
    if (!m_placed || m_healthy || m_unhealthy)
        return;
    const InstanceSnapshot snapshot = m_runner->snapshot();
    const bool passing = snapshot.state == InstanceState::Running && snapshot.health == HealthStatus::Passing;
    if (passing && !m_minHealthy.isActive())
        m_minHealthy.start();
    else if (!passing)
        m_minHealthy.stop();
}

} // namespace mesh::lab
