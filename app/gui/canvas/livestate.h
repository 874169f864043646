#pragma once

#include "lab/labsnapshot.h"
#include "model/ids.h"

#include <QHash>
#include <QString>

namespace meshpad::gui {

// What a running lab says about one service, for its card.
struct ServiceLive final
{
    int running = 0;   // instances whose task runs
    int desired = 0;   // allocations the lab holds for it (the group's count)
    // Consul's aggregated status over the instances that are not stopped:
    // critical if any is critical (or failed), else passing if any passes.
    mesh::lab::HealthStatus health = mesh::lab::HealthStatus::Unknown;

    friend bool operator==(const ServiceLive &, const ServiceLive &) = default;
};

// What a running lab says about one arrow, for its line.
struct ArrowLive final
{
    bool allowed = true;         // the intentions now (a drill may differ from the design)
    bool mtls = true;            // carried sidecar to sidecar over mutual TLS
    double bytesPerSecond = 0;   // both ways
    quint64 activeConnections = 0;
    quint64 totalConnections = 0;
    quint64 refusals = 0;
    int addedLatencyMs = 0;
    double failureRate = 0;

    friend bool operator==(const ArrowLive &, const ArrowLive &) = default;
};

// The canvas's view of one lab snapshot, by model id. Built on the GUI
// thread from a snapshot copy; holds nothing the snapshot lacks.
struct LiveState final
{
    QHash<mesh::model::ServiceId, ServiceLive> services;
    QHash<mesh::model::UpstreamId, ArrowLive> arrows;

    static LiveState fromSnapshot(const mesh::lab::LabSnapshot &snapshot);
};

// "3/3 running".
QString runningText(const ServiceLive &live);
// "1.2 kB/s · 2 conn", with the drills' faults when set; "denied · 3 refused"
// while the intentions deny it.
QString trafficText(const ArrowLive &live);

} // namespace meshpad::gui
