#pragma once

#include "lab/byterate.h"
#include "lab/labsnapshot.h"
#include "model/ids.h"

#include <QColor>
#include <QHash>
#include <QList>
#include <QString>

#include <chrono>

namespace meshpad::gui {

// What a running lab says about one service, for its card.
struct ServiceLive final
{
    int running = 0; // instances whose task runs
    int desired = 0; // allocations the lab holds for it (the group's count)
    // Consul's aggregated status over the instances that are not stopped:
    // critical if any is critical (or failed), else passing if any passes.
    mesh::lab::HealthStatus health = mesh::lab::HealthStatus::Unknown;

    friend bool operator==(const ServiceLive &, const ServiceLive &) = default;
};

// What a running lab says about one arrow, for its line.
struct ArrowLive final
{
    bool allowed = true;       // the intentions now (a drill may differ from the design)
    bool mtls = true;          // carried sidecar to sidecar over mutual TLS
    double bytesPerSecond = 0; // both ways
    quint64 activeConnections = 0;
    quint64 totalConnections = 0;
    quint64 refusals = 0;
    int addedLatencyMs = 0;
    double failureRate = 0;

    friend bool operator==(const ArrowLive &, const ArrowLive &) = default;
};

// Each arrow's bytes per second over the last `window`, from the byte totals
// of successive snapshots. The lab's own figure covers one snapshot interval
// (250 ms), so a dashboard fetching once a second would blink on and off.
class TrafficMeter final
{
public:
    explicit TrafficMeter(std::chrono::milliseconds window = std::chrono::seconds(2))
        : m_window(window)
    {
    }

    void add(const mesh::lab::LabSnapshot &snapshot);
    // 0 until two snapshots of the arrow were added.
    double bytesPerSecond(const mesh::model::UpstreamId &arrow) const;
    void clear() { m_rates.clear(); }

private:
    std::chrono::milliseconds m_window;
    QHash<mesh::model::UpstreamId, mesh::lab::ByteRate> m_rates;
};

// The canvas's view of one lab snapshot, by model id. Built on the GUI
// thread from a snapshot copy; holds nothing the snapshot lacks. With a
// meter, arrows carry its smoothed bytes/s instead of the snapshot's.
struct LiveState final
{
    QHash<mesh::model::ServiceId, ServiceLive> services;
    QHash<mesh::model::UpstreamId, ArrowLive> arrows;

    static LiveState fromSnapshot(const mesh::lab::LabSnapshot &snapshot, const TrafficMeter *meter = nullptr);
};

// "1.2 kB/s", "950 B/s".
QString rateText(double bytesPerSecond);

// Consul's UI colours: passing green, critical red, anything else grey.
QColor healthColour(mesh::lab::HealthStatus health);

// "3/3 running".
QString runningText(const ServiceLive &live);
// "1.2 kB/s · 2 open", with the drills' faults when set; "denied · 3 refused"
// while the intentions deny it.
QString trafficText(const ArrowLive &live);

} // namespace meshpad::gui
