#include "allocationreporter.h"

#include "allocationrunner.h"

#include "lab/nomad/nomadstate.h"

namespace mesh::lab {

AllocationReporter::AllocationReporter(AllocationRunner *runner, nomad::NomadState *state, const QString &jobId,
                                       quint64 jobVersion, std::chrono::milliseconds minHealthyTime)
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
        if (m_state && !m_healthy && m_runner->state() == InstanceState::Running) {
            m_healthy = true;
            m_state->allocationHealth(m_runner->plan().allocId, true);
        }
    });
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
        placed.ports.append({QStringLiteral("connect-proxy-") + m_runner->service().name, snapshot.sidecarPort, -1, false});
    }
    m_state->allocationPlaced(placed);
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
    if (event.type == nomad::kTaskNotRestarting || event.failsTask) {
        m_minHealthy.stop();
        m_state->allocationHealth(m_runner->plan().allocId, false);
    }
}

void AllocationReporter::onStateChanged()
{
    if (!m_placed || m_healthy)
        return;
    const InstanceSnapshot snapshot = m_runner->snapshot();
    const bool passing = snapshot.state == InstanceState::Running && snapshot.health == HealthStatus::Passing;
    if (passing && !m_minHealthy.isActive())
        m_minHealthy.start();
    else if (!passing)
        m_minHealthy.stop();
}

} // namespace mesh::lab
