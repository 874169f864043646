#include "tls/tlscontext.h"

#include "pki/opensslhandles_p.h"
#include "pki/peeridentity.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace mesh::tls {

using pki::RefusalReason;
using namespace pki::detail;

namespace {

TlsError loadError(const QString &what)
{
    return TlsError{RefusalReason::HandshakeFailed, what + QStringLiteral(": ") + takeOpenSslError()};
}

// X509_V_ERR_* of a failed chain verification → the refusal it means. Which
// codes X509_verify_cert sets: openssl/openssl `crypto/x509/x509_vfy.c`.
RefusalReason reasonForVerifyError(long error)
{
    switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED: return RefusalReason::Expired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return RefusalReason::NotYetValid;
    case X509_V_ERR_INVALID_PURPOSE: return RefusalReason::WrongPurpose;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_AKID_SKID_MISMATCH:
    case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
    case X509_V_ERR_SUBJECT_ISSUER_MISMATCH:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED: return RefusalReason::UnknownCa;
    default: return RefusalReason::HandshakeFailed;
    }
}

// An SSL_R_* reason of a failed handshake → the refusal it means, or
// nullopt when it names nothing more precise than a failed handshake.
std::optional<RefusalReason> reasonForSslError(int reason)
{
    switch (reason) {
    // Not SSL_R_WRONG_VERSION_NUMBER: a record header that is not TLS at all
    // (random bytes, plain HTTP) reads so; an old TLS client gets
    // "unsupported protocol".
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_CIPHERS_AVAILABLE:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY: return RefusalReason::TlsVersion;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED: return RefusalReason::NoCertificate;
    default: return std::nullopt;
    }
}

// Where an SSL object keeps its PeerCheck (SSL_get_ex_new_index(3)).
int peerCheckIndex()
{
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// OpenSSL's verify callback (SSL_CTX_set_verify(3)): called per certificate
// of the chain with OpenSSL's own verdict; at the leaf, once the chain up to
// a root is good, the identity check decides.
int verifyCallback(int preverifyOk, X509_STORE_CTX *store)
{
    if (!preverifyOk || X509_STORE_CTX_get_error_depth(store) != 0)
        return preverifyOk;
    auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto *check = ssl ? static_cast<PeerCheck *>(SSL_get_ex_data(ssl, peerCheckIndex())) : nullptr;
    if (!check) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    check->outcome
        = TlsContext::verifyLeaf(X509_STORE_CTX_get_current_cert(store),
                                 SSL_is_server(ssl) ? TlsContext::Role::Server : TlsContext::Role::Client, *check);
    if (!*check->outcome) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

// OpenSSL's info callback (SSL_CTX_set_info_callback(3)): a handshake that
// starts on an established TLS 1.2 connection is a renegotiation (a
// ClientHello or HelloRequest). SSL_OP_NO_RENEGOTIATION already answers it
// with a no_renegotiation warning and goes on; the stream ends the
// connection instead (TlsStream reads the flag). TLS 1.3 has no
// renegotiation; a KeyUpdate there is not one.
void infoCallback(const SSL *ssl, int where, int)
{
    if (!(where & SSL_CB_HANDSHAKE_START) || SSL_version(ssl) >= TLS1_3_VERSION)
        return;
    auto *check = static_cast<PeerCheck *>(SSL_get_ex_data(ssl, peerCheckIndex()));
    if (check && check->established)
        check->renegotiationAttempted = true;
}

} // namespace

void SslContextFree::operator()(ssl_ctx_st *context) const
{
    SSL_CTX_free(context);
}

void SslFree::operator()(ssl_st *ssl) const
{
    SSL_free(ssl);
}

TlsContext::TlsContext(Role role, SslContextHandle context, pki::SpiffeId identity)
    : m_role(role)
    , m_context(std::move(context))
    , m_identity(std::move(identity))
{
}

QStringList TlsContext::tls12Ciphers()
{
    // Consul's defaultTLSConfig suites (hashicorp/consul `tlsutil/config.go`,
    // goToTLSCipherSuites) in OpenSSL's names: ECDHE, AEAD only; ECDSA first
    // because Consul's leaves are EC P-256.
    return {QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256"), QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384"),
            QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305"), QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256"),
            QStringLiteral("ECDHE-RSA-AES256-GCM-SHA384"),   QStringLiteral("ECDHE-RSA-CHACHA20-POLY1305")};
}

