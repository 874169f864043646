// The dashboard's HTTP routes, its fetching of the counting service (success,
// every kind of failure, the 2 s deadline, a new connection per fetch) and
// the WebSocket push, on real sockets; the executable as a child process.
// The page itself is tested in Chromium (tests/browser/dashboard.test.mjs).

#include "counterserver.h"
#include "dashboardserver.h"
#include "httpserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <csignal>

using apps::counter::CounterServer;
using apps::dashboard::DashboardServer;
using apps::dashboard::FetchResult;
using namespace std::chrono_literals;

namespace {

struct Reply
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
};

// A GET through QNetworkAccessManager while the event loop keeps the
// in-process servers running.
Reply httpGet(quint16 port, const QString &path)
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)));
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(5000);
    Reply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    r.body = reply->readAll();
    delete reply;
    return r;
}

FetchResult fetchOnce(DashboardServer &dashboard)
{
    QSignalSpy completed(&dashboard, &DashboardServer::fetchCompleted);
    dashboard.fetchNow();
    if (!completed.wait(10000))
        return FetchResult::failure(QStringLiteral("test: no fetchCompleted"), {});
    return completed.first().first().value<FetchResult>();
}

// A port on which nothing listens (bound, then released).
quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

QString executablePath(const char *name)
{
    return QStringLiteral(MESHPAD_BINARY_DIR "/apps/bin/") + QLatin1StringView(name);
}

} // namespace

class TestDashboard final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void routes_data();
    void routes();
    void defaults();
    void fetchReadsTheCounter();
    void fetchIgnoresStatusAndUsesUrlAsGiven();
    void fetchFailures_data();
    void fetchFailures();
    void fetchTimesOutAfterTwoSeconds();
    void healthApiAndMetricsFollowFetches();
    void pagesArePushedUpdates();
    void executable_data();
    void executable();
};

void TestDashboard::initTestCase()
{
    qRegisterMetaType<FetchResult>();
}

void TestDashboard::routes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("bodyContains");

    QTest::newRow("/health") << "/health" << 200 << QByteArray("text/plain; charset=utf-8")
                             << QByteArray("Hello, you've hit /health\n");
    QTest::newRow("/health/api before any fetch")
        << "/health/api" << 503 << QByteArray("text/plain; charset=utf-8") << QByteArray("failures: 0");
    QTest::newRow("/metrics") << "/metrics" << 200 << QByteArray("text/plain; version=0.0.4; charset=utf-8")
                              << QByteArray("# TYPE dashboard_fetches_total counter\ndashboard_fetches_total 0\n");
    QTest::newRow("/ is the page") << "/" << 200 << QByteArray("text/html; charset=utf-8")
                                   << QByteArray("<title>Tutorial: Counter via Service</title>");
    QTest::newRow("/index.html") << "/index.html" << 200 << QByteArray("text/html; charset=utf-8")
                                 << QByteArray("id=\"connection-status\"");
    QTest::newRow("/app.js") << "/app.js" << 200 << QByteArray("text/javascript; charset=utf-8")
                             << QByteArray("Counting Service is Unreachable");
    QTest::newRow("/styles.css") << "/styles.css" << 200 << QByteArray("text/css; charset=utf-8")
                                 << QByteArray("#c62a71");
    QTest::newRow("/ws without upgrade") << "/ws" << 400 << QByteArray("text/plain; charset=utf-8")
                                         << QByteArray("WebSocket");
    QTest::newRow("unknown path") << "/dependencies/jquery-3.2.1.min.js" << 404
                                  << QByteArray("text/plain; charset=utf-8") << QByteArray("404 page not found\n");
}

void TestDashboard::routes()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, bodyContains);

    DashboardServer dashboard;
    QVERIFY(dashboard.listen(QHostAddress::LocalHost, 0));
    const Reply r = httpGet(dashboard.port(), path);
    QCOMPARE(r.status, status);
    QCOMPARE(r.contentType, contentType);
    QVERIFY2(r.body.contains(bodyContains), r.body.constData());
}

