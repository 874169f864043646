#include "pki/peeridentity.h"

namespace mesh::pki {

Result<SpiffeId> PeerIdentity::serviceIdentity(const QSslCertificate &)
{
    return fail(Error::Code::Internal, QStringLiteral("PeerIdentity: not implemented yet"));
}

bool PeerIdentity::hasExtendedKeyUsage(const QSslCertificate &, Purpose)
{
    return false;
}

QStringList PeerIdentity::uriSubjectAlternativeNames(const QSslCertificate &)
{
    return {};
}

bool PeerIdentity::isCertificateAuthority(const QSslCertificate &)
{
    return true;
}

QString PeerIdentity::serialColonHex(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.serialNumber()).toLower();
}

} // namespace mesh::pki
