#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

// The parts of Consul's responses that deploy and the sidecar read, with
// Consul's JSON names (hashicorp/consul: api/agent.go, api/health.go,
// api/catalog.go, api/connect_ca.go). Each fromJson() fails (Parse) when
// the value is not the JSON type the Go client decodes it into; missing
// keys are zero, unknown keys ignored — as encoding/json does.
namespace mesh::consul {

struct Upstream
{
    QString destinationType; // "service" (or empty) / "prepared_query"
    QString destinationName;
    QString datacenter;
    QString localBindAddress;
    int localBindPort = 0;
    QJsonObject config;

    static Result<Upstream> fromJson(const QJsonValue &json);
};

struct ProxyConfig
{
    QString destinationServiceName;
    QString destinationServiceID;
    QString localServiceAddress;
    int localServicePort = 0;
    QJsonObject config;
    QList<Upstream> upstreams;

    static Result<ProxyConfig> fromJson(const QJsonValue &json);
};

struct AgentService
{
    QString kind; // "" for a typical service, "connect-proxy" for a sidecar
    QString id;
    QString service;
    QStringList tags;
    QMap<QString, QString> meta;
    QString address;
    int port = 0;
    std::optional<ProxyConfig> proxy; // "Proxy", for connect-proxy services
    bool connectNative = false;       // Connect.Native
    QString contentHash;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;
    QJsonObject raw; // the whole object as received

    static Result<AgentService> fromJson(const QJsonValue &json);
};

struct NodeInfo
{
    QString id;
    QString node;
    QString address;
    QString datacenter;

    static Result<NodeInfo> fromJson(const QJsonValue &json);
};

struct HealthCheck
{
    QString node;
    QString checkID;
    QString name;
    QString status; // "passing", "warning", "critical", "maintenance"
    QString output;
    QString serviceID;
    QString serviceName;

    static Result<HealthCheck> fromJson(const QJsonValue &json);
};

// One element of /v1/health/service/:name and /v1/health/connect/:name.
struct ServiceEntry
{
    NodeInfo node;
    AgentService service;
    QList<HealthCheck> checks;

    // "critical" if any check is, else "warning" if any is, else "passing"
    // (the aggregate Consul's api.HealthChecks.AggregatedStatus computes;
    // maintenance counts as critical there).
    QString aggregatedStatus() const;

    static Result<ServiceEntry> fromJson(const QJsonValue &json);
};

struct CARoot
{
    QString id;
    QString name;
    QString rootCertPem;              // JSON "RootCert"
    QStringList intermediateCertPems; // JSON "IntermediateCerts" (agent/structs; absent from api.CARoot)
    bool active = false;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;

    static Result<CARoot> fromJson(const QJsonValue &json);
};

struct CARoots
{
    QString activeRootID;
    QString trustDomain;
    QList<CARoot> roots;

    const CARoot *activeRoot() const;
    static Result<CARoots> fromJson(const QJsonValue &json);
};

struct LeafCert
{
    QString serialNumber; // colon hex
    QString certPem;
    QString privateKeyPem;
    QString service;
    QString serviceURI;
    QDateTime validAfter;
    QDateTime validBefore;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;

    static Result<LeafCert> fromJson(const QJsonValue &json);
};

struct Authorize
{
    bool authorized = false;
    QString reason;

    static Result<Authorize> fromJson(const QJsonValue &json);
};

} // namespace mesh::consul
