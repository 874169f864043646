#pragma once

#include "lab/nomad/taskevent.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <utility>

namespace mesh::lab {

class AllocationRunner;

namespace nomad {
class NomadState;
}

// Tells the lab's Nomad server (NomadState) what one allocation does, as a
// Nomad client reports its allocations: placed (node, address, host ports),
// every task event, healthy once the service's check has passed for the
// job's update.min_healthy_time, unhealthy when the task fails for good or
// when update.healthy_deadline passes first (with an "Alloc Unhealthy" task
// event saying why, in the tracker's words), stopped when nothing of it runs
// any more (hashicorp/nomad: client/allochealth/tracker.go decides health the
// same way from checks).
//
// A child of the runner, so it goes with it. Task events that come before
// placed() (start() reports Received at once, before the ports are known)
// wait for it, in order.
class AllocationReporter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AllocationReporter)

public:
    AllocationReporter(AllocationRunner *runner, nomad::NomadState *state, const QString &jobId, quint64 jobVersion,
                       std::chrono::milliseconds minHealthyTime, std::chrono::milliseconds healthyDeadline);
    ~AllocationReporter() override;

    // Call once the runner started: its host ports are known now.
    void placed();

private:
    void onTaskEvent(const QString &task, const nomad::TaskEventReport &event);
    void onStateChanged();
    void onHealthyDeadline();
    void reportUnhealthy();

    AllocationRunner *m_runner;
    QPointer<nomad::NomadState> m_state;
    QString m_jobId;
    quint64 m_jobVersion;
    bool m_placed = false;
    bool m_stopped = false;
    bool m_healthy = false;
    bool m_unhealthy = false;
    QList<std::pair<QString, nomad::TaskEventReport>> m_held;
    QTimer m_minHealthy;
    QTimer m_healthyDeadline;
};

} // namespace mesh::lab
