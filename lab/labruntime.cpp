#include "labruntime.h"

#include "allocationreporter.h"
#include "allocationrunner.h"
#include "api/consulapi.h"
#include "labcertificates.h"
#include "nomad/nomadapi.h"
#include "nomad/nomadstate.h"

#include "generate/nomadjobgenerator.h"
#include "model/validator.h"
#include "proxy/proxymetrics.h"
#include "proxy/staticidentitysource.h"

#include <QDir>
#include <QTcpServer>
#include <QTemporaryDir>

namespace mesh::lab {

namespace {
// Nomad's default dynamic port range (min_dynamic_port, max_dynamic_port:
// https://developer.hashicorp.com/nomad/docs/configuration/client).
constexpr quint16 kFirstDynamicPort = 20000;
constexpr quint16 kLastDynamicPort = 32000;
constexpr auto kShutdownDeadline = std::chrono::milliseconds(3000);
// Address slots: lab k uses 127.k.1.x for nodes and 127.k.2.x for allocations,
// and holds 127.0.0.1:(kSlotLockPort + k) while it runs.
constexpr quint16 kSlotLockPort = 32150;
constexpr int kSlots = 32;

// A Nomad duration of the stored (canonical) job: integer nanoseconds.
std::chrono::milliseconds nanosecondsIn(const QJsonObject &object, QStringView key, std::chrono::milliseconds fallback)
{
    const QJsonValue value = object.value(key);
    return value.isDouble() ? std::chrono::milliseconds(qint64(value.toDouble() / 1e6)) : fallback;
}

QJsonObject groupOf(const QJsonObject &job, const QString &group)
{
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
        if (g.toObject().value(u"Name").toString() == group)
            return g.toObject();
    }
    return {};
}
} // namespace

LabRuntime::LabRuntime(const Lab::Options &options)
    : m_options(options)
    , m_snapshotTimer(this) // parented, so moveToThread() takes the timers along
    , m_shutdownDeadline(this)
    , m_rotation(this)
{
    connect(&m_rotation, &QTimer::timeout, this, &LabRuntime::rotateLeaves);
    m_snapshotTimer.setInterval(options.snapshotInterval);
    connect(&m_snapshotTimer, &QTimer::timeout, this, &LabRuntime::publishSnapshot);
    m_shutdownDeadline.setSingleShot(true);
    connect(&m_shutdownDeadline, &QTimer::timeout, this, &LabRuntime::finishShutdown);
}

LabRuntime::~LabRuntime()
{
    clear();
}

void LabRuntime::clear()
{
    m_snapshotTimer.stop();
    m_shutdownDeadline.stop();
    m_rotation.stop();
    // Runners first: their listeners hold the identity sources and the
    // catalog. The Nomad state goes before them, so no runner reports into it
    // while it goes.
    qDeleteAll(m_nomadApis);
    m_nomadApis.clear();
    delete m_nomad;
    m_nomad = nullptr;
    qDeleteAll(m_runners);
    delete m_api;
    m_api = nullptr;
    m_runners.clear();
    m_design.reset();
    m_jobVersions.clear();
    m_lost.clear();
    qDeleteAll(m_identities);
    m_identities.clear();
    m_allocRoot.reset();
    delete m_slotLock;
    m_slotLock = nullptr;
    m_catalog = ConsulState();
    m_placement = Placement();
    m_counts.clear();
    m_actions.clear();
    m_faults.clear();
    m_nextPort.clear();
    m_arrowRates.clear();
    m_arrowDenials.clear();
    m_topology.reset();
    m_ca.reset();
    m_running = false;
    m_shuttingDown = false;
}

