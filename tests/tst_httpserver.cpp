// The shared HTTP server's opt-in features for the lab's Consul and Nomad
// APIs, on real sockets: buffered request bodies (PUT
// /v1/agent/service/register, POST /v1/jobs) and deferred responses
// (blocking queries, ?index=N&wait=5m). Server and clients share the test's
// thread, so every wait is an event-loop wait (QTRY_*). The limits and the
// synchronous behaviour are tested through the counter in tst_counter.

#include "httpserver.h"
#include "support/filelimit.h"
#include "support/rawhttpresponse.h"

#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include <sys/resource.h>
#include <sys/socket.h>

using apps::http::Deferred;
using apps::http::HttpServer;
using apps::http::Request;
using apps::http::Response;
using namespace std::chrono_literals;

namespace {

constexpr int Timeout = 20'000; // generous: a loaded 2-core machine

using RawResponse = meshtest::RawHttpResponse;

// A client socket on the test's thread that collects what it receives.
class Client
{
public:
    explicit Client(quint16 port)
        : m_socket(std::make_unique<QTcpSocket>())
    {
        QObject::connect(m_socket.get(), &QTcpSocket::readyRead, m_socket.get(),
                         [this] { m_received += m_socket->readAll(); });
        m_socket->connectToHost(QHostAddress::LocalHost, port);
    }

    QTcpSocket &socket() { return *m_socket; }
    const QByteArray &received() const { return m_received; }
    bool isConnected() const { return m_socket->state() == QAbstractSocket::ConnectedState; }

    void send(const QByteArray &bytes) { m_socket->write(bytes); }

    bool hasResponse(bool headRequest = false) const
    {
        QByteArray copy = m_received;
        return parse(copy, headRequest).has_value();
    }
    // Takes one complete response off the front of what was received.
    std::optional<RawResponse> take(bool headRequest = false) { return parse(m_received, headRequest); }

private:
    static std::optional<RawResponse> parse(QByteArray &received, bool headRequest)
    {
        return RawResponse::take(received, headRequest);
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_received;
};

// Waits for one complete response and takes it; fails the test when none
// comes. (QTRY_* evaluate their expression more than once, so it must not
// consume.)
#define TAKE_RESPONSE(client, var, ...) \
    QTRY_VERIFY_WITH_TIMEOUT((client).hasResponse(__VA_ARGS__), Timeout); \
    const std::optional<RawResponse> var = (client).take(__VA_ARGS__)

QByteArray get(const QByteArray &target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

Response text(QByteArray body, int status = 200)
{
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

// Answers every request with what it saw; "/defer…" paths are deferred and
// their handles kept in `pending`.
struct Recorder
{
    QList<QByteArray> paths; // in the order the handler saw them
    QList<QByteArray> bodies;
    std::vector<Deferred> pending;

    // Installs itself as `server`'s handler, with `limits`, and listens on 127.0.0.1.
    [[nodiscard]] bool serve(HttpServer &server, const HttpServer::Limits &limits = {})
    {
        server.setLimits(limits);
        install(server);
        return server.listen(QHostAddress::LocalHost);
    }

    void install(HttpServer &server)
    {
        server.setHandler([this](const Request &request, Response &response) {
            paths.append(request.path.toByteArray());
            bodies.append(request.body.toByteArray());
            if (request.path.startsWith("/defer")) {
                pending.push_back(request.defer());
                response = text("not this one\n"); // ignored once deferred
                return;
            }
            response = text(request.method.toByteArray() + ' ' + request.path.toByteArray() + ' '
                            + request.body.toByteArray());
        });
    }
};

} // namespace

class TestHttpServer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bodyReachesHandler_data();
    void bodyReachesHandler();
    void bodiesAreDroppedUnlessBuffered();
    void bodyOverCapRefused_data();
    void bodyOverCapRefused();
    void stalledBodyDropped();
    void deferredResponseArrivesLater_data();
    void deferredResponseArrivesLater();
    void pipelinedRequestWaitsBehindDeferred();
    void deadlinesSpareDeferredConnections();
    void clientLeavingClosesHandle_data();
    void clientLeavingClosesHandle();
    void serverGoneWithPendingDeferreds_data();
    void serverGoneWithPendingDeferreds();
    void abandonedHandleAnswered500();
    void deferOutsideHandlerIsNull();
    void thousandDeferredConnections();
    void atTheCapAnIdleConnectionMakesRoom_data();
    void atTheCapAnIdleConnectionMakesRoom();
    void overloadLoggedOncePerSecond_data();
    void overloadLoggedOncePerSecond();
    void manyIdleSocketsDoNotLockOutARequest();
    void pipeliningClientThatNeverReadsIsPaused();
    void everySlotDeferredRefusesNewcomers();
    void halfClosedClientGetsEveryLargeAnswer_data();
    void halfClosedClientGetsEveryLargeAnswer();
};

void TestHttpServer::bodyReachesHandler_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("slice"); // bytes per write; 0: all at once
    QTest::addColumn<QByteArray>("expectedBody");

    const QByteArray json = R"({"Name":"web","Port":8080})";
    const QByteArray register_ = "PUT /v1/agent/service/register HTTP/1.1\r\nHost: t\r\nContent-Length: "
                                 + QByteArray::number(json.size()) + "\r\n\r\n" + json;
    const QByteArray chunked = "POST /v1/jobs HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\n{\"Job\r\n"
                               "b;ext=1\r\n\":{\"ID\":\"x\"\r\n"
                               "2\r\n}}\r\n"
                               "0\r\nX-Trailer: y\r\n\r\n";

