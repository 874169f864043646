#include "pki/opensslhandles_p.h"

#include <QSslSocket>

#include <openssl/err.h>
#include <openssl/pem.h>

Q_LOGGING_CATEGORY(lcPki, "meshpad.pki", QtInfoMsg)

namespace mesh::pki::detail {

namespace {

// OpenSSL's default would prompt on the terminal for an encrypted key.
int noPassphrase(char *, int, int, void *)
{
    return -1;
}

Bio memoryBio(const QByteArray &bytes)
{
    return Bio(BIO_new_mem_buf(bytes.constData(), int(bytes.size())));
}

// The first PEM block `Read` understands, never prompting for a passphrase.
template<class Handle, auto Read>
Handle readPem(const QByteArray &pem)
{
    Bio bio = memoryBio(pem);
    if (!bio)
        return {};
    Handle value(Read(bio.get(), nullptr, &noPassphrase, nullptr));
    ERR_clear_error();
    return value;
}

QByteArray drain(BIO *bio)
{
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? QByteArray(data, n) : QByteArray();
}

// The key types Qt's QSslKey can hold.
std::optional<QSsl::KeyAlgorithm> qtAlgorithm(const EVP_PKEY *key)
{
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: return QSsl::Ec;
    case EVP_PKEY_RSA: return QSsl::Rsa;
    default: return std::nullopt;
    }
}

} // namespace

X509Ptr toX509(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    // Qt's OpenSSL backend already holds the decoded certificate: take a
    // reference instead of decoding the DER again. Decoding costs OpenSSL 3
    // a public-key decoder pass, a tenth of a new mTLS connection's CPU when
    // the proxy checked each peer that way. Every caller only reads it.
    static const bool openSslHandles = QSslSocket::activeBackend() == QStringLiteral("openssl");
    if (openSslHandles) {
        if (auto *shared = static_cast<X509 *>(certificate.handle())) {
            X509_up_ref(shared);
            return X509Ptr(shared);
        }
    }
    const QByteArray der = certificate.toDer();
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    return X509Ptr(d2i_X509(nullptr, &p, long(der.size())));
}

QSslCertificate toQt(const X509 *certificate)
{
    unsigned char *der = nullptr;
    const int n = i2d_X509(certificate, &der);
    if (n <= 0)
        return QSslCertificate();
    const QByteArray bytes(reinterpret_cast<const char *>(der), n);
    OPENSSL_free(der);
    return QSslCertificate(bytes, QSsl::Der);
}

PKey readPrivateKeyPem(const QByteArray &pem)
{
    return readPem<PKey, PEM_read_bio_PrivateKey>(pem);
}

PKey toPKey(const QSslKey &key)
{
    if (key.isNull() || key.type() != QSsl::PrivateKey)
        return {};
    return readPrivateKeyPem(key.toPem());
}

QByteArray privateKeyPem(const EVP_PKEY *key)
{
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return drain(bio.get());
}

Result<QSslKey> toQt(const EVP_PKEY *key)
{
    const auto algorithm = qtAlgorithm(key);
    if (!algorithm)
        return fail(Error::Code::Unsupported, QStringLiteral("only EC and RSA private keys are supported"));
    QByteArray pem = privateKeyPem(key);
    QSslKey qtKey(pem, *algorithm, QSsl::Pem, QSsl::PrivateKey);
    pem.fill('\0');
    if (qtKey.isNull())
        return fail(Error::Code::Internal, QStringLiteral("Qt's TLS backend could not load the private key"));
    return qtKey;
}

PKey toPublicPKey(const QSslKey &key)
{
    if (key.isNull() || key.type() != QSsl::PublicKey)
        return {};
    return readPem<PKey, PEM_read_bio_PUBKEY>(key.toPem());
}

Result<QSslKey> publicKeyToQt(const EVP_PKEY *key)
{
    const auto algorithm = qtAlgorithm(key);
    if (!algorithm)
        return fail(Error::Code::Unsupported, QStringLiteral("only EC and RSA public keys are supported"));
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
        ERR_clear_error();
        return fail(Error::Code::Internal, QStringLiteral("could not encode the public key"));
    }
    QSslKey qtKey(drain(bio.get()), *algorithm, QSsl::Pem, QSsl::PublicKey);
    if (qtKey.isNull())
        return fail(Error::Code::Internal, QStringLiteral("Qt's TLS backend could not load the public key"));
    return qtKey;
}

X509Req readCsrPem(const QByteArray &pem)
{
    return readPem<X509Req, PEM_read_bio_X509_REQ>(pem);
}

QString quotedUntrusted(const QByteArray &text)
{
    QString quoted;
    for (const char c : text.left(96))
        quoted += (c >= 0x20 && c < 0x7f) ? QChar::fromLatin1(c) : QChar(u'?');
    if (text.size() > 96)
        quoted += u"…";
    return u'"' + quoted + u'"';
}

QString takeOpenSslError()
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("unknown OpenSSL error");
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return QString::fromLatin1(buffer);
}

std::optional<QList<QByteArray>> uriSans(const X509 *certificate)
{
    int critical = 0;
    GeneralNames names(
        static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(certificate, NID_subject_alt_name, &critical, nullptr)));
    if (!names) {
        // -1: no extension; -2: more than one; otherwise present but unreadable.
        if (critical == -1)
            return QList<QByteArray>();
        return std::nullopt;
    }
    QList<QByteArray> uris;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type != GEN_URI)
            continue;
        const ASN1_IA5STRING *uri = name->d.uniformResourceIdentifier;
        uris.append(QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(uri)), ASN1_STRING_length(uri)));
    }
    return uris;
}

} // namespace mesh::pki::detail
