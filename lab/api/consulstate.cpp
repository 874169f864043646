#include "consulstate.h"

#include "core/goduration.h"
#include "lab/healthchecker.h"

#include "generate/consulgenerator.h"

#include <QJsonDocument>
#include <QSet>
#include <QUrl>
#include <QUuid>

#include <algorithm>

namespace mesh::lab {

namespace {
// ports.sidecar_min_port / sidecar_max_port: Consul's default range is
// 21000–21255 (hashicorp/consul: agent/config/default.go). The lab's three
// agents share one host, so each gets its own 256 ports, as Consul's docs
// advise for several agents on one address: node one 21000–21255, node two
// 21256–21511, node three 21512–21767. A sidecar registered without an
// Address binds every address (consul connect proxy does), so equal ports
// on two nodes would collide.
constexpr int kSidecarMinPort = 21000;
constexpr int kSidecarPortsPerAgent = 256;
const QString kSerfCheckId = QStringLiteral("serfHealth");
const QString kPassing = QStringLiteral("passing");
const QString kCritical = QStringLiteral("critical");
const QString kServiceIntentions = QStringLiteral("service-intentions");

// Consul's intention precedence for an exact or wildcard source and
// destination (hashicorp/consul: agent/structs/intention.go UpdatePrecedence,
// without namespaces): exact/exact 9, wildcard source 8, wildcard
// destination 6, both wildcards 5.
int precedence(const QString &source, const QString &destination)
{
    const bool exactSource = source != u"*";
    const bool exactDestination = destination != u"*";
    if (exactDestination)
        return exactSource ? 9 : 8;
    return exactSource ? 6 : 5;
}

QString statusWord(bool passing)
{
    return passing ? kPassing : kCritical;
}

int severity(const QString &status)
{
    if (status == u"critical")
        return 2;
    if (status == u"warning")
        return 1;
    return 0;
}

// A check's duration as the agent decodes it: a Go duration string ("10s",
// "1m30s") or a number of nanoseconds.
std::chrono::milliseconds goDuration(const QJsonValue &value, std::chrono::milliseconds fallback)
{
    if (value.isDouble())
        return std::chrono::milliseconds(qint64(value.toDouble() / 1e6));
    const auto parsed = parseGoDuration(value.toString());
    return parsed ? std::chrono::duration_cast<std::chrono::milliseconds>(*parsed) : fallback;
}
} // namespace

ConsulState::ConsulState() = default;
ConsulState::~ConsulState() = default;
ConsulState::ConsulState(ConsulState &&) noexcept = default;
ConsulState &ConsulState::operator=(ConsulState &&) noexcept = default;

void ConsulState::setIdentity(const QString &trustDomain, const QString &datacenter)
{
    m_trustDomain = trustDomain;
    m_datacenter = datacenter;
}

void ConsulState::setNodes(const QList<NodeInfo> &nodes)
{
    m_nodes = nodes;
    for (NodeInfo &node : m_nodes) {
        if (node.id.isEmpty())
            node.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        // Every member carries the Serf health check (hashicorp/consul:
        // agent/consul/leader.go handleAliveMember).
        Check serf;
        serf.node = node.name;
        serf.checkId = kSerfCheckId;
        serf.name = QStringLiteral("Serf Health Status");
        serf.status = statusWord(node.up);
        serf.output
            = node.up ? QStringLiteral("Agent alive and reachable") : QStringLiteral("Agent not live or unreachable");
        serf.createIndex = serf.modifyIndex = m_index;
        m_checks.append(serf);
    }
    bump(Table::Services);
}

const ConsulState::NodeInfo *ConsulState::node(const QString &name) const
{
    for (const NodeInfo &node : m_nodes) {
        if (node.name == name)
            return &node;
    }
    return nullptr;
}

void ConsulState::ensureNode(const QString &name, const QHostAddress &address, bool up)
{
    if (node(name))
        return;
    NodeInfo info{name, address, QUuid::createUuid().toString(QUuid::WithoutBraces), up};
    QList<NodeInfo> nodes = m_nodes;
    m_nodes.clear();
    m_checks.removeIf([](const Check &c) { return c.checkId == kSerfCheckId; });
    nodes.append(info);
    setNodes(nodes);
}

void ConsulState::setNodeUp(const QString &name, bool up)
{
    ensureNode(name, QHostAddress(), up);
    for (NodeInfo &node : m_nodes) {
        if (node.name == name)
            node.up = up;
    }
    if (Check *serf = findCheck(name, kSerfCheckId); serf && serf->status != statusWord(up)) {
        serf->status = statusWord(up);
        serf->output
            = up ? QStringLiteral("Agent alive and reachable") : QStringLiteral("Agent not live or unreachable");
        serf->modifyIndex = m_index + 1;
        bump(Table::Services);
    }
}

quint64 ConsulState::tableIndex(Table table) const
{
    return m_tableIndex.value(int(table), 1);
}

void ConsulState::touch(Table table)
{
    bump(table);
}

void ConsulState::bump(Table table)
{
    ++m_index;
    m_tableIndex.insert(int(table), m_index);
    if (m_onChanged)
        m_onChanged(table);
}

// ---------------------------------------------------------------- intentions

void ConsulState::setIntentions(const model::Topology &topology)
{
    m_defaultAllow = topology.settings.defaultPolicy == model::IntentionAction::Allow;
    const model::TopologyIndex index(topology);
    for (const model::Service &service : topology.services) {
        if (!generate::ConsulGenerator::needsIntentions(index, service))
            continue;
        const QJsonObject entry
            = QJsonDocument::fromJson(generate::ConsulGenerator::intentionsJson(index, service).toUtf8()).object();
        writeConfigEntry(entry);
    }
}

void ConsulState::setIntention(const QString &source, const QString &destination, model::IntentionAction action)
{
    QJsonObject entry = configEntry(kServiceIntentions, destination);
    if (entry.isEmpty())
        entry = QJsonObject{{QStringLiteral("Kind"), kServiceIntentions}, {QStringLiteral("Name"), destination}};
    QJsonArray sources = entry.value(u"Sources").toArray();
    bool found = false;
    for (qsizetype i = 0; i < sources.size(); ++i) {
        QJsonObject s = sources.at(i).toObject();
        if (s.value(u"Name").toString() != source)
            continue;
        s.insert(QStringLiteral("Action"), model::toString(action));
        sources.replace(i, s);
        found = true;
    }
    if (!found)
        sources.prepend(QJsonObject{{QStringLiteral("Name"), source},
                                    {QStringLiteral("Action"), model::toString(action)},
                                    {QStringLiteral("Type"), QStringLiteral("consul")}});
    entry.insert(QStringLiteral("Sources"), sources);
    writeConfigEntry(entry);
}

bool ConsulState::isAllowed(const QString &source, const QString &destination) const
{
    return authorize(pki::SpiffeId::forService(m_trustDomain, m_datacenter, source), destination).allowed;
}

proxy::Authorization ConsulState::authorize(const pki::SpiffeId &source, const QString &destination) const
{
    // Every source of the entries for `destination` and for "*", highest
    // precedence first; the first whose name matches decides.
    struct Candidate
    {
        int precedence;
        QString source;
        QString destination;
        QString action;
        bool l7;
    };
    QList<Candidate> candidates;
    for (const QString &name : {destination, QStringLiteral("*")}) {
        const QJsonObject entry = configEntry(kServiceIntentions, name);
        for (const QJsonValue &value : entry.value(u"Sources").toArray()) {
            const QJsonObject s = value.toObject();
            const QString sourceName = s.value(u"Name").toString();
            candidates.append({precedence(sourceName, name), sourceName, name, s.value(u"Action").toString().toLower(),
                               !s.value(u"Permissions").toArray().isEmpty()});
        }
        if (destination == u"*")
            break;
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.precedence > b.precedence; });
    for (const Candidate &c : std::as_const(candidates)) {
        if (c.source != u"*" && c.source != source.service)
            continue;
        if (c.l7) {
            // L7 intentions always deny at this endpoint (hashicorp/consul:
            // agent/connect_auth.go ConnectAuthorize).
            return {false,
                    QStringLiteral("Matched L7 intention: %1 => %2 (L7 permissions are not enforced by this endpoint)")
                        .arg(c.source, c.destination)};
        }
        const bool allow = c.action == u"allow";
        return {allow, QStringLiteral("Matched L4 intention: %1 => %2 (%3)")
                           .arg(c.source, c.destination, allow ? QStringLiteral("allow") : QStringLiteral("deny"))};
    }
    if (m_defaultAllow)
        return {true, QStringLiteral("ACLs disabled, access is allowed by default")};
    // The design's default deny stands for Consul's ACL default policy.
    return {false, QStringLiteral("Default behavior configured by ACLs")};
}

