#include "pki/certificatebuilder.h"

#include "pki/opensslhandles_p.h"

#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <QStringList>

#include <chrono>

namespace mesh::pki {

using namespace detail;

namespace {

constexpr auto kDefaultValidity = std::chrono::hours(72);

Error opensslError(const QString &what)
{
    return Error{Error::Code::Internal, what + u": " + takeOpenSslError()};
}

PKey generateKey(CertificateBuilder::KeyType type)
{
    switch (type) {
    case CertificateBuilder::KeyType::EcP256:
        // Consul's default PrivateKeyType "ec", 256 bits (hashicorp/consul:
        // agent/structs/connect_ca.go).
        return PKey(EVP_EC_gen("P-256"));
    case CertificateBuilder::KeyType::Rsa2048: return PKey(EVP_RSA_gen(2048));
    }
    return {};
}

Result<Asn1Integer> serialNumber(QByteArray bytes)
{
    if (bytes.isEmpty()) {
        // 128 random bits, top bit cleared so the DER INTEGER stays positive
        // and at most 16 bytes; never zero (RFC 5280 §4.1.2.2).
        bytes.resize(16);
        do {
            if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), int(bytes.size())) != 1)
                return std::unexpected(opensslError(QStringLiteral("random serial number")));
            bytes[0] = char(bytes[0] & 0x7f);
        } while (bytes.count('\0') == bytes.size());
    }
    BigNum bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.constData()), int(bytes.size()), nullptr));
    Asn1Integer serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!serial)
        return std::unexpected(opensslError(QStringLiteral("serial number")));
    return serial;
}

bool addText(X509_NAME *name, const char *field, const QString &value)
{
    if (value.isEmpty())
        return true;
    const QByteArray utf8 = value.toUtf8();
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(utf8.constData()), int(utf8.size()), -1,
                                      0)
           == 1;
}

bool addGeneralName(GENERAL_NAMES *names, int type, const QString &value)
{
    GeneralName name(GENERAL_NAME_new());
    ASN1_IA5STRING *text = ASN1_IA5STRING_new();
    // Bytes as given, UTF-8 included: tests need names a careful CA would refuse.
    const QByteArray bytes = value.toUtf8();
    if (!name || !text || ASN1_STRING_set(text, bytes.constData(), int(bytes.size())) != 1) {
        ASN1_IA5STRING_free(text);
        return false;
    }
    GENERAL_NAME_set0_value(name.get(), type, text);
    // The stack owns what it took; a failed push took nothing.
    GENERAL_NAME *pushed = name.release();
    if (sk_GENERAL_NAME_push(names, pushed) == 0) {
        GENERAL_NAME_free(pushed);
        return false;
    }
    return true;
}

// An extension from OpenSSL's config syntax; only for values we write ourselves.
bool addConfExtension(X509 *certificate, X509V3_CTX *ctx, int nid, const QByteArray &value)
{
    X509Extension extension(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.constData()));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

QByteArray keyUsageText(CertificateBuilder::KeyUsages usages)
{
    using KU = CertificateBuilder::KeyUsage;
    // Critical, as Go's x509 (and so Consul) marks it.
    QByteArrayList parts{"critical"};
    const std::pair<KU, const char *> names[] = {
        {KU::DigitalSignature, "digitalSignature"},
        {KU::NonRepudiation, "nonRepudiation"},
        {KU::KeyEncipherment, "keyEncipherment"},
        {KU::DataEncipherment, "dataEncipherment"},
        {KU::KeyAgreement, "keyAgreement"},
        {KU::KeyCertSign, "keyCertSign"},
        {KU::CrlSign, "cRLSign"},
    };
    for (const auto &[bit, name] : names) {
        if (usages.testFlag(bit))
            parts.append(name);
    }
    return parts.join(',');
}

} // namespace

