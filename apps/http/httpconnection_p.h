#pragma once

#include "httptypes.h"

#include <QObject>

class QTcpSocket;

namespace apps::http {

class HttpServer;

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

    static qint64 nowMs();

private:
    enum class Phase {
        Head,        // reading a request line and headers
        Body,        // dropping m_bodyLeft bytes of a Content-Length body
        ChunkSize,   // chunked: reading a chunk-size line
        ChunkData,   // chunked: dropping m_bodyLeft bytes of chunk data
        ChunkEnd,    // chunked: the CRLF after chunk data
        Trailers,    // chunked: trailer lines up to an empty line
        Closing,     // last response queued; waiting for it to be written
        Lingering,   // write side shut; reading and dropping until EOF
    };
    enum class Step { Continue, NeedMore, Stop };

    void onReadyRead();
    void onBytesWritten();
    void process();
    Step processHead();
    Step processChunkSize();
    Step processChunkEnd();
    Step processTrailers();
    // Parses the head in m_in[m_pos, headEnd); answers it or fails.
    Step handleHead(qsizetype headEnd);
    void appendResponse(const Request &request, const Response &response, bool close);
    void fail(int status);
    void beginClose();
    void shutdownWrite();
    void drop();
    void flushOutput();

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QByteArray m_in;
    QByteArray m_out;
    qsizetype m_pos = 0;  // start of unparsed input in m_in
    qsizetype m_scan = 0; // where the search for the end of the head resumes
    Phase m_phase = Phase::Head;
    qint64 m_bodyLeft = 0;
    qint64 m_bodyTotal = 0;
    bool m_paused = false; // the client is not reading our responses
    qint64 m_headStartMs = -1;
    qint64 m_lastActivityMs = 0;
    qint64 m_closeDeadlineMs = 0;
};

} // namespace apps::http