void LabRuntime::run(const model::Topology &topology)
{
    if (m_running || m_shuttingDown) {
        Q_EMIT runFailed(QStringLiteral("the lab is already running; stop it first"));
        return;
    }
    const QString caDirectory
        = m_options.caDirectory.isEmpty() ? LabCertificates::defaultDirectory() : m_options.caDirectory;
    Result<pki::CertificateAuthority> ca = LabCertificates::openOrCreate(caDirectory, topology.settings.datacenter);
    if (!ca) {
        Q_EMIT runFailed(ca.error().message);
        return;
    }
    m_ca.emplace(std::move(*ca));
    m_allocRoot
        = std::make_unique<QTemporaryDir>(QDir(QDir::tempPath()).filePath(QStringLiteral("meshpad-lab-XXXXXX")));
    if (!m_allocRoot->isValid()) {
        const QString why
            = QStringLiteral("cannot create the allocation directories: %1").arg(m_allocRoot->errorString());
        clear();
        Q_EMIT runFailed(why);
        return;
    }
    if (!takeSlot()) {
        clear();
        Q_EMIT runFailed(QStringLiteral("%1 labs already run on this machine; stop one first").arg(kSlots));
        return;
    }
    // The runtime's topology holds what is placed; the design's jobs arrive
    // in it through placeJob().
    m_design = std::make_shared<const model::Topology>(topology);
    {
        model::Topology placed = topology;
        placed.services.clear();
        placed.upstreams.clear();
        m_topology = std::make_shared<const model::Topology>(std::move(placed));
    }
    m_catalog.setIdentity(m_ca->trustDomain(), topology.settings.datacenter);
    QList<ConsulState::NodeInfo> consulNodes;
    for (const LabNode &node : m_placement.nodes())
        consulNodes.append({node.name, node.address, QString(), true});
    m_catalog.setNodes(consulNodes);
    // Without services there is no design policy to speak for: Consul's own
    // default with ACLs disabled is allow (hashicorp/consul:
    // agent/connect_auth.go ConnectAuthorize).
    if (topology.services.isEmpty())
        m_catalog.setDefaultAllow(true);
    else
        m_catalog.setIntentions(topology);
    {
        const auto ttl = std::chrono::hours(std::max(1, topology.settings.lab.leafTtlHours));
        m_api = new ConsulApi(&m_catalog, &*m_ca, ttl, this);
        m_nomad = new nomad::NomadState(m_placement.nodes(), this);
        m_nomad->setScheduler(this);
        QHash<QString, nomad::NomadApi *> byNode;
        for (const LabNode &node : m_placement.nodes()) {
            auto *api = new nomad::NomadApi(m_nomad, node.name, this);
            m_nomadApis.append(api);
            byNode.insert(node.name, api);
        }
        m_api->setNomadHandler(
            [byNode](const QString &node, const apps::http::Request &request, apps::http::Response &response) {
                if (nomad::NomadApi *api = byNode.value(node))
                    api->handle(request, response);
            });
        if (Result<> listening = m_api->listen(m_options.consulPort, m_options.nomadPort); !listening) {
            const QString why = listening.error().message;
            clear();
            Q_EMIT runFailed(why);
            return;
        }
        for (const QString &note : m_api->portNotes())
            emitEvent(LabEvent::Kind::Node, QString(), QString(), note);
    }
    for (const model::Upstream &upstream : topology.upstreams)
        m_actions.insert(upstream.id, upstream.action);

    // One leaf per service, shared by its allocations (Consul issues one per
    // service identity; every instance presents the same SPIFFE ID).
    // External services run elsewhere: no leaf, and (TopologyIndex::jobNames
    // leaves them out) no job below.
    for (const model::Service &service : topology.services) {
        if (service.external || !service.connectSidecar || m_identities.contains(service.name))
            continue;
        if (Result<> issued = issueLeaf(service.name); !issued) {
            clear();
            Q_EMIT runFailed(issued.error().message);
            return;
        }
    }

    m_running = true;
    // The design's jobs, exactly as `meshpad generate` writes nomad/<job>.json,
    // through the register path of POST /v1/jobs.
    m_submittingDesign = true;
    const model::TopologyIndex index(topology);
    for (const QString &job : index.jobNames()) {
        QByteArray answer;
        const int status
            = m_nomadApis.constFirst()->submit(generate::NomadJobGenerator::json(index, job).toUtf8(), &answer);
        if (status != 200) {
            m_submittingDesign = false;
            const QString why = QStringLiteral("Nomad refused job %1 (HTTP %2): %3")
                                    .arg(job)
                                    .arg(status)
                                    .arg(QString::fromUtf8(answer).trimmed());
            clear();
            Q_EMIT runFailed(why);
            return;
        }
    }
    m_submittingDesign = false;
    m_runClock.start();
    m_snapshotTimer.start();
    const auto ttl = std::chrono::hours(std::max(1, topology.settings.lab.leafTtlHours));
    const auto rotation = m_options.leafRotationInterval.count() > 0
                              ? m_options.leafRotationInterval
                              : std::min<std::chrono::milliseconds>(ttl * 2 / 3, std::chrono::hours(24));
    m_rotation.start(rotation);
    const LabSnapshot snapshot = buildSnapshot();
    Q_EMIT runStarted(snapshot);
    Q_EMIT snapshotReady(snapshot);
}

