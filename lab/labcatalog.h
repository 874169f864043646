#pragma once

#include "model/topology.h"
#include "proxy/authorizer.h"
#include "proxy/intentionauthorizer.h"
#include "proxy/resolver.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

namespace mesh::lab {

// The lab's Consul: which sidecar instances exist, which are healthy, and
// the intentions the design's arrows mean. The sidecars ask it through the
// proxy's Resolver and Authorizer interfaces, synchronously, on the network
// thread (it is never touched from another thread).
class LabCatalog final : public proxy::Resolver, public proxy::Authorizer
{
public:
    struct Registration final
    {
        QString allocId;
        QString service;
        QString node;
        QHostAddress address;  // where the sidecar listens (the node's address)
        quint16 port = 0;      // the sidecar's public port
        bool healthy = false;
        bool nodeUp = true;
    };

    void setIdentity(const QString &trustDomain, const QString &datacenter);
    // Intentions from the design: one per arrow (its action) plus the
    // default policy, as ConsulGenerator writes them.
    void setIntentions(const model::Topology &topology);
    // A drill: the arrow `source → destination` now allows or denies.
    void setIntention(const QString &source, const QString &destination, model::IntentionAction action);
    bool isAllowed(const QString &source, const QString &destination) const;

    void registerInstance(const Registration &registration);
    void deregister(const QString &allocId);
    void setHealthy(const QString &allocId, bool healthy);
    void setNodeUp(const QString &node, bool up);

    // Healthy instances of `service` on nodes that are up, in registration order.
    QList<proxy::Instance> resolve(const QString &service) const override;
    proxy::Authorization authorize(const pki::SpiffeId &source, const QString &destination) const override;

private:
    void rebuildAuthorizers();

    QString m_trustDomain;
    QString m_datacenter;
    bool m_defaultAllow = true;
    // destination → source → action; the arrows as intentions.
    QHash<QString, QHash<QString, model::IntentionAction>> m_intentions;
    QHash<QString, proxy::IntentionAuthorizer> m_authorizers;
    QList<Registration> m_registrations;
};

} // namespace mesh::lab