    QTest::newRow("Content-Length, all at once") << register_ << 0 << json;
    QTest::newRow("Content-Length, byte by byte") << register_ << 1 << json;
    QTest::newRow("chunked with extension and trailer, all at once")
        << chunked << 0 << QByteArray(R"({"Job":{"ID":"x"}})");
    QTest::newRow("chunked, 3 bytes per write") << chunked << 3 << QByteArray(R"({"Job":{"ID":"x"}})");
    QTest::newRow("Expect: 100-continue")
        << QByteArray("POST /v1/jobs HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nabcd") << 0
        << QByteArray("abcd");
    QTest::newRow("Content-Length: 0 is an empty body")
        << QByteArray("PUT /v1/kv/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n") << 0 << QByteArray();
    QTest::newRow("binary body with CRLFs and NULs")
        << QByteArray("PUT /v1/kv/x HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\n\r\n\0\r\n\0", 59) << 0
        << QByteArray("\r\n\0\r\n\0", 6);
}

void TestHttpServer::bodyReachesHandler()
{
    QFETCH(QByteArray, request);
    QFETCH(int, slice);
    QFETCH(QByteArray, expectedBody);

    HttpServer server;
    HttpServer::Limits limits;
    limits.bufferBodyBytes = 64 * 1024;
    server.setLimits(limits);
    Recorder recorder;
    // The headers the handler sees outlive the body's arrival.
    QList<QByteArray> hosts;
    server.setHandler([&](const Request &r, Response &response) {
        recorder.bodies.append(r.body.toByteArray());
        hosts.append(r.header("host").toByteArray());
        response = text(r.method.toByteArray() + ' ' + r.path.toByteArray() + ' ' + r.body.toByteArray());
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));

    Client client(server.port());
    // A second request pipelined behind the body proves where the body ended.
    const QByteArray wire = request + get("/after");
    if (slice == 0) {
        client.send(wire);
    } else {
        for (qsizetype i = 0; i < wire.size(); i += slice) {
            client.send(wire.mid(i, slice));
            QVERIFY(client.socket().waitForBytesWritten(Timeout));
            QCoreApplication::processEvents();
        }
    }

    TAKE_RESPONSE(client, maybeContinue);
    std::optional<RawResponse> first = maybeContinue;
    if (first->status == 100) {
        TAKE_RESPONSE(client, final);
        first = final;
    }
    QCOMPARE(first->status, 200);
    const qsizetype space = request.indexOf(' ');
    const QByteArray method = request.first(space);
    const QByteArray path = request.mid(space + 1, request.indexOf(' ', space + 1) - space - 1);
    QCOMPARE(first->body, method + ' ' + path + ' ' + expectedBody);
    QCOMPARE(hosts.value(0), QByteArray("t"));

    TAKE_RESPONSE(client, second);
    QCOMPARE(second->body, QByteArray("GET /after "));
    QCOMPARE(recorder.bodies, (QList<QByteArray>{expectedBody, QByteArray()}));
}

void TestHttpServer::bodiesAreDroppedUnlessBuffered()
{
    HttpServer server; // default limits: bufferBodyBytes == 0
    Recorder recorder;
    QVERIFY(recorder.serve(server));

    Client client(server.port());
    client.send("PUT /v1/kv/x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + get("/after"));
    TAKE_RESPONSE(client, first);
    QCOMPARE(first->body, QByteArray("PUT /v1/kv/x "));
    TAKE_RESPONSE(client, second);
    QCOMPARE(second->body, QByteArray("GET /after "));
}

void TestHttpServer::bodyOverCapRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("expectedStatus");

    // Cap: 16 bytes.
    QTest::newRow("Content-Length over the cap: 413 before any body is sent")
        << QByteArray("PUT /v1/kv/x HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n") << 413;
    QTest::newRow("Content-Length far over maxBodyBytes too")
        << QByteArray("PUT /v1/kv/x HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999\r\n\r\n") << 413;
    QTest::newRow("chunked adding up past the cap")
        << QByteArray("POST /v1/jobs HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "8\r\n12345678\r\n9\r\n")
        << 413;
    QTest::newRow("exactly at the cap is accepted")
        << QByteArray("PUT /v1/kv/x HTTP/1.1\r\nHost: t\r\nContent-Length: 16\r\n\r\n0123456789abcdef") << 200;
}

void TestHttpServer::bodyOverCapRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, expectedStatus);

    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server, {.bufferBodyBytes = 16}));
    QSignalSpy rejected(&server, &HttpServer::connectionRejected);

    Client client(server.port());
    client.send(request);
    TAKE_RESPONSE(client, response);
    QCOMPARE(response->status, expectedStatus);
    if (expectedStatus == 413) {
        QVERIFY(recorder.paths.isEmpty());
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QTRY_VERIFY_WITH_TIMEOUT(!client.isConnected(), Timeout);
        QCOMPARE(rejected.count(), 1);
        QCOMPARE(rejected.at(0).at(0).toInt(), 413);
    } else {
        QCOMPARE(recorder.bodies, QList<QByteArray>{"0123456789abcdef"});
    }
}

void TestHttpServer::stalledBodyDropped()
{
    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server, {.bufferBodyBytes = 1024, .headerTimeout = 300ms}));

    Client client(server.port());
    client.send("PUT /v1/kv/x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    QTRY_VERIFY_WITH_TIMEOUT(!client.isConnected(), Timeout);
    QVERIFY(recorder.paths.isEmpty());
    QCOMPARE(server.openConnections(), 0);
}

