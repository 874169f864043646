#include "consulapi.h"

#include "core/goduration.h"
#include "pki/certificateauthority.h"
#include "pki/spiffeid.h"

#include "httpserver.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcLabApi, "meshpad.lab.api")

namespace mesh::lab {

namespace {

using apps::http::Request;
using apps::http::Response;

// Blocking queries (hashicorp/consul: agent/http.go parseWait,
// agent/structs/structs.go QueryOptions; api-docs/features/blocking): wait
// defaults to 5 minutes and is capped at 10, plus up to wait/16 of jitter.
constexpr auto kDefaultWait = std::chrono::minutes(5);
constexpr auto kMaxWait = std::chrono::minutes(10);
const QString kVersion = QStringLiteral("1.16.0");
constexpr quint16 kServerRpcPort = 8300;
constexpr quint16 kSerfLanPort = 8301;

QString utcRfc3339(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODate);
}

// ?wait= as Consul's parseWait reads it: Go's time.ParseDuration.
std::optional<std::chrono::milliseconds> parseWait(const QString &text)
{
    const auto wait = parseGoDuration(text);
    if (!wait || wait->count() < 0)
        return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*wait);
}

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

bool isTrue(const QUrlQuery &query, const QString &key)
{
    // ?passing, ?passing=1, ?passing=true (hashicorp/consul: agent/http.go).
    if (!query.hasQueryItem(key))
        return false;
    const QString value = query.queryItemValue(key);
    return value.isEmpty() || value == u"1" || value.compare(u"true", Qt::CaseInsensitive) == 0;
}

} // namespace

ConsulApi::ConsulApi(ConsulState *state, const pki::CertificateAuthority *ca, std::chrono::hours leafTtl,
                     QObject *parent)
    : QObject(parent)
    , m_state(state)
    , m_ca(ca)
    , m_leafTtl(leafTtl)
    , m_schema(GoStructSchema::consulRequests(&m_schemaError))
    , m_blocking(new BlockingQueries(this))
{
    if (!m_schema)
        qCWarning(lcLabApi) << "the compiled-in Consul schema did not load:" << m_schemaError;
    m_state->setOnChanged([this](ConsulState::Table table) { onStateChanged(table); });
    m_rootsIndex = m_state->index();
}

ConsulApi::~ConsulApi()
{
    m_state->setOnChanged({});
    close();
}

Result<> ConsulApi::listen(quint16 consulPort, quint16 nomadPort)
{
    close();
    m_notes.clear();
    apps::http::HttpServer::Limits limits;
    limits.bufferBodyBytes = kMaxBodyBytes;
    limits.maxBodyBytes = kMaxBodyBytes;
    for (const ConsulState::NodeInfo &node : m_state->nodes()) {
        NodeServers servers{node.name, node.address, new apps::http::HttpServer(this),
                            new apps::http::HttpServer(this)};
        m_servers.append(servers);
        servers.consul->setLimits(limits);
        servers.nomad->setLimits(limits);
        const QString name = node.name;
        servers.consul->setHandler(
            [this, name](const Request &request, Response &response) { handle(name, request, response); });
        servers.nomad->setHandler([this, name](const Request &request, Response &response) {
            if (m_nomadHandler) {
                m_nomadHandler(name, request, response);
                return;
            }
            response.status = 404;
            response.body = QByteArrayLiteral("Nomad's API is not served by this lab yet\n");
        });
        const auto listenOn = [&](apps::http::HttpServer *server, quint16 port, const char *what) -> Result<> {
            if (server->listen(node.address, port))
                return {};
            // A real agent on this machine listening on every address
            // (client_addr 0.0.0.0) holds the port on the lab's addresses
            // too: the lab takes another port rather than refusing to run,
            // and says where (lab up, lab env and the Lab dock show it).
            const QString taken = server->errorString();
            if (port != 0 && server->listen(node.address, 0)) {
                m_notes.append(QStringLiteral("%1's API of node %2 is on %3:%4: port %5 is taken (%6)")
                                   .arg(QLatin1String(what), node.name, node.address.toString())
                                   .arg(server->port())
                                   .arg(port)
                                   .arg(taken));
                return {};
            }
            return fail(Error::Code::Network,
                        QStringLiteral("cannot serve %1's API of node %2 on %3:%4: %5 (is a real agent or another "
                                       "program using that address?)")
                            .arg(QLatin1String(what), node.name, node.address.toString())
                            .arg(port)
                            .arg(server->errorString()));
        };
        Result<> consul = listenOn(servers.consul, consulPort, "Consul");
        Result<> nomad = consul ? listenOn(servers.nomad, nomadPort, "Nomad") : consul;
        if (!nomad) {
            close();
            return nomad;
        }
    }
    return {};
}

void ConsulApi::close()
{
    m_blocking->clear();
    for (const NodeServers &servers : std::as_const(m_servers)) {
        delete servers.consul;
        delete servers.nomad;
    }
    m_servers.clear();
}

QString ConsulApi::consulAddress(const QString &node) const
{
    for (const NodeServers &servers : m_servers) {
        if (servers.node == node && servers.consul->isListening())
            return QStringLiteral("%1:%2").arg(servers.address.toString()).arg(servers.consul->port());
    }
    return {};
}

QString ConsulApi::nomadAddress(const QString &node) const
{
    for (const NodeServers &servers : m_servers) {
        if (servers.node == node && servers.nomad->isListening())
            return QStringLiteral("%1:%2").arg(servers.address.toString()).arg(servers.nomad->port());
    }
    return {};
}

void ConsulApi::setNomadHandler(NomadHandler handler)
{
    m_nomadHandler = std::move(handler);
}

