#pragma once

#include "core/result.h"
#include "proxy/identitysource.h"

#include <QString>

namespace mesh::api {
class BlockingWatch;
}
namespace mesh::consul {
class ConsulClient;
struct CARoots;
struct LeafCert;
} // namespace mesh::consul

namespace mesh::proxy {

class StaticIdentitySource;

// The proxy's identity from a Consul agent, as Consul's own proxy keeps it
// (hashicorp/consul: connect/service.go watches connect_roots and
// connect_leaf; https://developer.hashicorp.com/consul/api-docs/agent/connect): blocking queries on
// /v1/agent/connect/ca/roots and /v1/agent/connect/ca/leaf/<service>, every
// root trusted, the leaf's whole CertPEM chain sent. A new root or leaf
// emits identityChanged(): new handshakes use it, open connections keep
// theirs — rotation without dropping anything.
//
// `service` is the service the proxy represents (DestinationServiceName), not
// the "-sidecar-proxy" name. Does not own the client; lives on its thread.
class ConsulIdentitySource final : public IdentitySource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsulIdentitySource)

public:
    ConsulIdentitySource(consul::ConsulClient *client, const QString &service, QObject *parent = nullptr);
    ~ConsulIdentitySource() override;

    // Starts both watches; ready() follows once roots and leaf are loaded.
    void start();
    bool isReady() const;
    QString service() const { return m_service; }
    // The trust domain of the roots (empty before they arrived).
    QString trustDomain() const { return m_trustDomain; }

    Identity identity() const override;

Q_SIGNALS:
    void ready();
    // A watch failed (it retries by itself) or the agent sent something
    // unusable; the identity in use stays.
    void problem(const QString &message);

private:
    void onRoots(const consul::CARoots &roots);
    void onLeaf(const consul::LeafCert &leaf);
    void apply();

    consul::ConsulClient *m_client;
    QString m_service;
    api::BlockingWatch *m_rootsWatch = nullptr;
    api::BlockingWatch *m_leafWatch = nullptr;
    StaticIdentitySource *m_current;
    QList<QSslCertificate> m_roots;
    QByteArray m_leafPem;
    QByteArray m_keyPem;
    QString m_trustDomain;
    bool m_ready = false;
};

} // namespace mesh::proxy
