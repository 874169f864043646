#pragma once

#include "proxy/authorizer.h"

#include <QSet>

namespace mesh::proxy {

// L4 intentions for one destination held in memory: source service names
// (or "*") allowed or denied, and a default. Precedence as Consul's: an exact
// source name beats "*"; when allow and deny name the same source, deny wins
// (docs/targets.md, Intentions). The source's trust domain is not compared here (Consul's
// authorize does not either, hashicorp/consul: agent/connect_auth.go); the
// inbound listener checks it.
class IntentionAuthorizer final : public Authorizer
{
public:
    void setAllowed(const QSet<QString> &sources) { m_allowed = sources; }
    void setDenied(const QSet<QString> &sources) { m_denied = sources; }
    void setDefaultAllow(bool allow) { m_defaultAllow = allow; }

    Authorization authorize(const pki::SpiffeId &source, const QString &destination) const override;

private:
    QSet<QString> m_allowed;
    QSet<QString> m_denied;
    bool m_defaultAllow = true; // Consul with ACLs disabled allows by default (agent/connect_auth.go)
};

} // namespace mesh::proxy