Result<pki::IssuedCertificate> ConsulApi::leafFor(const QString &service)
{
    const auto cached = m_leaves.constFind(service);
    if (cached != m_leaves.constEnd())
        return cached->certificate;
    if (!m_ca)
        return fail(Error::Code::Internal, QStringLiteral("the lab has no CA"));
    Result<pki::IssuedCertificate> leaf = m_ca->issueLeaf(service, m_leafTtl);
    if (!leaf)
        return std::unexpected(leaf.error());
    const quint64 index = m_state->index() + 1;
    m_leaves.insert(service, Leaf{*leaf, index, index});
    m_state->touch(ConsulState::Table::Leaves);
    return leaf;
}

void ConsulApi::rotateLeaves()
{
    if (!m_ca || m_leaves.isEmpty())
        return;
    const quint64 index = m_state->index() + 1;
    for (auto it = m_leaves.begin(); it != m_leaves.end(); ++it) {
        Result<pki::IssuedCertificate> leaf = m_ca->issueLeaf(it.key(), m_leafTtl);
        if (!leaf)
            continue;
        it->certificate = *leaf;
        it->createIndex = it->modifyIndex = index;
    }
    m_state->touch(ConsulState::Table::Leaves);
}

// ---------------------------------------------------------------- dispatch

ConsulApi::Reply ConsulApi::json(const QJsonDocument &document)
{
    Reply reply;
    reply.body = document.toJson(QJsonDocument::Compact);
    return reply;
}

ConsulApi::Reply ConsulApi::error(int status, const QString &text)
{
    // Errors are plain text (hashicorp/consul: agent/http.go wrap).
    Reply reply;
    reply.status = status;
    reply.contentType = QByteArrayLiteral("text/plain; charset=utf-8");
    reply.body = text.toUtf8();
    return reply;
}

quint64 ConsulApi::answerIndex(const Reply &reply) const
{
    return std::max<quint64>(1, reply.index ? reply.index : m_state->index());
}

void ConsulApi::send(const Reply &reply, Response &response, bool read) const
{
    response.status = reply.status;
    response.contentType = reply.contentType;
    response.body = reply.body;
    QByteArray headers = reply.extraHeaders;
    // Query metadata goes with answered reads only, as the agent's setMeta
    // does (hashicorp/consul: agent/http.go): not on writes, not on errors
    // (python-consul reads an index header as "this read worked").
    if (read && reply.status >= 200 && reply.status < 300) {
        const quint64 index = answerIndex(reply);
        headers += "X-Consul-Index: " + QByteArray::number(index) + "\r\n";
        headers += "X-Consul-Knownleader: true\r\n";
        headers += "X-Consul-Lastcontact: 0\r\n";
        if (reply.consistency)
            headers += "X-Consul-Effective-Consistency: leader\r\n";
    }
    if (!reply.contentHash.isEmpty())
        headers += "X-Consul-Contenthash: " + reply.contentHash.toLatin1() + "\r\n";
    response.extraHeaders = headers;
}

namespace {

// What identifies a read's answer: the node, the path and the query without
// the blocking parameters (index, hash, wait), which only say when to answer.
QByteArray replyKey(const QString &node, QByteArrayView method, QByteArrayView target)
{
    QByteArray key = node.toUtf8() + ' ' + method.toByteArray() + ' ';
    const qsizetype question = target.indexOf('?');
    key += target.first(question < 0 ? target.size() : question);
    if (question < 0)
        return key;
    char separator = '?';
    for (const QByteArrayView item : QByteArrayView(target).sliced(question + 1).toByteArray().split('&')) {
        if (item.startsWith("index=") || item.startsWith("hash=") || item.startsWith("wait=") || item.isEmpty())
            continue;
        key += separator;
        key += item;
        separator = '&';
    }
    return key;
}

} // namespace

ConsulApi::Call ConsulApi::makeCall(const QString &node, const Request &request)
{
    Call call;
    call.node = node;
    call.method = request.method.toByteArray();
    call.path = QString::fromUtf8(QByteArray::fromPercentEncoding(request.path.toByteArray()));
    const qsizetype question = request.target.indexOf('?');
    if (question >= 0)
        call.query = QUrlQuery(QString::fromUtf8(request.target.sliced(question + 1).toByteArray()));
    call.body = request.body.toByteArray();
    return call;
}

const ConsulApi::CachedReply *ConsulApi::cachedReply(const QByteArray &key) const
{
    // A read's answer depends on the state alone, and every change of the
    // state moves its index (blocking queries rely on the same rule).
    const auto hit = m_replies.constFind(key);
    return hit != m_replies.cend() && hit->stateIndex == m_state->index() ? &*hit : nullptr;
}

void ConsulApi::cacheReply(const QByteArray &key, const Reply &reply, Endpoint blocking, ConsulState::Table table)
{
    if (reply.status < 200 || reply.status >= 300)
        return;
    if (m_replies.size() >= kMaxCachedReplies)
        m_replies.clear();
    m_replies.insert(key, CachedReply{reply, blocking, table, m_state->index()});
}

ConsulApi::Reply ConsulApi::replyFor(const Waiter &waiter)
{
    if (const CachedReply *hit = cachedReply(waiter.key))
        return hit->reply;
    const Reply reply = (this->*waiter.endpoint)(waiter.call);
    cacheReply(waiter.key, reply, waiter.endpoint, waiter.table);
    return reply;
}