void TestDashboard::defaults()
{
    DashboardServer dashboard;
    QCOMPARE(dashboard.countingServiceUrl(), QStringLiteral("http://localhost:9001"));
    QCOMPARE(dashboard.updateInterval(), 1000ms);
    QCOMPARE(dashboard.connectedPages(), 0);
    QVERIFY(!dashboard.lastResult());
}

void TestDashboard::fetchReadsTheCounter()
{
    CounterServer counter;
    counter.setHostname(QStringLiteral("counter-7"));
    QVERIFY(counter.listen(QHostAddress::LocalHost, 0));
    DashboardServer dashboard;
    dashboard.setCountingServiceUrl(QStringLiteral("http://127.0.0.1:%1").arg(counter.port()));

    for (qint64 expected = 1; expected <= 3; ++expected) {
        const FetchResult r = fetchOnce(dashboard);
        QVERIFY2(r.reachable, qPrintable(r.message));
        QCOMPARE(r.count, expected);
        QCOMPARE(r.hostname, QStringLiteral("counter-7"));
        QCOMPARE(r.message, QString());
        QVERIFY(r.latency > 0us);
        QCOMPARE(r.toJson(),
                 "{\"count\":" + QByteArray::number(expected) + ",\"message\":\"\",\"hostname\":\"counter-7\"}");
    }
    // No connection reuse: each fetch opened its own connection.
    QCOMPARE(counter.httpServer()->acceptedConnections(), quint64(3));
}

void TestDashboard::fetchIgnoresStatusAndUsesUrlAsGiven()
{
    // A stand-in service that records what it was asked and answers 500 with
    // a valid body: the original ignores the status.
    apps::http::HttpServer service;
    QByteArray target;
    QByteArray userAgent;
    service.setHandler([&](const apps::http::Request &request, apps::http::Response &response) {
        target = request.target.toByteArray();
        userAgent = request.header("user-agent").toByteArray();
        response.status = 500;
        response.contentType = "application/json";
        response.body = R"({"count":42,"hostname":"behind-a-proxy","message":"hi","extra":true})";
    });
    QVERIFY(service.listen(QHostAddress::LocalHost, 0));
    DashboardServer dashboard;
    dashboard.setCountingServiceUrl(QStringLiteral("http://127.0.0.1:%1/exact/path?x=1").arg(service.port()));

    const FetchResult r = fetchOnce(dashboard);
    QVERIFY2(r.reachable, qPrintable(r.message));
    QCOMPARE(r.count, qint64(42));
    QCOMPARE(r.hostname, QStringLiteral("behind-a-proxy"));
    QCOMPARE(r.message, QStringLiteral("hi"));
    QCOMPARE(target, QByteArray("/exact/path?x=1"));
    QCOMPARE(userAgent, QByteArray("HashiCorp Training Lab"));
}

void TestDashboard::fetchFailures_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("body"); // served by a stand-in when url has %1
    QTest::addColumn<QString>("messageContains");

    QTest::newRow("connection refused") << QStringLiteral("http://127.0.0.1:%1/").arg(closedPort()) << QByteArray()
                                        << QStringLiteral("refused");
    QTest::newRow("set but empty URL") << QString() << QByteArray()
                                       << QStringLiteral("unsupported protocol scheme \"\"");
    QTest::newRow("URL without a scheme") << QStringLiteral("localhost:9001") << QByteArray()
                                          << QStringLiteral("unsupported protocol scheme \"localhost\"");
    QTest::newRow("proxy error text instead of JSON")
        << QStringLiteral("http://127.0.0.1:%1/") << QByteArray("upstream connect error or disconnect/reset")
        << QStringLiteral("invalid response");
    QTest::newRow("count is not a number")
        << QStringLiteral("http://127.0.0.1:%1/") << QByteArray(R"({"count":"many"})") << QStringLiteral("count");
    QTest::newRow("JSON array") << QStringLiteral("http://127.0.0.1:%1/") << QByteArray("[1,2]")
                                << QStringLiteral("not a JSON object");
}

