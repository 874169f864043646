// mesh/api, mesh/consul, mesh/nomad against a loopback HTTP server that
// misbehaves on purpose: refused, stalls, error statuses, garbage, a
// 100 MB answer, an index that goes backwards, cancellation, TLS with the
// right and the wrong CA, a unix socket; the CLIs' environment variables;
// every request body checked against the API schemas.

#include "api/apiclient.h"
#include "api/blockingwatch.h"
#include "api/canceltoken.h"
#include "consul/consulclient.h"
#include "consul/consulconfig.h"
#include "nomad/nomadclient.h"
#include "nomad/nomadconfig.h"
#include "pki/certificateauthority.h"
#include "pki/certificatebuilder.h"

#include "apischemachecker.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <QCoro/QCoroTask>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using mesh::Error;
using mesh::api::ApiClient;
using mesh::api::ApiEndpoint;
using mesh::api::ApiRequest;

namespace {

struct SeenRequest
{
    QByteArray method;
    QByteArray target; // path?query
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
    QUrlQuery query() const
    {
        const qsizetype q = target.indexOf('?');
        return QUrlQuery(q < 0 ? QString() : QString::fromLatin1(target.mid(q + 1)));
    }
    QByteArray path() const { return target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')); }
};

// One reply the handler chooses for a request.
struct Reply
{
    int status = 200;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    bool stall = false;     // never answer
    qint64 streamBytes = 0; // answer this many bytes of 'x', produced as the client reads
    bool chunked = false;
};

// A raw HTTP/1.1 server on 127.0.0.1 (or on TLS, or on a unix socket) that
// answers each request with what `handler` returns, and counts what it saw.
class RawHttpServer : public QObject
{
public:
    std::function<Reply(const SeenRequest &)> handler = [](const SeenRequest &) { return Reply{}; };
    QList<SeenRequest> seen;
    int disconnects = 0;
    QSslCertificate certificate;
    QSslKey key;
    QList<QSslCertificate> chain;

    bool listenTcp()
    {
        connect(&m_tcp, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *s = m_tcp.nextPendingConnection())
                adopt(s);
        });
        return m_tcp.listen(QHostAddress::LocalHost, 0);
    }
    // TLS on the same QTcpServer: QSslSocket::startServerEncryption (no
    // QSslServer in Qt 6.4).
    bool listenTls()
    {
        m_tls = true;
        m_tcp.onDescriptor = [this](qintptr descriptor) {
            auto *socket = new QSslSocket(this);
            if (!socket->setSocketDescriptor(descriptor)) {
                delete socket;
                return;
            }
            socket->setLocalCertificate(certificate);
            socket->setPrivateKey(key);
            socket->setPeerVerifyMode(QSslSocket::VerifyNone);
            adoptDevice(socket);
            socket->startServerEncryption();
        };
        return m_tcp.listen(QHostAddress::LocalHost, 0);
    }
    bool listenUnix(const QString &path)
    {
        connect(&m_local, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *s = m_local.nextPendingConnection())
                adoptDevice(s);
        });
        return m_local.listen(path);
    }
    quint16 port() const { return m_tcp.serverPort(); }
    QString url() const { return (m_tls ? u"https://127.0.0.1:"_s : u"http://127.0.0.1:"_s) + QString::number(port()); }

private:
    class DescriptorServer : public QTcpServer
    {
    public:
        std::function<void(qintptr)> onDescriptor;

    protected:
        void incomingConnection(qintptr d) override
        {
            if (onDescriptor)
                onDescriptor(d);
            else
                QTcpServer::incomingConnection(d);
        }
    };

    void adopt(QTcpSocket *plain) { adoptDevice(plain); }

    void adoptDevice(QIODevice *device)
    {
        auto buffer = std::make_shared<QByteArray>();
        connect(device, &QIODevice::readyRead, this, [this, device, buffer] {
            *buffer += device->readAll();
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            SeenRequest r;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            r.method = first.value(0);
            r.target = first.value(1);
            qint64 length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon > 0) {
                    r.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
                    if (line.left(colon).trimmed().compare("Content-Length", Qt::CaseInsensitive) == 0)
                        length = line.mid(colon + 1).trimmed().toLongLong();
                }
            }
            if (buffer->size() < end + 4 + length)
                return;
            r.body = buffer->mid(end + 4, length);
            buffer->remove(0, end + 4 + length);
            seen.append(r);
            respond(device, handler(r));
        });
        auto onGone = [this, device] {
            ++disconnects;
            device->deleteLater();
        };
        if (auto *tcp = qobject_cast<QAbstractSocket *>(device))
            connect(tcp, &QAbstractSocket::disconnected, this, onGone);
        else if (auto *local = qobject_cast<QLocalSocket *>(device))
            connect(local, &QLocalSocket::disconnected, this, onGone);
    }

    void respond(QIODevice *device, const Reply &reply)
    {
        if (reply.stall)
            return;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + " X\r\n";
        for (const auto &[k, v] : reply.headers)
            head += k + ": " + v + "\r\n";
        if (reply.streamBytes > 0) {
            head += "Content-Length: " + QByteArray::number(reply.streamBytes) + "\r\n\r\n";
            device->write(head);
            // Produce the body as the client takes it: never 100 MB in memory here.
            auto left = std::make_shared<qint64>(reply.streamBytes);
            const QByteArray block(64 * 1024, 'x');
            auto pump = [device, left, block] {
                while (*left > 0 && device->bytesToWrite() < 256 * 1024) {
                    const qint64 n = std::min<qint64>(*left, block.size());
                    device->write(block.constData(), n);
                    *left -= n;
                }
            };
            connect(device, &QIODevice::bytesWritten, device, pump);
            pump();
            return;
        }
        if (reply.chunked) {
            head += "Transfer-Encoding: chunked\r\n\r\n";
            const QByteArray half = reply.body.left(reply.body.size() / 2);
            const QByteArray rest = reply.body.mid(half.size());
            for (const QByteArray &part : {half, rest}) {
                if (!part.isEmpty())
                    head += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
            }
            head += "0\r\n\r\n";
            device->write(head);
            return;
        }
        head += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n";
        device->write(head + reply.body);
    }

    DescriptorServer m_tcp;
    QLocalServer m_local;
    bool m_tls = false;
};