AllocationRunner *LabRuntime::addAllocation(
    const model::Service &service, int index,
    const std::optional<AllocationRunner::Context::RestartPolicy> &restartPolicy, const QString &previousAllocId)
{
    std::optional<AllocationPlan> plan = m_placement.place(service, index);
    if (!plan) {
        emitEvent(LabEvent::Kind::Error, service.name, Placement::allocationName(service, index),
                  QStringLiteral("no node that is up can take it (all down, or its static ports taken); "
                                 "it waits for a node"));
        return nullptr;
    }
    plan->previousAllocId = previousAllocId;
    AllocationRunner::Context context;
    context.topology = m_topology;
    context.serviceId = service.id;
    context.plan = *plan;
    context.node = m_placement.nodes().at(plan->node);
    context.identity = m_identities.value(service.name);
    context.catalog = &m_catalog;
    context.takePort = [this](const QHostAddress &address) { return takePort(address); };
    context.allocDir = QDir(m_allocRoot->path()).filePath(plan->allocId);
    context.restartDelay = m_options.restartDelay;
    context.maxRestartDelay = m_options.maxRestartDelay;
    context.restartPolicy = restartPolicy;
    auto *runner = new AllocationRunner(context, this);
    for (auto fault = m_faults.cbegin(); fault != m_faults.cend(); ++fault)
        runner->setArrowFault(fault.key(), fault->first, fault->second);
    const QString serviceName = service.name;
    const QString allocName = plan->allocName;
    connect(runner, &AllocationRunner::eventOccurred, this,
            [this, serviceName, allocName](LabEvent::Kind kind, const QString &text) {
                emitEvent(kind, serviceName, allocName, text);
            });
    const model::ServiceId destinationId = service.id;
    connect(runner, &AllocationRunner::sourceDenied, this, [this, destinationId](const QString &source) {
        for (const model::Upstream *upstream : m_topology->upstreamsTo(destinationId)) {
            const model::Service *downstream = m_topology->service(upstream->downstream);
            if (downstream && downstream->name == source)
                ++m_arrowDenials[upstream->id];
        }
    });
    m_runners.append(runner);
    QString placed = QStringLiteral("placed on node %1, address %2").arg(context.node.name, plan->address.toString());
    if (!previousAllocId.isEmpty())
        placed += QStringLiteral(", replacing lost allocation %1").arg(previousAllocId.left(8));
    emitEvent(LabEvent::Kind::Placed, service.name, plan->allocName, placed);
    return runner;
}

AllocationRunner *LabRuntime::runner(const QString &allocId) const
{
    for (AllocationRunner *candidate : m_runners) {
        if (candidate->plan().allocId == allocId)
            return candidate;
    }
    return nullptr;
}

Result<> LabRuntime::issueLeaf(const QString &service)
{
    const auto ttl = std::chrono::hours(std::max(1, m_topology->settings.lab.leafTtlHours));
    Result<pki::IssuedCertificate> leaf = m_ca->issueLeaf(service, ttl);
    if (!leaf)
        return fail(leaf.error().code,
                    QStringLiteral("cannot issue a certificate for %1: %2").arg(service, leaf.error().message));
    proxy::StaticIdentitySource *identity = m_identities.value(service);
    const bool created = identity == nullptr;
    if (created)
        identity = new proxy::StaticIdentitySource(this);
    if (Result<> set = identity->setIdentity(*leaf, {m_ca->rootCertificate()}); !set) {
        if (created)
            delete identity;
        return fail(set.error().code,
                    QStringLiteral("cannot use the certificate of %1: %2").arg(service, set.error().message));
    }
    m_identities.insert(service, identity);
    return {};
}

void LabRuntime::rotateLeaves()
{
    if (!m_running || m_shuttingDown)
        return;
    QStringList rotated;
    const QStringList services = m_identities.keys();
    for (const QString &service : services) {
        if (Result<> issued = issueLeaf(service); !issued)
            emitEvent(LabEvent::Kind::Error, service, QString(), issued.error().message);
        else
            rotated.append(service);
    }
    if (m_api)
        m_api->rotateLeaves();
    if (!rotated.isEmpty()) {
        std::sort(rotated.begin(), rotated.end());
        emitEvent(LabEvent::Kind::Certificate, QString(), QString(),
                  QStringLiteral("new leaf certificates for %1; new connections use them").arg(rotated.join(u", ")));
    }
}

