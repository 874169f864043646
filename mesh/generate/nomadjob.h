#pragma once

#include "model/topology.h"
#include "model/topologyindex.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace mesh::generate {

// One Nomad job as Meshpad means it, resolved from the model: every choice
// (which ports are reserved, which check is exposed, which upstreams survive)
// is made here once, so the HCL and the JSON renderings cannot disagree.
// Names follow the API (hashicorp/nomad: api/jobs.go, api/tasks.go,
// api/services.go); the renderers only spell them.
struct NomadJob
{
    struct Port
    {
        QString label;
        int value = 0; // `static`; 0 = dynamic
        int to = 0;    // 0 = same number inside the allocation
        bool reserved() const { return value != 0; }
    };

    struct Upstream
    {
        QString destinationName;
        int localBindPort = 0;
        QString localBindAddress; // empty = Consul's default
    };

    struct Check
    {
        QString type; // "http" / "tcp"
        QString path; // http only
        qint64 intervalMs = 0;
        qint64 timeoutMs = 0;
        bool expose = false;
    };

    struct Service
    {
        QString name;
        QString portLabel; // empty = no `port`
        QStringList tags;
        QList<model::KeyValue> meta; // keys unique
        std::optional<Check> check;
        bool sidecar = false;
        int localServicePort = 0; // 0 = leave to Consul
        QList<Upstream> upstreams;
    };

    struct Task
    {
        QString name;
        QString driver;
        // Driver config, in the order written: `image`, `command`, `args`.
        QString image;
        QString command;
        QStringList args;
        QList<model::KeyValue> env; // keys unique
        int cpu = 0;                // 0 = Nomad's default
        int memoryMb = 0;
    };

    struct Group
    {
        QString name;
        int count = 1;
        QString networkMode;
        QList<Port> ports;
        Service service;
        Task task;
    };

    QString id;
    QStringList datacenters;
    // The job's own `meta`: empty from a design; deploy adds its ownership
    // marks (deploy::Ownership) so the HCL and the JSON both carry them.
    QList<model::KeyValue> meta;
    QList<Group> groups;

    // The job `job` of the design: one group per service of that job, in
    // model order. Never fails: an invalid design gives the job it literally
    // describes (the Validator reports what Nomad would refuse), except that
    // upstreams to a missing service are left out and repeated env/meta keys
    // keep their first position and last value (what Nomad's decoder keeps).
    static NomadJob fromTopology(const model::TopologyIndex &design, QStringView job);
};

} // namespace mesh::generate
