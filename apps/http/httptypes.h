#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QVarLengthArray>

#include <functional>

class QTcpSocket;

namespace apps::http {

// One request as parsed by HttpServer. Every view points into the
// connection's input buffer and is valid only while the handler runs; copy
// what you keep. Header names are as sent; compare them with header().
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

    // The value of the first header called `name` (case-insensitive), or a
    // null view.
    QByteArrayView header(QByteArrayView name) const;
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

// Called for each complete request head; runs on the server's thread and must
// not block.
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