bool LabRuntime::takeSlot()
{
    // A listening socket is the lock: the kernel frees it when this process
    // ends, however it ends, so a crashed lab never keeps its slot.
    for (int slot = 0; slot < kSlots; ++slot) {
        auto *lock = new QTcpServer(this);
        if (lock->listen(QHostAddress::LocalHost, quint16(kSlotLockPort + slot))) {
            m_slotLock = lock;
            m_slot = slot;
            m_placement = Placement(Placement::defaultNodes(slot), slot);
            return true;
        }
        delete lock;
    }
    return false;
}

quint16 LabRuntime::takePort(const QHostAddress &nodeAddress)
{
    quint16 &next = m_nextPort[nodeAddress.toString()];
    if (next < kFirstDynamicPort || next > kLastDynamicPort)
        next = kFirstDynamicPort;
    return next++;
}

void LabRuntime::emitEvent(LabEvent::Kind kind, const QString &service, const QString &allocName, const QString &text)
{
    Q_EMIT eventOccurred(LabEvent{QDateTime::currentDateTime(), kind, service, allocName, text});
}

void LabRuntime::shutdown()
{
    if (!m_running) {
        if (!m_shuttingDown)
            Q_EMIT shutDown();
        return;
    }
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_snapshotTimer.stop();
    // Done when no runner has a child left; queued, since idle() may come
    // from inside a runner's stop().
    const auto finishWhenIdle = [this] {
        if (std::all_of(m_runners.cbegin(), m_runners.cend(), [](const AllocationRunner *r) { return r->isIdle(); }))
            QMetaObject::invokeMethod(this, &LabRuntime::finishShutdown, Qt::QueuedConnection);
    };
    for (AllocationRunner *runner : std::as_const(m_runners)) {
        connect(runner, &AllocationRunner::idle, this, finishWhenIdle);
        runner->stop(QStringLiteral("the lab stopped"));
    }
    m_shutdownDeadline.start(kShutdownDeadline);
    finishWhenIdle();
}

void LabRuntime::finishShutdown()
{
    if (!m_shuttingDown)
        return;
    clear();
    Q_EMIT snapshotReady(LabSnapshot{});
    Q_EMIT shutDown();
}

void LabRuntime::stopInstance(const QString &allocId)
{
    if (AllocationRunner *target = runner(allocId); target && !target->isStopped()) {
        emitEvent(LabEvent::Kind::Drill, target->service().name, target->plan().allocName,
                  QStringLiteral("stop instance"));
        target->stop(QStringLiteral("stopped by a drill"));
        publishSnapshot();
    }
}

void LabRuntime::startInstance(const QString &allocId)
{
    AllocationRunner *target = runner(allocId);
    if (!target || target->state() != InstanceState::Stopped)
        return;
    if (!m_placement.isNodeUp(m_placement.nodeIndex(target->nodeName()))) {
        emitEvent(LabEvent::Kind::Error, target->service().name, target->plan().allocName,
                  QStringLiteral("cannot start: node %1 is down").arg(target->nodeName()));
        return;
    }
    emitEvent(LabEvent::Kind::Drill, target->service().name, target->plan().allocName,
              QStringLiteral("start instance"));
    target->start();
    publishSnapshot();
}

void LabRuntime::killInstance(const QString &allocId)
{
    if (AllocationRunner *target = runner(allocId)) {
        emitEvent(LabEvent::Kind::Drill, target->service().name, target->plan().allocName,
                  QStringLiteral("kill instance"));
        target->kill();
        publishSnapshot();
    }
}

void LabRuntime::stopNode(const QString &node)
{
    const int index = m_placement.nodeIndex(node);
    if (!m_running || index < 0 || !m_placement.isNodeUp(index))
        return;
    m_placement.setNodeUp(index, false);
    m_catalog.setNodeUp(node, false);
    if (m_nomad)
        m_nomad->setNodeUp(node, false);
    emitEvent(LabEvent::Kind::Node, QString(), QString(), QStringLiteral("node %1 is down").arg(node));
    // Nomad marks what ran there lost and places each again on the nodes
    // still up, under the same name (hashicorp/nomad: scheduler/reconcile.go
    // computePlacements for lost allocations). What a drill stopped or what
    // failed is already terminal and stays as it is.
    const QList<AllocationRunner *> runners = m_runners;
    for (AllocationRunner *runner : runners) {
        if (runner->nodeName() == node && !runner->isStopped())
            loseAllocation(runner, node);
    }
    placeMissing();
    publishSnapshot();
}

