// The sidecar's own TLS engine (mesh/tls: one SSL_CTX per identity, OpenSSL
// driven directly under Qt's event loop) as a user of the pair sees it, on
// real sockets and real TLS with openssl s_client/s_server as child
// processes (issue 14): a half-close crosses the TLS leg in each direction
// on its own, no client ever receives a session ticket, and a peer that
// sends garbage, a truncated handshake or a renegotiation is refused under
// its reason with nothing left behind (no connection, no descriptor; the
// ASan+UBSan pass of packaging/run-tests.sh checks the heap).

#include "tst_proxysupport.h"

#include "pki/certificateauthority.h"
#include "pki/refusalreason.h"
#include "proxy/inboundlistener.h"
#include "proxy/intentionauthorizer.h"
#include "proxy/proxymetrics.h"
#include "proxy/staticidentitysource.h"
#include "proxy/staticresolver.h"
#include "proxy/upstreamlistener.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <tuple>

using namespace mesh;
using namespace mesh::proxy;
using namespace proxytest;
using pki::RefusalReason;

Q_DECLARE_METATYPE(RefusalReason)

namespace {

// Large enough that each direction crosses the proxies' high-water mark
// (ProxyOptions::highWater, 256 KiB) while its reader is paused.
constexpr qint64 kHalfCloseBytes = 300'000;

// Child processes and the network get this long on a loaded 2-core machine.
constexpr int kProcessTimeoutMs = 20'000;

// What a bad peer sends to the inbound listener, as raw bytes on TCP.
enum class BadStart {
    RandomBytes,                 // no TLS at all
    HttpRequest,                 // plain HTTP on the TLS port
    HandshakeHeaderRandomBody,   // a TLS handshake record header, then noise
    ClientHelloThenRandomRecord, // a real ClientHello, then a record that decrypts to nothing
    HalfClientHelloThenClose,    // the first half of a real ClientHello, then close()
    HalfClientHelloThenStall,    // the first half of a real ClientHello, then silence
};

// `size` bytes from a fixed seed: the same noise on every run.
QByteArray noise(qsizetype size, quint32 seed)
{
    QByteArray b(size, Qt::Uninitialized);
    QRandomGenerator g(seed);
    for (char &c : b)
        c = char(g.generate() & 0xff);
    return b;
}

// The refusal counters of a snapshot that are not zero, for failure messages.
QByteArray describeRefusals(const MetricsSnapshot &s)
{
    QStringList parts;
    for (int r = 0; r < pki::kRefusalReasonCount; ++r) {
        if (const quint64 n = s.refusalCount(RefusalReason(r)))
            parts << pki::toString(RefusalReason(r)) + u'=' + QString::number(n);
    }
    parts << QStringLiteral("handshakeFailures=") + QString::number(s.handshakeFailures);
    parts << QStringLiteral("activeConnections=") + QString::number(s.activeConnections);
    return parts.join(u' ').toUtf8();
}

} // namespace

Q_DECLARE_METATYPE(BadStart)