void ConsulApi::handle(const QString &node, const Request &request, Response &response)
{
    // The same reads come again and again (a sidecar's resolver, a watch
    // woken with a thousand others, a load balancer's health poll): each is
    // built once per state index and then served from memory.
    const bool read = request.method == "GET" || request.method == "HEAD";
    const QByteArray key = read ? replyKey(node, request.method, request.target) : QByteArray();
    Endpoint blocking = nullptr;
    ConsulState::Table table = ConsulState::Table::Services;
    Reply reply;
    std::optional<Call> parsed;
    if (const CachedReply *hit = read ? cachedReply(key) : nullptr) {
        reply = hit->reply;
        blocking = hit->blocking;
        table = hit->table;
    } else {
        parsed = makeCall(node, request);
        reply = route(*parsed, &blocking, &table);
        if (read)
            cacheReply(key, reply, blocking, table);
    }

    if (blocking && reply.status == 200
        && (request.target.contains(QByteArrayView("index=")) || request.target.contains(QByteArrayView("hash=")))) {
        if (!parsed)
            parsed = makeCall(node, request);
        const Call &call = *parsed;
        const bool byHash = call.query.hasQueryItem(QStringLiteral("hash"));
        bool ok = true;
        const quint64 minIndex = byHash ? 0 : call.query.queryItemValue(QStringLiteral("index")).toULongLong(&ok);
        if (!ok) {
            send(error(400, QStringLiteral("Invalid index")), response, false);
            return;
        }
        std::chrono::milliseconds wait = kDefaultWait;
        if (call.query.hasQueryItem(QStringLiteral("wait"))) {
            const auto asked = parseWait(call.query.queryItemValue(QStringLiteral("wait")));
            if (!asked) {
                send(error(400, QStringLiteral("Invalid wait time")), response, false);
                return;
            }
            wait = std::min<std::chrono::milliseconds>(*asked, kMaxWait);
        }
        // Index 0 or an index the table is already past answers at once.
        const bool block = byHash ? reply.contentHash == call.query.queryItemValue(QStringLiteral("hash"))
                                  : minIndex > 0 && answerIndex(reply) <= minIndex;
        if (block && wait.count() > 0) {
            const Waiter waiter{call,     key,
                                blocking, table,
                                minIndex, byHash ? call.query.queryItemValue(QStringLiteral("hash")) : QString()};
            m_blocking->park(
                request.defer(), int(table), wait,
                [this, waiter] {
                    // Each read's own index decides, as the agent's blocking
                    // queries compare the result's index (a leaf query waits
                    // for its service's leaf, not for any leaf). Equal reads
                    // share one built answer (cacheReply).
                    const Reply now = replyFor(waiter);
                    return waiter.hash.isEmpty() ? answerIndex(now) > waiter.index : now.contentHash != waiter.hash;
                },
                [this, waiter] {
                    Response answer;
                    send(replyFor(waiter), answer, true);
                    return answer;
                });
            return;
        }
    }
    send(reply, response, read);
}

void ConsulApi::onStateChanged(ConsulState::Table table)
{
    // Queued: a change happens in the middle of a registration or a runner's
    // callback; answer once that is done.
    QMetaObject::invokeMethod(
        this, [this, table] { m_blocking->wake(int(table)); }, Qt::QueuedConnection);
}

ConsulApi::Reply ConsulApi::route(const Call &call, Endpoint *blocking, ConsulState::Table *table)
{
    struct Route
    {
        QString pattern; // a trailing '*' takes the rest of the path
        QByteArray method;
        Endpoint endpoint;
        std::optional<ConsulState::Table> blockingTable;
    };
    using T = ConsulState::Table;
    static const QList<Route> routes = {
        {QStringLiteral("/v1/status/leader"), "GET", &ConsulApi::statusLeader, {}},
        {QStringLiteral("/v1/status/peers"), "GET", &ConsulApi::statusPeers, {}},
        {QStringLiteral("/v1/agent/self"), "GET", &ConsulApi::agentSelf, {}},
        {QStringLiteral("/v1/agent/members"), "GET", &ConsulApi::agentMembers, {}},
        {QStringLiteral("/v1/agent/services"), "GET", &ConsulApi::agentServices, {}},
        {QStringLiteral("/v1/agent/service/register"), "PUT", &ConsulApi::agentRegister, {}},
        {QStringLiteral("/v1/agent/service/deregister/*"), "PUT", &ConsulApi::agentDeregister, {}},
        {QStringLiteral("/v1/agent/service/*"), "GET", &ConsulApi::agentService, T::Services},
        {QStringLiteral("/v1/agent/checks"), "GET", &ConsulApi::agentChecks, {}},
        {QStringLiteral("/v1/agent/connect/ca/roots"), "GET", &ConsulApi::caRoots, T::Roots},
        {QStringLiteral("/v1/agent/connect/ca/leaf/*"), "GET", &ConsulApi::caLeaf, T::Leaves},
        {QStringLiteral("/v1/agent/connect/authorize"), "POST", &ConsulApi::authorize, {}},
        {QStringLiteral("/v1/catalog/services"), "GET", &ConsulApi::catalogServices, T::Services},
        {QStringLiteral("/v1/catalog/service/*"), "GET", &ConsulApi::catalogService, T::Services},
        {QStringLiteral("/v1/catalog/nodes"), "GET", &ConsulApi::catalogNodes, T::Services},
        {QStringLiteral("/v1/health/service/*"), "GET", &ConsulApi::healthService, T::Services},
        {QStringLiteral("/v1/health/connect/*"), "GET", &ConsulApi::healthConnect, T::Services},
        {QStringLiteral("/v1/config"), "PUT", &ConsulApi::configApply, {}},
        {QStringLiteral("/v1/config/*/*"), "GET", &ConsulApi::configGet, T::ConfigEntries},
        {QStringLiteral("/v1/config/*/*"), "DELETE", &ConsulApi::configDelete, {}},
        {QStringLiteral("/v1/config/*"), "GET", &ConsulApi::configList, T::ConfigEntries},
    };
    const auto matches = [&](const QString &pattern) {
        const QStringList want = pattern.split(u'/');
        const QStringList have = call.path.split(u'/');
        if (want.size() != have.size())
            return false;
        for (qsizetype i = 0; i < want.size(); ++i) {
            if (want.at(i) == u"*" ? have.at(i).isEmpty() : want.at(i) != have.at(i))
                return false;
        }
        return true;
    };
    // An exact path wins over a pattern, as in Go's ServeMux: GET
    // /v1/agent/service/register is 405, not the service "register".
    const bool exactPath = std::any_of(routes.cbegin(), routes.cend(), [&](const Route &route) {
        return !route.pattern.contains(u'*') && matches(route.pattern);
    });
    QStringList allowed;
    for (const Route &route : routes) {
        if (!matches(route.pattern) || (exactPath && route.pattern.contains(u'*')))
            continue;
        // HEAD is served as GET, without a body (the server drops it).
        const bool methodMatches = route.method == call.method || (route.method == "GET" && call.method == "HEAD");
        if (!methodMatches) {
            allowed.append(QString::fromLatin1(route.method));
            continue;
        }
        if (call.query.hasQueryItem(QStringLiteral("filter")))
            return error(400, QStringLiteral("The Meshpad lab does not evaluate ?filter expressions; "
                                             "list without it and filter the result"));
        if (route.blockingTable) {
            *blocking = route.endpoint;
            *table = *route.blockingTable;
        }
        return (this->*route.endpoint)(call);
    }
    if (!allowed.isEmpty()) {
        // hashicorp/consul: agent/http.go MethodNotAllowedError.
        Reply reply = error(405, QStringLiteral("method %1 not allowed").arg(QString::fromLatin1(call.method)));
        reply.extraHeaders = "Allow: " + allowed.join(u',').toLatin1() + "\r\n";
        return reply;
    }
    // Consul's index handler answers any other path 404 with no body.
    Reply reply = error(404, QString());
    return reply;
}

