#pragma once

#include "api/apiendpoint.h"
#include "api/apirequest.h"
#include "api/apiresponse.h"
#include "api/queryoptions.h"
#include "consul/consultypes.h"
#include "core/result.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <QCoro/QCoroTask>

#include <optional>

namespace mesh::api {
class ApiClient;
}

namespace mesh::consul {

// One member of the agent's LAN gossip pool (hashicorp/consul: api/agent.go
// AgentMember). status is serf's MemberStatus: 0 none, 1 alive, 2 leaving,
// 3 left, 4 failed.
struct AgentMember
{
    QString name;
    QString addr;
    int port = 0;
    QMap<QString, QString> tags; // role ("consul" for servers, "node"), dc, …
    int status = 0;

    static Result<AgentMember> fromJson(const QJsonValue &json);
};

// The Consul HTTP API calls deploy and the sidecar make
// (https://developer.hashicorp.com/consul/api-docs), as coroutines over an
// owned api::ApiClient: errors are ApiClient's (a person's words, with the
// HTTP status); a body that does not decode is Parse: "Consul answered GET
// /v1/… with JSON …". Reads take QueryOptions (blocking with index/hash +
// wait, cancel token) and return Indexed<T> with the response's index.
// Writes are never retried. Lives on its creator's thread.
class ConsulClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsulClient)

public:
    explicit ConsulClient(api::ApiEndpoint endpoint, QObject *parent = nullptr);
    ~ConsulClient() override;

    api::ApiClient *api() const { return m_api; }

    // GET /v1/status/leader: "IP:port" of the Raft leader ("" when none).
    QCoro::Task<Result<QString>> leader(api::QueryOptions options = {});
    // GET /v1/agent/self: Config, DebugConfig, Member, Meta… as received.
    QCoro::Task<Result<QJsonObject>> agentSelf(api::QueryOptions options = {});
    // GET /v1/agent/members: the LAN members this agent knows.
    QCoro::Task<Result<QList<AgentMember>>> members(api::QueryOptions options = {});

    // PUT /v1/agent/service/register with `registration` as the body,
    // unchanged (an AgentServiceRegistration, see consul.json).
    QCoro::Task<Result<>> registerService(QJsonObject registration, bool replaceExistingChecks = false,
                                          api::QueryOptions options = {});
    // PUT /v1/agent/service/deregister/:id
    QCoro::Task<Result<>> deregisterService(QString serviceId, api::QueryOptions options = {});

    // GET /v1/agent/services: service ID → service.
    QCoro::Task<Result<api::Indexed<QMap<QString, AgentService>>>> agentServices(api::QueryOptions options = {});
    // GET /v1/agent/service/:id — hash-based blocking: pass the previous
    // contentHash as options.hash.
    QCoro::Task<Result<api::Indexed<AgentService>>> agentService(QString serviceId, api::QueryOptions options = {});
    // GET /v1/catalog/services: service name → tags.
    QCoro::Task<Result<api::Indexed<QMap<QString, QStringList>>>> catalogServices(api::QueryOptions options = {});
    // GET /v1/health/service/:service[?passing]
    QCoro::Task<Result<api::Indexed<QList<ServiceEntry>>>> healthService(QString service, bool passingOnly = false,
                                                                         api::QueryOptions options = {});
    // GET /v1/health/connect/:service[?passing]: the Connect-capable
    // instances (sidecars, native services) of `service`.
    QCoro::Task<Result<api::Indexed<QList<ServiceEntry>>>> healthConnect(QString service, bool passingOnly = false,
                                                                         api::QueryOptions options = {});

    // GET /v1/agent/connect/ca/roots
    QCoro::Task<Result<api::Indexed<CARoots>>> caRoots(api::QueryOptions options = {});
    // GET /v1/agent/connect/ca/leaf/:service
    QCoro::Task<Result<api::Indexed<LeafCert>>> leafCert(QString service, api::QueryOptions options = {});
    // POST /v1/agent/connect/authorize {"Target", "ClientCertURI",
    // "ClientCertSerial"}. Retried like a read: it changes nothing.
    QCoro::Task<Result<Authorize>> authorize(QString target, QString clientCertUri, QString clientCertSerial,
                                             api::QueryOptions options = {});

    // PUT /v1/config[?cas=N] with `entry` (carrying Kind and Name) as the
    // body. true: written; false: the check-and-set index did not match.
    QCoro::Task<Result<bool>> putConfigEntry(QJsonObject entry, std::optional<quint64> cas = std::nullopt,
                                             api::QueryOptions options = {});
    // GET /v1/config/:kind/:name (NotFound when there is none).
    QCoro::Task<Result<api::Indexed<QJsonObject>>> configEntry(QString kind, QString name,
                                                               api::QueryOptions options = {});
    // GET /v1/config/:kind
    QCoro::Task<Result<api::Indexed<QList<QJsonObject>>>> configEntries(QString kind, api::QueryOptions options = {});
    // DELETE /v1/config/:kind/:name[?cas=N]. true: deleted (or an older
    // Consul that answers an empty body); false: the cas did not match.
    QCoro::Task<Result<bool>> deleteConfigEntry(QString kind, QString name, std::optional<quint64> cas = std::nullopt,
                                                api::QueryOptions options = {});

    // Requests for api::BlockingWatch on the endpoints the sidecar follows;
    // decode what changed() delivers with the matching decode…().
    static api::ApiRequest caRootsRequest();
    static api::ApiRequest leafCertRequest(const QString &service);
    static api::ApiRequest agentServiceRequest(const QString &serviceId); // BlockingWatch::Mode::Hash
    static api::ApiRequest healthConnectRequest(const QString &service, bool passingOnly);
    Result<CARoots> decodeCaRoots(const api::ApiResponse &response) const;
    Result<LeafCert> decodeLeafCert(const api::ApiResponse &response) const;
    Result<AgentService> decodeAgentService(const api::ApiResponse &response) const;
    Result<QList<ServiceEntry>> decodeServiceEntries(const api::ApiResponse &response) const;

private:
    QCoro::Task<Result<bool>> writeBool(api::ApiRequest request);

    api::ApiClient *m_api; // child
};

} // namespace mesh::consul
