#include "nomadstate.h"

#include "jobdiff.h"
#include "jobscheduler.h"
#include "jobspec.h"

#include "core/goduration.h"

#include <QDateTime>
#include <QTimer>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace mesh::lab::nomad {

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 nowNs()
{
    return nowMs() * 1'000'000;
}

// Go's time.Time in JSON: RFC 3339; the zero time for "never".
QString rfc3339(qint64 ms)
{
    if (ms == 0)
        return u"0001-01-01T00:00:00Z"_s;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// Go's time.Duration.String() for whole seconds and above, enough for
// restart delays and kill timeouts ("15s", "1m30s", "30m0s", "500ms").
// The drivers the lab's AllocationRunner can run; the injected
// connect-proxy task is the lab's own sidecar, whatever its driver says.
bool labRunsDriver(const QString &driver)
{
    return driver == u"exec" || driver == u"raw_exec" || driver == u"docker";
}

// What a Nomad client says of each client status (hashicorp/nomad:
// client/allocrunner/alloc_runner.go getClientStatus).
QString clientDescription(const QString &clientStatus)
{
    if (clientStatus == u"failed")
        return QStringLiteral("Failed tasks");
    if (clientStatus == u"running")
        return QStringLiteral("Tasks are running");
    if (clientStatus == u"complete")
        return QStringLiteral("All tasks have completed");
    return QStringLiteral("No tasks have started");
}

bool isTerminal(const QString &clientStatus)
{
    return clientStatus == u"complete" || clientStatus == u"failed" || clientStatus == u"lost";
}

} // namespace

NomadState::NomadState(const QList<LabNode> &nodes, QObject *parent)
    : QObject(parent)
{
    for (const LabNode &n : nodes)
        m_nodes.append({newId(), n.name, n.address.toString(), true, 1, 1});
}

NomadState::~NomadState() = default;

QString NomadState::leaderAddress() const
{
    return (m_nodes.isEmpty() ? u"127.0.0.1"_s : m_nodes.first().address) + u":4647"_s;
}

quint64 NomadState::bump(std::initializer_list<Table> tables)
{
    ++m_index;
    for (Table t : tables)
        m_tableIndex.insert(int(t), m_index);
    return m_index;
}

QJsonObject NomadState::failedAllocations(const QJsonObject &job, QHash<QString, int> *placeable) const
{
    int up = 0;
    for (const Node &n : m_nodes)
        up += n.up ? 1 : 0;
    const QJsonArray datacenters = job.value(u"Datacenters").toArray();
    const bool inDc = datacenters.contains(u"*"_s) || datacenters.contains(u"dc1"_s);
    const int eligible = inDc ? up : 0;

    QJsonObject failed;
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
        const QJsonObject group = g.toObject();
        const QString name = group.value(u"Name").toString();
        const int count = int(group.value(u"Count").toInteger());
        QJsonObject metric{{u"NodesEvaluated"_s, eligible},
                           {u"NodesFiltered"_s, 0},
                           {u"NodesInPool"_s, int(m_nodes.size())},
                           {u"NodePool"_s, u"default"_s},
                           {u"NodesAvailable"_s, QJsonObject{{u"dc1"_s, up}}},
                           {u"NodesExhausted"_s, 0},
                           {u"AllocationTime"_s, 0},
                           {u"CoalescedFailures"_s, 0}};
        int fits = count;
        QString missingDriver;
        for (const QJsonValue &t : group.value(u"Tasks").toArray()) {
            const QJsonObject task = t.toObject();
            if (!JobSpec::isConnectProxyTask(task) && !labRunsDriver(task.value(u"Driver").toString()))
                missingDriver = task.value(u"Driver").toString();
        }
        const QJsonObject network = group.value(u"Networks").toArray().first().toObject();
        const QJsonArray reserved = network.value(u"ReservedPorts").toArray();
        if (eligible == 0) {
            fits = 0;
        } else if (!missingDriver.isEmpty()) {
            // nomad/scheduler/feasible.go DriverChecker: "missing drivers".
            fits = 0;
            metric.insert(u"NodesFiltered", eligible);
            metric.insert(u"ConstraintFiltered", QJsonObject{{u"missing drivers"_s, eligible}});
        } else if (!reserved.isEmpty() && count > eligible) {
            // One node has one of each static host port.
            fits = eligible;
            const QJsonObject port = reserved.first().toObject();
            metric.insert(u"NodesExhausted", eligible);
            metric.insert(u"DimensionExhausted",
                          QJsonObject{{u"network: reserved port collision %1=%2"_s.arg(port.value(u"Label").toString())
                                           .arg(port.value(u"Value").toInteger()),
                                       eligible}});
        }
        if (placeable)
            placeable->insert(name, fits);
        if (fits < count) {
            metric.insert(u"CoalescedFailures", count - fits - 1);
            failed.insert(name, metric);
        }
    }
    return failed;
}

QString NomadState::createEvaluation(const QString &jobId, const QJsonObject &job, const QString &triggeredBy,
                                     const QJsonObject &failed, const QString &deploymentId)
{
    const quint64 index = bump({Table::Evaluations});
    const qint64 now = nowNs();
    QJsonObject queued;
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
        const QString name = g.toObject().value(u"Name").toString();
        const QJsonObject metric = failed.value(name).toObject();
        queued.insert(name, metric.isEmpty() ? 0 : int(metric.value(u"CoalescedFailures").toInteger()) + 1);
    }
    QJsonObject eval{{u"ID"_s, newId()},
                     {u"Namespace"_s, u"default"_s},
                     {u"Priority"_s, job.value(u"Priority").toInt(50)},
                     {u"Type"_s, job.value(u"Type").toString(u"service"_s)},
                     {u"TriggeredBy"_s, triggeredBy},
                     {u"JobID"_s, jobId},
                     {u"JobModifyIndex"_s, job.value(u"JobModifyIndex")},
                     {u"Status"_s, u"complete"_s},
                     {u"StatusDescription"_s, QString()},
                     {u"DeploymentID"_s, deploymentId},
                     {u"QueuedAllocations"_s, queued},
                     {u"SnapshotIndex"_s, qint64(index)},
                     {u"CreateIndex"_s, qint64(index)},
                     {u"ModifyIndex"_s, qint64(index)},
                     {u"CreateTime"_s, now},
                     {u"ModifyTime"_s, now}};
    if (!failed.isEmpty()) {
        // The scheduler completes the evaluation and leaves a blocked one
        // that waits for capacity (nomad/scheduler/generic_sched.go).
        eval.insert(u"FailedTGAllocs", failed);
        const QString blockedId = newId();
        const quint64 blockedIndex = bump({Table::Evaluations});
        QJsonObject blocked = eval;
        blocked.insert(u"ID", blockedId);
        blocked.insert(u"Status", u"blocked"_s);
        blocked.insert(u"StatusDescription", u"created to place remaining allocations"_s);
        blocked.insert(u"TriggeredBy", u"queued-allocs"_s);
        blocked.insert(u"PreviousEval", eval.value(u"ID"));
        blocked.remove(u"FailedTGAllocs");
        blocked.insert(u"CreateIndex", qint64(blockedIndex));
        blocked.insert(u"ModifyIndex", qint64(blockedIndex));
        m_evaluations.insert(blockedId, blocked);
        eval.insert(u"BlockedEval", blockedId);
    }
    m_evaluations.insert(eval.value(u"ID").toString(), eval);
    return eval.value(u"ID").toString();
}

