// The proxy against other TLS stacks on leaves from the pki (docs/targets.md):
// openssl s_client → our inbound, our upstream → openssl s_server, and HAProxy
// as a Connect-style mTLS peer both ways (child processes, configs written to
// a temporary directory).

#include "tst_proxysupport.h"

#include "pki/certificateauthority.h"
#include "proxy/inboundlistener.h"
#include "proxy/intentionauthorizer.h"
#include "proxy/proxymetrics.h"
#include "proxy/staticidentitysource.h"
#include "proxy/staticresolver.h"
#include "proxy/upstreamlistener.h"

#include <QLoggingCategory>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace mesh;
using namespace mesh::proxy;
using namespace proxytest;

namespace {

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

} // namespace

class TestProxyInterop : public QObject
{
    Q_OBJECT

private:
    std::optional<pki::CertificateAuthority> m_ca;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StaticIdentitySource> m_web;
    std::unique_ptr<StaticIdentitySource> m_db;
    IntentionAuthorizer m_intentions;
    StaticResolver m_resolver;
    std::unique_ptr<App> m_app;
    QList<QObject *> m_garbage;

    QString path(const QString &name) const { return m_dir->filePath(name); }

    [[nodiscard]] bool writeCombined(const QString &service)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            QFile f(path(service + u"-combined.pem"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            const auto leaf = pki::CertificateAuthority::readLeaf(m_dir->path(), service);
            QVERIFY(leaf);
            f.write(leaf->certificatePem() + leaf->privateKeyPem());
        }();
        return !QTest::currentTestFailed();
    }

    QProcess *startProcess(const QString &program, const QStringList &arguments)
    {
        auto *p = new QProcess;
        m_garbage.prepend(p);
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(program, arguments);
        return p;
    }

