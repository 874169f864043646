#include "clusterwait.h"

#include "consul/consulclient.h"
#include "nomad/nomadclient.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>

#include <QCoro/QCoroTimer>

using namespace Qt::StringLiterals;

namespace mesh::hashibox {

namespace {

QString durationText(std::chrono::milliseconds timeout)
{
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
    return s >= 120 && s % 60 == 0 ? QString::number(s / 60) + u" min"_s : QString::number(s) + u" s"_s;
}

} // namespace

bool ClusterHealth::consulReady(int expected) const
{
    return consulError.isEmpty() && !consulLeader.isEmpty() && consulAlive >= expected;
}

bool ClusterHealth::nomadReadyFor(int expected) const
{
    return nomadError.isEmpty() && !nomadLeader.isEmpty() && nomadReady >= expected;
}

QString ClusterHealth::consulText(int expected) const
{
    if (!consulError.isEmpty())
        return u"consul: "_s + consulError;
    return u"consul: %1, %2 of %3 members alive"_s
        .arg(consulLeader.isEmpty() ? u"no leader yet"_s : u"leader "_s + consulLeader)
        .arg(consulAlive)
        .arg(expected);
}

QString ClusterHealth::nomadText(int expected) const
{
    if (!nomadError.isEmpty())
        return u"nomad: "_s + nomadError;
    return u"nomad: %1, %2 of %3 clients ready"_s
        .arg(nomadLeader.isEmpty() ? u"no leader yet"_s : u"leader "_s + nomadLeader)
        .arg(nomadReady)
        .arg(expected);
}

ClusterWait::ClusterWait(consul::ConsulClient *consul, nomad::NomadClient *nomad, QObject *parent)
    : QObject(parent)
    , m_consul(consul)
    , m_nomad(nomad)
{
}

ClusterWait::~ClusterWait() = default;

QCoro::Task<void> ClusterWait::checkConsul(ClusterHealth &health)
{
    // hashicorp/consul: api/status.go Leader answers "" while there is no
    // leader; api/agent.go Members lists the LAN pool, Status 1 = alive.
    const auto leader = co_await m_consul->leader();
    if (!leader) {
        health.consulError = leader.error().message;
        co_return;
    }
    health.consulLeader = *leader;
    const auto members = co_await m_consul->members();
    if (!members) {
        health.consulError = members.error().message;
        co_return;
    }
    health.consulMembers = int(members->size());
    health.consulAlive = int(
        std::count_if(members->cbegin(), members->cend(), [](const consul::AgentMember &m) { return m.status == 1; }));
}

QCoro::Task<void> ClusterWait::checkNomad(ClusterHealth &health)
{
    const auto leader = co_await m_nomad->leader();
    if (!leader) {
        health.nomadError = leader.error().message;
        co_return;
    }
    health.nomadLeader = *leader;
    // hashicorp/nomad: api/nodes.go NodeListStub.Status: initializing,
    // ready or down (nomad/structs/structs.go NodeStatus*).
    const auto nodes = co_await m_nomad->nodes();
    if (!nodes) {
        health.nomadError = nodes.error().message;
        co_return;
    }
    health.nomadNodes = int(nodes->value.size());
    for (const QJsonValue &node : nodes->value) {
        if (node.toObject().value(u"Status").toString() == u"ready")
            ++health.nomadReady;
    }
}

QCoro::Task<ClusterHealth> ClusterWait::check()
{
    ClusterHealth health;
    // Both at once: a cluster that is down costs one timeout, not two.
    auto consul = checkConsul(health);
    auto nomad = checkNomad(health);
    co_await consul;
    co_await nomad;
    co_return health;
}

QCoro::Task<Result<ClusterHealth>> ClusterWait::waitUntilReady(std::chrono::milliseconds timeout)
{
    QPointer<ClusterWait> self(this);
    const QDeadlineTimer deadline(timeout);
    QString lastConsul;
    QString lastNomad;
    while (true) {
        const ClusterHealth health = co_await check();
        if (!self)
            co_return fail(Error::Code::Cancelled, u"the wait for the cluster was cancelled"_s);
        const int expected = m_expected;
        const QString consulText = health.consulText(expected);
        const QString nomadText = health.nomadText(expected);
        if (consulText != lastConsul)
            Q_EMIT progress(consulText);
        if (!self)
            co_return fail(Error::Code::Cancelled, u"the wait for the cluster was cancelled"_s);
        if (nomadText != lastNomad)
            Q_EMIT progress(nomadText);
        if (!self)
            co_return fail(Error::Code::Cancelled, u"the wait for the cluster was cancelled"_s);
        lastConsul = consulText;
        lastNomad = nomadText;
        if (health.isReady(expected))
            co_return health;
        if (deadline.hasExpired()) {
            QStringList missing;
            if (!health.consulReady(expected))
                missing.append(consulText);
            if (!health.nomadReadyFor(expected))
                missing.append(nomadText);
            co_return fail(Error::Code::Timeout,
                           u"the cluster was not up within %1: %2"_s.arg(durationText(timeout), missing.join(u"; ")));
        }
        const auto pause
            = std::min(m_interval, std::chrono::milliseconds(std::max<qint64>(deadline.remainingTime(), 0)));
        co_await QCoro::sleepFor(pause);
        if (!self)
            co_return fail(Error::Code::Cancelled, u"the wait for the cluster was cancelled"_s);
    }
}

} // namespace mesh::hashibox
