#pragma once

// Test peers for the proxy tests (header-only, shared by tst_proxy*.cpp): a
// local app on 127.0.0.1:0 and clients built on the proxy's own PlainSocket,
// which can half-close and report FIN, unlike QTcpSocket.

#include "pki/certificateauthority.h"
#include "proxy/descriptorserver_p.h"
#include "proxy/inboundlistener.h"
#include "proxy/intentionauthorizer.h"
#include "proxy/plainsocket.h"
#include "proxy/staticidentitysource.h"
#include "proxy/staticresolver.h"
#include "proxy/upstreamlistener.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <functional>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

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

// Open descriptors of this process (/proc/self/fd).
inline int openDescriptors()
{
    return int(
        QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size());
}

// 127.0.0.1:port as a sockaddr.
inline sockaddr_in loopback(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A listener on 127.0.0.1 that never accepts and whose accept queue is full,
// as an app too busy to accept: listen(fd, 0) lets one connection queue
// (Linux admits one more than the backlog: torvalds/linux:
// include/net/sock.h, sk_acceptq_is_full), one client takes that place, and
// every later SYN is dropped (net/ipv4/tcp_input.c, tcp_conn_request), so a
// connect neither completes nor fails until TCP gives up, minutes later.
class FullBacklogListener final
{
public:
    Q_DISABLE_COPY_MOVE(FullBacklogListener)
    FullBacklogListener()
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address = loopback(0);
        socklen_t length = sizeof address;
        if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::listen(m_listener, 0) != 0
            || ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            return;
        m_port = ntohs(address.sin_port);
        // Blocking, bounded: on loopback it returns once the connection is queued.
        m_filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const timeval timeout{5, 0};
        ::setsockopt(m_filler, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        const sockaddr_in to = loopback(m_port);
        m_full = ::connect(m_filler, reinterpret_cast<const sockaddr *>(&to), sizeof to) == 0;
    }
    ~FullBacklogListener()
    {
        if (m_filler >= 0)
            ::close(m_filler);
        if (m_listener >= 0)
            ::close(m_listener);
    }
    // 0 when it could not be set up.
    quint16 port() const { return m_full ? m_port : 0; }

private:
    int m_listener = -1;
    int m_filler = -1;
    quint16 m_port = 0;
    bool m_full = false;
};

// Raw client sockets (plain descriptors, no QObject: a flood of them must cost
// the test process nothing but the descriptors).
class RawClients final
{
public:
    Q_DISABLE_COPY_MOVE(RawClients)
    RawClients() = default;
    ~RawClients() { closeAll(); }

    // A blocking connect while this thread's event loop does not run: it
    // completes only when the kernel queues the connection for the listener's
    // accept(), so it fails (after `timeoutMs`) when the accept queue is full.
    bool open(quint16 port, int timeoutMs)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        const timeval timeout{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        const sockaddr_in to = loopback(port);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&to), sizeof to) != 0) {
            ::close(fd);
            return false;
        }
        m_fds.append(fd);
        return true;
    }
    int count() const { return int(m_fds.size()); }
    // How many the peer has closed (EOF or reset seen, nothing else to read).
    int closedByPeer() const
    {
        int closed = 0;
        for (int fd : m_fds) {
            char byte;
            const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                ++closed;
        }
        return closed;
    }
    void closeAll()
    {
        for (int fd : m_fds)
            ::close(fd);
        m_fds.clear();
    }

private:
    QList<int> m_fds;
};

// The trust domain of every proxy test's CA.
inline const QString kTrustDomain = QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");

// The pair the proxy tests drive: a CA of kTrustDomain, the identities of
// web's sidecar (the caller) and db's (the destination), db's intentions,
// web's resolver, the app behind db and, once startPair() ran, db's inbound
// listener and web's upstream listener to it. A test class inherits it, calls
// setUpPair() from init() and tearDownPair() from cleanup().
class PairFixture
{
protected:
    std::optional<mesh::pki::CertificateAuthority> m_ca;
    std::unique_ptr<mesh::proxy::StaticIdentitySource> m_webIdentity; // the caller's sidecar
    std::unique_ptr<mesh::proxy::StaticIdentitySource> m_dbIdentity;  // the destination's sidecar
    std::unique_ptr<mesh::proxy::IntentionAuthorizer> m_intentions;
    std::unique_ptr<mesh::proxy::StaticResolver> m_resolver;
    std::unique_ptr<App> m_app;
    std::unique_ptr<mesh::proxy::InboundListener> m_inbound;
    std::unique_ptr<mesh::proxy::UpstreamListener> m_upstream;
    QList<QObject *> m_garbage; // deleted by tearDownPair()

    [[nodiscard]] bool setUpPair()
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            auto ca = mesh::pki::CertificateAuthority::create(kTrustDomain, QStringLiteral("dc1"));
            QVERIFY2(ca, qPrintable(ca ? QString() : ca.error().message));
            m_ca = std::move(*ca);
            m_webIdentity = std::make_unique<mesh::proxy::StaticIdentitySource>();
            QVERIFY(m_webIdentity->setIdentity(leaf(QStringLiteral("web")), {m_ca->rootCertificate()}));
            m_dbIdentity = std::make_unique<mesh::proxy::StaticIdentitySource>();
            QVERIFY(m_dbIdentity->setIdentity(leaf(QStringLiteral("db")), {m_ca->rootCertificate()}));
            m_intentions = std::make_unique<mesh::proxy::IntentionAuthorizer>();
            m_resolver = std::make_unique<mesh::proxy::StaticResolver>();
            m_app = std::make_unique<App>();
        }();
        return !QTest::currentTestFailed();
    }

    void tearDownPair()
    {
        qDeleteAll(m_garbage);
        m_garbage.clear();
        m_upstream.reset();
        m_inbound.reset();
        m_app.reset();
    }

    mesh::pki::IssuedCertificate leaf(const QString &service)
    {
        auto l = m_ca->issueLeaf(service);
        Q_ASSERT(l);
        return *l;
    }

    static mesh::pki::SpiffeId idOf(const QString &service)
    {
        return mesh::pki::SpiffeId::forService(kTrustDomain, QStringLiteral("dc1"), service);
    }

    [[nodiscard]] bool startPair(const mesh::proxy::ProxyOptions &options = {})
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            using namespace mesh::proxy;
            m_inbound = std::make_unique<InboundListener>(QStringLiteral("db"), m_dbIdentity.get(), m_intentions.get(),
                                                          options);
            m_inbound->setLocalApp(QHostAddress::LocalHost, m_app->port());
            QVERIFY(m_inbound->listen(QHostAddress::LocalHost, 0));
            m_resolver->setInstances(QStringLiteral("db"),
                                     {{QStringLiteral("127.0.0.1"), m_inbound->port(), idOf(QStringLiteral("db"))}});
            m_upstream = std::make_unique<UpstreamListener>(QStringLiteral("db"), m_webIdentity.get(), m_resolver.get(),
                                                            options);
            QVERIFY(m_upstream->listen(QHostAddress::LocalHost, 0));
        }();
        return !QTest::currentTestFailed();
    }

    PlainSocket *connectTo(quint16 port)
    {
        auto *s = new PlainSocket;
        m_garbage.append(s);
        s->connectToHost(QHostAddress::LocalHost, port);
        return s;
    }

    // A QObject deleted with the test's other garbage.
    template<class T, class... A>
    T *make(A &&...args)
    {
        auto *o = new T(std::forward<A>(args)...);
        m_garbage.append(o);
        return o;
    }
};

} // namespace proxytest