void TestHttpServer::deferredResponseArrivesLater_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("headRequest");
    QTest::addColumn<QByteArray>("expectedConnection"); // the Connection header, if any
    QTest::addColumn<bool>("stays");                    // the connection stays open after

    QTest::newRow("blocking query, keep-alive")
        << get("/defer/v1/health/service/web?index=7&wait=5m") << false << QByteArray() << true;
    QTest::newRow("HEAD gets headers only")
        << QByteArray("HEAD /defer HTTP/1.1\r\nHost: t\r\n\r\n") << true << QByteArray() << true;
    QTest::newRow("Connection: close closes after")
        << QByteArray("GET /defer HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n") << false << QByteArray("close")
        << false;
    QTest::newRow("HTTP/1.0 closes after")
        << QByteArray("GET /defer HTTP/1.0\r\n\r\n") << false << QByteArray("close") << false;
    QTest::newRow("HTTP/1.0 keep-alive stays") << QByteArray("GET /defer HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                                               << false << QByteArray("keep-alive") << true;
    QTest::newRow("buffered body, then deferred")
        << QByteArray("PUT /defer/kv?cas=3 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\ntrue") << false
        << QByteArray() << true;
}

void TestHttpServer::deferredResponseArrivesLater()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, headRequest);
    QFETCH(QByteArray, expectedConnection);
    QFETCH(bool, stays);

    HttpServer server;
    HttpServer::Limits limits;
    limits.bufferBodyBytes = 1024;
    server.setLimits(limits);
    Deferred handle;
    bool answered = false;
    server.setHandler([&](const Request &r, Response &response) {
        handle = r.defer();
        response = text("ignored"); // what the handler leaves is not sent
        // The answer depends only on what was copied out of the request.
        const QByteArray body = "index 8 for " + r.path.toByteArray() + ' ' + r.body.toByteArray();
        QTimer::singleShot(300ms, &server, [&answered, handle = handle, body] {
            QVERIFY(handle.isOpen());
            Response late = text(body);
            late.extraHeaders = "X-Consul-Index: 8\r\n";
            handle.respond(late);
            QVERIFY(!handle.isOpen());
            handle.respond(text("a second answer is ignored"));
            answered = true;
        });
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));

    Client client(server.port());
    client.send(request);
    QTRY_VERIFY_WITH_TIMEOUT(handle.isOpen(), Timeout);
    QVERIFY(client.received().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(answered, Timeout);

    TAKE_RESPONSE(client, response, headRequest);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("X-Consul-Index"), QByteArray("8"));
    QCOMPARE(response->header("Connection"), expectedConnection);
    const qsizetype space = request.indexOf(' ');
    const QByteArray target = request.mid(space + 1, request.indexOf(' ', space + 1) - space - 1);
    const QByteArray path = target.first(target.contains('?') ? target.indexOf('?') : target.size());
    const QByteArray expectedBody
        = "index 8 for " + path + ' ' + (request.startsWith("PUT") ? QByteArray("true") : QByteArray());
    QCOMPARE(response->header("Content-Length"), QByteArray::number(expectedBody.size()));
    QCOMPARE(response->body, headRequest ? QByteArray() : expectedBody);

    if (stays) {
        // The same connection serves the next request (answered at once
        // inside the handler this time).
        server.setHandler([](const Request &r, Response &) { r.defer().respond(text("right away")); });
        client.send(get("/next"));
        TAKE_RESPONSE(client, next);
        QCOMPARE(next->body, QByteArray("right away"));
        QVERIFY(client.isConnected());
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(!client.isConnected(), Timeout);
    }
    QVERIFY(client.received().isEmpty()); // the second respond() sent nothing
}

void TestHttpServer::pipelinedRequestWaitsBehindDeferred()
{
    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server));

    Client client(server.port());
    client.send(get("/before") + get("/defer/1") + get("/fast") + get("/defer/2") + get("/last"));
    TAKE_RESPONSE(client, before);
    QCOMPARE(before->body, QByteArray("GET /before "));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.pending.size(), size_t(1), Timeout);
    // Nothing behind the deferred request is handled, however long it waits.
    QTest::qWait(200);
    QCOMPARE(recorder.paths, (QList<QByteArray>{"/before", "/defer/1"}));
    QVERIFY(client.received().isEmpty());

    recorder.pending.at(0).respond(text("first deferred"));
    TAKE_RESPONSE(client, first);
    QCOMPARE(first->body, QByteArray("first deferred"));
    TAKE_RESPONSE(client, fast);
    QCOMPARE(fast->body, QByteArray("GET /fast "));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.pending.size(), size_t(2), Timeout);
    QCOMPARE(recorder.paths, (QList<QByteArray>{"/before", "/defer/1", "/fast", "/defer/2"}));

    recorder.pending.at(1).respond(text("second deferred"));
    TAKE_RESPONSE(client, second);
    QCOMPARE(second->body, QByteArray("second deferred"));
    TAKE_RESPONSE(client, last);
    QCOMPARE(last->body, QByteArray("GET /last "));
    QCOMPARE(recorder.paths.size(), 5);
}

