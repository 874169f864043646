#pragma once

#include "lab/labsnapshot.h"
#include "lab/placement.h"
#include "model/topology.h"

#include <QMap>
#include <QString>

namespace mesh::lab {

// The task environment Nomad's client builds (hashicorp/nomad:
// client/taskenv/env.go), for one allocation of the lab, and `${…}`
// interpolation over it.
//
// Differences from a Nomad client, each because the lab has no network
// namespaces: NOMAD_UPSTREAM_IP_* is the allocation's own address instead of
// 127.0.0.1 (the upstream listeners bind there, so two allocations can both
// have local port 8080), and NOMAD_ALLOC_IP_* is that same address.
class RuntimeEnvironment final
{
public:
    struct Inputs final
    {
        const model::Topology *topology = nullptr;
        const model::Service *service = nullptr;
        AllocationPlan plan;
        LabNode node;
        QList<AllocatedPort> ports; // the group ports, host ports chosen
        quint16 sidecarPort = 0;    // 0 without a sidecar
        QString allocDir;           // NOMAD_ALLOC_DIR; task and secrets dirs are inside
    };

    explicit RuntimeEnvironment(const Inputs &inputs);

    // The Consul service an arrow leads to: the destination service's name,
    // or — for a job sent through the lab's Nomad API, whose upstream names a
    // service that does not run (yet) — the name the upstream gives.
    static QString destinationName(const model::Topology &topology, const model::Upstream &upstream);

    // NOMAD_* variables only, sorted by name.
    const QMap<QString, QString> &nomadVariables() const { return m_variables; }
    // What the task sees: the NOMAD_* variables, then the service's env with
    // `${…}` interpolated (the user's values win, as a task's env does).
    QMap<QString, QString> taskEnvironment() const;
    // The service's args, interpolated.
    QStringList taskArguments() const;

    // Replaces every `${name}` whose name is a variable (NOMAD_*, node.*,
    // attr.*) with its value; unknown names are left as written, as Nomad
    // leaves them.
    QString interpolate(const QString &text) const;

private:
    void add(const QString &name, const QString &value) { m_variables.insert(name, value); }

    Inputs m_inputs;
    QMap<QString, QString> m_variables;
    QMap<QString, QString> m_nodeAttributes; // ${node.unique.name}, ${attr.unique.network.ip-address}, …
};

} // namespace mesh::lab
