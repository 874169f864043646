#pragma once

#include "core/result.h"
#include "pki/issuedcertificate.h"

#include <QByteArray>
#include <QDateTime>
#include <QFlags>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QStringList>

#include <optional>

namespace mesh::pki {

// Builds one X.509 v3 certificate: the CA's roots and leaves, and in tests the
// deliberately wrong ones (two URI SANs, an ID in a DNS SAN, a CA used as a
// leaf, serverAuth only, expired…). It checks nothing about what is asked
// for; CertificateAuthority is where Consul's rules live.
//
// Defaults: a new EC P-256 key, a random positive 128-bit serial, valid from
// now for 72 h, self-signed, no SANs, no EKU, no KeyUsage, basicConstraints
// CA:FALSE (critical), signed with SHA-256. Always: a SubjectKeyIdentifier
// and, when the issuer has one, an AuthorityKeyIdentifier.
class CertificateBuilder final
{
public:
    enum class KeyType { EcP256, Rsa2048 };

    enum class ExtendedKeyUsage { None, ServerAuth, ClientAuth, ServerAndClientAuth };

    // X.509 KeyUsage bits (RFC 5280 §4.2.1.3). No bit set: no extension.
    enum class KeyUsage : unsigned {
        DigitalSignature = 1u << 0,
        NonRepudiation = 1u << 1,
        KeyEncipherment = 1u << 2,
        DataEncipherment = 1u << 3,
        KeyAgreement = 1u << 4,
        KeyCertSign = 1u << 5,
        CrlSign = 1u << 6,
    };
    Q_DECLARE_FLAGS(KeyUsages, KeyUsage)

    // A new key of this type (ignored when setPrivateKey() is given).
    void setKeyType(KeyType type) { m_keyType = type; }
    // Certify an existing key (e.g. a leaf renewed on the same key).
    void setPrivateKey(const QSslKey &key) { m_privateKey = key; }
    // Certify a public key whose private half stays with its owner (a CSR's,
    // see CertificateAuthority::signCsr()): the built IssuedCertificate has a
    // null privateKey. Needs setIssuer(); ignored when setPrivateKey() is given.
    void setPublicKey(const QSslKey &key) { m_publicKey = key; }

    void setSubjectCommonName(const QString &cn) { m_commonName = cn; }
    void setUriSans(const QStringList &uris) { m_uriSans = uris; }
    void setDnsSans(const QStringList &names) { m_dnsSans = names; }
    void setEmailSans(const QStringList &emails) { m_emailSans = emails; }

    void setExtendedKeyUsage(ExtendedKeyUsage eku) { m_eku = eku; }
    void setKeyUsages(KeyUsages usages) { m_keyUsages = usages; }

    // basicConstraints: CA:TRUE/FALSE, critical; pathLength only with CA:TRUE.
    void setCertificateAuthority(bool isCa, std::optional<int> pathLength = std::nullopt)
    {
        m_isCa = isCa;
        m_pathLength = pathLength;
    }
    // Leave basicConstraints out entirely (some tests want that).
    void setBasicConstraintsIncluded(bool included) { m_basicConstraints = included; }
    // A critical nameConstraints extension with permitted DNS subtrees; only to
    // reproduce the OpenSSL CN pitfall (docs/targets.md, Certificates). Our CA
    // never sets it.
    void setPermittedDnsDomains(const QStringList &domains) { m_permittedDnsDomains = domains; }

    void setValidity(const QDateTime &notBefore, const QDateTime &notAfter)
    {
        m_notBefore = notBefore;
        m_notAfter = notAfter;
    }
    // Big-endian unsigned bytes. Empty: random 128 bits (top bit cleared).
    void setSerialNumber(const QByteArray &serial) { m_serial = serial; }

    // Sign with this issuer. Without: self-signed. The built certificate's
    // chain is the issuer followed by the issuer's chain, except that a
    // self-signed issuer (a root) is not included.
    void setIssuer(const QSslCertificate &certificate, const QSslKey &key,
                   const QList<QSslCertificate> &issuerChain = {})
    {
        m_issuerCertificate = certificate;
        m_issuerKey = key;
        m_issuerChain = issuerChain;
    }
    void setIssuer(const IssuedCertificate &issuer) { setIssuer(issuer.certificate, issuer.privateKey, issuer.chain); }

    // Generates the key if needed, signs, and returns certificate + key + chain.
    // Fails (Error::Code::Invalid / Internal) on a bad key, an issuer key that
    // does not match the issuer certificate, or an OpenSSL failure.
    Result<IssuedCertificate> build() const;

private:
    KeyType m_keyType = KeyType::EcP256;
    QSslKey m_privateKey;
    QSslKey m_publicKey;
    QString m_commonName;
    QStringList m_uriSans;
    QStringList m_dnsSans;
    QStringList m_emailSans;
    ExtendedKeyUsage m_eku = ExtendedKeyUsage::None;
    KeyUsages m_keyUsages;
    bool m_isCa = false;
    std::optional<int> m_pathLength;
    bool m_basicConstraints = true;
    QStringList m_permittedDnsDomains;
    QDateTime m_notBefore;
    QDateTime m_notAfter;
    QByteArray m_serial;
    QSslCertificate m_issuerCertificate;
    QSslKey m_issuerKey;
    QList<QSslCertificate> m_issuerChain;
};

Q_DECLARE_OPERATORS_FOR_FLAGS(CertificateBuilder::KeyUsages)

} // namespace mesh::pki