void TestHttpServer::deadlinesSpareDeferredConnections()
{
    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server, {.headerTimeout = 100ms, .idleTimeout = 100ms}));

    Client waiting(server.port());
    waiting.send(get("/defer"));
    Client idle(server.port());
    idle.send(get("/x"));
    TAKE_RESPONSE(idle, answer);
    // Ten times the timeouts: the idle keep-alive connection goes, the
    // blocking query stays.
    QTRY_VERIFY_WITH_TIMEOUT(!idle.isConnected(), Timeout);
    QTest::qWait(1000);
    QVERIFY(waiting.isConnected());
    QCOMPARE(recorder.pending.size(), size_t(1));
    QVERIFY(recorder.pending.at(0).isOpen());

    recorder.pending.at(0).respond(text("changed"));
    TAKE_RESPONSE(waiting, response);
    QCOMPARE(response->body, QByteArray("changed"));
    // Back to the idle timeout once answered.
    QTRY_VERIFY_WITH_TIMEOUT(!waiting.isConnected(), Timeout);
}

void TestHttpServer::clientLeavingClosesHandle_data()
{
    QTest::addColumn<bool>("reset");               // abort() (RST) rather than a FIN
    QTest::addColumn<QByteArray>("pipelinedMore"); // sent behind the deferred request

    QTest::newRow("client closes") << false << QByteArray();
    QTest::newRow("client resets") << true << QByteArray();
    QTest::newRow("client pipelined another request, then closed") << false << get("/fast");
    QTest::newRow("client sent half a head, then reset") << true << QByteArray("GET /fa");
}

void TestHttpServer::clientLeavingClosesHandle()
{
    QFETCH(bool, reset);
    QFETCH(QByteArray, pipelinedMore);

    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server));

    Client client(server.port());
    client.send(get("/defer") + pipelinedMore);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.pending.size(), size_t(1), Timeout);
    const Deferred handle = recorder.pending.at(0);
    QVERIFY(handle.isOpen());
    QCOMPARE(server.openConnections(), 1);

    if (reset)
        client.socket().abort();
    else
        client.socket().disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(!handle.isOpen(), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, Timeout);
    handle.respond(text("nobody is listening")); // harmless
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    handle.respond(text("still harmless once the connection is deleted"));
    QVERIFY(!handle.isOpen());
    QCOMPARE(recorder.paths, QList<QByteArray>{"/defer"});
}

void TestHttpServer::serverGoneWithPendingDeferreds_data()
{
    QTest::addColumn<bool>("destroy"); // else close()
    QTest::newRow("server destroyed") << true;
    QTest::newRow("server closed") << false;
}

void TestHttpServer::serverGoneWithPendingDeferreds()
{
    QFETCH(bool, destroy);

    auto server = std::make_unique<HttpServer>();
    HttpServer::Limits limits;
    limits.bufferBodyBytes = 1024;
    server->setLimits(limits);
    Recorder recorder;
    recorder.install(*server);
    QVERIFY(server->listen(QHostAddress::LocalHost));

    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<Client>(server->port()));
        clients.back()->send(get("/defer/" + QByteArray::number(i)));
    }
    // One more mid-body, so a buffered request is pending too.
    clients.push_back(std::make_unique<Client>(server->port()));
    clients.back()->send("PUT /kv HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.pending.size(), size_t(5), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(server->openConnections(), 6, Timeout);

    if (destroy)
        server.reset();
    else
        server->close();
    for (const Deferred &handle : recorder.pending) {
        QVERIFY(!handle.isOpen());
        handle.respond(text("too late")); // a no-op, not a crash
    }
    for (const auto &client : clients)
        QTRY_VERIFY_WITH_TIMEOUT(!client->isConnected(), Timeout);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    for (const Deferred &handle : recorder.pending)
        handle.respond(text("still too late"));
    if (server)
        QCOMPARE(server->openConnections(), 0);
    for (const auto &client : clients)
        QVERIFY(client->received().isEmpty());
}

void TestHttpServer::abandonedHandleAnswered500()
{
    HttpServer server;
    server.setHandler([](const Request &r, Response &) { (void)r.defer(); });
    QVERIFY(server.listen(QHostAddress::LocalHost));

    Client client(server.port());
    client.send(get("/forgotten"));
    TAKE_RESPONSE(client, response);
    QCOMPARE(response->status, 500);
    QVERIFY(client.isConnected());
}

void TestHttpServer::deferOutsideHandlerIsNull()
{
    const Request request;
    const Deferred handle = request.defer();
    QVERIFY(!handle.isOpen());
    handle.respond(text("nowhere"));
    const Deferred null;
    QVERIFY(!null.isOpen());
    null.respond(text("nowhere"));
}

