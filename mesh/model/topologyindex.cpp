#include "topologyindex.h"

namespace mesh::model {

TopologyIndex::TopologyIndex(const Topology &topology)
    : m_topology(&topology)
{
    m_services.reserve(topology.services.size());
    m_servicesByName.reserve(topology.services.size());
    for (const Service &s : topology.services) {
        // First match wins, as Topology::service() scans from the front.
        if (!m_services.contains(s.id))
            m_services.insert(s.id, &s);
        if (!m_servicesByName.contains(s.name))
            m_servicesByName.insert(s.name, &s);
        if (s.external)
            continue; // no job: Meshpad runs it nowhere
        auto job = m_servicesOfJob.find(s.job);
        if (job == m_servicesOfJob.end()) {
            m_jobNames.append(s.job);
            job = m_servicesOfJob.insert(s.job, {});
        }
        job->append(&s);
    }
    m_upstreams.reserve(topology.upstreams.size());
    m_upstreamsFrom.reserve(topology.services.size());
    m_upstreamsTo.reserve(topology.services.size());
    for (const Upstream &u : topology.upstreams) {
        if (!m_upstreams.contains(u.id))
            m_upstreams.insert(u.id, &u);
        m_upstreamsFrom[u.downstream].append(&u);
        m_upstreamsTo[u.destination].append(&u);
    }
}

} // namespace mesh::model
