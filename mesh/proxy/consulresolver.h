#pragma once

#include "proxy/resolver.h"

#include <QHash>
#include <QObject>

namespace mesh::api {
class BlockingWatch;
}
namespace mesh::consul {
class ConsulClient;
struct ServiceEntry;
} // namespace mesh::consul

namespace mesh::proxy {

// Upstream instances from a Consul agent: one blocking query per destination
// on /v1/health/connect/<destination>?passing (hashicorp/consul:
// connect/resolver.go ConsulResolver, which asks the same endpoint per
// connection; a watch answers each connection from memory instead, and
// follows every change within one round trip). Each entry dials
// Service.Address, else Node.Address, on Service.Port, and must present
// spiffe://<trust domain>/ns/default/dc/<Node.Datacenter>/svc/<destination>
// (connect/resolver.go resolveServiceEntry). The upstream listener tries the
// instances in turn, so a dead one fails over to the next.
//
// Does not own the client; lives on its thread.
class ConsulResolver final : public QObject, public Resolver
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsulResolver)

public:
    explicit ConsulResolver(consul::ConsulClient *client, QObject *parent = nullptr);
    ~ConsulResolver() override;

    // The trust domain expected identities are built with (from the roots).
    void setTrustDomain(const QString &trustDomain) { m_trustDomain = trustDomain; }
    // Starts following `destination` (no-op when already followed).
    void watch(const QString &destination);

    QList<Instance> resolve(const QString &destination) const override;

Q_SIGNALS:
    // The healthy instances of `destination` changed (count given).
    void instancesChanged(const QString &destination, int count);
    void problem(const QString &message);

private:
    consul::ConsulClient *m_client;
    QString m_trustDomain;
    QHash<QString, api::BlockingWatch *> m_watches;
    QHash<QString, QList<consul::ServiceEntry>> m_entries;
};

} // namespace mesh::proxy