void LabRuntime::startNode(const QString &node)
{
    const int index = m_placement.nodeIndex(node);
    if (!m_running || index < 0 || m_placement.isNodeUp(index))
        return;
    m_placement.setNodeUp(index, true);
    m_catalog.setNodeUp(node, true);
    if (m_nomad)
        m_nomad->setNodeUp(node, true);
    emitEvent(LabEvent::Kind::Node, QString(), QString(), QStringLiteral("node %1 is up").arg(node));
    // Its lost allocations were replaced already: they stay lost (Nomad
    // stops them on the returning client; their DesiredStatus is "stop").
    // Only what no node could take while this one was down is placed now,
    // as a blocked evaluation is when capacity returns.
    placeMissing();
    publishSnapshot();
}

void LabRuntime::loseAllocation(AllocationRunner *runner, const QString &node)
{
    InstanceSnapshot record = runner->snapshot();
    record.state = InstanceState::Lost;
    record.health = HealthStatus::Unknown;
    record.pid = 0;
    record.counterValue.reset();
    record.previousAllocation = runner->plan().previousAllocId;
    // The scheduler's words for it (hashicorp/nomad: scheduler/generic_sched.go allocLost).
    record.message = QStringLiteral("alloc is lost since its node is down");
    // Lost before the runner stops, so its last task events (Killing,
    // Killed) do not reach the Nomad state: a down node's client reports
    // nothing.
    if (m_nomad)
        m_nomad->allocationLost(record.allocId);
    m_runners.removeOne(runner);
    m_placement.release(runner->plan());
    retire(runner, QStringLiteral("node %1 is down").arg(node));
    QList<InstanceSnapshot> &kept = m_lost[record.serviceId];
    kept.append(record);
    while (kept.size() > nomad::NomadState::kKeptLostAllocations)
        kept.removeFirst();
}

QString LabRuntime::unreplacedLost(const model::ServiceId &service, int index) const
{
    const QList<InstanceSnapshot> kept = m_lost.value(service);
    for (auto it = kept.crbegin(); it != kept.crend(); ++it) {
        if (it->index == index && it->nextAllocation.isEmpty())
            return it->allocId;
    }
    return {};
}

void LabRuntime::placeMissing()
{
    const QList<model::Service> services = m_topology ? m_topology->services : QList<model::Service>();
    for (const model::Service &service : services) {
        const int count = m_counts.value(service.id);
        for (int index = 0; index < count; ++index) {
            const bool held = std::any_of(m_runners.cbegin(), m_runners.cend(), [&](const AllocationRunner *r) {
                return r->service().id == service.id && r->plan().index == index;
            });
            if (!held)
                startAllocation(*m_topology->service(service.id), index, unreplacedLost(service.id, index));
        }
    }
}

void LabRuntime::retire(AllocationRunner *runner, const QString &why)
{
    runner->stop(why);
    if (runner->isIdle())
        runner->deleteLater();
    else
        connect(runner, &AllocationRunner::idle, runner, &QObject::deleteLater);
}

void LabRuntime::setArrowAction(const model::UpstreamId &arrow, model::IntentionAction action)
{
    if (!m_topology)
        return;
    const model::Upstream *upstream = m_topology->upstream(arrow);
    const model::Service *source = upstream ? m_topology->service(upstream->downstream) : nullptr;
    const model::Service *destination = upstream ? m_topology->service(upstream->destination) : nullptr;
    if (!source || !destination)
        return;
    m_actions.insert(arrow, action);
    m_catalog.setIntention(source->name, destination->name, action);
    emitEvent(
        LabEvent::Kind::Drill, QString(), QString(),
        QStringLiteral("intention %1 → %2 is now %3").arg(source->name, destination->name, model::toString(action)));
    publishSnapshot();
}

void LabRuntime::setArrowFault(const model::UpstreamId &arrow, std::chrono::milliseconds latency, double failureRate)
{
    if (!m_topology || !m_topology->upstream(arrow))
        return;
    failureRate = std::clamp(failureRate, 0.0, 1.0);
    latency = std::max(latency, std::chrono::milliseconds(0));
    if (latency.count() == 0 && failureRate == 0)
        m_faults.remove(arrow);
    else
        m_faults.insert(arrow, {latency, failureRate});
    for (AllocationRunner *runner : std::as_const(m_runners))
        runner->setArrowFault(arrow, latency, failureRate);
    emitEvent(LabEvent::Kind::Drill, QString(), QString(),
              QStringLiteral("arrow %1: %2 ms added latency, %3 % of connections fail")
                  .arg(arrow.value)
                  .arg(latency.count())
                  .arg(failureRate * 100, 0, 'g', 3));
    publishSnapshot();
}