// ---------------------------------------------------------------- config entries

QJsonObject ConsulState::configEntry(const QString &kind, const QString &name) const
{
    return m_configEntries.value(kind).value(name);
}

QList<QJsonObject> ConsulState::configEntries(const QString &kind) const
{
    return m_configEntries.value(kind).values();
}

bool ConsulState::writeConfigEntry(const QJsonObject &input, std::optional<quint64> cas)
{
    const QString kind = input.value(u"Kind").toString();
    const QString name = input.value(u"Name").toString();
    const QJsonObject existing = configEntry(kind, name);
    if (cas) {
        const quint64 stored = existing.isEmpty() ? 0 : quint64(existing.value(u"ModifyIndex").toDouble());
        if (stored != *cas)
            return false;
    }
    QJsonObject entry = input;
    const quint64 index = m_index + 1;
    entry.insert(QStringLiteral("CreateIndex"),
                 double(existing.isEmpty() ? index : quint64(existing.value(u"CreateIndex").toDouble())));
    entry.insert(QStringLiteral("ModifyIndex"), double(index));
    if (kind == kServiceIntentions) {
        // Precedence is computed by the server; Type defaults to consul.
        QJsonArray sources = entry.value(u"Sources").toArray();
        for (qsizetype i = 0; i < sources.size(); ++i) {
            QJsonObject s = sources.at(i).toObject();
            s.insert(QStringLiteral("Precedence"), precedence(s.value(u"Name").toString(), name));
            if (s.value(u"Type").toString().isEmpty())
                s.insert(QStringLiteral("Type"), QStringLiteral("consul"));
            sources.replace(i, s);
        }
        entry.insert(QStringLiteral("Sources"), sources);
    }
    m_configEntries[kind].insert(name, entry);
    bump(Table::ConfigEntries);
    return true;
}