void TestDashboard::fetchFailures()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, body);
    QFETCH(QString, messageContains);

    apps::http::HttpServer service;
    service.setHandler([&](const apps::http::Request &, apps::http::Response &response) {
        response.status = 503;
        response.body = body;
    });
    QVERIFY(service.listen(QHostAddress::LocalHost, 0));
    if (url.contains(u"%1"))
        url = url.arg(service.port());

    DashboardServer dashboard;
    dashboard.setCountingServiceUrl(url);
    QCOMPARE(dashboard.countingServiceUrl(), url);
    const FetchResult r = fetchOnce(dashboard);
    QVERIFY(!r.reachable);
    QCOMPARE(r.count, qint64(-1));
    QCOMPARE(r.hostname, QStringLiteral("[Unreachable]"));
    QVERIFY2(r.message.contains(messageContains), qPrintable(r.message));
    QCOMPARE(r.toJson().left(12), QByteArray("{\"count\":-1,"));
}

void TestDashboard::fetchTimesOutAfterTwoSeconds()
{
    // Accepts connections and never answers.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    DashboardServer dashboard;
    dashboard.setCountingServiceUrl(QStringLiteral("http://127.0.0.1:%1/").arg(silent.serverPort()));
    QElapsedTimer timer;
    timer.start();
    const FetchResult r = fetchOnce(dashboard);
    const qint64 ms = timer.elapsed();
    QVERIFY(!r.reachable);
    QCOMPARE(r.hostname, QStringLiteral("[Unreachable]"));
    QVERIFY2(r.message.contains(u"timed out after 2000 ms"), qPrintable(r.message));
    QVERIFY2(ms >= 1900 && ms < 3500, qPrintable(QString::number(ms)));
}

void TestDashboard::healthApiAndMetricsFollowFetches()
{
    CounterServer counter;
    QVERIFY(counter.listen(QHostAddress::LocalHost, 0));
    DashboardServer dashboard;
    QVERIFY(dashboard.listen(QHostAddress::LocalHost, 0));
    dashboard.setCountingServiceUrl(QStringLiteral("http://127.0.0.1:%1").arg(counter.port()));

    QVERIFY(fetchOnce(dashboard).reachable);
    Reply r = httpGet(dashboard.port(), QStringLiteral("/health/api"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("ok"));

    dashboard.setCountingServiceUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort()));
    QVERIFY(!fetchOnce(dashboard).reachable);
    QVERIFY(!fetchOnce(dashboard).reachable);
    r = httpGet(dashboard.port(), QStringLiteral("/health/api"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.body, QByteArray("failures: 2"));

    r = httpGet(dashboard.port(), QStringLiteral("/metrics"));
    QVERIFY(r.body.contains("\ndashboard_fetches_total 3\n"));
    QVERIFY(r.body.contains("\ndashboard_fetch_failures_total 2\n"));
    QVERIFY(r.body.contains("\ndashboard_connected_pages 0\n"));
    QVERIFY(r.body.contains("# TYPE dashboard_last_fetch_latency_seconds gauge\n"));
    const QByteArray latencyLine
        = r.body.mid(r.body.indexOf("\ndashboard_last_fetch_latency_seconds ") + 1).split('\n').first();
    bool ok = false;
    const double latency = latencyLine.split(' ').last().toDouble(&ok);
    QVERIFY(ok && latency > 0 && latency < 2.5);

    dashboard.setCountingServiceUrl(QStringLiteral("http://127.0.0.1:%1").arg(counter.port()));
    QVERIFY(fetchOnce(dashboard).reachable);
    QCOMPARE(httpGet(dashboard.port(), QStringLiteral("/health/api")).status, 200);
}

