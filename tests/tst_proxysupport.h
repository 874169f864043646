#pragma once

// Test peers for the proxy tests (header-only, shared by tst_proxy*.cpp): a
// local app on 127.0.0.1:0 and clients built on the proxy's own PlainSocket,
// which can half-close and report FIN, unlike QTcpSocket.

#include "pki/certificateauthority.h"
#include "proxy/descriptorserver_p.h"
#include "proxy/plainsocket.h"

#include <QByteArray>
#include <QFile>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QRandomGenerator>

#include <cstring>
#include <functional>

namespace proxytest {

using mesh::proxy::PlainSocket;

// A pseudo-random block of prime length, repeated: a byte lost, duplicated or
// reordered anywhere shows up as a mismatch at its offset.
inline const QByteArray &pattern()
{
    static const QByteArray p = [] {
        QByteArray b(1'000'003, Qt::Uninitialized);
        QRandomGenerator g(42);
        for (char &c : b)
            c = char(g.generate() & 0xff);
        return b;
    }();
    return p;
}

// Reads everything from a PlainSocket, checking it against pattern() (or
// keeping it when `keep`), and notes EOF and errors.
class Receiver final : public QObject
{
public:
    Receiver(PlainSocket *socket, bool keep, QObject *parent = nullptr)
        : QObject(parent)
        , m_socket(socket)
        , m_keep(keep)
    {
        connect(socket, &PlainSocket::readyRead, this, &Receiver::drain);
        connect(socket, &PlainSocket::errorOccurred, this, [this] { error = true; });
    }
    void drain()
    {
        if (paused)
            return;
        static char buffer[256 * 1024];
        for (;;) {
            const qint64 n = m_socket->read(buffer, sizeof buffer);
            if (n == PlainSocket::kEof) {
                eof = true;
                return;
            }
            if (n == PlainSocket::kError) {
                error = true;
                return;
            }
            if (n == 0)
                return;
            if (m_keep) {
                data.append(buffer, n);
            } else {
                const QByteArray &p = pattern();
                qint64 done = 0;
                while (done < n && !mismatch) {
                    const qint64 at = (received + done) % p.size();
                    const qint64 len = std::min<qint64>(n - done, p.size() - at);
                    if (std::memcmp(buffer + done, p.constData() + at, size_t(len)) != 0)
                        mismatch = true;
                    done += len;
                }
            }
            received += n;
        }
    }
    void setPaused(bool p)
    {
        paused = p;
        m_socket->setReadingEnabled(!p);
        if (!p)
            drain();
    }

    PlainSocket *m_socket;
    bool m_keep;
    QByteArray data;
    qint64 received = 0;
    bool eof = false;
    bool error = false;
    bool mismatch = false;
    bool paused = false;
};

// Writes `total` bytes of pattern() keeping at most 1 MiB queued, then
// optionally half-closes.
class Sender final : public QObject
{
public:
    Sender(PlainSocket *socket, qint64 total, bool shutdownAfter, QObject *parent = nullptr)
        : QObject(parent)
        , m_socket(socket)
        , m_total(total)
        , m_shutdown(shutdownAfter)
    {
        connect(socket, &PlainSocket::bytesWritten, this, &Sender::pump);
        connect(socket, &PlainSocket::connected, this, &Sender::pump);
    }
    void pump()
    {
        const QByteArray &p = pattern();
        while (m_sent < m_total && m_socket->bytesToWrite() < 1024 * 1024 && m_socket->isConnected()) {
            const qint64 at = m_sent % p.size();
            const qint64 len = std::min<qint64>({m_total - m_sent, p.size() - at, 256 * 1024});
            if (!m_socket->write(p.constData() + at, len))
                return;
            m_sent += len;
        }
        if (m_sent == m_total && m_shutdown && !m_socket->isWriteShutdown())
            m_socket->shutdownWrite();
    }
    qint64 sent() const { return m_sent; }

private:
    PlainSocket *m_socket;
    qint64 m_total;
    bool m_shutdown;
    qint64 m_sent = 0;
};

// The local app behind an inbound listener. Each accepted connection is
// handed to `onAccepted`, which decides what it does.
class App final : public QObject
{
public:
    explicit App(QObject *parent = nullptr)
        : QObject(parent)
    {
        m_server = new mesh::proxy::DescriptorServer(this);
        connect(m_server, &mesh::proxy::DescriptorServer::descriptorAccepted, this, [this](qintptr fd) {
            auto *s = new PlainSocket(this);
            s->adopt(fd);
            sockets.append(s);
            ++accepted;
            if (onAccepted)
                onAccepted(s);
        });
        m_server->listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server->serverPort(); }

    // Echo: everything read is written back; FIN is answered with FIN.
    static void echo(PlainSocket *s)
    {
        QObject::connect(s, &PlainSocket::readyRead, s, [s] {
            char buffer[65536];
            for (;;) {
                const qint64 n = s->read(buffer, sizeof buffer);
                if (n > 0) {
                    s->write(buffer, n);
                    continue;
                }
                if (n == PlainSocket::kEof)
                    s->shutdownWrite();
                return;
            }
        });
    }

    mesh::proxy::DescriptorServer *m_server;
    QList<PlainSocket *> sockets;
    int accepted = 0;
    std::function<void(PlainSocket *)> onAccepted = &App::echo;
};

// Resident set size of this process, in KiB (/proc/self/status VmRSS).
inline qint64 rssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace proxytest
