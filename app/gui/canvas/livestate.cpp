#include "livestate.h"

#include <QCoreApplication>
#include <QLocale>

namespace meshpad::gui {

using mesh::lab::HealthStatus;
using mesh::lab::InstanceState;

LiveState LiveState::fromSnapshot(const mesh::lab::LabSnapshot &snapshot)
{
    LiveState state;
    if (!snapshot.running)
        return state;
    QHash<mesh::model::ServiceId, std::pair<int, int>> verdicts;  // passing, critical
    for (const mesh::lab::InstanceSnapshot &instance : snapshot.instances) {
        ServiceLive &live = state.services[instance.serviceId];
        ++live.desired;
        if (instance.state == InstanceState::Running)
            ++live.running;
        if (instance.state == InstanceState::Stopped)
            continue;  // a stopped allocation is deregistered: no checks
        auto &[passing, critical] = verdicts[instance.serviceId];
        if (instance.state == InstanceState::Failed || instance.health == HealthStatus::Critical)
            ++critical;
        else if (instance.health == HealthStatus::Passing)
            ++passing;
    }
    for (auto it = verdicts.cbegin(); it != verdicts.cend(); ++it) {
        ServiceLive &live = state.services[it.key()];
        live.health = it.value().second > 0  ? HealthStatus::Critical
                      : it.value().first > 0 ? HealthStatus::Passing
                                             : HealthStatus::Unknown;
    }
    for (const mesh::lab::ArrowSnapshot &arrow : snapshot.arrows) {
        ArrowLive &live = state.arrows[arrow.id];
        live.allowed = arrow.allowed;
        live.bytesPerSecond = arrow.bytesPerSecond;
        live.activeConnections = arrow.activeConnections;
        live.totalConnections = arrow.totalConnections;
        live.refusals = arrow.refusals;
        live.addedLatencyMs = arrow.addedLatencyMs;
        live.failureRate = arrow.failureRate;
    }
    return state;
}

QString runningText(const ServiceLive &live)
{
    return QCoreApplication::translate("LiveState", "%1/%2 running").arg(live.running).arg(live.desired);
}

QString trafficText(const ArrowLive &live)
{
    if (!live.allowed)
        return QCoreApplication::translate("LiveState", "denied · %n refused", nullptr, int(live.refusals));
    const QLocale locale;
    QString text = locale.formattedDataSize(qint64(live.bytesPerSecond), 1, QLocale::DataSizeSIFormat) + u"/s";
    text += u" · " + QCoreApplication::translate("LiveState", "%n conn", nullptr, int(live.activeConnections));
    if (live.addedLatencyMs > 0)
        text += u" · +" + QString::number(live.addedLatencyMs) + u" ms";
    if (live.failureRate > 0)
        text += u" · " + QString::number(qRound(live.failureRate * 100)) + u"% fail";
    return text;
}

} // namespace meshpad::gui
