#include "authorizer.h"

namespace mesh::proxy {

Authorization Authorizer::authorize(const pki::SpiffeId &, const QString &) const
{
    return {false, QStringLiteral("this authorizer decides only through requestAuthorization()")};
}

void Authorizer::requestAuthorization(const pki::SpiffeId &source, const QString &destination, QObject *context,
                                      Decided decided) const
{
    if (context)
        decided(authorize(source, destination));
}

} // namespace mesh::proxy
