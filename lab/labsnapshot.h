#pragma once

#include "model/ids.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace mesh::lab {

// Where an allocation is in its life, as Nomad's client status words.
enum class InstanceState {
    Pending,  // placed, not started yet (or, without an allocId, waiting for a node)
    Starting, // task started, not yet listening / checked
    Running,
    Restarting, // failed; waiting for the back-off before the next start
    Failed,     // could not start at all (e.g. a docker image the lab cannot run)
    Stopped,    // stopped by a drill (or its count was lowered)
    // Its node went down while it ran: Nomad's ClientStatus "lost". The
    // scheduler places a replacement elsewhere (hashicorp/nomad:
    // scheduler/reconcile.go, lost allocations are stopped and placed again);
    // a lost allocation never runs again, even when its node comes back.
    Lost,
};
// Consul's check status words: "unknown" before the first check.
enum class HealthStatus { Unknown, Passing, Critical };

QString toString(InstanceState state); // "pending", "starting", "running", …
QString toString(HealthStatus status); // "unknown", "passing", "critical"

// A group port as Nomad allocated it: `NOMAD_HOST_PORT_<label>` on the node's
// address, forwarded to `to` on the allocation's own address.
struct AllocatedPort final
{
    QString label;
    QString hostAddress; // the node's address
    quint16 hostPort = 0;
    quint16 to = 0; // the port inside the allocation
};

struct InstanceSnapshot final
{
    QString allocId;   // a UUID, as Nomad's
    QString allocName; // "<job>.<group>[<index>]"
    int index = 0;
    model::ServiceId serviceId;
    QString serviceName;
    QString node;        // "one", "two", "three"
    QString nodeAddress; // 127.0.1.x
    QString address;     // the allocation's own address, 127.0.2.x
    InstanceState state = InstanceState::Pending;
    HealthStatus health = HealthStatus::Unknown;
    int restarts = 0;
    QString message; // why it failed or restarts, empty when fine
    QList<AllocatedPort> ports;
    quint16 sidecarPort = 0;             // the inbound mTLS listener on nodeAddress; 0 without sidecar
    bool embedded = false;               // the in-process counter/dashboard, not a child process
    qint64 pid = 0;                      // child process id while one runs
    QStringList output;                  // the child's last lines, stdout and stderr merged (at most 50)
    std::optional<quint64> counterValue; // the embedded counter's count
    // Nomad's Allocation.PreviousAllocation / NextAllocation (hashicorp/nomad:
    // nomad/structs/structs.go): the lost allocation this one replaces, and
    // the one that replaced a lost one. A replacement keeps the lost one's
    // name ("<job>.<group>[<index>]"), so only the ids tell them apart.
    QString previousAllocation;
    QString nextAllocation;
};

// One arrow as the lab carries it: the downstream sidecars' upstream
// listeners for this destination, summed.
struct ArrowSnapshot final
{
    model::UpstreamId id;
    QString from;        // downstream service name
    QString to;          // destination service name
    bool allowed = true; // what the intentions say now
    quint64 activeConnections = 0;
    quint64 totalConnections = 0;
    quint64 bytesSent = 0;       // downstream → destination
    quint64 bytesReceived = 0;   // destination → downstream
    double bytesPerSecond = 0;   // both ways, over the last snapshot interval
    quint64 refusals = 0;        // refused by the destination's sidecars (denied, identity, …)
    quint64 connectFailures = 0; // no healthy instance, or none answered
    int addedLatencyMs = 0;      // drill
    double failureRate = 0;      // drill, 0…1
};

struct NodeSnapshot final
{
    QString name;
    QString address;
    bool up = true;
    // Where the node's agents serve their HTTP APIs, as CONSUL_HTTP_ADDR and
    // NOMAD_ADDR take them: "http://127.0.1.1:8500", "http://127.0.1.1:4646".
    QString consulAddress;
    QString nomadAddress;
};

// What `meshpad lab up` prints, one per allocated port of every instance.
struct Endpoint final
{
    QString service;
    QString allocName;
    QString label;
    QString url; // http://<node address>:<host port>
};

struct LabSnapshot final
{
    bool running = false;
    QDateTime taken;
    QString trustDomain;
    QString datacenter;
    QList<NodeSnapshot> nodes;
    // The allocations the lab runs or means to run, in design order, then by
    // index. One whose node is gone and that waits for a node to come up is
    // Pending with an empty allocId and node.
    QList<InstanceSnapshot> instances;
    // Allocations lost with their node (state Lost), oldest first: the last
    // few of each service, as Nomad keeps terminal allocations until its
    // garbage collection. Not part of `instances`.
    QList<InstanceSnapshot> lost;
    QList<ArrowSnapshot> arrows;
    // Dashboards first, then every other service, in design order.
    QList<Endpoint> endpoints;
    // The first dashboard's `http` port, found as the seed's jq recipe does
    // (the allocation of job "dashboard", its port labelled "http"); else
    // the first endpoint; empty when nothing is published.
    QString dashboardUrl;

    // In `instances`; null for an empty id.
    const InstanceSnapshot *instance(const QString &allocId) const;
    // In `lost`; null for an empty id.
    const InstanceSnapshot *lostAllocation(const QString &allocId) const;
    QList<const InstanceSnapshot *> instancesOf(const model::ServiceId &service) const;
    const ArrowSnapshot *arrow(const model::UpstreamId &id) const;
};

} // namespace mesh::lab

Q_DECLARE_METATYPE(mesh::lab::LabSnapshot)