// ---------------------------------------------------------------- JSON shapes

QJsonObject ConsulApi::nodeJson(const QString &name) const
{
    const ConsulState::NodeInfo *node = m_state->node(name);
    const QString address = node ? node->address.toString() : QString();
    return QJsonObject{
        {QStringLiteral("ID"), node ? node->id : QString()},
        {QStringLiteral("Node"), name},
        {QStringLiteral("Address"), address},
        {QStringLiteral("Datacenter"), m_state->datacenter()},
        {QStringLiteral("TaggedAddresses"), QJsonObject{{QStringLiteral("lan"), address},
                                                        {QStringLiteral("lan_ipv4"), address},
                                                        {QStringLiteral("wan"), address},
                                                        {QStringLiteral("wan_ipv4"), address}}},
        {QStringLiteral("Meta"), QJsonObject{{QStringLiteral("consul-network-segment"), QString()}}},
        {QStringLiteral("CreateIndex"), 1},
        {QStringLiteral("ModifyIndex"), 1},
    };
}

QJsonObject ConsulApi::agentServiceJson(const ConsulState::Service &service) const
{
    QJsonObject out{
        {QStringLiteral("ID"), service.id},
        {QStringLiteral("Service"), service.name},
        {QStringLiteral("Tags"), toArray(service.tags)},
        {QStringLiteral("Meta"), service.meta},
        {QStringLiteral("Port"), service.port},
        {QStringLiteral("Address"), service.address},
        {QStringLiteral("Weights"), service.weights},
        {QStringLiteral("EnableTagOverride"), service.enableTagOverride},
        {QStringLiteral("Datacenter"), m_state->datacenter()},
    };
    if (!service.taggedAddresses.isEmpty())
        out.insert(QStringLiteral("TaggedAddresses"), service.taggedAddresses);
    if (!service.kind.isEmpty())
        out.insert(QStringLiteral("Kind"), service.kind);
    if (service.kind == u"connect-proxy") {
        QJsonObject proxy = service.proxy;
        for (const auto &[key, value] : {std::pair{QStringLiteral("MeshGateway"), QJsonValue(QJsonObject())},
                                         std::pair{QStringLiteral("Expose"), QJsonValue(QJsonObject())},
                                         std::pair{QStringLiteral("Mode"), QJsonValue(QString())}}) {
            if (!proxy.contains(key))
                proxy.insert(key, value);
        }
        out.insert(QStringLiteral("Proxy"), proxy);
    }
    if (service.connectNative)
        out.insert(QStringLiteral("Connect"), QJsonObject{{QStringLiteral("Native"), true}});
    return out;
}

QJsonObject ConsulApi::checkJson(const ConsulState::Check &check, const ConsulState::Service *service) const
{
    QJsonObject out{
        {QStringLiteral("Node"), check.node},
        {QStringLiteral("CheckID"), check.checkId},
        {QStringLiteral("Name"), check.name},
        {QStringLiteral("Status"), m_state->checkStatus(check)},
        {QStringLiteral("Notes"), check.notes},
        {QStringLiteral("Output"), check.output},
        {QStringLiteral("ServiceID"), check.serviceId},
        {QStringLiteral("ServiceName"), check.serviceName},
        {QStringLiteral("ServiceTags"), toArray(service ? service->tags : QStringList())},
        {QStringLiteral("Type"), check.type},
        {QStringLiteral("Interval"), check.definition.value(u"Interval").toString()},
        {QStringLiteral("Timeout"), check.definition.value(u"Timeout").toString()},
        {QStringLiteral("ExposedPort"), 0},
        {QStringLiteral("Definition"), check.definition},
        {QStringLiteral("CreateIndex"), double(check.createIndex)},
        {QStringLiteral("ModifyIndex"), double(check.modifyIndex)},
    };
    return out;
}

