#include "consulclient.h"

#include "api/apiclient.h"
#include "api/jsonfields.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace mesh::consul {

using api::ApiRequest;
using api::ApiResponse;
using api::Indexed;
using api::QueryOptions;

ConsulClient::ConsulClient(api::ApiEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_api(new api::ApiClient(std::move(endpoint), this))
{
}

ConsulClient::~ConsulClient() = default;

QCoro::Task<Result<QString>> ConsulClient::leader(QueryOptions options)
{
    co_return co_await m_api->fetch<QString>(ApiRequest::get(u"/v1/status/leader"_s), std::move(options),
                                             api::stringFrom);
}

QCoro::Task<Result<QJsonObject>> ConsulClient::agentSelf(QueryOptions options)
{
    co_return co_await m_api->fetch<QJsonObject>(ApiRequest::get(u"/v1/agent/self"_s), std::move(options),
                                                 api::objectFrom);
}

Result<AgentMember> AgentMember::fromJson(const QJsonValue &json)
{
    if (!json.isObject())
        return fail(Error::Code::Parse, u"expected a member object"_s);
    const QJsonObject o = json.toObject();
    const QJsonValue tags = o.value(u"Tags"_s);
    if (!tags.isObject() && !tags.isNull() && !tags.isUndefined())
        return fail(Error::Code::Parse, u"Tags: expected an object"_s);
    AgentMember member;
    member.name = o.value(u"Name"_s).toString();
    member.addr = o.value(u"Addr"_s).toString();
    member.port = o.value(u"Port"_s).toInt();
    member.status = o.value(u"Status"_s).toInt();
    const QJsonObject t = tags.toObject();
    for (auto it = t.begin(); it != t.end(); ++it)
        member.tags.insert(it.key(), it.value().toString());
    return member;
}

QCoro::Task<Result<QList<AgentMember>>> ConsulClient::members(QueryOptions options)
{
    co_return co_await m_api->fetch<QList<AgentMember>>(ApiRequest::get(u"/v1/agent/members"_s), std::move(options),
                                                        api::listFrom<AgentMember>);
}

QCoro::Task<Result<>> ConsulClient::registerService(QJsonObject registration, bool replaceExistingChecks,
                                                    QueryOptions options)
{
    ApiRequest request = ApiRequest::withBody("PUT", u"/v1/agent/service/register"_s, api::compactJson(registration));
    if (replaceExistingChecks)
        request.query.addQueryItem(u"replace-existing-checks"_s, u"true"_s);
    request.cancelToken = options.cancel;
    auto r = co_await m_api->request(request);
    if (!r)
        co_return std::unexpected(r.error());
    co_return Result<>{};
}

QCoro::Task<Result<>> ConsulClient::deregisterService(QString serviceId, QueryOptions options)
{
    ApiRequest request;
    request.method = "PUT";
    request.path = u"/v1/agent/service/deregister/"_s + ApiRequest::segment(serviceId);
    request.cancelToken = options.cancel;
    auto r = co_await m_api->request(request);
    if (!r)
        co_return std::unexpected(r.error());
    co_return Result<>{};
}

QCoro::Task<Result<Indexed<QMap<QString, AgentService>>>> ConsulClient::agentServices(QueryOptions options)
{
    co_return co_await m_api->query<QMap<QString, AgentService>>(
        ApiRequest::get(u"/v1/agent/services"_s), std::move(options),
        [](const QJsonValue &json) -> Result<QMap<QString, AgentService>> {
            if (!json.isObject())
                return fail(Error::Code::Parse, u"expected an object of services"_s);
            QMap<QString, AgentService> out;
            const QJsonObject o = json.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                auto s = AgentService::fromJson(it.value());
                if (!s) {
                    Error e = s.error();
                    e.message = it.key() + u"."_s + e.message;
                    return std::unexpected(e);
                }
                out.insert(it.key(), std::move(*s));
            }
            return out;
        });
}

