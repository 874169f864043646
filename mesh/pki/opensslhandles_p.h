#pragma once

// Private to mesh/pki: every OpenSSL handle we own lives in one of these, so no
// path (early return included) leaks or double-frees. Qt types at the boundary.

#include "core/result.h"

#include <QByteArray>
#include <QLoggingCategory>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcPki)

namespace mesh::pki::detail {

template<auto Free>
struct Deleter
{
    template<class T>
    void operator()(T *p) const
    {
        Free(p);
    }
};

using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralName = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using BigNum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1OctetString = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using AuthorityKeyId = std::unique_ptr<AUTHORITY_KEYID, Deleter<AUTHORITY_KEYID_free>>;
using X509Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using BasicConstraints = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;
using Asn1BitString = std::unique_ptr<ASN1_BIT_STRING, Deleter<ASN1_BIT_STRING_free>>;

inline void freeExtensions(STACK_OF(X509_EXTENSION) * extensions)
{
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
}
using X509Extensions = std::unique_ptr<STACK_OF(X509_EXTENSION), Deleter<freeExtensions>>;

// The certificate as OpenSSL sees it, from its DER. Null when unreadable.
// Shares Qt's own decoded certificate when it has one: read, never modify.
X509Ptr toX509(const QSslCertificate &certificate);
QSslCertificate toQt(const X509 *certificate);

// A private key from/to PEM. Never prompts for a passphrase: an encrypted
// key fails like a garbled one. Errors never quote key material.
PKey toPKey(const QSslKey &key);
PKey readPrivateKeyPem(const QByteArray &pem);
// "EC PRIVATE KEY"/"RSA PRIVATE KEY" (traditional), as Consul writes keys.
QByteArray privateKeyPem(const EVP_PKEY *key);
Result<QSslKey> toQt(const EVP_PKEY *key);

// The public half only ("PUBLIC KEY", SubjectPublicKeyInfo), both ways.
PKey toPublicPKey(const QSslKey &key);
Result<QSslKey> publicKeyToQt(const EVP_PKEY *key);

// The first PKCS#10 request in `pem` ("CERTIFICATE REQUEST"). Null when
// there is none or it is unreadable; never prompts (an "encrypted" PEM block
// fails like a garbled one).
X509Req readCsrPem(const QByteArray &pem);

// The last OpenSSL error queue entry as text, and the queue cleared.
QString takeOpenSslError();

// Untrusted text (a peer's URI, a CSR's SAN) for messages and logs: at most
// 96 printable ASCII characters, others as '?', in double quotes.
QString quotedUntrusted(const QByteArray &text);

// Every URI SAN of `certificate`, or nullopt when the extension is present
// but unreadable or duplicated.
std::optional<QList<QByteArray>> uriSans(const X509 *certificate);

} // namespace mesh::pki::detail
