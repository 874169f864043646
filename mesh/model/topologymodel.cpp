#include "topologymodel.h"

#include <QSet>

namespace mesh::model {

namespace {

// "count-api" → "count-api", "count-api-2", "count-api-3", … whichever is free.
template<class IdType, class Taken>
IdType uniqueId(QStringView hint, Taken taken)
{
    const QString base = hint.isEmpty() ? QStringLiteral("item") : hint.toString();
    if (!taken(base))
        return IdType{base};
    for (int n = 2;; ++n) {
        const QString candidate = base + u'-' + QString::number(n);
        if (!taken(candidate))
            return IdType{candidate};
    }
}

} // namespace

TopologyModel::TopologyModel(QObject *parent)
    : QObject(parent)
{
}

TopologyModel::~TopologyModel() = default;

void TopologyModel::setTopology(Topology topology)
{
    m_topology = std::move(topology);
    Q_EMIT modelReset();
    Q_EMIT changed();
}

qsizetype TopologyModel::indexOfService(const ServiceId &id) const
{
    for (qsizetype i = 0; i < m_topology.services.size(); ++i) {
        if (m_topology.services[i].id == id)
            return i;
    }
    return -1;
}

qsizetype TopologyModel::indexOfUpstream(const UpstreamId &id) const
{
    for (qsizetype i = 0; i < m_topology.upstreams.size(); ++i) {
        if (m_topology.upstreams[i].id == id)
            return i;
    }
    return -1;
}

ServiceId TopologyModel::uniqueServiceId(QStringView hint) const
{
    return uniqueId<ServiceId>(hint, [this](const QString &id) { return indexOfService(ServiceId{id}) >= 0; });
}

UpstreamId TopologyModel::uniqueUpstreamId(QStringView hint) const
{
    return uniqueId<UpstreamId>(hint, [this](const QString &id) { return indexOfUpstream(UpstreamId{id}) >= 0; });
}

ServiceId TopologyModel::addService(Service service, qsizetype index)
{
    if (service.id.isNull() || indexOfService(service.id) >= 0)
        service.id = uniqueServiceId(service.name.isEmpty() ? QStringView(u"service") : QStringView(service.name));
    const ServiceId id = service.id;
    if (index < 0 || index > m_topology.services.size())
        index = m_topology.services.size();
    m_topology.services.insert(index, std::move(service));
    Q_EMIT serviceAdded(id);
    Q_EMIT changed();
    return id;
}

bool TopologyModel::updateService(const Service &service)
{
    const qsizetype i = indexOfService(service.id);
    if (i < 0 || m_topology.services[i] == service)
        return false;
    const bool moved = m_topology.services[i].position != service.position;
    m_topology.services[i] = service;
    Q_EMIT serviceChanged(service.id);
    if (moved)
        Q_EMIT serviceMoved(service.id, service.position);
    Q_EMIT changed();
    return true;
}

bool TopologyModel::moveService(const ServiceId &id, QPointF position)
{
    const qsizetype i = indexOfService(id);
    if (i < 0 || m_topology.services[i].position == position)
        return false;
    m_topology.services[i].position = position;
    Q_EMIT serviceMoved(id, position);
    Q_EMIT changed();
    return true;
}

bool TopologyModel::removeService(const ServiceId &id)
{
    if (indexOfService(id) < 0)
        return false;
    // Let go of the arrows first, so views never hold an arrow whose end is gone.
    QList<UpstreamId> attached;
    for (const Upstream &u : std::as_const(m_topology.upstreams)) {
        if (u.downstream == id || u.destination == id)
            attached.append(u.id);
    }
    for (const UpstreamId &u : attached) {
        Q_EMIT upstreamAboutToBeRemoved(u);
        m_topology.upstreams.removeAt(indexOfUpstream(u));
        Q_EMIT upstreamRemoved(u);
    }
    Q_EMIT serviceAboutToBeRemoved(id);
    m_topology.services.removeAt(indexOfService(id));
    Q_EMIT serviceRemoved(id);
    Q_EMIT changed();
    return true;
}

Result<UpstreamId> TopologyModel::addUpstream(Upstream upstream, qsizetype index)
{
    if (indexOfService(upstream.downstream) < 0)
        return fail(Error::Code::NotFound,
                    QStringLiteral("the arrow's start (%1) is not a service").arg(upstream.downstream.value));
    if (indexOfService(upstream.destination) < 0)
        return fail(Error::Code::NotFound,
                    QStringLiteral("the arrow's end (%1) is not a service").arg(upstream.destination.value));
    if (upstream.downstream == upstream.destination)
        return fail(Error::Code::Invalid, QStringLiteral("a service cannot be its own upstream"));
    if (upstream.id.isNull() || indexOfUpstream(upstream.id) >= 0)
        upstream.id = uniqueUpstreamId(QString(upstream.downstream.value + u"-to-" + upstream.destination.value));
    const UpstreamId id = upstream.id;
    if (index < 0 || index > m_topology.upstreams.size())
        index = m_topology.upstreams.size();
    m_topology.upstreams.insert(index, std::move(upstream));
    Q_EMIT upstreamAdded(id);
    Q_EMIT changed();
    return id;
}

bool TopologyModel::updateUpstream(const Upstream &upstream)
{
    const qsizetype i = indexOfUpstream(upstream.id);
    if (i < 0 || m_topology.upstreams[i] == upstream)
        return false;
    m_topology.upstreams[i] = upstream;
    Q_EMIT upstreamChanged(upstream.id);
    Q_EMIT changed();
    return true;
}

bool TopologyModel::removeUpstream(const UpstreamId &id)
{
    const qsizetype i = indexOfUpstream(id);
    if (i < 0)
        return false;
    Q_EMIT upstreamAboutToBeRemoved(id);
    m_topology.upstreams.removeAt(i);
    Q_EMIT upstreamRemoved(id);
    Q_EMIT changed();
    return true;
}

void TopologyModel::setName(const QString &name)
{
    if (m_topology.name == name)
        return;
    m_topology.name = name;
    Q_EMIT nameChanged(name);
    Q_EMIT changed();
}

void TopologyModel::setSettings(const MeshSettings &settings)
{
    if (m_topology.settings == settings)
        return;
    m_topology.settings = settings;
    Q_EMIT settingsChanged();
    Q_EMIT changed();
}

} // namespace mesh::model
