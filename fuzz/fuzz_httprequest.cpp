// The demo apps' HTTP/1.1 request parser, HttpConnection (apps/http), fed
// arbitrary bytes as a client would send them. The parser only reads from a
// socket, so each input goes through one end of a Unix socket pair, in
// slices, with the connection's QTcpSocket on the other end, driven by
// waitForReadyRead()/waitForBytesWritten() instead of an event loop. Besides
// not crashing: whatever the server writes back starts as an HTTP/1.1
// response, and the connection ends within the loop's bound.
//
// The first input byte picks the slice size (bits 0–2) and the limits (bit
// 3: tiny ones, to reach the 431/413 paths with short inputs); the rest is
// the wire.

#include "fuzzcheck.h"

#include "httpconnection_p.h"
#include "httpserver.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTcpSocket>

#include <array>
#include <cstddef>
#include <cstdint>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using apps::http::HttpConnection;
using apps::http::HttpServer;
using fuzz::require;

namespace {

HttpServer *server;

// Reads what the server sent so far; keeps only its start.
void drain(int fd, QByteArray &start, qint64 &total)
{
    std::array<char, 65536> buffer;
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n <= 0)
            return;
        if (start.size() < 16)
            start.append(buffer.data(), std::min<qsizetype>(n, 16 - start.size()));
        total += n;
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // Sockets need an event dispatcher, which needs the application object.
    static int argc = 1;
    static char program[] = "fuzz_httprequest";
    static char *argv[] = {program, nullptr};
    new QCoreApplication(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("meshpad.http.debug=false"));
    server = new HttpServer;
    // Reads every view the parser hands out, so one left dangling is seen.
    server->setHandler([](const apps::http::Request &request, apps::http::Response &response) {
        QByteArray body = request.method.toByteArray() + ' ' + request.path.toByteArray();
        for (const auto &header : request.headers)
            body += '\n' + header.name.toByteArray() + ": " + header.value.toByteArray();
        response.body = body + '\n' + request.header("host").toByteArray();
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::uint8_t knobs = data[0];
    const QByteArray wire = QByteArray::fromRawData(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    // Mostly whole, sometimes split (heads and chunk lines resumed across
    // reads); byte by byte is the slowest, so the rarest.
    static constexpr qsizetype kSlices[] = {1 << 20, 1 << 20, 1 << 20, 512, 64, 16, 7, 1};
    const qsizetype slice = kSlices[knobs & 7];
    HttpServer::Limits limits;
    if (knobs & 8) {
        limits.maxHeaderBytes = 96;
        limits.maxHeaderCount = 3;
        limits.maxBodyBytes = 16;
    }
    server->setLimits(limits);

    int fds[2];
    require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0, "a socket pair");
    const int client = fds[1];
    ::fcntl(client, F_SETFL, O_NONBLOCK);
    auto *socket = new QTcpSocket;
    require(socket->setSocketDescriptor(fds[0]), "QTcpSocket adopts a Unix socket");
    socket->setReadBufferSize(256 * 1024); // as HttpServer sets it
    auto *connection = new HttpConnection(server, socket);
    connection->start();

    QByteArray start;
    qint64 received = 0;
    qsizetype sent = 0;
    bool shut = false;
    for (int idle = 0; idle < 3;) {
        bool progress = false;
        if (sent < wire.size()) {
            const ssize_t n = ::write(client, wire.constData() + sent, size_t(std::min(slice, wire.size() - sent)));
            if (n > 0) {
                sent += n;
                progress = true;
            }
        } else if (!shut) {
            ::shutdown(client, SHUT_WR); // the client's FIN
            shut = true;
            progress = true;
        }
        if (socket->state() == QAbstractSocket::ConnectedState) {
            progress = socket->waitForReadyRead(0) || progress;
            if (socket->bytesToWrite() > 0)
                progress = socket->waitForBytesWritten(0) || progress;
        }
        const qint64 before = received;
        drain(client, start, received);
        progress = progress || received != before;
        idle = progress ? 0 : idle + 1;
    }
    // Past every deadline: a half-read request or a lingering close ends.
    connection->checkDeadlines(HttpConnection::nowMs() + 24 * 3600 * 1000);
    drain(client, start, received);

    require(received == 0 || start.startsWith("HTTP/1.1 "), "the server answers with HTTP/1.1 responses");
    delete connection; // and its socket
    ::close(client);
    QCoreApplication::sendPostedEvents();
    return 0;
}