QString NomadState::createDeployment(const QJsonObject &job)
{
    const quint64 index = bump({Table::Deployments});
    const qint64 now = nowNs();
    QJsonObject groups;
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
        const QJsonObject group = g.toObject();
        const QJsonObject update = group.value(u"Update").toObject();
        groups.insert(group.value(u"Name").toString(),
                      QJsonObject{{u"AutoRevert"_s, update.value(u"AutoRevert").toBool()},
                                  {u"AutoPromote"_s, update.value(u"AutoPromote").toBool()},
                                  {u"ProgressDeadline"_s, update.value(u"ProgressDeadline").toInteger()},
                                  {u"RequireProgressBy"_s, rfc3339(0)},
                                  {u"Promoted"_s, false},
                                  {u"PlacedCanaries"_s, QJsonArray()},
                                  {u"DesiredCanaries"_s, 0},
                                  {u"DesiredTotal"_s, group.value(u"Count").toInt()},
                                  {u"PlacedAllocs"_s, 0},
                                  {u"HealthyAllocs"_s, 0},
                                  {u"UnhealthyAllocs"_s, 0}});
    }
    const QString id = newId();
    m_deployments.insert(id, QJsonObject{{u"ID"_s, id},
                                         {u"Namespace"_s, u"default"_s},
                                         {u"JobID"_s, job.value(u"ID")},
                                         {u"JobVersion"_s, job.value(u"Version")},
                                         {u"JobModifyIndex"_s, job.value(u"JobModifyIndex")},
                                         {u"JobSpecModifyIndex"_s, job.value(u"JobModifyIndex")},
                                         {u"JobCreateIndex"_s, job.value(u"CreateIndex")},
                                         {u"IsMultiregion"_s, false},
                                         {u"TaskGroups"_s, groups},
                                         {u"Status"_s, u"running"_s},
                                         {u"StatusDescription"_s, u"Deployment is running"_s},
                                         {u"CreateIndex"_s, qint64(index)},
                                         {u"ModifyIndex"_s, qint64(index)},
                                         {u"CreateTime"_s, now},
                                         {u"ModifyTime"_s, now}});
    return id;
}

void NomadState::cancelDeployment(const QString &deploymentId, const QString &description)
{
    auto it = m_deployments.find(deploymentId);
    if (it == m_deployments.end() || it->value(u"Status").toString() != u"running")
        return;
    delete m_deadlines.take(deploymentId);
    const quint64 index = bump({Table::Deployments});
    it->insert(u"Status", u"cancelled"_s);
    it->insert(u"StatusDescription", description);
    it->insert(u"ModifyIndex", qint64(index));
    it->insert(u"ModifyTime", nowNs());
}

void NomadState::failDeployment(const QString &deploymentId, const QString &description)
{
    auto it = m_deployments.find(deploymentId);
    if (it == m_deployments.end() || it->value(u"Status").toString() != u"running")
        return;
    delete m_deadlines.take(deploymentId);
    const quint64 index = bump({Table::Deployments});
    it->insert(u"Status", u"failed"_s);
    it->insert(u"StatusDescription", description);
    it->insert(u"ModifyIndex", qint64(index));
    it->insert(u"ModifyTime", nowNs());
    Q_EMIT changed(m_index);
}

void NomadState::armProgressDeadline(const QString &deploymentId)
{
    auto it = m_deployments.find(deploymentId);
    if (it == m_deployments.end() || it->value(u"Status").toString() != u"running")
        return;
    // Every placement and every healthy allocation moves RequireProgressBy
    // to now + progress_deadline (nomad/deploymentwatcher); 0 disables it.
    QJsonObject groups = it->value(u"TaskGroups").toObject();
    qint64 deadlineNs = 0;
    for (auto g = groups.begin(); g != groups.end(); ++g) {
        QJsonObject state = g.value().toObject();
        const qint64 d = state.value(u"ProgressDeadline").toInteger();
        if (d <= 0)
            continue;
        deadlineNs = deadlineNs == 0 ? d : std::min(deadlineNs, d);
        state.insert(u"RequireProgressBy", rfc3339(nowMs() + d / 1'000'000));
        g.value() = state;
    }
    it->insert(u"TaskGroups", groups);
    if (deadlineNs == 0)
        return;
    QTimer *&timer = m_deadlines[deploymentId];
    if (!timer) {
        timer = new QTimer(this);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this,
                [this, deploymentId] { failDeployment(deploymentId, u"Failed due to progress deadline"_s); });
    }
    timer->start(std::chrono::milliseconds(std::max<qint64>(1, deadlineNs / 1'000'000)));
}

