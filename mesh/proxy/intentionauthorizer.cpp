#include "intentionauthorizer.h"

namespace mesh::proxy {

Authorization IntentionAuthorizer::authorize(const pki::SpiffeId &source, const QString &destination) const
{
    const auto matched = [&](const QString &name, bool allow) {
        return Authorization{allow,
                             QStringLiteral("Matched L4 intention: %1 => %2 (%3)")
                                 .arg(name, destination, allow ? QStringLiteral("allow") : QStringLiteral("deny"))};
    };
    if (m_denied.contains(source.service))
        return matched(source.service, false);
    if (m_allowed.contains(source.service))
        return matched(source.service, true);
    const QString any = QStringLiteral("*");
    if (m_denied.contains(any))
        return matched(any, false);
    if (m_allowed.contains(any))
        return matched(any, true);
    return Authorization{
        m_defaultAllow,
        QStringLiteral("Default behavior (%1)").arg(m_defaultAllow ? QStringLiteral("allow") : QStringLiteral("deny"))};
}

} // namespace mesh::proxy