Result<IssuedCertificate> CertificateBuilder::build() const
{
    const bool publicKeyOnly = m_privateKey.isNull() && !m_publicKey.isNull();
    const bool selfSigned = m_issuerCertificate.isNull();
    if (publicKeyOnly && selfSigned)
        return fail(Error::Code::Invalid, QStringLiteral("a certificate for a public key alone needs an issuer"));
    PKey key = !m_privateKey.isNull() ? toPKey(m_privateKey)
               : publicKeyOnly        ? toPublicPKey(m_publicKey)
                                      : generateKey(m_keyType);
    if (!key)
        return fail(Error::Code::Invalid, !m_privateKey.isNull() ? QStringLiteral("the given private key is not usable")
                                          : publicKeyOnly        ? QStringLiteral("the given public key is not usable")
                                                                 : QStringLiteral("could not generate a private key"));

    X509Ptr issuer;
    PKey issuerKey;
    if (!selfSigned) {
        issuer = toX509(m_issuerCertificate);
        issuerKey = toPKey(m_issuerKey);
        if (!issuer || !issuerKey)
            return fail(Error::Code::Invalid, QStringLiteral("the issuer certificate or its key is not usable"));
        if (X509_check_private_key(issuer.get(), issuerKey.get()) != 1) {
            takeOpenSslError();
            return fail(Error::Code::Invalid,
                        QStringLiteral("the issuer's private key does not match its certificate"));
        }
    }

    X509Ptr x(X509_new());
    if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1)
        return std::unexpected(opensslError(QStringLiteral("new certificate")));

    auto serial = serialNumber(m_serial);
    if (!serial)
        return std::unexpected(serial.error());
    X509_set_serialNumber(x.get(), serial->get());

    X509Name subject(X509_NAME_new());
    if (!subject || !addText(subject.get(), "CN", m_commonName))
        return std::unexpected(opensslError(QStringLiteral("subject name")));
    X509_set_subject_name(x.get(), subject.get());
    X509_set_issuer_name(x.get(), selfSigned ? subject.get() : X509_get_subject_name(issuer.get()));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime notBefore = m_notBefore.isValid() ? m_notBefore : now;
    const QDateTime notAfter
        = m_notAfter.isValid() ? m_notAfter : now.addSecs(std::chrono::seconds(kDefaultValidity).count());
    if (!ASN1_TIME_set(X509_getm_notBefore(x.get()), time_t(notBefore.toSecsSinceEpoch()))
        || !ASN1_TIME_set(X509_getm_notAfter(x.get()), time_t(notAfter.toSecsSinceEpoch())))
        return std::unexpected(opensslError(QStringLiteral("validity")));

    if (X509_set_pubkey(x.get(), key.get()) != 1)
        return std::unexpected(opensslError(QStringLiteral("public key")));

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, selfSigned ? x.get() : issuer.get(), x.get(), nullptr, nullptr, 0);

    if (m_basicConstraints) {
        QByteArray bc = m_isCa ? "critical,CA:TRUE" : "critical,CA:FALSE";
        if (m_isCa && m_pathLength)
            bc += ",pathlen:" + QByteArray::number(*m_pathLength);
        if (!addConfExtension(x.get(), &ctx, NID_basic_constraints, bc))
            return std::unexpected(opensslError(QStringLiteral("basicConstraints")));
    }
    if (m_keyUsages && !addConfExtension(x.get(), &ctx, NID_key_usage, keyUsageText(m_keyUsages)))
        return std::unexpected(opensslError(QStringLiteral("keyUsage")));
    if (m_eku != ExtendedKeyUsage::None) {
        const QByteArray eku = m_eku == ExtendedKeyUsage::ServerAuth   ? "serverAuth"
                               : m_eku == ExtendedKeyUsage::ClientAuth ? "clientAuth"
                                                                       : "serverAuth,clientAuth";
        if (!addConfExtension(x.get(), &ctx, NID_ext_key_usage, eku))
            return std::unexpected(opensslError(QStringLiteral("extendedKeyUsage")));
    }

    // Key identifiers as Consul's keyID: SHA-256 of the public key (32 bytes,
    // as in a real Consul root), the AKI copying the issuer's SKI.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    Asn1OctetString ski(ASN1_OCTET_STRING_new());
    if (!ski || X509_pubkey_digest(x.get(), EVP_sha256(), digest, &length) != 1
        || ASN1_OCTET_STRING_set(ski.get(), digest, int(length)) != 1
        || X509_add1_ext_i2d(x.get(), NID_subject_key_identifier, ski.get(), 0, X509V3_ADD_DEFAULT) != 1)
        return std::unexpected(opensslError(QStringLiteral("subjectKeyIdentifier")));
    // Not X509_get0_subject_key_id(x): its cache predates the SKI just added.
    if (const ASN1_OCTET_STRING *issuerSki = selfSigned ? ski.get() : X509_get0_subject_key_id(issuer.get())) {
        AuthorityKeyId aki(AUTHORITY_KEYID_new());
        if (aki)
            aki->keyid = ASN1_OCTET_STRING_dup(issuerSki);
        if (!aki || !aki->keyid
            || X509_add1_ext_i2d(x.get(), NID_authority_key_identifier, aki.get(), 0, X509V3_ADD_DEFAULT) != 1)
            return std::unexpected(opensslError(QStringLiteral("authorityKeyIdentifier")));
    }

    if (!m_uriSans.isEmpty() || !m_dnsSans.isEmpty() || !m_emailSans.isEmpty()) {
        GeneralNames names(sk_GENERAL_NAME_new_null());
        bool ok = bool(names);
        for (const QString &uri : m_uriSans)
            ok = ok && addGeneralName(names.get(), GEN_URI, uri);
        for (const QString &dns : m_dnsSans)
            ok = ok && addGeneralName(names.get(), GEN_DNS, dns);
        for (const QString &email : m_emailSans)
            ok = ok && addGeneralName(names.get(), GEN_EMAIL, email);
        // Critical only when the subject is empty (RFC 5280 §4.2.1.6).
        const int critical = m_commonName.isEmpty() ? 1 : 0;
        if (!ok || X509_add1_ext_i2d(x.get(), NID_subject_alt_name, names.get(), critical, X509V3_ADD_DEFAULT) != 1)
            return std::unexpected(opensslError(QStringLiteral("subjectAltName")));
    }

    if (!m_permittedDnsDomains.isEmpty()) {
        QByteArrayList parts{"critical"};
        for (const QString &domain : m_permittedDnsDomains)
            parts.append("permitted;DNS:" + domain.toUtf8());
        if (!addConfExtension(x.get(), &ctx, NID_name_constraints, parts.join(',')))
            return std::unexpected(opensslError(QStringLiteral("nameConstraints")));
    }

    if (X509_sign(x.get(), selfSigned ? key.get() : issuerKey.get(), EVP_sha256()) <= 0)
        return std::unexpected(opensslError(QStringLiteral("signing")));

    IssuedCertificate issued;
    issued.certificate = toQt(x.get());
    if (issued.certificate.isNull())
        return fail(Error::Code::Internal, QStringLiteral("Qt could not read the certificate just built"));
    if (!publicKeyOnly) {
        auto qtKey = toQt(key.get());
        if (!qtKey)
            return std::unexpected(qtKey.error());
        issued.privateKey = *qtKey;
    }
    // Consul's CertPEM is the leaf then intermediates, never the root itself.
    if (!selfSigned && X509_self_signed(issuer.get(), 1) != 1) {
        issued.chain.append(m_issuerCertificate);
        issued.chain.append(m_issuerChain);
    }
    takeOpenSslError();
    return issued;
}

} // namespace mesh::pki