void NomadState::updateDeployment(const QString &deploymentId)
{
    auto it = m_deployments.find(deploymentId);
    if (it == m_deployments.end())
        return;
    QJsonObject groups = it->value(u"TaskGroups").toObject();
    QHash<QString, std::array<int, 3>> counts; // placed, healthy, unhealthy
    for (const Allocation &a : std::as_const(m_allocations)) {
        if (a.deploymentId != deploymentId)
            continue;
        auto &c = counts[a.placed.group];
        ++c[0];
        if (a.healthy)
            ++c[*a.healthy ? 1 : 2];
    }
    bool allHealthy = true;
    bool anyUnhealthy = false;
    for (auto g = groups.begin(); g != groups.end(); ++g) {
        QJsonObject state = g.value().toObject();
        const auto c = counts.value(g.key(), {0, 0, 0});
        state.insert(u"PlacedAllocs", c[0]);
        state.insert(u"HealthyAllocs", c[1]);
        state.insert(u"UnhealthyAllocs", c[2]);
        allHealthy = allHealthy && c[1] >= state.value(u"DesiredTotal").toInt();
        anyUnhealthy = anyUnhealthy || c[2] > 0;
        g.value() = state;
    }
    const quint64 index = bump({Table::Deployments});
    it->insert(u"TaskGroups", groups);
    it->insert(u"ModifyIndex", qint64(index));
    it->insert(u"ModifyTime", nowNs());
    if (it->value(u"Status").toString() != u"running")
        return;
    if (anyUnhealthy) {
        failDeployment(deploymentId, u"Failed due to unhealthy allocations"_s);
    } else if (allHealthy) {
        delete m_deadlines.take(deploymentId);
        it->insert(u"Status", u"successful"_s);
        it->insert(u"StatusDescription", u"Deployment completed successfully"_s);
        // A successful deployment marks its job version stable.
        auto job = m_jobs.find(it->value(u"JobID").toString());
        if (job != m_jobs.end() && job->job.value(u"Version") == it->value(u"JobVersion")) {
            job->job.insert(u"Stable", true);
            m_tableIndex.insert(int(Table::Jobs), index);
        }
    }
}

Result<NomadState::WriteResult> NomadState::registerJob(const QJsonObject &job, const RegisterOptions &options)
{
    const QString id = job.value(u"ID").toString();
    auto existing = m_jobs.find(id);

    // nomad/job_endpoint.go checkJobModifyIndex (the texts are the server's).
    if (options.enforceIndex) {
        const QString prefix = u"Enforcing job modify index"_s;
        if (existing == m_jobs.end() && options.jobModifyIndex != 0)
            return fail(Error::Code::Conflict, u"%1 %2: job does not exist"_s.arg(prefix).arg(options.jobModifyIndex));
        if (existing != m_jobs.end()) {
            const quint64 current = quint64(existing->job.value(u"JobModifyIndex").toInteger());
            if (options.jobModifyIndex == 0)
                return fail(Error::Code::Conflict, u"%1 0: job already exists"_s.arg(prefix));
            if (options.jobModifyIndex != current)
                return fail(Error::Code::Conflict,
                            u"%1 %2: job exists with conflicting job modify index: %3"_s.arg(prefix)
                                .arg(options.jobModifyIndex)
                                .arg(current));
        }
    }

    const bool changed = existing == m_jobs.end() || existing->job.value(u"Stop").toBool()
                         || JobSpec::specOf(existing->job) != JobSpec::specOf(job);
    WriteResult result;
    QHash<QString, int> placeable;
    if (changed) {
        const quint64 index = bump({Table::Jobs});
        QJsonObject stored = job;
        stored.insert(u"Stop", false);
        stored.insert(u"Stable", false);
        stored.insert(u"Status", u"pending"_s);
        stored.insert(u"StatusDescription", QString());
        stored.insert(u"SubmitTime", nowNs());
        stored.insert(u"ModifyIndex", qint64(index));
        stored.insert(u"JobModifyIndex", qint64(index));
        if (existing == m_jobs.end()) {
            stored.insert(u"Version", 0);
            stored.insert(u"CreateIndex", qint64(index));
            existing = m_jobs.insert(id, JobEntry{});
        } else {
            stored.insert(u"Version", existing->job.value(u"Version").toInteger() + 1);
            stored.insert(u"CreateIndex", existing->job.value(u"CreateIndex"));
            cancelDeployment(existing->latestDeploymentId, u"Cancelled due to newer version of job"_s);
        }
        existing->job = stored;
        existing->submission = options.submission;
        if (stored.value(u"Type").toString() == u"service")
            existing->latestDeploymentId = createDeployment(stored);
    }
    const QJsonObject failed = failedAllocations(existing->job, &placeable);
    existing->latestEvalId = createEvaluation(id, existing->job, u"job-register"_s, failed,
                                              changed ? existing->latestDeploymentId : QString());
    const QJsonObject eval = m_evaluations.value(existing->latestEvalId);
    result.evalId = existing->latestEvalId;
    result.evalCreateIndex = quint64(eval.value(u"CreateIndex").toInteger());
    result.jobModifyIndex = quint64(existing->job.value(u"JobModifyIndex").toInteger());
    result.index = result.jobModifyIndex;
    if (changed)
        armProgressDeadline(existing->latestDeploymentId);

    if (changed && m_scheduler) {
        RunModel run = JobSpec::runModel(existing->job);
        QList<model::Service> services;
        for (model::Service &s : run.services) {
            s.count = placeable.value(s.group, s.count);
            if (s.count > 0)
                services.append(s);
        }
        QList<model::Upstream> upstreams;
        for (const model::Upstream &u : std::as_const(run.upstreams)) {
            if (std::any_of(services.begin(), services.end(),
                            [&](const model::Service &s) { return s.id == u.downstream; }))
                upstreams.append(u);
        }
        m_scheduler->placeJob(id, quint64(existing->job.value(u"Version").toInteger()), services, upstreams);
    }
    Q_EMIT this->changed(m_index);
    return result;
}

