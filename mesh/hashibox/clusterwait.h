#pragma once

#include "core/result.h"

#include <QObject>
#include <QString>

#include <QCoro/QCoroTask>

#include <chrono>

namespace mesh::consul {
class ConsulClient;
}
namespace mesh::nomad {
class NomadClient;
}

namespace mesh::hashibox {

// One look at a Consul + Nomad cluster: who leads, how many members are
// alive and how many Nomad clients are ready. A part that did not answer
// has its error set (and zero counts).
struct ClusterHealth
{
    QString consulLeader; // "10.42.0.11:8300"; empty: none elected (or no answer)
    int consulAlive = 0;  // members with Status 1 (serf's StatusAlive)
    int consulMembers = 0;
    QString consulError;
    QString nomadLeader;
    int nomadReady = 0; // nodes with Status "ready"
    int nomadNodes = 0;
    QString nomadError;

    bool consulReady(int expected) const;
    bool nomadReadyFor(int expected) const;
    bool isReady(int expected) const { return consulReady(expected) && nomadReadyFor(expected); }
    // "consul: leader 10.42.0.11:8300, 2 of 3 members alive",
    // "consul: no leader yet, 3 of 3 members alive", "consul: <error>".
    QString consulText(int expected) const;
    // "nomad: leader 10.42.0.11:4647, 3 of 3 clients ready".
    QString nomadText(int expected) const;
};

// Waits until a cluster is up: Consul has a leader and `expected` alive
// members (GET /v1/status/leader, /v1/agent/members), Nomad has a leader
// and `expected` ready clients (GET /v1/status/leader, /v1/nodes). Polls
// both every pollInterval(); each answer that changes the picture is a
// progress() line. The clients are not owned and must outlive the wait;
// their own timeouts bound each request (a deadline can be overshot by one
// request's timeout). Lives on its creator's thread.
class ClusterWait final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterWait)

public:
    ClusterWait(consul::ConsulClient *consul, nomad::NomadClient *nomad, QObject *parent = nullptr);
    ~ClusterWait() override;

    int expectedNodes() const { return m_expected; }
    void setExpectedNodes(int expected) { m_expected = expected; }
    std::chrono::milliseconds pollInterval() const { return m_interval; }
    void setPollInterval(std::chrono::milliseconds interval) { m_interval = interval; }

    // One look at both (both asked at once).
    QCoro::Task<ClusterHealth> check();
    // Polls until isReady(expectedNodes()); Timeout after `timeout`, naming
    // what is missing ("the cluster was not up within 5 min: consul: no
    // leader yet, 2 of 3 members alive; nomad: …"). Cancelled when the wait
    // is destroyed meanwhile.
    QCoro::Task<Result<ClusterHealth>> waitUntilReady(std::chrono::milliseconds timeout);

Q_SIGNALS:
    void progress(const QString &text);

private:
    QCoro::Task<void> checkConsul(ClusterHealth &health);
    QCoro::Task<void> checkNomad(ClusterHealth &health);

    consul::ConsulClient *m_consul;
    nomad::NomadClient *m_nomad;
    int m_expected = 3;
    std::chrono::milliseconds m_interval{std::chrono::seconds(2)};
};

} // namespace mesh::hashibox
