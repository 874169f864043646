#pragma once

#include <QString>

namespace mesh::pki {

// Why a peer was refused, the names the proxy counts refusals under (issue 5:
// "refusals by reason"). Stable: the strings appear in logs, metrics and tests.
enum class RefusalReason {
    NoCertificate,    // the client sent no certificate
    UnknownCa,        // the chain does not end at one of our roots
    Expired,          // notAfter in the past
    NotYetValid,      // notBefore in the future
    WrongIdentity,    // a valid service identity, but not the one we asked for
    BadIdentity,      // not exactly one service SPIFFE ID in a URI SAN, or a CA certificate
    WrongPurpose,     // EKU lacks clientAuth (inbound) or serverAuth (upstream)
    Denied,           // intentions deny the source
    TlsVersion,       // below TLS 1.2, or no acceptable cipher suite
    HandshakeTimeout, // no (complete) handshake before the deadline
    HandshakeFailed,  // any other TLS failure
};

inline constexpr int kRefusalReasonCount = static_cast<int>(RefusalReason::HandshakeFailed) + 1;

// "no-certificate", "unknown-ca", "expired", "not-yet-valid", "wrong-identity",
// "bad-identity", "wrong-purpose", "denied", "tls-version", "handshake-timeout",
// "handshake-failed".
QString toString(RefusalReason reason);

} // namespace mesh::pki