bool ConsulState::deleteConfigEntry(const QString &kind, const QString &name, std::optional<quint64> cas)
{
    const QJsonObject existing = configEntry(kind, name);
    if (cas && (existing.isEmpty() || quint64(existing.value(u"ModifyIndex").toDouble()) != *cas))
        return false;
    if (!existing.isEmpty()) {
        m_configEntries[kind].remove(name);
        bump(Table::ConfigEntries);
    }
    return true;
}

// ---------------------------------------------------------------- services and checks

ConsulState::Check *ConsulState::findCheck(const QString &node, const QString &checkId)
{
    for (Check &check : m_checks) {
        if (check.node == node && check.checkId == checkId)
            return &check;
    }
    return nullptr;
}

void ConsulState::removeChecksOf(const QString &node, const QString &serviceId)
{
    for (const Check &check : std::as_const(m_checks)) {
        if (check.node == node && check.serviceId == serviceId)
            m_checkers.remove(node + u'/' + check.checkId);
    }
    m_checks.removeIf([&](const Check &c) { return c.node == node && c.serviceId == serviceId; });
}

void ConsulState::removeService(const QString &node, const QString &id)
{
    removeChecksOf(node, id);
    m_services.removeIf([&](const Service &s) { return s.node == node && s.id == id; });
}

int ConsulState::takeSidecarPort(const QString &node) const
{
    // The lowest port of the range no service of this agent holds
    // (hashicorp/consul: agent/sidecar_service.go sidecarPortFromServiceIDLocked).
    QSet<int> taken;
    for (const Service &service : m_services) {
        if (service.node == node)
            taken.insert(service.port);
    }
    qsizetype agent = 0;
    while (agent < m_nodes.size() && m_nodes.at(agent).name != node)
        ++agent;
    const int first = kSidecarMinPort + int(agent) * kSidecarPortsPerAgent;
    for (int port = first; port < first + kSidecarPortsPerAgent; ++port) {
        if (!taken.contains(port))
            return port;
    }
    return 0;
}

