#include "nomadclient.h"

#include "api/apiclient.h"
#include "api/jsonfields.h"

using namespace Qt::StringLiterals;

namespace mesh::nomad {

using api::ApiRequest;
using api::Indexed;
using api::QueryOptions;

namespace {

Result<QJsonArray> arrayFrom(const QJsonValue &json)
{
    if (json.isNull())
        return QJsonArray();
    if (!json.isArray())
        return fail(Error::Code::Parse, u"expected an array"_s);
    return json.toArray();
}

// The cancel token of `options` alone (a write or a plan is never a
// blocking query). A named value, not a braced temporary inside co_await:
// GCC 12 destroys such temporaries twice, and a live QPointer's count then
// underflows.
QueryOptions cancelOnly(const QueryOptions &options)
{
    QueryOptions out;
    out.cancel = options.cancel;
    return out;
}

QString jobPath(const QString &id)
{
    return u"/v1/job/"_s + ApiRequest::segment(id);
}

} // namespace

NomadClient::NomadClient(api::ApiEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_api(new api::ApiClient(std::move(endpoint), this))
{
}

NomadClient::~NomadClient() = default;

QCoro::Task<Result<QString>> NomadClient::leader(QueryOptions options)
{
    co_return co_await m_api->fetch<QString>(ApiRequest::get(u"/v1/status/leader"_s), std::move(options),
                                             api::stringFrom);
}

QCoro::Task<Result<QJsonObject>> NomadClient::agentSelf(QueryOptions options)
{
    co_return co_await m_api->fetch<QJsonObject>(ApiRequest::get(u"/v1/agent/self"_s), std::move(options),
                                                 api::objectFrom);
}

QCoro::Task<Result<Indexed<QJsonArray>>> NomadClient::nodes(QueryOptions options)
{
    co_return co_await m_api->query<QJsonArray>(ApiRequest::get(u"/v1/nodes"_s), std::move(options), arrayFrom);
}

QCoro::Task<Result<Indexed<QJsonArray>>> NomadClient::jobs(QString prefix, QueryOptions options)
{
    ApiRequest request = ApiRequest::get(u"/v1/jobs"_s);
    if (!prefix.isEmpty())
        request.query.addQueryItem(u"prefix"_s, QString::fromLatin1(QUrl::toPercentEncoding(prefix)));
    co_return co_await m_api->query<QJsonArray>(request, std::move(options), arrayFrom);
}

QJsonObject NomadClient::registerBody(const QJsonObject &job, const JobRegisterOptions &options)
{
    QJsonObject body{{u"Job"_s, job}};
    if (options.enforceIndex) {
        body.insert(u"EnforceIndex"_s, true);
        body.insert(u"JobModifyIndex"_s, qint64(options.jobModifyIndex));
    }
    if (!options.submission.isEmpty())
        body.insert(u"Submission"_s, options.submission);
    return body;
}

QCoro::Task<Result<JobRegisterResponse>> NomadClient::registerJob(QJsonObject job, JobRegisterOptions registerOptions,
                                                                  QueryOptions options)
{
    ApiRequest request
        = ApiRequest::withBody("POST", u"/v1/jobs"_s, api::compactJson(registerBody(job, registerOptions)));
    request.cancelToken = options.cancel;
    const QueryOptions plain = cancelOnly(options);
    co_return co_await m_api->fetch<JobRegisterResponse>(request, plain, JobRegisterResponse::fromJson);
}

QCoro::Task<Result<Indexed<QJsonObject>>> NomadClient::job(QString jobId, QueryOptions options)
{
    co_return co_await m_api->query<QJsonObject>(ApiRequest::get(jobPath(jobId)), std::move(options), api::objectFrom);
}

QCoro::Task<Result<QJsonObject>> NomadClient::deregisterJob(QString jobId, bool purge, QueryOptions options)
{
    ApiRequest request;
    request.method = "DELETE";
    request.path = jobPath(jobId);
    if (purge)
        request.query.addQueryItem(u"purge"_s, u"true"_s);
    const QueryOptions plain = cancelOnly(options);
    co_return co_await m_api->fetch<QJsonObject>(request, plain, api::objectFrom);
}

QCoro::Task<Result<QJsonObject>> NomadClient::planJob(QJsonObject job, bool diff, QueryOptions options)
{
    const QString id = job.value(u"ID"_s).toString();
    if (id.isEmpty())
        co_return fail(Error::Code::Invalid, u"cannot plan a job without an ID"_s);
    const QJsonObject body{{u"Job"_s, job}, {u"Diff"_s, diff}};
    ApiRequest request = ApiRequest::withBody("POST", jobPath(id) + u"/plan"_s, api::compactJson(body));
    // A plan changes nothing: safe to retry.
    request.retryable = true;
    const QueryOptions plain = cancelOnly(options);
    co_return co_await m_api->fetch<QJsonObject>(request, plain, api::objectFrom);
}

QCoro::Task<Result<Indexed<QList<AllocationListStub>>>> NomadClient::jobAllocations(QString jobId, QueryOptions options)
{
    co_return co_await m_api->query<QList<AllocationListStub>>(ApiRequest::get(jobPath(jobId) + u"/allocations"_s),
                                                               std::move(options), api::listFrom<AllocationListStub>);
}

QCoro::Task<Result<Indexed<QList<Evaluation>>>> NomadClient::jobEvaluations(QString jobId, QueryOptions options)
{
    co_return co_await m_api->query<QList<Evaluation>>(ApiRequest::get(jobPath(jobId) + u"/evaluations"_s),
                                                       std::move(options), api::listFrom<Evaluation>);
}

QCoro::Task<Result<Indexed<std::optional<Deployment>>>> NomadClient::jobDeployment(QString jobId, QueryOptions options)
{
    co_return co_await m_api->query<std::optional<Deployment>>(
        ApiRequest::get(jobPath(jobId) + u"/deployment"_s), std::move(options),
        [](const QJsonValue &json) -> Result<std::optional<Deployment>> {
            if (json.isNull())
                return std::optional<Deployment>{};
            auto d = Deployment::fromJson(json);
            if (!d)
                return std::unexpected(d.error());
            return std::optional<Deployment>(std::move(*d));
        });
}

QCoro::Task<Result<Indexed<Deployment>>> NomadClient::deployment(QString deploymentId, QueryOptions options)
{
    co_return co_await m_api->query<Deployment>(
        ApiRequest::get(u"/v1/deployment/"_s + ApiRequest::segment(deploymentId)), std::move(options),
        Deployment::fromJson);
}

QCoro::Task<Result<Indexed<QList<AllocationListStub>>>> NomadClient::deploymentAllocations(QString deploymentId,
                                                                                           QueryOptions options)
{
    co_return co_await m_api->query<QList<AllocationListStub>>(
        ApiRequest::get(u"/v1/deployment/allocations/"_s + ApiRequest::segment(deploymentId)), std::move(options),
        api::listFrom<AllocationListStub>);
}

QCoro::Task<Result<Indexed<QList<AllocationListStub>>>> NomadClient::allocations(QueryOptions options)
{
    co_return co_await m_api->query<QList<AllocationListStub>>(ApiRequest::get(u"/v1/allocations"_s),
                                                               std::move(options), api::listFrom<AllocationListStub>);
}

QCoro::Task<Result<Indexed<QJsonObject>>> NomadClient::allocation(QString allocationId, QueryOptions options)
{
    co_return co_await m_api->query<QJsonObject>(
        ApiRequest::get(u"/v1/allocation/"_s + ApiRequest::segment(allocationId)), std::move(options), api::objectFrom);
}

QCoro::Task<Result<Indexed<Evaluation>>> NomadClient::evaluation(QString evaluationId, QueryOptions options)
{
    co_return co_await m_api->query<Evaluation>(
        ApiRequest::get(u"/v1/evaluation/"_s + ApiRequest::segment(evaluationId)), std::move(options),
        Evaluation::fromJson);
}

} // namespace mesh::nomad
