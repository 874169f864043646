#pragma once

#include "pki/spiffeid.h"

#include <QString>

namespace mesh::proxy {

struct Authorization final
{
    bool allowed = false;
    QString reason;  // e.g. "Matched L4 intention: web => db (allow)"
};

// Decides whether a verified client may reach our service, as Consul's
// /v1/agent/connect/authorize does (consul.md §3.1). Called once per inbound
// connection after the chain and the SPIFFE ID were checked, so an intention
// change applies to the next connection (G14); open ones carry on.
// Contract: answers synchronously from local state (Consul's agent serves
// authorize from its caches); must not block.
class Authorizer
{
public:
    virtual ~Authorizer() = default;
    virtual Authorization authorize(const pki::SpiffeId &source, const QString &destination) const = 0;
};

} // namespace mesh::proxy
