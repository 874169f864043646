#pragma once

#include "tls/tlscontext.h"

#include <QString>

namespace mesh::proxy {

class IdentitySource;

// The TLS context a listener starts new handshakes with, made from its
// IdentitySource's current identity: the inbound listener's server side and
// the upstream listener's client side keep it the same way. Open connections
// hold their own SharedTlsContext, so update() reaches the next handshake
// only. Not a QObject: the listener connects identityChanged() to update(),
// so the connection lives and moves threads with the listener. Does not own
// the identity source, which must outlive it.
class IdentityTlsContext final
{
public:
    // `label` names the listener in the warning ("inbound web").
    IdentityTlsContext(const IdentitySource *source, tls::TlsContext::Role role, QString label);

    // Remakes the context from the source's identity. No identity: the
    // context is null (the listener refuses until there is one). An identity
    // that makes no context is logged and the previous context stays.
    void update();

    // Null until there is an identity.
    const tls::SharedTlsContext &context() const { return m_context; }
    // The trust domain of the identity context() was made from.
    const QString &trustDomain() const { return m_trustDomain; }

private:
    const IdentitySource *m_source;
    tls::TlsContext::Role m_role;
    QString m_label;
    tls::SharedTlsContext m_context;
    QString m_trustDomain;
};

} // namespace mesh::proxy
