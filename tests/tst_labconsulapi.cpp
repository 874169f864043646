// The lab's Consul HTTP API on real sockets: each node's agent on
// <node address>:8500 takes the seed's curl payloads, lists them where a
// real agent does, refuses bodies with Consul's own words, answers blocking
// queries, enforces intentions written through /v1/config, and every body it
// serves decodes into the Go client's structs (consul-responses.json).
#include "lab/api/consulstate.h"
#include "lab/lab.h"
#include "model/projectfile.h"

#include "apischemachecker.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace mesh;
using namespace mesh::lab;
using meshtest::ApiSchemaChecker;

namespace {

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
    quint64 index() const { return headers.value("x-consul-index").toULongLong(); }
};

// The seed's payloads (the blog's counter.sh and dashboard.sh).
const QByteArray kCounterPayload
    = "{ \"name\": \"counter\", \"port\": 9001, \"connect\": { \"sidecar_service\": {} } }";
const QByteArray kDashboardPayload
    = "{ \"name\": \"dashboard\", \"port\": 9002, \"connect\": { \"sidecar_service\": { \"proxy\": { \"upstreams\": [ "
      "{ \"destination_name\": \"counter\", \"local_bind_port\": 8080 } ] } } } }";

} // namespace

class TestLabConsulApi final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_caDir;
    std::optional<ApiSchemaChecker> m_responses;
    std::optional<ApiSchemaChecker> m_requests;
    std::unique_ptr<Lab> m_lab;
    LabSnapshot m_snapshot;
    QNetworkAccessManager m_net;

    Lab::Options options() const
    {
        Lab::Options o;
        o.caDirectory = m_caDir.path();
        o.snapshotInterval = std::chrono::milliseconds(100);
        o.restartDelay = std::chrono::milliseconds(200);
        return o;
    }

    QString base(int node) const { return m_snapshot.nodes.at(node).consulAddress; }

    QNetworkReply *start(const QByteArray &method, const QString &url, const QByteArray &body = {})
    {
        QNetworkRequest request{QUrl(url)};
        request.setTransferTimeout(0);
        if (!body.isNull())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return m_net.sendCustomRequest(request, method, body);
    }

    static HttpResult collect(QNetworkReply *reply)
    {
        HttpResult result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            result.headers.insert(name.toLower(), value);
        reply->deleteLater();
        return result;
    }

    // One request, waited for at most 30 s.
    HttpResult call(const QByteArray &method, const QString &url, const QByteArray &body = {})
    {
        QNetworkReply *reply = start(method, url, body);
        QEventLoop loop;
        QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        if (!reply->isFinished()) {
            reply->abort();
            reply->deleteLater();
            return {};
        }
        return collect(reply);
    }

    // The body decodes into the Go client's type for this endpoint.
    void verifyShape(const HttpResult &result, const QString &type)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(result.body, &error);
        QJsonValue value;
        if (doc.isObject())
            value = doc.object();
        else if (doc.isArray())
            value = doc.array();
        else
            value = QJsonDocument::fromJson("[" + result.body + "]").array().at(0);
        QVERIFY2(!value.isUndefined() && !value.isNull(), result.body.constData());
        const QStringList problems = m_responses->checkResponse(value, type);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n') + u'\n' + QString::fromUtf8(result.body)));
    }

    [[nodiscard]] bool verifyConsulHeaders(const HttpResult &result)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            QVERIFY(result.index() > 0);
            QCOMPARE(result.headers.value("x-consul-knownleader"), QByteArrayLiteral("true"));
            QCOMPARE(result.headers.value("x-consul-lastcontact"), QByteArrayLiteral("0"));
        }();
        return !QTest::currentTestFailed();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_caDir.isValid());
        QString error;
        m_responses
            = ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/consul-responses.json"), &error);
        QVERIFY2(m_responses, qPrintable(error));
        m_requests = ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/consul.json"), &error);
        QVERIFY2(m_requests, qPrintable(error));

        // An empty design: three empty nodes serving the APIs.
        m_lab = std::make_unique<Lab>(options());
        QSignalSpy started(m_lab.get(), &Lab::started);
        QSignalSpy failed(m_lab.get(), &Lab::startFailed);
        QVERIFY(m_lab->start(model::Topology{}).has_value());
        QTRY_VERIFY_WITH_TIMEOUT(!started.isEmpty() || !failed.isEmpty(), 30'000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        m_snapshot = started.first().first().value<LabSnapshot>();
        QCOMPARE(m_snapshot.nodes.size(), 3);
        for (const NodeSnapshot &node : std::as_const(m_snapshot.nodes)) {
            QCOMPARE(node.consulAddress, QStringLiteral("http://%1:8500").arg(node.address));
            QCOMPARE(node.nomadAddress, QStringLiteral("http://%1:4646").arg(node.address));
        }
    }

    void cleanupTestCase()
    {
        if (!m_lab)
            return;
        QSignalSpy stopped(m_lab.get(), &Lab::stopped);
        m_lab->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!stopped.isEmpty(), 30'000);
    }

    // A real agent listening on every address holds the port on the lab's
    // addresses too: the lab serves on another port and says so, rather than
    // refusing to run.
    void takenPortMovesTheApiAndSaysWhere()
    {
        QTcpServer agent; // as `consul agent -client 0.0.0.0` would hold it
        QVERIFY(agent.listen(QHostAddress::Any, 0));
        Lab::Options taken = options();
        taken.consulPort = agent.serverPort();
        Lab lab(taken);
        QSignalSpy started(&lab, &Lab::started);
        QSignalSpy failed(&lab, &Lab::startFailed);
        QSignalSpy events(&lab, &Lab::eventOccurred);
        QVERIFY(lab.start(model::Topology{}).has_value());
        QTRY_VERIFY_WITH_TIMEOUT(!started.isEmpty() || !failed.isEmpty(), 30'000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        const LabSnapshot snapshot = started.first().first().value<LabSnapshot>();
        const QString consul = snapshot.nodes.constFirst().consulAddress;
        QVERIFY2(!consul.endsWith(u':' + QString::number(agent.serverPort())), qPrintable(consul));
        QCOMPARE(call("GET", consul + u"/v1/status/leader").status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.cbegin(), events.cend(),
                                             [&](const QList<QVariant> &e) {
                                                 const QString text = e.first().value<LabEvent>().text;
                                                 return text.startsWith(u"Consul's API of node one is on ")
                                                        && text.contains(
                                                            QStringLiteral("port %1 is taken").arg(agent.serverPort()));
                                             }),
                                 10'000);
        QSignalSpy stopped(&lab, &Lab::stopped);
        lab.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!stopped.isEmpty(), 30'000);
    }

    void statusAndSelfLookLikeAServer()
    {
        const HttpResult leader = call("GET", base(1) + u"/v1/status/leader");
        QCOMPARE(leader.status, 200);
        QCOMPARE(leader.body, QByteArray('"' + m_snapshot.nodes.at(0).address.toLatin1() + ":8300\""));
        verifyShape(leader, QStringLiteral("string"));

        const HttpResult peers = call("GET", base(0) + u"/v1/status/peers");
        QCOMPARE(peers.json().array().size(), 3);

        const HttpResult self = call("GET", base(1) + u"/v1/agent/self");
        QCOMPARE(self.status, 200);
        const QJsonObject config = self.json().object().value(u"Config").toObject();
        QCOMPARE(config.value(u"NodeName").toString(), QStringLiteral("two"));
        QCOMPARE(config.value(u"Datacenter").toString(),
                 m_snapshot.datacenter.isEmpty() ? QStringLiteral("dc1") : m_snapshot.datacenter);
        QVERIFY(config.value(u"Server").toBool());
        QVERIFY(self.json().object().value(u"DebugConfig").toObject().value(u"ConnectEnabled").toBool());
        QCOMPARE(self.json().object().value(u"Member").toObject().value(u"Addr").toString(),
                 m_snapshot.nodes.at(1).address);

        // Each node's :4646 serves Nomad's API: no jobs yet.
        const auto jobs = call("GET", m_snapshot.nodes.at(0).nomadAddress + u"/v1/jobs");
        QCOMPARE(jobs.status, 200);
        QCOMPARE(jobs.body.trimmed(), QByteArray("[]"));
    }

    // GET /v1/agent/members: the three nodes as alive LAN members, each a
    // Go api.AgentMember (hashicorp/consul: api/agent.go; not in
    // consul-responses.json, so its struct is given here field for field).
    void membersListsTheThreeNodesAlive()
    {
        const QByteArray memberSchema = R"({"product": "consul", "structs": {"AgentMember": {
            "source": "api/agent.go", "fields": [
            {"go_name": "Name", "json": "Name", "type": "string", "go_type": "string"},
            {"go_name": "Addr", "json": "Addr", "type": "string", "go_type": "string"},
            {"go_name": "Port", "json": "Port", "type": "uint", "go_type": "uint16"},
            {"go_name": "Tags", "json": "Tags", "type": "map of string to string", "go_type": "map[string]string"},
            {"go_name": "Status", "json": "Status", "type": "int", "go_type": "int"},
            {"go_name": "ProtocolMin", "json": "ProtocolMin", "type": "uint", "go_type": "uint8"},
            {"go_name": "ProtocolMax", "json": "ProtocolMax", "type": "uint", "go_type": "uint8"},
            {"go_name": "ProtocolCur", "json": "ProtocolCur", "type": "uint", "go_type": "uint8"},
            {"go_name": "DelegateMin", "json": "DelegateMin", "type": "uint", "go_type": "uint8"},
            {"go_name": "DelegateMax", "json": "DelegateMax", "type": "uint", "go_type": "uint8"},
            {"go_name": "DelegateCur", "json": "DelegateCur", "type": "uint", "go_type": "uint8"}]}}})";
        QString schemaError;
        const auto schema = ApiSchemaChecker::fromJson(memberSchema, QStringLiteral("AgentMember"), &schemaError);
        QVERIFY2(schema, qPrintable(schemaError));

        const HttpResult members = call("GET", base(2) + u"/v1/agent/members");
        QCOMPARE(members.status, 200);
        const QStringList problems = schema->checkResponse(members.json().array(), u"list of AgentMember");
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n') + u'\n' + QString::fromUtf8(members.body)));
        const QJsonArray list = members.json().array();
        QCOMPARE(list.size(), 3);
        QStringList fields{QStringLiteral("Name"),        QStringLiteral("Addr"),        QStringLiteral("Port"),
                           QStringLiteral("Tags"),        QStringLiteral("Status"),      QStringLiteral("ProtocolMin"),
                           QStringLiteral("ProtocolMax"), QStringLiteral("ProtocolCur"), QStringLiteral("DelegateMin"),
                           QStringLiteral("DelegateMax"), QStringLiteral("DelegateCur")};
        fields.sort();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonObject member = list.at(i).toObject();
            const NodeSnapshot &node = m_snapshot.nodes.at(i);
            QStringList keys = member.keys();
            keys.sort();
            QCOMPARE(keys, fields);
            QCOMPARE(member.value(u"Name").toString(), node.name);
            QCOMPARE(member.value(u"Addr").toString(), node.address);
            QCOMPARE(member.value(u"Port").toInt(), 8301);
            QCOMPARE(member.value(u"Status").toInt(), 1); // serf's StatusAlive
            const QJsonObject tags = member.value(u"Tags").toObject();
            QCOMPARE(tags.value(u"role").toString(), QStringLiteral("consul"));
            QCOMPARE(tags.value(u"dc").toString(),
                     m_snapshot.datacenter.isEmpty() ? QStringLiteral("dc1") : m_snapshot.datacenter);
        }
        // Every agent knows the same pool; the one /v1/agent/self shows is in it.
        QCOMPARE(call("GET", base(0) + u"/v1/agent/members").json(), members.json());
        QCOMPARE(call("GET", base(1) + u"/v1/agent/self").json().object().value(u"Member").toObject(),
                 list.at(1).toObject());
    }

    void seedPayloadsRegisterAndShowEverywhere()
    {
        QCOMPARE(m_requests->check(QJsonDocument::fromJson(kCounterPayload).object(), u"consul-registration"),
                 QStringList());
        const HttpResult counter = call("PUT", base(0) + u"/v1/agent/service/register", kCounterPayload);
        QCOMPARE(counter.status, 200);
        QVERIFY2(counter.body.isEmpty(), counter.body.constData());
        const HttpResult dashboard = call("PUT", base(0) + u"/v1/agent/service/register", kDashboardPayload);
        QCOMPARE(dashboard.status, 200);

        // Node one's agent holds both and their sidecars; node two's none.
        const HttpResult local = call("GET", base(0) + u"/v1/agent/services");
        QCOMPARE(local.status, 200);
        verifyShape(local, QStringLiteral("map of string to AgentService"));
        const QJsonObject services = local.json().object();
        QVERIFY2(services.contains(u"counter") && services.contains(u"counter-sidecar-proxy")
                     && services.contains(u"dashboard") && services.contains(u"dashboard-sidecar-proxy"),
                 local.body.constData());
        const QJsonObject sidecar = services.value(u"dashboard-sidecar-proxy").toObject();
        QCOMPARE(sidecar.value(u"Kind").toString(), QStringLiteral("connect-proxy"));
        QCOMPARE(sidecar.value(u"Service").toString(), QStringLiteral("dashboard-sidecar-proxy"));
        const int port = sidecar.value(u"Port").toInt();
        QVERIFY2(port >= 21000 && port <= 21255, qPrintable(QString::number(port)));
        QVERIFY(port != services.value(u"counter-sidecar-proxy").toObject().value(u"Port").toInt());
        const QJsonObject proxy = sidecar.value(u"Proxy").toObject();
        QCOMPARE(proxy.value(u"DestinationServiceName").toString(), QStringLiteral("dashboard"));
        QCOMPARE(proxy.value(u"DestinationServiceID").toString(), QStringLiteral("dashboard"));
        QCOMPARE(proxy.value(u"LocalServiceAddress").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(proxy.value(u"LocalServicePort").toInt(), 9002);
        const QJsonObject upstream = proxy.value(u"Upstreams").toArray().at(0).toObject();
        QCOMPARE(upstream.value(u"DestinationName").toString(), QStringLiteral("counter"));
        QCOMPARE(upstream.value(u"LocalBindPort").toInt(), 8080);
        QCOMPARE(upstream.value(u"DestinationType").toString(), QStringLiteral("service"));
        QVERIFY(call("GET", base(1) + u"/v1/agent/services").json().object().isEmpty());

        const HttpResult one = call("GET", base(0) + u"/v1/agent/service/counter-sidecar-proxy");
        QCOMPARE(one.status, 200);
        verifyShape(one, QStringLiteral("AgentService"));
        QVERIFY(!one.headers.value("x-consul-contenthash").isEmpty());
        const HttpResult unknown = call("GET", base(0) + u"/v1/agent/service/nope");
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.body, QByteArrayLiteral("unknown service ID: nope"));

        const HttpResult checks = call("GET", base(0) + u"/v1/agent/checks");
        verifyShape(checks, QStringLiteral("map of string to HealthCheck"));
        QVERIFY2(checks.json().object().contains(u"service:counter-sidecar-proxy:1"), checks.body.constData());

        // The catalog is cluster-wide: node three's agent sees them too.
        const HttpResult catalog = call("GET", base(2) + u"/v1/catalog/services");
        QCOMPARE(catalog.status, 200);
        QVERIFY(verifyConsulHeaders(catalog));
        QCOMPARE(catalog.headers.value("x-consul-effective-consistency"), QByteArrayLiteral("leader"));
        verifyShape(catalog, QStringLiteral("map of string to list of string"));
        QVERIFY(catalog.json().object().contains(u"counter"));
        QVERIFY(catalog.json().object().contains(u"dashboard-sidecar-proxy"));

        const HttpResult catalogService = call("GET", base(2) + u"/v1/catalog/service/counter");
        verifyShape(catalogService, QStringLiteral("list of CatalogService"));
        QCOMPARE(catalogService.json().array().at(0).toObject().value(u"Node").toString(), QStringLiteral("one"));
        verifyShape(call("GET", base(2) + u"/v1/catalog/nodes"), QStringLiteral("list of Node"));

        const HttpResult connect = call("GET", base(1) + u"/v1/health/connect/counter");
        QCOMPARE(connect.status, 200);
        verifyShape(connect, QStringLiteral("list of ServiceEntry"));
        const QJsonArray entries = connect.json().array();
        QCOMPARE(entries.size(), 1);
        const QJsonObject entry = entries.at(0).toObject();
        QCOMPARE(entry.value(u"Service").toObject().value(u"Service").toString(),
                 QStringLiteral("counter-sidecar-proxy"));
        QCOMPARE(entry.value(u"Node").toObject().value(u"Address").toString(), m_snapshot.nodes.at(0).address);
        QVERIFY(entry.value(u"Checks").toArray().size() >= 3); // serfHealth + the two sidecar checks

        const HttpResult health = call("GET", base(1) + u"/v1/health/service/counter");
        verifyShape(health, QStringLiteral("list of ServiceEntry"));
        QCOMPARE(health.json().array().size(), 1);
    }

    void badBodiesAreRefusedWithConsulsWords_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("a typo in a key") << QByteArray("{\"nmae\": \"web\", \"port\": 80}")
                                         << QStringLiteral("Request decode failed: json: unknown field \"nmae\"");
        QTest::newRow("a key of the wrong struct, nested")
            << QByteArray("{\"name\": \"web\", \"connect\": {\"sidecar_service\": {\"socket_path\": \"/x\"}}}")
            << QStringLiteral("Request decode failed: json: unknown field \"socket_path\"");
        QTest::newRow("a port as a string")
            << QByteArray("{\"name\": \"web\", \"port\": \"9001\"}")
            << QStringLiteral(
                   "Request decode failed: json: cannot unmarshal string into Go struct field .Port of type int");
        QTest::newRow("no name") << QByteArray("{\"port\": 9001}") << QStringLiteral("Missing service name");
        QTest::newRow("the any address") << QByteArray("{\"name\": \"web\", \"address\": \"0.0.0.0\"}")
                                         << QStringLiteral("Invalid service address");
    }

    void badBodiesAreRefusedWithConsulsWords()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        const HttpResult result = call("PUT", base(2) + u"/v1/agent/service/register", body);
        QCOMPARE(result.status, 400);
        QCOMPARE(QString::fromUtf8(result.body), message);
        QVERIFY(!call("GET", base(2) + u"/v1/agent/services").json().object().contains(u"web"));
    }

    void wrongMethodAndUnknownPath()
    {
        const HttpResult wrong = call("GET", base(0) + u"/v1/agent/service/register");
        QCOMPARE(wrong.status, 405);
        QCOMPARE(wrong.body, QByteArrayLiteral("method GET not allowed"));
        QCOMPARE(wrong.headers.value("allow"), QByteArrayLiteral("PUT"));
        QCOMPARE(call("GET", base(0) + u"/v1/no/such/thing").status, 404);
        const HttpResult filtered = call("GET", base(0) + u"/v1/agent/services?filter=Service%3D%3Dweb");
        QCOMPARE(filtered.status, 400);
        QVERIFY(filtered.body.contains("filter"));
    }

    void deregisterTakesTheSidecarAlong()
    {
        QCOMPARE(call("PUT", base(1) + u"/v1/agent/service/register",
                      "{\"Name\": \"gone\", \"Port\": 7000, \"Connect\": {\"SidecarService\": {}}}")
                     .status,
                 200);
        QVERIFY(call("GET", base(1) + u"/v1/agent/services").json().object().contains(u"gone-sidecar-proxy"));
        QCOMPARE(call("PUT", base(1) + u"/v1/agent/service/deregister/gone").status, 200);
        const QJsonObject left = call("GET", base(1) + u"/v1/agent/services").json().object();
        QVERIFY(!left.contains(u"gone"));
        QVERIFY(!left.contains(u"gone-sidecar-proxy"));
        QVERIFY(!call("GET", base(0) + u"/v1/catalog/services").json().object().contains(u"gone-sidecar-proxy"));
        QCOMPARE(call("PUT", base(1) + u"/v1/agent/service/deregister/gone").status, 404);
    }

    // ?replace-existing-checks drops only the checks the new body lacks; the
    // others keep their state, and writes carry no query metadata (found by
    // fuzz_consulbody).
    void replaceExistingChecksKeepsTheOthers()
    {
        QTcpServer listening;
        QVERIFY(listening.listen(QHostAddress::LocalHost, 0));
        const QByteArray tcp = "127.0.0.1:" + QByteArray::number(listening.serverPort());
        const QByteArray up = "{\"CheckID\": \"up\", \"Name\": \"up\", \"TCP\": \"" + tcp + "\", \"Interval\": \"1s\"}";
        const QByteArray both = "{\"Name\": \"kept\", \"Port\": 7100, \"Checks\": [" + up
                                + ", {\"CheckID\": \"extra\", \"Name\": \"extra\", \"TTL\": \"60s\"}]}";
        const HttpResult written = call("PUT", base(0) + u"/v1/agent/service/register", both);
        QCOMPARE(written.status, 200);
        QVERIFY2(!written.headers.contains("x-consul-index"), "a write has no X-Consul-Index");
        const auto check = [this](const QString &id) {
            return call("GET", base(0) + u"/v1/agent/checks").json().object().value(id).toObject();
        };
        QTRY_COMPARE_WITH_TIMEOUT(check(QStringLiteral("up")).value(u"Status").toString(), QStringLiteral("passing"),
                                  10'000);
        const QByteArray one = "{\"Name\": \"kept\", \"Port\": 7100, \"Checks\": [" + up + "]}";
        QCOMPARE(call("PUT", base(0) + u"/v1/agent/service/register?replace-existing-checks=true", one).status, 200);
        QCOMPARE(check(QStringLiteral("up")).value(u"Status").toString(),
                 QStringLiteral("passing")); // not reset to critical
        QVERIFY(check(QStringLiteral("extra")).isEmpty());
        QCOMPARE(call("PUT", base(0) + u"/v1/agent/service/deregister/kept").status, 200);
    }

    void blockingQueryWakesOnARegistration()
    {
        const HttpResult first = call("GET", base(0) + u"/v1/catalog/services");
        const quint64 index = first.index();
        QVERIFY(index > 0);

        QNetworkReply *waiting
            = start("GET", base(2) + QStringLiteral("/v1/catalog/services?index=%1&wait=60s").arg(index));
        QSignalSpy finished(waiting, &QNetworkReply::finished);
        // Still waiting after a round trip of another request.
        QCOMPARE(call("GET", base(1) + u"/v1/status/leader").status, 200);
        QVERIFY(finished.isEmpty());
        QCOMPARE(call("PUT", base(2) + u"/v1/agent/service/register", "{\"name\": \"late\", \"port\": 1234}").status,
                 200);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30'000); // well before the 60 s wait
        const HttpResult woke = collect(waiting);
        QCOMPARE(woke.status, 200);
        QVERIFY(woke.index() > index);
        QVERIFY(woke.json().object().contains(u"late"));
    }

    void blockingQueryAnswersAtItsWait()
    {
        const quint64 index = call("GET", base(0) + u"/v1/catalog/services").index();
        QNetworkReply *waiting
            = start("GET", base(0) + QStringLiteral("/v1/catalog/services?index=%1&wait=1s").arg(index));
        QSignalSpy finished(waiting, &QNetworkReply::finished);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30'000);
        const HttpResult result = collect(waiting);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.index(), index);

        // A stale index answers at once.
        const HttpResult stale = call("GET", base(0) + u"/v1/catalog/services?index=1&wait=60s");
        QCOMPARE(stale.status, 200);
    }

    void intentionThroughConfigFlipsAuthorize()
    {
        const QString web = QStringLiteral("spiffe://%1/ns/default/dc/dc1/svc/web").arg(m_snapshot.trustDomain);
        const QByteArray request
            = QStringLiteral("{\"Target\": \"db\", \"ClientCertURI\": \"%1\", \"ClientCertSerial\": \"01:02\"}")
                  .arg(web)
                  .toUtf8();
        HttpResult before = call("POST", base(0) + u"/v1/agent/connect/authorize", request);
        QVERIFY2(before.status == 200, before.body.constData());
        verifyShape(before, QStringLiteral("AgentAuthorize"));
        QCOMPARE(before.json().object().value(u"Authorized").toBool(), true);
        QCOMPARE(before.json().object().value(u"Reason").toString(),
                 QStringLiteral("ACLs disabled, access is allowed by default"));

        const QByteArray entry = "{\"Kind\": \"service-intentions\", \"Name\": \"db\", \"Sources\": [{\"Name\": "
                                 "\"web\", \"Action\": \"deny\"}]}";
        QCOMPARE(m_requests->check(QJsonDocument::fromJson(entry).object(), u"service-intentions"), QStringList());
        const HttpResult put = call("PUT", base(1) + u"/v1/config", entry);
        QCOMPARE(put.status, 200);
        QCOMPARE(put.body, QByteArrayLiteral("true"));

        const HttpResult after = call("POST", base(2) + u"/v1/agent/connect/authorize", request);
        QCOMPARE(after.json().object().value(u"Authorized").toBool(), false);
        QCOMPARE(after.json().object().value(u"Reason").toString(),
                 QStringLiteral("Matched L4 intention: web => db (deny)"));

        const HttpResult read = call("GET", base(0) + u"/v1/config/service-intentions/db");
        QCOMPARE(read.status, 200);
        const QJsonObject stored = read.json().object();
        QCOMPARE(m_requests->check(stored, u"service-intentions"), QStringList());
        QCOMPARE(stored.value(u"Sources").toArray().at(0).toObject().value(u"Precedence").toInt(), 9);
        const quint64 modifyIndex = quint64(stored.value(u"ModifyIndex").toDouble());
        QVERIFY(modifyIndex > 0);
        QCOMPARE(call("GET", base(0) + u"/v1/config/service-intentions").json().array().size(), 1);

        // cas: a stale index is refused, the current one accepted.
        QCOMPARE(call("PUT", base(0) + u"/v1/config?cas=1", entry).body, QByteArrayLiteral("false"));
        const QByteArray allow = "{\"Kind\": \"service-intentions\", \"Name\": \"db\", \"Sources\": [{\"Name\": "
                                 "\"web\", \"Action\": \"allow\"}]}";
        QCOMPARE(call("PUT", base(0) + QStringLiteral("/v1/config?cas=%1").arg(modifyIndex), allow).body,
                 QByteArrayLiteral("true"));
        QCOMPARE(
            call("POST", base(0) + u"/v1/agent/connect/authorize", request).json().object().value(u"Reason").toString(),
            QStringLiteral("Matched L4 intention: web => db (allow)"));

        QCOMPARE(call("DELETE", base(0) + u"/v1/config/service-intentions/db").status, 200);
        const HttpResult missing = call("GET", base(0) + u"/v1/config/service-intentions/db");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.body, QByteArrayLiteral("Config entry not found for \"service-intentions\" / \"db\""));

        const HttpResult noTarget = call("POST", base(0) + u"/v1/agent/connect/authorize",
                                         QStringLiteral("{\"ClientCertURI\": \"%1\"}").arg(web).toUtf8());
        QCOMPARE(noTarget.status, 400);
        const HttpResult notService
            = call("POST", base(0) + u"/v1/agent/connect/authorize",
                   "{\"Target\": \"db\", \"ClientCertURI\": \"spiffe://x.consul/agent/client/dc/dc1/id/n\"}");
        QCOMPARE(notService.status, 400);
    }

    void caRootsAndLeaf()
    {
        const HttpResult roots = call("GET", base(0) + u"/v1/agent/connect/ca/roots");
        QCOMPARE(roots.status, 200);
        verifyShape(roots, QStringLiteral("CARootList"));
        QCOMPARE(roots.json().object().value(u"TrustDomain").toString(), m_snapshot.trustDomain);
        QVERIFY(roots.json()
                    .object()
                    .value(u"Roots")
                    .toArray()
                    .at(0)
                    .toObject()
                    .value(u"RootCert")
                    .toString()
                    .startsWith(u"-----BEGIN CERTIFICATE-----"));

        const HttpResult leaf = call("GET", base(0) + u"/v1/agent/connect/ca/leaf/counter");
        QCOMPARE(leaf.status, 200);
        verifyShape(leaf, QStringLiteral("LeafCert"));
        const QJsonObject body = leaf.json().object();
        QCOMPARE(body.value(u"ServiceURI").toString(),
                 QStringLiteral("spiffe://%1/ns/default/dc/dc1/svc/counter").arg(m_snapshot.trustDomain));
        QVERIFY(body.value(u"SerialNumber").toString().contains(u':'));
        // Cached: asked again, the same leaf.
        QCOMPARE(call("GET", base(1) + u"/v1/agent/connect/ca/leaf/counter").json().object().value(u"SerialNumber"),
                 body.value(u"SerialNumber"));
    }

    void runningDesignShowsInHealthConnect()
    {
        Result<model::Topology> design
            = model::ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
        QVERIFY2(design.has_value(), design ? "" : qPrintable(design.error().message));
        Lab lab(options());
        QSignalSpy started(&lab, &Lab::started);
        QSignalSpy failed(&lab, &Lab::startFailed);
        QVERIFY(lab.start(*design).has_value());
        QTRY_VERIFY_WITH_TIMEOUT(!started.isEmpty() || !failed.isEmpty(), 30'000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        const LabSnapshot snapshot = started.first().first().value<LabSnapshot>();

        QVERIFY(!design->upstreams.isEmpty());
        const model::Service *counter = design->service(design->upstreams.first().destination);
        QVERIFY(counter);
        const QString url = snapshot.nodes.at(1).consulAddress + u"/v1/health/connect/" + counter->name + u"?passing=1";
        HttpResult passing;
        QTRY_VERIFY_WITH_TIMEOUT((passing = call("GET", url)).json().array().size() == counter->count, 60'000);
        verifyShape(passing, QStringLiteral("list of ServiceEntry"));
        for (const QJsonValue &value : passing.json().array()) {
            const QJsonObject service = value.toObject().value(u"Service").toObject();
            QCOMPARE(service.value(u"Kind").toString(), QStringLiteral("connect-proxy"));
            QVERIFY(service.value(u"ID").toString().startsWith(u"_nomad-task-"));
            QVERIFY(service.value(u"ID").toString().endsWith(u"-sidecar-proxy"));
            QCOMPARE(service.value(u"Proxy").toObject().value(u"DestinationServiceName").toString(), counter->name);
        }

        QSignalSpy stopped(&lab, &Lab::stopped);
        lab.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!stopped.isEmpty(), 30'000);
    }
};

QTEST_MAIN(TestLabConsulApi)
#include "tst_labconsulapi.moc"
