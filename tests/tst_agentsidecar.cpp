// `meshpad proxy -sidecar-for ID` (mesh::proxy::AgentSidecar) against the
// embedded lab's Consul HTTP API, on real sockets and real mTLS: errors in
// Consul's words, traffic from the dashboard's upstream to an embedded
// counter through two sidecars configured by the agent, intentions written
// through /v1/config, leaf rotation under an open connection, upstreams added
// by a re-registration, the agent going away and coming back (F11), and the
// real binary's exit status and stderr.
#include "consul/consulclient.h"
#include "consul/consulconfig.h"
#include "lab/lab.h"
#include "proxy/agentsidecar.h"
#include "proxy/proxymetrics.h"

#include "counterserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

using namespace mesh;
using namespace mesh::lab;
using mesh::proxy::AgentSidecar;
using namespace Qt::StringLiterals;

namespace {

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
};

// A port nothing listens on right now (bound to 127.0.0.1 and released).
quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

// Runs the event loop until `done` or `timeoutMs` passed; the sidecars live on
// this thread, so nothing here may block it.
template<class Done>
bool spinUntil(Done done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QTest::qWait(10);
    }
    return true;
}

bool connectSocket(QTcpSocket &socket, quint16 port)
{
    socket.connectToHost(QHostAddress::LocalHost, port);
    spinUntil(
        [&] {
            return socket.state() == QAbstractSocket::ConnectedState
                   || socket.state() == QAbstractSocket::UnconnectedState;
        },
        15'000);
    return socket.state() == QAbstractSocket::ConnectedState;
}

// One HTTP/1.1 GET on `socket`; the body of the answer, or empty when the
// connection closed or nothing came within 20 s.
QByteArray getOn(QTcpSocket &socket)
{
    socket.write("GET / HTTP/1.1\r\nHost: counter\r\n\r\n");
    QByteArray buffer;
    QByteArray body;
    spinUntil(
        [&] {
            buffer += socket.readAll();
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                static const QRegularExpression length(QStringLiteral("(?i)content-length:\\s*(\\d+)"));
                const auto match = length.match(QString::fromLatin1(buffer.left(end)));
                const qsizetype size = match.hasMatch() ? match.captured(1).toLongLong() : 0;
                if (buffer.size() >= end + 4 + size) {
                    body = buffer.mid(end + 4, size);
                    return true;
                }
            }
            return socket.state() == QAbstractSocket::UnconnectedState && socket.bytesAvailable() == 0;
        },
        20'000);
    return body;
}

// A GET on a new connection to 127.0.0.1:port.
QByteArray get(quint16 port)
{
    QTcpSocket socket;
    if (!connectSocket(socket, port))
        return {};
    return getOn(socket);
}

// The counter's answer: {"count":N,"hostname":"…"}; 0 when it is not one.
quint64 countIn(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    return object.contains(u"hostname") ? quint64(object.value(u"count").toDouble()) : 0;
}

// One AgentSidecar with its own client, and everything it said.
struct Sidecar
{
    std::unique_ptr<consul::ConsulClient> client;
    std::unique_ptr<AgentSidecar> sidecar;
    QStringList messages;
    std::unique_ptr<QSignalSpy> ready;
    std::unique_ptr<QSignalSpy> failed;

    Sidecar(const QString &address, AgentSidecar::Lookup lookup, const QString &id)
    {
        consul::ConsulConfig config;
        config.address = address;
        client = std::make_unique<consul::ConsulClient>(*config.endpoint());
        sidecar = std::make_unique<AgentSidecar>(client.get(), lookup, id);
        QObject::connect(sidecar.get(), &AgentSidecar::message, sidecar.get(),
                         [this](const QString &text) { messages.append(text); });
        ready = std::make_unique<QSignalSpy>(sidecar.get(), &AgentSidecar::ready);
        failed = std::make_unique<QSignalSpy>(sidecar.get(), &AgentSidecar::failed);
        sidecar->start();
    }
    ~Sidecar()
    {
        ready.reset();
        failed.reset();
        sidecar.reset(); // before its client
    }
    QString failure() const { return failed->isEmpty() ? QString() : failed->first().first().toString(); }
    // Waits for ready() or failed(): true when it is ready and has not failed.
    [[nodiscard]] bool waitUntilReady(int timeoutMs)
    {
        return QTest::qWaitFor([&] { return !ready->isEmpty() || !failed->isEmpty(); }, timeoutMs) && !ready->isEmpty()
               && failed->isEmpty();
    }
    // Why it is not ready: its failure, else everything it said.
    QString report() const { return failed->isEmpty() ? messages.join(u'\n') : failure(); }
    bool said(const QString &text) const
    {
        return std::any_of(messages.cbegin(), messages.cend(), [&](const QString &m) { return m.contains(text); });
    }
    qsizetype countOf(const QString &text) const
    {
        return std::count_if(messages.cbegin(), messages.cend(), [&](const QString &m) { return m.contains(text); });
    }
};

// The counter's and the dashboard's sidecars (-sidecar-for), both following
// the agent at `address`.
struct CountdashSidecars
{
    Sidecar counter;
    Sidecar dashboard;

    explicit CountdashSidecars(const QString &address)
        : counter(address, AgentSidecar::Lookup::SidecarFor, QStringLiteral("counter"))
        , dashboard(address, AgentSidecar::Lookup::SidecarFor, QStringLiteral("dashboard"))
    {
    }
    // Both ready (each within `timeoutMs`), neither failed.
    [[nodiscard]] bool waitUntilReady(int timeoutMs)
    {
        return counter.waitUntilReady(timeoutMs) && dashboard.waitUntilReady(timeoutMs);
    }
    QString report() const { return u"counter: "_s + counter.report() + u"\ndashboard: "_s + dashboard.report(); }
};

const QString kNewCertificates = QStringLiteral("new certificates from the agent");

} // namespace

