#include "httpserver.h"
#include "httpconnection_p.h"
#include "httplogging_p.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace apps::http {

Q_LOGGING_CATEGORY(lcHttp, "meshpad.http", QtInfoMsg)

namespace {
// Bounds what Qt buffers per socket before it stops reading from the kernel,
// so a client we have paused is held back by TCP flow control.
constexpr qint64 SocketReadBufferBytes = 256 * 1024;
} // namespace

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_tcp(new QTcpServer(this))
    , m_sweepTimer(new QTimer(this))
{
    // The default backlog (50) drops SYNs when a load test opens its
    // connections all at once.
    m_tcp->setListenBacklogSize(1024);
    m_tcp->setMaxPendingConnections(1024);
    connect(m_tcp, &QTcpServer::newConnection, this, &HttpServer::acceptPending);
    connect(m_sweepTimer, &QTimer::timeout, this, &HttpServer::sweep);
}

HttpServer::~HttpServer()
{
    close();
}

void HttpServer::setHandler(Handler handler)
{
    m_handler = std::move(handler);
}

void HttpServer::setUpgradeHandler(UpgradeHandler handler)
{
    m_upgradeHandler = std::move(handler);
}

void HttpServer::setLimits(const Limits &limits)
{
    m_limits = limits;
    // One coarse timer checks every connection's deadlines, instead of
    // restarting a timer per request on the hot path.
    const auto shortest = std::min(m_limits.headerTimeout, m_limits.idleTimeout);
    m_sweepTimer->setInterval(std::clamp<qint64>(shortest.count() / 4, 50, 1000));
}

bool HttpServer::listen(const QHostAddress &address, quint16 port)
{
    setLimits(m_limits);
    if (!m_tcp->listen(address, port))
        return false;
    m_sweepTimer->start();
    return true;
}

void HttpServer::close()
{
    m_sweepTimer->stop();
    m_tcp->close();
    const auto connections = m_connections;
    for (HttpConnection *c : connections)
        c->abort();
}

bool HttpServer::isListening() const
{
    return m_tcp->isListening();
}

quint16 HttpServer::port() const
{
    return m_tcp->serverPort();
}

QHostAddress HttpServer::address() const
{
    return m_tcp->serverAddress();
}

QString HttpServer::errorString() const
{
    return m_tcp->errorString();
}

void HttpServer::acceptPending()
{
    while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
        if (m_connections.size() >= m_limits.maxConnections) {
            qCWarning(lcHttp) << "connection limit" << m_limits.maxConnections << "reached, refusing"
                              << socket->peerAddress();
            socket->abort();
            socket->deleteLater();
            Q_EMIT connectionRejected(0);
            continue;
        }
        ++m_accepted;
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->setReadBufferSize(SocketReadBufferBytes);
        auto *connection = new HttpConnection(this, socket);
        m_connections.append(connection);
        connection->start();
    }
}

void HttpServer::sweep()
{
    const qint64 now = HttpConnection::nowMs();
    const auto connections = m_connections;
    for (HttpConnection *c : connections)
        c->checkDeadlines(now);
}

void HttpServer::release(HttpConnection *connection)
{
    if (m_connections.removeOne(connection))
        connection->deleteLater();
}

} // namespace apps::http
