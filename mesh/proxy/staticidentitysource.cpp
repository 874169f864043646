#include "staticidentitysource.h"

#include "pki/certificateauthority.h"
#include "pki/peeridentity.h"

namespace mesh::proxy {

StaticIdentitySource::StaticIdentitySource(QObject *parent)
    : IdentitySource(parent)
{
}

StaticIdentitySource::~StaticIdentitySource() = default;

Result<> StaticIdentitySource::setIdentity(const pki::IssuedCertificate &leaf, const QList<QSslCertificate> &roots)
{
    if (leaf.privateKey.isNull())
        return fail(Error::Code::Invalid, QStringLiteral("the leaf has no private key"));
    if (roots.isEmpty())
        return fail(Error::Code::Invalid, QStringLiteral("no trusted roots"));
    auto id = pki::PeerIdentity::serviceIdentity(leaf.certificate);
    if (!id)
        return fail(Error::Code::Invalid, QStringLiteral("the leaf has no service identity: ") + id.error().message);
    m_identity = Identity{leaf, *id, roots};
    Q_EMIT identityChanged();
    return {};
}

Result<> StaticIdentitySource::loadFromDirectory(const QString &dir, const QString &service)
{
    auto roots = pki::CertificateAuthority::readRoots(dir);
    if (!roots)
        return std::unexpected(roots.error());
    auto leaf = pki::CertificateAuthority::readLeaf(dir, service);
    if (!leaf)
        return std::unexpected(leaf.error());
    return setIdentity(*leaf, *roots);
}

} // namespace mesh::proxy
