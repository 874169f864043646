#include "plainsocket.h"

#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mesh::proxy {

PlainSocket::PlainSocket(QObject *parent)
    : QObject(parent)
{
}

PlainSocket::~PlainSocket()
{
    close();
}

void PlainSocket::setUp()
{
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    // LowDelayOption's equivalent: the proxy writes what it has in one go, so
    // Nagle only adds the 40 ms delayed-ACK stall (docs/targets.md, No Nagle stalls).
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    m_readNotifier->setEnabled(!m_connecting && m_readingEnabled);
    connect(m_readNotifier, &QSocketNotifier::activated, this, [this] { Q_EMIT readyRead(); });
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(m_connecting);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &PlainSocket::onWritable);
}

bool PlainSocket::adopt(qintptr descriptor)
{
    Q_ASSERT(m_fd < 0);
    m_fd = int(descriptor);
    setUp();
    return true;
}

namespace {

socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage *storage)
{
    *storage = {};
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR raw = address.toIPv6Address();
        std::memcpy(&a->sin6_addr, &raw, sizeof raw);
        return sizeof *a;
    }
    auto *a = reinterpret_cast<sockaddr_in *>(storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(address.toIPv4Address());
    return sizeof *a;
}

} // namespace

void PlainSocket::connectToHost(const QHostAddress &address, quint16 port, const QHostAddress &source)
{
    Q_ASSERT(m_fd < 0);
    sockaddr_storage storage{};
    const socklen_t length = toSockaddr(address, port, &storage);
    m_fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        QMetaObject::invokeMethod(this, &PlainSocket::errorOccurred, Qt::QueuedConnection);
        return;
    }
    if (!source.isNull() && source.protocol() == address.protocol()) {
        sockaddr_storage local{};
        const socklen_t localLength = toSockaddr(source, 0, &local);
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&local), localLength);
    }
    m_connecting = true;
    setUp();
    if (::connect(m_fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 && errno != EINPROGRESS) {
        const int err = errno;
        // Reported from the event loop so the caller never sees a signal
        // before connectToHost() returns.
        m_error = QString::fromLocal8Bit(std::strerror(err));
        m_writeNotifier->setEnabled(false);
        QMetaObject::invokeMethod(this, &PlainSocket::errorOccurred, Qt::QueuedConnection);
    }
}

qintptr PlainSocket::takeDescriptor()
{
    const int fd = m_fd;
    delete m_readNotifier;
    delete m_writeNotifier;
    m_readNotifier = nullptr;
    m_writeNotifier = nullptr;
    m_fd = -1;
    m_out.clear();
    return fd;
}

QString PlainSocket::describePeer(qintptr descriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (descriptor < 0 || ::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return QStringLiteral("?");
    QHostAddress address(reinterpret_cast<sockaddr *>(&storage));
    const quint16 port = storage.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port)
                                                       : ntohs(reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
    return address.toString() + u':' + QString::number(port);
}

qint64 PlainSocket::read(char *data, qint64 maxSize)
{
    if (m_fd < 0)
        return kError;
    if (m_readEof)
        return kEof;
    const ssize_t n = ::recv(m_fd, data, size_t(maxSize), 0);
    if (n > 0)
        return n;
    if (n == 0) {
        m_readEof = true;
        m_readNotifier->setEnabled(false);
        return kEof;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    m_error = QString::fromLocal8Bit(std::strerror(errno));
    m_readNotifier->setEnabled(false);
    return kError;
}

bool PlainSocket::write(const char *data, qint64 size)
{
    if (m_fd < 0 || m_writeShut || m_shutdownPending)
        return false;
    if (m_connecting || bytesToWrite() > 0) {
        m_out.append(data, size);
        return true;
    }
    const ssize_t n = ::send(m_fd, data, size_t(size), MSG_NOSIGNAL);
    qint64 sent = n > 0 ? n : 0;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        fail(errno);
        return false;
    }
    if (sent < size) {
        // Keep the queue compact: it is empty here, so start it afresh.
        m_out.assign(data + sent, size - sent);
        m_writeNotifier->setEnabled(true);
    }
    return true;
}

bool PlainSocket::flush()
{
    while (bytesToWrite() > 0) {
        const ssize_t n = ::send(m_fd, m_out.data(), size_t(m_out.size()), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            fail(errno);
            return false;
        }
        m_out.consume(n);
    }
    return true;
}

void PlainSocket::onWritable()
{
    if (m_connecting) {
        int err = 0;
        socklen_t length = sizeof err;
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &length);
        if (err != 0) {
            fail(err);
            return;
        }
        m_connecting = false;
        m_readNotifier->setEnabled(m_readingEnabled && !m_readEof);
        m_writeNotifier->setEnabled(bytesToWrite() > 0);
        Q_EMIT connected();
        return;
    }
    const qint64 before = bytesToWrite();
    if (!flush())
        return;
    const qint64 written = before - bytesToWrite();
    if (bytesToWrite() == 0) {
        m_writeNotifier->setEnabled(false);
        if (m_shutdownPending) {
            m_shutdownPending = false;
            m_writeShut = true;
            ::shutdown(m_fd, SHUT_WR);
        }
    }
    if (written > 0)
        Q_EMIT bytesWritten(written);
}

void PlainSocket::setReadingEnabled(bool enabled)
{
    m_readingEnabled = enabled;
    if (m_readNotifier)
        m_readNotifier->setEnabled(enabled && !m_connecting && !m_readEof && m_fd >= 0);
}

void PlainSocket::shutdownWrite()
{
    if (m_fd < 0 || m_writeShut || m_shutdownPending)
        return;
    if (bytesToWrite() > 0 || m_connecting) {
        m_shutdownPending = true;
        return;
    }
    m_writeShut = true;
    ::shutdown(m_fd, SHUT_WR);
}

void PlainSocket::fail(int err)
{
    m_error = QString::fromLocal8Bit(std::strerror(err));
    if (m_readNotifier)
        m_readNotifier->setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    m_out.clear();
    QMetaObject::invokeMethod(this, &PlainSocket::errorOccurred, Qt::QueuedConnection);
}

void PlainSocket::close()
{
    if (m_fd < 0)
        return;
    delete m_readNotifier;
    delete m_writeNotifier;
    m_readNotifier = nullptr;
    m_writeNotifier = nullptr;
    ::close(m_fd);
    m_fd = -1;
    m_out.clear();
}

} // namespace mesh::proxy