QStringList TlsContext::tls13Suites()
{
    return {QStringLiteral("TLS_AES_128_GCM_SHA256"), QStringLiteral("TLS_AES_256_GCM_SHA384"),
            QStringLiteral("TLS_CHACHA20_POLY1305_SHA256")};
}

TlsResult<std::shared_ptr<const TlsContext>> TlsContext::create(Role role, const pki::IssuedCertificate &leaf,
                                                                const QList<QSslCertificate> &roots)
{
    ERR_clear_error();
    SslContextHandle ctx(SSL_CTX_new(role == Role::Server ? TLS_server_method() : TLS_client_method()));
    if (!ctx)
        return std::unexpected(loadError(QStringLiteral("no TLS context")));
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(ctx.get(), tls12Ciphers().join(u':').toLatin1().constData()) != 1
        || SSL_CTX_set_ciphersuites(ctx.get(), tls13Suites().join(u':').toLatin1().constData()) != 1)
        return std::unexpected(loadError(QStringLiteral("cipher suites refused")));
    // Never resumed (Envoy and Consul re-validate every
    // connection fully): no session cache either side, no stateless
    // tickets, and no TLS 1.3 tickets at all — OpenSSL sends two by default
    // (SSL_CTX_set_num_tickets(3)). Renegotiation refused: nothing in the
    // mesh needs it, and it would re-run verification mid-stream.
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx.get(), 0);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    // RELEASE_BUFFERS: an idle connection holds no 16 KiB record buffers
    // (SSL_CTX_set_mode(3)). PARTIAL_WRITE + MOVING_WRITE_BUFFER: SSL_write
    // returns after each record, and a retry may pass the queue's (grown,
    // moved) buffer — TlsStream's queue only appends.
    SSL_CTX_set_mode(ctx.get(),
                     SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // One read(2) for a whole record and what follows, instead of header then
    // body; the buffer is released while idle all the same.
    SSL_CTX_set_read_ahead(ctx.get(), 1);

    // Our leaf, its chain and key; the peer must present one too (client
    // certificates required,
    // https://developer.hashicorp.com/consul/docs/connect/connect-internals#mutual-transport-layer-security-mtls).
    const X509Ptr certificate = toX509(leaf.certificate);
    if (!certificate || SSL_CTX_use_certificate(ctx.get(), certificate.get()) != 1)
        return std::unexpected(loadError(QStringLiteral("the leaf certificate cannot be used")));
    for (const QSslCertificate &intermediate : leaf.chain) {
        const X509Ptr x = toX509(intermediate);
        if (!x || SSL_CTX_add1_chain_cert(ctx.get(), x.get()) != 1)
            return std::unexpected(loadError(QStringLiteral("the leaf's chain cannot be used")));
    }
    const PKey key = toPKey(leaf.privateKey);
    if (!key || SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1)
        return std::unexpected(loadError(QStringLiteral("the leaf's private key cannot be used")));
    // Every trusted root, and only those (not the system's).
    X509_STORE *store = SSL_CTX_get_cert_store(ctx.get());
    for (const QSslCertificate &root : roots) {
        const X509Ptr x = toX509(root);
        if (!x || X509_STORE_add_cert(store, x.get()) != 1)
            return std::unexpected(loadError(QStringLiteral("a root certificate cannot be used")));
    }
    if (roots.isEmpty())
        return std::unexpected(TlsError{RefusalReason::HandshakeFailed, QStringLiteral("no trusted roots")});
    // The chain is checked for the peer's role (sslclient / sslserver purpose,
    // which includes its EKU); a failure aborts the handshake with the alert
    // OpenSSL picks for it. verifyCallback adds the identity check.
    SSL_CTX_set_verify(ctx.get(),
                       role == Role::Server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER,
                       verifyCallback);
    SSL_CTX_set_purpose(ctx.get(), role == Role::Server ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER);
    SSL_CTX_set_info_callback(ctx.get(), infoCallback);

    auto identity = pki::PeerIdentity::serviceIdentity(certificate.get());
    if (!identity)
        return std::unexpected(
            TlsError{RefusalReason::BadIdentity, QStringLiteral("our own leaf: ") + identity.error().message});
    return std::shared_ptr<const TlsContext>(new TlsContext(role, std::move(ctx), *identity));
}

