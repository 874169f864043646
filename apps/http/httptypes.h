#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QVarLengthArray>

#include <functional>
#include <memory>

class QTcpSocket;

namespace apps::http {

class Deferred;
class HttpConnection;
struct DeferredState;

// One request as parsed by HttpServer. Every view (body included) points
// into the connection's buffers and is valid only while the handler runs;
// copy what you keep. Header names are as sent; compare them with header().
struct Request
{
    struct Header
    {
        QByteArrayView name;
        QByteArrayView value;
    };

    QByteArrayView method;
    QByteArrayView target; // as sent, query included
    QByteArrayView path;   // target up to '?'
    int minorVersion = 1;  // HTTP/1.<minorVersion>
    QVarLengthArray<Header, 16> headers;
    // The whole body, de-chunked, when HttpServer::Limits::bufferBodyBytes
    // > 0 (the handler then runs once the body has arrived); otherwise empty
    // (the handler runs on the head and the body is read and dropped).
    QByteArrayView body;

    // The value of the first header called `name` (case-insensitive), or a
    // null view.
    QByteArrayView header(QByteArrayView name) const;

    // Answer later (a blocking query): returns a handle whose respond()
    // sends the response; whatever the handler put in its Response& is then
    // ignored. Only valid inside the handler (a null handle otherwise);
    // calling it twice returns the same handle. The connection reads no
    // further request until the deferred response is sent, so responses
    // stay in order and pipelining keeps working. The server sets no
    // deadline on a deferred response (the client may wait for minutes);
    // if every copy of the handle is dropped unanswered, the server answers
    // 500 itself at its next deadline sweep.
    Deferred defer() const;

private:
    friend class HttpConnection;
    HttpConnection *m_connection = nullptr; // set while the handler runs
};

// What a handler fills in. The server adds Date, Content-Length and, when it
// will close the connection, Connection: close. A HEAD request gets the same
// headers and no body.
struct Response
{
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("text/plain; charset=utf-8");
    QByteArray body;
    QByteArray extraHeaders; // complete "Name: value\r\n" lines, rarely needed
};

// A response given after the handler returned (see Request::defer()).
// Copyable and cheap (one shared pointer); use it on the server's thread.
// respond() sends the response the first time it is called; later calls are
// ignored, and so is a call once the client has gone, the connection broke
// the protocol, or the server was closed or destroyed. HEAD, Connection:
// close and HTTP/1.0 are handled as for a synchronous response.
class Deferred
{
public:
    Deferred() = default; // a null handle: isOpen() false, respond() no-op

    // The client is still connected and the response not yet sent. Turns
    // false as soon as the server notices the client closed its side (a
    // client that half-closes after its request counts as gone), so a
    // waiter can be dropped early.
    bool isOpen() const;
    void respond(const Response &response) const;

private:
    friend class HttpConnection;
    explicit Deferred(std::shared_ptr<DeferredState> state);

    std::shared_ptr<DeferredState> m_state;
};

// Called for each complete request (its head, or head and body when bodies
// are buffered); runs on the server's thread and must not block (defer the
// response instead of waiting).
using Handler = std::function<void(const Request &, Response &)>;

// For a request that asks to upgrade the connection (e.g. to WebSocket):
// `accepts` decides; when it says yes the server puts the request's bytes
// back into the socket unread, drops all its connections to the socket, gives
// up ownership (no parent) and calls `take`, which now owns the socket. When
// it says no the request goes to the normal handler.
struct UpgradeHandler
{
    std::function<bool(const Request &)> accepts;
    std::function<void(QTcpSocket *)> take;
};

// The reason phrase for the status codes the apps use.
QByteArrayView reasonPhrase(int status);

} // namespace apps::http