Reply json(int status, const QByteArray &body, quint64 index = 0)
{
    Reply r;
    r.status = status;
    r.body = body;
    r.headers.append(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
    if (index > 0)
        r.headers.append(std::pair<QByteArray, QByteArray>("X-Consul-Index", QByteArray::number(index)));
    return r;
}

ApiEndpoint endpointFor(const QString &url, const QString &product = u"Consul"_s)
{
    ApiEndpoint e;
    e.product = product;
    e.address = url;
    e.baseUrl = QUrl(url);
    return e;
}

ApiClient::Options fastOptions()
{
    ApiClient::Options o;
    o.retryBaseDelay = 10ms;
    o.retryMaxDelay = 50ms;
    return o;
}

qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

} // namespace

class TestApiClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectionRefusedNamesTheAddress();
    void stallPastTheTimeout();
    void errorStatusesCarryTheServersWords_data();
    void errorStatusesCarryTheServersWords();
    void serverErrorOnGetIsRetried();
    void serverErrorOnPutIsNotRetried();
    void garbageJsonIsReported();
    void hugeAnswerIsRefusedWithoutBuffering();
    void tokenAndNamespaceAreSent();
    void cancellationClosesTheConnection();
    void longPollsDoNotStarveOtherCalls();
    void watchResetsWhenIndexGoesBackwards();
    void consulEnvironment_data();
    void consulEnvironment();
    void nomadEnvironment_data();
    void nomadEnvironment();
    void httpsWithTheRightAndTheWrongCa();
    void unixSocket();
    void consulTypedCalls();
    void requestBodiesMatchTheSchemas();
};

void TestApiClient::connectionRefusedNamesTheAddress()
{
    // A port that was just free: bind, note, close.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString url = u"http://127.0.0.1:"_s + QString::number(probe.serverPort());
    probe.close();

    ApiClient client(endpointFor(url));
    client.setOptions(fastOptions());
    auto result = QCoro::waitFor(client.request(ApiRequest::get(u"/v1/agent/services"_s)));
    QVERIFY(!result);
    QCOMPARE(result.error().code, Error::Code::Refused);
    QCOMPARE(result.error().message, u"cannot reach Consul at "_s + url + u": connection refused"_s);
}

void TestApiClient::stallPastTheTimeout()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &) { return Reply{.stall = true}; };
    ApiClient client(endpointFor(server.url()));
    auto options = fastOptions();
    options.requestTimeout = 1500ms;
    options.connectTimeout = 300ms; // connected in time: must not cut the exchange short
    client.setOptions(options);
    auto result = QCoro::waitFor(client.request(ApiRequest::get(u"/v1/agent/self"_s)));
    QVERIFY(!result);
    QCOMPARE(result.error().code, Error::Code::Timeout);
    QVERIFY2(result.error().message.contains(u"GET /v1/agent/self got no complete answer within 1.5 s"_s),
             qPrintable(result.error().message));
    // A timeout already spent the caller's patience: not retried.
    QCOMPARE(server.seen.size(), 1);
}

void TestApiClient::errorStatusesCarryTheServersWords_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Error::Code>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("403 token lacks a permission")
        << 403 << QByteArray("Permission denied: token lacks permission 'service:write' on \"web\"")
        << Error::Code::PermissionDenied
        << u"Consul refused PUT /v1/agent/service/register: Permission denied: token lacks permission 'service:write' on \"web\""_s;
    QTest::newRow("400 unknown field")
        << 400 << QByteArray("Request decode failed: json: unknown field \"Nmae\"") << Error::Code::Invalid
        << u"Consul rejected PUT /v1/agent/service/register: Request decode failed: json: unknown field \"Nmae\""_s;
    QTest::newRow("404 unknown service")
        << 404 << QByteArray("unknown service ID: web-1") << Error::Code::NotFound
        << u"Consul has nothing at PUT /v1/agent/service/register: unknown service ID: web-1"_s;
    QTest::newRow("409 conflict") << 409 << QByteArray("index mismatch") << Error::Code::Conflict
                                  << u"Consul reported a conflict on PUT /v1/agent/service/register: index mismatch"_s;
    QTest::newRow("503 no leader")
        << 503 << QByteArray("No cluster leader") << Error::Code::HttpStatus
        << u"Consul failed PUT /v1/agent/service/register with HTTP 503: No cluster leader"_s;
}

