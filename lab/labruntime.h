#pragma once

#include "lab/allocationrunner.h"
#include "lab/api/consulstate.h"
#include "lab/byterate.h"
#include "lab/lab.h"
#include "lab/nomad/jobscheduler.h"
#include "lab/placement.h"
#include "pki/certificateauthority.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>
#include <optional>

class QTcpServer;
class QTemporaryDir;

namespace mesh::proxy {
class StaticIdentitySource;
}

namespace mesh::lab {

class ConsulApi;

namespace nomad {
class NomadApi;
class NomadState;
} // namespace nomad

// The lab itself, on the network thread: the CA and the services' leaves,
// the Consul state and API, the Nomad state and API, the placement, one
// AllocationRunner per allocation, the drills, and the snapshots and events
// it reports. Lab (the facade) creates it, moves it to its thread and talks
// to it only through queued calls.
//
// One way in: run() submits the design's jobs through the same register
// path as POST /v1/jobs (NomadApi::submit), and NomadState asks this
// runtime to place them (JobScheduler), as it does for jobs sent with curl
// or `nomad job run`. Jobs from the design keep the design's service and
// arrow ids (the editor's cards, arrows and drills follow them) and the
// lab's restart-for-ever back-off; jobs from elsewhere follow their own
// restart block.
class LabRuntime final : public QObject, public nomad::JobScheduler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabRuntime)

public:
    explicit LabRuntime(const Lab::Options &options);
    ~LabRuntime() override; // stops at once: children get SIGKILL

    void run(const model::Topology &topology);
    // Stops every allocation (children get SIGTERM, then SIGKILL after 2 s),
    // removes the allocation directories, then emits shutDown().
    void shutdown();

    void stopInstance(const QString &allocId);
    void startInstance(const QString &allocId);
    void killInstance(const QString &allocId);
    void stopNode(const QString &node);
    void startNode(const QString &node);
    void setArrowAction(const model::UpstreamId &arrow, model::IntentionAction action);
    void setArrowFault(const model::UpstreamId &arrow, std::chrono::milliseconds latency, double failureRate);
    void setCount(const model::ServiceId &service, int count);
    // JobScheduler: called by NomadState on this thread.
    void placeJob(const QString &jobId, quint64 version, const QList<model::Service> &services,
                  const QList<model::Upstream> &upstreams) override;
    void stopJob(const QString &jobId) override;

Q_SIGNALS:
    void runStarted(const mesh::lab::LabSnapshot &snapshot);
    void runFailed(const QString &error);
    void shutDown();
    void snapshotReady(const mesh::lab::LabSnapshot &snapshot);
    void eventOccurred(const mesh::lab::LabEvent &event);

private:
    AllocationRunner *addAllocation(const model::Service &service, int index,
                                    const std::optional<AllocationRunner::Context::RestartPolicy> &restartPolicy,
                                    const QString &previousAllocId);
    // Starts a new allocation of `service` (index `index`) for job `jobId`
    // and reports it to the Nomad state; `previousAllocId`: the lost
    // allocation it replaces.
    void startAllocation(const model::Service &service, int index, const QString &previousAllocId = {});
    // Stops and forgets every allocation of `jobId`.
    void removeJobAllocations(const QString &jobId, const QString &why);
    // Stops `runner` and deletes it once idle; the caller has taken it out
    // of m_runners and the placement.
    void retire(AllocationRunner *runner, const QString &why);
    // `runner`'s node went down: recorded as lost (m_lost, the Nomad
    // state), stopped and forgotten.
    void loseAllocation(AllocationRunner *runner, const QString &node);
    // Places every allocation a service's count wants and no runner holds
    // (lost ones' replacements that found no node to take them).
    void placeMissing();
    // The newest lost allocation of `service` index `index` not replaced yet.
    QString unreplacedLost(const model::ServiceId &service, int index) const;
    AllocationRunner *runner(const QString &allocId) const;
    quint16 takePort(const QHostAddress &nodeAddress);
    bool takeSlot();
    // Issues `service`'s leaf (again) into its identity source, creating the
    // source the first time.
    Result<> issueLeaf(const QString &service);
    void rotateLeaves();
    void emitEvent(LabEvent::Kind kind, const QString &service, const QString &allocName, const QString &text);
    LabSnapshot buildSnapshot();
    void publishSnapshot();
    void finishShutdown();
    void clear();

    Lab::Options m_options;
    bool m_running = false;
    bool m_shuttingDown = false;
    std::shared_ptr<const model::Topology> m_topology;
    std::optional<pki::CertificateAuthority> m_ca;
    QHash<QString, proxy::StaticIdentitySource *> m_identities; // by service name
    ConsulState m_catalog;
    ConsulApi *m_api = nullptr;           // child; per run
    nomad::NomadState *m_nomad = nullptr; // child; per run
    QList<nomad::NomadApi *> m_nomadApis; // children; one per node, per run
    // The design as run() got it; its jobs are placed with its ids.
    std::shared_ptr<const model::Topology> m_design;
    bool m_submittingDesign = false;
    QHash<QString, quint64> m_jobVersions; // the version each job runs
    Placement m_placement;
    QList<AllocationRunner *> m_runners;
    // Allocations lost with their node, oldest first, at most
    // NomadState::kKeptLostAllocations per service (what the snapshot lists).
    QHash<model::ServiceId, QList<InstanceSnapshot>> m_lost;
    QHash<model::ServiceId, int> m_counts;
    QHash<model::UpstreamId, model::IntentionAction> m_actions;
    QHash<model::UpstreamId, std::pair<std::chrono::milliseconds, double>> m_faults;
    QHash<QString, quint16> m_nextPort; // by node address
    std::unique_ptr<QTemporaryDir> m_allocRoot;
    // Held while running: which address slot this lab has (see takeSlot()).
    QTcpServer *m_slotLock = nullptr;
    int m_slot = 0;
    QTimer m_snapshotTimer;
    QTimer m_shutdownDeadline;
    QTimer m_rotation;
    // Each arrow's bytes/s between the last two snapshots, timed by m_runClock.
    QHash<model::UpstreamId, ByteRate> m_arrowRates;
    // Connections the destination's sidecars refused because intentions deny them.
    QHash<model::UpstreamId, quint64> m_arrowDenials;
    QElapsedTimer m_runClock;
};

} // namespace mesh::lab
