#pragma once

#include "core/result.h"
#include "model/topology.h"
#include "proxy/authorizer.h"
#include "proxy/resolver.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace mesh::lab {

class HealthChecker;

// The lab's Consul: what the three agents and their servers hold, on the lab's
// network thread (never touched from another thread).
//
// - One Raft-like index that only grows, and per table the index of its last
//   change (X-Consul-Index of the endpoints that read it); onChanged() fires
//   after every change so blocking queries can answer.
// - Agent registrations per node: a service registered at node two's agent is
//   listed by node two's /v1/agent/services; the catalog and health views are
//   cluster-wide. Checks with a status; every node has its "serfHealth" check,
//   critical while the node is down (its services then fail health queries,
//   as Consul's do until the node is reaped).
// - The allocations the lab runs register as Nomad registers them
//   (hashicorp/nomad: command/agent/consul/service_client.go).
// - service-intentions config entries; authorize() evaluates them by
//   precedence as Consul's /v1/agent/connect/authorize does
//   (hashicorp/consul: agent/connect_auth.go).
// - The lab's own sidecars ask it through proxy::Resolver / proxy::Authorizer,
//   so what the HTTP API writes applies to the next connection.
class ConsulState final : public proxy::Resolver, public proxy::Authorizer
{
public:
    enum class Table { Services, ConfigEntries, Roots, Leaves };

    struct NodeInfo final
    {
        QString name;
        QHostAddress address;
        QString id; // a UUID, as Consul's node IDs
        bool up = true;
    };

    struct Check final
    {
        QString node;
        QString checkId;
        QString name;
        QString status = QStringLiteral("critical"); // passing | warning | critical
        QString notes;
        QString output;
        QString serviceId; // empty: a node check
        QString serviceName;
        QString type;           // tcp, http, alias, ttl, "" (serf)
        QString aliasService;   // alias checks: the service ID whose health this mirrors
        QJsonObject definition; // HealthCheckDefinition as served (Interval, Timeout, TCP, HTTP)
        QString labAllocId;     // checks the lab runs for an allocation
        quint64 createIndex = 0;
        quint64 modifyIndex = 0;
    };

    struct Service final
    {
        QString node;
        QString id;
        QString name;
        QString kind; // "" or "connect-proxy"
        QStringList tags;
        QString address;
        int port = 0;
        QJsonObject meta;
        QJsonObject taggedAddresses;
        QJsonObject weights{{QStringLiteral("Passing"), 1}, {QStringLiteral("Warning"), 1}};
        bool enableTagOverride = false;
        QJsonObject proxy; // AgentServiceConnectProxyConfig, CamelCase keys
        bool connectNative = false;
        QString sidecarOf;  // the parent's ID when registered through Connect.SidecarService
        QString labAllocId; // registered by the lab for this allocation
        quint64 createIndex = 0;
        quint64 modifyIndex = 0;
    };

    struct Upstream final
    {
        QString destination;
        QString bindAddress;
        int bindPort = 0;
    };

    // An allocation of the lab, as Nomad registers it. The first seven fields
    // are what the sidecars need; the rest shapes the Consul registration.
    struct Registration final
    {
        QString allocId;
        QString service;
        QString node;
        QHostAddress address; // where the sidecar listens (the node's address)
        quint16 port = 0;     // the sidecar's public port; 0 without sidecar
        bool healthy = false;
        bool nodeUp = true;
        QString group;
        QString portLabel;       // the service's port as written ("9001" or a label)
        QHostAddress appAddress; // where the task listens (the allocation's address)
        int appPort = 0;
        QStringList tags;
        QList<Upstream> upstreams;
    };

    ConsulState();
    ~ConsulState() override;
    ConsulState(ConsulState &&) noexcept;
    ConsulState &operator=(ConsulState &&) noexcept;

    // --- identity and nodes
    void setIdentity(const QString &trustDomain, const QString &datacenter);
    QString trustDomain() const { return m_trustDomain; }
    QString datacenter() const { return m_datacenter; }
    void setNodes(const QList<NodeInfo> &nodes);
    const QList<NodeInfo> &nodes() const { return m_nodes; }
    const NodeInfo *node(const QString &name) const;
    void setNodeUp(const QString &node, bool up);

