#pragma once

#include "tls/sendqueue.h"
#include "tls/tlscontext.h"

#include <QObject>

#include <optional>

class QSocketNotifier;

namespace mesh::tls {

// A TLS connection over a connected, non-blocking TCP descriptor, driven by
// OpenSSL directly (a socket BIO on the descriptor) under Qt's event loop
// (two QSocketNotifiers) — the proxy's TLS leg. It replaces QSslSocket there:
// the SSL_CTX is shared (TlsContext), idle connections keep no buffers
// (SSL_MODE_RELEASE_BUFFERS and an emptied plaintext queue), and a half-close
// crosses TLS: shutdownWrite() sends close_notify then FIN while reading goes
// on, and the peer's close_notify reads as kEof while writing goes on.
//
// Life: startServer()/startClient() take the descriptor and run the
// handshake; then exactly one of encrypted() (the peer's identity passed
// TlsContext::verifyLeaf) or handshakeFailed() (error() says why; the
// descriptor is closed). After encrypted() it has PlainSocket's contract:
// readyRead() says read() may return bytes; read() until it returns 0;
// write() takes everything (queued when the kernel or OpenSSL cannot take
// it now) and bytesToWrite() is the plaintext still queued; bytesWritten()
// reports the queue's progress; errorOccurred() a failure (errorString()).
// Want-read/want-write are followed with the notifiers, never by polling.
class TlsStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsStream)

public:
    static constexpr qint64 kEof = -1;
    static constexpr qint64 kError = -2;

    explicit TlsStream(SharedTlsContext context, QObject *parent = nullptr);
    ~TlsStream() override; // closes the descriptor, without close_notify

    // Server side: accepts a service identity of `trustDomain`.
    void startServer(qintptr descriptor, const QString &trustDomain);
    // Client side: sends SNI `serverName` and accepts exactly `expected`.
    void startClient(qintptr descriptor, const QString &serverName, const pki::SpiffeId &expected);

    bool isOpen() const { return m_fd >= 0; }
    bool isEncrypted() const { return m_state == State::Established; }
    // The peer's verified identity, once encrypted().
    const pki::SpiffeId &peerIdentity() const { return m_peer; }
    // After read() returned kEof: whether the peer ended with close_notify
    // (a half-close) rather than FIN alone (an abort, or a truncation).
    bool peerClosedCleanly() const { return m_readEof && m_cleanEof; }
    // Whether the peer sent any byte at all: a TCP health check that connects
    // and closes sends none, a caller always sends a ClientHello.
    bool peerSentBytes() const;
    // TLS 1.3 or later: close_notify ends one direction only (RFC 8446
    // §6.1). Before 1.3 a close_notify ends the connection (RFC 5246 §7.2.1)
    // and OpenSSL discards what arrives after ours, so a half-close cannot
    // cross TLS 1.2; the owner keeps that leg open instead.
    bool canHalfClose() const;
    const SharedTlsContext &context() const { return m_context; }

    qint64 read(char *data, qint64 maxSize);
    bool write(const char *data, qint64 size);
    qint64 bytesToWrite() const { return m_out.size(); }
    void setReadingEnabled(bool enabled);
    // close_notify once everything queued is sent, then FIN; reading goes on.
    void shutdownWrite();
    bool isWriteShutdown() const { return m_shutdownPending || m_writeShut; }
    // Closes the descriptor at once (no close_notify): an abort.
    void close();

    const TlsError &error() const { return m_error; }
    // After errorOccurred(): whether the stream ended because the peer broke
    // the policy (a renegotiation attempt) — a refusal to count under
    // error().reason — rather than an I/O failure.
    bool peerRefused() const { return m_peerRefused; }
    QString errorString() const { return m_error.message; }

Q_SIGNALS:
    void encrypted();
    void handshakeFailed();
    void readyRead();
    void bytesWritten(qint64 bytes);
    void errorOccurred();

private:
    enum class State { Idle, Handshaking, Established, Failed, Closed };
    enum class Wants { Nothing, Read, Write };

    void start(qintptr descriptor);
    void continueHandshake();
    void onReadable();
    void onWritable();
    // Sends queued plaintext; false on failure (already reported).
    bool flush();
    bool sendCloseNotify();
    void updateNotifiers();
    void failHandshake(TlsError error);
    void failStream(const QString &message, bool peerRefused = false);

    SharedTlsContext m_context;
    SslHandle m_ssl;
    int m_fd = -1;
    State m_state = State::Idle;
    PeerCheck m_check;
    pki::SpiffeId m_peer;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    SendQueue m_out;
    TlsError m_error;
    Wants m_handshakeWants = Wants::Nothing;
    bool m_peerSentBytes = false;
    bool m_readingEnabled = true;
    bool m_wantReadForWrite = false; // SSL_write wants the descriptor readable
    bool m_wantWriteForRead = false; // SSL_read wants the descriptor writable
    bool m_readEof = false;
    bool m_cleanEof = false;
    bool m_peerRefused = false;
    bool m_shutdownPending = false; // close_notify owed once the queue is empty
    bool m_writeShut = false;       // close_notify sent and FIN
};

} // namespace mesh::tls