void TestApiClient::errorStatusesCarryTheServersWords()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(Error::Code, code);
    QFETCH(QString, message);
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [&](const SeenRequest &) { return json(status, body); };
    ApiClient client(endpointFor(server.url()));
    client.setOptions(fastOptions());
    auto result = QCoro::waitFor(client.request(ApiRequest::withBody("PUT", u"/v1/agent/service/register"_s, "{}")));
    QVERIFY(!result);
    QCOMPARE(result.error().code, code);
    QCOMPARE(result.error().httpStatus, status);
    QCOMPARE(result.error().message, message);
}

void TestApiClient::serverErrorOnGetIsRetried()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &) { return json(500, "rpc error: No cluster leader"); };
    ApiClient client(endpointFor(server.url()));
    client.setOptions(fastOptions());
    auto result = QCoro::waitFor(client.request(ApiRequest::get(u"/v1/catalog/services"_s)));
    QVERIFY(!result);
    QCOMPARE(server.seen.size(), client.options().maxAttempts);
    QCOMPARE(result.error().httpStatus, 500);
    QVERIFY(result.error().message.contains(u"rpc error: No cluster leader"_s));

    // And a GET that fails once then works is a success.
    server.seen.clear();
    server.handler = [&server](const SeenRequest &) {
        return server.seen.size() == 1 ? json(502, "bad gateway") : json(200, "{}", 7);
    };
    auto second = QCoro::waitFor(client.request(ApiRequest::get(u"/v1/catalog/services"_s)));
    QVERIFY2(second, qPrintable(second ? QString() : second.error().message));
    QCOMPARE(second->index, std::optional<quint64>(7));
    QCOMPARE(server.seen.size(), 2);
}

void TestApiClient::serverErrorOnPutIsNotRetried()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &) { return json(500, "boom"); };
    ApiClient client(endpointFor(server.url()));
    client.setOptions(fastOptions());
    auto result = QCoro::waitFor(client.request(ApiRequest::withBody("PUT", u"/v1/config"_s, "{}")));
    QVERIFY(!result);
    QCOMPARE(server.seen.size(), 1);
    QCOMPARE(result.error().code, Error::Code::HttpStatus);
}

void TestApiClient::garbageJsonIsReported()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &) { return json(200, "{\"web\": {\"ID\": "); };
    mesh::consul::ConsulClient consul(endpointFor(server.url()));
    auto result = QCoro::waitFor(consul.agentServices());
    QVERIFY(!result);
    QCOMPARE(result.error().code, Error::Code::Parse);
    QVERIFY2(
        result.error().message.startsWith(u"Consul answered GET /v1/agent/services with JSON that does not parse: "_s),
        qPrintable(result.error().message));

    // Well-formed JSON of the wrong type is named by its path.
    server.handler = [](const SeenRequest &) { return json(200, R"({"web": {"ID": "web", "Port": "8080"}})"); };
    auto wrongType = QCoro::waitFor(consul.agentServices());
    QVERIFY(!wrongType);
    QVERIFY2(wrongType.error().message.endsWith(u"web.Port: expected a number, got a string"_s),
             qPrintable(wrongType.error().message));
}

void TestApiClient::hugeAnswerIsRefusedWithoutBuffering()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    constexpr qint64 kHuge = qint64(100) * 1024 * 1024;
    server.handler = [](const SeenRequest &) { return Reply{.streamBytes = kHuge}; };
    ApiClient client(endpointFor(server.url()));
    auto options = fastOptions();
    options.maxResponseBytes = 8 * 1024 * 1024;
    client.setOptions(options);
    const qint64 before = residentBytes();
    auto result = QCoro::waitFor(client.request(ApiRequest::get(u"/v1/agent/services"_s)));
    const qint64 after = residentBytes();
    QVERIFY(!result);
    QCOMPARE(result.error().code, Error::Code::TooLarge);
    QVERIFY2(result.error().message.contains(u"larger than the 8 MiB limit"_s), qPrintable(result.error().message));
    QVERIFY2(after - before < 50 * 1024 * 1024, qPrintable(u"grew by %1 bytes"_s.arg(after - before)));
    // Not retried: the answer would be as large again.
    QCOMPARE(server.seen.size(), 1);

    // Without a Content-Length the cap holds while reading (chunked).
    server.handler = [](const SeenRequest &) {
        Reply r;
        r.chunked = true;
        r.body = QByteArray(9 * 1024 * 1024, 'y');
        return r;
    };
    auto chunked = QCoro::waitFor(client.request(ApiRequest::get(u"/v1/agent/services"_s)));
    QVERIFY(!chunked);
    QCOMPARE(chunked.error().code, Error::Code::TooLarge);
}