QJsonObject ConsulApi::catalogServiceJson(const ConsulState::Service &service) const
{
    const QJsonObject node = nodeJson(service.node);
    QJsonObject out{
        {QStringLiteral("ID"), node.value(u"ID")},
        {QStringLiteral("Node"), service.node},
        {QStringLiteral("Address"), node.value(u"Address")},
        {QStringLiteral("Datacenter"), m_state->datacenter()},
        {QStringLiteral("TaggedAddresses"), node.value(u"TaggedAddresses")},
        {QStringLiteral("NodeMeta"), node.value(u"Meta")},
        {QStringLiteral("ServiceKind"), service.kind},
        {QStringLiteral("ServiceID"), service.id},
        {QStringLiteral("ServiceName"), service.name},
        {QStringLiteral("ServiceTags"), toArray(service.tags)},
        {QStringLiteral("ServiceAddress"), service.address},
        {QStringLiteral("ServiceWeights"), service.weights},
        {QStringLiteral("ServiceMeta"), service.meta},
        {QStringLiteral("ServicePort"), service.port},
        {QStringLiteral("ServiceEnableTagOverride"), service.enableTagOverride},
        {QStringLiteral("CreateIndex"), double(service.createIndex)},
        {QStringLiteral("ModifyIndex"), double(service.modifyIndex)},
    };
    if (service.kind == u"connect-proxy")
        out.insert(QStringLiteral("ServiceProxy"), agentServiceJson(service).value(u"Proxy"));
    else
        out.insert(QStringLiteral("ServiceProxy"), QJsonObject{{QStringLiteral("MeshGateway"), QJsonObject()},
                                                               {QStringLiteral("Expose"), QJsonObject()}});
    out.insert(QStringLiteral("ServiceConnect"),
               service.connectNative ? QJsonObject{{QStringLiteral("Native"), true}} : QJsonObject());
    return out;
}

// ---------------------------------------------------------------- status and agent

ConsulApi::Reply ConsulApi::statusLeader(const Call &)
{
    const QList<ConsulState::NodeInfo> &nodes = m_state->nodes();
    const QString leader = nodes.isEmpty()
                               ? QString()
                               : QStringLiteral("%1:%2").arg(nodes.first().address.toString()).arg(kServerRpcPort);
    // A JSON string: "\"127.0.1.1:8300\"".
    Reply reply;
    reply.body = '"' + leader.toUtf8() + '"';
    return reply;
}

ConsulApi::Reply ConsulApi::statusPeers(const Call &)
{
    QJsonArray peers;
    for (const ConsulState::NodeInfo &node : m_state->nodes())
        peers.append(QStringLiteral("%1:%2").arg(node.address.toString()).arg(kServerRpcPort));
    return json(QJsonDocument(peers));
}

ConsulApi::Reply ConsulApi::agentSelf(const Call &call)
{
    const ConsulState::NodeInfo *node = m_state->node(call.node);
    const QString address = node ? node->address.toString() : QString();
    // What `consul` and python-consul read: Config.{Datacenter, NodeName,
    // NodeID, Server, Version}, Member.{Name, Addr, Port, Tags},
    // DebugConfig.ConnectEnabled (hashicorp/consul: agent/agent_endpoint.go AgentSelf).
    const QJsonObject config{
        {QStringLiteral("Datacenter"), m_state->datacenter()},
        {QStringLiteral("PrimaryDatacenter"), m_state->datacenter()},
        {QStringLiteral("NodeName"), call.node},
        {QStringLiteral("NodeID"), node ? node->id : QString()},
        {QStringLiteral("Partition"), QString()},
        {QStringLiteral("Revision"), QStringLiteral("meshpad")},
        {QStringLiteral("Server"), true},
        {QStringLiteral("Version"), kVersion},
        {QStringLiteral("BuildDate"), QStringLiteral("2023-06-26T00:00:00Z")},
    };
    const QJsonObject debug{
        {QStringLiteral("Datacenter"), m_state->datacenter()},
        {QStringLiteral("NodeName"), call.node},
        {QStringLiteral("NodeID"), node ? node->id : QString()},
        {QStringLiteral("ServerMode"), true},
        {QStringLiteral("ConnectEnabled"), true},
        {QStringLiteral("ConnectSidecarMinPort"), 21000},
        {QStringLiteral("ConnectSidecarMaxPort"), 21255},
        {QStringLiteral("ACLsEnabled"), false},
        {QStringLiteral("ClientAddrs"), QJsonArray{address}},
        {QStringLiteral("HTTPPort"), ConsulApi::kConsulPort},
        {QStringLiteral("GRPCPort"), -1},
    };
    const QJsonObject member = memberJson(call.node);
    return json(QJsonDocument(
        QJsonObject{{QStringLiteral("Config"), config},
                    {QStringLiteral("DebugConfig"), debug},
                    {QStringLiteral("Coord"), QJsonValue()},
                    {QStringLiteral("Member"), member},
                    {QStringLiteral("Stats"), QJsonObject()},
                    {QStringLiteral("Meta"), QJsonObject{{QStringLiteral("consul-network-segment"), QString()}}}}));
}

// A server's entry in the LAN gossip pool, as /v1/agent/self's Member and
// /v1/agent/members show it (hashicorp/consul: agent/agent_endpoint.go
// AgentMembers; the tags a server agent gossips: role, dc, id, port, build,
// vsn).
QJsonObject ConsulApi::memberJson(const QString &name) const
{
    const ConsulState::NodeInfo *node = m_state->node(name);
    const QString address = node ? node->address.toString() : QString();
    return QJsonObject{
        {QStringLiteral("Name"), name},
        {QStringLiteral("Addr"), address},
        {QStringLiteral("Port"), kSerfLanPort},
        {QStringLiteral("Tags"), QJsonObject{{QStringLiteral("role"), QStringLiteral("consul")},
                                             {QStringLiteral("dc"), m_state->datacenter()},
                                             {QStringLiteral("id"), node ? node->id : QString()},
                                             {QStringLiteral("port"), QString::number(kServerRpcPort)},
                                             {QStringLiteral("build"), kVersion},
                                             {QStringLiteral("vsn"), QStringLiteral("2")}}},
        {QStringLiteral("Status"), node && node->up ? 1 : 4},
        {QStringLiteral("ProtocolMin"), 1},
        {QStringLiteral("ProtocolMax"), 5},
        {QStringLiteral("ProtocolCur"), 2},
        {QStringLiteral("DelegateMin"), 2},
        {QStringLiteral("DelegateMax"), 5},
        {QStringLiteral("DelegateCur"), 4},
    };
}

