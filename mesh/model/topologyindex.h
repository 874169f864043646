#pragma once

#include "topology.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace mesh::model {

// Constant-time lookups into one design, built once in one pass over it.
// Topology's own lookups (service(), upstreamsFrom(), jobNames(), …) scan
// the whole design each call; fine for one click in the editor, quadratic
// when a generator or the validator calls them once per service. Whatever
// walks a whole design builds one index and asks it instead.
//
// The index points into the Topology it was built from: that topology must
// outlive it and must not change while it is in use. Answers are the same
// as Topology's (first match, file order), so either can be asked.
//
// The constructor is implicit on purpose: a one-off call such as
// `ConsulGenerator::registrationJson(topology, service)` builds a temporary
// index (one pass, as the old scan did); loops build one and pass it.
class TopologyIndex final
{
public:
    TopologyIndex(const Topology &topology); // NOLINT(google-explicit-constructor): see above

    const Topology &topology() const { return *m_topology; }

    const Service *service(const ServiceId &id) const { return m_services.value(id); }
    const Service *serviceByName(const QString &name) const { return m_servicesByName.value(name); }
    const Upstream *upstream(const UpstreamId &id) const { return m_upstreams.value(id); }
    // Arrows leaving / arriving at `id`, in file order.
    QList<const Upstream *> upstreamsFrom(const ServiceId &id) const { return m_upstreamsFrom.value(id); }
    QList<const Upstream *> upstreamsTo(const ServiceId &id) const { return m_upstreamsTo.value(id); }
    // Job names in first-appearance order, and the services of one job;
    // external services belong to no job.
    const QStringList &jobNames() const { return m_jobNames; }
    QList<const Service *> servicesOfJob(const QString &job) const { return m_servicesOfJob.value(job); }

private:
    const Topology *m_topology;
    QHash<ServiceId, const Service *> m_services;
    QHash<QString, const Service *> m_servicesByName;
    QHash<UpstreamId, const Upstream *> m_upstreams;
    QHash<ServiceId, QList<const Upstream *>> m_upstreamsFrom;
    QHash<ServiceId, QList<const Upstream *>> m_upstreamsTo;
    QStringList m_jobNames;
    QHash<QString, QList<const Service *>> m_servicesOfJob;
};

} // namespace mesh::model
