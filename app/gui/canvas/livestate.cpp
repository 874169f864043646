#include "livestate.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

namespace meshpad::gui {

using mesh::lab::HealthStatus;
using mesh::lab::InstanceState;

void TrafficMeter::add(const mesh::lab::LabSnapshot &snapshot)
{
    const qint64 now
        = snapshot.taken.isValid() ? snapshot.taken.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
    for (const mesh::lab::ArrowSnapshot &arrow : snapshot.arrows) {
        auto rate = m_rates.find(arrow.id);
        if (rate == m_rates.end())
            rate = m_rates.insert(arrow.id, mesh::lab::ByteRate(m_window));
        rate->add(now, arrow.bytesSent + arrow.bytesReceived);
    }
}

double TrafficMeter::bytesPerSecond(const mesh::model::UpstreamId &arrow) const
{
    const auto it = m_rates.constFind(arrow);
    return it == m_rates.cend() ? 0 : it->perSecond();
}

LiveState LiveState::fromSnapshot(const mesh::lab::LabSnapshot &snapshot, const TrafficMeter *meter)
{
    LiveState state;
    if (!snapshot.running)
        return state;
    QHash<mesh::model::ServiceId, std::pair<int, int>> verdicts; // passing, critical
    for (const mesh::lab::InstanceSnapshot &instance : snapshot.instances) {
        ServiceLive &live = state.services[instance.serviceId];
        ++live.desired;
        if (instance.state == InstanceState::Running)
            ++live.running;
        if (instance.state == InstanceState::Stopped)
            continue; // a stopped allocation is deregistered: no checks
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
        live.bytesPerSecond = meter ? meter->bytesPerSecond(arrow.id) : arrow.bytesPerSecond;
        live.activeConnections = arrow.activeConnections;
        live.totalConnections = arrow.totalConnections;
        live.refusals = arrow.refusals;
        live.addedLatencyMs = arrow.addedLatencyMs;
        live.failureRate = arrow.failureRate;
    }
    return state;
}

QColor healthColour(HealthStatus health)
{
    switch (health) {
    case HealthStatus::Passing: return QColor(0x2e, 0xa0, 0x4f);
    case HealthStatus::Critical: return QColor(0xd6, 0x33, 0x33);
    case HealthStatus::Unknown: break;
    }
    return QColor(0x8a, 0x93, 0x9e);
}

QString rateText(double bytesPerSecond)
{
    const QLocale locale;
    if (bytesPerSecond < 1000)
        return locale.toString(qRound(bytesPerSecond)) + u" B/s";
    if (bytesPerSecond < 1e6)
        return locale.toString(bytesPerSecond / 1e3, 'f', 1) + u" kB/s";
    return locale.toString(bytesPerSecond / 1e6, 'f', 1) + u" MB/s";
}

QString runningText(const ServiceLive &live)
{
    return QCoreApplication::translate("LiveState", "%1/%2 running").arg(live.running).arg(live.desired);
}

QString trafficText(const ArrowLive &live)
{
    if (!live.allowed)
        return QCoreApplication::translate("LiveState", "denied · %n refused", nullptr, int(live.refusals));
    QString text = rateText(live.bytesPerSecond);
    if (live.activeConnections > 0)
        text += u" · " + QCoreApplication::translate("LiveState", "%n open", nullptr, int(live.activeConnections));
    if (live.addedLatencyMs > 0)
        text += u" · +" + QString::number(live.addedLatencyMs) + u" ms";
    if (live.failureRate > 0)
        text += u" · " + QString::number(qRound(live.failureRate * 100)) + u"% fail";
    return text;
}

} // namespace meshpad::gui
