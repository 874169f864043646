#pragma once

#include "httptypes.h"

#include <QHostAddress>
#include <QObject>

#include <chrono>

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
    quint64 acceptedConnections() const { return m_accepted; }
    quint64 requestsHandled() const { return m_requests; }

Q_SIGNALS:
    // A connection was closed by us for breaking a limit or the protocol;
    // `status` is what it was answered with (0 when it was just dropped).
    void connectionRejected(int status);

private:
    friend class HttpConnection;

    void acceptPending();
    void sweep();
    void release(HttpConnection *connection);

    QTcpServer *m_tcp = nullptr;
    QTimer *m_sweepTimer = nullptr;
    Handler m_handler;
    UpgradeHandler m_upgradeHandler;
    Limits m_limits;
    QList<HttpConnection *> m_connections;
    quint64 m_accepted = 0;
    quint64 m_requests = 0;
};

} // namespace apps::http
