// The inbound listener at its connection limit (issue 16): sockets that
// connect and never finish a TLS handshake give way, oldest first, to a real
// mTLS caller; established connections never do, and a caller is refused only
// when every slot carries one; drains and refusals make one log line a second.
// Real sockets on 127.0.0.1, real TLS, the default limit of 1024.

#include "tst_proxysupport.h"

#include "pki/certificateauthority.h"
#include "proxy/inboundlistener.h"
#include "proxy/intentionauthorizer.h"
#include "proxy/proxymetrics.h"
#include "proxy/staticidentitysource.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <memory>
#include <tuple>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace mesh;
using namespace mesh::proxy;
using namespace proxytest;
using namespace std::chrono_literals;

namespace {

// The issue's bound: a real caller behind 5,000 stalled handshakes is
// answered within this. Measured 148–246 ms in 20 runs in a row on the
// 2-core machine with two extra busy loops (load 4–5), the debug and ASan
// builds alike; an idle listener answers the same request in 130–200 ms.
constexpr qint64 kAnsweredWithinMs = 1000;

// What each stalled socket sends before it falls silent.
enum class Stall {
    Nothing,          // a TCP connect, no ClientHello
    HalfClientHello,  // the first half of a real ClientHello record
    WholeClientHello, // a complete ClientHello: the listener answers and waits
};

// Lines of `meshpad.proxy`, kept instead of printed, with when they came.
struct LogLine
{
    QString text;
    qint64 atMs;
};
QMutex g_logMutex;
QList<LogLine> g_proxyLog;
QElapsedTimer g_clock;
QtMessageHandler g_previousHandler = nullptr;

void captureProxyLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && qstrcmp(context.category, "meshpad.proxy") == 0) {
        const QMutexLocker lock(&g_logMutex);
        g_proxyLog.append({message, g_clock.elapsed()});
        return;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

QList<LogLine> overloadLines()
{
    const QMutexLocker lock(&g_logMutex);
    QList<LogLine> lines;
    for (const LogLine &l : std::as_const(g_proxyLog)) {
        if (l.text.contains(u"at its limit of"))
            lines.append(l);
    }
    return lines;
}

// Raw client sockets that connect to a port and then send `prefix` (maybe
// nothing) and never another byte. Plain fds, not QObjects: 5,000 of them
// must cost the test process nothing but the descriptors.
class StalledSockets final
{
public:
    Q_DISABLE_COPY_MOVE(StalledSockets)
    StalledSockets() = default;
    ~StalledSockets() { closeAll(); }

    // Blocking connect: on loopback it returns as soon as the kernel has the
    // connection queued for accept(), without the listener's help.
    bool open(quint16 port, const QByteArray &prefix)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
            || (!prefix.isEmpty()
                && ::send(fd, prefix.constData(), size_t(prefix.size()), MSG_NOSIGNAL) != prefix.size())) {
            ::close(fd);
            return false;
        }
        m_fds.push_back(fd);
        return true;
    }
    int count() const { return int(m_fds.size()); }
    // Readable: the listener answered (a ServerHello) or closed it.
    int readableCount() const
    {
        std::vector<pollfd> polls;
        polls.reserve(m_fds.size());
        for (int fd : m_fds)
            polls.push_back({fd, POLLIN, 0});
        ::poll(polls.data(), polls.size(), 0);
        int n = 0;
        for (const pollfd &p : polls)
            n += (p.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
        return n;
    }
    // Closed by the listener: EOF or a reset, with or without bytes before.
    bool isClosedByPeer(int i) const
    {
        char buffer[16384];
        for (;;) {
            const ssize_t n = ::recv(m_fds[size_t(i)], buffer, sizeof buffer, MSG_DONTWAIT);
            if (n > 0)
                continue;
            return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        }
    }
    void closeAll()
    {
        for (int fd : m_fds)
            ::close(fd);
        m_fds.clear();
    }

private:
    std::vector<int> m_fds;
};

} // namespace

Q_DECLARE_METATYPE(Stall)

class TestProxyExhaustion : public QObject
{
    Q_OBJECT

private:
    std::optional<pki::CertificateAuthority> m_ca;
    std::unique_ptr<StaticIdentitySource> m_dbIdentity;
    std::unique_ptr<IntentionAuthorizer> m_intentions;
    std::unique_ptr<App> m_app;
    std::unique_ptr<InboundListener> m_inbound;
    std::unique_ptr<StalledSockets> m_stalled;
    QList<QObject *> m_garbage;
    QByteArray m_clientHello;
    std::optional<pki::IssuedCertificate> m_webLeaf; // issued once: key generation is not what is timed