Result<NomadState::WriteResult> NomadState::deregisterJob(const QString &jobId, bool purge)
{
    auto it = m_jobs.find(jobId);
    if (it == m_jobs.end())
        return fail(Error::Code::NotFound, u"job not found"_s);
    WriteResult result;
    cancelDeployment(it->latestDeploymentId, u"Cancelled because job is stopped"_s);
    const quint64 index = bump({Table::Jobs, Table::Allocations});
    QJsonObject job = it->job;
    if (!purge) {
        // A stop is a new version of the job with Stop = true.
        job.insert(u"Stop", true);
        job.insert(u"Version", job.value(u"Version").toInteger() + 1);
        job.insert(u"ModifyIndex", qint64(index));
        job.insert(u"JobModifyIndex", qint64(index));
        it->job = job;
    }
    for (Allocation &a : m_allocations) {
        if (a.placed.jobId == jobId && a.desiredStatus == u"run") {
            a.desiredStatus = u"stop"_s;
            a.modifyIndex = index;
            a.modifyTimeNs = nowNs();
        }
    }
    result.evalId = createEvaluation(jobId, job, u"job-deregister"_s, {}, QString());
    result.evalCreateIndex = quint64(m_evaluations.value(result.evalId).value(u"CreateIndex").toInteger());
    result.jobModifyIndex = quint64(job.value(u"JobModifyIndex").toInteger());
    result.index = m_index;
    if (purge)
        m_jobs.erase(it);
    else
        it->latestEvalId = result.evalId;
    if (m_scheduler)
        m_scheduler->stopJob(jobId);
    Q_EMIT changed(m_index);
    return result;
}

QJsonObject NomadState::plan(const QJsonObject &job, bool withDiff) const
{
    const QString id = job.value(u"ID").toString();
    const auto existing = m_jobs.constFind(id);
    const bool exists = existing != m_jobs.constEnd();
    const QJsonObject old = exists ? existing->job : QJsonObject();

    QJsonObject diff = JobDiff::diff(exists ? JobSpec::specOf(old) : QJsonObject(), JobSpec::specOf(job), id);

    // Desired updates per group (the reconciler's arithmetic for the cases
    // the lab meets): a changed task, network or service replaces every
    // allocation; only a count change places or stops the difference.
    QHash<QString, int> placeable;
    const QJsonObject failed = failedAllocations(job, &placeable);
    QHash<QString, QJsonObject> oldGroups;
    for (const QJsonValue &g : old.value(u"TaskGroups").toArray())
        oldGroups.insert(g.toObject().value(u"Name").toString(), g.toObject());
    QJsonObject desired;
    QJsonArray groupDiffs = diff.value(u"TaskGroups").toArray();
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
        const QJsonObject group = g.toObject();
        const QString name = group.value(u"Name").toString();
        const int newCount = placeable.value(name, int(group.value(u"Count").toInteger()));
        int oldCount = 0;
        if (exists && !old.value(u"Stop").toBool() && oldGroups.contains(name)) {
            for (const Allocation &a : m_allocations) {
                if (a.placed.jobId == id && a.placed.group == name && a.desiredStatus == u"run"
                    && !isTerminal(a.clientStatus))
                    ++oldCount;
            }
            if (oldCount == 0)
                oldCount = int(oldGroups.value(name).value(u"Count").toInteger());
        }
        QJsonObject groupDiff;
        qsizetype diffIndex = -1;
        for (qsizetype i = 0; i < groupDiffs.size(); ++i) {
            if (groupDiffs.at(i).toObject().value(u"Name").toString() == name) {
                groupDiff = groupDiffs.at(i).toObject();
                diffIndex = i;
            }
        }
        const bool destructive = JobDiff::isDestructive(groupDiff);
        const bool inPlace = !destructive && JobDiff::isInPlace(groupDiff);
        const int kept = std::min(oldCount, newCount);
        QJsonObject updates{{u"Ignore"_s, (destructive || inPlace) ? 0 : kept},
                            {u"Place"_s, std::max(0, newCount - oldCount)},
                            {u"Migrate"_s, 0},
                            {u"Stop"_s, std::max(0, oldCount - newCount)},
                            {u"InPlaceUpdate"_s, inPlace ? kept : 0},
                            {u"DestructiveUpdate"_s, destructive ? kept : 0},
                            {u"Canary"_s, 0},
                            {u"Preemptions"_s, 0}};
        desired.insert(name, updates);
        if (diffIndex >= 0) {
            // scheduler/annotate.go: the group's Updates in lower-case words.
            QJsonObject words;
            const auto put = [&](const QString &key, const QString &word) {
                if (updates.value(key).toInt() > 0)
                    words.insert(word, updates.value(key).toInt());
            };
            put(u"Ignore"_s, u"ignore"_s);
            put(u"Place"_s, u"create"_s);
            put(u"Stop"_s, u"destroy"_s);
            put(u"InPlaceUpdate"_s, u"in-place update"_s);
            put(u"DestructiveUpdate"_s, u"create/destroy update"_s);
            groupDiff.insert(u"Updates", words);
            // scheduler/annotate.go annotateCountChange: a larger count
            // "forces create", a smaller one "forces destroy".
            QJsonArray fields = groupDiff.value(u"Fields").toArray();
            for (qsizetype f = 0; f < fields.size(); ++f) {
                QJsonObject field = fields.at(f).toObject();
                if (field.value(u"Name").toString() != u"Count" || field.value(u"Type").toString() != u"Edited")
                    continue;
                const int from = field.value(u"Old").toString().toInt();
                const int to = field.value(u"New").toString().toInt();
                if (from != to)
                    field.insert(u"Annotations", QJsonArray{to > from ? u"forces create"_s : u"forces destroy"_s});
                fields.replace(f, field);
            }
            groupDiff.insert(u"Fields", fields);
            QJsonArray tasks = groupDiff.value(u"Tasks").toArray();
            for (qsizetype t = 0; t < tasks.size(); ++t) {
                QJsonObject task = tasks.at(t).toObject();
                if (task.value(u"Type").toString() == u"Edited")
                    task.insert(u"Annotations", QJsonArray{destructive ? u"forces create/destroy update"_s
                                                                       : u"forces in-place update"_s});
                tasks.replace(t, task);
            }
            groupDiff.insert(u"Tasks", tasks);
            groupDiffs.replace(diffIndex, groupDiff);
        }
    }
    diff.insert(u"TaskGroups", groupDiffs);

    QJsonObject response{
        {u"JobModifyIndex"_s, exists ? old.value(u"JobModifyIndex").toInteger() : 0},
        {u"CreatedEvals"_s, QJsonValue::Null},
        {u"Diff"_s, withDiff ? QJsonValue(diff) : QJsonValue::Null},
        {u"Annotations"_s, QJsonObject{{u"DesiredTGUpdates"_s, desired}, {u"PreemptedAllocs"_s, QJsonValue::Null}}},
        {u"FailedTGAllocs"_s, failed.isEmpty() ? QJsonValue::Null : QJsonValue(failed)},
        {u"NextPeriodicLaunch"_s, rfc3339(0)},
        {u"Warnings"_s, QString()}};
    return response;
}