ConsulState::Check ConsulState::makeCheck(const QString &node, const Service &service, const QJsonObject &d,
                                          int ordinal, int count) const
{
    Check check;
    check.node = node;
    check.serviceId = service.id;
    check.serviceName = service.name;
    // CheckID "service:<id>", ":<n>" appended when the service has several
    // (hashicorp/consul: agent/agent_endpoint.go AgentRegisterService).
    check.checkId = d.value(u"CheckID").toString();
    if (check.checkId.isEmpty())
        check.checkId = count > 1 ? QStringLiteral("service:%1:%2").arg(service.id).arg(ordinal + 1)
                                  : QStringLiteral("service:%1").arg(service.id);
    check.name = d.value(u"Name").toString();
    if (check.name.isEmpty())
        check.name = QStringLiteral("Service '%1' check").arg(service.name);
    check.notes = d.value(u"Notes").toString();
    check.status = d.value(u"Status").toString(kCritical);
    QJsonObject definition;
    if (!d.value(u"TCP").toString().isEmpty()) {
        check.type = QStringLiteral("tcp");
        definition.insert(QStringLiteral("TCP"), d.value(u"TCP"));
    } else if (!d.value(u"HTTP").toString().isEmpty()) {
        check.type = QStringLiteral("http");
        definition.insert(QStringLiteral("HTTP"), d.value(u"HTTP"));
    } else if (!d.value(u"AliasService").toString().isEmpty()) {
        check.type = QStringLiteral("alias");
        check.aliasService = d.value(u"AliasService").toString();
    } else if (!d.value(u"TTL").toString().isEmpty()) {
        check.type = QStringLiteral("ttl");
    }
    if (d.contains(u"Interval"))
        definition.insert(QStringLiteral("Interval"), d.value(u"Interval"));
    if (d.contains(u"Timeout"))
        definition.insert(QStringLiteral("Timeout"), d.value(u"Timeout"));
    check.definition = definition;
    return check;
}

void ConsulState::startCheck(const Check &check)
{
    // TCP and HTTP checks of API registrations run for real, so a sidecar
    // someone starts (`meshpad proxy -sidecar-for`) turns passing once it
    // listens and the lab's sidecars can then reach it.
    HealthChecker::Target target;
    if (check.type == u"tcp") {
        const QString hostPort = check.definition.value(u"TCP").toString();
        const qsizetype colon = hostPort.lastIndexOf(u':');
        target.kind = model::CheckKind::Tcp;
        target.address = QHostAddress(hostPort.left(colon));
        target.port = quint16(hostPort.mid(colon + 1).toUInt());
    } else if (check.type == u"http") {
        const QUrl url(check.definition.value(u"HTTP").toString());
        target.kind = model::CheckKind::Http;
        target.address = QHostAddress(url.host());
        target.port = quint16(url.port(url.scheme() == u"https" ? 443 : 80));
        target.path = url.path().isEmpty() ? QStringLiteral("/") : url.path();
    } else {
        return;
    }
    if (target.address.isNull() || target.port == 0)
        return;
    target.interval = std::max(std::chrono::milliseconds(100),
                               goDuration(check.definition.value(u"Interval"), std::chrono::seconds(10)));
    target.timeout = std::max(std::chrono::milliseconds(100),
                              goDuration(check.definition.value(u"Timeout"), std::chrono::seconds(10)));
    auto checker = std::make_shared<HealthChecker>(target);
    const QString node = check.node;
    const QString checkId = check.checkId;
    QObject::connect(checker.get(), &HealthChecker::statusChanged, checker.get(),
                     [this, node, checkId](HealthStatus status, const QString &output) {
                         Check *c = findCheck(node, checkId);
                         const QString word = status == HealthStatus::Passing ? kPassing : kCritical;
                         if (!c || (c->status == word && c->output == output))
                             return;
                         c->status = word;
                         c->output = output;
                         c->modifyIndex = m_index + 1;
                         bump(Table::Services);
                     });
    m_checkers.insert(node + u'/' + checkId, checker);
    checker->start();
}

void ConsulState::stopCheck(const QString &node, const QString &checkId)
{
    m_checkers.remove(node + u'/' + checkId);
}

