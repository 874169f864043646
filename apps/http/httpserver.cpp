#include "httpserver.h"
#include "httpconnection_p.h"
#include "httplogging_p.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <limits>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

namespace apps::http {

Q_LOGGING_CATEGORY(lcHttp, "meshpad.http", QtInfoMsg)

namespace {
// Bounds what Qt buffers per socket before it stops reading from the kernel,
// so a client we have paused is held back by TCP flow control.
constexpr qint64 SocketReadBufferBytes = 256 * 1024;
// Overload is logged as one summary line per this period, not a line per
// connection: 5,000 refusals must not become 5,000 log lines (nginx logs
// "worker_connections are not enough" at most once a second too, keyed on
// cycle->connections_reuse_time in nginx/nginx: src/core/ngx_connection.c,
// ngx_drain_connections()).
constexpr std::chrono::milliseconds OverloadLogPeriod{1000};
// After accept() failed (out of file descriptors), how long until we try
// again; nginx waits accept_mutex_delay (500 ms by default) in that case
// (nginx/nginx: src/event/ngx_event_accept.c, ngx_event_accept()).
constexpr std::chrono::milliseconds AcceptRetryDelay{100};
// Descriptors kept free below RLIMIT_NOFILE: once accepted sockets get this
// close to the limit we make room as at maxConnections. Reaching EMFILE is
// worse than it looks with Qt 6.4: QNativeSocketEngine records only the
// first error of an engine, so after one EAGAIN every later EMFILE reads
// as a TemporaryError and QTcpServer spins on the readable listen socket
// without a word (qtbase: src/network/socket/qnativesocketengine_unix.cpp,
// nativeAccept(); qabstractsocketengine.cpp, setError()).
constexpr qintptr DescriptorReserve = 16;

// Descriptors are allocated lowest first (POSIX), so a new descriptor
// numbered n means n are already in use.
bool nearDescriptorLimit(qintptr descriptor)
{
#ifdef Q_OS_UNIX
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY)
        return false;
    return descriptor >= qintptr(files.rlim_cur) - DescriptorReserve;
#else
    Q_UNUSED(descriptor);
    return false;
#endif
}
} // namespace

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_tcp(new QTcpServer(this))
    , m_sweepTimer(new QTimer(this))
    , m_overloadLogTimer(new QTimer(this))
{
    // The default backlog (50) drops SYNs when a load test opens its
    // connections all at once.
    m_tcp->setListenBacklogSize(1024);
    m_tcp->setMaxPendingConnections(1024);
    connect(m_tcp, &QTcpServer::newConnection, this, &HttpServer::acceptPending);
    connect(m_tcp, &QTcpServer::acceptError, this, &HttpServer::onAcceptError);
    connect(m_sweepTimer, &QTimer::timeout, this, &HttpServer::sweep);
    m_overloadLogTimer->setSingleShot(true);
    m_overloadLogTimer->setInterval(OverloadLogPeriod);
    connect(m_overloadLogTimer, &QTimer::timeout, this, &HttpServer::logOverload);
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
    m_descriptorCap = std::numeric_limits<qsizetype>::max();
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
    // What the last second saw is not lost with the server.
    if (m_overloadLogTimer->isActive()) {
        m_overloadLogTimer->stop();
        logOverload();
    }
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
        // At the cap a new client takes the place of an idle one rather
        // than being turned away while idle sockets hold every slot (5,000
        // sockets that never send a request would otherwise lock everyone
        // out). This is nginx's behaviour: ngx_get_connection() calls
        // ngx_drain_connections() when free connections run low, which
        // closes the oldest connections of the reusable queue
        // (nginx/nginx: src/core/ngx_connection.c). nginx drains up to 32
        // at a time, once fewer than 1/16 of the connections are free; we
        // drain exactly one per accept at the cap, which keeps the slots of
        // idle clients for as long as nobody needs them.
        // The same when the process is about to run out of descriptors:
        // the number of connections open when that was first seen becomes
        // a cap too (a single check would not do, as the descriptors that
        // draining frees are reused first).
        if (nearDescriptorLimit(socket->socketDescriptor()))
            m_descriptorCap = std::min(m_descriptorCap, m_connections.size());
        if (m_connections.size() >= std::min<qsizetype>(m_limits.maxConnections, m_descriptorCap) && !drainOne()) {
            // Every slot holds a request in progress, a response being
            // written or owed, or lingers after an error: those are never
            // cut short, so the newcomer is the one refused.
            ++m_refused;
            noteOverload(false);
            socket->abort();
            socket->deleteLater();
            Q_EMIT connectionRejected(0);
            continue;
        }
        ++m_accepted;
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->setReadBufferSize(SocketReadBufferBytes);
        auto *connection = new HttpConnection(this, socket);
        connection->m_index = m_connections.size();
        m_connections.append(connection);
        connection->start();
    }
}

