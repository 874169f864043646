// CertificateAuthority::signCsr() on arbitrary requests: no crash, and what
// it signs is a service leaf of this CA's trust domain and datacenter with
// one URI SAN, never a CA, never carrying a private key. The first byte
// picks the form: bit 0 set, the rest is PEM text as given; clear, the rest
// is DER, wrapped in PEM here so mutations reach the request's structure.
// With bit 1 also set, a DER request that OpenSSL reads is first re-signed
// with a fixed P-256 key: a mutated request's signature no longer matches,
// and signCsr() refuses that before it looks at what is asked for, so only
// re-signing lets the fuzzer reach the extension checks. (Raw OpenSSL here
// is the test harness making requests, as the openssl CLI does in the tests.)

#include "fuzzcheck.h"

#include "pki/certificateauthority.h"
#include "pki/peeridentity.h"

#include <QByteArray>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <optional>

using fuzz::require;
using mesh::pki::CertificateAuthority;
using mesh::pki::PeerIdentity;

namespace {

const QString kTrustDomain = QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");

const CertificateAuthority &authority()
{
    static const CertificateAuthority ca = [] {
        auto created = CertificateAuthority::create(kTrustDomain, QStringLiteral("dc1"));
        require(created.has_value(), "the CA is created");
        return *created;
    }();
    return ca;
}

// The DER request, re-signed with a fixed key; empty when OpenSSL cannot read it.
QByteArray resigned(const QByteArray &der)
{
    static EVP_PKEY *const key = EVP_EC_gen("P-256");
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    X509_REQ *request = d2i_X509_REQ(nullptr, &p, long(der.size()));
    QByteArray out;
    unsigned char *encoded = nullptr;
    int length = 0;
    if (request && X509_REQ_set_pubkey(request, key) == 1 && X509_REQ_sign(request, key, EVP_sha256()) > 0
        && (length = i2d_X509_REQ(request, &encoded)) > 0)
        out = QByteArray(reinterpret_cast<const char *>(encoded), length);
    OPENSSL_free(encoded);
    X509_REQ_free(request);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    authority();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    QByteArray input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    if ((data[0] & 1) == 0) {
        if (data[0] & 2) {
            input = resigned(input);
            if (input.isEmpty())
                return 0;
        }
        input = "-----BEGIN CERTIFICATE REQUEST-----\n" + input.toBase64() + "\n-----END CERTIFICATE REQUEST-----\n";
    }
    const auto leaf = authority().signCsr(input, std::chrono::hours(1));
    if (!leaf) {
        require(!leaf.error().message.isEmpty(), "a refusal says why");
        return 0;
    }
    const auto id = PeerIdentity::serviceIdentity(leaf->certificate);
    require(id.has_value(), "a signed leaf passes the peer identity checks");
    require(id->trustDomain == kTrustDomain && id->datacenter == u"dc1" && id->ns == u"default" && !id->partition,
            "a signed leaf is in this CA's trust domain, datacenter and namespace");
    require(!PeerIdentity::isCertificateAuthority(leaf->certificate), "a signed leaf is no CA");
    require(PeerIdentity::uriSubjectAlternativeNames(leaf->certificate).size() == 1, "a signed leaf has one URI SAN");
    require(leaf->privateKey.isNull(), "signing a request yields no private key");
    return 0;
}