Result<> ConsulState::registerService(const QString &nodeName, const QJsonObject &body, bool replaceExistingChecks)
{
    const NodeInfo *agentNode = node(nodeName);
    if (!agentNode)
        return fail(Error::Code::NotFound, QStringLiteral("unknown node %1").arg(nodeName));
    // hashicorp/consul: agent/agent_endpoint.go AgentRegisterService.
    const QString name = body.value(u"Name").toString();
    if (name.isEmpty())
        return fail(Error::Code::Invalid, QStringLiteral("Missing service name"));
    const QString address = body.value(u"Address").toString();
    if (address == u"0.0.0.0" || address == u"::" || address == u"[::]")
        return fail(Error::Code::Invalid, QStringLiteral("Invalid service address"));
    const QString kind = body.value(u"Kind").toString();
    const QJsonObject proxyIn = body.value(u"Proxy").toObject();
    if (kind == u"connect-proxy" && proxyIn.value(u"DestinationServiceName").toString().isEmpty())
        return fail(
            Error::Code::Invalid,
            QStringLiteral("Invalid Service Proxy: Proxy.DestinationServiceName must be set for Connect proxy"));
    const QJsonObject connect = body.value(u"Connect").toObject();

    Service service;
    service.node = nodeName;
    service.id = body.value(u"ID").toString(name);
    if (service.id.isEmpty())
        service.id = name;
    service.name = name;
    service.kind = kind;
    for (const QJsonValue &tag : body.value(u"Tags").toArray())
        service.tags.append(tag.toString());
    service.address = address;
    service.port = body.value(u"Port").toInt();
    service.meta = body.value(u"Meta").toObject();
    service.taggedAddresses = body.value(u"TaggedAddresses").toObject();
    if (body.contains(u"Weights") && !body.value(u"Weights").toObject().isEmpty())
        service.weights = body.value(u"Weights").toObject();
    service.enableTagOverride = body.value(u"EnableTagOverride").toBool();
    service.proxy = proxyIn;
    service.connectNative = connect.value(u"Native").toBool();

    QList<std::pair<Service, QJsonArray>> toRegister;
    QJsonArray checks = body.value(u"Checks").toArray();
    if (body.value(u"Check").isObject() && !body.value(u"Check").toObject().isEmpty())
        checks.prepend(body.value(u"Check"));
    toRegister.append({service, checks});

    if (connect.value(u"SidecarService").isObject()) {
        // The defaults of hashicorp/consul: agent/sidecar_service.go
        // sidecarServiceFromNodeService.
        const QJsonObject sidecarIn = connect.value(u"SidecarService").toObject();
        Service sidecar;
        sidecar.node = nodeName;
        sidecar.id = service.id + QStringLiteral("-sidecar-proxy");
        sidecar.name = sidecarIn.value(u"Name").toString(service.name + QStringLiteral("-sidecar-proxy"));
        if (sidecar.name.isEmpty())
            sidecar.name = service.name + QStringLiteral("-sidecar-proxy");
        sidecar.kind = QStringLiteral("connect-proxy");
        for (const QJsonValue &tag : sidecarIn.value(u"Tags").toArray())
            sidecar.tags.append(tag.toString());
        if (sidecar.tags.isEmpty())
            sidecar.tags = service.tags;
        sidecar.meta = sidecarIn.value(u"Meta").toObject();
        if (sidecar.meta.isEmpty())
            sidecar.meta = service.meta;
        sidecar.address = sidecarIn.value(u"Address").toString(service.address);
        if (sidecar.address.isEmpty())
            sidecar.address = service.address;
        sidecar.port = sidecarIn.value(u"Port").toInt();
        if (sidecar.port == 0) {
            // Re-registering keeps the port the sidecar already holds.
            const Service *existing = agentService(nodeName, sidecar.id);
            sidecar.port = existing ? existing->port : takeSidecarPort(nodeName);
            if (sidecar.port == 0)
                return fail(Error::Code::Invalid, QStringLiteral("No sidecar port available"));
        }
        QJsonObject proxy = sidecarIn.value(u"Proxy").toObject();
        proxy.insert(QStringLiteral("DestinationServiceName"), service.name);
        proxy.insert(QStringLiteral("DestinationServiceID"), service.id);
        if (proxy.value(u"LocalServiceAddress").toString().isEmpty() || proxy.value(u"LocalServicePort").toInt() == 0) {
            if (proxy.value(u"LocalServiceAddress").toString().isEmpty())
                proxy.insert(QStringLiteral("LocalServiceAddress"), QStringLiteral("127.0.0.1"));
            if (proxy.value(u"LocalServicePort").toInt() == 0)
                proxy.insert(QStringLiteral("LocalServicePort"), service.port);
        }
        QJsonArray upstreams = proxy.value(u"Upstreams").toArray();
        for (qsizetype i = 0; i < upstreams.size(); ++i) {
            QJsonObject u = upstreams.at(i).toObject();
            if (u.value(u"DestinationType").toString().isEmpty())
                u.insert(QStringLiteral("DestinationType"), QStringLiteral("service"));
            if (u.value(u"LocalBindAddress").toString().isEmpty())
                u.insert(QStringLiteral("LocalBindAddress"), QStringLiteral("127.0.0.1"));
            upstreams.replace(i, u);
        }
        if (!upstreams.isEmpty())
            proxy.insert(QStringLiteral("Upstreams"), upstreams);
        sidecar.proxy = proxy;
        sidecar.sidecarOf = service.id;
        QJsonArray sidecarChecks = sidecarIn.value(u"Checks").toArray();
        if (sidecarIn.value(u"Check").isObject() && !sidecarIn.value(u"Check").toObject().isEmpty())
            sidecarChecks.prepend(sidecarIn.value(u"Check"));
        if (sidecarChecks.isEmpty()) {
            // sidecarDefaultChecks: a TCP check of the public listener every
            // 10 s, and an alias of the parent.
            const QString checkAddress
                = !sidecar.address.isEmpty() ? sidecar.address : proxy.value(u"LocalServiceAddress").toString();
            sidecarChecks.append(
                QJsonObject{{QStringLiteral("Name"), QStringLiteral("Connect Sidecar Listening")},
                            {QStringLiteral("TCP"), QStringLiteral("%1:%2").arg(checkAddress).arg(sidecar.port)},
                            {QStringLiteral("Interval"), QStringLiteral("10s")}});
            sidecarChecks.append(
                QJsonObject{{QStringLiteral("Name"), QStringLiteral("Connect Sidecar Aliasing %1").arg(service.id)},
                            {QStringLiteral("AliasService"), service.id}});
        }
        toRegister.append({sidecar, sidecarChecks});
    }

    const quint64 index = m_index + 1;
    for (auto &[entry, entryChecks] : toRegister) {
        if (const Service *existing = agentService(nodeName, entry.id)) {
            entry.createIndex = existing->createIndex;
            entry.labAllocId = existing->labAllocId;
        } else {
            entry.createIndex = index;
        }
        entry.modifyIndex = index;
        QList<Check> newChecks;
        QSet<QString> newCheckIds;
        for (qsizetype i = 0; i < entryChecks.size(); ++i) {
            Check check = makeCheck(nodeName, entry, entryChecks.at(i).toObject(), int(i), int(entryChecks.size()));
            if (check.checkId.startsWith(QStringLiteral("service:")) && check.name.startsWith(u"Connect Sidecar")) {
                // Default sidecar checks are "service:<sidecar-id>:1" and ":2".
                check.checkId = QStringLiteral("service:%1:%2").arg(entry.id).arg(i + 1);
            }
            newCheckIds.insert(check.checkId);
            newChecks.append(check);
        }
        if (agentService(nodeName, entry.id) == nullptr) {
            removeChecksOf(nodeName, entry.id);
        } else if (replaceExistingChecks) {
            // Only the checks the new body no longer has go; the others keep
            // their state (hashicorp/consul: agent/agent_endpoint.go
            // AgentRegisterService, replace-existing-checks).
            QStringList gone;
            for (const Check &c : std::as_const(m_checks)) {
                if (c.node == nodeName && c.serviceId == entry.id && !newCheckIds.contains(c.checkId))
                    gone.append(c.checkId);
            }
            for (const QString &checkId : std::as_const(gone)) {
                stopCheck(nodeName, checkId);
                m_checks.removeIf([&](const Check &c) { return c.node == nodeName && c.checkId == checkId; });
            }
        }
        m_services.removeIf([&](const Service &s) { return s.node == nodeName && s.id == entry.id; });
        m_services.append(entry);
        for (Check check : std::as_const(newChecks)) {
            if (Check *old = findCheck(nodeName, check.checkId)) {
                check.createIndex = old->createIndex;
                check.status = old->status; // a check keeps its state across re-registration
                check.output = old->output;
                stopCheck(nodeName, check.checkId);
                m_checks.removeIf([&](const Check &c) { return c.node == nodeName && c.checkId == check.checkId; });
            } else {
                check.createIndex = index;
            }
            check.modifyIndex = index;
            m_checks.append(check);
            startCheck(check);
        }
    }
    bump(Table::Services);
    return {};
}