ApiRequest ConsulClient::agentServiceRequest(const QString &serviceId)
{
    return ApiRequest::get(u"/v1/agent/service/"_s + ApiRequest::segment(serviceId));
}

QCoro::Task<Result<Indexed<AgentService>>> ConsulClient::agentService(QString serviceId, QueryOptions options)
{
    co_return co_await m_api->query<AgentService>(agentServiceRequest(serviceId), std::move(options),
                                                  AgentService::fromJson);
}

QCoro::Task<Result<Indexed<QMap<QString, QStringList>>>> ConsulClient::catalogServices(QueryOptions options)
{
    co_return co_await m_api->query<QMap<QString, QStringList>>(
        ApiRequest::get(u"/v1/catalog/services"_s), std::move(options),
        [](const QJsonValue &json) -> Result<QMap<QString, QStringList>> {
            if (!json.isObject())
                return fail(Error::Code::Parse, u"expected an object of service names"_s);
            QMap<QString, QStringList> out;
            const QJsonObject o = json.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                QStringList tags;
                if (!it.value().isArray() && !it.value().isNull())
                    return fail(Error::Code::Parse, it.key() + u": expected an array of tags"_s);
                for (const QJsonValue &t : it.value().toArray())
                    tags << t.toString();
                out.insert(it.key(), tags);
            }
            return out;
        });
}

ApiRequest ConsulClient::healthConnectRequest(const QString &service, bool passingOnly)
{
    ApiRequest request = ApiRequest::get(u"/v1/health/connect/"_s + ApiRequest::segment(service));
    if (passingOnly)
        request.query.addQueryItem(u"passing"_s, u"true"_s);
    return request;
}

QCoro::Task<Result<Indexed<QList<ServiceEntry>>>> ConsulClient::healthService(QString service, bool passingOnly,
                                                                              QueryOptions options)
{
    ApiRequest request = ApiRequest::get(u"/v1/health/service/"_s + ApiRequest::segment(service));
    if (passingOnly)
        request.query.addQueryItem(u"passing"_s, u"true"_s);
    co_return co_await m_api->query<QList<ServiceEntry>>(request, std::move(options), api::listFrom<ServiceEntry>);
}

QCoro::Task<Result<Indexed<QList<ServiceEntry>>>> ConsulClient::healthConnect(QString service, bool passingOnly,
                                                                              QueryOptions options)
{
    co_return co_await m_api->query<QList<ServiceEntry>>(healthConnectRequest(service, passingOnly), std::move(options),
                                                         api::listFrom<ServiceEntry>);
}

ApiRequest ConsulClient::caRootsRequest()
{
    return ApiRequest::get(u"/v1/agent/connect/ca/roots"_s);
}

ApiRequest ConsulClient::leafCertRequest(const QString &service)
{
    return ApiRequest::get(u"/v1/agent/connect/ca/leaf/"_s + ApiRequest::segment(service));
}

QCoro::Task<Result<Indexed<CARoots>>> ConsulClient::caRoots(QueryOptions options)
{
    co_return co_await m_api->query<CARoots>(caRootsRequest(), std::move(options), CARoots::fromJson);
}

QCoro::Task<Result<Indexed<LeafCert>>> ConsulClient::leafCert(QString service, QueryOptions options)
{
    co_return co_await m_api->query<LeafCert>(leafCertRequest(service), std::move(options), LeafCert::fromJson);
}

QCoro::Task<Result<Authorize>> ConsulClient::authorize(QString target, QString clientCertUri, QString clientCertSerial,
                                                       QueryOptions options)
{
    const QJsonObject body{
        {u"Target"_s, target}, {u"ClientCertURI"_s, clientCertUri}, {u"ClientCertSerial"_s, clientCertSerial}};
    ApiRequest request = ApiRequest::withBody("POST", u"/v1/agent/connect/authorize"_s, api::compactJson(body));
    request.retryable = true;
    co_return co_await m_api->fetch<Authorize>(request, std::move(options), Authorize::fromJson);
}

