#include "labsnapshot.h"

namespace mesh::lab {

QString toString(InstanceState state)
{
    switch (state) {
    case InstanceState::Pending: return QStringLiteral("pending");
    case InstanceState::Starting: return QStringLiteral("starting");
    case InstanceState::Running: return QStringLiteral("running");
    case InstanceState::Restarting: return QStringLiteral("restarting");
    case InstanceState::Failed: return QStringLiteral("failed");
    case InstanceState::Stopped: return QStringLiteral("stopped");
    case InstanceState::Lost: return QStringLiteral("lost");
    }
    return {};
}

QString toString(HealthStatus status)
{
    switch (status) {
    case HealthStatus::Unknown: return QStringLiteral("unknown");
    case HealthStatus::Passing: return QStringLiteral("passing");
    case HealthStatus::Critical: return QStringLiteral("critical");
    }
    return {};
}

const InstanceSnapshot *LabSnapshot::instance(const QString &allocId) const
{
    if (allocId.isEmpty())
        return nullptr;
    for (const InstanceSnapshot &candidate : instances) {
        if (candidate.allocId == allocId)
            return &candidate;
    }
    return nullptr;
}

const InstanceSnapshot *LabSnapshot::lostAllocation(const QString &allocId) const
{
    if (allocId.isEmpty())
        return nullptr;
    for (const InstanceSnapshot &candidate : lost) {
        if (candidate.allocId == allocId)
            return &candidate;
    }
    return nullptr;
}

QList<const InstanceSnapshot *> LabSnapshot::instancesOf(const model::ServiceId &service) const
{
    QList<const InstanceSnapshot *> result;
    for (const InstanceSnapshot &candidate : instances) {
        if (candidate.serviceId == service)
            result.append(&candidate);
    }
    return result;
}

const ArrowSnapshot *LabSnapshot::arrow(const model::UpstreamId &id) const
{
    for (const ArrowSnapshot &candidate : arrows) {
        if (candidate.id == id)
            return &candidate;
    }
    return nullptr;
}

} // namespace mesh::lab