bool ConsulState::deregisterService(const QString &nodeName, const QString &serviceId)
{
    if (!agentService(nodeName, serviceId))
        return false;
    // A parent takes the sidecar registered through its SidecarService
    // (hashicorp/consul: agent/agent.go removeServiceSidecars).
    QStringList ids{serviceId};
    for (const Service &service : std::as_const(m_services)) {
        if (service.node == nodeName && service.sidecarOf == serviceId)
            ids.append(service.id);
    }
    for (const QString &id : std::as_const(ids))
        removeService(nodeName, id);
    bump(Table::Services);
    return true;
}

QList<const ConsulState::Service *> ConsulState::agentServices(const QString &node) const
{
    QList<const Service *> out;
    for (const Service &service : m_services) {
        if (service.node == node)
            out.append(&service);
    }
    return out;
}

const ConsulState::Service *ConsulState::agentService(const QString &node, const QString &serviceId) const
{
    for (const Service &service : m_services) {
        if (service.node == node && service.id == serviceId)
            return &service;
    }
    return nullptr;
}

QList<const ConsulState::Check *> ConsulState::agentChecks(const QString &node) const
{
    // The agent lists the checks it runs: service checks, not Serf's.
    QList<const Check *> out;
    for (const Check &check : m_checks) {
        if (check.node == node && check.checkId != kSerfCheckId)
            out.append(&check);
    }
    return out;
}