QCoro::Task<Result<bool>> ConsulClient::writeBool(ApiRequest request)
{
    auto response = co_await m_api->request(request);
    if (!response)
        co_return std::unexpected(response.error());
    if (response->body.trimmed().isEmpty())
        co_return true;
    auto json = m_api->parseJson(request, *response);
    if (!json)
        co_return std::unexpected(json.error());
    if (!json->isBool()) {
        co_return fail(Error::Code::Parse, m_api->endpoint().product + u" answered "_s + request.describe()
                                               + u" with "_s + QString::fromUtf8(response->body.left(200))
                                               + u" instead of true or false"_s);
    }
    co_return json->toBool();
}

QCoro::Task<Result<bool>> ConsulClient::putConfigEntry(QJsonObject entry, std::optional<quint64> cas,
                                                       QueryOptions options)
{
    ApiRequest request = ApiRequest::withBody("PUT", u"/v1/config"_s, api::compactJson(entry));
    if (cas)
        request.query.addQueryItem(u"cas"_s, QString::number(*cas));
    request.cancelToken = options.cancel;
    co_return co_await writeBool(request);
}

QCoro::Task<Result<Indexed<QJsonObject>>> ConsulClient::configEntry(QString kind, QString name, QueryOptions options)
{
    co_return co_await m_api->query<QJsonObject>(
        ApiRequest::get(u"/v1/config/"_s + ApiRequest::segment(kind) + u'/' + ApiRequest::segment(name)),
        std::move(options), api::objectFrom);
}

QCoro::Task<Result<Indexed<QList<QJsonObject>>>> ConsulClient::configEntries(QString kind, QueryOptions options)
{
    co_return co_await m_api->query<QList<QJsonObject>>(
        ApiRequest::get(u"/v1/config/"_s + ApiRequest::segment(kind)), std::move(options),
        [](const QJsonValue &json) -> Result<QList<QJsonObject>> {
            if (json.isNull())
                return QList<QJsonObject>{};
            if (!json.isArray())
                return fail(Error::Code::Parse, u"expected an array of config entries"_s);
            QList<QJsonObject> out;
            for (const QJsonValue &v : json.toArray()) {
                if (!v.isObject())
                    return fail(Error::Code::Parse, u"expected config entries to be objects"_s);
                out << v.toObject();
            }
            return out;
        });
}

QCoro::Task<Result<bool>> ConsulClient::deleteConfigEntry(QString kind, QString name, std::optional<quint64> cas,
                                                          QueryOptions options)
{
    ApiRequest request;
    request.method = "DELETE";
    request.path = u"/v1/config/"_s + ApiRequest::segment(kind) + u'/' + ApiRequest::segment(name);
    if (cas)
        request.query.addQueryItem(u"cas"_s, QString::number(*cas));
    request.cancelToken = options.cancel;
    co_return co_await writeBool(request);
}

Result<CARoots> ConsulClient::decodeCaRoots(const ApiResponse &response) const
{
    return m_api->decodeJson<CARoots>(caRootsRequest(), response, CARoots::fromJson);
}

Result<LeafCert> ConsulClient::decodeLeafCert(const ApiResponse &response) const
{
    return m_api->decodeJson<LeafCert>(ApiRequest::get(u"/v1/agent/connect/ca/leaf"_s), response, LeafCert::fromJson);
}

Result<AgentService> ConsulClient::decodeAgentService(const ApiResponse &response) const
{
    return m_api->decodeJson<AgentService>(ApiRequest::get(u"/v1/agent/service"_s), response, AgentService::fromJson);
}

Result<QList<ServiceEntry>> ConsulClient::decodeServiceEntries(const ApiResponse &response) const
{
    return m_api->decodeJson<QList<ServiceEntry>>(ApiRequest::get(u"/v1/health/connect"_s), response,
                                                  api::listFrom<ServiceEntry>);
}

} // namespace mesh::consul
