#pragma once

#include "httptypes.h"

#include <QObject>

#include <memory>

class QTcpSocket;

namespace apps::http {

class HttpServer;

// What a Deferred handle shares with its connection: the connection while
// the response is still owed and the client connected, else null. The
// connection clears it when it answers, breaks or is destroyed, so a handle
// outliving the connection (or the server) is safe.
struct DeferredState
{
    HttpConnection *connection = nullptr;
};

// One accepted connection of HttpServer: the parser state machine, the
// response buffer and the deadlines. Owned by the server (QObject parent),
// owns its socket; deleted with deleteLater() because it is usually released
// from inside one of its own socket's signals.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    HttpConnection(HttpServer *server, QTcpSocket *socket);
    ~HttpConnection() override;

    // Call once the server tracks the connection (it may release itself).
    void start();

    // Called by the server's sweep timer with a steady-clock time in ms.
    void checkDeadlines(qint64 nowMs);
    // Closes at once (server shutdown).
    void abort();

    // For Request::defer() and Deferred::respond().
    Deferred defer();
    void respondDeferred(const Response &response);

    static qint64 nowMs();

private:
    friend class HttpServer;

    enum class Phase {
        Head,      // reading a request line and headers
        Body,      // dropping (or buffering) m_bodyLeft bytes of a Content-Length body
        ChunkSize, // chunked: reading a chunk-size line
        ChunkData, // chunked: dropping (or buffering) m_bodyLeft bytes of chunk data
        ChunkEnd,  // chunked: the CRLF after chunk data
        Trailers,  // chunked: trailer lines up to an empty line
        Closing,   // last response queued; waiting for it to be written
        Lingering, // write side shut; reading and dropping until EOF
    };
    enum class Step { Continue, NeedMore, Stop };

    void onReadyRead();
    void onBytesWritten();
    void process();
    Step processHead();
    Step processChunkSize();
    Step processChunkEnd();
    Step processTrailers();
    // Parses the head in m_in[m_pos, headEnd); answers it, starts
    // buffering its body, or fails.
    Step handleHead(qsizetype headEnd);
    // Runs the handler for `request` and queues its response unless it was
    // deferred; then what the connection does next (close, pause, go on).
    Step dispatch(Request &request);
    // The end of a buffered body: dispatches the request kept in m_buffered.
    Step dispatchBuffered();
    void appendResponse(const Response &response, bool headRequest, int minorVersion, bool close);
    qint64 bodyCap() const;
    // Turns a pending Deferred handle closed (client gone, protocol error).
    void closeDeferred();
    void releaseIdleBuffers();
    void fail(int status);
    void beginClose();
    void shutdownWrite();
    void drop();
    void flushOutput();
    // Tells the server whether this connection may be drained now: waiting
    // for a request with no byte of it read and nothing left to write.
    void updateReusable();
    // Bytes of a request the client sent that we have not read yet, in Qt's
    // buffer or still in the kernel's.
    bool hasUnreadInput() const;
    // While we owe the client output that Qt still buffers (or requests we
    // paused before answering), keeps Qt from reading further from the
    // kernel, so that a client's half-close (EOF) is not seen yet: Qt
    // treats a read EOF as a full close and drops its unwritten output.
    // Released, and input read again, once the output is in the kernel.
    void updateHold();

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QByteArray m_in;
    QByteArray m_out;
    qsizetype m_pos = 0;  // start of unparsed input in m_in
    qsizetype m_scan = 0; // where the search for the end of the head resumes
    Phase m_phase = Phase::Head;
    qint64 m_bodyLeft = 0;
    qint64 m_bodyTotal = 0;
    bool m_paused = false;           // the client is not reading our responses
    bool m_holding = false;          // see updateHold()
    qint64 m_heldReadBufferSize = 0; // the socket's read buffer size before the hold
    qint64 m_headStartMs = -1;
    qint64 m_lastActivityMs = 0;
    qint64 m_closeDeadlineMs = 0;

    // A request whose body is being buffered: its head copied out of m_in
    // (the views in `request` point into it) and the de-chunked body.
    struct BufferedRequest
    {
        QByteArray head;
        QByteArray body;
        Request request;
    };
    std::unique_ptr<BufferedRequest> m_buffered;
    // How the current request is to be answered (kept for a deferred one).
    bool m_headRequest = false;
    bool m_closeAfter = false;
    int m_minorVersion = 1;
    bool m_inHandler = false;
    // Set while a response is owed (from defer() until it is sent); while
    // set, the connection reads no new request head.
    std::shared_ptr<DeferredState> m_deferred;
    // respond() called inside the handler that deferred: sent on its return.
    std::unique_ptr<Response> m_earlyResponse;

    // Kept by HttpServer: the index in its connection list, and the links
    // of its reusable LRU list (nginx's c->queue in ngx_connection_t).
    qsizetype m_index = -1;
    bool m_reusable = false;
    HttpConnection *m_reusablePrev = nullptr; // towards the head (more recent)
    HttpConnection *m_reusableNext = nullptr; // towards the tail (older)
};

} // namespace apps::http