    // --- indexes and change notification
    quint64 index() const { return m_index; }
    quint64 tableIndex(Table table) const;
    // Moves the table's index on (e.g. a new leaf or root) and notifies.
    void touch(Table table);
    void setOnChanged(std::function<void(Table)> callback) { m_onChanged = std::move(callback); }

    // --- the design's intentions
    // One service-intentions entry per destination, as ConsulGenerator
    // writes them, and the design's default policy for unmatched sources.
    void setIntentions(const model::Topology &topology);
    // A drill: `source → destination` now allows or denies (rewrites the entry).
    void setIntention(const QString &source, const QString &destination, model::IntentionAction action);
    bool isAllowed(const QString &source, const QString &destination) const;

    // --- the lab's allocations (Nomad's registrations)
    void registerInstance(const Registration &registration);
    void deregister(const QString &allocId);
    // `output`: what the check saw, as Consul records it (empty: keep).
    void setHealthy(const QString &allocId, bool healthy, const QString &output = {});

    // --- the agent API
    // `body` is the registration in canonical (CamelCase) keys. The error
    // message is the agent's 400 text.
    Result<> registerService(const QString &node, const QJsonObject &body, bool replaceExistingChecks);
    // False when `serviceId` is not registered at `node`'s agent.
    bool deregisterService(const QString &node, const QString &serviceId);
    QList<const Service *> agentServices(const QString &node) const;
    const Service *agentService(const QString &node, const QString &serviceId) const;
    QList<const Check *> agentChecks(const QString &node) const;

    // --- catalog and health
    QList<const Service *> services() const; // every node, registration order
    // Checks of `service` plus its node's checks, with alias checks resolved.
    QList<Check> healthChecks(const Service &service) const;
    QString checkStatus(const Check &check) const; // alias checks resolved
    bool isPassing(const Service &service) const;
    // Connect-capable entries for `service`: its proxies and native instances.
    QList<const Service *> connectEntries(const QString &service) const;

    // --- config entries
    // Null when absent.
    QJsonObject configEntry(const QString &kind, const QString &name) const;
    QList<QJsonObject> configEntries(const QString &kind) const;
    // Writes `entry` (canonical keys; Kind and Name checked by the caller).
    // With cas: only when the stored ModifyIndex equals *cas (0: absent).
    bool writeConfigEntry(const QJsonObject &entry, std::optional<quint64> cas = std::nullopt);
    bool deleteConfigEntry(const QString &kind, const QString &name, std::optional<quint64> cas = std::nullopt);

    // --- what the sidecars ask
    QList<proxy::Instance> resolve(const QString &service) const override;
    proxy::Authorization authorize(const pki::SpiffeId &source, const QString &destination) const override;
    // Without a design Consul's own default applies: allow (ACLs disabled).
    void setDefaultAllow(bool allow) { m_defaultAllow = allow; }
    bool defaultAllow() const { return m_defaultAllow; }

private:
    void bump(Table table);
    void ensureNode(const QString &name, const QHostAddress &address, bool up);
    void removeService(const QString &node, const QString &id);
    void removeChecksOf(const QString &node, const QString &serviceId);
    int takeSidecarPort(const QString &node) const;
    Check makeCheck(const QString &node, const Service &service, const QJsonObject &definition, int ordinal,
                    int count) const;
    void startCheck(const Check &check);
    void stopCheck(const QString &node, const QString &checkId);
    Check *findCheck(const QString &node, const QString &checkId);

    QString m_trustDomain;
    QString m_datacenter;
    bool m_defaultAllow = true;
    quint64 m_index = 1;
    QHash<int, quint64> m_tableIndex;
    std::function<void(Table)> m_onChanged;
    QList<NodeInfo> m_nodes;
    QList<Service> m_services;
    QList<Check> m_checks;
    // kind → name → entry (with CreateIndex/ModifyIndex)
    QHash<QString, QMap<QString, QJsonObject>> m_configEntries;
    // Checks of API registrations that the lab runs (TCP/HTTP), by node + '/' + check ID.
    QHash<QString, std::shared_ptr<HealthChecker>> m_checkers;
};

} // namespace mesh::lab