    // Sends `line` through a plain connection to `port` and expects `answer`.
    [[nodiscard]] bool roundTrip(quint16 port, const QByteArray &line, const QByteArray &answer)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            auto *client = new PlainSocket;
            m_garbage.append(client);
            auto *r = new Receiver(client, true);
            m_garbage.append(r);
            client->connectToHost(QHostAddress::LocalHost, port);
            QTRY_VERIFY(client->isConnected());
            client->write(line.constData(), line.size());
            QTRY_VERIFY_WITH_TIMEOUT(r->data.contains(answer), 10000);
        }();
        return !QTest::currentTestFailed();
    }

    [[nodiscard]] bool waitForPort(quint16 port)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(([port] {
                                         QTcpSocket s;
                                         s.connectToHost(QHostAddress::LocalHost, port);
                                         return s.waitForConnected(100);
                                     }()),
                                     10000);
        }();
        return !QTest::currentTestFailed();
    }

    // HAProxy, one thread in TCP mode, with the frontend and backend of
    // `proxies` (written to `configName` in the test's folder), once
    // something listens on `port`; the test's cleanup() stops it.
    [[nodiscard]] bool startHaproxy(const QString &configName, const QString &proxies, quint16 port)
    {
        const QString config = QStringLiteral("global\n  nbthread 1\ndefaults\n  mode tcp\n  timeout connect 5s\n"
                                              "  timeout client 30s\n  timeout server 30s\n")
                               + proxies;
        QFile cfg(path(configName));
        if (!cfg.open(QIODevice::WriteOnly) || cfg.write(config.toUtf8()) < 0)
            return false;
        cfg.close();
        QProcess *h
            = startProcess(QStringLiteral("haproxy"), {QStringLiteral("-db"), QStringLiteral("-f"), cfg.fileName()});
        return h->waitForStarted() && waitForPort(port);
    }

    static bool haproxyInstalled()
    {
        return !QStandardPaths::findExecutable(QStringLiteral("haproxy"),
                                               {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")})
                    .isEmpty();
    }

    // The one db instance the upstream's resolver offers: 127.0.0.1:port.
    void resolveDbAt(quint16 port)
    {
        m_resolver.setInstances(QStringLiteral("db"), {{QStringLiteral("127.0.0.1"), port,
                                                        pki::SpiffeId::forService(kTrustDomain, QStringLiteral("dc1"),
                                                                                  QStringLiteral("db"))}});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("meshpad.proxy.info=false"));
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QFAIL("the openssl command is missing: run packaging/install-deps.sh");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        auto ca = pki::CertificateAuthority::create(kTrustDomain, QStringLiteral("dc1"));
        QVERIFY(ca);
        m_ca = std::move(*ca);
        QVERIFY(m_ca->save(m_dir->path()));
        for (const QString &s : {QStringLiteral("web"), QStringLiteral("db")}) {
            QVERIFY(pki::CertificateAuthority::writeLeaf(*m_ca->issueLeaf(s), m_dir->path(), s));
            QVERIFY(writeCombined(s));
        }
        m_web = std::make_unique<StaticIdentitySource>();
        QVERIFY(m_web->loadFromDirectory(m_dir->path(), QStringLiteral("web")));
        m_db = std::make_unique<StaticIdentitySource>();
        QVERIFY(m_db->loadFromDirectory(m_dir->path(), QStringLiteral("db")));
        m_intentions.setAllowed({QStringLiteral("web")});
        m_intentions.setDefaultAllow(false);
        m_app = std::make_unique<App>();
    }

    void cleanup()
    {
        for (QObject *o : m_garbage) {
            if (auto *p = qobject_cast<QProcess *>(o)) {
                p->kill();
                p->waitForFinished(3000);
            }
        }
        qDeleteAll(m_garbage);
        m_garbage.clear();
        m_app.reset();
    }

    void opensslClientToInbound()
    {
        InboundListener inbound(QStringLiteral("db"), m_db.get(), &m_intentions);
        inbound.setLocalApp(QHostAddress::LocalHost, m_app->port());
        QVERIFY(inbound.listen(QHostAddress::LocalHost, 0));
        QProcess *s = startProcess(
            QStringLiteral("openssl"),
            {QStringLiteral("s_client"), QStringLiteral("-connect"), u"127.0.0.1:" + QString::number(inbound.port()),
             QStringLiteral("-cert"), path(QStringLiteral("web.pem")), QStringLiteral("-key"),
             path(QStringLiteral("web-key.pem")), QStringLiteral("-CAfile"), path(QStringLiteral("ca.pem")),
             QStringLiteral("-verify_return_error"), QStringLiteral("-servername"),
             QStringLiteral("db.default.dc1.internal.") + kTrustDomain});
        QVERIFY(s->waitForStarted());
        s->write("hello from openssl\n");
        QByteArray output;
        QTRY_VERIFY_WITH_TIMEOUT((output += s->readAll()).contains("hello from openssl\n"), 10000);
        QVERIFY2(output.contains("Verify return code: 0 (ok)"), output.constData());
        QVERIFY2(output.contains("TLSv1.3"), output.constData());
        QVERIFY2(output.contains("No ALPN negotiated"), output.constData());
        QCOMPARE(inbound.metrics()->snapshot().totalRefusals(), 0u);
    }

    void opensslClientWithoutCertificateRefused()
    {
        InboundListener inbound(QStringLiteral("db"), m_db.get(), &m_intentions);
        inbound.setLocalApp(QHostAddress::LocalHost, m_app->port());
        QVERIFY(inbound.listen(QHostAddress::LocalHost, 0));
        QProcess *s = startProcess(QStringLiteral("openssl"),
                                   {QStringLiteral("s_client"), QStringLiteral("-connect"),
                                    u"127.0.0.1:" + QString::number(inbound.port()), QStringLiteral("-tls1_2")});
        QVERIFY(s->waitForStarted());
        QTRY_COMPARE(inbound.metrics()->snapshot().refusalCount(pki::RefusalReason::NoCertificate), 1u);
        QCOMPARE(m_app->accepted, 0);
    }

    void upstreamToOpensslServer()
    {
        const quint16 port = freePort();
        QProcess *s = startProcess(QStringLiteral("openssl"),
                                   {QStringLiteral("s_server"), QStringLiteral("-accept"), QString::number(port),
                                    QStringLiteral("-cert"), path(QStringLiteral("db.pem")), QStringLiteral("-key"),
                                    path(QStringLiteral("db-key.pem")), QStringLiteral("-CAfile"),
                                    path(QStringLiteral("ca.pem")), QStringLiteral("-Verify"), QStringLiteral("1"),
                                    QStringLiteral("-verify_return_error"), QStringLiteral("-rev")});
        QVERIFY(s->waitForStarted());
        QVERIFY(waitForPort(port));
        resolveDbAt(port);
        UpstreamListener upstream(QStringLiteral("db"), m_web.get(), &m_resolver);
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        QVERIFY(roundTrip(upstream.port(), "hello s_server\n", "revres_s olleh"));
        QCOMPARE(upstream.metrics()->snapshot().totalRefusals(), 0u);
    }

    void haproxyAsClientToInbound()
    {
        if (!haproxyInstalled())
            QFAIL("haproxy is missing: run packaging/install-deps.sh");
        InboundListener inbound(QStringLiteral("db"), m_db.get(), &m_intentions);
        inbound.setLocalApp(QHostAddress::LocalHost, m_app->port());
        // The inbound listens only once HAProxy is up: waiting for HAProxy's
        // port connects to it, and HAProxy opens a backend connection for
        // that probe and resets it when the probe closes; had the inbound
        // been listening, that reset would count as a refused handshake.
        const quint16 inboundPort = freePort();
        const quint16 front = freePort();
        // verifyhost: HAProxy checks a host name and our leaf has no DNS SAN,
        // so the CN stands in. No `sni`: HAProxy 2.6 then fails the handshake
        // with an internal_error alert (it appears to verify the SNI as host
        // name). no-ssl-reuse: we disable resumption (docs/targets.md) and HAProxy's reuse
        // attempt failed the same way. Found by this test; see the report.
        const QString cn = m_db->identity().leaf.certificate.subjectInfo(QSslCertificate::CommonName).value(0);
        QVERIFY(startHaproxy(
            QStringLiteral("haproxy-client.cfg"),
            QStringLiteral("frontend f\n  bind 127.0.0.1:%1\n  default_backend b\n"
                           "backend b\n  server db 127.0.0.1:%2 ssl crt %3 ca-file %4 verify required verifyhost "
                           "%5 no-ssl-reuse\n")
                .arg(front)
                .arg(inboundPort)
                .arg(path(QStringLiteral("web-combined.pem")), path(QStringLiteral("ca.pem")), cn),
            front));
        QVERIFY(inbound.listen(QHostAddress::LocalHost, inboundPort));
        QVERIFY(roundTrip(front, "through haproxy\n", "through haproxy\n"));
        QCOMPARE(inbound.metrics()->snapshot().totalRefusals(), 0u);
        QVERIFY(m_app->accepted >= 1);
    }

    void upstreamToHaproxyServer()
    {
        if (!haproxyInstalled())
            QFAIL("haproxy is missing: run packaging/install-deps.sh");
        const quint16 port = freePort();
        QVERIFY(startHaproxy(
            QStringLiteral("haproxy-server.cfg"),
            QStringLiteral("frontend f\n  bind 127.0.0.1:%1 ssl crt %2 ca-file %3 verify required ssl-min-ver "
                           "TLSv1.2\n  default_backend app\n"
                           "backend app\n  server app 127.0.0.1:%4\n")
                .arg(port)
                .arg(path(QStringLiteral("db-combined.pem")), path(QStringLiteral("ca.pem")))
                .arg(m_app->port()),
            port));
        resolveDbAt(port);
        UpstreamListener upstream(QStringLiteral("db"), m_web.get(), &m_resolver);
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        QVERIFY(roundTrip(upstream.port(), "to haproxy\n", "to haproxy\n"));
        QCOMPARE(upstream.metrics()->snapshot().totalRefusals(), 0u);
    }
};

QTEST_GUILESS_MAIN(TestProxyInterop)
#include "tst_proxyinterop.moc"