    pki::IssuedCertificate leaf(const QString &service)
    {
        auto l = m_ca->issueLeaf(service);
        Q_ASSERT(l);
        return *l;
    }

    [[nodiscard]] bool startListener(const ProxyOptions &options)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            m_inbound = std::make_unique<InboundListener>(QStringLiteral("db"), m_dbIdentity.get(), m_intentions.get(),
                                                          options);
            m_inbound->setLocalApp(QHostAddress::LocalHost, m_app->port());
            QVERIFY(m_inbound->listen(QHostAddress::LocalHost, 0));
        }();
        return !QTest::currentTestFailed();
    }

    MetricsSnapshot metrics() const { return m_inbound->metrics()->snapshot(); }

    // A sidecar of `web` (allowed to call db) dialling the listener.
    QSslSocket *caller(quint16 port)
    {
        const pki::IssuedCertificate &cert = *m_webLeaf;
        auto *s = new QSslSocket;
        m_garbage.append(s);
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setPeerVerifyMode(QSslSocket::VerifyNone);    // the server's side is tst_proxy's business
        c.setCaCertificates({m_ca->rootCertificate()}); // not the system's bundle, which a sidecar never loads
        c.setLocalCertificateChain(QList<QSslCertificate>{cert.certificate} + cert.chain);
        c.setPrivateKey(cert.privateKey);
        s->setSslConfiguration(c);
        // As the proxy's own upstream leg does (UpstreamConnection): no Nagle
        // delay between the client's handshake flights.
        connect(s, &QSslSocket::connected, s, [s] { s->setSocketOption(QAbstractSocket::LowDelayOption, 1); });
        s->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        return s;
    }

    // The first record a real QSslSocket client sends: its ClientHello.
    QByteArray captureClientHello()
    {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHost, 0))
            return {};
        caller(server.serverPort());
        QTcpSocket *peer = nullptr;
        QByteArray bytes;
        const auto recordLength = [&] { return 5 + ((uchar(bytes.at(3)) << 8) | uchar(bytes.at(4))); };
        std::ignore = QTest::qWaitFor(
            [&] {
                if (!peer && server.hasPendingConnections())
                    peer = server.nextPendingConnection();
                if (peer)
                    bytes += peer->readAll();
                return bytes.size() >= 5 && bytes.size() >= recordLength();
            },
            10'000);
        if (bytes.size() < 5 || bytes.at(0) != 0x16 || bytes.size() < recordLength())
            return {};
        return bytes.left(recordLength());
    }

    QByteArray prefixFor(Stall stall) const
    {
        switch (stall) {
        case Stall::Nothing: return {};
        case Stall::HalfClientHello: return m_clientHello.left(m_clientHello.size() / 2);
        case Stall::WholeClientHello: return m_clientHello;
        }
        return {};
    }

    // Opens `count` stalled sockets in batches the listen backlog (Qt's 50)
    // can hold, letting the listener accept each batch before the next, so
    // no SYN waits for a retransmission.
    void openStalled(int count, Stall stall)
    {
        const QByteArray prefix = prefixFor(stall);
        const quint64 before = metrics().totalConnections;
        constexpr int kBatch = 32;
        while (m_stalled->count() < count) {
            const int batch = std::min(kBatch, count - m_stalled->count());
            for (int i = 0; i < batch; ++i)
                QVERIFY2(m_stalled->open(m_inbound->port(), prefix), strerror(errno));
            const quint64 target = before + quint64(m_stalled->count());
            QVERIFY2(
                QTest::qWaitFor([&] { return metrics().totalConnections >= target; }, 10'000),
                qPrintable(QStringLiteral("accepted %1 of %2").arg(metrics().totalConnections - before).arg(count)));
        }
    }

    // Answers one HTTP request with 200 and closes, like a small web app.
    static void answerOk(PlainSocket *s)
    {
        auto request = std::make_shared<QByteArray>();
        QObject::connect(s, &PlainSocket::readyRead, s, [s, request] {
            char buffer[4096];
            for (;;) {
                const qint64 n = s->read(buffer, sizeof buffer);
                if (n <= 0)
                    break;
                request->append(buffer, n);
            }
            if (request->contains("\r\n\r\n")) {
                static const QByteArray answer
                    = QByteArrayLiteral("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n");
                request->clear();
                s->write(answer.constData(), answer.size());
                s->shutdownWrite();
            }
        });
    }

    // One request through a fresh mTLS caller: the time to its answer, or -1
    // with `error` set.
    qint64 timeRealRequest(QString &error)
    {
        QElapsedTimer clock;
        clock.start();
        QSslSocket *s = caller(m_inbound->port());
        QByteArray reply;
        bool failed = false;
        connect(s, &QSslSocket::encrypted, s, [s] { s->write("GET / HTTP/1.1\r\nHost: db\r\n\r\n"); });
        connect(s, &QSslSocket::readyRead, s, [s, &reply] { reply += s->readAll(); });
        connect(s, &QSslSocket::errorOccurred, s, [s, &failed, &reply, &error] {
            reply += s->readAll();
            if (!reply.endsWith("ok\n")) {
                failed = true;
                error = s->errorString();
            }
        });
        std::ignore = QTest::qWaitFor([&] { return failed || reply.endsWith("ok\n"); }, 15'000);
        const qint64 ms = clock.elapsed();
        s->disconnect();
        s->abort();
        if (!reply.startsWith("HTTP/1.1 200 OK")) {
            if (error.isEmpty())
                error = QStringLiteral("no answer within 15 s; got %1 bytes").arg(reply.size());
            return -1;
        }
        return ms;
    }

    // A caller that completes its handshake, is piped to the echo app and
    // proves it with one round trip.
    struct Established
    {
        QSslSocket *socket = nullptr;
        std::shared_ptr<QByteArray> echoed;
    };
    Established establish()
    {
        Established e{caller(m_inbound->port()), std::make_shared<QByteArray>()};
        connect(e.socket, &QSslSocket::readyRead, e.socket,
                [s = e.socket, echoed = e.echoed] { *echoed += s->readAll(); });
        connect(e.socket, &QSslSocket::encrypted, e.socket, [s = e.socket] { s->write("1"); });
        return e;
    }

private Q_SLOTS:
    void initTestCase()
    {
        g_clock.start();
        g_previousHandler = qInstallMessageHandler(captureProxyLog);
        // 5,000 client descriptors and up to 1,024 accepted ones live in this
        // one process.
        rlimit limit{};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
        limit.rlim_cur = limit.rlim_max;
        QCOMPARE(::setrlimit(RLIMIT_NOFILE, &limit), 0);

        auto ca = pki::CertificateAuthority::create(kTrustDomain, QStringLiteral("dc1"));
        QVERIFY2(ca, qPrintable(ca ? QString() : ca.error().message));
        m_ca = std::move(*ca);
        m_webLeaf = leaf(QStringLiteral("web"));
        m_clientHello = captureClientHello();
        QVERIFY2(m_clientHello.size() > 100, "no ClientHello captured from a QSslSocket");
        qDeleteAll(m_garbage);
        m_garbage.clear();
    }

    void cleanupTestCase() { qInstallMessageHandler(g_previousHandler); }

    void init()
    {
        m_dbIdentity = std::make_unique<StaticIdentitySource>();
        QVERIFY(m_dbIdentity->setIdentity(leaf(QStringLiteral("db")), {m_ca->rootCertificate()}));
        m_intentions = std::make_unique<IntentionAuthorizer>();
        m_intentions->setAllowed({QStringLiteral("web")});
        m_intentions->setDefaultAllow(false);
        m_app = std::make_unique<App>();
        m_stalled = std::make_unique<StalledSockets>();
        const QMutexLocker lock(&g_logMutex);
        g_proxyLog.clear();
    }

    void cleanup()
    {
        qDeleteAll(m_garbage);
        m_garbage.clear();
        // The listener first: closing stalled sockets under it would only
        // make it log refusals nobody reads.
        m_inbound.reset();
        m_stalled.reset();
        m_app.reset();
    }

    void realCallerAnsweredBehindStalledHandshakes_data()
    {
        QTest::addColumn<Stall>("stall");
        QTest::addColumn<int>("stalledCount");
        QTest::newRow("5,000 TCP connects that never send a ClientHello") << Stall::Nothing << 5000;
        QTest::newRow("5,000 halves of a ClientHello, then silence") << Stall::HalfClientHello << 5000;
        // Each answered ClientHello costs the listener a key exchange and a
        // signature: 2,000 keep the setup well inside the handshake timeout.
        QTest::newRow("2,000 whole ClientHellos answered, then silence") << Stall::WholeClientHello << 2000;
    }

    void realCallerAnsweredBehindStalledHandshakes()
    {
        QFETCH(Stall, stall);
        QFETCH(int, stalledCount);
        m_app->onAccepted = &TestProxyExhaustion::answerOk;
        const ProxyOptions options; // the default limit, 1024, as the lab runs it
        const int limit = options.maxConnections;
        rlimit fds{};
        ::getrlimit(RLIMIT_NOFILE, &fds);
        if (fds.rlim_cur < rlim_t(stalledCount + limit + 256))
            QFAIL("too few file descriptors for this many sockets in one process: raise the hard limit (ulimit -Hn)");
        QVERIFY(startListener(options));

        // The same request on an idle listener, for comparison.
        QString error;
        const qint64 idleMs = timeRealRequest(error);
        QVERIFY2(idleMs >= 0, qPrintable(error));
        const double idleLatencyMs = metrics().connectLatencyMaxMs;
        QTRY_COMPARE(m_inbound->activeConnections(), 0);

        QElapsedTimer setup;
        setup.start();
        openStalled(stalledCount, stall);
        if (QTest::currentTestFailed())
            return;
        if (stall == Stall::WholeClientHello) {
            // Every stall answered (ServerHello…) or closed by the listener:
            // all of them reached the state this row is about.
            QVERIFY2(QTest::qWaitFor([&] { return m_stalled->readableCount() == stalledCount; }, 10'000),
                     qPrintable(QStringLiteral("%1 of %2 answered").arg(m_stalled->readableCount()).arg(stalledCount)));
        }
        const qint64 setupMs = setup.elapsed();
        qInfo("%d stalled sockets opened and accepted in %lld ms", stalledCount, setupMs);
        // The flaw shows only while the stalls hold every slot: before the
        // handshake timeout frees them (without the drain, the oldest ones
        // would hold them, and a slow setup would let timeouts hide it).
        QCOMPARE(m_inbound->activeConnections(), limit);
        QCOMPARE(m_inbound->handshakingConnections(), limit);
        QCOMPARE(metrics().refusalCount(pki::RefusalReason::HandshakeTimeout), 0u);

        const qint64 ms = timeRealRequest(error);
        qInfo("real mTLS request behind %d stalled handshakes answered in %lld ms (idle listener: %lld ms; "
              "accept to piping %.1f ms, idle %.1f ms)",
              stalledCount, ms, idleMs, metrics().connectLatencyMaxMs, idleLatencyMs);
        QVERIFY2(ms >= 0, qPrintable(error));
        QVERIFY2(ms < kAnsweredWithinMs, qPrintable(QStringLiteral("answered after %1 ms").arg(ms)));

        const MetricsSnapshot m = metrics();
        QCOMPARE(m.rejectedOverLimit, 0u);
        // Each connection past the limit displaced exactly one stall, the
        // caller included.
        QCOMPARE(m.drainedHandshakes, quint64(stalledCount + 1 - limit));
        QCOMPARE(m.totalRefusals(), 0u);
        QCOMPARE(m.connectSamples, 2u);
        // Oldest first: the first stalls were closed, the last ones wait on.
        QVERIFY(m_stalled->isClosedByPeer(0));
        QVERIFY(m_stalled->isClosedByPeer(stalledCount - limit));
        QVERIFY(!m_stalled->isClosedByPeer(stalledCount - 1));
        // Thousands of drains, a few summary lines.
        QVERIFY2(overloadLines().size() <= setupMs / 1000 + 3,
                 qPrintable(QStringLiteral("%1 overload lines").arg(overloadLines().size())));
    }

    void establishedConnectionsAreNeverDrained_data()
    {
        QTest::addColumn<int>("established");
        QTest::addColumn<int>("stalled");
        QTest::addColumn<bool>("newCallerServed");
        QTest::newRow("every slot established: the new caller is refused") << 4 << 0 << false;
        QTest::newRow("three established, one stall: the stall gives way") << 3 << 1 << true;
    }

    void establishedConnectionsAreNeverDrained()
    {
        QFETCH(int, established);
        QFETCH(int, stalled);
        QFETCH(bool, newCallerServed);
        m_app->onAccepted = &App::echo;
        ProxyOptions options;
        options.maxConnections = established + stalled;
        QVERIFY(startListener(options));

        QList<Established> callers;
        for (int i = 0; i < established; ++i) {
            callers << establish();
            QTRY_COMPARE(*callers.last().echoed, QByteArray("1"));
        }
        openStalled(stalled, Stall::Nothing);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(m_inbound->activeConnections(), established + stalled);

        Established next = establish();
        if (newCallerServed) {
            QTRY_COMPARE(*next.echoed, QByteArray("1"));
            QCOMPARE(metrics().drainedHandshakes, quint64(stalled));
            QCOMPARE(metrics().rejectedOverLimit, 0u);
            QVERIFY(m_stalled->isClosedByPeer(0));
        } else {
            QTRY_COMPARE(metrics().rejectedOverLimit, 1u);
            QTRY_VERIFY(next.socket->state() == QAbstractSocket::UnconnectedState);
            QVERIFY(!next.socket->isEncrypted());
            QCOMPARE(*next.echoed, QByteArray());
            QCOMPARE(metrics().drainedHandshakes, 0u);
        }
        // Every established caller still carries its bytes.
        for (const Established &e : std::as_const(callers)) {
            QCOMPARE(e.socket->state(), QAbstractSocket::ConnectedState);
            e.socket->write("2");
        }
        for (const Established &e : std::as_const(callers))
            QTRY_COMPARE(*e.echoed, QByteArray("12"));
        QCOMPARE(m_app->accepted, established + (newCallerServed ? 1 : 0));
        QCOMPARE(m_inbound->handshakingConnections(), 0);
    }

    void overloadIsLoggedOncePerSecond_data()
    {
        QTest::addColumn<int>("established");
        QTest::newRow("stalled handshakes drained") << 0;
        QTest::newRow("callers refused at a limit of established connections") << 2;
    }

    void overloadIsLoggedOncePerSecond()
    {
        QFETCH(int, established);
        m_app->onAccepted = &App::echo;
        ProxyOptions options;
        options.maxConnections = established > 0 ? established : 8;
        QVERIFY(startListener(options));
        QList<Established> callers;
        for (int i = 0; i < established; ++i) {
            callers << establish();
            QTRY_COMPARE(*callers.last().echoed, QByteArray("1"));
        }

        // ~2.5 s of stalled connects, a few every 20 ms.
        QElapsedTimer flood;
        flood.start();
        QTimer tick;
        tick.setInterval(20ms);
        bool failed = false;
        connect(&tick, &QTimer::timeout, this, [&] {
            for (int i = 0; i < 4 && !failed; ++i)
                failed = !m_stalled->open(m_inbound->port(), {});
            if (flood.elapsed() > 2500 || failed)
                tick.stop();
        });
        tick.start();
        QTRY_VERIFY_WITH_TIMEOUT(!tick.isActive(), 20'000);
        QVERIFY(!failed);
        const int opened = m_stalled->count();
        QTRY_COMPARE(metrics().totalConnections, quint64(established + opened));
        const quint64 overflow = metrics().drainedHandshakes + metrics().rejectedOverLimit;
        QCOMPARE(overflow, quint64(opened - (established > 0 ? 0 : options.maxConnections)));
        QCOMPARE(established > 0 ? metrics().drainedHandshakes : metrics().rejectedOverLimit, 0u);

        // Every drain and refusal is in some line: the counts in the lines add up.
        static const QRegularExpression counts(QStringLiteral(R"(closed (\d+) .* refused (\d+) )"));
        const auto logged = [&] {
            quint64 sum = 0;
            for (const LogLine &l : overloadLines()) {
                const QRegularExpressionMatch m = counts.match(l.text);
                if (m.hasMatch())
                    sum += m.captured(1).toULongLong() + m.captured(2).toULongLong();
            }
            return sum;
        };
        QTRY_COMPARE_WITH_TIMEOUT(logged(), overflow, 5000);
        const QList<LogLine> lines = overloadLines();
        for (const LogLine &l : lines) {
            QVERIFY2(l.text.contains(u"inbound db at its limit of " + QString::number(options.maxConnections)),
                     qPrintable(l.text));
            QVERIFY2(counts.match(l.text).hasMatch(), qPrintable(l.text));
        }
        // Hundreds of events over ~2.5 s: a line as the flood starts, more
        // while it lasts, never two within a second (a loaded machine only
        // spreads them further apart).
        QVERIFY2(lines.size() >= 2, qPrintable(QStringLiteral("%1 lines").arg(lines.size())));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qint64 gap = lines.at(i).atMs - lines.at(i - 1).atMs;
            QVERIFY2(gap >= 990, qPrintable(QStringLiteral("lines %1 ms apart").arg(gap)));
        }
        qInfo("%llu connections past the limit in %lld ms, %lld log lines", overflow, flood.elapsed(),
              qint64(lines.size()));
        // The established callers never noticed.
        for (const Established &e : std::as_const(callers))
            e.socket->write("2");
        for (const Established &e : std::as_const(callers))
            QTRY_COMPARE(*e.echoed, QByteArray("12"));
    }
};

QTEST_GUILESS_MAIN(TestProxyExhaustion)
#include "tst_proxyexhaustion.moc"