QList<const ConsulState::Service *> ConsulState::services() const
{
    QList<const Service *> out;
    for (const Service &service : m_services)
        out.append(&service);
    return out;
}

QString ConsulState::checkStatus(const Check &check) const
{
    if (check.type != u"alias")
        return check.status;
    // An alias check is as healthy as the aliased service's checks
    // (hashicorp/consul: agent/checks/alias.go); no service: critical.
    const Service *aliased = agentService(check.node, check.aliasService);
    if (!aliased)
        return kCritical;
    QString worst = kPassing;
    for (const Check &other : m_checks) {
        if (other.node != check.node || other.serviceId != aliased->id || other.type == u"alias")
            continue;
        if (severity(other.status) > severity(worst))
            worst = other.status;
    }
    return worst;
}

QList<ConsulState::Check> ConsulState::healthChecks(const Service &service) const
{
    QList<Check> out;
    for (const Check &check : m_checks) {
        if (check.node != service.node)
            continue;
        if (check.serviceId.isEmpty() || check.serviceId == service.id) {
            Check resolved = check;
            resolved.status = checkStatus(check);
            out.append(resolved);
        }
    }
    return out;
}

bool ConsulState::isPassing(const Service &service) const
{
    const QList<Check> checks = healthChecks(service);
    return std::all_of(checks.cbegin(), checks.cend(), [](const Check &c) { return c.status == u"passing"; });
}

QList<const ConsulState::Service *> ConsulState::connectEntries(const QString &name) const
{
    QList<const Service *> out;
    for (const Service &service : m_services) {
        const bool proxy
            = service.kind == u"connect-proxy" && service.proxy.value(u"DestinationServiceName").toString() == name;
        const bool native = service.connectNative && service.name == name;
        if (proxy || native)
            out.append(&service);
    }
    return out;
}

QList<proxy::Instance> ConsulState::resolve(const QString &name) const
{
    // What /v1/health/connect/<name>?passing=1 lists
    // (https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-mesh-enabled-service).
    QList<proxy::Instance> instances;
    for (const Service *service : connectEntries(name)) {
        if (service->port <= 0 || !isPassing(*service))
            continue;
        QString address = service->address;
        if (address.isEmpty()) {
            const NodeInfo *info = node(service->node);
            address = info ? info->address.toString() : QString();
        }
        instances.append(proxy::Instance{address, quint16(service->port),
                                         pki::SpiffeId::forService(m_trustDomain, m_datacenter, name)});
    }
    return instances;
}

// ---------------------------------------------------------------- the lab's allocations