void TestApiClient::tokenAndNamespaceAreSent()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &) { return json(200, "\"127.0.0.1:8300\""); };
    QProcessEnvironment env;
    env.insert(u"CONSUL_HTTP_ADDR"_s, server.url());
    env.insert(u"CONSUL_HTTP_TOKEN"_s, u"s3cr3t-token"_s);
    env.insert(u"CONSUL_NAMESPACE"_s, u"team-a"_s);
    auto endpoint = mesh::consul::ConsulConfig::fromEnvironment(env).endpoint();
    QVERIFY(endpoint);
    mesh::consul::ConsulClient consul(*endpoint);
    auto leader = QCoro::waitFor(consul.leader());
    QVERIFY2(leader, qPrintable(leader ? QString() : leader.error().message));
    QCOMPARE(*leader, u"127.0.0.1:8300"_s);
    QCOMPARE(server.seen.size(), 1);
    QCOMPARE(server.seen.first().header("X-Consul-Token"), QByteArray("s3cr3t-token"));
    QCOMPARE(server.seen.first().query().queryItemValue(u"ns"_s), u"team-a"_s);
    QCOMPARE(server.seen.first().path(), QByteArray("/v1/status/leader"));
}

void TestApiClient::cancellationClosesTheConnection()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &) { return Reply{.stall = true}; };
    ApiClient client(endpointFor(server.url()));
    mesh::api::CancelToken token;
    ApiRequest request = ApiRequest::get(u"/v1/agent/connect/ca/roots"_s);
    request.cancelToken = &token;
    QTimer::singleShot(0, &token, [&server, &token] {
        // Cancel once the server has the request.
        auto *poll = new QTimer(&token);
        QObject::connect(poll, &QTimer::timeout, &token, [&server, &token, poll] {
            if (!server.seen.isEmpty()) {
                poll->stop();
                token.cancel();
            }
        });
        poll->start(10);
    });
    auto result = QCoro::waitFor(client.request(request));
    QVERIFY(!result);
    QCOMPARE(result.error().code, Error::Code::Cancelled);
    QTRY_COMPARE_WITH_TIMEOUT(server.disconnects, 1, 10000);
    QCOMPARE(server.seen.size(), 1);
}

// A sidecar keeps several blocking queries open on one agent (roots, leaf,
// its registration, one per upstream) and must still get authorize answers
// at once: QNetworkAccessManager alone would queue everything past six
// connections per host behind the long-polls.
void TestApiClient::longPollsDoNotStarveOtherCalls()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &r) -> Reply {
        if (r.query().hasQueryItem(u"index"_s))
            return Reply{.stall = true};
        return json(200, R"({"Authorized":true,"Reason":"ok"})", 1);
    };
    ApiClient client(endpointFor(server.url()));
    for (int i = 0; i < 8; ++i) {
        ApiRequest poll = ApiRequest::get(u"/v1/health/connect/svc%1"_s.arg(i), QUrlQuery(u"index=7"_s));
        poll.blockingWait = 5min;
        QCoro::connect(client.request(poll), &client, [](const mesh::Result<mesh::api::ApiResponse> &) {});
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.seen.size(), 8, 10000);
    QElapsedTimer timer;
    timer.start();
    auto answer = QCoro::waitFor(
        client.request(ApiRequest::withBody("POST", u"/v1/agent/connect/authorize"_s, R"({"Target":"db"})", {})));
    QVERIFY2(answer.has_value(), answer ? "" : qPrintable(answer.error().message));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(u"the call waited %1 ms behind the long-polls"_s.arg(timer.elapsed())));
}

void TestApiClient::watchResetsWhenIndexGoesBackwards()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    // Index 10, then (blocking) 12, then 5 (a snapshot restore), then the
    // plain re-query gets 5; blocking from 5 then stalls.
    server.handler = [&server](const SeenRequest &r) -> Reply {
        const QString index = r.query().queryItemValue(u"index"_s);
        switch (server.seen.size()) {
        case 1: return json(200, R"({"n":1})", 10);
        case 2: return json(200, R"({"n":2})", 12);
        case 3: return json(200, R"({"n":3})", 5);
        case 4: return json(200, R"({"n":4})", 5);
        default: return Reply{.stall = true};
        }
        Q_UNUSED(index);
    };
    ApiClient client(endpointFor(server.url()));
    mesh::api::BlockingWatch watch(&client, ApiRequest::get(u"/v1/agent/connect/ca/roots"_s));
    watch.setWait(30s);
    QSignalSpy changed(&watch, &mesh::api::BlockingWatch::changed);
    QSignalSpy reset(&watch, &mesh::api::BlockingWatch::indexReset);
    watch.start();
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 3, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(server.seen.size(), 5, 10000);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(reset.first().at(0).toULongLong(), 12u);
    QCOMPARE(reset.first().at(1).toULongLong(), 5u);

    const auto q = [&server](int i) { return server.seen.at(i).query(); };
    QVERIFY(!q(0).hasQueryItem(u"index"_s));
    QCOMPARE(q(1).queryItemValue(u"index"_s), u"10"_s);
    QCOMPARE(q(1).queryItemValue(u"wait"_s), u"30000ms"_s);
    QCOMPARE(q(2).queryItemValue(u"index"_s), u"12"_s);
    QVERIFY2(!q(3).hasQueryItem(u"index"_s), "after going backwards the watch queries afresh");
    QCOMPARE(q(4).queryItemValue(u"index"_s), u"5"_s);
    // Reported: index 10, 12, and the fresh 5 — not the backwards answer twice.
    QCOMPARE(changed.at(2).at(0).value<mesh::api::ApiResponse>().body, QByteArray(R"({"n":4})"));

    // Each blocking query has a connection of its own (ApiClient), closed
    // once answered; stop() closes the one still waiting.
    const int before = server.disconnects;
    watch.stop();
    QTRY_COMPARE_WITH_TIMEOUT(server.disconnects, before + 1, 10000);
}