class TestAgentSidecar final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_caDir;
    std::unique_ptr<Lab> m_lab;
    LabSnapshot m_snapshot;
    QNetworkAccessManager m_net;
    QList<std::pair<int, QString>> m_registered; // node, service ID

    QString agent(int node = 0) const { return m_snapshot.nodes.at(node).consulAddress; }

    // `consulPort` 0: free ports for the APIs (this test must not depend on
    // 8500); another: the agents come back where they were (F11).
    bool startLab(std::chrono::milliseconds rotation, quint16 consulPort = 0)
    {
        Lab::Options options;
        options.caDirectory = m_caDir.path();
        options.snapshotInterval = std::chrono::milliseconds(100);
        options.leafRotationInterval = rotation;
        options.consulPort = consulPort;
        options.nomadPort = 0;
        m_lab = std::make_unique<Lab>(options);
        QSignalSpy started(m_lab.get(), &Lab::started);
        QSignalSpy failed(m_lab.get(), &Lab::startFailed);
        if (!m_lab->start(model::Topology{}))
            return false;
        if (!QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 30'000) || !failed.isEmpty()) {
            qWarning() << "the lab did not start:"
                       << (failed.isEmpty() ? QString() : failed.first().first().toString());
            return false;
        }
        m_snapshot = started.first().first().value<LabSnapshot>();
        return m_snapshot.nodes.size() == 3;
    }

    void stopLab()
    {
        if (!m_lab)
            return;
        QSignalSpy stopped(m_lab.get(), &Lab::stopped);
        m_lab->stop();
        if (!QTest::qWaitFor([&] { return !stopped.isEmpty(); }, 30'000))
            qWarning("the lab did not stop within 30 s");
        m_lab.reset();
    }

    HttpResult call(const QByteArray &method, const QString &url, const QByteArray &body = {})
    {
        QNetworkRequest request{QUrl(url)};
        request.setTransferTimeout(30'000);
        if (!body.isNull())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_net.sendCustomRequest(request, method, body);
        spinUntil([reply] { return reply->isFinished(); }, 35'000);
        HttpResult result;
        if (reply->isFinished()) {
            result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            result.body = reply->readAll();
        } else {
            reply->abort();
        }
        reply->deleteLater();
        return result;
    }

    // PUT /v1/agent/service/register at node's agent; remembered for cleanup().
    bool registerService(const QByteArray &payload, int node = 0)
    {
        const HttpResult result = call("PUT", agent(node) + u"/v1/agent/service/register", payload);
        if (result.status != 200) {
            qWarning() << "register:" << result.status << result.body;
            return false;
        }
        QJsonObject object = QJsonDocument::fromJson(payload).object();
        const QString id = object.contains(u"id") ? object.value(u"id").toString() : object.value(u"name").toString();
        m_registered.append({node, id});
        return true;
    }

    bool writeIntention(const QString &source, const QString &destination, const QString &action)
    {
        const QByteArray entry = QStringLiteral("{\"Kind\": \"service-intentions\", \"Name\": \"%1\", "
                                                "\"Sources\": [{\"Name\": \"%2\", \"Action\": \"%3\"}]}")
                                     .arg(destination, source, action)
                                     .toUtf8();
        const HttpResult result = call("PUT", agent(1) + u"/v1/config", entry);
        return result.status == 200 && result.body == "true";
    }

    // How many passing Connect instances of `service` the agent lists.
    int passing(const QString &service)
    {
        return int(
            QJsonDocument::fromJson(call("GET", agent(1) + u"/v1/health/connect/" + service + u"?passing=1").body)
                .array()
                .size());
    }

    // The counter and dashboard registrations with our own address and free
    // ports; a TCP check of each sidecar every second (the default is 10 s).
    struct OwnPorts
    {
        quint16 counterApp = 0;
        quint16 counterSidecar = freePort();
        quint16 dashboardApp = freePort();
        quint16 dashboardSidecar = freePort();
        quint16 upstream = freePort();
    };
    static QByteArray counterPayload(const OwnPorts &p)
    {
        return QStringLiteral(
                   "{\"name\": \"counter\", \"address\": \"127.0.0.1\", \"port\": %1, \"connect\": "
                   "{\"sidecar_service\": {\"port\": %2, \"check\": {\"name\": \"Connect Sidecar Listening\", "
                   "\"tcp\": \"127.0.0.1:%2\", \"interval\": \"1s\"}}}}")
            .arg(p.counterApp)
            .arg(p.counterSidecar)
            .toUtf8();
    }
    static QByteArray dashboardPayload(const OwnPorts &p, const QString &extraUpstreams = QString())
    {
        return QStringLiteral(
                   "{\"name\": \"dashboard\", \"address\": \"127.0.0.1\", \"port\": %1, \"connect\": "
                   "{\"sidecar_service\": {\"port\": %2, \"check\": {\"name\": \"Connect Sidecar Listening\", "
                   "\"tcp\": \"127.0.0.1:%2\", \"interval\": \"1s\"}, \"proxy\": {\"upstreams\": "
                   "[{\"destination_name\": \"counter\", \"local_bind_port\": %3}%4]}}}}")
            .arg(p.dashboardApp)
            .arg(p.dashboardSidecar)
            .arg(p.upstream)
            .arg(extraUpstreams)
            .toUtf8();
    }

    // The embedded counter on a free port, then both registrations with `ports`.
    [[nodiscard]] bool serveAndRegisterCountdash(apps::counter::CounterServer &counter, OwnPorts &ports)
    {
        if (!counter.listen(QHostAddress::LocalHost, 0))
            return false;
        ports.counterApp = counter.port();
        return registerCountdash(ports);
    }
    [[nodiscard]] bool registerCountdash(const OwnPorts &ports)
    {
        return registerService(counterPayload(ports)) && registerService(dashboardPayload(ports));
    }
    // Once the agent's check of the counter's sidecar passes, a GET through
    // the dashboard's upstream reaches the counter. spinUntil, not QTRY_*:
    // QTRY evaluates its condition again after it holds (one more GET).
    [[nodiscard]] bool counterAnswersThrough(quint16 upstream)
    {
        return spinUntil([&] { return passing(QStringLiteral("counter")) == 1; }, 60'000)
               && spinUntil([&] { return countIn(get(upstream)) > 0; }, 30'000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_caDir.isValid());
        // An empty design: three nodes serving Consul's API, nothing placed.
        QVERIFY(startLab(std::chrono::milliseconds(0)));
    }

    void cleanupTestCase() { stopLab(); }

    // Each test leaves the agents and the intentions as it found them.
    void cleanup()
    {
        // A test that stopped the lab and failed before starting it again
        // must not take the next tests down with it.
        if (!m_lab && !startLab(std::chrono::milliseconds(0)))
            return;
        for (const auto &[node, id] : std::as_const(m_registered))
            call("PUT", agent(node) + u"/v1/agent/service/deregister/" + id);
        m_registered.clear();
        call("DELETE", agent(0) + u"/v1/config/service-intentions/counter");
    }

    void failsInConsulsWords_data()
    {
        // Payloads and messages take %TAKEN% (a port the test holds) and
        // %FREE% (a free port).
        QTest::addColumn<QByteArrayList>("registrations");
        QTest::addColumn<bool>("byProxyId");
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("agentDown");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("exact");

        QTest::newRow("no sidecar for the ID") << QByteArrayList{} << false << QStringLiteral("nope") << false
                                               << QStringLiteral("No sidecar proxy registered for nope") << true;
        QTest::newRow("a service that is not a proxy given to -proxy-id")
            << QByteArrayList{"{\"name\": \"plain\", \"port\": 7001}"} << true << QStringLiteral("plain") << false
            << QStringLiteral("service plain is not a Connect proxy") << false;
        QTest::newRow("the sidecar of a service without one")
            << QByteArrayList{"{\"name\": \"plain\", \"port\": 7001}"} << false << QStringLiteral("plain") << false
            << QStringLiteral("No sidecar proxy registered for plain") << true;
        const QByteArray proxyA = "{\"kind\": \"connect-proxy\", \"id\": \"web-proxy-a\", \"name\": \"web-proxy\", "
                                  "\"address\": \"127.0.0.1\", \"port\": %FREE%, \"proxy\": "
                                  "{\"destination_service_name\": \"web\", \"destination_service_id\": \"web\"}}";
        QByteArray proxyB = proxyA;
        proxyB.replace("web-proxy-a", "web-proxy-b").replace("\"web\"}", "\"WEB\"}");
        QTest::newRow("two sidecars for one ID (case-insensitive)")
            << QByteArrayList{proxyA, proxyB} << false << QStringLiteral("web") << false
            << QStringLiteral("More than one sidecar proxy registered for web.\n"
                              "    Start proxy with -proxy-id and one of the following IDs: web-proxy-a, web-proxy-b")
            << true;
        QTest::newRow("the agent is down") << QByteArrayList{} << false << QStringLiteral("web") << true
                                           << QStringLiteral("Failed looking up sidecar proxy info for web: "
                                                             "cannot reach Consul at ")
                                           << false;
        QTest::newRow("the public port is taken")
            << QByteArrayList{"{\"name\": \"busy\", \"address\": \"127.0.0.1\", \"port\": %FREE%, "
                              "\"connect\": {\"sidecar_service\": {\"port\": %TAKEN%}}}"}
            << false << QStringLiteral("busy") << false << QStringLiteral("public listener on 127.0.0.1:%TAKEN%: ")
            << false;
        QTest::newRow("an upstream's port is taken")
            << QByteArrayList{"{\"name\": \"busy\", \"address\": \"127.0.0.1\", \"port\": %FREE%, "
                              "\"connect\": {\"sidecar_service\": {\"port\": %FREE%, \"proxy\": {\"upstreams\": "
                              "[{\"destination_name\": \"counter\", \"local_bind_port\": %TAKEN%}]}}}}"}
            << false << QStringLiteral("busy") << false << QStringLiteral("upstream counter on 127.0.0.1:%TAKEN%: ")
            << false;
    }

    void failsInConsulsWords()
    {
        QFETCH(QByteArrayList, registrations);
        QFETCH(bool, byProxyId);
        QFETCH(QString, id);
        QFETCH(bool, agentDown);
        QFETCH(QString, expected);
        QFETCH(bool, exact);

        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const QByteArray takenPort = QByteArray::number(taken.serverPort());
        expected.replace(u"%TAKEN%"_s, QString::fromLatin1(takenPort));
        for (QByteArray payload : std::as_const(registrations)) {
            payload.replace("%TAKEN%", takenPort);
            while (payload.contains("%FREE%"))
                payload.replace(payload.indexOf("%FREE%"), 6, QByteArray::number(freePort()));
            QVERIFY(registerService(payload));
        }
        const QString address = agentDown ? QStringLiteral("127.0.0.1:%1").arg(freePort()) : agent();

        Sidecar sidecar(address, byProxyId ? AgentSidecar::Lookup::ProxyId : AgentSidecar::Lookup::SidecarFor, id);
        QTRY_VERIFY_WITH_TIMEOUT(!sidecar.failed->isEmpty(), 60'000);
        const QString reason = sidecar.failure();
        if (exact)
            QCOMPARE(reason, expected);
        else
            QVERIFY2(reason.startsWith(expected) || reason.contains(expected), qPrintable(reason));
        // Once, and nothing listens.
        QTest::qWait(200);
        QCOMPARE(sidecar.failed->size(), 1);
        QVERIFY(sidecar.ready->isEmpty());
        QCOMPARE(sidecar.sidecar->publicPort(), quint16(0));
    }

    void trafficFlowsAndIntentionsApply_data()
    {
        QTest::addColumn<bool>("seed");
        QTest::newRow("our own address and free ports") << false;
        QTest::newRow("the seed's payloads (0.0.0.0, agent-assigned sidecar ports, 9001, 8080)") << true;
    }

    void trafficFlowsAndIntentionsApply()
    {
        QFETCH(bool, seed);
        OwnPorts ports;
        apps::counter::CounterServer counter;
        counter.setHostname(QStringLiteral("counter-1"));
        QByteArray counterRegistration;
        QByteArray dashboardRegistration;
        if (seed) {
            // The blog's counter.sh and dashboard.sh, unchanged.
            if (!counter.listen(QHostAddress::LocalHost, 9001))
                QFAIL("127.0.0.1:9001 is taken on this machine; the seed's payloads need it (stop what holds it)");
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 8080))
                QFAIL("127.0.0.1:8080 is taken on this machine; the seed's dashboard upstream needs it (stop what "
                      "holds it)");
            probe.close();
            ports.counterApp = 9001;
            ports.upstream = 8080;
            counterRegistration = "{ \"name\": \"counter\", \"port\": 9001, \"connect\": { \"sidecar_service\": {} } }";
            dashboardRegistration = "{ \"name\": \"dashboard\", \"port\": 9002, \"connect\": { \"sidecar_service\": { "
                                    "\"proxy\": { \"upstreams\": [ { \"destination_name\": \"counter\", "
                                    "\"local_bind_port\": 8080 } ] } } } }";
        } else {
            QVERIFY(counter.listen(QHostAddress::LocalHost, 0));
            ports.counterApp = counter.port();
            counterRegistration = counterPayload(ports);
            dashboardRegistration = dashboardPayload(ports);
        }
        QVERIFY(registerService(counterRegistration));
        QVERIFY(registerService(dashboardRegistration));

        CountdashSidecars sidecars(agent());
        QVERIFY2(sidecars.waitUntilReady(30'000), qPrintable(sidecars.report()));

        // What `consul connect proxy` prints, with the agent's values.
        QVERIFY(sidecars.counter.said(QStringLiteral("    Sidecar for ID: counter")));
        QVERIFY(sidecars.counter.said(QStringLiteral("          Proxy ID: counter-sidecar-proxy")));
        const quint16 publicPort = sidecars.counter.sidecar->publicPort();
        if (seed) {
            // No Address: every address, on the port the agent assigned (node one: 21000–21255).
            QVERIFY2(publicPort >= 21000 && publicPort <= 21255, qPrintable(QString::number(publicPort)));
            QVERIFY2(sidecars.counter.said(
                         QStringLiteral("   Public listener: 0.0.0.0:%1 => 127.0.0.1:9001 (counter)").arg(publicPort)),
                     qPrintable(sidecars.counter.messages.join(u'\n')));
        } else {
            QCOMPARE(publicPort, ports.counterSidecar);
            QVERIFY2(sidecars.counter.said(QStringLiteral("   Public listener: 127.0.0.1:%1 => 127.0.0.1:%2 (counter)")
                                               .arg(ports.counterSidecar)
                                               .arg(ports.counterApp)),
                     qPrintable(sidecars.counter.messages.join(u'\n')));
        }
        QVERIFY2(
            sidecars.dashboard.said(QStringLiteral("          Upstream: counter => 127.0.0.1:%1").arg(ports.upstream)),
            qPrintable(sidecars.dashboard.messages.join(u'\n')));

        // Once the agent's check of the counter's sidecar passes (the seed's
        // default check runs every 10 s), a GET through the upstream port
        // reaches the counter over mTLS.
        QTRY_VERIFY_WITH_TIMEOUT(passing(QStringLiteral("counter")) == 1, 60'000);
        QByteArray body;
        QTRY_VERIFY_WITH_TIMEOUT(countIn(body = get(ports.upstream)) > 0, 30'000);
        QVERIFY2(body.contains("\"hostname\":\"counter-1\""), body.constData());
        const quint64 first = countIn(body);
        QCOMPARE(countIn(get(ports.upstream)), first + 1);

        // Deny dashboard → counter: the next connection is closed unanswered
        // and the counter's sidecar says why; the counter counts nothing.
        proxy::ProxyMetrics *metrics = sidecars.counter.sidecar->inboundMetrics();
        QVERIFY(metrics);
        const quint64 deniedBefore = metrics->snapshot().refusalCount(pki::RefusalReason::Denied);
        QVERIFY(writeIntention(QStringLiteral("dashboard"), QStringLiteral("counter"), QStringLiteral("deny")));
        // The one log line a person running the proxy sees (meshpad.proxy),
        // with the agent's reason; QTest fails the test if it never comes.
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral(
                                            "^inbound counter refused \\S+ denied \\(spiffe://\\S+/svc/dashboard: "
                                            "Matched L4 intention: dashboard => counter \\(deny\\)\\)$")));
        QCOMPARE(get(ports.upstream), QByteArray());
        QCOMPARE(counter.count(), first + 1);
        QTRY_VERIFY(metrics->snapshot().refusalCount(pki::RefusalReason::Denied) > deniedBefore);

        // Allow again: the next connection works.
        QVERIFY(writeIntention(QStringLiteral("dashboard"), QStringLiteral("counter"), QStringLiteral("allow")));
        QCOMPARE(countIn(get(ports.upstream)), first + 2);
        QVERIFY(sidecars.counter.failed->isEmpty());
        QVERIFY(sidecars.dashboard.failed->isEmpty());
    }

    void reRegistrationAddsAnUpstream()
    {
        OwnPorts ports;
        apps::counter::CounterServer counter;
        QVERIFY(serveAndRegisterCountdash(counter, ports));
        CountdashSidecars sidecars(agent());
        QVERIFY2(sidecars.waitUntilReady(30'000), qPrintable(sidecars.report()));

        // The dashboard registered again with a second upstream (the same
        // counter on another local port): the sidecar adds that listener and
        // keeps the first.
        const quint16 second = freePort();
        QVERIFY(registerService(dashboardPayload(
            ports, QStringLiteral(", {\"destination_name\": \"counter\", \"local_bind_port\": %1}").arg(second))));
        const QString added = QStringLiteral("          Upstream: counter => 127.0.0.1:%1").arg(second);
        QTRY_VERIFY_WITH_TIMEOUT(sidecars.dashboard.said(added), 30'000);
        QCOMPARE(sidecars.dashboard.countOf(QStringLiteral("Upstream: counter => 127.0.0.1:%1").arg(ports.upstream)),
                 1);
        QTRY_VERIFY_WITH_TIMEOUT(passing(QStringLiteral("counter")) == 1, 60'000);
        QTRY_VERIFY_WITH_TIMEOUT(countIn(get(second)) > 0, 30'000);
        QVERIFY(countIn(get(ports.upstream)) > 0);
        QCOMPARE(sidecars.dashboard.ready->size(), 1);
        QVERIFY(sidecars.dashboard.failed->isEmpty());
    }

    void cliReportsInConsulsWords_data()
    {
        QTest::addColumn<QStringList>("arguments"); // %AGENT%: node one's address; %CLOSED%: a closed port
        QTest::addColumn<QString>("expected");
        QTest::newRow("no sidecar for the ID")
            << QStringList{u"proxy"_s, u"-sidecar-for"_s, u"nope"_s, u"-http-addr"_s, u"%AGENT%"_s}
            << QStringLiteral("meshpad proxy: No sidecar proxy registered for nope\n");
        QTest::newRow("the agent is down")
            << QStringList{u"proxy"_s, u"-sidecar-for"_s, u"nope"_s, u"-http-addr"_s, u"127.0.0.1:%CLOSED%"_s}
            << QStringLiteral("meshpad proxy: Failed looking up sidecar proxy info for nope: cannot reach Consul at ");
        QTest::newRow("-proxy-id of a service that is not a proxy")
            << QStringList{u"proxy"_s, u"-proxy-id"_s, u"plain"_s, u"-http-addr"_s, u"%AGENT%"_s}
            << QStringLiteral("meshpad proxy: service plain is not a Connect proxy");
    }

    void cliReportsInConsulsWords()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        QVERIFY(registerService("{\"name\": \"plain\", \"port\": 7001}"));
        const QString closed = QString::number(freePort());
        for (QString &argument : arguments)
            argument.replace(u"%AGENT%"_s, agent()).replace(u"%CLOSED%"_s, closed);
        QProcess meshpad;
        meshpad.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"), arguments);
        QVERIFY(meshpad.waitForStarted(30'000));
        // The lab answers on this thread's peer: keep the loop running.
        QTRY_VERIFY_WITH_TIMEOUT(meshpad.state() == QProcess::NotRunning, 90'000);
        const QString err = QString::fromUtf8(meshpad.readAllStandardError());
        QCOMPARE(meshpad.exitStatus(), QProcess::NormalExit);
        QCOMPARE(meshpad.exitCode(), 2);
        QVERIFY2(err.contains(expected), qPrintable(err));
    }

    void cliRunsUntilTerminated()
    {
        OwnPorts ports;
        ports.counterApp = freePort();
        QVERIFY(registerService(counterPayload(ports)));
        QProcess meshpad;
        meshpad.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"),
                      {u"proxy"_s, u"-sidecar-for"_s, u"counter"_s, u"-http-addr"_s, agent()});
        QVERIFY(meshpad.waitForStarted(30'000));
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += meshpad.readAllStandardError()).contains("meshpad proxy: running\n")
                                     || meshpad.state() == QProcess::NotRunning,
                                 30'000);
        QVERIFY2(err.contains("meshpad proxy: running\n"), err.constData());
        QVERIFY2(err.contains(QStringLiteral("   Public listener: 127.0.0.1:%1 => 127.0.0.1:%2 (counter)")
                                  .arg(ports.counterSidecar)
                                  .arg(ports.counterApp)
                                  .toUtf8()),
                 err.constData());
        // The agent's check of the public listener passes.
        QTRY_VERIFY_WITH_TIMEOUT(passing(QStringLiteral("counter")) == 1, 60'000);
        meshpad.terminate();
        QTRY_VERIFY_WITH_TIMEOUT(meshpad.state() == QProcess::NotRunning, 30'000);
        err += meshpad.readAllStandardError();
        QCOMPARE(meshpad.exitCode(), 0);
        QVERIFY2(err.endsWith("meshpad proxy: stopped\n"), err.constData());
    }

    // F11: the control plane goes away. Both sidecars follow the lab's
    // agent on node one; the lab stops, so that agent's HTTP API is gone.
    // What holds (mesh/proxy/agentsidecar.cpp, consulresolver.cpp,
    // consulauthorizer.cpp):
    // - a connection opened before keeps working: nothing on its path asks
    //   the agent;
    // - neither sidecar gives up (no failed()); both say "(retrying)" and
    //   keep every listener open; the dashboard's upstream keeps the last
    //   instances it had;
    // - a new connection is refused by the counter's inbound listener: it
    //   asks the agent to authorize every caller, and no answer is no
    //   permission (Denied "cannot ask the agent"), as Consul's built-in
    //   proxy fails a handshake whose authorize call fails (hashicorp/consul:
    //   connect/tls.go, newServerSideVerifier);
    // - once the agent answers on the same address again, a new connection
    //   is answered.
    void agentGoneKeepsOpenConnectionsAndCachedConfig()
    {
        OwnPorts ports;
        apps::counter::CounterServer counter;
        QVERIFY(serveAndRegisterCountdash(counter, ports));
        CountdashSidecars sidecars(agent());
        QVERIFY2(sidecars.waitUntilReady(30'000), qPrintable(sidecars.report()));
        QVERIFY(counterAnswersThrough(ports.upstream));

        QTcpSocket open;
        QVERIFY(connectSocket(open, ports.upstream));
        const quint64 before = countIn(getOn(open));
        QVERIFY(before > 0);
        proxy::ProxyMetrics *metrics = sidecars.counter.sidecar->inboundMetrics();
        QVERIFY(metrics);
        const quint64 deniedBefore = metrics->snapshot().refusalCount(pki::RefusalReason::Denied);

        const QString agentAddress = agent();
        const QUrl agentUrl = QUrl::fromUserInput(agentAddress);
        QVERIFY2(agentUrl.port() > 0, qPrintable(agentAddress));
        stopLab();
        QTcpSocket agentProbe;
        agentProbe.connectToHost(agentUrl.host(), quint16(agentUrl.port()));
        QTRY_VERIFY_WITH_TIMEOUT(agentProbe.state() == QAbstractSocket::UnconnectedState, 10'000);
        QCOMPARE(agentProbe.error(), QAbstractSocket::ConnectionRefusedError);

        // The open connection still answers.
        QCOMPARE(open.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(countIn(getOn(open)), before + 1);
        // Both sidecars notice and carry on.
        QTRY_VERIFY2_WITH_TIMEOUT(
            sidecars.counter.said(QStringLiteral("(retrying)"))
                && sidecars.dashboard.said(QStringLiteral("(retrying)")),
            qPrintable(sidecars.counter.messages.join(u'\n') + u'\n' + sidecars.dashboard.messages.join(u'\n')),
            30'000);

        // A new connection reaches the counter's sidecar (the dashboard's
        // upstream kept its instance) and is refused there: fail closed.
        QTest::ignoreMessage(
            QtInfoMsg,
            QRegularExpression(QStringLiteral(
                "^inbound counter refused \\S+ denied \\(spiffe://\\S+/svc/dashboard: cannot ask the agent: .+\\)$")));
        QElapsedTimer refusal;
        refusal.start();
        QCOMPARE(get(ports.upstream), QByteArray());
        qInfo("with the agent gone a new connection was closed unanswered after %lld ms", refusal.elapsed());
        QTRY_COMPARE(metrics->snapshot().refusalCount(pki::RefusalReason::Denied), deniedBefore + 1);
        QCOMPARE(counter.count(), before + 1);
        // Every listener still listens.
        QCOMPARE(sidecars.counter.sidecar->publicPort(), ports.counterSidecar);
        for (quint16 port : {ports.counterSidecar, ports.upstream}) {
            QTcpSocket probe;
            QVERIFY2(connectSocket(probe, port), qPrintable(QString::number(port)));
        }
        QVERIFY(sidecars.counter.failed->isEmpty());
        QVERIFY(sidecars.dashboard.failed->isEmpty());

        // The agent is back where it was (its registrations made again, as a
        // restarted agent reloads them): new connections are answered.
        QVERIFY(startLab(std::chrono::milliseconds(0), quint16(agentUrl.port())));
        QVERIFY2(agent() == agentAddress,
                 qPrintable(QStringLiteral("the lab came back on %1, not %2 (another lab took its address)")
                                .arg(agent(), agentAddress)));
        QVERIFY(registerCountdash(ports));
        QElapsedTimer back;
        back.start();
        QByteArray body;
        // spinUntil, not QTRY_*: QTRY evaluates its condition again after it
        // holds, and each evaluation here is a GET the counter counts.
        QVERIFY(spinUntil([&] { return countIn(body = get(ports.upstream)) > 0; }, 60'000));
        qInfo("with the agent back a new connection was answered after %lld ms", back.elapsed());
        QCOMPARE(countIn(body), before + 2);
        QCOMPARE(countIn(getOn(open)), before + 3);
        QCOMPARE(sidecars.counter.ready->size(), 1);
        QCOMPARE(sidecars.dashboard.ready->size(), 1);
        QVERIFY(sidecars.counter.failed->isEmpty());
        QVERIFY(sidecars.dashboard.failed->isEmpty());
    }

    // Last: it runs its own lab that rotates every service's leaf often.
    void rotationKeepsOpenConnectionsAndNewOnesUseTheNewLeaf()
    {
        cleanup();
        stopLab();
        QVERIFY(startLab(std::chrono::milliseconds(3'000)));

        OwnPorts ports;
        apps::counter::CounterServer counter;
        QVERIFY(serveAndRegisterCountdash(counter, ports));
        CountdashSidecars sidecars(agent());
        QVERIFY2(sidecars.waitUntilReady(30'000), qPrintable(sidecars.report()));
        QVERIFY(counterAnswersThrough(ports.upstream));

        // One connection through the upstream, open across a rotation.
        QTcpSocket open;
        QVERIFY(connectSocket(open, ports.upstream));
        const quint64 before = countIn(getOn(open));
        QVERIFY(before > 0);
        const qsizetype counterRotations = sidecars.counter.countOf(kNewCertificates);
        const qsizetype dashboardRotations = sidecars.dashboard.countOf(kNewCertificates);
        QTRY_VERIFY_WITH_TIMEOUT(sidecars.counter.countOf(kNewCertificates) > counterRotations
                                     && sidecars.dashboard.countOf(kNewCertificates) > dashboardRotations,
                                 30'000);
        QCOMPARE(open.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(countIn(getOn(open)), before + 1);         // the same connection, still answered
        QCOMPARE(countIn(get(ports.upstream)), before + 2); // and a new one works

        // A caller with the dashboard's leaf from the agent sees the counter's
        // sidecar present the counter's current leaf. Leaves rotate every 3 s,
        // so this is retried until the agent's answer and the handshake fall
        // between two rotations.
        const auto presentsCurrentLeaf = [&] {
            const QJsonObject dashboardLeaf = call("GET", agent() + u"/v1/agent/connect/ca/leaf/dashboard").object();
            const QJsonObject counterLeaf = call("GET", agent() + u"/v1/agent/connect/ca/leaf/counter").object();
            const QList<QSslCertificate> roots
                = QSslCertificate::fromData(call("GET", agent() + u"/v1/agent/connect/ca/roots")
                                                .object()
                                                .value(u"Roots")
                                                .toArray()
                                                .at(0)
                                                .toObject()
                                                .value(u"RootCert")
                                                .toString()
                                                .toUtf8());
            const QList<QSslCertificate> current
                = QSslCertificate::fromData(counterLeaf.value(u"CertPEM").toString().toUtf8());
            const QList<QSslCertificate> mine
                = QSslCertificate::fromData(dashboardLeaf.value(u"CertPEM").toString().toUtf8());
            if (roots.isEmpty() || current.isEmpty() || mine.isEmpty())
                return false;
            QSslSocket socket;
            QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
            configuration.setCaCertificates(roots);
            configuration.setLocalCertificateChain(mine);
            configuration.setPrivateKey(
                QSslKey(dashboardLeaf.value(u"PrivateKeyPEM").toString().toUtf8(), QSsl::Ec, QSsl::Pem));
            // The leaf names a SPIFFE URI, no host: the chain is checked, the name is not.
            configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
            socket.setSslConfiguration(configuration);
            connect(&socket, &QSslSocket::sslErrors, &socket, [&socket](const QList<QSslError> &errors) {
                QList<QSslError> ignorable;
                for (const QSslError &error : errors) {
                    if (error.error() == QSslError::HostNameMismatch)
                        ignorable.append(error);
                }
                socket.ignoreSslErrors(ignorable);
            });
            socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), ports.counterSidecar);
            spinUntil([&] { return socket.isEncrypted() || socket.state() == QAbstractSocket::UnconnectedState; },
                      15'000);
            return socket.isEncrypted() && socket.peerCertificate() == current.constFirst();
        };
        const QSslCertificate first
            = QSslCertificate::fromData(call("GET", agent() + u"/v1/agent/connect/ca/leaf/counter")
                                            .object()
                                            .value(u"CertPEM")
                                            .toString()
                                            .toUtf8())
                  .value(0);
        QTRY_VERIFY_WITH_TIMEOUT(presentsCurrentLeaf(), 30'000);
        // …and after the next rotation, the next leaf.
        const qsizetype seen = sidecars.counter.countOf(kNewCertificates);
        QTRY_VERIFY_WITH_TIMEOUT(sidecars.counter.countOf(kNewCertificates) > seen, 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(presentsCurrentLeaf(), 30'000);
        const QSslCertificate now
            = QSslCertificate::fromData(call("GET", agent() + u"/v1/agent/connect/ca/leaf/counter")
                                            .object()
                                            .value(u"CertPEM")
                                            .toString()
                                            .toUtf8())
                  .value(0);
        QVERIFY(!first.isNull());
        QVERIFY(now != first);
        QCOMPARE(open.state(), QAbstractSocket::ConnectedState);
        QVERIFY(sidecars.counter.failed->isEmpty());
        QVERIFY(sidecars.dashboard.failed->isEmpty());
    }
};

QTEST_MAIN(TestAgentSidecar)
#include "tst_agentsidecar.moc"
