#pragma once

#include "core/result.h"
#include "lab/nomad/taskevent.h"
#include "lab/placement.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QObject>

#include <optional>

class QTimer;

namespace mesh::lab::nomad {

class JobScheduler;

// A host port the runtime bound for an allocation (one entry of
// AllocatedResources.Shared.Ports / Networks[0].DynamicPorts).
struct AllocatedPort
{
    QString label;
    int value = 0;         // the host port
    int to = 0;            // the port inside the allocation (-1: same as value)
    bool reserved = false; // a static port (ReservedPorts) rather than dynamic
};

// The runtime's report that it placed an allocation.
struct PlacedAllocation
{
    QString allocId;   // the runtime's id (a UUID)
    QString allocName; // "<job>.<group>[<index>]"
    QString jobId;
    quint64 jobVersion = 0;
    QString group;
    QString node;         // node name: "one", "two", "three"
    QString nodeAddress;  // the host IP its ports bind on
    QString allocAddress; // the allocation's own address (NetworkStatus.Address)
    QList<AllocatedPort> ports;
};

// The lab's Nomad server state: jobs (with versions), evaluations,
// deployments, allocations and the three nodes, behind one Raft-like index
// that only grows. Lives on the lab's network thread; every call is made
// there. NomadApi renders it over HTTP; a JobScheduler (LabRuntime) runs
// what it decides and reports back through the report methods.
//
// What it decides (the lab's one scheduler, in place of Nomad's):
// - register: a new version when the spec changed (JobSpec::specOf), an
//   evaluation (complete; plus a blocked one when a group cannot be placed),
//   a deployment for service jobs, and JobScheduler::placeJob();
// - what cannot be placed (FailedTGAllocs), for the lab's two constraints:
//   a task driver the lab cannot run (ConstraintFiltered "missing drivers";
//   the lab runs exec, raw_exec and docker — docker only for HashiCorp's
//   counter images, which AllocationRunner reports at run time), and a
//   static (reserved) host port, which one node can give only one
//   allocation (DimensionExhausted "network: reserved port collision");
// - deployments: running until every group has DesiredTotal healthy
//   allocations (successful), or failed at the first unhealthy one or when
//   RequireProgressBy passes (update.progress_deadline after the last
//   placement or healthy allocation). Texts from nomad/structs/structs.go.
//
// changed() fires after every write with the new index; tableIndex() says
// which kind of object last changed when (for X-Nomad-Index).
class NomadState final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NomadState)

public:
    enum class Table { Jobs, Evaluations, Allocations, Deployments, Nodes };

    struct WriteResult
    {
        QString evalId;
        quint64 evalCreateIndex = 0;
        quint64 jobModifyIndex = 0;
        quint64 index = 0;
    };

    struct RegisterOptions
    {
        bool enforceIndex = false;
        quint64 jobModifyIndex = 0;
        QJsonObject submission; // JobSubmission, kept with the version
    };

    explicit NomadState(const QList<LabNode> &nodes, QObject *parent = nullptr);
    ~NomadState() override;

    // Not owned; may be null (nothing runs). Set before the first register.
    void setScheduler(JobScheduler *scheduler) { m_scheduler = scheduler; }

    quint64 index() const { return m_index; }
    quint64 tableIndex(Table table) const { return m_tableIndex.value(int(table), 1); }
    QString leaderAddress() const; // "127.x.1.1:4647"

    // `job` is canonical and valid (JobSpec). Errors: the check-and-set text
    // of nomad/job_endpoint.go (code Conflict; Nomad answers it with 500).
    Result<WriteResult> registerJob(const QJsonObject &job, const RegisterOptions &options);
    // Stop (Stop = true, a new version) or, with `purge`, forget the job.
    // Error NotFound when there is no such job.
    Result<WriteResult> deregisterJob(const QString &jobId, bool purge);
    // A JobPlanResponse for `job` (canonical) against the stored version.
    QJsonObject plan(const QJsonObject &job, bool withDiff) const;

    // Reads, as the HTTP API shows them (api structs' JSON names).
    std::optional<QJsonObject> job(const QString &jobId) const;
    // The JobSubmission (the jobspec source) kept with `version` of the job,
    // as GET /v1/job/:id/submission?version=N shows it; only the current
    // version's is kept. nullopt when there is none.
    std::optional<QJsonObject> submission(const QString &jobId, qint64 version) const;
    QJsonArray jobStubs(const QString &prefix) const;
    std::optional<QJsonObject> allocation(const QString &allocId) const;
    // AllocationListStub list; empty filters match all.
    QJsonArray allocationStubs(const QString &jobId, const QString &deploymentId, bool withResources) const;
    std::optional<QJsonObject> evaluation(const QString &evalId) const;
    QJsonArray evaluationsOfJob(const QString &jobId) const;
    std::optional<QJsonObject> deployment(const QString &deploymentId) const;
    std::optional<QJsonObject> latestDeployment(const QString &jobId) const;
    QJsonArray nodeStubs() const;
    std::optional<QJsonObject> node(const QString &nodeId) const;
    QString nodeId(const QString &nodeName) const;

    // Reports from the runtime (see JobScheduler). Unknown alloc ids are
    // ignored (a late report after a purge).
    void allocationPlaced(const PlacedAllocation &placed);
    void taskEvent(const QString &allocId, const QString &task, const TaskEventReport &event);
    void allocationHealth(const QString &allocId, bool healthy);
    void allocationStopped(const QString &allocId);
    // The allocation's node went down while it should run: ClientStatus
    // "lost", DesiredStatus "stop" with the scheduler's words for it
    // (hashicorp/nomad: scheduler/generic_sched.go allocLost). Later reports
    // of it are ignored: a down node's client reports nothing, and a lost
    // allocation stays lost. Keeps only the newest kKeptLostAllocations lost
    // allocations of each job's group, as Nomad's garbage collector forgets
    // terminal ones, so node drills in a loop do not grow the state.
    // No-op for an unknown or already terminal allocation.
    void allocationLost(const QString &allocId);
    // `allocId` was placed in place of the lost `previousAllocId`: the new
    // one's PreviousAllocation and the old one's NextAllocation, as the
    // state store links them (hashicorp/nomad: nomad/state/state_store.go
    // upsertAllocsImpl).
    void allocationReplaced(const QString &previousAllocId, const QString &allocId);
    void setNodeUp(const QString &nodeName, bool up);

    static constexpr int kKeptLostAllocations = 5;

