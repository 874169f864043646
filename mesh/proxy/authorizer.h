#pragma once

#include "pki/spiffeid.h"

#include <QPointer>
#include <QString>

#include <functional>

namespace mesh::proxy {

struct Authorization final
{
    bool allowed = false;
    QString reason; // e.g. "Matched L4 intention: web => db (allow)"
};

// Decides whether a verified client may reach our service, as Consul's
// /v1/agent/connect/authorize does
// (https://developer.hashicorp.com/consul/api-docs/agent/connect#authorize).
// Asked once per inbound connection after the chain and the SPIFFE ID were
// checked, so an intention change applies to the next connection; open ones
// carry on.
//
// Two homes (docs/architecture.md): the lab and `meshpad proxy -allow/-deny`
// decide from local state and implement authorize(); a Consul agent client
// (`-sidecar-for`) asks the agent over HTTP and implements
// requestAuthorization(), as Consul's built-in proxy calls authorize during
// each handshake (hashicorp/consul: connect/tls.go, newServerSideVerifier).
// Neither may block.
class Authorizer
{
public:
    using Decided = std::function<void(const Authorization &)>;

    virtual ~Authorizer() = default;

    // The decision from local state, at once. The default refuses: an
    // authorizer that must ask someone overrides requestAuthorization().
    virtual Authorization authorize(const pki::SpiffeId &source, const QString &destination) const;

    // What the proxy calls: `decided` runs exactly once on the caller's
    // thread — before this returns (the default: authorize()) or later from
    // the event loop — unless `context` is destroyed first, in which case it
    // never runs.
    virtual void requestAuthorization(const pki::SpiffeId &source, const QString &destination, QObject *context,
                                      Decided decided) const;
};

} // namespace mesh::proxy
