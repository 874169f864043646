#include "identitytlscontext.h"

#include "identitysource.h"
#include "proxylog.h"

namespace mesh::proxy {

IdentityTlsContext::IdentityTlsContext(const IdentitySource *source, tls::TlsContext::Role role, QString label)
    : m_source(source)
    , m_role(role)
    , m_label(std::move(label))
{
}

void IdentityTlsContext::update()
{
    const Identity identity = m_source->identity();
    if (identity.isNull()) {
        m_context.reset();
        return;
    }
    auto context = tls::TlsContext::create(m_role, identity.leaf, identity.roots);
    if (!context) {
        // Keeps the identity it had: a broken update must not take the
        // listener down.
        qCWarning(lcProxy).noquote() << m_label << "cannot use the new identity:" << context.error().message;
        return;
    }
    m_trustDomain = identity.id.trustDomain;
    m_context = *context;
}

} // namespace mesh::proxy