ConsulApi::Reply ConsulApi::agentMembers(const Call &)
{
    QJsonArray members;
    for (const ConsulState::NodeInfo &node : m_state->nodes())
        members.append(memberJson(node.name));
    return json(QJsonDocument(members));
}

ConsulApi::Reply ConsulApi::agentServices(const Call &call)
{
    QJsonObject out;
    for (const ConsulState::Service *service : m_state->agentServices(call.node))
        out.insert(service->id, agentServiceJson(*service));
    return json(QJsonDocument(out));
}

ConsulApi::Reply ConsulApi::agentService(const Call &call)
{
    const QString id = call.path.section(u'/', 4);
    const ConsulState::Service *service = m_state->agentService(call.node, id);
    if (!service)
        return error(404, QStringLiteral("unknown service ID: %1").arg(id));
    QJsonObject body = agentServiceJson(*service);
    // ContentHash: a hash of what is served, for ?hash= blocking
    // (hashicorp/consul: agent/agent_endpoint.go AgentService).
    const QByteArray digest
        = QCryptographicHash::hash(QJsonDocument(body).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256);
    const QString hash = QString::fromLatin1(digest.toHex().left(16));
    body.insert(QStringLiteral("ContentHash"), hash);
    body.insert(QStringLiteral("CreateIndex"), double(service->createIndex));
    body.insert(QStringLiteral("ModifyIndex"), double(service->modifyIndex));
    Reply reply = json(QJsonDocument(body));
    reply.contentHash = hash;
    return reply;
}

ConsulApi::Reply ConsulApi::agentChecks(const Call &call)
{
    QJsonObject out;
    for (const ConsulState::Check *check : m_state->agentChecks(call.node))
        out.insert(check->checkId, checkJson(*check, m_state->agentService(call.node, check->serviceId)));
    return json(QJsonDocument(out));
}

ConsulApi::Reply ConsulApi::agentRegister(const Call &call)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(call.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return error(400,
                     QStringLiteral("Request decode failed: %1")
                         .arg(call.body.trimmed().isEmpty()
                                  ? QStringLiteral("EOF")
                                  : QStringLiteral("invalid character in JSON at offset %1").arg(parseError.offset)));
    const QJsonObject body = document.object();
    QJsonObject canonical = body;
    if (m_schema) {
        const QString decodeError = m_schema->goDecodeError(body, u"consul-registration");
        if (!decodeError.isEmpty())
            return error(400, QStringLiteral("Request decode failed: %1").arg(decodeError));
        canonical = m_schema->canonical(body, u"consul-registration");
    }
    const bool replace = isTrue(call.query, QStringLiteral("replace-existing-checks"));
    if (Result<> registered = m_state->registerService(call.node, canonical, replace); !registered)
        return error(400, registered.error().message);
    return Reply{};
}

ConsulApi::Reply ConsulApi::agentDeregister(const Call &call)
{
    const QString id = call.path.section(u'/', 5);
    if (!m_state->deregisterService(call.node, id))
        return error(
            404, QStringLiteral("Unknown service ID %1. Ensure that the service ID is passed, not the service name.")
                     .arg(id));
    return Reply{};
}

// ---------------------------------------------------------------- connect

ConsulApi::Reply ConsulApi::caRoots(const Call &)
{
    if (!m_ca)
        return error(500, QStringLiteral("the lab has no CA"));
    const QSslCertificate root = m_ca->rootCertificate();
    // The root's ID is its SHA-1 fingerprint in colon hex
    // (hashicorp/consul: agent/connect/ca CalculateCertFingerprint).
    const QByteArray fingerprint = root.digest(QCryptographicHash::Sha1).toHex(':');
    const QByteArray serialHex = root.serialNumber();
    bool ok = false;
    const quint64 serial = QByteArray(serialHex).replace(':', "").right(12).toULongLong(&ok, 16);
    const QJsonObject entry{
        {QStringLiteral("ID"), QString::fromLatin1(fingerprint)},
        {QStringLiteral("Name"), QStringLiteral("Meshpad Lab CA Primary Cert")},
        {QStringLiteral("SerialNumber"), double(serial)},
        {QStringLiteral("SigningKeyID"), QString::fromLatin1(fingerprint)},
        {QStringLiteral("ExternalTrustDomain"), m_ca->trustDomain()},
        {QStringLiteral("NotBefore"), utcRfc3339(root.effectiveDate())},
        {QStringLiteral("NotAfter"), utcRfc3339(root.expiryDate())},
        {QStringLiteral("RootCert"), QString::fromLatin1(root.toPem())},
        {QStringLiteral("IntermediateCerts"), QJsonValue()},
        {QStringLiteral("Active"), true},
        {QStringLiteral("PrivateKeyType"), QStringLiteral("ec")},
        {QStringLiteral("PrivateKeyBits"), 256},
        {QStringLiteral("CreateIndex"), double(m_rootsIndex)},
        {QStringLiteral("ModifyIndex"), double(m_rootsIndex)},
    };
    Reply reply = json(QJsonDocument(QJsonObject{{QStringLiteral("ActiveRootID"), QString::fromLatin1(fingerprint)},
                                                 {QStringLiteral("TrustDomain"), m_ca->trustDomain()},
                                                 {QStringLiteral("Roots"), QJsonArray{entry}}}));
    reply.index = std::max<quint64>(m_rootsIndex, m_state->tableIndex(ConsulState::Table::Roots));
    return reply;
}