void TestApiClient::consulEnvironment_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("skipVerify");
    QTest::addColumn<QString>("serverName");
    QTest::addColumn<QString>("error");

    QTest::newRow("nothing set: 127.0.0.1:8500")
        << QStringList{} << u"http://127.0.0.1:8500"_s << QString() << QString() << false << QString() << QString();
    QTest::newRow("host:port") << QStringList{u"CONSUL_HTTP_ADDR=10.0.0.5:8500"_s} << u"http://10.0.0.5:8500"_s
                               << QString() << QString() << false << QString() << QString();
    QTest::newRow("CONSUL_HTTP_SSL makes host:port https")
        << QStringList{u"CONSUL_HTTP_ADDR=consul.local:8501"_s, u"CONSUL_HTTP_SSL=true"_s}
        << u"https://consul.local:8501"_s << QString() << QString() << false << QString() << QString();
    QTest::newRow("CONSUL_HTTP_SSL keeps an http:// address https")
        << QStringList{u"CONSUL_HTTP_ADDR=http://consul.local:8501"_s, u"CONSUL_HTTP_SSL=1"_s}
        << u"https://consul.local:8501"_s << QString() << QString() << false << QString() << QString();
    QTest::newRow("https URL with a path prefix")
        << QStringList{u"CONSUL_HTTP_ADDR=https://gw.example:443/consul"_s} << u"https://gw.example:443/consul"_s
        << QString() << QString() << false << QString() << QString();
    QTest::newRow("unix socket") << QStringList{u"CONSUL_HTTP_ADDR=unix:///run/consul/http.sock"_s} << QString()
                                 << u"/run/consul/http.sock"_s << QString() << false << QString() << QString();
    QTest::newRow("token, verify off, server name with port")
        << QStringList{u"CONSUL_HTTP_TOKEN=abc"_s, u"CONSUL_HTTP_SSL_VERIFY=false"_s,
                       u"CONSUL_TLS_SERVER_NAME=server.dc1.consul:8501"_s}
        << u"http://127.0.0.1:8500"_s << QString() << u"abc"_s << true << u"server.dc1.consul"_s << QString();
    QTest::newRow("unknown scheme") << QStringList{u"CONSUL_HTTP_ADDR=ftp://x:1"_s} << QString() << QString()
                                    << QString() << false << QString() << u"Unknown protocol scheme: ftp"_s;
}

void TestApiClient::consulEnvironment()
{
    QFETCH(QStringList, env);
    QFETCH(QString, url);
    QFETCH(QString, socket);
    QFETCH(QString, token);
    QFETCH(bool, skipVerify);
    QFETCH(QString, serverName);
    QFETCH(QString, error);
    QProcessEnvironment e;
    for (const QString &kv : env)
        e.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    auto endpoint = mesh::consul::ConsulConfig::fromEnvironment(e).endpoint();
    if (!error.isEmpty()) {
        QVERIFY(!endpoint);
        QVERIFY2(endpoint.error().message.startsWith(error), qPrintable(endpoint.error().message));
        return;
    }
    QVERIFY2(endpoint, qPrintable(endpoint ? QString() : endpoint.error().message));
    QCOMPARE(endpoint->baseUrl.toString(), url);
    QCOMPARE(endpoint->unixSocketPath, socket);
    QByteArray sentToken;
    for (const auto &[k, v] : endpoint->headers) {
        if (k == "X-Consul-Token")
            sentToken = v;
    }
    QCOMPARE(QString::fromUtf8(sentToken), token);
    QCOMPARE(endpoint->tls.insecureSkipVerify, skipVerify);
    QCOMPARE(endpoint->tls.serverName, serverName);
}

