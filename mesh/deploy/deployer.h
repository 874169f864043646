#pragma once

#include "api/queryoptions.h"
#include "core/result.h"
#include "deploy/deployevent.h"
#include "deploy/deployplan.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QString>
#include <QStringList>

#include <QCoro/QCoroTask>

#include <chrono>

namespace mesh::api {
class CancelToken;
}
namespace mesh::consul {
class ConsulClient;
}
namespace mesh::nomad {
class NomadClient;
}

namespace mesh::deploy {

struct ApplyOptions
{
    // How long watching may take in all, from the first write.
    std::chrono::milliseconds deadline{std::chrono::minutes(5)};
    // false: write and return (`deploy -detach`).
    bool watch = true;
};

struct DeployOutcome
{
    enum class Status { Succeeded, Failed, Detached };
    Status status = Status::Succeeded;
    QStringList failures; // one per failed job: "job: why"
    QStringList urls;     // where the entry points landed
};

// Applies a DeployPlan and watches it come up (or, for a teardown, go away),
// reporting each step as a DeployEvent:
// 1. nothing is written while anything the plan read has changed since: each
//    job's JobModifyIndex and each entry's ModifyIndex is read again first,
//    and a difference fails the apply with Conflict, naming it — nothing
//    half-applied. The writes themselves still enforce them (cas, and
//    EnforceIndex on POST /v1/jobs) for the instant in between;
// 2. intentions first (so a new arrow is allowed before its caller runs),
//    then jobs registered (with the jobspec as the Submission), then jobs
//    the design dropped stopped (purged in a teardown);
// 3. watching, all jobs at once, with blocking queries: the evaluation
//    (placement failures with Nomad's reasons), then the deployment per task
//    group until successful, failed or the deadline; a failure is explained
//    from what Nomad recorded: task events (Driver Failure, Terminated with
//    its exit code, Not Restarting) and critical Consul checks, naming the
//    allocation and task. Then the entry points' URLs from their
//    allocations' ports (the seed post's jq recipe). A teardown instead waits
//    until Consul no longer lists the jobs' services.
// detach() stops watching (Ctrl-C, Cancel): apply() returns Detached and
// the cluster goes on. The clients are not owned and, like this object, must
// outlive apply().
class Deployer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Deployer)

public:
    Deployer(consul::ConsulClient *consul, nomad::NomadClient *nomad, QObject *parent = nullptr);
    ~Deployer() override;

    QCoro::Task<Result<DeployOutcome>> apply(DeployPlan plan, ApplyOptions options = {});
    void detach();

Q_SIGNALS:
    void event(const mesh::deploy::DeployEvent &event);

private:
    struct JobOutcome
    {
        bool ok = true;
        bool detached = false;
        QString why;
    };

    QCoro::Task<Result<QStringList>> checkUnchanged(const DeployPlan &plan);
    QCoro::Task<Result<>> writeIntentions(const DeployPlan &plan);
    QCoro::Task<JobOutcome> watchJob(QString jobId, QString evalId, QDeadlineTimer deadline);
    QCoro::Task<JobOutcome> watchDeployment(QString jobId, QString deploymentId, QDeadlineTimer deadline);
    QCoro::Task<QString> explainFailure(QString jobId, QString deploymentId);
    QCoro::Task<QStringList> findEndpoints(const QList<Entrypoint> &entrypoints);
    QCoro::Task<JobOutcome> waitDeregistered(QString service, QDeadlineTimer deadline);
    // A blocking read from `index` that ends by the deadline (at most 30 s).
    static api::QueryOptions blocking(quint64 index, const QDeadlineTimer &deadline, api::CancelToken *cancel);
    void emitEvent(DeployEvent event);

    consul::ConsulClient *m_consul;
    nomad::NomadClient *m_nomad;
    api::CancelToken *m_watchCancel = nullptr; // child; replaced per apply()
};

} // namespace mesh::deploy