QString NomadState::jobStatus(const QString &jobId) const
{
    const auto it = m_jobs.constFind(jobId);
    if (it == m_jobs.constEnd())
        return {};
    // nomad/state/state_store.go getJobStatus, simplified: live allocations
    // make it running; a stopped job with none is dead; a blocked evaluation
    // or no allocations yet is pending.
    bool anyAlloc = false;
    for (const Allocation &a : m_allocations) {
        if (a.placed.jobId != jobId)
            continue;
        anyAlloc = true;
        if (!isTerminal(a.clientStatus) && a.desiredStatus == u"run")
            return u"running"_s;
    }
    if (it->job.value(u"Stop").toBool())
        return u"dead"_s;
    const QJsonObject eval = m_evaluations.value(it->latestEvalId);
    if (!eval.value(u"BlockedEval").toString().isEmpty() || !anyAlloc)
        return u"pending"_s;
    return u"dead"_s;
}

QJsonObject NomadState::withStatus(const QJsonObject &job) const
{
    QJsonObject out = job;
    out.insert(u"Status", jobStatus(job.value(u"ID").toString()));
    return out;
}

std::optional<QJsonObject> NomadState::job(const QString &jobId) const
{
    const auto it = m_jobs.constFind(jobId);
    if (it == m_jobs.constEnd())
        return std::nullopt;
    return withStatus(it->job);
}

std::optional<QJsonObject> NomadState::submission(const QString &jobId, qint64 version) const
{
    const auto it = m_jobs.constFind(jobId);
    if (it == m_jobs.constEnd() || it->submission.isEmpty() || it->job.value(u"Version").toInteger() != version)
        return std::nullopt;
    // structs.JobSubmission's fields (hashicorp/nomad: nomad/structs/structs.go):
    // what the client sent, plus where it belongs.
    QJsonObject out{{u"Source"_s, it->submission.value(u"Source").toString()},
                    {u"Format"_s, it->submission.value(u"Format").toString()},
                    {u"VariableFlags"_s, it->submission.value(u"VariableFlags").toObject()},
                    {u"Variables"_s, it->submission.value(u"Variables").toString()},
                    {u"Namespace"_s, it->job.value(u"Namespace").toString()},
                    {u"JobID"_s, jobId},
                    {u"Version"_s, version},
                    {u"JobModifyIndex"_s, it->job.value(u"JobModifyIndex").toInteger()}};
    return out;
}

QJsonArray NomadState::jobStubs(const QString &prefix) const
{
    QJsonArray out;
    for (const JobEntry &entry : m_jobs) {
        const QJsonObject &j = entry.job;
        if (!j.value(u"ID").toString().startsWith(prefix))
            continue;
        QJsonObject summary;
        for (const QJsonValue &g : j.value(u"TaskGroups").toArray()) {
            QHash<QString, int> by;
            for (const Allocation &a : m_allocations) {
                if (a.placed.jobId == j.value(u"ID").toString()
                    && a.placed.group == g.toObject().value(u"Name").toString())
                    ++by[a.clientStatus];
            }
            summary.insert(g.toObject().value(u"Name").toString(), QJsonObject{{u"Queued"_s, 0},
                                                                               {u"Complete"_s, by.value(u"complete"_s)},
                                                                               {u"Failed"_s, by.value(u"failed"_s)},
                                                                               {u"Running"_s, by.value(u"running"_s)},
                                                                               {u"Starting"_s, by.value(u"pending"_s)},
                                                                               {u"Lost"_s, by.value(u"lost"_s)},
                                                                               {u"Unknown"_s, 0}});
        }
        out.append(QJsonObject{
            {u"ID"_s, j.value(u"ID")},
            {u"ParentID"_s, j.value(u"ParentID")},
            {u"Name"_s, j.value(u"Name")},
            {u"Namespace"_s, j.value(u"Namespace")},
            {u"Datacenters"_s, j.value(u"Datacenters")},
            {u"Type"_s, j.value(u"Type")},
            {u"Priority"_s, j.value(u"Priority")},
            {u"Periodic"_s, false},
            {u"ParameterizedJob"_s, false},
            {u"Stop"_s, j.value(u"Stop")},
            {u"Status"_s, jobStatus(j.value(u"ID").toString())},
            {u"StatusDescription"_s, j.value(u"StatusDescription")},
            {u"JobSummary"_s, QJsonObject{{u"JobID"_s, j.value(u"ID")},
                                          {u"Namespace"_s, j.value(u"Namespace")},
                                          {u"Summary"_s, summary},
                                          {u"CreateIndex"_s, j.value(u"CreateIndex")},
                                          {u"ModifyIndex"_s, j.value(u"ModifyIndex")}}},
            {u"CreateIndex"_s, j.value(u"CreateIndex")},
            {u"ModifyIndex"_s, j.value(u"ModifyIndex")},
            {u"JobModifyIndex"_s, j.value(u"JobModifyIndex")},
            {u"SubmitTime"_s, j.value(u"SubmitTime")},
            {u"Meta"_s, j.value(u"Meta")},
        });
    }
    return out;
}

QJsonObject NomadState::taskStateJson(const TaskState &state)
{
    return {{u"State"_s, state.state},
            {u"Failed"_s, state.failed},
            {u"Restarts"_s, qint64(state.restarts)},
            {u"LastRestart"_s, rfc3339(state.lastRestartMs)},
            {u"StartedAt"_s, rfc3339(state.startedAtMs)},
            {u"FinishedAt"_s, rfc3339(state.finishedAtMs)},
            {u"Events"_s, state.events}};
}