ConsulApi::Reply ConsulApi::caLeaf(const Call &call)
{
    const QString service = call.path.section(u'/', 6);
    Result<pki::IssuedCertificate> leaf = leafFor(service);
    if (!leaf)
        return error(500, leaf.error().message);
    const Leaf &cached = m_leaves.value(service);
    const QJsonObject body{
        {QStringLiteral("SerialNumber"), leaf->serialColonHex()},
        {QStringLiteral("CertPEM"), QString::fromLatin1(leaf->certificatePem())},
        {QStringLiteral("PrivateKeyPEM"), QString::fromLatin1(leaf->privateKeyPem())},
        {QStringLiteral("Service"), service},
        {QStringLiteral("ServiceURI"),
         pki::SpiffeId::forService(m_state->trustDomain(), m_state->datacenter(), service).toString()},
        {QStringLiteral("ValidAfter"), utcRfc3339(leaf->certificate.effectiveDate())},
        {QStringLiteral("ValidBefore"), utcRfc3339(leaf->certificate.expiryDate())},
        {QStringLiteral("CreateIndex"), double(cached.createIndex)},
        {QStringLiteral("ModifyIndex"), double(cached.modifyIndex)},
    };
    Reply reply = json(QJsonDocument(body));
    reply.index = cached.modifyIndex;
    return reply;
}

ConsulApi::Reply ConsulApi::authorize(const Call &call)
{
    // hashicorp/consul: agent/agent_endpoint.go AgentConnectAuthorize and
    // agent/connect_auth.go ConnectAuthorize.
    const QJsonDocument document = QJsonDocument::fromJson(call.body);
    if (!document.isObject())
        return error(400,
                     QStringLiteral("Request decode failed: %1")
                         .arg(call.body.trimmed().isEmpty() ? QStringLiteral("EOF") : QStringLiteral("invalid JSON")));
    QString target;
    QString uri;
    const QJsonObject request = document.object();
    for (auto it = request.begin(); it != request.end(); ++it) {
        const QString key = it.key();
        if (key.compare(u"Target", Qt::CaseInsensitive) == 0)
            target = it.value().toString();
        else if (key.compare(u"ClientCertURI", Qt::CaseInsensitive) == 0)
            uri = it.value().toString();
        else if (key.compare(u"ClientCertSerial", Qt::CaseInsensitive) != 0
                 && key.compare(u"Namespace", Qt::CaseInsensitive) != 0
                 && key.compare(u"Partition", Qt::CaseInsensitive) != 0)
            return error(400, QStringLiteral("Request decode failed: json: unknown field \"%1\"").arg(key));
    }
    if (target.isEmpty())
        return error(400, QStringLiteral("Target service must be specified"));
    if (uri.isEmpty())
        return error(400, QStringLiteral("Client cert URI must be specified"));
    if (!uri.startsWith(u"spiffe://"))
        return error(400, QStringLiteral("ClientCertURI not a valid Connect identifier"));
    const std::optional<pki::SpiffeId> source = pki::SpiffeId::parse(uri);
    if (!source)
        return error(400, QStringLiteral("ClientCertURI not a valid Service identifier"));
    const proxy::Authorization decision = m_state->authorize(*source, target);
    return json(QJsonDocument(
        QJsonObject{{QStringLiteral("Authorized"), decision.allowed}, {QStringLiteral("Reason"), decision.reason}}));
}

// ---------------------------------------------------------------- catalog and health

ConsulApi::Reply ConsulApi::catalogServices(const Call &)
{
    QJsonObject out;
    for (const ConsulState::Service *service : m_state->services()) {
        QStringList tags;
        for (const QJsonValue &tag : out.value(service->name).toArray())
            tags.append(tag.toString());
        for (const QString &tag : service->tags) {
            if (!tags.contains(tag))
                tags.append(tag);
        }
        out.insert(service->name, toArray(tags));
    }
    Reply reply = json(QJsonDocument(out));
    reply.index = m_state->tableIndex(ConsulState::Table::Services);
    reply.consistency = true;
    return reply;
}

ConsulApi::Reply ConsulApi::catalogService(const Call &call)
{
    const QString name = call.path.section(u'/', 4);
    QJsonArray out;
    for (const ConsulState::Service *service : m_state->services()) {
        if (service->name == name)
            out.append(catalogServiceJson(*service));
    }
    Reply reply = json(QJsonDocument(out));
    reply.index = m_state->tableIndex(ConsulState::Table::Services);
    reply.consistency = true;
    return reply;
}

ConsulApi::Reply ConsulApi::catalogNodes(const Call &)
{
    QJsonArray out;
    for (const ConsulState::NodeInfo &node : m_state->nodes())
        out.append(nodeJson(node.name));
    Reply reply = json(QJsonDocument(out));
    reply.index = m_state->tableIndex(ConsulState::Table::Services);
    reply.consistency = true;
    return reply;
}

