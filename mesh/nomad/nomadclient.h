#pragma once

#include "api/apiendpoint.h"
#include "api/apirequest.h"
#include "api/queryoptions.h"
#include "core/result.h"
#include "nomad/nomadtypes.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <QCoro/QCoroTask>

#include <optional>

namespace mesh::api {
class ApiClient;
}

namespace mesh::nomad {

// The Nomad HTTP API calls deploy makes
// (https://developer.hashicorp.com/nomad/api-docs), as coroutines over an
// owned api::ApiClient; same error and blocking conventions as
// consul::ConsulClient (Nomad clamps ?wait= to 300 s). Lives on its
// creator's thread.
class NomadClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NomadClient)

public:
    explicit NomadClient(api::ApiEndpoint endpoint, QObject *parent = nullptr);
    ~NomadClient() override;

    api::ApiClient *api() const { return m_api; }

    QCoro::Task<Result<QString>> leader(api::QueryOptions options = {});                 // GET /v1/status/leader
    QCoro::Task<Result<QJsonObject>> agentSelf(api::QueryOptions options = {});          // GET /v1/agent/self
    QCoro::Task<Result<api::Indexed<QJsonArray>>> nodes(api::QueryOptions options = {}); // GET /v1/nodes
    // GET /v1/jobs[?prefix=]: JobListStub objects.
    QCoro::Task<Result<api::Indexed<QJsonArray>>> jobs(QString prefix = {}, api::QueryOptions options = {});
    // POST /v1/jobs {"Job": job, "EnforceIndex", "JobModifyIndex", "Submission"}.
    QCoro::Task<Result<JobRegisterResponse>> registerJob(QJsonObject job, JobRegisterOptions registerOptions = {},
                                                         api::QueryOptions options = {});
    // GET /v1/job/:id (NotFound when there is none).
    QCoro::Task<Result<api::Indexed<QJsonObject>>> job(QString jobId, api::QueryOptions options = {});
    // DELETE /v1/job/:id[?purge=true]: EvalID, JobModifyIndex…
    QCoro::Task<Result<QJsonObject>> deregisterJob(QString jobId, bool purge = false, api::QueryOptions options = {});
    // POST /v1/job/:id/plan {"Job": job, "Diff": diff}: JobPlanResponse as received.
    QCoro::Task<Result<QJsonObject>> planJob(QJsonObject job, bool diff = true, api::QueryOptions options = {});
    QCoro::Task<Result<api::Indexed<QList<AllocationListStub>>>> jobAllocations(QString jobId,
                                                                                api::QueryOptions options = {});
    QCoro::Task<Result<api::Indexed<QList<Evaluation>>>> jobEvaluations(QString jobId, api::QueryOptions options = {});
    // GET /v1/job/:id/deployment: the latest deployment; nullopt when Nomad
    // answers null (no deployment yet).
    QCoro::Task<Result<api::Indexed<std::optional<Deployment>>>> jobDeployment(QString jobId,
                                                                               api::QueryOptions options = {});
    QCoro::Task<Result<api::Indexed<Deployment>>> deployment(QString deploymentId, api::QueryOptions options = {});
    QCoro::Task<Result<api::Indexed<QList<AllocationListStub>>>> deploymentAllocations(QString deploymentId,
                                                                                       api::QueryOptions options = {});
    QCoro::Task<Result<api::Indexed<QList<AllocationListStub>>>> allocations(api::QueryOptions options = {});
    QCoro::Task<Result<api::Indexed<QJsonObject>>> allocation(QString allocationId, api::QueryOptions options = {});
    QCoro::Task<Result<api::Indexed<Evaluation>>> evaluation(QString evaluationId, api::QueryOptions options = {});

    // The body registerJob() sends (for schema checks and dry runs).
    static QJsonObject registerBody(const QJsonObject &job, const JobRegisterOptions &options);

private:
    api::ApiClient *m_api; // child
};

} // namespace mesh::nomad