QString TlsContext::serverNameFor(const pki::SpiffeId &destination)
{
    return destination.service + u".default." + destination.datacenter + u".internal." + destination.trustDomain;
}

SslHandle TlsContext::newSession(PeerCheck *check) const
{
    SslHandle ssl(SSL_new(m_context.get()));
    if (ssl && SSL_set_ex_data(ssl.get(), peerCheckIndex(), check) != 1)
        ssl.reset();
    return ssl;
}

TlsResult<pki::SpiffeId> TlsContext::verifyLeaf(const x509_st *peer, Role ourRole, const PeerCheck &check)
{
    if (!peer)
        return std::unexpected(TlsError{RefusalReason::NoCertificate, QStringLiteral("no peer certificate")});
    // OpenSSL already verified the chain for the peer's purpose; checking
    // the leaf's EKU here too costs nothing and does not depend on how the
    // purpose was set (CVE-2022-21657, hashicorp/consul#11941).
    const bool client = ourRole == Role::Server;
    if (!pki::PeerIdentity::hasExtendedKeyUsage(peer, client ? pki::PeerIdentity::Purpose::ClientAuth
                                                             : pki::PeerIdentity::Purpose::ServerAuth))
        return std::unexpected(TlsError{RefusalReason::WrongPurpose,
                                        client ? QStringLiteral("the client certificate lacks EKU clientAuth")
                                               : QStringLiteral("the server certificate lacks EKU serverAuth")});
    auto id = pki::PeerIdentity::serviceIdentity(peer);
    if (!id)
        return std::unexpected(TlsError{RefusalReason::BadIdentity, id.error().message});
    // Exactly the ID asked for, trust domain included, as Envoy matches it
    // (envoyproxy/envoy `source/common/tls/cert_validator/default_validator.cc`
    // with Consul's match_typed_subject_alt_names, hashicorp/consul
    // `agent/xds/listeners.go`); Consul's built-in proxy compared host-blind
    // and case-insensitively, which look-alike IDs slip through.
    if (check.expected && !(*id == *check.expected))
        return std::unexpected(TlsError{RefusalReason::WrongIdentity,
                                        id->toString() + QStringLiteral(" is not ") + check.expected->toString()});
    if (id->trustDomain != check.trustDomain)
        return std::unexpected(
            TlsError{RefusalReason::WrongIdentity,
                     id->toString() + QStringLiteral(" is not in trust domain ") + check.trustDomain});
    return *id;
}

TlsError TlsContext::handshakeError(ssl_st *ssl, const PeerCheck &check, unsigned long queuedError)
{
    if (check.outcome && !*check.outcome) {
        ERR_clear_error();
        return check.outcome->error();
    }
    const long verify = SSL_get_verify_result(ssl);
    QString message;
    if (queuedError != 0) {
        char text[256];
        ERR_error_string_n(queuedError, text, sizeof text);
        message = QString::fromLatin1(text);
    }
    ERR_clear_error();
    if (verify != X509_V_OK) {
        const QString reason = QString::fromLatin1(X509_verify_cert_error_string(verify));
        return TlsError{reasonForVerifyError(verify), reason};
    }
    if (queuedError != 0 && ERR_GET_LIB(queuedError) == ERR_LIB_SSL) {
        if (const auto mapped = reasonForSslError(ERR_GET_REASON(queuedError)))
            return TlsError{*mapped, message};
    }
    return TlsError{RefusalReason::HandshakeFailed,
                    message.isEmpty() ? QStringLiteral("the handshake failed") : message};
}

} // namespace mesh::tls
