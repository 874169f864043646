#pragma once

#include "core/result.h"
#include "pki/spiffeid.h"

#include <QSslCertificate>
#include <QStringList>

struct x509_st; // OpenSSL's X509

namespace mesh::pki {

// What a verified peer certificate says about who it is, by Consul's rules
// (hashicorp/consul: connect/tls.go; docs/targets.md, Peer identity).
// Chain and validity checks are the TLS stack's job; this looks only at the
// leaf's own extensions, read with OpenSSL because Qt 6.4's
// QSslCertificate::subjectAlternativeNames() drops URI SANs.
class PeerIdentity final
{
public:
    enum class Purpose { ServerAuth, ClientAuth };

    // The service identity of a leaf: exactly one URI SAN, which parses as a
    // service SpiffeId. Refused (Error::Code::Invalid, message naming the
    // reason; the proxy counts it as RefusalReason::BadIdentity): a null or
    // unparsable certificate, no URI SAN (also when the ID sits only in a
    // DNS or email SAN or the CN), two or more URI SANs, a URI SAN that is not
    // a service ID, a CA certificate (basicConstraints CA:TRUE or KeyUsage
    // keyCertSign).
    static Result<SpiffeId> serviceIdentity(const QSslCertificate &leaf);
    // The same on OpenSSL's own certificate (the TLS engine's peer leaf):
    // nothing decoded twice.
    static Result<SpiffeId> serviceIdentity(const x509_st *leaf);

    // True when the certificate may be used for `purpose`: an EKU extension
    // listing it (or anyExtendedKeyUsage), or no EKU extension at all (RFC 5280).
    static bool hasExtendedKeyUsage(const QSslCertificate &certificate, Purpose purpose);
    static bool hasExtendedKeyUsage(const x509_st *certificate, Purpose purpose);

    // Every URI SAN, in order (empty when none or unreadable).
    static QStringList uriSubjectAlternativeNames(const QSslCertificate &certificate);

    // basicConstraints CA:TRUE or KeyUsage keyCertSign.
    static bool isCertificateAuthority(const QSslCertificate &certificate);

    // Lower-case colon hex, as Consul's authorize wants the serial.
    static QString serialColonHex(const QSslCertificate &certificate);
};

} // namespace mesh::pki