QJsonObject NomadState::allocationJson(const Allocation &a, bool full, bool withResources) const
{
    const QString nodeId = this->nodeId(a.placed.node);
    QJsonObject taskStates;
    for (auto it = a.tasks.begin(); it != a.tasks.end(); ++it)
        taskStates.insert(it.key(), taskStateJson(it.value()));
    QJsonValue deploymentStatus = QJsonValue::Null;
    if (a.healthy)
        deploymentStatus = QJsonObject{{u"Healthy"_s, *a.healthy},
                                       {u"Timestamp"_s, rfc3339(a.healthMs)},
                                       {u"Canary"_s, false},
                                       {u"ModifyIndex"_s, qint64(a.modifyIndex)}};
    const QJsonObject job = m_jobs.value(a.placed.jobId).job;

    QJsonObject out{{u"ID"_s, a.placed.allocId},
                    {u"EvalID"_s, a.evalId},
                    {u"Name"_s, a.placed.allocName},
                    {u"Namespace"_s, u"default"_s},
                    {u"NodeID"_s, nodeId},
                    {u"NodeName"_s, a.placed.node},
                    {u"JobID"_s, a.placed.jobId},
                    {u"JobType"_s, job.value(u"Type").toString(u"service"_s)},
                    {u"JobVersion"_s, qint64(a.placed.jobVersion)},
                    {u"TaskGroup"_s, a.placed.group},
                    {u"DesiredStatus"_s, a.desiredStatus},
                    {u"DesiredDescription"_s, a.desiredDescription},
                    {u"ClientStatus"_s, a.clientStatus},
                    {u"ClientDescription"_s,
                     a.clientStatus == u"lost" ? a.lostClientDescription : clientDescription(a.clientStatus)},
                    {u"TaskStates"_s, taskStates},
                    {u"DeploymentStatus"_s, deploymentStatus},
                    {u"FollowupEvalID"_s, QString()},
                    {u"NextAllocation"_s, a.nextAllocation},
                    {u"RescheduleTracker"_s, QJsonValue::Null},
                    {u"PreemptedAllocations"_s, QJsonValue::Null},
                    {u"PreemptedByAllocation"_s, QString()},
                    {u"CreateIndex"_s, qint64(a.createIndex)},
                    {u"ModifyIndex"_s, qint64(a.modifyIndex)},
                    {u"CreateTime"_s, a.createTimeNs},
                    {u"ModifyTime"_s, a.modifyTimeNs}};
    if (full || withResources) {
        QJsonArray dynamic, reserved, ports;
        for (const AllocatedPort &p : a.placed.ports) {
            QJsonObject port{{u"Label"_s, p.label}, {u"Value"_s, p.value}, {u"To"_s, p.to}};
            (p.reserved ? reserved : dynamic).append(port);
            port.insert(u"HostIP", a.placed.nodeAddress);
            ports.append(port);
        }
        QJsonObject network{{u"Mode"_s, u"bridge"_s}, {u"IP"_s, a.placed.nodeAddress}};
        if (!dynamic.isEmpty())
            network.insert(u"DynamicPorts", dynamic);
        if (!reserved.isEmpty())
            network.insert(u"ReservedPorts", reserved);
        QJsonObject tasks;
        for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
            if (g.toObject().value(u"Name").toString() != a.placed.group)
                continue;
            for (const QJsonValue &t : g.toObject().value(u"Tasks").toArray()) {
                const QJsonObject r = t.toObject().value(u"Resources").toObject();
                tasks.insert(t.toObject().value(u"Name").toString(),
                             QJsonObject{{u"Cpu"_s, QJsonObject{{u"CpuShares"_s, r.value(u"CPU")}}},
                                         {u"Memory"_s, QJsonObject{{u"MemoryMB"_s, r.value(u"MemoryMB")}}}});
            }
        }
        out.insert(u"AllocatedResources", QJsonObject{{u"Tasks"_s, tasks},
                                                      {u"Shared"_s, QJsonObject{{u"DiskMB"_s, 300},
                                                                                {u"Networks"_s, QJsonArray{network}},
                                                                                {u"Ports"_s, ports}}}});
    }
    if (full) {
        out.insert(u"Job", job.isEmpty() ? QJsonValue::Null : QJsonValue(withStatus(job)));
        out.insert(u"DeploymentID", a.deploymentId);
        out.insert(u"NetworkStatus", QJsonObject{{u"InterfaceName"_s, u"eth0"_s},
                                                 {u"Address"_s, a.placed.allocAddress},
                                                 {u"DNS"_s, QJsonValue::Null}});
        out.insert(u"AllocModifyIndex", qint64(a.modifyIndex));
        // Only the full Allocation has it; AllocListStub does not
        // (hashicorp/nomad: nomad/structs/structs.go AllocListStub).
        out.insert(u"PreviousAllocation", a.previousAllocation);
        out.insert(u"Metrics", QJsonValue::Null);
    }
    return out;
}

std::optional<QJsonObject> NomadState::allocation(const QString &allocId) const
{
    const auto it = m_allocations.constFind(allocId);
    if (it == m_allocations.constEnd())
        return std::nullopt;
    return allocationJson(*it, true, true);
}

QJsonArray NomadState::allocationStubs(const QString &jobId, const QString &deploymentId, bool withResources) const
{
    QJsonArray out;
    for (const Allocation &a : m_allocations) {
        if ((!jobId.isEmpty() && a.placed.jobId != jobId)
            || (!deploymentId.isEmpty() && a.deploymentId != deploymentId))
            continue;
        out.append(allocationJson(a, false, withResources));
    }
    return out;
}

std::optional<QJsonObject> NomadState::evaluation(const QString &evalId) const
{
    const auto it = m_evaluations.constFind(evalId);
    if (it == m_evaluations.constEnd())
        return std::nullopt;
    return *it;
}

QJsonArray NomadState::evaluationsOfJob(const QString &jobId) const
{
    QJsonArray out;
    for (const QJsonObject &e : m_evaluations) {
        if (e.value(u"JobID").toString() == jobId)
            out.append(e);
    }
    return out;
}

std::optional<QJsonObject> NomadState::deployment(const QString &deploymentId) const
{
    const auto it = m_deployments.constFind(deploymentId);
    if (it == m_deployments.constEnd())
        return std::nullopt;
    return *it;
}

std::optional<QJsonObject> NomadState::latestDeployment(const QString &jobId) const
{
    std::optional<QJsonObject> latest;
    for (const QJsonObject &d : m_deployments) {
        if (d.value(u"JobID").toString() == jobId
            && (!latest || d.value(u"CreateIndex").toInteger() > latest->value(u"CreateIndex").toInteger()))
            latest = d;
    }
    return latest;
}

QString NomadState::nodeId(const QString &nodeName) const
{
    for (const Node &n : m_nodes) {
        if (n.name == nodeName)
            return n.id;
    }
    return {};
}