Q_SIGNALS:
    void changed(quint64 index);

private:
    struct TaskState
    {
        QString state = QStringLiteral("pending");
        bool failed = false;
        quint64 restarts = 0;
        qint64 startedAtMs = 0, finishedAtMs = 0, lastRestartMs = 0;
        QJsonArray events;
    };
    struct Allocation
    {
        PlacedAllocation placed;
        QString evalId;
        QString deploymentId;
        QString desiredStatus = QStringLiteral("run");
        QString desiredDescription;
        QString clientStatus = QStringLiteral("pending");
        QString lostClientDescription; // what the client said last, before it was lost
        QString previousAllocation, nextAllocation;
        QMap<QString, TaskState> tasks;
        std::optional<bool> healthy;
        qint64 healthMs = 0;
        quint64 createIndex = 0, modifyIndex = 0;
        qint64 createTimeNs = 0, modifyTimeNs = 0;
    };
    struct Node
    {
        QString id;
        QString name;
        QString address;
        bool up = true;
        quint64 createIndex = 1, modifyIndex = 1;
    };
    struct JobEntry
    {
        QJsonObject job; // canonical, with the server's fields
        QJsonObject submission;
        QString latestEvalId;
        QString latestDeploymentId;
    };

    quint64 bump(std::initializer_list<Table> tables);
    QJsonObject failedAllocations(const QJsonObject &job, QHash<QString, int> *placeable) const;
    QString createEvaluation(const QString &jobId, const QJsonObject &job, const QString &triggeredBy,
                             const QJsonObject &failed, const QString &deploymentId);
    QString createDeployment(const QJsonObject &job);
    void cancelDeployment(const QString &deploymentId, const QString &description);
    void updateDeployment(const QString &deploymentId);
    void failDeployment(const QString &deploymentId, const QString &description);
    void armProgressDeadline(const QString &deploymentId);
    void setAllocClientStatus(Allocation &alloc);
    QString jobStatus(const QString &jobId) const;
    QJsonObject withStatus(const QJsonObject &job) const;
    QJsonObject allocationJson(const Allocation &alloc, bool full, bool withResources) const;
    static QJsonObject taskStateJson(const TaskState &state);

    QList<Node> m_nodes;
    QMap<QString, JobEntry> m_jobs;
    QMap<QString, QJsonObject> m_evaluations;
    QMap<QString, QJsonObject> m_deployments;
    QHash<QString, QTimer *> m_deadlines;
    QMap<QString, Allocation> m_allocations;
    JobScheduler *m_scheduler = nullptr;
    quint64 m_index = 1;
    QHash<int, quint64> m_tableIndex;
};

} // namespace mesh::lab::nomad
