#pragma once

#include "core/result.h"
#include "lab/labevent.h"
#include "lab/labsnapshot.h"
#include "model/ids.h"
#include "model/topology.h"

#include <QObject>
#include <QThread>

#include <chrono>
#include <memory>
#include <mutex>

namespace mesh::lab {

class LabRuntime;

// The embedded three-node lab, seen from the thread that owns it (the GUI or
// the CLI). Every socket of the lab — apps, sidecars, port forwards, health
// checks — lives on a network thread the Lab owns; calls here only queue work
// to it and never wait on a socket, a process or a handshake. State comes back
// as queued signals and as snapshot(), a copy that is always safe to read.
//
// One design runs at a time: start() while running replaces nothing, it fails.
class Lab final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Lab)

public:
    struct Options final
    {
        // Where the lab's CA lives (ca.pem, ca-key.pem 0600), kept across runs
        // so leaves verify against the same root. Empty: the user's data
        // directory (QStandardPaths::AppDataLocation)/lab-ca.
        QString caDirectory;
        // How often snapshotChanged() fires at most.
        std::chrono::milliseconds snapshotInterval{250};
        // First delay before restarting a failed task; doubles per failure up
        // to maxRestartDelay, and resets after a minute of running.
        std::chrono::milliseconds restartDelay{500};
        std::chrono::milliseconds maxRestartDelay{15'000};
        // How often every service's leaf is issued again; 0: at two thirds of
        // the design's leaf lifetime (lab.leafTtlHours), at most once a day,
        // as Consul renews leaves well before they expire. Open connections
        // keep their handshake; new ones use the new leaf.
        std::chrono::milliseconds leafRotationInterval{0};
        // The ports of each node's Consul and Nomad HTTP APIs; 0 picks free
        // ports (tests that must not depend on 8500 being free).
        quint16 consulPort = 8500;
        quint16 nomadPort = 4646;
    };

    explicit Lab(QObject *parent = nullptr);
    explicit Lab(const Options &options, QObject *parent = nullptr);
    // Stops everything and joins the network thread (bounded: children get
    // SIGTERM, then SIGKILL after 2 s).
    ~Lab() override;

    // Validates `topology` (errors refuse it) and starts it. Asynchronous:
    // started() or startFailed() follows. Fails at once if a run is active.
    Result<> start(const model::Topology &topology);
    // Asynchronous; stopped() follows (also when nothing ran).
    void stop();
    bool isRunning() const;

    // The latest state, copied under a lock; never blocks on the network thread.
    LabSnapshot snapshot() const;

    // Drills, applied on the network thread; each is undone by its reverse.
    void stopInstance(const QString &allocId);
    void startInstance(const QString &allocId);
    // Makes the task fail as a crash would (the restart policy brings it back).
    void killInstance(const QString &allocId);
    // A node down: what ran there is lost (LabSnapshot::lost) and placed
    // again on the nodes up, as Nomad does; a node up again: lost
    // allocations stay lost, only what found no node is placed.
    void stopNode(const QString &node);
    void startNode(const QString &node);
    void setArrowAction(const model::UpstreamId &arrow, model::IntentionAction action);
    // Added before each new connection of the arrow is dialled; failureRate
    // (0…1) of new connections are closed at once.
    void setArrowFault(const model::UpstreamId &arrow, std::chrono::milliseconds latency, double failureRate);
    void setCount(const model::ServiceId &service, int count);

Q_SIGNALS:
    // Every allocation was placed and the lab listens; instances may still be
    // starting (see snapshotChanged).
    void started(const mesh::lab::LabSnapshot &snapshot);
    void startFailed(const QString &error);
    void stopped();
    void snapshotChanged(const mesh::lab::LabSnapshot &snapshot);
    void eventOccurred(const mesh::lab::LabEvent &event);

private:
    void publish(const LabSnapshot &snapshot);

    Options m_options;
    QThread m_thread;
    LabRuntime *m_runtime = nullptr; // lives on m_thread
    mutable std::mutex m_snapshotMutex;
    LabSnapshot m_snapshot;
    bool m_running = false;
};

} // namespace mesh::lab