void TestHttpServer::thousandDeferredConnections()
{
    constexpr int Count = 1000;
    // Both ends of every connection live in this process.
    if (!meshtest::raiseFileLimit(2 * Count + 64))
        QFAIL("too few file descriptors for both ends of 1000 connections: raise the hard limit (ulimit -Hn)");

    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server));

    std::vector<std::unique_ptr<Client>> clients;
    clients.reserve(Count);
    for (int i = 0; i < Count; ++i) {
        clients.push_back(std::make_unique<Client>(server.port()));
        clients.back()->send(get("/defer/" + QByteArray::number(i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(recorder.pending.size(), size_t(Count), 120'000);
    QCOMPARE(server.openConnections(), Count);

    // Answered in reverse order of arrival, each with its own path.
    for (int i = Count - 1; i >= 0; --i)
        recorder.pending.at(i).respond(text(recorder.paths.at(i)));
    // Every client gets the answer to its own request.
    for (int i = 0; i < Count; ++i) {
        TAKE_RESPONSE(*clients.at(i), response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("/defer/" + QByteArray::number(i)));
        QVERIFY(clients.at(i)->isConnected());
    }
    QCOMPARE(recorder.paths.size(), Count);
}

void TestHttpServer::atTheCapAnIdleConnectionMakesRoom_data()
{
    // Four slots, set up in this order (0 first), each in one state:
    //   fresh    connected, never sent a byte
    //   idle     keep-alive, its request answered
    //   partial  half a request head sent
    //   body     head and 3 of 10 body bytes sent
    //   deferred a blocking query waiting for its answer
    //   writing  a 32 MiB response the client does not read
    //   touched  idle, then one more request later (after all four are set)
    // `drained`: which slot the fifth client's arrival closes (-1: none,
    // the fifth is refused instead).
    QTest::addColumn<QByteArrayList>("slots");
    QTest::addColumn<int>("drained");

    QTest::newRow("all idle keep-alive: the oldest goes") << QByteArrayList{"idle", "idle", "idle", "idle"} << 0;
    QTest::newRow("least recently active goes, not first accepted")
        << QByteArrayList{"touched", "idle", "idle", "idle"} << 1;
    QTest::newRow("a client that never sent a byte is reusable")
        << QByteArrayList{"partial", "fresh", "idle", "idle"} << 1;
    QTest::newRow("half a head and a deferred response are spared")
        << QByteArrayList{"partial", "deferred", "partial", "idle"} << 3;
    QTest::newRow("a request body in progress is spared") << QByteArrayList{"body", "deferred", "idle", "fresh"} << 2;
    QTest::newRow("a response being written is spared")
        << QByteArrayList{"writing", "partial", "fresh", "deferred"} << 2;
    QTest::newRow("every slot busy: the newcomer is refused")
        << QByteArrayList{"partial", "deferred", "body", "writing"} << -1;
}

void TestHttpServer::atTheCapAnIdleConnectionMakesRoom()
{
    QFETCH(QByteArrayList, slots);
    QFETCH(int, drained);

    HttpServer server;
    HttpServer::Limits limits;
    limits.maxConnections = 4;
    limits.bufferBodyBytes = 1024; // so a request is in progress until its body is in
    server.setLimits(limits);
    Recorder recorder;
    const QByteArray big(32 * 1024 * 1024, 'x');
    server.setHandler([&](const Request &request, Response &response) {
        recorder.paths.append(request.path.toByteArray());
        if (request.path == "/defer")
            recorder.pending.push_back(request.defer());
        else
            response = text(request.path == "/big" ? big : request.path.toByteArray());
    });
    QSignalSpy rejected(&server, &HttpServer::connectionRejected);
    QVERIFY(server.listen(QHostAddress::LocalHost));

    // Each state is confirmed on the server's side (reusableConnections())
    // before the next slot is set up, so the order of activity is known.
    std::vector<std::unique_ptr<Client>> clients;
    std::unique_ptr<QTcpSocket> nonReader; // the "writing" slot's client
    int reusable = 0;
    for (const QByteArray &state : slots) {
        const int accepted = int(server.acceptedConnections());
        if (state == "writing") {
            nonReader = std::make_unique<QTcpSocket>();
            nonReader->setReadBufferSize(4096); // Qt stops reading from the kernel
            nonReader->connectToHost(QHostAddress::LocalHost, server.port());
            clients.push_back(nullptr);
        } else {
            clients.push_back(std::make_unique<Client>(server.port()));
        }
        QTRY_COMPARE_WITH_TIMEOUT(int(server.acceptedConnections()), accepted + 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(server.reusableConnections(), reusable + 1, Timeout);
        Client *client = clients.back().get();
        if (state == "fresh") {
            ++reusable;
        } else if (state == "idle" || state == "touched") {
            client->send(get("/hello"));
            TAKE_RESPONSE(*client, response);
            QCOMPARE(response->status, 200);
            ++reusable;
            QTRY_COMPARE_WITH_TIMEOUT(server.reusableConnections(), reusable, Timeout);
        } else if (state == "partial") {
            client->send("GET /half HTTP/1.1\r\nHost: t\r\n");
        } else if (state == "body") {
            client->send("PUT /kv HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
        } else if (state == "deferred") {
            client->send(get("/defer"));
            QTRY_COMPARE_WITH_TIMEOUT(recorder.pending.size(), size_t(1), Timeout);
        } else if (state == "writing") {
            QVERIFY(nonReader->waitForConnected(Timeout));
            nonReader->write(get("/big"));
            QTRY_VERIFY_WITH_TIMEOUT(recorder.paths.contains("/big"), Timeout);
        } else {
            QFAIL(state.constData());
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.reusableConnections(), reusable, Timeout);
    }
    for (qsizetype i = 0; i < slots.size(); ++i) {
        if (slots.at(i) == "touched") {
            clients.at(i)->send(get("/again"));
            TAKE_RESPONSE(*clients.at(i), again);
            QCOMPARE(again->body, QByteArray("/again"));
        }
    }
    QCOMPARE(server.openConnections(), 4);
    QCOMPARE(server.reusableConnections(), reusable);

    Client newcomer(server.port());
    if (drained >= 0) {
        newcomer.send(get("/new"));
        TAKE_RESPONSE(newcomer, response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("/new"));
        QTRY_VERIFY_WITH_TIMEOUT(!clients.at(drained)->isConnected(), Timeout);
        QVERIFY(clients.at(drained)->received().isEmpty());
        QCOMPARE(server.drainedConnections(), quint64(1));
        QCOMPARE(server.refusedConnections(), quint64(0));
        QCOMPARE(rejected.count(), 0); // draining is not a rejection
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(server.refusedConnections(), quint64(1), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(newcomer.socket().state(), QAbstractSocket::UnconnectedState, Timeout);
        QVERIFY(newcomer.received().isEmpty());
        QCOMPARE(server.drainedConnections(), quint64(0));
        QCOMPARE(rejected.count(), 1);
        QCOMPARE(rejected.at(0).at(0).toInt(), 0);
    }
    QCOMPARE(server.openConnections(), 4);
    // Every other slot is untouched: still connected, nothing unexpected
    // answered. (A refused newcomer leaves all four.)
    for (qsizetype i = 0; i < slots.size(); ++i) {
        if (i == drained)
            continue;
        if (slots.at(i) == "writing") {
            QCOMPARE(nonReader->state(), QAbstractSocket::ConnectedState);
            continue;
        }
        QVERIFY2(clients.at(i)->isConnected(), slots.at(i).constData());
        QVERIFY2(clients.at(i)->received().isEmpty(), slots.at(i).constData());
    }
    // The spared requests still complete.
    for (qsizetype i = 0; i < slots.size(); ++i) {
        if (slots.at(i) == "partial") {
            clients.at(i)->send("\r\n");
            TAKE_RESPONSE(*clients.at(i), half);
            QCOMPARE(half->body, QByteArray("/half"));
        } else if (slots.at(i) == "deferred") {
            recorder.pending.at(0).respond(text("changed"));
            TAKE_RESPONSE(*clients.at(i), late);
            QCOMPARE(late->body, QByteArray("changed"));
        } else if (slots.at(i) == "body") {
            clients.at(i)->send("defghij");
            TAKE_RESPONSE(*clients.at(i), put);
            QCOMPARE(put->body, QByteArray("/kv"));
        }
    }
}

void TestHttpServer::overloadLoggedOncePerSecond_data()
{
    QTest::addColumn<bool>("idleSlots"); // else the slots are busy mid-request
    QTest::addColumn<QByteArray>("expectedLine");
    QTest::newRow("refusals") << false << QByteArray("refused 10 connections in the last second: limit of 2 reached");
    QTest::newRow("drains") << true
                            << QByteArray(
                                   "closed 10 idle connections to make room in the last second: limit of 2 reached");
}

namespace {
// What the server logs in its category (meshpad.http) while one of these is
// alive; everything still reaches the previous handler.
class HttpLogCapture
{
public:
    HttpLogCapture()
    {
        s_capture = this;
        s_previous = qInstallMessageHandler(collect);
    }
    ~HttpLogCapture()
    {
        qInstallMessageHandler(s_previous);
        s_capture = nullptr;
    }
    Q_DISABLE_COPY_MOVE(HttpLogCapture)

    const QStringList &messages() const { return m_messages; }

private:
    static void collect(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        if (s_capture && qstrcmp(context.category, "meshpad.http") == 0)
            s_capture->m_messages.append(message);
        s_previous(type, context, message);
    }

    static inline HttpLogCapture *s_capture = nullptr;
    static inline QtMessageHandler s_previous = nullptr;
    QStringList m_messages;
};
} // namespace

void TestHttpServer::overloadLoggedOncePerSecond()
{
    QFETCH(bool, idleSlots);
    QFETCH(QByteArray, expectedLine);

    const HttpLogCapture log;
    const QStringList &messages = log.messages();

    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server, {.maxConnections = 2}));

    std::vector<std::unique_ptr<Client>> busy;
    for (int i = 0; i < 2; ++i) {
        busy.push_back(std::make_unique<Client>(server.port()));
        QTRY_COMPARE_WITH_TIMEOUT(server.reusableConnections(), idleSlots ? i + 1 : 1, Timeout);
        if (!idleSlots) {
            busy.back()->send("GET / HTTP/1.1\r\n");
            QTRY_COMPARE_WITH_TIMEOUT(server.reusableConnections(), 0, Timeout);
        }
    }
    // Ten newcomers, one after the other, each seen by the server before
    // the next.
    std::vector<std::unique_ptr<Client>> newcomers;
    for (int i = 0; i < 10; ++i) {
        newcomers.push_back(std::make_unique<Client>(server.port()));
        QTRY_COMPARE_WITH_TIMEOUT(server.drainedConnections() + server.refusedConnections(), quint64(i + 1), Timeout);
    }
    QCOMPARE(idleSlots ? server.drainedConnections() : server.refusedConnections(), quint64(10));
    // One summary line, after the second is over; not ten.
    QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), Timeout);
    QTest::qWait(1500);
    qInfo() << "logged:" << messages;
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0), QString::fromLatin1(expectedLine));
}

void TestHttpServer::manyIdleSocketsDoNotLockOutARequest()
{
    // The issue's scenario at a smaller cap: 3x as many idle sockets as
    // slots, then a real request. Both ends are in this process.
    constexpr int Cap = 300;
    constexpr int Idle = 3 * Cap;
    if (!meshtest::raiseFileLimit(2 * Idle + 64))
        QFAIL("too few file descriptors: raise the hard limit (ulimit -Hn)");

    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server, {.maxConnections = Cap}));

    std::vector<std::unique_ptr<Client>> idle;
    idle.reserve(Idle);
    for (int i = 0; i < Idle; ++i)
        idle.push_back(std::make_unique<Client>(server.port()));
    QTRY_COMPARE_WITH_TIMEOUT(server.acceptedConnections(), quint64(Idle), 120'000);
    QCOMPARE(server.openConnections(), Cap);
    QCOMPARE(server.drainedConnections(), quint64(Idle - Cap));
    QCOMPARE(server.refusedConnections(), quint64(0));

    Client client(server.port());
    client.send(get("/real"));
    TAKE_RESPONSE(client, response);
    QCOMPARE(response->status, 200);
    QCOMPARE(server.drainedConnections(), quint64(Idle - Cap + 1));
    // The survivors are the most recent ones.
    QTRY_COMPARE_WITH_TIMEOUT(std::count_if(idle.begin(), idle.end(), [](const auto &c) { return c->isConnected(); }),
                              qsizetype(Cap - 1), Timeout);
}

