#include "placement.h"

#include <QUuid>

#include <limits>

namespace mesh::lab {

namespace {
// 127.<slot>.2.1 onwards: allocation addresses, skipping .0 and .255.
quint32 firstAllocationAddress(int slot)
{
    return (127u << 24) | (quint32(slot & 0xff) << 16) | (2u << 8) | 1u;
}

QHostAddress nodeAddress(int slot, int node)
{
    return QHostAddress((127u << 24) | (quint32(slot & 0xff) << 16) | (1u << 8) | quint32(node));
}
} // namespace

QList<LabNode> Placement::defaultNodes(int slot)
{
    return {
        {QStringLiteral("one"), nodeAddress(slot, 1)},
        {QStringLiteral("two"), nodeAddress(slot, 2)},
        {QStringLiteral("three"), nodeAddress(slot, 3)},
    };
}

Placement::Placement(QList<LabNode> nodes, int slot)
    : m_nodes(std::move(nodes))
    , m_up(m_nodes.size(), true)
    , m_firstAddress(firstAllocationAddress(slot))
{
}

int Placement::nodeIndex(QStringView name) const
{
    for (int i = 0; i < m_nodes.size(); ++i) {
        if (m_nodes.at(i).name == name)
            return i;
    }
    return -1;
}

void Placement::setNodeUp(int node, bool up)
{
    if (node >= 0 && node < m_up.size())
        m_up[node] = up;
}

QString Placement::allocationName(const model::Service &service, int index)
{
    return QStringLiteral("%1.%2[%3]").arg(service.job, service.group).arg(index);
}

std::optional<AllocationPlan> Placement::place(const model::Service &service, int index)
{
    QList<int> staticPorts;
    for (const model::PortMapping &port : service.ports) {
        if (port.staticPort != 0)
            staticPorts.append(port.staticPort);
    }
    int best = -1;
    int bestInGroup = std::numeric_limits<int>::max();
    int bestTotal = std::numeric_limits<int>::max();
    for (int node = 0; node < m_nodes.size(); ++node) {
        if (!m_up.at(node))
            continue;
        int inGroup = 0;
        int total = 0;
        bool portTaken = false;
        for (const AllocationPlan &placed : m_placed) {
            if (placed.node != node)
                continue;
            ++total;
            if (placed.serviceId == service.id)
                ++inGroup;
            // A node has each host port once: Nomad's network check finds
            // it exhausted ("reserved port collision", hashicorp/nomad:
            // nomad/structs/network.go), e.g. for a lost allocation's
            // replacement on a node that runs another of its group.
            for (int port : staticPorts)
                portTaken = portTaken || placed.staticPorts.contains(port);
        }
        if (portTaken)
            continue;
        if (inGroup < bestInGroup || (inGroup == bestInGroup && total < bestTotal)) {
            best = node;
            bestInGroup = inGroup;
            bestTotal = total;
        }
    }
    if (best < 0)
        return std::nullopt;
    AllocationPlan plan;
    plan.allocId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    plan.allocName = allocationName(service, index);
    plan.index = index;
    plan.serviceId = service.id;
    plan.node = best;
    plan.address = nextAddress();
    plan.staticPorts = staticPorts;
    m_placed.append(plan);
    return plan;
}

void Placement::release(const AllocationPlan &plan)
{
    m_placed.removeIf([&](const AllocationPlan &placed) { return placed.allocId == plan.allocId; });
}

QHostAddress Placement::nextAddress()
{
    for (;;) {
        const quint32 address = m_firstAddress + m_nextHost++;
        const quint32 last = address & 0xffu;
        if (last != 0 && last != 255)
            return QHostAddress(address);
    }
}

} // namespace mesh::lab