void TestApiClient::nomadEnvironment_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<QString>("query");
    QTest::addColumn<bool>("skipVerify");

    QTest::newRow("default") << QStringList{} << u"http://127.0.0.1:4646"_s << QString() << QString() << false;
    QTest::newRow("https, region and namespace")
        << QStringList{u"NOMAD_ADDR=https://nomad.local:4646"_s, u"NOMAD_REGION=eu"_s, u"NOMAD_NAMESPACE=apps"_s}
        << u"https://nomad.local:4646"_s << QString() << u"region=eu&namespace=apps"_s << false;
    QTest::newRow("skip verify") << QStringList{u"NOMAD_SKIP_VERIFY=true"_s} << u"http://127.0.0.1:4646"_s << QString()
                                 << QString() << true;
    QTest::newRow("unparsable skip verify is ignored")
        << QStringList{u"NOMAD_SKIP_VERIFY=yes"_s} << u"http://127.0.0.1:4646"_s << QString() << QString() << false;
    QTest::newRow("unix socket") << QStringList{u"NOMAD_ADDR=unix:///tmp/nomad.sock"_s} << QString()
                                 << u"/tmp/nomad.sock"_s << QString() << false;
}

void TestApiClient::nomadEnvironment()
{
    QFETCH(QStringList, env);
    QFETCH(QString, url);
    QFETCH(QString, socket);
    QFETCH(QString, query);
    QFETCH(bool, skipVerify);
    QProcessEnvironment e;
    for (const QString &kv : env)
        e.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    e.insert(u"NOMAD_TOKEN"_s, u"nomad-secret"_s);
    auto config = mesh::nomad::NomadConfig::fromEnvironment(e);
    auto endpoint = config.endpoint();
    QVERIFY(endpoint);
    QCOMPARE(endpoint->baseUrl.toString(), url);
    QCOMPARE(endpoint->unixSocketPath, socket);
    QCOMPARE(endpoint->defaultQuery.toString(), query);
    QCOMPARE(endpoint->tls.insecureSkipVerify, skipVerify);
    QCOMPARE(endpoint->headers.value(0).first, QByteArray("X-Nomad-Token"));
    QCOMPARE(endpoint->headers.value(0).second, QByteArray("nomad-secret"));
    QCOMPARE(endpoint->maxBlockingWait, std::chrono::milliseconds(300s));
}

void TestApiClient::httpsWithTheRightAndTheWrongCa()
{
    // A server certificate for server.dc1.consul from one CA; a second CA
    // the client may wrongly trust.
    auto ca = mesh::pki::CertificateAuthority::create();
    auto otherCa = mesh::pki::CertificateAuthority::create();
    QVERIFY(ca && otherCa);
    mesh::pki::CertificateBuilder builder;
    builder.setSubjectCommonName(u"server.dc1.consul"_s);
    builder.setDnsSans({u"server.dc1.consul"_s});
    builder.setExtendedKeyUsage(mesh::pki::CertificateBuilder::ExtendedKeyUsage::ServerAuth);
    builder.setIssuer(ca->root());
    auto serverCert = builder.build();
    QVERIFY(serverCert);

    QTemporaryDir dir;
    auto write = [&dir](const QString &name, const QByteArray &pem) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(pem);
    };
    write(u"ca.pem"_s, ca->rootCertificate().toPem());
    write(u"other.pem"_s, otherCa->rootCertificate().toPem());

    RawHttpServer server;
    server.certificate = serverCert->certificate;
    server.key = serverCert->privateKey;
    QVERIFY(server.listenTls());
    server.handler = [](const SeenRequest &) { return json(200, "\"10.0.0.1:8300\""); };

    auto clientFor = [&](const QString &caFile, bool verify) {
        QProcessEnvironment env;
        env.insert(u"CONSUL_HTTP_ADDR"_s, u"127.0.0.1:"_s + QString::number(server.port()));
        env.insert(u"CONSUL_HTTP_SSL"_s, u"true"_s);
        env.insert(u"CONSUL_CACERT"_s, caFile);
        env.insert(u"CONSUL_TLS_SERVER_NAME"_s, u"server.dc1.consul"_s);
        env.insert(u"CONSUL_HTTP_SSL_VERIFY"_s, verify ? u"true"_s : u"false"_s);
        auto endpoint = mesh::consul::ConsulConfig::fromEnvironment(env).endpoint();
        return std::make_unique<mesh::consul::ConsulClient>(*endpoint);
    };

    auto good = clientFor(dir.filePath(u"ca.pem"_s), true);
    auto leader = QCoro::waitFor(good->leader());
    QVERIFY2(leader, qPrintable(leader ? QString() : leader.error().message));
    QCOMPARE(*leader, u"10.0.0.1:8300"_s);

    auto wrong = clientFor(dir.filePath(u"other.pem"_s), true);
    auto refused = QCoro::waitFor(wrong->leader());
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, Error::Code::Tls);
    QVERIFY2(refused.error().message.startsWith(u"TLS with Consul at https://127.0.0.1:"_s),
             qPrintable(refused.error().message));
    QCOMPARE(server.seen.size(), 1);

    auto skipping = clientFor(dir.filePath(u"other.pem"_s), false);
    QVERIFY(QCoro::waitFor(skipping->leader()));

    auto missing = clientFor(dir.filePath(u"absent.pem"_s), true);
    auto noFile = QCoro::waitFor(missing->leader());
    QVERIFY(!noFile);
    QCOMPARE(noFile.error().code, Error::Code::Io);
    QVERIFY2(noFile.error().message.contains(u"absent.pem"_s), qPrintable(noFile.error().message));
}