class TestProxyTls : public QObject, private PairFixture
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_files; // ca.pem, web.pem, db.pem… for openssl

    // `meshpad ca`'s files in m_files: ca.pem, web.pem/web-key.pem (the
    // caller) and db.pem/db-key.pem (for openssl s_server as the control).
    [[nodiscard]] bool writeFiles()
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            m_files = std::make_unique<QTemporaryDir>();
            QVERIFY(m_files->isValid());
            QVERIFY(m_ca->save(m_files->path()));
            QVERIFY(pki::CertificateAuthority::writeLeaf(leaf(QStringLiteral("web")), m_files->path(),
                                                         QStringLiteral("web")));
            QVERIFY(pki::CertificateAuthority::writeLeaf(leaf(QStringLiteral("db")), m_files->path(),
                                                         QStringLiteral("db")));
        }();
        return !QTest::currentTestFailed();
    }
    QString file(const QString &name) const { return m_files->filePath(name); }

    // openssl s_client as web (its leaf, our CA) to 127.0.0.1:port, stdout
    // and stderr merged; its stdin stays open, so it runs until the test
    // closes it or the connection ends.
    std::unique_ptr<QProcess> startSClient(quint16 port, const QStringList &arguments)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(QStringLiteral("openssl"), QStringList{QStringLiteral("s_client"), QStringLiteral("-connect"),
                                                        u"127.0.0.1:" + QString::number(port), QStringLiteral("-cert"),
                                                        file(QStringLiteral("web.pem")), QStringLiteral("-key"),
                                                        file(QStringLiteral("web-key.pem")), QStringLiteral("-CAfile"),
                                                        file(QStringLiteral("ca.pem"))}
                                                + arguments);
        return p;
    }

    // openssl s_server as db on a free port (its port in `port`), client
    // certificates required — the control of tests where our listener must
    // differ from OpenSSL's defaults.
    std::unique_ptr<QProcess> startSServer(const QStringList &arguments, quint16 &port)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(QStringLiteral("openssl"),
                 QStringList{QStringLiteral("s_server"), QStringLiteral("-accept"), QStringLiteral("127.0.0.1:0"),
                             QStringLiteral("-cert"), file(QStringLiteral("db.pem")), QStringLiteral("-key"),
                             file(QStringLiteral("db-key.pem")), QStringLiteral("-CAfile"),
                             file(QStringLiteral("ca.pem")), QStringLiteral("-Verify"), QStringLiteral("1")}
                     + arguments);
        QByteArray banner;
        const bool ready = QTest::qWaitFor(
            [&] {
                banner += p->readAll();
                return (banner.contains("ACCEPT 127.0.0.1:") && banner.endsWith('\n'))
                       || p->state() == QProcess::NotRunning;
            },
            kProcessTimeoutMs);
        const qsizetype at = banner.indexOf("ACCEPT 127.0.0.1:");
        port = ready && at >= 0 ? quint16(banner.mid(at + 17).trimmed().toUInt()) : 0;
        return p;
    }

    // Closes s_client's stdin (it sends close_notify and exits) and returns
    // everything it printed.
    static QByteArray finish(QProcess *p, QByteArray out)
    {
        p->closeWriteChannel();
        // Event-loop waits only: the listeners under test run on this thread.
        if (!QTest::qWaitFor([p] { return p->state() == QProcess::NotRunning; }, kProcessTimeoutMs)) {
            p->kill();
            p->waitForFinished(5000);
        }
        return out + p->readAll();
    }

    // The first record of a real ClientHello — Qt's TLS client offering
    // TLS 1.2 and 1.3 — caught by a plain listener that never answers.
    QByteArray realClientHello()
    {
        App catcher;
        Receiver *caught = nullptr;
        catcher.onAccepted = [&](PlainSocket *s) { caught = new Receiver(s, true, &catcher); };
        const auto recordLength = [&]() -> qsizetype {
            if (!caught || caught->data.size() < 5)
                return -1;
            const qsizetype length = 5 + ((quint8(caught->data.at(3)) << 8) | quint8(caught->data.at(4)));
            return caught->data.size() >= length ? length : -1;
        };
        QSslSocket client;
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setPeerVerifyMode(QSslSocket::VerifyNone);
        client.setSslConfiguration(c);
        client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), catcher.port());
        const bool complete = QTest::qWaitFor([&] { return recordLength() > 0; }, kProcessTimeoutMs);
        client.abort();
        return complete ? caught->data.first(recordLength()) : QByteArray();
    }

    // Closes the app's side of every connection it accepted (its sockets
    // stay open after EOF until their owner closes them), so that the
    // descriptors left are the proxies'.
    void closeAppSockets()
    {
        for (PlainSocket *s : std::as_const(m_app->sockets))
            s->close();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // One line per refusal is the contract; in a test run it is noise.
        QLoggingCategory::setFilterRules(QStringLiteral("meshpad.proxy.info=false"));
    }

    void init() { QVERIFY(setUpPair()); }

    void cleanup()
    {
        tearDownPair();
        m_files.reset();
    }

    // The client sends its request and shutdown(SHUT_WR): the app reads EOF
    // after the last byte of it, over the TLS leg (close_notify), while the
    // connection stays open for its answer; only then does the app answer,
    // and the client gets every byte of the answer, then EOF. The client
    // reads nothing until the app has handed its whole answer to the
    // kernel, so the answer piles up against the proxies' high-water mark
    // and the EOF behind it must wait its turn.
    void clientHalfCloseReachesAppAsEofWhileItCanStillAnswer()
    {
        Receiver *appIn = nullptr;
        Sender *appOut = nullptr;
        PlainSocket *appSocket = nullptr;
        qint64 appReceivedAtEof = -1;
        int activeWhenAppSawEof[2] = {-1, -1};
        m_app->onAccepted = [&](PlainSocket *s) {
            appSocket = s;
            appIn = make<Receiver>(s, false);
            // After appIn's drain (connected first), which notes EOF.
            connect(s, &PlainSocket::readyRead, s, [&, s] {
                if (!appIn->eof || appOut)
                    return;
                appReceivedAtEof = appIn->received;
                activeWhenAppSawEof[0] = m_upstream->activeConnections();
                activeWhenAppSawEof[1] = m_inbound->activeConnections();
                appOut = make<Sender>(s, kHalfCloseBytes, true);
                appOut->pump();
            });
        };
        QVERIFY(startPair());
        PlainSocket *client = connectTo(m_upstream->port());
        auto *clientIn = make<Receiver>(client, false);
        clientIn->setPaused(true);
        auto *clientOut = make<Sender>(client, kHalfCloseBytes, true); // pumps once connected, then FIN

        QTRY_VERIFY2_WITH_TIMEOUT(appOut, "the app never read EOF after the client's shutdown(SHUT_WR)",
                                  kProcessTimeoutMs);
        QCOMPARE(clientOut->sent(), kHalfCloseBytes);
        QCOMPARE(appReceivedAtEof, kHalfCloseBytes);
        QVERIFY(!appIn->mismatch);
        QVERIFY(!appIn->error);
        // The EOF closed one direction only: both legs were still open.
        QCOMPARE(activeWhenAppSawEof[0], 1);
        QCOMPARE(activeWhenAppSawEof[1], 1);

        QTRY_VERIFY_WITH_TIMEOUT(appOut->sent() == kHalfCloseBytes && appSocket->bytesToWrite() == 0,
                                 kProcessTimeoutMs);
        QVERIFY(!clientIn->error);
        clientIn->setPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(clientIn->eof || clientIn->error, kProcessTimeoutMs);
        QVERIFY(!clientIn->error);
        QCOMPARE(clientIn->received, kHalfCloseBytes);
        QVERIFY(!clientIn->mismatch);

        QTRY_COMPARE(m_upstream->activeConnections(), 0);
        QTRY_COMPARE(m_inbound->activeConnections(), 0);
        const MetricsSnapshot up = m_upstream->metrics()->snapshot();
        QCOMPARE(up.bytesFromDownstream, quint64(kHalfCloseBytes));
        QCOMPARE(up.bytesToDownstream, quint64(kHalfCloseBytes));
        const MetricsSnapshot in = m_inbound->metrics()->snapshot();
        QCOMPARE(in.bytesFromDownstream, quint64(kHalfCloseBytes));
        QCOMPARE(in.bytesToDownstream, quint64(kHalfCloseBytes));
        QCOMPARE(up.totalRefusals() + in.totalRefusals(), 0u);
    }

    // The mirror image: the app sends its part and shutdown(SHUT_WR) at
    // once; the client (reading only after the app's part is all in the
    // kernel) gets every byte, then EOF, while its own direction is still
    // open: what it sends after that reaches the app in full, then EOF when
    // it half-closes too.
    void appHalfCloseReachesClientAsEofWhileItCanStillSend()
    {
        Receiver *appIn = nullptr;
        Sender *appOut = nullptr;
        PlainSocket *appSocket = nullptr;
        m_app->onAccepted = [&](PlainSocket *s) {
            appSocket = s;
            appIn = make<Receiver>(s, false);
            appOut = make<Sender>(s, kHalfCloseBytes, true);
            appOut->pump();
        };
        QVERIFY(startPair());
        PlainSocket *client = connectTo(m_upstream->port());
        auto *clientIn = make<Receiver>(client, false);
        clientIn->setPaused(true);

        QTRY_VERIFY_WITH_TIMEOUT(appOut && appOut->sent() == kHalfCloseBytes && appSocket->isWriteShutdown()
                                     && appSocket->bytesToWrite() == 0,
                                 kProcessTimeoutMs);
        clientIn->setPaused(false);
        QTRY_VERIFY2_WITH_TIMEOUT(clientIn->eof || clientIn->error,
                                  "the client never read EOF after the app's shutdown(SHUT_WR)", kProcessTimeoutMs);
        QVERIFY(!clientIn->error);
        QCOMPARE(clientIn->received, kHalfCloseBytes);
        QVERIFY(!clientIn->mismatch);
        // One direction ended; the other is open.
        QVERIFY(!appIn->eof);
        QVERIFY(!appIn->error);
        QCOMPARE(m_upstream->activeConnections(), 1);
        QCOMPARE(m_inbound->activeConnections(), 1);

        auto *clientOut = make<Sender>(client, kHalfCloseBytes, true);
        clientOut->pump();
        QTRY_VERIFY2_WITH_TIMEOUT(appIn->eof || appIn->error, "the client's part after its EOF never ended at the app",
                                  kProcessTimeoutMs);
        QVERIFY(!appIn->error);
        QCOMPARE(clientOut->sent(), kHalfCloseBytes);
        QCOMPARE(appIn->received, kHalfCloseBytes);
        QVERIFY(!appIn->mismatch);

        QTRY_COMPARE(m_upstream->activeConnections(), 0);
        QTRY_COMPARE(m_inbound->activeConnections(), 0);
        const MetricsSnapshot up = m_upstream->metrics()->snapshot();
        QCOMPARE(up.bytesFromDownstream, quint64(kHalfCloseBytes));
        QCOMPARE(up.bytesToDownstream, quint64(kHalfCloseBytes));
        QCOMPARE(up.totalRefusals() + m_inbound->metrics()->snapshot().totalRefusals(), 0u);
    }

    // No resumption by construction means no ticket is ever sent: the
    // listener has nothing to resume with, and a ticket would only cost both
    // sides. OpenSSL 3.0's s_client writes -sess_out only from its
    // new-session callback (openssl/openssl: apps/s_client.c,
    // new_session_cb), which runs only for a session it could resume: on a
    // TLS 1.3 NewSessionTicket, or after a TLS 1.2 handshake whose session
    // has an ID or a ticket (ssl/ssl_lib.c, ssl_update_cache) — and a server
    // without a session cache sends an empty ID (ssl/statem/statem_srvr.c,
    // tls_construct_server_hello). So against our listener no file is
    // written at all, in either version. -msg shows the NewSessionTicket
    // message itself, in TLS 1.2's handshake as in TLS 1.3's post-handshake
    // messages. The control: the same command against openssl s_server
    // (tickets on, its default) gets a ticket and a file holding it. (Its
    // -no_ticket would not do: TLS 1.3 then sends stateful tickets, so only
    // SSL_CTX_set_num_tickets(0) stops them.)
    void clientNeverReceivesASessionTicket_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("negotiated");
        QTest::newRow("TLS 1.3") << QStringLiteral("-tls1_3") << QStringLiteral("New, TLSv1.3,");
        QTest::newRow("TLS 1.2") << QStringLiteral("-tls1_2") << QStringLiteral("New, TLSv1.2,");
    }
    void clientNeverReceivesASessionTicket()
    {
        QFETCH(QString, version);
        QFETCH(QString, negotiated);
        QVERIFY(writeFiles());
        const auto sessionText = [](const QString &path) {
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(QStringLiteral("openssl"), {QStringLiteral("sess_id"), QStringLiteral("-in"), path,
                                                QStringLiteral("-text"), QStringLiteral("-noout")});
            p.waitForFinished(kProcessTimeoutMs);
            return p.readAll();
        };
        const auto session = [&](quint16 port, const QString &sessionFile, const QByteArray &expect) {
            std::unique_ptr<QProcess> client
                = startSClient(port, {version, QStringLiteral("-msg"), QStringLiteral("-sess_out"), sessionFile});
            client->write("hello-tickets\n");
            QByteArray out;
            // Tickets come right after the handshake, before any answer.
            // Whether it came or not, the caller's assertions say what was printed.
            std::ignore = QTest::qWaitFor(
                [&] { return (out += client->readAll()).contains(expect) || client->state() == QProcess::NotRunning; },
                kProcessTimeoutMs);
            return finish(client.get(), out);
        };

        // The control.
        quint16 controlPort = 0;
        std::unique_ptr<QProcess> server = startSServer({QStringLiteral("-rev")}, controlPort);
        QVERIFY2(controlPort, server->readAll().constData());
        const QString controlSession = file(QStringLiteral("control-session.pem"));
        const QByteArray control = session(controlPort, controlSession, "stekcit-olleh");
        server->kill();
        QVERIFY(server->waitForFinished(5000));
        QVERIFY2(control.contains("stekcit-olleh") && control.contains(negotiated.toLatin1()), control.constData());
        QVERIFY2(control.contains("NewSessionTicket"), control.constData());
        if (version == u"-tls1_3")
            QVERIFY2(control.contains("Post-Handshake New Session Ticket arrived"), control.constData());
        QVERIFY2(QFileInfo::exists(controlSession), control.constData());
        QVERIFY2(sessionText(controlSession).contains("TLS session ticket:"), sessionText(controlSession).constData());

        QVERIFY(startPair());
        const QString ourSession = file(QStringLiteral("session.pem"));
        const QByteArray ours = session(m_inbound->port(), ourSession, "hello-tickets");
        QVERIFY2(ours.contains("hello-tickets") && ours.contains(negotiated.toLatin1()), ours.constData());
        QCOMPARE(m_app->accepted, 1);
        QVERIFY2(!ours.contains("NewSessionTicket"), ours.constData());
        QVERIFY2(!ours.contains("Post-Handshake New Session Ticket arrived"), ours.constData());
        QVERIFY2(!ours.contains("TLS session ticket"), ours.constData());
        QVERIFY2(!QFileInfo::exists(ourSession), sessionText(ourSession).constData());
        QTRY_COMPARE(m_inbound->activeConnections(), 0);
        QCOMPARE(m_inbound->metrics()->snapshot().totalRefusals(), 0u);
    }

    // A peer that is not a TLS client, or stops half way through its
    // ClientHello, is refused under the reason an operator would look for,
    // before the app is dialled, and leaves nothing: no connection and no
    // descriptor (ASan+UBSan check the heap in the sanitized run). The
    // listener serves a real caller right after.
    void badStartRefusedNothingLeft_data()
    {
        QTest::addColumn<BadStart>("start");
        QTest::addColumn<RefusalReason>("reason");
        QTest::addColumn<int>("handshakeTimeoutMs");
        QTest::newRow("random bytes") << BadStart::RandomBytes << RefusalReason::HandshakeFailed << 10'000;
        QTest::newRow("an HTTP request") << BadStart::HttpRequest << RefusalReason::HandshakeFailed << 10'000;
        QTest::newRow("handshake record header, random body")
            << BadStart::HandshakeHeaderRandomBody << RefusalReason::HandshakeFailed << 10'000;
        QTest::newRow("real ClientHello, then a random record")
            << BadStart::ClientHelloThenRandomRecord << RefusalReason::HandshakeFailed << 10'000;
        QTest::newRow("half a ClientHello, then close")
            << BadStart::HalfClientHelloThenClose << RefusalReason::HandshakeFailed << 10'000;
        QTest::newRow("half a ClientHello, then silence")
            << BadStart::HalfClientHelloThenStall << RefusalReason::HandshakeTimeout << 500;
    }
    void badStartRefusedNothingLeft()
    {
        QFETCH(BadStart, start);
        QFETCH(RefusalReason, reason);
        QFETCH(int, handshakeTimeoutMs);

        QByteArray bytes;
        switch (start) {
        case BadStart::RandomBytes: bytes = noise(1024, 1); break;
        case BadStart::HttpRequest: bytes = QByteArrayLiteral("GET / HTTP/1.1\r\nHost: db\r\n\r\n"); break;
        case BadStart::HandshakeHeaderRandomBody:
            // A handshake record of 512 bytes whose message is noise (its
            // type never ClientHello's 1, so no version field is read).
            bytes = QByteArrayLiteral("\x16\x03\x01\x02\x00") + noise(512, 2);
            if (bytes[5] == '\x01')
                bytes[5] = '\x02';
            break;
        case BadStart::ClientHelloThenRandomRecord:
            bytes = realClientHello();
            QVERIFY(!bytes.isEmpty());
            bytes += QByteArrayLiteral("\x17\x03\x03\x01\x00") + noise(256, 3);
            break;
        case BadStart::HalfClientHelloThenClose:
        case BadStart::HalfClientHelloThenStall:
            bytes = realClientHello();
            QVERIFY(!bytes.isEmpty());
            bytes.truncate(bytes.size() / 2);
            break;
        }

        ProxyOptions options;
        options.handshakeTimeout = std::chrono::milliseconds(handshakeTimeoutMs);
        QVERIFY(startPair(options));
        const int descriptors = openDescriptors();

        auto client = std::make_unique<PlainSocket>();
        client->connectToHost(QHostAddress::LocalHost, m_inbound->port());
        Receiver clientIn(client.get(), true);
        QTRY_VERIFY(client->isConnected());
        QVERIFY(client->write(bytes.constData(), bytes.size()));
        if (start == BadStart::HalfClientHelloThenClose) {
            QTRY_COMPARE(client->bytesToWrite(), qint64(0));
            client->close();
        } else {
            QTRY_VERIFY2_WITH_TIMEOUT(clientIn.eof || clientIn.error, "the listener kept the connection open",
                                      kProcessTimeoutMs);
        }
        QTRY_VERIFY2_WITH_TIMEOUT(m_inbound->metrics()->snapshot().totalRefusals() == 1,
                                  describeRefusals(m_inbound->metrics()->snapshot()).constData(), kProcessTimeoutMs);
        const MetricsSnapshot refused = m_inbound->metrics()->snapshot();
        QCOMPARE(m_app->accepted, 0);
        QTRY_COMPARE(m_inbound->activeConnections(), 0);
        QCOMPARE(m_inbound->metrics()->snapshot().activeConnections, 0u);
        client->close();
        QTRY_COMPARE(openDescriptors(), descriptors);

        // A real caller through the pair, right after.
        PlainSocket *good = connectTo(m_upstream->port());
        auto *goodIn = make<Receiver>(good, true);
        QTRY_VERIFY(good->isConnected());
        good->write("ping\n", 5);
        QTRY_COMPARE(goodIn->data, QByteArray("ping\n"));
        QCOMPARE(m_inbound->metrics()->snapshot().totalRefusals(), 1u);

        // Last, so that a wrong reason does not hide the checks above.
        QVERIFY2(refused.refusalCount(reason) == 1, describeRefusals(refused).constData());
    }

    // TLS 1.2: s_client's "R" command asks for a renegotiation, sent with
    // its next write (man openssl-s_client, CONNECTED COMMANDS). The
    // listener refuses renegotiation (a renegotiated handshake could present
    // another certificate after every check was made), so the connection
    // ends, counted as a refusal, and the bytes sent after "R" never reach
    // the app. The control: openssl s_server with -client_renegotiation
    // (OpenSSL 3.0 refuses client renegotiation without it:
    // https://www.openssl.org/docs/man3.0/man3/SSL_CTX_set_options.html,
    // SSL_OP_ALLOW_CLIENT_RENEGOTIATION) renegotiates and gets those bytes,
    // so the command does renegotiate.
    void renegotiationAttemptEndsTheConnection()
    {
        QVERIFY(writeFiles());
        // "R", then — once s_client has acted on it — a line a renegotiated
        // connection would carry (s_client reads a line that starts with "R"
        // as the command and drops the rest of what it read with it).
        const auto renegotiate = [](QProcess *client, QByteArray &out) {
            client->write("R\n");
            const bool acted = QTest::qWaitFor([&] { return (out += client->readAll()).contains("RENEGOTIATING"); },
                                               kProcessTimeoutMs);
            client->write("after-R\n");
            return acted;
        };

        quint16 controlPort = 0;
        std::unique_ptr<QProcess> server = startSServer({QStringLiteral("-client_renegotiation")}, controlPort);
        QVERIFY2(controlPort, server->readAll().constData());
        {
            std::unique_ptr<QProcess> client = startSClient(controlPort, {QStringLiteral("-tls1_2")});
            QByteArray serverOut;
            client->write("before-R\n");
            QTRY_VERIFY_WITH_TIMEOUT((serverOut += server->readAll()).contains("before-R"), kProcessTimeoutMs);
            QByteArray out;
            QVERIFY2(renegotiate(client.get(), out), out.constData());
            QTRY_VERIFY2_WITH_TIMEOUT((serverOut += server->readAll()).contains("after-R"), serverOut.constData(),
                                      kProcessTimeoutMs);
            finish(client.get(), out);
        }
        server->kill();
        QVERIFY(server->waitForFinished(5000));

        Receiver *appIn = nullptr;
        m_app->onAccepted = [&](PlainSocket *s) { appIn = make<Receiver>(s, true); };
        QVERIFY(startPair());
        const int descriptors = openDescriptors();
        std::unique_ptr<QProcess> client = startSClient(m_inbound->port(), {QStringLiteral("-tls1_2")});
        client->write("before-R\n");
        QTRY_VERIFY_WITH_TIMEOUT(appIn && appIn->data == "before-R\n", kProcessTimeoutMs);
        QByteArray out;
        QVERIFY2(renegotiate(client.get(), out), out.constData());
        QTRY_VERIFY2_WITH_TIMEOUT(appIn->eof || appIn->error, QByteArray(out + client->readAll()).constData(),
                                  kProcessTimeoutMs);
        QTRY_COMPARE(m_inbound->activeConnections(), 0);
        out = finish(client.get(), out);
        QCOMPARE(appIn->data, QByteArray("before-R\n"));
        QVERIFY2(out.contains("RENEGOTIATING"), out.constData());

        client.reset();
        closeAppSockets();
        QTRY_COMPARE(openDescriptors(), descriptors);

        // Counted: an operator sees that a peer tried (under whichever
        // reason the engine gives it).
        const MetricsSnapshot in = m_inbound->metrics()->snapshot();
        QVERIFY2(in.totalRefusals() == 1, describeRefusals(in).constData());
        qInfo("renegotiation attempt counted as: %s", describeRefusals(in).constData());
    }

    // TLS 1.3 has no renegotiation; its post-handshake KeyUpdate must keep
    // working (RFC 8446 §4.6.3): after s_client's "K" (update, and request
    // one back) or "k" (update only), the connection carries bytes both
    // ways, and for "K" the listener's own KeyUpdate reaches the client.
    void keyUpdateKeepsTheConnectionWorking_data()
    {
        QTest::addColumn<QByteArray>("command");
        QTest::addColumn<bool>("updateRequested");
        QTest::newRow("key update, one requested back (K)") << QByteArray("K\n") << true;
        QTest::newRow("key update (k)") << QByteArray("k\n") << false;
    }
    void keyUpdateKeepsTheConnectionWorking()
    {
        QFETCH(QByteArray, command);
        QFETCH(bool, updateRequested);
        QVERIFY(writeFiles());
        QVERIFY(startPair());
        const int descriptors = openDescriptors();
        std::unique_ptr<QProcess> client
            = startSClient(m_inbound->port(), {QStringLiteral("-tls1_3"), QStringLiteral("-msg")});
        QByteArray out;
        client->write("before-key-update\n");
        QTRY_VERIFY2_WITH_TIMEOUT((out += client->readAll()).contains("before-key-update"), out.constData(),
                                  kProcessTimeoutMs);
        const qsizetype before = out.size();
        client->write(command);
        QTRY_VERIFY_WITH_TIMEOUT((out += client->readAll()).contains("KEYUPDATE"), kProcessTimeoutMs);
        client->write("after-key-update\n");
        QTRY_VERIFY2_WITH_TIMEOUT((out += client->readAll()).contains("after-key-update")
                                      || client->state() == QProcess::NotRunning,
                                  out.constData(), kProcessTimeoutMs);
        QVERIFY2(out.contains("after-key-update"), out.constData());
        QVERIFY2(out.indexOf(">>> TLS 1.3, Handshake [length 0005], KeyUpdate", before) >= 0, out.constData());
        QCOMPARE(out.indexOf("<<< TLS 1.3, Handshake [length 0005], KeyUpdate", before) >= 0, updateRequested);
        QCOMPARE(m_inbound->activeConnections(), 1);
        QCOMPARE(m_inbound->metrics()->snapshot().totalRefusals(), 0u);

        out = finish(client.get(), out);
        QTRY_COMPARE(m_inbound->activeConnections(), 0);
        QCOMPARE(m_app->accepted, 1);
        client.reset();
        closeAppSockets();
        QTRY_COMPARE(openDescriptors(), descriptors);
    }
};

QTEST_GUILESS_MAIN(TestProxyTls)
#include "tst_proxytls.moc"
