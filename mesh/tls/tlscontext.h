#pragma once

#include "pki/issuedcertificate.h"
#include "pki/refusalreason.h"
#include "pki/spiffeid.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

#include <expected>
#include <memory>
#include <optional>

struct ssl_ctx_st; // OpenSSL's SSL_CTX
struct ssl_st;     // OpenSSL's SSL
struct x509_st;    // OpenSSL's X509

namespace mesh::tls {

// Why a TLS connection was refused or failed, under the proxy's refusal
// reasons (pki::RefusalReason), with a detail for logs.
struct TlsError final
{
    pki::RefusalReason reason = pki::RefusalReason::HandshakeFailed;
    QString message;
};

template<class T = void>
using TlsResult = std::expected<T, TlsError>;

// Owners of OpenSSL's SSL_CTX and SSL (SSL_CTX_free, SSL_free), usable where
// only the forward declarations are seen.
struct SslContextFree
{
    void operator()(ssl_ctx_st *context) const;
};
struct SslFree
{
    void operator()(ssl_st *ssl) const;
};
using SslContextHandle = std::unique_ptr<ssl_ctx_st, SslContextFree>;
using SslHandle = std::unique_ptr<ssl_st, SslFree>;

// Who a connection's peer must be, and, once the handshake checked its leaf,
// who it is or why it was refused. The check runs inside the handshake (at
// the leaf, after OpenSSL verified the chain), so a peer with the wrong
// identity is refused with an alert before the handshake completes — the
// other side never sees an established connection — and the leaf is decoded
// once.
struct PeerCheck final
{
    QString trustDomain;                   // the peer must be in it
    std::optional<pki::SpiffeId> expected; // the client side: exactly this ID
    std::optional<TlsResult<pki::SpiffeId>> outcome;
    // Set by the stream once its handshake completed; after that a
    // handshake that starts on a TLS 1.2 connection is the peer attempting
    // a renegotiation, which the context refuses and flags here.
    bool established = false;
    bool renegotiationAttempted = false;
};

// One OpenSSL SSL_CTX for one identity version (leaf + key + roots) and one
// role, shared by every connection of a listener — as Envoy and HAProxy keep
// one context per certificate, where Qt 6.4's QSslSocket built one per socket.
// Rotation is a new TlsContext for new handshakes; a connection keeps the
// context it started with (TlsStream holds a shared_ptr).
//
// The policy is Consul's (hashicorp/consul `tlsutil/config.go`, and
// https://developer.hashicorp.com/consul/docs/connect/ca): TLS 1.2 or later,
// 1.3 preferred; ECDHE with AES-GCM or ChaCha20-Poly1305 only; client
// certificates required; no ALPN. Never resumed, by construction: no session
// cache, SSL_OP_NO_TICKET and zero TLS 1.3 tickets, so a flipped intention or
// a dropped root always meets a full handshake and no ticket nobody can use
// is ever sent. Renegotiation refused.
//
// Not thread-safe to share across threads while being rebuilt; a listener
// and its connections live on one thread.
class TlsContext final
{
public:
    enum class Role { Server, Client };

    // The refusal is Invalid-like (TlsError::reason HandshakeFailed) when the
    // leaf, key or roots cannot be loaded; `message` says which.
    static TlsResult<std::shared_ptr<const TlsContext>> create(Role role, const pki::IssuedCertificate &leaf,
                                                               const QList<QSslCertificate> &roots);
    TlsContext(const TlsContext &) = delete;
    TlsContext &operator=(const TlsContext &) = delete;

    Role role() const { return m_role; }
    // Our own identity, from the leaf (its one URI SAN).
    const pki::SpiffeId &identity() const { return m_identity; }

    // A new SSL object on this context whose handshake fills `check`, which
    // must outlive it (null on allocation failure).
    SslHandle newSession(PeerCheck *check) const;

    // The TLS 1.2 cipher list and the TLS 1.3 suites, in OpenSSL's names,
    // preference order (Consul's defaults, ECDSA first: Consul leaves are EC).
    static QStringList tls12Ciphers();
    static QStringList tls13Suites();

    // The SNI Envoy sends to a Consul sidecar of `destination`:
    // `<svc>.default.<dc>.internal.<td>` (hashicorp/consul
    // `agent/connect/sni.go`, ServiceSNI).
    static QString serverNameFor(const pki::SpiffeId &destination);

    // The identity check of a peer's leaf, whose chain OpenSSL verified:
    // a service identity (exactly one URI SAN, not a CA, EKU for its role:
    // clientAuth when we are the server) in check.trustDomain, and exactly
    // check.expected when set.
    static TlsResult<pki::SpiffeId> verifyLeaf(const x509_st *leaf, Role ourRole, const PeerCheck &check);

    // The reason for a failed handshake on `ssl`: the identity check's
    // refusal, else the chain's verify result, else OpenSSL's error
    // `queuedError` (the queue is cleared).
    static TlsError handshakeError(ssl_st *ssl, const PeerCheck &check, unsigned long queuedError);

private:
    TlsContext(Role role, SslContextHandle context, pki::SpiffeId identity);

    Role m_role;
    SslContextHandle m_context;
    pki::SpiffeId m_identity;
};

using SharedTlsContext = std::shared_ptr<const TlsContext>;

} // namespace mesh::tls