void TestApiClient::unixSocket()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"consul.sock"_s);
    RawHttpServer server;
    QVERIFY(server.listenUnix(path));
    server.handler = [](const SeenRequest &r) {
        if (r.path() == "/v1/agent/services") {
            Reply reply = json(200, R"({"web":{"ID":"web","Service":"web","Port":8080}})", 42);
            reply.chunked = true;
            return reply;
        }
        return json(403, "Permission denied");
    };
    QProcessEnvironment env;
    env.insert(u"CONSUL_HTTP_ADDR"_s, u"unix://"_s + path);
    env.insert(u"CONSUL_HTTP_TOKEN"_s, u"tok"_s);
    auto endpoint = mesh::consul::ConsulConfig::fromEnvironment(env).endpoint();
    QVERIFY(endpoint);
    mesh::consul::ConsulClient consul(*endpoint);
    auto services = QCoro::waitFor(consul.agentServices());
    QVERIFY2(services, qPrintable(services ? QString() : services.error().message));
    QCOMPARE(services->index, 42u);
    QCOMPARE(services->value.value(u"web"_s).port, 8080);
    QCOMPARE(server.seen.first().header("X-Consul-Token"), QByteArray("tok"));

    auto denied = QCoro::waitFor(consul.registerService(QJsonObject{{u"Name"_s, u"web"_s}}));
    QVERIFY(!denied);
    QCOMPARE(denied.error().code, Error::Code::PermissionDenied);
    QCOMPARE(server.seen.last().body, QByteArray(R"({"Name":"web"})"));

    ApiEndpoint gone = *endpoint;
    gone.unixSocketPath = dir.filePath(u"nothing.sock"_s);
    gone.address = u"unix://"_s + gone.unixSocketPath;
    ApiClient client(gone);
    client.setOptions(fastOptions());
    auto refused = QCoro::waitFor(client.request(ApiRequest::get(u"/v1/agent/self"_s)));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, Error::Code::Refused);
    QVERIFY2(refused.error().message.startsWith(u"cannot reach Consul at "_s + gone.address),
             qPrintable(refused.error().message));
}

void TestApiClient::consulTypedCalls()
{
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &r) -> Reply {
        if (r.path() == "/v1/agent/connect/ca/roots")
            return json(200, R"({"ActiveRootID":"aa:bb","TrustDomain":"11111111-2222.consul",
                "Roots":[{"ID":"aa:bb","Name":"Consul CA Root Cert","RootCert":"PEM","IntermediateCerts":null,"Active":true,"CreateIndex":8,"ModifyIndex":8}]})",
                        8);
        if (r.path() == "/v1/agent/connect/ca/leaf/web")
            return json(200, R"({"SerialNumber":"0a:1b","CertPEM":"C","PrivateKeyPEM":"K","Service":"web",
                "ServiceURI":"spiffe://11111111-2222.consul/ns/default/dc/dc1/svc/web",
                "ValidAfter":"2024-05-01T10:00:00.123456789Z","ValidBefore":"2024-05-04T10:00:00Z","CreateIndex":9,"ModifyIndex":9})",
                        9);
        if (r.path() == "/v1/health/connect/db")
            return json(200, R"([{"Node":{"Node":"n1","Address":"10.0.0.1","Datacenter":"dc1"},
                "Service":{"Kind":"connect-proxy","ID":"db-sidecar-proxy","Service":"db-sidecar-proxy","Address":"","Port":21000,
                  "Proxy":{"DestinationServiceName":"db","DestinationServiceID":"db","LocalServiceAddress":"127.0.0.1","LocalServicePort":5432,
                    "Upstreams":[{"DestinationType":"service","DestinationName":"cache","LocalBindPort":9191}]}},
                "Checks":[{"Status":"passing"},{"Status":"warning"}]}])",
                        30);
        if (r.path() == "/v1/agent/connect/authorize")
            return json(200, R"({"Authorized":false,"Reason":"Matched L4 intention: DENY default"})");
        if (r.path() == "/v1/config" && r.query().queryItemValue(u"cas"_s) == u"3"_s)
            return json(200, "false");
        if (r.path() == "/v1/config")
            return json(200, "true");
        return json(404, "not found: " + r.path());
    };
    mesh::consul::ConsulClient consul(endpointFor(server.url()));

    auto roots = QCoro::waitFor(consul.caRoots());
    QVERIFY2(roots, qPrintable(roots ? QString() : roots.error().message));
    QCOMPARE(roots->index, 8u);
    QCOMPARE(roots->value.activeRoot()->rootCertPem, u"PEM"_s);
    QCOMPARE(roots->value.trustDomain, u"11111111-2222.consul"_s);

    auto leaf = QCoro::waitFor(consul.leafCert(u"web"_s, {.index = 5, .wait = 10s}));
    QVERIFY2(leaf, qPrintable(leaf ? QString() : leaf.error().message));
    QCOMPARE(leaf->value.serialNumber, u"0a:1b"_s);
    QCOMPARE(leaf->value.validAfter, QDateTime(QDate(2024, 5, 1), QTime(10, 0, 0, 123), Qt::UTC));
    QCOMPARE(server.seen.last().query().queryItemValue(u"index"_s), u"5"_s);
    QCOMPARE(server.seen.last().query().queryItemValue(u"wait"_s), u"10000ms"_s);

    auto entries = QCoro::waitFor(consul.healthConnect(u"db"_s, true));
    QVERIFY2(entries, qPrintable(entries ? QString() : entries.error().message));
    QCOMPARE(server.seen.last().query().queryItemValue(u"passing"_s), u"true"_s);
    QCOMPARE(entries->value.size(), 1);
    const auto &entry = entries->value.first();
    QCOMPARE(entry.node.address, u"10.0.0.1"_s);
    QCOMPARE(entry.service.kind, u"connect-proxy"_s);
    QCOMPARE(entry.service.proxy->destinationServiceName, u"db"_s);
    QCOMPARE(entry.service.proxy->upstreams.first().localBindPort, 9191);
    QCOMPARE(entry.aggregatedStatus(), u"warning"_s);

    auto authz = QCoro::waitFor(consul.authorize(u"db"_s, u"spiffe://x/ns/default/dc/dc1/svc/web"_s, u"0a:1b"_s));
    QVERIFY(authz);
    QVERIFY(!authz->authorized);
    QCOMPARE(authz->reason, u"Matched L4 intention: DENY default"_s);

    const QJsonObject entryBody{{u"Kind"_s, u"service-intentions"_s}, {u"Name"_s, u"db"_s}};
    auto written = QCoro::waitFor(consul.putConfigEntry(entryBody));
    QVERIFY(written && *written);
    auto lost = QCoro::waitFor(consul.putConfigEntry(entryBody, 3));
    QVERIFY(lost);
    QVERIFY2(!*lost, "a cas that does not match answers false");

    auto missing = QCoro::waitFor(consul.agentService(u"nope"_s));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Error::Code::NotFound);
    QVERIFY(missing.error().message.contains(u"/v1/agent/service/nope"_s));
}

