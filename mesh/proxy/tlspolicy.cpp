#include "tlspolicy.h"

#include "pki/nativekey.h"

namespace mesh::proxy {

using pki::RefusalReason;

namespace {

QSslConfiguration baseConfiguration(const Identity &identity)
{
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setProtocol(QSsl::TlsV1_2OrLater);
    c.setCiphers(TlsPolicy::allowedCiphers());
    c.setCaCertificates(identity.roots);
    QList<QSslCertificate> chain{identity.leaf.certificate};
    chain += identity.leaf.chain;
    c.setLocalCertificateChain(chain);
    // Given to Qt as an EVP_PKEY: cheaper per-connection contexts (NativeKey).
    c.setPrivateKey(pki::NativeKey::from(identity.leaf.privateKey));
    c.setPeerVerifyMode(QSslSocket::VerifyPeer);
    // The built-in proxy overrides ALPN with an empty list (§4.1): neither
    // side offers it, and an HAProxy or Envoy peer expects none.
    c.setAllowedNextProtocols({});
    // B4 (perf doc; Envoy and Consul re-validate fully): no connection may
    // resume another's session. SslOptionDisableSessionTickets sets
    // SSL_OP_NO_TICKET, which stops stateless tickets; TLS 1.2 session IDs and
    // the two stateful tickets OpenSSL still sends in TLS 1.3 name sessions
    // in the SSL_CTX's own cache, and Qt 6.4 gives each socket a new SSL_CTX
    // (cache and ticket keys included), so a returning
    // client never finds its session and gets a full handshake (what
    // tst_proxy's resumedSessionSkipsNoCheck checks against s_server, which
    // does resume). Qt's backend options cannot set NumTickets to 0: it
    // applies SSL_CONF commands without the server flag.
    c.setSslOption(QSsl::SslOptionDisableSessionTickets, true);
    c.setSslOption(QSsl::SslOptionDisableSessionSharing, true);
    c.setSslOption(QSsl::SslOptionDisableSessionPersistence, true);
    c.setSslOption(QSsl::SslOptionDisableCompression, true);
    return c;
}

} // namespace

QList<QSslCipher> TlsPolicy::allowedCiphers()
{
    // Consul's defaultTLSConfig suites (§4.1) in OpenSSL names, ECDSA first
    // because Consul leaves are EC P-256 (§4.5 item 5); then TLS 1.3's.
    static const char *const names[] = {
        "TLS_AES_128_GCM_SHA256",        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",  "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES128-GCM-SHA256",   "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
    };
    QList<QSslCipher> ciphers;
    for (const char *name : names) {
        const QSslCipher cipher(QString::fromLatin1(name));
        if (!cipher.isNull())
            ciphers.append(cipher);
    }
    return ciphers;
}

QSslConfiguration TlsPolicy::serverConfiguration(const Identity &identity)
{
    return baseConfiguration(identity);
}

QSslConfiguration TlsPolicy::clientConfiguration(const Identity &identity)
{
    return baseConfiguration(identity);
}

RefusalReason TlsPolicy::reasonFor(const QList<QSslError> &errors)
{
    const auto has = [&](std::initializer_list<QSslError::SslError> kinds) {
        for (const QSslError &e : errors) {
            for (QSslError::SslError k : kinds) {
                if (e.error() == k)
                    return true;
            }
        }
        return false;
    };
    if (has({QSslError::NoPeerCertificate}))
        return RefusalReason::NoCertificate;
    if (has({QSslError::UnableToGetIssuerCertificate, QSslError::UnableToGetLocalIssuerCertificate,
             QSslError::UnableToVerifyFirstCertificate, QSslError::SelfSignedCertificate,
             QSslError::SelfSignedCertificateInChain, QSslError::CertificateSignatureFailed,
             QSslError::UnableToDecryptCertificateSignature, QSslError::UnableToDecodeIssuerPublicKey,
             QSslError::CertificateUntrusted, QSslError::CertificateRejected,
             QSslError::AuthorityIssuerSerialNumberMismatch, QSslError::SubjectIssuerMismatch,
             QSslError::InvalidCaCertificate, QSslError::PathLengthExceeded}))
        return RefusalReason::UnknownCa;
    if (has({QSslError::CertificateExpired}))
        return RefusalReason::Expired;
    if (has({QSslError::CertificateNotYetValid}))
        return RefusalReason::NotYetValid;
    if (has({QSslError::InvalidPurpose}))
        return RefusalReason::WrongPurpose;
    return RefusalReason::HandshakeFailed;
}

RefusalReason TlsPolicy::reasonForAlert(QSsl::AlertType sentAlert, const QString &errorString)
{
    switch (sentAlert) {
    case QSsl::AlertType::ProtocolVersion:
    case QSsl::AlertType::InsufficientSecurity:
        return RefusalReason::TlsVersion;
    case QSsl::AlertType::CertificateRequired:
        return RefusalReason::NoCertificate;
    default:
        break;
    }
    // OpenSSL's reason strings, as Qt passes them on, when no alert names it.
    if (errorString.contains(QLatin1String("unsupported protocol"), Qt::CaseInsensitive)
        || errorString.contains(QLatin1String("wrong version number"), Qt::CaseInsensitive)
        || errorString.contains(QLatin1String("no shared cipher"), Qt::CaseInsensitive)
        || errorString.contains(QLatin1String("no ciphers available"), Qt::CaseInsensitive)
        || errorString.contains(QLatin1String("version too low"), Qt::CaseInsensitive))
        return RefusalReason::TlsVersion;
    if (errorString.contains(QLatin1String("peer did not return a certificate"), Qt::CaseInsensitive))
        return RefusalReason::NoCertificate;
    return RefusalReason::HandshakeFailed;
}

QString TlsPolicy::sniName(const pki::SpiffeId &destination)
{
    return destination.service + u".default." + destination.datacenter + u".internal." + destination.trustDomain;
}

} // namespace mesh::proxy