namespace {

QJsonObject drivers()
{
    QJsonObject out;
    for (const QString &d : {u"exec"_s, u"raw_exec"_s, u"docker"_s}) {
        out.insert(d, QJsonObject{{u"Attributes"_s, QJsonObject{{QString(u"driver."_s + d), u"1"_s}}},
                                  {u"Detected"_s, true},
                                  {u"Healthy"_s, true},
                                  {u"HealthDescription"_s, u"Healthy"_s},
                                  {u"UpdateTime"_s, rfc3339(0)}});
    }
    return out;
}

} // namespace

QJsonArray NomadState::nodeStubs() const
{
    QJsonArray out;
    for (const Node &n : m_nodes) {
        out.append(QJsonObject{{u"Address"_s, n.address},
                               {u"ID"_s, n.id},
                               {u"Datacenter"_s, u"dc1"_s},
                               {u"Name"_s, n.name},
                               {u"NodeClass"_s, QString()},
                               {u"NodePool"_s, u"default"_s},
                               {u"Version"_s, u"1.6.5"_s},
                               {u"Drain"_s, false},
                               {u"SchedulingEligibility"_s, u"eligible"_s},
                               {u"Status"_s, n.up ? u"ready"_s : u"down"_s},
                               {u"StatusDescription"_s, QString()},
                               {u"Drivers"_s, drivers()},
                               {u"LastDrain"_s, QJsonValue::Null},
                               {u"CreateIndex"_s, qint64(n.createIndex)},
                               {u"ModifyIndex"_s, qint64(n.modifyIndex)}});
    }
    return out;
}

std::optional<QJsonObject> NomadState::node(const QString &nodeId) const
{
    for (const Node &n : m_nodes) {
        if (n.id != nodeId)
            continue;
        return QJsonObject{{u"ID"_s, n.id},
                           {u"Name"_s, n.name},
                           {u"Datacenter"_s, u"dc1"_s},
                           {u"HTTPAddr"_s, QString(n.address + u":4646"_s)},
                           {u"NodeClass"_s, QString()},
                           {u"NodePool"_s, u"default"_s},
                           {u"Attributes"_s, QJsonObject{{u"unique.network.ip-address"_s, n.address},
                                                         {u"nomad.version"_s, u"1.6.5"_s},
                                                         {u"kernel.name"_s, u"linux"_s}}},
                           {u"Drivers"_s, drivers()},
                           {u"Status"_s, n.up ? u"ready"_s : u"down"_s},
                           {u"StatusDescription"_s, QString()},
                           {u"SchedulingEligibility"_s, u"eligible"_s},
                           {u"Drain"_s, false},
                           {u"CreateIndex"_s, qint64(n.createIndex)},
                           {u"ModifyIndex"_s, qint64(n.modifyIndex)}};
    }
    return std::nullopt;
}

void NomadState::allocationPlaced(const PlacedAllocation &placed)
{
    const quint64 index = bump({Table::Allocations});
    Allocation a;
    a.placed = placed;
    const auto job = m_jobs.constFind(placed.jobId);
    if (job != m_jobs.constEnd()) {
        a.evalId = job->latestEvalId;
        // Placements join the job's deployment only while it is active: a
        // replacement after it succeeded (a lost allocation's) has none
        // (hashicorp/nomad: scheduler/reconcile.go cancelUnneededDeployments
        // drops a terminal deployment before placing).
        const QJsonObject d = m_deployments.value(job->latestDeploymentId);
        if (quint64(d.value(u"JobVersion").toInteger()) == placed.jobVersion
            && d.value(u"Status").toString() == u"running")
            a.deploymentId = job->latestDeploymentId;
    }
    a.createIndex = a.modifyIndex = index;
    a.createTimeNs = a.modifyTimeNs = nowNs();
    m_allocations.insert(placed.allocId, a);
    if (!a.deploymentId.isEmpty()) {
        updateDeployment(a.deploymentId);
        armProgressDeadline(a.deploymentId);
    }
    Q_EMIT changed(m_index);
}

void NomadState::setAllocClientStatus(Allocation &alloc)
{
    // client/allocrunner/alloc_runner.go getClientStatus: failed beats
    // running beats pending; all dead is complete.
    int failed = 0, running = 0, pending = 0, dead = 0;
    for (const TaskState &t : std::as_const(alloc.tasks)) {
        if (t.state == u"dead")
            ++(t.failed ? failed : dead);
        else if (t.state == u"running")
            ++running;
        else
            ++pending;
    }
    if (failed > 0)
        alloc.clientStatus = u"failed"_s;
    else if (running > 0)
        alloc.clientStatus = u"running"_s;
    else if (pending > 0 || alloc.tasks.isEmpty())
        alloc.clientStatus = u"pending"_s;
    else
        alloc.clientStatus = u"complete"_s;
}