void TestApiClient::requestBodiesMatchTheSchemas()
{
    auto consulSchema = meshtest::ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/consul.json"));
    auto nomadSchema = meshtest::ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/nomad.json"));
    QVERIFY(consulSchema && nomadSchema);
    RawHttpServer server;
    QVERIFY(server.listenTcp());
    server.handler = [](const SeenRequest &r) -> Reply {
        if (r.path() == "/v1/jobs")
            return json(200, R"({"EvalID":"e1","EvalCreateIndex":12,"JobModifyIndex":12,"Warnings":""})");
        if (r.path().endsWith("/plan"))
            return json(200, R"({"JobModifyIndex":12,"Diff":{"Type":"None"}})");
        if (r.path() == "/v1/config")
            return json(200, "true");
        return json(200, "");
    };
    auto body = [&server] { return QJsonDocument::fromJson(server.seen.last().body).object(); };

    mesh::consul::ConsulClient consul(endpointFor(server.url()));
    const QJsonObject registration{
        {u"Name"_s, u"web"_s}, {u"Port"_s, 8080}, {u"Connect"_s, QJsonObject{{u"SidecarService"_s, QJsonObject{}}}}};
    QVERIFY(QCoro::waitFor(consul.registerService(registration)));
    QStringList problems = consulSchema->check(body(), u"consul-registration");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QCOMPARE(server.seen.last().header("Content-Type"), QByteArray("application/json"));

    const QJsonObject intentions{
        {u"Kind"_s, u"service-intentions"_s},
        {u"Name"_s, u"db"_s},
        {u"Sources"_s, QJsonArray{QJsonObject{{u"Name"_s, u"web"_s}, {u"Action"_s, u"allow"_s}}}}};
    QVERIFY(QCoro::waitFor(consul.putConfigEntry(intentions)));
    problems = consulSchema->check(body(), u"service-intentions");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));

    mesh::nomad::NomadClient nomad(endpointFor(server.url(), u"Nomad"_s));
    const QJsonObject job{{u"ID"_s, u"counter"_s}, {u"Name"_s, u"counter"_s}, {u"Type"_s, u"service"_s}};
    auto registered = QCoro::waitFor(nomad.registerJob(
        job, {.enforceIndex = true,
              .jobModifyIndex = 11,
              .submission = QJsonObject{{u"Source"_s, u"job \"counter\" {}"_s}, {u"Format"_s, u"hcl2"_s}}}));
    QVERIFY2(registered, qPrintable(registered ? QString() : registered.error().message));
    QCOMPARE(registered->evalID, u"e1"_s);
    problems = nomadSchema->check(body(), u"nomad-job");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QCOMPARE(body().value(u"JobModifyIndex"_s).toInteger(), 11);

    auto plan = QCoro::waitFor(nomad.planJob(job));
    QVERIFY(plan);
    QCOMPARE(server.seen.last().path(), QByteArray("/v1/job/counter/plan"));
    QCOMPARE(body().value(u"Diff"_s).toBool(), true);
}

QTEST_GUILESS_MAIN(TestApiClient)
#include "tst_apiclient.moc"
