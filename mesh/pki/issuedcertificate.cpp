#include "pki/issuedcertificate.h"

#include "pki/peeridentity.h"

namespace mesh::pki {

QByteArray IssuedCertificate::certificatePem() const
{
    QByteArray pem = certificate.toPem();
    for (const QSslCertificate &c : chain)
        pem += c.toPem();
    return pem;
}

QByteArray IssuedCertificate::privateKeyPem() const
{
    return privateKey.toPem();
}

QString IssuedCertificate::serialColonHex() const
{
    return PeerIdentity::serialColonHex(certificate);
}

} // namespace mesh::pki
