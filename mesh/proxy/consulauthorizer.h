#pragma once

#include "proxy/authorizer.h"

namespace mesh::consul {
class ConsulClient;
}

namespace mesh::proxy {

// Inbound authorization by a Consul agent: POST /v1/agent/connect/authorize
// for every verified caller, as Consul's built-in proxy does inside each
// handshake (hashicorp/consul: connect/tls.go newServerSideVerifier;
// https://developer.hashicorp.com/consul/api-docs/agent/connect#authorize).
// The agent answers from its intention cache, so an intention written
// through /v1/config applies to the next connection. An agent that cannot be
// asked is a refusal with its reason: no answer is no permission.
// Does not own the client; call it on the client's thread.
class ConsulAuthorizer final : public Authorizer
{
public:
    explicit ConsulAuthorizer(consul::ConsulClient *client);

    void requestAuthorization(const pki::SpiffeId &source, const QString &destination, QObject *context,
                              Decided decided) const override;

private:
    consul::ConsulClient *m_client;
};

} // namespace mesh::proxy