ConsulApi::Reply ConsulApi::healthEntries(const Call &call, bool connect)
{
    const QString name = call.path.section(u'/', 4);
    const bool passing = isTrue(call.query, QStringLiteral("passing"));
    QList<const ConsulState::Service *> candidates;
    if (connect) {
        candidates = m_state->connectEntries(name);
    } else {
        for (const ConsulState::Service *service : m_state->services()) {
            if (service->name == name)
                candidates.append(service);
        }
    }
    QJsonArray out;
    for (const ConsulState::Service *service : std::as_const(candidates)) {
        if (passing && !m_state->isPassing(*service))
            continue;
        QJsonArray checks;
        for (const ConsulState::Check &check : m_state->healthChecks(*service))
            checks.append(checkJson(check, check.serviceId.isEmpty() ? nullptr : service));
        QJsonObject node = nodeJson(service->node);
        QJsonObject agentService = agentServiceJson(*service);
        agentService.insert(QStringLiteral("CreateIndex"), double(service->createIndex));
        agentService.insert(QStringLiteral("ModifyIndex"), double(service->modifyIndex));
        out.append(QJsonObject{{QStringLiteral("Node"), node},
                               {QStringLiteral("Service"), agentService},
                               {QStringLiteral("Checks"), checks}});
    }
    Reply reply = json(QJsonDocument(out));
    reply.index = m_state->tableIndex(ConsulState::Table::Services);
    reply.consistency = true;
    return reply;
}

ConsulApi::Reply ConsulApi::healthService(const Call &call)
{
    return healthEntries(call, false);
}

ConsulApi::Reply ConsulApi::healthConnect(const Call &call)
{
    return healthEntries(call, true);
}

// ---------------------------------------------------------------- config entries

ConsulApi::Reply ConsulApi::configApply(const Call &call)
{
    // hashicorp/consul: agent/config_endpoint.go ConfigApply.
    const QJsonDocument document = QJsonDocument::fromJson(call.body);
    if (!document.isObject())
        return error(400,
                     QStringLiteral("Request decoding failed: %1")
                         .arg(call.body.trimmed().isEmpty() ? QStringLiteral("EOF") : QStringLiteral("invalid JSON")));
    const QJsonObject body = document.object();
    QString kind;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key().compare(u"Kind", Qt::CaseInsensitive) == 0)
            kind = it.value().toString();
    }
    if (kind.isEmpty())
        return error(
            400, QStringLiteral("Request decoding failed: Payload does not contain a kind/Kind key at the top level"));
    QJsonObject entry = body;
    if (m_schema) {
        if (kind != u"service-intentions" && kind != u"service-defaults" && kind != u"proxy-defaults")
            return error(400, QStringLiteral("Request decoding failed: invalid config entry kind: %1").arg(kind));
        const QString decodeError = m_schema->goDecodeError(body, kind);
        if (!decodeError.isEmpty())
            return error(400,
                         QStringLiteral("Request decoding failed: 1 error occurred:\n\t* %1\n\n").arg(decodeError));
        entry = m_schema->canonical(body, kind);
    }
    entry.remove(QStringLiteral("CreateIndex"));
    entry.remove(QStringLiteral("ModifyIndex"));
    if (entry.value(u"Name").toString().isEmpty())
        return error(400, QStringLiteral("Request decoding failed: config entry Name is required"));
    if (kind == u"service-intentions") {
        for (const QJsonValue &source : entry.value(u"Sources").toArray()) {
            const QJsonObject s = source.toObject();
            const QString action = s.value(u"Action").toString();
            if (s.value(u"Name").toString().isEmpty())
                return error(500, QStringLiteral("Sources[*].Name is required"));
            if (action.isEmpty() && s.value(u"Permissions").toArray().isEmpty())
                return error(500, QStringLiteral("Sources[*].Action or Sources[*].Permissions must be set"));
            if (!action.isEmpty() && action != u"allow" && action != u"deny")
                return error(500, QStringLiteral("Sources[*].Action must be set to 'allow' or 'deny'"));
        }
    }
    std::optional<quint64> cas;
    if (call.query.hasQueryItem(QStringLiteral("cas"))) {
        bool ok = false;
        cas = call.query.queryItemValue(QStringLiteral("cas")).toULongLong(&ok);
        if (!ok)
            return error(400, QStringLiteral("Invalid cas index"));
    }
    const bool written = m_state->writeConfigEntry(entry, cas);
    return Reply{200, written ? QByteArrayLiteral("true") : QByteArrayLiteral("false")};
}

ConsulApi::Reply ConsulApi::configGet(const Call &call)
{
    const QString kind = call.path.section(u'/', 3, 3);
    const QString name = call.path.section(u'/', 4);
    const QJsonObject entry = m_state->configEntry(kind, name);
    if (entry.isEmpty())
        return error(404, QStringLiteral("Config entry not found for \"%1\" / \"%2\"").arg(kind, name));
    Reply reply = json(QJsonDocument(entry));
    reply.index = m_state->tableIndex(ConsulState::Table::ConfigEntries);
    reply.consistency = true;
    return reply;
}

ConsulApi::Reply ConsulApi::configList(const Call &call)
{
    const QString kind = call.path.section(u'/', 3, 3);
    QJsonArray out;
    for (const QJsonObject &entry : m_state->configEntries(kind))
        out.append(entry);
    Reply reply = json(QJsonDocument(out));
    reply.index = m_state->tableIndex(ConsulState::Table::ConfigEntries);
    reply.consistency = true;
    return reply;
}

ConsulApi::Reply ConsulApi::configDelete(const Call &call)
{
    const QString kind = call.path.section(u'/', 3, 3);
    const QString name = call.path.section(u'/', 4);
    std::optional<quint64> cas;
    if (call.query.hasQueryItem(QStringLiteral("cas"))) {
        bool ok = false;
        cas = call.query.queryItemValue(QStringLiteral("cas")).toULongLong(&ok);
        if (!ok)
            return error(400, QStringLiteral("Invalid cas index"));
    }
    const bool deleted = m_state->deleteConfigEntry(kind, name, cas);
    return Reply{200, deleted ? QByteArrayLiteral("true") : QByteArrayLiteral("false")};
}

} // namespace mesh::lab
