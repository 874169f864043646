#include "pki/peeridentity.h"

#include "pki/opensslhandles_p.h"

namespace mesh::pki {

using namespace detail;

namespace {

bool isCa(const X509 *x)
{
    // X509_get_extension_flags() also caches the parsed extensions.
    const uint32_t flags = X509_get_extension_flags(const_cast<X509 *>(x));
    const bool caFlag = flags & EXFLAG_CA;
    const bool certSign = (flags & EXFLAG_KUSAGE) && (X509_get_key_usage(const_cast<X509 *>(x)) & KU_KEY_CERT_SIGN);
    return caFlag || certSign;
}

} // namespace

Result<SpiffeId> PeerIdentity::serviceIdentity(const QSslCertificate &leaf)
{
    if (leaf.isNull())
        return fail(Error::Code::Invalid, QStringLiteral("no certificate"));
    const X509Ptr x = toX509(leaf);
    if (!x)
        return fail(Error::Code::Invalid, QStringLiteral("the certificate cannot be parsed"));
    return serviceIdentity(x.get());
}

Result<SpiffeId> PeerIdentity::serviceIdentity(const X509 *leaf)
{
    if (!leaf)
        return fail(Error::Code::Invalid, QStringLiteral("no certificate"));
    auto *x = const_cast<X509 *>(leaf); // the flag getters cache, they do not modify
    // Duplicated or undecodable extensions: OpenSSL's verifier refuses these
    // too; refusing here keeps the two views of the certificate the same.
    if (X509_get_extension_flags(x) & EXFLAG_INVALID)
        return fail(Error::Code::Invalid, QStringLiteral("the certificate has malformed or repeated extensions"));
    // A CA certificate presented as a leaf is refused even when its chain
    // verifies (docs/targets.md, Peer identity; CVE-2022-21657).
    if (isCa(x))
        return fail(Error::Code::Invalid,
                    QStringLiteral("a CA certificate (CA:TRUE or keyCertSign) is not a service identity"));
    const auto uris = uriSans(x);
    if (!uris)
        return fail(Error::Code::Invalid, QStringLiteral("the subjectAltName extension is unreadable or repeated"));
    // Only the URI SAN type counts: an ID in a DNS or email SAN or the CN is no
    // identity (CVE-2022-21656); and with two URI SANs "the first one" is a
    // choice an attacker could make for us (CVE-2022-40716; docs/targets.md).
    if (uris->isEmpty())
        return fail(Error::Code::Invalid,
                    QStringLiteral("no URI SAN (a SPIFFE ID in a DNS or email SAN or in the CN does not count)"));
    if (uris->size() > 1)
        return fail(Error::Code::Invalid,
                    QStringLiteral("%1 URI SANs; a service identity has exactly one").arg(uris->size()));
    const QByteArray &uri = uris->first();
    // Latin-1 keeps every byte as one character, so parse() sees (and
    // refuses) anything that is not plain ASCII.
    auto id = SpiffeId::parse(QString::fromLatin1(uri));
    if (!id)
        return fail(Error::Code::Invalid,
                    QStringLiteral("URI SAN %1 is not a Consul service SPIFFE ID").arg(quotedUntrusted(uri)));
    return *id;
}

bool PeerIdentity::hasExtendedKeyUsage(const QSslCertificate &certificate, Purpose purpose)
{
    const X509Ptr x = toX509(certificate);
    return x && hasExtendedKeyUsage(x.get(), purpose);
}

bool PeerIdentity::hasExtendedKeyUsage(const X509 *certificate, Purpose purpose)
{
    if (!certificate)
        return false;
    auto *x = const_cast<X509 *>(certificate); // the flag getters cache, they do not modify
    const uint32_t flags = X509_get_extension_flags(x);
    if (flags & EXFLAG_INVALID)
        return false;
    if (!(flags & EXFLAG_XKUSAGE))
        return true; // no EKU: any purpose (RFC 5280 §4.2.1.12), as OpenSSL's purpose check
    const uint32_t eku = X509_get_extended_key_usage(x);
    const uint32_t wanted = purpose == Purpose::ServerAuth ? XKU_SSL_SERVER : XKU_SSL_CLIENT;
    return eku & (wanted | XKU_ANYEKU);
}

QStringList PeerIdentity::uriSubjectAlternativeNames(const QSslCertificate &certificate)
{
    const X509Ptr x = toX509(certificate);
    if (!x)
        return {};
    QStringList result;
    for (const QByteArray &uri : uriSans(x.get()).value_or(QList<QByteArray>()))
        result.append(QString::fromLatin1(uri));
    return result;
}

bool PeerIdentity::isCertificateAuthority(const QSslCertificate &certificate)
{
    const X509Ptr x = toX509(certificate);
    return x && isCa(x.get());
}

QString PeerIdentity::serialColonHex(const QSslCertificate &certificate)
{
    const X509Ptr x = toX509(certificate);
    if (!x)
        return {};
    // Consul's HexString(cert.SerialNumber.Bytes()): the magnitude's bytes,
    // no sign padding, lower-case hex joined with ':', as the authorize
    // endpoint's ClientCertSerial takes it (hashicorp/consul: agent/connect_auth.go).
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x.get());
    const unsigned char *data = ASN1_STRING_get0_data(serial);
    const int length = ASN1_STRING_length(serial);
    QString hex;
    for (int i = 0; i < length; ++i) {
        if (i > 0)
            hex += u':';
        hex += QString::number(data[i], 16).rightJustified(2, u'0');
    }
    return hex;
}

} // namespace mesh::pki