void ConsulState::registerInstance(const Registration &r)
{
    deregister(r.allocId);
    ensureNode(r.node, r.address, r.nodeUp);
    const quint64 index = m_index + 1;
    // hashicorp/nomad: command/agent/consul/service_client.go MakeAllocServiceID.
    const QString group = r.group.isEmpty() ? r.service : r.group;
    const QString label = r.portLabel;
    Service parent;
    parent.node = r.node;
    parent.id = QStringLiteral("_nomad-task-%1-group-%2-%3-%4").arg(r.allocId, group, r.service, label);
    parent.name = r.service;
    parent.tags = r.tags;
    parent.address = r.appAddress.isNull() ? r.address.toString() : r.appAddress.toString();
    parent.port = r.appPort;
    parent.meta = QJsonObject{{QStringLiteral("external-source"), QStringLiteral("nomad")}};
    parent.labAllocId = r.allocId;
    parent.createIndex = parent.modifyIndex = index;
    m_services.append(parent);

    Check health;
    health.node = r.node;
    health.checkId = QStringLiteral("_nomad-check-%1").arg(r.allocId);
    health.name = QStringLiteral("service: \"%1\" check").arg(r.service);
    health.serviceId = parent.id;
    health.serviceName = parent.name;
    health.type = QStringLiteral("tcp");
    health.status = statusWord(r.healthy);
    health.labAllocId = r.allocId;
    health.createIndex = health.modifyIndex = index;
    m_checks.append(health);

    if (r.port != 0) {
        Service sidecar;
        sidecar.node = r.node;
        sidecar.id = parent.id + QStringLiteral("-sidecar-proxy");
        sidecar.name = r.service + QStringLiteral("-sidecar-proxy");
        sidecar.kind = QStringLiteral("connect-proxy");
        sidecar.tags = r.tags;
        sidecar.address = r.address.toString();
        sidecar.port = r.port;
        sidecar.meta = parent.meta;
        QJsonArray upstreams;
        for (const Upstream &u : r.upstreams)
            upstreams.append(QJsonObject{{QStringLiteral("DestinationType"), QStringLiteral("service")},
                                         {QStringLiteral("DestinationName"), u.destination},
                                         {QStringLiteral("LocalBindAddress"), u.bindAddress},
                                         {QStringLiteral("LocalBindPort"), u.bindPort}});
        sidecar.proxy = QJsonObject{{QStringLiteral("DestinationServiceName"), r.service},
                                    {QStringLiteral("DestinationServiceID"), parent.id},
                                    {QStringLiteral("LocalServiceAddress"), parent.address},
                                    {QStringLiteral("LocalServicePort"), r.appPort},
                                    {QStringLiteral("Upstreams"), upstreams}};
        sidecar.sidecarOf = parent.id;
        sidecar.labAllocId = r.allocId;
        sidecar.createIndex = sidecar.modifyIndex = index;
        m_services.append(sidecar);

        Check listening;
        listening.node = r.node;
        listening.checkId = QStringLiteral("service:%1:1").arg(sidecar.id);
        listening.name = QStringLiteral("Connect Sidecar Listening");
        listening.serviceId = sidecar.id;
        listening.serviceName = sidecar.name;
        listening.type = QStringLiteral("tcp");
        // The runner registers once its inbound listener listens.
        listening.status = kPassing;
        listening.output = QStringLiteral("TCP connect %1:%2: Success").arg(sidecar.address).arg(sidecar.port);
        listening.definition
            = QJsonObject{{QStringLiteral("TCP"), QStringLiteral("%1:%2").arg(sidecar.address).arg(sidecar.port)},
                          {QStringLiteral("Interval"), QStringLiteral("10s")}};
        listening.labAllocId = r.allocId;
        listening.createIndex = listening.modifyIndex = index;
        m_checks.append(listening);

        Check alias;
        alias.node = r.node;
        alias.checkId = QStringLiteral("service:%1:2").arg(sidecar.id);
        alias.name = QStringLiteral("Connect Sidecar Aliasing %1").arg(parent.id);
        alias.serviceId = sidecar.id;
        alias.serviceName = sidecar.name;
        alias.type = QStringLiteral("alias");
        alias.aliasService = parent.id;
        alias.labAllocId = r.allocId;
        alias.createIndex = alias.modifyIndex = index;
        m_checks.append(alias);
    }
    bump(Table::Services);
}

void ConsulState::deregister(const QString &allocId)
{
    const qsizetype before = m_services.size();
    m_services.removeIf([&](const Service &s) { return s.labAllocId == allocId; });
    m_checks.removeIf([&](const Check &c) { return c.labAllocId == allocId; });
    if (m_services.size() != before)
        bump(Table::Services);
}

void ConsulState::setHealthy(const QString &allocId, bool healthy, const QString &output)
{
    bool changed = false;
    for (Check &check : m_checks) {
        if (check.labAllocId != allocId || check.type == u"alias" || check.name.startsWith(u"Connect Sidecar"))
            continue;
        const bool newOutput = !output.isEmpty() && check.output != output;
        if (check.status != statusWord(healthy) || newOutput) {
            check.status = statusWord(healthy);
            if (newOutput)
                check.output = output;
            check.modifyIndex = m_index + 1;
            changed = true;
        }
    }
    if (changed)
        bump(Table::Services);
}

} // namespace mesh::lab
