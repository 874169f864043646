// The peer identity checks on an arbitrary DER certificate, as the proxy runs
// them on every verified peer: no crash, and an accepted identity is exactly
// the certificate's one URI SAN, never from a CA certificate.

#include "fuzzcheck.h"

#include "pki/peeridentity.h"

#include <QByteArray>
#include <QRegularExpression>
#include <QSslCertificate>

#include <cstddef>
#include <cstdint>

using fuzz::require;
using mesh::pki::PeerIdentity;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QSslCertificate certificate(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)), QSsl::Der);
    if (certificate.isNull())
        return 0;
    const auto id = PeerIdentity::serviceIdentity(certificate);
    const QStringList uris = PeerIdentity::uriSubjectAlternativeNames(certificate);
    const bool ca = PeerIdentity::isCertificateAuthority(certificate);
    const bool client = PeerIdentity::hasExtendedKeyUsage(certificate, PeerIdentity::Purpose::ClientAuth);
    const bool server = PeerIdentity::hasExtendedKeyUsage(certificate, PeerIdentity::Purpose::ServerAuth);
    Q_UNUSED(client);
    Q_UNUSED(server);
    if (id) {
        require(!ca, "a CA certificate is never a service identity");
        require(uris == QStringList{id->toString()}, "an identity is the one URI SAN, as written");
    } else {
        require(!id.error().message.isEmpty(), "a refusal says why");
    }
    static const QRegularExpression colonHex(QStringLiteral("^([0-9a-f]{2}(:[0-9a-f]{2})*)?$"));
    require(colonHex.match(PeerIdentity::serialColonHex(certificate)).hasMatch(), "the serial is colon hex");
    return 0;
}
