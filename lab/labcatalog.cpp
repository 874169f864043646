#include "labcatalog.h"

#include <QSet>

namespace mesh::lab {

void LabCatalog::setIdentity(const QString &trustDomain, const QString &datacenter)
{
    m_trustDomain = trustDomain;
    m_datacenter = datacenter;
}

void LabCatalog::setIntentions(const model::Topology &topology)
{
    m_defaultAllow = topology.settings.defaultPolicy == model::IntentionAction::Allow;
    m_intentions.clear();
    for (const model::Upstream &upstream : topology.upstreams) {
        const model::Service *source = topology.service(upstream.downstream);
        const model::Service *destination = topology.service(upstream.destination);
        if (source && destination)
            m_intentions[destination->name].insert(source->name, upstream.action);
    }
    rebuildAuthorizers();
}

void LabCatalog::setIntention(const QString &source, const QString &destination, model::IntentionAction action)
{
    m_intentions[destination].insert(source, action);
    rebuildAuthorizers();
}

bool LabCatalog::isAllowed(const QString &source, const QString &destination) const
{
    return authorize(pki::SpiffeId::forService(m_trustDomain, m_datacenter, source), destination).allowed;
}

void LabCatalog::rebuildAuthorizers()
{
    m_authorizers.clear();
    for (auto destination = m_intentions.cbegin(); destination != m_intentions.cend(); ++destination) {
        QSet<QString> allowed;
        QSet<QString> denied;
        for (auto source = destination->cbegin(); source != destination->cend(); ++source)
            (source.value() == model::IntentionAction::Allow ? allowed : denied).insert(source.key());
        proxy::IntentionAuthorizer authorizer;
        authorizer.setAllowed(allowed);
        authorizer.setDenied(denied);
        authorizer.setDefaultAllow(m_defaultAllow);
        m_authorizers.insert(destination.key(), authorizer);
    }
}

void LabCatalog::registerInstance(const Registration &registration)
{
    deregister(registration.allocId);
    m_registrations.append(registration);
}

void LabCatalog::deregister(const QString &allocId)
{
    m_registrations.removeIf([&](const Registration &r) { return r.allocId == allocId; });
}

void LabCatalog::setHealthy(const QString &allocId, bool healthy)
{
    for (Registration &registration : m_registrations) {
        if (registration.allocId == allocId)
            registration.healthy = healthy;
    }
}

void LabCatalog::setNodeUp(const QString &node, bool up)
{
    for (Registration &registration : m_registrations) {
        if (registration.node == node)
            registration.nodeUp = up;
    }
}

QList<proxy::Instance> LabCatalog::resolve(const QString &service) const
{
    QList<proxy::Instance> instances;
    for (const Registration &registration : m_registrations) {
        if (registration.service != service || !registration.healthy || !registration.nodeUp || registration.port == 0)
            continue;
        instances.append(proxy::Instance{registration.address.toString(), registration.port,
                                         pki::SpiffeId::forService(m_trustDomain, m_datacenter, service)});
    }
    return instances;
}

proxy::Authorization LabCatalog::authorize(const pki::SpiffeId &source, const QString &destination) const
{
    const auto authorizer = m_authorizers.constFind(destination);
    if (authorizer != m_authorizers.constEnd())
        return authorizer->authorize(source, destination);
    proxy::IntentionAuthorizer fallback;
    fallback.setDefaultAllow(m_defaultAllow);
    return fallback.authorize(source, destination);
}

} // namespace mesh::lab