void LabRuntime::setCount(const model::ServiceId &serviceId, int count)
{
    const model::Service *service = m_topology ? m_topology->service(serviceId) : nullptr;
    if (!service || count < 0)
        return;
    const int current = m_counts.value(serviceId);
    emitEvent(LabEvent::Kind::Drill, service->name, QString(), QStringLiteral("count %1 → %2").arg(current).arg(count));
    m_counts.insert(serviceId, count);
    for (int index = current; index < count; ++index)
        startAllocation(*service, index);
    // Lowering the count stops the highest indexes, as Nomad does.
    for (int index = current - 1; index >= count; --index) {
        for (AllocationRunner *candidate : std::as_const(m_runners)) {
            if (candidate->service().id != serviceId || candidate->plan().index != index)
                continue;
            m_runners.removeOne(candidate);
            m_placement.release(candidate->plan());
            retire(candidate, QStringLiteral("count lowered to %1").arg(count));
            break;
        }
    }
    publishSnapshot();
}

void LabRuntime::placeJob(const QString &jobId, quint64 version, const QList<model::Service> &services,
                          const QList<model::Upstream> &upstreams)
{
    if (!m_running || m_shuttingDown)
        return;
    // A new version replaces the old one's allocations (Nomad's destructive
    // update, all at once: the lab has no rolling update).
    removeJobAllocations(jobId, QStringLiteral("job %1 is at version %2 now").arg(jobId).arg(version));

    model::Topology merged = *m_topology;
    QList<model::Service> added;
    QList<model::Upstream> arrows;
    for (const model::Service &submitted : services) {
        const model::Service *designed = nullptr;
        if (m_submittingDesign && m_design) {
            for (const model::Service *candidate : m_design->servicesOfJob(jobId)) {
                if (candidate->group == submitted.group)
                    designed = candidate;
            }
        }
        if (designed) {
            // The design's own service (its id, its arrows' ids), with the
            // count the scheduler could place.
            model::Service service = *designed;
            service.count = submitted.count;
            added.append(service);
            for (const model::Upstream *upstream : m_design->upstreamsFrom(designed->id))
                arrows.append(*upstream);
        } else {
            added.append(submitted);
        }
    }
    merged.services += added;
    // Arrows of submitted jobs name their destination by Consul service
    // name, which may be a service of another job: the id of that service
    // when it runs, else the name (AllocationRunner resolves it by name).
    for (model::Upstream upstream : upstreams) {
        if (std::any_of(arrows.cbegin(), arrows.cend(),
                        [&](const model::Upstream &a) { return a.downstream.value == upstream.downstream.value; }))
            continue;
        if (!std::any_of(added.cbegin(), added.cend(),
                         [&](const model::Service &s) { return s.id == upstream.downstream; }))
            continue;
        if (const model::Service *destination = merged.serviceByName(upstream.destination.value))
            upstream.destination = destination->id;
        arrows.append(upstream);
    }
    merged.upstreams += arrows;
    m_topology = std::make_shared<const model::Topology>(std::move(merged));
    m_jobVersions.insert(jobId, version);

    for (const model::Service &service : std::as_const(added)) {
        if (service.connectSidecar && !m_identities.contains(service.name)) {
            if (Result<> issued = issueLeaf(service.name); !issued) {
                emitEvent(LabEvent::Kind::Error, service.name, QString(), issued.error().message);
                continue;
            }
        }
        m_counts.insert(service.id, service.count);
        for (int index = 0; index < service.count; ++index)
            startAllocation(*m_topology->service(service.id), index);
    }
    // run() reports the design's jobs itself, after runStarted: no snapshot
    // may reach the facade before the run is known to have started.
    if (!m_submittingDesign)
        publishSnapshot();
}