void TestDashboard::pagesArePushedUpdates()
{
    CounterServer counter;
    counter.setHostname(QStringLiteral("h"));
    QVERIFY(counter.listen(QHostAddress::LocalHost, 0));
    DashboardServer dashboard;
    dashboard.setUpdateInterval(100ms);
    dashboard.setCountingServiceUrl(QStringLiteral("http://127.0.0.1:%1").arg(counter.port()));
    QVERIFY(dashboard.listen(QHostAddress::LocalHost, 0));
    QSignalSpy pages(&dashboard, &DashboardServer::connectedPagesChanged);

    QWebSocket page;
    QStringList messages;
    connect(&page, &QWebSocket::textMessageReceived, this, [&](const QString &m) { messages << m; });
    page.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(dashboard.port())));
    QTRY_COMPARE(dashboard.connectedPages(), 1);
    QCOMPARE(pages.count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(messages.size() >= 5, 5000);
    QCOMPARE(messages.first(), QStringLiteral("{\"count\":1,\"message\":\"\",\"hostname\":\"h\"}"));
    for (qsizetype i = 1; i < messages.size(); ++i) {
        const auto object = QJsonDocument::fromJson(messages[i].toUtf8()).object();
        QCOMPARE(object.value(u"count").toInteger(), i + 1);
    }
    // The page is served on the same port it is pushed on.
    QCOMPARE(httpGet(dashboard.port(), QStringLiteral("/metrics")).body.contains("dashboard_connected_pages 1\n"),
             true);

    // The counter goes away: pages hear about it at the next fetch.
    counter.close();
    QTRY_VERIFY_WITH_TIMEOUT(messages.last().startsWith(u"{\"count\":-1,"), 3000);
    QVERIFY(messages.last().contains(u"\"hostname\":\"[Unreachable]\""));

    // The last page leaves: no more fetches.
    page.close();
    QTRY_COMPARE(dashboard.connectedPages(), 0);
    QTest::qWait(100);
    const quint64 fetches = dashboard.fetchCount();
    QTest::qWait(400);
    QCOMPARE(dashboard.fetchCount(), fetches);
}

void TestDashboard::executable_data()
{
    QTest::addColumn<bool>("setUrl");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expectedUrl");
    QTest::addColumn<int>("signalNumber");

    QTest::newRow("unset URL → default, SIGTERM")
        << false << QString() << QStringLiteral("http://localhost:9001") << int(SIGTERM);
    QTest::newRow("set but empty URL is used, SIGINT") << true << QString() << QString() << int(SIGINT);
    QTest::newRow("given URL, SIGTERM") << true << QStringLiteral("http://counting.service.consul:9001")
                                        << QStringLiteral("http://counting.service.consul:9001") << int(SIGTERM);
}

void TestDashboard::executable()
{
    QFETCH(bool, setUrl);
    QFETCH(QString, url);
    QFETCH(QString, expectedUrl);
    QFETCH(int, signalNumber);

    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PORT"), QStringLiteral("0"));
    env.remove(QStringLiteral("COUNTING_SERVICE_URL"));
    if (setUrl)
        env.insert(QStringLiteral("COUNTING_SERVICE_URL"), url);
    process.setProcessEnvironment(env);
    process.start(executablePath("dashboard"));
    QVERIFY(process.waitForStarted());
    QByteArray out;
    while (out.count('\n') < 5 && process.waitForReadyRead(5000))
        out += process.readAllStandardOutput();
    const QByteArrayList lines = out.split('\n');
    QVERIFY2(lines.size() >= 5, out.constData());
    QVERIFY(lines[0].startsWith("Starting server on http://0.0.0.0:"));
    QCOMPARE(lines[1], QByteArray("(Pass as PORT environment variable)"));
    QCOMPARE(lines[2], "Using counting service at " + expectedUrl.toUtf8());
    QCOMPARE(lines[3], QByteArray("(Pass as COUNTING_SERVICE_URL environment variable)"));
    QCOMPARE(lines[4], QByteArray("Starting websocket server..."));
    const quint16 port = quint16(lines[0].mid(lines[0].lastIndexOf(':') + 1).toUInt());
    QVERIFY(port != 0);

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(socket.waitForConnected(3000));
    socket.write("GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
    QByteArray response;
    while (!response.endsWith("/health\n") && socket.waitForReadyRead(3000))
        response += socket.readAll();
    QVERIFY(response.startsWith("HTTP/1.1 200 OK\r\n"));

    ::kill(pid_t(process.processId()), signalNumber);
    QVERIFY(process.waitForFinished(5000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestDashboard)
#include "tst_dashboard.moc"