void TestHttpServer::pipeliningClientThatNeverReadsIsPaused()
{
    // docs/faults.md F6 for the HTTP server: a client pipelines 10,000 requests and reads
    // nothing. Past its output limit (PauseOutputBytes, 1 MiB, in
    // apps/http/httpconnection.cpp) the server must stop reading requests,
    // so what it holds for the connection stays bounded and TCP flow
    // control holds the client back; once the client reads, every answer
    // arrives, in order. A server without the pause would answer all
    // 10,000 at once and buffer ~42 MB for this one socket.
    constexpr int Requests = 10'000;
    constexpr qsizetype AnswerBytes = 4096;
    constexpr qint64 Bound = 2 * 1024 * 1024; // 1 MiB pause mark + one answer, with room

    HttpServer server;
    int handled = 0;
    server.setHandler([&handled](const Request &request, Response &response) {
        ++handled;
        // The path names the request; padded to 4 KiB.
        QByteArray body = request.path.toByteArray();
        body.append(AnswerBytes - body.size(), '.');
        response = text(std::move(body));
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));

    QTcpSocket client;
    // Qt then stops reading from the kernel: the socket reads nothing more
    // until it is told otherwise below.
    client.setReadBufferSize(4096);
    client.connectToHost(QHostAddress::LocalHost, server.port());
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, Timeout);
    QByteArray batch;
    for (int i = 0; i < Requests; ++i)
        batch += get('/' + QByteArray::number(i));
    client.write(batch);

    // The server's end of the connection (HttpConnection owns it, under
    // the server): how much output Qt holds for it in user space.
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 1, Timeout);
    const auto serverSockets = server.findChildren<QTcpSocket *>();
    QCOMPARE(serverSockets.size(), 1);
    const QPointer<QTcpSocket> serverSide = serverSockets.at(0);

    // Paused: the kernel's buffers are full and Qt holds more than the
    // pause mark.
    QTRY_VERIFY_WITH_TIMEOUT(serverSide->bytesToWrite() > 1024 * 1024, Timeout);
    const int handledAtPause = handled;
    // An observation window, not a synchronisation: a server that kept
    // going would answer more, and buffer more, meanwhile.
    qint64 mostBuffered = 0;
    for (int i = 0; i < 10; ++i) {
        QTest::qWait(100);
        mostBuffered = std::max(mostBuffered, serverSide->bytesToWrite());
    }
    qInfo("paused after %d of %d requests, %lld bytes buffered by the server", handled, Requests, mostBuffered);
    QCOMPARE(handled, handledAtPause);
    QVERIFY2(handled < Requests / 2, "the server did not stop answering");
    QVERIFY2(mostBuffered < Bound, qPrintable(QString::number(mostBuffered)));

    // Now read: every answer arrives, in order. Parsed as it comes, so the
    // buffer stays small.
    QByteArray received;
    int answered = 0;
    int outOfOrder = 0;
    qint64 mostBufferedWhileReading = 0;
    auto drain = [&] {
        received += client.readAll();
        while (auto response = RawResponse::take(received)) {
            const QByteArray expected = '/' + QByteArray::number(answered) + '.';
            if (response->status != 200 || response->body.size() != AnswerBytes || !response->body.startsWith(expected))
                ++outOfOrder;
            ++answered;
            if (serverSide)
                mostBufferedWhileReading = std::max(mostBufferedWhileReading, serverSide->bytesToWrite());
        }
    };
    QObject::connect(&client, &QTcpSocket::readyRead, &client, drain);
    client.setReadBufferSize(0);
    drain();
    QTRY_COMPARE_WITH_TIMEOUT(answered, Requests, 120'000);
    QCOMPARE(outOfOrder, 0);
    QVERIFY(received.isEmpty());
    QVERIFY2(mostBufferedWhileReading < Bound, qPrintable(QString::number(mostBufferedWhileReading)));
    QCOMPARE(handled, Requests);
    QCOMPARE(client.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::everySlotDeferredRefusesNewcomers()
{
    // F8 for the HTTP server when nothing can be drained: 50 blocking
    // queries hold all 50 slots, so 10 newcomers are refused (not one of
    // the waiting queries closed), the overload is one summary line rather
    // than a line per refusal, and the queries are still answered later.
    constexpr int Cap = 50;
    constexpr int Newcomers = 10;

    const HttpLogCapture log;
    const QStringList &messages = log.messages();

    HttpServer server;
    Recorder recorder;
    QVERIFY(recorder.serve(server, {.maxConnections = Cap}));
    QSignalSpy rejected(&server, &HttpServer::connectionRejected);

    std::vector<std::unique_ptr<Client>> waiting;
    for (int i = 0; i < Cap; ++i) {
        waiting.push_back(std::make_unique<Client>(server.port()));
        waiting.back()->send(get("/defer/" + QByteArray::number(i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(recorder.pending.size(), size_t(Cap), Timeout);
    QCOMPARE(server.openConnections(), Cap);
    QCOMPARE(server.reusableConnections(), 0);

    // All at once, so the refusals fall within one logging period.
    std::vector<std::unique_ptr<Client>> newcomers;
    for (int i = 0; i < Newcomers; ++i)
        newcomers.push_back(std::make_unique<Client>(server.port()));
    QTRY_COMPARE_WITH_TIMEOUT(server.refusedConnections(), quint64(Newcomers), Timeout);
    for (const auto &newcomer : newcomers) {
        QTRY_COMPARE_WITH_TIMEOUT(newcomer->socket().state(), QAbstractSocket::UnconnectedState, Timeout);
        QVERIFY(newcomer->received().isEmpty());
    }
    QCOMPARE(server.drainedConnections(), quint64(0));
    QCOMPARE(server.openConnections(), Cap);
    QCOMPARE(rejected.count(), Newcomers);

    // The summary line, once: it comes at the end of the second that saw
    // the first refusal; then a further period passes without another.
    const QRegularExpression line(
        QStringLiteral("^refused (\\d+) connections in the last second: limit of 50 reached$"));
    QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), Timeout);
    QTest::qWait(1500);
    qInfo() << "logged:" << messages;
    QCOMPARE(messages.size(), 1);
    const QRegularExpressionMatch match = line.match(messages.at(0));
    QVERIFY2(match.hasMatch(), qPrintable(messages.at(0)));
    QCOMPARE(match.captured(1).toInt(), Newcomers);

    // The waiting queries were never touched, and are all answered.
    for (int i = 0; i < Cap; ++i) {
        QVERIFY(waiting.at(i)->isConnected());
        QVERIFY(waiting.at(i)->received().isEmpty());
        QVERIFY(recorder.pending.at(i).isOpen());
    }
    for (int i = Cap - 1; i >= 0; --i)
        recorder.pending.at(i).respond(text(recorder.paths.at(i)));
    for (int i = 0; i < Cap; ++i) {
        TAKE_RESPONSE(*waiting.at(i), response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("/defer/" + QByteArray::number(i)));
        QVERIFY(waiting.at(i)->isConnected());
    }
    // Answered, they are idle keep-alive connections: reusable again.
    QTRY_COMPARE_WITH_TIMEOUT(server.reusableConnections(), Cap, Timeout);
}

void TestHttpServer::halfClosedClientGetsEveryLargeAnswer_data()
{
    QTest::addColumn<bool>("lastAsksToClose");
    QTest::newRow("keep-alive requests") << false;
    // The server then closes after that answer itself (Connection: close).
    QTest::newRow("the last asks Connection: close") << true;
}

void TestHttpServer::halfClosedClientGetsEveryLargeAnswer()
{
    QFETCH(bool, lastAsksToClose);
    // F3 where it bites: the client pipelines requests whose answers (50 x
    // 256 KiB) are far more than the kernel's socket buffers hold, then
    // shuts its write side (shutdown(SHUT_WR), man 2 shutdown). The server
    // reads that EOF while most answers are still unwritten or not yet
    // produced (it pauses past 1 MiB of output). A half-close means "no
    // more requests", not "no more interest" in the answers (RFC 9112
    // §9.6); every request already sent must still be answered, then the
    // connection closed. Qt reads that EOF as a full close and drops what
    // it has not written yet, so without apps/http's hold on input
    // (HttpConnection::updateHold()) this got 14 of the 50. tst_counter's
    // halfClosedClientStillGetsItsAnswer covers small answers.
    constexpr int Requests = 50;
    constexpr qsizetype AnswerBytes = 256 * 1024;

    HttpServer server;
    server.setHandler([](const Request &request, Response &response) {
        QByteArray body = request.path.toByteArray();
        body.append(AnswerBytes - body.size(), '.');
        response = text(std::move(body));
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.port());
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, Timeout);
    QByteArray batch;
    for (int i = 0; i < Requests - 1; ++i)
        batch += get('/' + QByteArray::number(i));
    batch += "GET /" + QByteArray::number(Requests - 1) + " HTTP/1.1\r\nHost: test\r\n"
             + (lastAsksToClose ? "Connection: close\r\n" : "") + "\r\n";
    client.write(batch);
    QTRY_COMPARE_WITH_TIMEOUT(client.bytesToWrite(), qint64(0), Timeout);
    // QTcpSocket has no half-close of its own.
    QCOMPARE(::shutdown(int(client.socketDescriptor()), SHUT_WR), 0);

    QByteArray received;
    int answered = 0;
    int wrong = 0;
    auto drain = [&] {
        received += client.readAll();
        while (auto response = RawResponse::take(received)) {
            const QByteArray expected = '/' + QByteArray::number(answered) + '.';
            if (response->status != 200 || response->body.size() != AnswerBytes || !response->body.startsWith(expected))
                ++wrong;
            ++answered;
        }
    };
    QObject::connect(&client, &QTcpSocket::readyRead, &client, drain);
    bool closedByServer = false;
    QObject::connect(&client, &QTcpSocket::disconnected, &client, [&] {
        drain();
        closedByServer = client.error() == QAbstractSocket::RemoteHostClosedError;
    });
    drain();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 60'000);
    qInfo("%d of %d answers before the close", answered, Requests);
    QCOMPARE(answered, Requests);
    QCOMPARE(wrong, 0);
    QVERIFY2(received.isEmpty(), "an answer was cut short");
    QVERIFY2(closedByServer, qPrintable(client.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, Timeout);
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
