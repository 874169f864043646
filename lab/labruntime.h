#pragma once

#include "lab/lab.h"
#include "lab/labcatalog.h"
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

class AllocationRunner;

// The lab itself, on the network thread: the CA and the services' leaves,
// the catalog, the placement, one AllocationRunner per allocation, the
// drills, and the snapshots and events it reports. Lab (the facade) creates
// it, moves it to its thread and talks to it only through queued calls.
class LabRuntime final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabRuntime)

public:
    explicit LabRuntime(const Lab::Options &options);
    ~LabRuntime() override;  // stops at once: children get SIGKILL

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

Q_SIGNALS:
    void runStarted(const mesh::lab::LabSnapshot &snapshot);
    void runFailed(const QString &error);
    void shutDown();
    void snapshotReady(const mesh::lab::LabSnapshot &snapshot);
    void eventOccurred(const mesh::lab::LabEvent &event);

private:
    AllocationRunner *addAllocation(const model::Service &service, int index);
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
    QHash<QString, proxy::StaticIdentitySource *> m_identities;  // by service name
    LabCatalog m_catalog;
    Placement m_placement;
    QList<AllocationRunner *> m_runners;
    QSet<AllocationRunner *> m_stoppedByNode;
    QHash<model::ServiceId, int> m_counts;
    QHash<model::UpstreamId, model::IntentionAction> m_actions;
    QHash<model::UpstreamId, std::pair<std::chrono::milliseconds, double>> m_faults;
    QHash<QString, quint16> m_nextPort;  // by node address
    std::unique_ptr<QTemporaryDir> m_allocRoot;
    // Held while running: which address slot this lab has (see takeSlot()).
    QTcpServer *m_slotLock = nullptr;
    int m_slot = 0;
    QTimer m_snapshotTimer;
    QTimer m_shutdownDeadline;
    QTimer m_rotation;
    // For bytes/s: the byte totals of each arrow at the last snapshot.
    QHash<model::UpstreamId, quint64> m_lastArrowBytes;
    // Connections the destination's sidecars refused because intentions deny them.
    QHash<model::UpstreamId, quint64> m_arrowDenials;
    QElapsedTimer m_sinceLastSnapshot;
};

} // namespace mesh::lab
