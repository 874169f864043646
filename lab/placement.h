#pragma once

#include "model/topology.h"

#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace mesh::lab {

// A lab node: a name and the loopback address its host ports bind on.
struct LabNode final
{
    QString name;
    QHostAddress address;
};

// One allocation as the scheduler decided it; ports are chosen later, when
// the allocation starts (a host port is only known free once bound).
struct AllocationPlan final
{
    QString allocId;   // a fresh UUID, as Nomad's
    QString allocName; // "<job>.<group>[<index>]"
    int index = 0;
    model::ServiceId serviceId;
    int node = 0;         // index into the lab's nodes
    QHostAddress address; // the allocation's own address (its "network namespace")
    // The lost allocation this one replaces (Nomad's PreviousAllocation);
    // empty for a first placement. Set by the caller of place().
    QString previousAllocId;
    QList<int> staticPorts; // the node's host ports it reserves (static ports)
};

// Places allocations as Nomad's scheduler would spread them: each group's
// instances over the nodes that are up, the node with fewest instances of
// that group first, then the node with fewest allocations overall, then
// node order; a node where another allocation holds one of the service's
// static host ports is not a candidate. Gives every allocation its own
// address from 127.0.2.1 on, so fixed ports (9001, an upstream's 8080) never
// clash between allocations, as bridge networking gives each its own network
// namespace.
class Placement final
{
public:
    // The three lab nodes: one, two, three on 127.<slot>.1.1–3. Each lab
    // running on the machine takes its own slot (see LabRuntime), so two
    // labs never share an address; the first is slot 0.
    static QList<LabNode> defaultNodes(int slot = 0);

    // Allocation addresses start at 127.<slot>.2.1.
    explicit Placement(QList<LabNode> nodes = defaultNodes(), int slot = 0);

    const QList<LabNode> &nodes() const { return m_nodes; }
    int nodeIndex(QStringView name) const; // -1 when unknown

    void setNodeUp(int node, bool up);
    bool isNodeUp(int node) const { return m_up.value(node, false); }

    // Places instance `index` of `service`; nullopt when no node that is up
    // has its static ports free.
    // Records the allocation so later placements spread around it.
    std::optional<AllocationPlan> place(const model::Service &service, int index);
    // Forgets an allocation (its count was lowered); its address is not reused
    // within this run, so a late packet never reaches a stranger.
    void release(const AllocationPlan &plan);

    static QString allocationName(const model::Service &service, int index);

private:
    QHostAddress nextAddress();

    QList<LabNode> m_nodes;
    QList<bool> m_up;
    QList<AllocationPlan> m_placed;
    quint32 m_firstAddress;
    quint32 m_nextHost = 0;
};

} // namespace mesh::lab