void NomadState::taskEvent(const QString &allocId, const QString &task, const TaskEventReport &report)
{
    auto it = m_allocations.find(allocId);
    if (it == m_allocations.end() || it->clientStatus == u"lost")
        return;
    TaskState &state = it->tasks[task];
    const qint64 now = nowMs();

    QJsonObject details;
    QString message = report.message;
    const QString &type = report.type;
    if (type == kTaskReceived) {
        if (message.isEmpty())
            message = u"Task received by client"_s;
    } else if (type == kTaskSetup) {
        if (message.isEmpty())
            message = u"Building Task Directory"_s;
    } else if (type == kTaskStarted) {
        if (message.isEmpty())
            message = u"Task started by client"_s;
        state.state = u"running"_s;
        state.startedAtMs = now;
    } else if (type == kTaskTerminated) {
        if (message.isEmpty()) {
            message = u"Exit Code: %1"_s.arg(report.exitCode);
            if (report.signal != 0)
                message += u", Signal: %1"_s.arg(report.signal);
        }
        details.insert(u"exit_code", QString::number(report.exitCode));
        details.insert(u"signal", QString::number(report.signal));
        state.state = u"dead"_s;
        state.finishedAtMs = now;
    } else if (type == kTaskRestarting) {
        const QString in = u"Task restarting in "_s + formatGoDuration(std::chrono::nanoseconds(report.startDelayNs));
        if (message.isEmpty())
            message = report.restartReason.isEmpty() || report.restartReason == u"Restart within policy"
                          ? in
                          : report.restartReason + u" - "_s + in;
        details.insert(u"restart_reason", report.restartReason);
        details.insert(u"start_delay", QString::number(report.startDelayNs));
        state.state = u"pending"_s;
        ++state.restarts;
        state.lastRestartMs = now;
    } else if (type == kTaskNotRestarting) {
        if (message.isEmpty())
            message = report.restartReason.isEmpty() ? u"Task exceeded restart policy"_s : report.restartReason;
        details.insert(u"restart_reason", report.restartReason);
        details.insert(u"fails_task", u"true"_s);
        state.state = u"dead"_s;
        state.failed = true;
        state.finishedAtMs = now;
    } else if (type == kTaskDriverFailure) {
        if (message.isEmpty())
            message = report.driverError.isEmpty() ? u"Failed to start task"_s : report.driverError;
        details.insert(u"driver_error", report.driverError);
    } else if (type == kTaskKilling) {
        if (message.isEmpty())
            message = u"Sent interrupt. Waiting %1 before force killing"_s.arg(
                formatGoDuration(std::chrono::nanoseconds(report.killTimeoutNs)));
        details.insert(u"kill_timeout", QString::number(report.killTimeoutNs));
    } else if (type == kTaskKilled) {
        if (message.isEmpty())
            message = u"Task successfully killed"_s;
        state.state = u"dead"_s;
        state.finishedAtMs = now;
    }
    if (report.failsTask) {
        details.insert(u"fails_task", u"true"_s);
        state.state = u"dead"_s;
        state.failed = true;
        state.finishedAtMs = now;
    }

    state.events.append(QJsonObject{{u"Type"_s, type},
                                    {u"Time"_s, now * 1'000'000},
                                    {u"DisplayMessage"_s, message},
                                    {u"Details"_s, details},
                                    {u"Message"_s, report.message},
                                    {u"FailsTask"_s, report.failsTask || type == kTaskNotRestarting},
                                    {u"RestartReason"_s, report.restartReason},
                                    {u"DriverError"_s, report.driverError},
                                    {u"ExitCode"_s, report.exitCode},
                                    {u"Signal"_s, report.signal},
                                    {u"StartDelay"_s, report.startDelayNs},
                                    {u"KillTimeout"_s, report.killTimeoutNs}});
    // The client keeps the last 10 events per task (structs.TaskState).
    while (state.events.size() > 10)
        state.events.removeFirst();

    setAllocClientStatus(*it);
    it->modifyIndex = bump({Table::Allocations});
    it->modifyTimeNs = now * 1'000'000;
    // A failed allocation is unhealthy (client/allochealth tracker).
    if (it->clientStatus == u"failed" && !it->healthy) {
        it->healthy = false;
        it->healthMs = now;
        if (!it->deploymentId.isEmpty())
            updateDeployment(it->deploymentId);
    }
    Q_EMIT changed(m_index);
}

void NomadState::allocationHealth(const QString &allocId, bool healthy)
{
    auto it = m_allocations.find(allocId);
    if (it == m_allocations.end() || it->clientStatus == u"lost" || (it->healthy && *it->healthy == healthy))
        return;
    it->healthy = healthy;
    it->healthMs = nowMs();
    it->modifyIndex = bump({Table::Allocations});
    if (!it->deploymentId.isEmpty()) {
        updateDeployment(it->deploymentId);
        if (healthy)
            armProgressDeadline(it->deploymentId);
    }
    Q_EMIT changed(m_index);
}

void NomadState::allocationStopped(const QString &allocId)
{
    auto it = m_allocations.find(allocId);
    if (it == m_allocations.end() || it->clientStatus == u"lost")
        return;
    it->desiredStatus = u"stop"_s;
    for (TaskState &t : it->tasks) {
        if (t.state != u"dead") {
            t.state = u"dead"_s;
            t.finishedAtMs = nowMs();
        }
    }
    setAllocClientStatus(*it);
    if (it->tasks.isEmpty())
        it->clientStatus = u"complete"_s;
    it->modifyIndex = bump({Table::Allocations, Table::Jobs});
    it->modifyTimeNs = nowNs();
    Q_EMIT changed(m_index);
}

void NomadState::allocationLost(const QString &allocId)
{
    auto it = m_allocations.find(allocId);
    if (it == m_allocations.end() || isTerminal(it->clientStatus))
        return;
    const quint64 index = bump({Table::Allocations, Table::Jobs});
    it->lostClientDescription = clientDescription(it->clientStatus);
    it->clientStatus = u"lost"_s;
    it->desiredStatus = u"stop"_s;
    it->desiredDescription = u"alloc is lost since its node is down"_s;
    it->modifyIndex = index;
    it->modifyTimeNs = nowNs();

    // The oldest lost allocations of the group beyond the kept number go.
    const QString jobId = it->placed.jobId;
    const QString group = it->placed.group;
    QList<std::pair<quint64, QString>> lost; // create index, id
    for (auto a = m_allocations.cbegin(); a != m_allocations.cend(); ++a) {
        if (a->clientStatus == u"lost" && a->placed.jobId == jobId && a->placed.group == group)
            lost.append({a->createIndex, a.key()});
    }
    std::sort(lost.begin(), lost.end());
    for (qsizetype i = 0; i + kKeptLostAllocations < lost.size(); ++i)
        m_allocations.remove(lost.at(i).second);
    Q_EMIT changed(m_index);
}

void NomadState::allocationReplaced(const QString &previousAllocId, const QString &allocId)
{
    auto next = m_allocations.find(allocId);
    if (next == m_allocations.end())
        return;
    const quint64 index = bump({Table::Allocations});
    next->previousAllocation = previousAllocId;
    next->modifyIndex = index;
    if (auto previous = m_allocations.find(previousAllocId); previous != m_allocations.end()) {
        previous->nextAllocation = allocId;
        previous->modifyIndex = index;
    }
    Q_EMIT changed(m_index);
}

void NomadState::setNodeUp(const QString &nodeName, bool up)
{
    for (Node &n : m_nodes) {
        if (n.name == nodeName && n.up != up) {
            n.up = up;
            n.modifyIndex = bump({Table::Nodes});
            Q_EMIT changed(m_index);
        }
    }
}

} // namespace mesh::lab::nomad
