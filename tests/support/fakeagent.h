#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>

#include <functional>

// A loopback HTTP/1.1 server standing in for a Consul or Nomad agent, for
// tests of code that reads from one (tst_clusterimport, tst_importcli):
// GET requests only, each answered with what `handler` returns for its
// path (the query string is cut off). Header-only.
namespace meshtest {

// One answer of FakeAgent.
struct Reply
{
    int status = 200;
    QByteArray body;
    bool stall = false; // read the request, never answer
};

class FakeAgent final : public QObject
{
public:
    std::function<Reply(const QByteArray &path)> handler = [](const QByteArray &) { return Reply{}; };
    QList<QByteArray> seen;    // the paths asked for, in order
    QList<QByteArray> targets; // the same with their query strings

    bool listen()
    {
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    m_buffers.remove(socket);
                    socket->deleteLater();
                });
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        // GETs only: a request ends with its head.
        while (true) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray target = buffer.left(buffer.indexOf('\n')).split(' ').value(1);
            buffer.remove(0, end + 4);
            const QByteArray path = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
            seen.append(path);
            targets.append(target);
            const Reply reply = handler(path);
            if (reply.stall)
                continue;
            socket->write("HTTP/1.1 " + QByteArray::number(reply.status)
                          + " X\r\nContent-Type: application/json\r\nContent-Length: "
                          + QByteArray::number(reply.body.size()) + "\r\n\r\n" + reply.body);
        }
    }

    // Before the server: its sockets (its children) may still report
    // disconnected() while it is destroyed.
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QTcpServer m_server;
};

} // namespace meshtest
