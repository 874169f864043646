#pragma once

#include "httptypes.h"

#include <QHostAddress>
#include <QObject>

#include <chrono>
#include <limits>

class QTcpServer;
class QTimer;

namespace apps::http {

class HttpConnection;

// A small HTTP/1.1 server on QTcpServer for the demo apps, written because
// QHttpServer 6.4 has no limits at all (no header size, timeouts or body cap;
// those arrived in 6.9–6.12).
//
// - Keep-alive and pipelining: requests on one connection are answered in
//   order; every response is written in one piece and sockets have
//   LowDelayOption set, so no Nagle/delayed-ACK stall.
// - Bodies: by default they are read and dropped (the demo apps ignore
//   them) and the handler runs on the request head. With
//   Limits::bufferBodyBytes > 0 the whole body (Content-Length or chunked,
//   de-chunked) is read first and handed to the handler in Request::body.
// - Deferred responses (Request::defer()): the handler may answer later, as
//   Consul's and Nomad's blocking queries do. While a response is deferred
//   the connection reads no further request and no header/idle deadline
//   applies; a client that disconnects closes the handle and frees the
//   connection. An idle deferred connection holds no parse buffers.
// - Bad input is answered and the connection closed: a malformed request
//   line or header, conflicting Content-Length/Transfer-Encoding → 400;
//   headers over maxHeaderBytes or maxHeaderCount → 431; a body over the
//   body cap (bufferBodyBytes when buffering, else maxBodyBytes) → 413,
//   before reading it when Content-Length says so; an HTTP version other
//   than 1.x → 505; transfer codings other than chunked → 501.
// - A request head must be complete within headerTimeout of its first byte
//   (slowloris); an idle keep-alive connection is closed after idleTimeout; a
//   body (buffered or dropped) that stalls for headerTimeout is dropped.
// - At Limits::maxConnections, a new connection takes the place of the
//   least recently active *reusable* one, as nginx does: a connection that
//   has not sent a byte of a request yet, or an idle keep-alive connection
//   between requests with nothing left to write. Connections with a request
//   in progress, a response being written or deferred, or handed to the
//   upgrade handler are never closed for this. Only when no reusable
//   connection exists is the new one refused (reset). Drains and refusals
//   are counted and logged as one summary line per second at most. Nearing
//   RLIMIT_NOFILE (accepted descriptors within 16 of it) caps connections
//   the same way, since running into EMFILE stalls QTcpServer.
//
// Lives in the thread it was created in; never blocks it.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 64 * 1024; // request line + headers
        int maxHeaderCount = 100;
        qint64 maxBodyBytes = 1024 * 1024; // for bodies that are dropped
        // 0: bodies are dropped (above); > 0: bodies up to this many bytes
        // are buffered into Request::body, larger ones get 413 (this then
        // replaces maxBodyBytes).
        qint64 bufferBodyBytes = 0;
        std::chrono::milliseconds headerTimeout{20'000};
        std::chrono::milliseconds idleTimeout{75'000};
        int maxConnections = 4096;
    };

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setHandler(Handler handler);
    void setUpgradeHandler(UpgradeHandler handler);

    // Applies to requests that start after the call.
    void setLimits(const Limits &limits);
    const Limits &limits() const { return m_limits; }

    // Port 0 picks a free port; see port(). False with errorString() on failure.
    bool listen(const QHostAddress &address = QHostAddress::Any, quint16 port = 0);
    // Stops listening and closes every connection; pending Deferred
    // handles turn closed (isOpen() false, respond() a no-op), as they do
    // when the server is destroyed.
    void close();
    bool isListening() const;
    quint16 port() const;
    QHostAddress address() const;
    QString errorString() const;

    int openConnections() const { return int(m_connections.size()); }
    // Open connections that could be closed to make room right now (idle
    // keep-alive, or no request byte yet): nginx's "Waiting" in stub_status.
    int reusableConnections() const { return m_reusableCount; }
    quint64 acceptedConnections() const { return m_accepted; }
    // Reusable connections closed at maxConnections to accept a new one.
    quint64 drainedConnections() const { return m_drained; }
    // New connections reset at maxConnections (or near RLIMIT_NOFILE)
    // because no open connection was reusable.
    quint64 refusedConnections() const { return m_refused; }

Q_SIGNALS:
    // A connection was closed by us for breaking a limit or the protocol;
    // `status` is what it was answered with (0 when it was just dropped).
    // A new connection refused at maxConnections emits it with 0. A
    // reusable connection drained to make room broke nothing and does not
    // emit it (see drainedConnections()).
    void connectionRejected(int status);

private:
    friend class HttpConnection;

    void acceptPending();
    void onAcceptError();
    // Closes the least recently active reusable connection; false if none.
    bool drainOne();
    void noteOverload(bool drained);
    void logOverload();
    void sweep();
    void release(HttpConnection *connection);
    // nginx's ngx_reusable_connection(): (re)inserts at the head of the
    // LRU list (most recently active) or unlinks.
    void setReusable(HttpConnection *connection, bool reusable);

    QTcpServer *m_tcp = nullptr;
    QTimer *m_sweepTimer = nullptr;
    QTimer *m_overloadLogTimer = nullptr;
    Handler m_handler;
    UpgradeHandler m_upgradeHandler;
    Limits m_limits;
    // Unordered; each connection knows its index (O(1) removal).
    QList<HttpConnection *> m_connections;
    // Intrusive doubly linked LRU list through HttpConnection: head is the
    // most recently active reusable connection, tail the one drained next.
    HttpConnection *m_reusableHead = nullptr;
    HttpConnection *m_reusableTail = nullptr;
    int m_reusableCount = 0;
    // Connections open when accept() got within DescriptorReserve of
    // RLIMIT_NOFILE: a cap like Limits::maxConnections from then on.
    qsizetype m_descriptorCap = std::numeric_limits<qsizetype>::max();
    quint64 m_accepted = 0;
    quint64 m_drained = 0;
    quint64 m_refused = 0;
    // Since the last summary line.
    quint64 m_drainedUnlogged = 0;
    quint64 m_refusedUnlogged = 0;
    quint64 m_acceptErrorsUnlogged = 0;
    QString m_lastAcceptError;
};

} // namespace apps::http