void HttpServer::onAcceptError()
{
    // QTcpServer pauses accepting for good on any accept() error other than
    // EAGAIN, EMFILE/ENFILE included (qtbase: src/network/socket/
    // qtcpserver.cpp, readNotification()), so a process that runs out of
    // file descriptors would never accept again. Like nginx (nginx/nginx:
    // src/event/ngx_event_accept.c: disable accept events, retry after a
    // delay) we free a descriptor if an idle connection holds one, and try
    // again shortly; the client waits in the listen backlog meanwhile.
    ++m_acceptErrorsUnlogged;
    m_lastAcceptError = m_tcp->errorString();
    if (!m_overloadLogTimer->isActive())
        m_overloadLogTimer->start();
    if (m_tcp->serverError() == QAbstractSocket::SocketResourceError && drainOne()) {
        m_tcp->resumeAccepting(); // a descriptor is free again
        return;
    }
    QTimer::singleShot(AcceptRetryDelay, this, [this] {
        if (m_tcp->isListening())
            m_tcp->resumeAccepting();
    });
}

bool HttpServer::drainOne()
{
    while (HttpConnection *c = m_reusableTail) {
        setReusable(c, false);
        // A request has arrived that we have not read yet: this connection
        // is about to be busy, so it is not idle after all (nginx closes it
        // regardless). It marks itself reusable again once answered.
        if (c->hasUnreadInput())
            continue;
        ++m_drained;
        noteOverload(true);
        qCDebug(lcHttp) << "closing an idle connection to make room" << c->m_socket->peerAddress();
        c->drop();
        return true;
    }
    return false;
}

void HttpServer::noteOverload(bool drained)
{
    if (drained)
        ++m_drainedUnlogged;
    else
        ++m_refusedUnlogged;
    if (!m_overloadLogTimer->isActive())
        m_overloadLogTimer->start();
}

void HttpServer::logOverload()
{
    if (m_refusedUnlogged > 0 || m_drainedUnlogged > 0) {
        QByteArray line;
        if (m_refusedUnlogged > 0)
            line += "refused " + QByteArray::number(m_refusedUnlogged) + " connections";
        if (m_drainedUnlogged > 0) {
            if (!line.isEmpty())
                line += ", ";
            line += "closed " + QByteArray::number(m_drainedUnlogged) + " idle connections to make room";
        }
        const qsizetype limit = std::min<qsizetype>(m_limits.maxConnections, m_descriptorCap);
        line += " in the last second: limit of " + QByteArray::number(limit)
                + (limit < m_limits.maxConnections ? " (near RLIMIT_NOFILE)" : "") + " reached";
        qCWarning(lcHttp).noquote() << QString::fromLatin1(line);
    }
    if (m_acceptErrorsUnlogged > 0) {
        qCWarning(lcHttp).noquote().nospace()
            << "accept() failed " << m_acceptErrorsUnlogged << " times in the last second: " << m_lastAcceptError;
    }
    m_refusedUnlogged = 0;
    m_drainedUnlogged = 0;
    m_acceptErrorsUnlogged = 0;
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
    const qsizetype i = connection->m_index;
    if (i < 0 || i >= m_connections.size() || m_connections.at(i) != connection)
        return;
    setReusable(connection, false);
    // Swap-remove: a drain per accept at the cap must not cost O(n).
    HttpConnection *last = m_connections.takeLast();
    if (last != connection) {
        m_connections[i] = last;
        last->m_index = i;
    }
    connection->m_index = -1;
    connection->deleteLater();
}

void HttpServer::setReusable(HttpConnection *c, bool reusable)
{
    // As ngx_reusable_connection() (nginx/nginx: src/core/ngx_connection.c):
    // unlink if queued, then queue at the head if reusable, so the tail is
    // always the connection idle for longest. A released connection (index
    // -1) is never queued again.
    if (c->m_reusable) {
        (c->m_reusablePrev ? c->m_reusablePrev->m_reusableNext : m_reusableHead) = c->m_reusableNext;
        (c->m_reusableNext ? c->m_reusableNext->m_reusablePrev : m_reusableTail) = c->m_reusablePrev;
        c->m_reusablePrev = nullptr;
        c->m_reusableNext = nullptr;
        c->m_reusable = false;
        --m_reusableCount;
    }
    if (!reusable || c->m_index < 0)
        return;
    c->m_reusable = true;
    c->m_reusableNext = m_reusableHead;
    if (m_reusableHead)
        m_reusableHead->m_reusablePrev = c;
    else
        m_reusableTail = c;
    m_reusableHead = c;
    ++m_reusableCount;
}

} // namespace apps::http