void LabRuntime::stopJob(const QString &jobId)
{
    if (!m_running || m_shuttingDown)
        return;
    removeJobAllocations(jobId, QStringLiteral("job %1 was stopped").arg(jobId));
    model::Topology rest = *m_topology;
    QSet<QString> gone;
    for (const model::Service &service : std::as_const(rest.services)) {
        if (service.job == jobId)
            gone.insert(service.id.value);
    }
    rest.services.removeIf([&](const model::Service &s) { return gone.contains(s.id.value); });
    rest.upstreams.removeIf([&](const model::Upstream &u) { return gone.contains(u.downstream.value); });
    for (const QString &id : std::as_const(gone)) {
        m_counts.remove(model::ServiceId{id});
        m_lost.remove(model::ServiceId{id});
    }
    m_topology = std::make_shared<const model::Topology>(std::move(rest));
    m_jobVersions.remove(jobId);
    publishSnapshot();
}

void LabRuntime::startAllocation(const model::Service &service, int index, const QString &previousAllocId)
{
    // Nomad's defaults for a service job (api/jobs.go Canonicalize): healthy
    // after 10 s of passing checks, unhealthy if not by 5 min.
    std::chrono::milliseconds minHealthy{10'000};
    std::chrono::milliseconds healthyDeadline{300'000};
    std::optional<AllocationRunner::Context::RestartPolicy> restartPolicy;
    const std::optional<QJsonObject> job = m_nomad ? m_nomad->job(service.job) : std::nullopt;
    if (job) {
        const QJsonObject group = groupOf(*job, service.group);
        const QJsonObject update
            = group.value(u"Update").isObject() ? group.value(u"Update").toObject() : job->value(u"Update").toObject();
        minHealthy = nanosecondsIn(update, u"MinHealthyTime", minHealthy);
        healthyDeadline = nanosecondsIn(update, u"HealthyDeadline", healthyDeadline);
        // The design's own services keep the lab's restart-for-ever back-off
        // (Run is for watching; its drills kill tasks on purpose).
        const bool fromDesign = m_design && m_design->service(service.id) != nullptr;
        const QJsonObject restart = group.value(u"RestartPolicy").toObject();
        if (!fromDesign && !restart.isEmpty()) {
            AllocationRunner::Context::RestartPolicy policy;
            policy.attempts = restart.value(u"Attempts").toInt(policy.attempts);
            policy.interval = nanosecondsIn(restart, u"Interval", policy.interval);
            policy.delay = nanosecondsIn(restart, u"Delay", policy.delay);
            policy.failWhenExhausted = restart.value(u"Mode").toString(QStringLiteral("fail")) == u"fail";
            restartPolicy = policy;
        }
    }
    AllocationRunner *runner = addAllocation(service, index, restartPolicy, previousAllocId);
    if (!runner)
        return;
    if (m_nomad)
        new AllocationReporter(runner, m_nomad, service.job, m_jobVersions.value(service.job), minHealthy,
                               healthyDeadline);
    runner->start();
    if (auto *reporter = runner->findChild<AllocationReporter *>(QString(), Qt::FindDirectChildrenOnly))
        reporter->placed();
    if (previousAllocId.isEmpty())
        return;
    if (m_nomad)
        m_nomad->allocationReplaced(previousAllocId, runner->plan().allocId);
    for (InstanceSnapshot &lost : m_lost[service.id]) {
        if (lost.allocId == previousAllocId)
            lost.nextAllocation = runner->plan().allocId;
    }
}

void LabRuntime::removeJobAllocations(const QString &jobId, const QString &why)
{
    const QList<AllocationRunner *> runners = m_runners;
    for (AllocationRunner *candidate : runners) {
        if (candidate->service().job != jobId)
            continue;
        m_runners.removeOne(candidate);
        m_placement.release(candidate->plan());
        retire(candidate, why);
    }
}

LabSnapshot LabRuntime::buildSnapshot()
{
    LabSnapshot snapshot;
    snapshot.running = m_running;
    snapshot.taken = QDateTime::currentDateTime();
    if (!m_topology)
        return snapshot;
    snapshot.trustDomain = m_ca ? m_ca->trustDomain() : QString();
    snapshot.datacenter = m_topology->settings.datacenter;
    for (int i = 0; i < m_placement.nodes().size(); ++i) {
        const LabNode &node = m_placement.nodes().at(i);
        const auto url = [](const QString &hostPort) { return hostPort.isEmpty() ? QString() : u"http://" + hostPort; };
        snapshot.nodes.append(NodeSnapshot{node.name, node.address.toString(), m_placement.isNodeUp(i),
                                           url(m_api ? m_api->consulAddress(node.name) : QString()),
                                           url(m_api ? m_api->nomadAddress(node.name) : QString())});
    }
    // Instances in design order, then by index.
    for (const model::Service &service : m_topology->services) {
        QList<InstanceSnapshot> ofService;
        QSet<int> held;
        for (const AllocationRunner *runner : std::as_const(m_runners)) {
            if (runner->service().id != service.id)
                continue;
            InstanceSnapshot instance = runner->snapshot();
            instance.previousAllocation = runner->plan().previousAllocId;
            ofService.append(instance);
            held.insert(runner->plan().index);
        }
        // What the count wants and no node could take yet (all down).
        for (int index = 0; index < m_counts.value(service.id); ++index) {
            if (held.contains(index))
                continue;
            InstanceSnapshot waiting;
            waiting.allocName = Placement::allocationName(service, index);
            waiting.index = index;
            waiting.serviceId = service.id;
            waiting.serviceName = service.name;
            waiting.state = InstanceState::Pending;
            waiting.message = QStringLiteral("waiting for a node to place it on");
            waiting.previousAllocation = unreplacedLost(service.id, index);
            ofService.append(waiting);
        }
        std::sort(ofService.begin(), ofService.end(),
                  [](const InstanceSnapshot &a, const InstanceSnapshot &b) { return a.index < b.index; });
        snapshot.instances.append(ofService);
        snapshot.lost.append(m_lost.value(service.id));
    }

    const qint64 now = m_runClock.elapsed();
    for (const model::Upstream &upstream : m_topology->upstreams) {
        const model::Service *source = m_topology->service(upstream.downstream);
        const model::Service *destination = m_topology->service(upstream.destination);
        if (!source || !destination)
            continue;
        ArrowSnapshot arrow;
        arrow.id = upstream.id;
        arrow.from = source->name;
        arrow.to = destination->name;
        arrow.allowed = m_catalog.isAllowed(source->name, destination->name);
        for (const AllocationRunner *runner : std::as_const(m_runners)) {
            const std::optional<proxy::MetricsSnapshot> metrics = runner->upstreamMetrics(upstream.id);
            if (!metrics)
                continue;
            arrow.activeConnections += metrics->activeConnections;
            arrow.totalConnections += metrics->totalConnections;
            arrow.bytesSent += metrics->bytesFromDownstream;
            arrow.bytesReceived += metrics->bytesToDownstream;
            arrow.connectFailures += metrics->connectFailures;
        }
        arrow.refusals = m_arrowDenials.value(upstream.id);
        ByteRate &rate = m_arrowRates[upstream.id];
        rate.add(now, arrow.bytesSent + arrow.bytesReceived);
        arrow.bytesPerSecond = rate.perSecond();
        const auto fault = m_faults.constFind(upstream.id);
        if (fault != m_faults.constEnd()) {
            arrow.addedLatencyMs = int(fault->first.count());
            arrow.failureRate = fault->second;
        }
        snapshot.arrows.append(arrow);
    }

    // Endpoints: dashboards first (the template, or the job the seed's jq
    // recipe looks for), then the rest in design order.
    QList<Endpoint> dashboards;
    QList<Endpoint> others;
    for (const InstanceSnapshot &instance : std::as_const(snapshot.instances)) {
        if (instance.state == InstanceState::Stopped || instance.state == InstanceState::Failed)
            continue;
        const model::Service *service = m_topology->service(instance.serviceId);
        const bool dashboard
            = service->templateKind == model::ServiceTemplate::Dashboard || service->job == QLatin1String("dashboard");
        for (const AllocatedPort &port : instance.ports) {
            if (port.hostPort == 0)
                continue;
            Endpoint endpoint{instance.serviceName, instance.allocName, port.label,
                              QStringLiteral("http://%1:%2").arg(port.hostAddress).arg(port.hostPort)};
            (dashboard ? dashboards : others).append(endpoint);
        }
    }
    snapshot.endpoints = dashboards + others;
    for (const Endpoint &endpoint : std::as_const(dashboards)) {
        if (endpoint.label == QLatin1String("http")) {
            snapshot.dashboardUrl = endpoint.url;
            break;
        }
    }
    if (snapshot.dashboardUrl.isEmpty() && !snapshot.endpoints.isEmpty())
        snapshot.dashboardUrl = snapshot.endpoints.constFirst().url;
    return snapshot;
}

void LabRuntime::publishSnapshot()
{
    if (m_running && !m_shuttingDown)
        Q_EMIT snapshotReady(buildSnapshot());
}

} // namespace mesh::lab
