#include "deployer.h"

#include "api/canceltoken.h"
#include "consul/consulclient.h"
#include "deploy/plantext.h"
#include "nomad/nomadclient.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace mesh::deploy {

namespace {

// Each blocking read asks for at most this long, so a deadline or a detach
// is noticed in good time even by a server that ignores cancellation.
constexpr std::chrono::milliseconds kMaxBlockingWait{std::chrono::seconds(30)};

QString allocLabel(const QJsonObject &alloc)
{
    return alloc.value(u"ID").toString().left(8) + u" ("_s + alloc.value(u"Name").toString() + u')';
}

QStringList serviceNames(const QJsonObject &job)
{
    QStringList out;
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
        for (const QJsonValue &s : g.toObject().value(u"Services").toArray())
            out.append(s.toObject().value(u"Name").toString());
        for (const QJsonValue &t : g.toObject().value(u"Tasks").toArray()) {
            for (const QJsonValue &s : t.toObject().value(u"Services").toArray())
                out.append(s.toObject().value(u"Name").toString());
        }
    }
    out.removeAll(QString());
    return out;
}

// What Nomad recorded about one task, worst first: the events that explain
// a failure (nomad/structs/structs.go TaskEvent types), each with the
// details a person needs.
QStringList taskProblems(const QJsonObject &state)
{
    QStringList out;
    for (const QJsonValue &v : state.value(u"Events").toArray()) {
        const QJsonObject e = v.toObject();
        const QString type = e.value(u"Type").toString();
        const QString display = e.value(u"DisplayMessage").toString();
        if (type == u"Terminated") {
            const QJsonObject details = e.value(u"Details").toObject();
            const QString code = details.contains(u"exit_code") ? details.value(u"exit_code").toString()
                                                                : QString::number(e.value(u"ExitCode").toInt());
            QString text = u"Terminated, exit code "_s + code;
            if (const int signal = e.value(u"Signal").toInt(); signal != 0)
                text += u", signal %1"_s.arg(signal);
            if (!out.contains(text))
                out.append(text);
        } else if (type == u"Driver Failure") {
            const QString why = e.value(u"DriverError").toString();
            out.append(u"Driver Failure: "_s + (why.isEmpty() ? display : why));
        } else if (type == u"Not Restarting" || type == u"Alloc Unhealthy" || type == u"Failed Validation"
                   || type == u"Setup Failure" || type == u"Sibling Task Failed" || type == u"Killing"
                   || type == u"Failed Artifact Download") {
            const QString text = type + u": "_s + display;
            if (!out.contains(text))
                out.append(text);
        }
    }
    return out;
}

} // namespace

Deployer::Deployer(consul::ConsulClient *consul, nomad::NomadClient *nomad, QObject *parent)
    : QObject(parent)
    , m_consul(consul)
    , m_nomad(nomad)
{
}

Deployer::~Deployer() = default;

void Deployer::detach()
{
    if (m_watchCancel)
        m_watchCancel->cancel();
}

void Deployer::emitEvent(DeployEvent e)
{
    Q_EMIT event(e);
}

api::QueryOptions Deployer::blocking(quint64 index, const QDeadlineTimer &deadline, api::CancelToken *cancel)
{
    // Built here, not as a braced temporary inside the co_await: GCC 12
    // destroys such temporaries twice (their QPointer's count underflows).
    api::QueryOptions options;
    options.index = index;
    const auto left = std::chrono::milliseconds(std::max<qint64>(deadline.remainingTime(), 0));
    options.wait = std::clamp(left, std::chrono::milliseconds(1000), kMaxBlockingWait);
    options.cancel = cancel;
    return options;
}

QCoro::Task<Result<DeployOutcome>> Deployer::apply(DeployPlan plan, ApplyOptions options)
{
    if (plan.hasConflicts())
        co_return fail(Error::Code::Conflict,
                       u"the plan has conflicts; nothing was applied:\n  "_s + plan.conflicts.join(u"\n  "_s));
    delete m_watchCancel;
    m_watchCancel = new api::CancelToken(this);
    const QPointer<api::CancelToken> cancel = m_watchCancel;

    auto services = co_await checkUnchanged(plan);
    if (!services)
        co_return std::unexpected(services.error());
    if (auto written = co_await writeIntentions(plan); !written)
        co_return std::unexpected(written.error());

    QList<std::pair<QString, QString>> registered; // job, evaluation
    for (const JobChange &job : std::as_const(plan.jobs)) {
        if (job.action != JobChange::Action::Create && job.action != JobChange::Action::Update)
            continue;
        nomad::JobRegisterOptions registerOptions;
        registerOptions.enforceIndex = true;
        registerOptions.jobModifyIndex = job.jobModifyIndex;
        if (!job.hcl.isEmpty())
            registerOptions.submission = QJsonObject{{u"Source"_s, job.hcl}, {u"Format"_s, u"hcl2"_s}};
        auto response = co_await m_nomad->registerJob(job.job, registerOptions);
        if (!response) {
            Error error = response.error();
            error.message = u"registering job \"%1\": %2"_s.arg(job.id, error.message);
            co_return std::unexpected(error);
        }
        registered.append({job.id, response->evalID});
        emitEvent({.kind = DeployEvent::Kind::JobRegistered, .job = job.id, .text = response->evalID});
    }
    for (const JobChange &job : std::as_const(plan.jobs)) {
        if (job.action != JobChange::Action::Stop && job.action != JobChange::Action::Purge)
            continue;
        const bool purge = job.action == JobChange::Action::Purge;
        auto stopped = co_await m_nomad->deregisterJob(job.id, purge);
        if (!stopped) {
            Error error = stopped.error();
            error.message = u"stopping job \"%1\": %2"_s.arg(job.id, error.message);
            co_return std::unexpected(error);
        }
        emitEvent({.kind = DeployEvent::Kind::JobStopped,
                   .job = job.id,
                   .text = purge ? u"stopped and purged"_s : u"stopped (the design no longer has it)"_s});
    }

    DeployOutcome outcome;
    if (!options.watch) {
        outcome.status = DeployOutcome::Status::Detached;
        co_return outcome;
    }

    const QDeadlineTimer deadline(options.deadline);
    // Every watch starts now (QCoro tasks run eagerly up to their first
    // suspension), so the jobs are watched at once, not one after another.
    std::vector<QCoro::Task<JobOutcome>> watches;
    QStringList watched;
    for (const auto &[job, evalId] : std::as_const(registered)) {
        watches.push_back(watchJob(job, evalId, deadline));
        watched.append(job);
    }
    for (const QString &service : std::as_const(*services)) {
        watches.push_back(waitDeregistered(service, deadline));
        watched.append(service);
    }
    bool detached = false;
    for (std::size_t i = 0; i < watches.size(); ++i) {
        const JobOutcome result = co_await std::move(watches[i]);
        detached = detached || result.detached;
        if (!result.ok && !result.detached)
            outcome.failures.append(watched.at(qsizetype(i)) + u": "_s + result.why);
    }
    if (detached) {
        outcome.status = DeployOutcome::Status::Detached;
        emitEvent({.kind = DeployEvent::Kind::Detached,
                   .text = u"Stopped watching; the deployment goes on in the cluster (nomad job status shows it)."_s});
        co_return outcome;
    }
    outcome.status = outcome.failures.isEmpty() ? DeployOutcome::Status::Succeeded : DeployOutcome::Status::Failed;
    if (!plan.teardown && (cancel && !cancel->isCancelled()))
        outcome.urls = co_await findEndpoints(plan.entrypoints);
    co_return outcome;
}

QCoro::Task<Result<QStringList>> Deployer::checkUnchanged(const DeployPlan &plan)
{
    // Two list reads, as the plan made them (JobListStub carries
    // JobModifyIndex, the entries their ModifyIndex), not one read per job
    // and per destination.
    auto stubs = co_await m_nomad->jobs();
    if (!stubs)
        co_return std::unexpected(stubs.error());
    QHash<QString, quint64> jobIndex;
    for (const QJsonValue &s : std::as_const(stubs->value))
        jobIndex.insert(s.toObject().value(u"ID").toString(),
                        quint64(s.toObject().value(u"JobModifyIndex").toInteger()));
    auto entries = co_await m_consul->configEntries(u"service-intentions"_s);
    if (!entries)
        co_return std::unexpected(entries.error());
    QHash<QString, quint64> entryIndex;
    for (const QJsonObject &e : std::as_const(entries->value))
        entryIndex.insert(e.value(u"Name").toString(), quint64(e.value(u"ModifyIndex").toInteger()));

    QStringList changed;
    QStringList purged; // jobs a teardown removes, whose services it then waits for
    for (const JobChange &job : plan.jobs) {
        if (job.action == JobChange::Action::None)
            continue;
        const bool exists = jobIndex.contains(job.id);
        const quint64 index = jobIndex.value(job.id);
        if (job.action == JobChange::Action::Create && exists) {
            changed.append(
                u"job \"%1\" was created by someone else since the plan (JobModifyIndex %2)"_s.arg(job.id).arg(index));
        } else if (job.action != JobChange::Action::Create && !exists) {
            if (job.action == JobChange::Action::Update)
                changed.append(u"job \"%1\" was removed since the plan"_s.arg(job.id));
        } else if (exists && index != job.jobModifyIndex) {
            changed.append(u"job \"%1\" changed since the plan: its JobModifyIndex is %2, the plan saw %3"_s.arg(job.id)
                               .arg(index)
                               .arg(job.jobModifyIndex));
        }
        if (plan.teardown && exists)
            purged.append(job.id);
    }
    for (const IntentionChange &intention : plan.intentions) {
        if (!intention.changes())
            continue;
        const bool exists = entryIndex.contains(intention.destination);
        const quint64 index = entryIndex.value(intention.destination);
        if (exists != intention.exists || index != intention.modifyIndex)
            changed.append(u"the intentions of \"%1\" changed since the plan (ModifyIndex %2, the plan saw %3)"_s
                               .arg(intention.destination)
                               .arg(index)
                               .arg(intention.modifyIndex));
    }
    if (!changed.isEmpty())
        co_return fail(Error::Code::Conflict, u"the cluster changed since the plan; nothing was applied — plan "
                                              "again:\n  "_s
                                                  + changed.join(u"\n  "_s));

    // The services a teardown waits to see leave Consul are in the full jobs.
    QStringList services;
    for (const QString &id : std::as_const(purged)) {
        auto job = co_await m_nomad->job(id);
        if (!job && job.error().code != Error::Code::NotFound)
            co_return std::unexpected(job.error());
        if (job)
            services += serviceNames(job->value);
    }
    services.removeDuplicates();
    co_return services;
}

QCoro::Task<Result<>> Deployer::writeIntentions(const DeployPlan &plan)
{
    QStringList done;
    for (const IntentionChange &intention : plan.intentions) {
        if (!intention.changes())
            continue;
        Result<bool> written = true;
        if (intention.deleteEntry)
            written = co_await m_consul->deleteConfigEntry(u"service-intentions"_s, intention.destination,
                                                           intention.modifyIndex);
        else
            written = co_await m_consul->putConfigEntry(intention.entry, intention.modifyIndex);
        const QString already
            = done.isEmpty() ? u"nothing was written before"_s : u"already written: "_s + done.join(u", "_s);
        if (!written) {
            Error error = written.error();
            error.message
                = u"writing the intentions of \"%1\": %2 (%3)"_s.arg(intention.destination, error.message, already);
            co_return std::unexpected(error);
        }
        if (!*written)
            co_return fail(Error::Code::Conflict,
                           u"the intentions of \"%1\" changed while applying (check-and-set at ModifyIndex %2 "
                           "lost); %3 — plan again"_s.arg(intention.destination)
                               .arg(intention.modifyIndex)
                               .arg(already));
        done.append(intention.destination);
        QStringList sources;
        for (const IntentionChange::Source &s : intention.sources)
            sources.append(s.newAction.isEmpty() ? QString(s.name + u" removed"_s)
                                                 : QString(s.name + u' ' + s.newAction));
        emitEvent(
            {.kind = intention.deleteEntry ? DeployEvent::Kind::IntentionDeleted : DeployEvent::Kind::IntentionWritten,
             .service = intention.destination,
             .text = sources.join(u", "_s)});
    }
    co_return {};
}

QCoro::Task<Deployer::JobOutcome> Deployer::watchJob(QString jobId, QString evalId, QDeadlineTimer deadline)
{
    const QPointer<api::CancelToken> cancel = m_watchCancel;
    // The evaluation: until the scheduler is done with it.
    nomad::Evaluation evaluation;
    quint64 index = 0;
    for (;;) {
        const api::QueryOptions options = blocking(index, deadline, cancel);
        auto read = co_await m_nomad->evaluation(evalId, options);
        if (!read) {
            if (read.error().code == Error::Code::Cancelled)
                co_return JobOutcome{.ok = false, .detached = true};
            co_return JobOutcome{.ok = false, .why = u"reading evaluation %1: %2"_s.arg(evalId, read.error().message)};
        }
        evaluation = read->value;
        index = read->index;
        if (evaluation.status != u"pending")
            break;
        if (deadline.hasExpired())
            co_return JobOutcome{.ok = false, .why = u"evaluation %1 still pending at the deadline"_s.arg(evalId)};
    }
    emitEvent({.kind = DeployEvent::Kind::Evaluated,
               .job = jobId,
               .text = u"evaluation %1 %2"_s.arg(evalId.left(8), evaluation.status)});
    if (evaluation.status == u"failed" || evaluation.status == u"canceled")
        co_return JobOutcome{
            .ok = false,
            .why = u"evaluation %1 %2: %3"_s.arg(evalId.left(8), evaluation.status, evaluation.statusDescription)};
    if (!evaluation.failedTGAllocs.isEmpty()) {
        QStringList groups;
        for (auto it = evaluation.failedTGAllocs.begin(); it != evaluation.failedTGAllocs.end(); ++it) {
            const QString reasons = PlanText::placementReasons(it.value().toObject()).join(u"; "_s);
            emitEvent({.kind = DeployEvent::Kind::PlacementFailed, .job = jobId, .group = it.key(), .text = reasons});
            groups.append(u"group \"%1\" could not be placed (%2)"_s.arg(it.key(), reasons));
        }
        co_return JobOutcome{.ok = false,
                             .why = groups.join(u"; "_s)
                                    + u"; Nomad keeps a blocked evaluation and places it when capacity appears"_s};
    }

    QString deploymentId = evaluation.deploymentID;
    if (deploymentId.isEmpty()) {
        // A registration that changes nothing the scheduler acts on has no
        // deployment: done once the evaluation is.
        emitEvent({.kind = DeployEvent::Kind::JobSucceeded, .job = jobId});
        co_return JobOutcome{};
    }
    co_return co_await watchDeployment(jobId, deploymentId, deadline);
}

QCoro::Task<Deployer::JobOutcome> Deployer::watchDeployment(QString jobId, QString deploymentId,
                                                            QDeadlineTimer deadline)
{
    const QPointer<api::CancelToken> cancel = m_watchCancel;
    QMap<QString, nomad::DeploymentState> shown;
    quint64 index = 0;
    for (;;) {
        const api::QueryOptions options = blocking(index, deadline, cancel);
        auto read = co_await m_nomad->deployment(deploymentId, options);
        if (!read) {
            if (read.error().code == Error::Code::Cancelled)
                co_return JobOutcome{.ok = false, .detached = true};
            co_return JobOutcome{.ok = false,
                                 .why = u"reading deployment %1: %2"_s.arg(deploymentId, read.error().message)};
        }
        index = read->index;
        const nomad::Deployment &deployment = read->value;
        for (auto it = deployment.taskGroups.begin(); it != deployment.taskGroups.end(); ++it) {
            const nomad::DeploymentState &s = it.value();
            const auto before = shown.constFind(it.key());
            if (before != shown.constEnd() && before->placedAllocs == s.placedAllocs
                && before->healthyAllocs == s.healthyAllocs && before->unhealthyAllocs == s.unhealthyAllocs
                && before->desiredTotal == s.desiredTotal)
                continue;
            shown.insert(it.key(), s);
            emitEvent({.kind = DeployEvent::Kind::Progress,
                       .job = jobId,
                       .group = it.key(),
                       .desired = s.desiredTotal,
                       .placed = s.placedAllocs,
                       .healthy = s.healthyAllocs,
                       .unhealthy = s.unhealthyAllocs});
        }
        if (deployment.status == u"successful") {
            emitEvent({.kind = DeployEvent::Kind::JobSucceeded, .job = jobId});
            co_return JobOutcome{};
        }
        const bool failed = deployment.status == u"failed" || deployment.status == u"cancelled";
        if (failed || deadline.hasExpired()) {
            const QString status = failed ? u"deployment %1: %2"_s.arg(deployment.status, deployment.statusDescription)
                                          : u"deployment still %1 at the deadline"_s.arg(deployment.status);
            const QString why = co_await explainFailure(jobId, deploymentId);
            const QString text = why.isEmpty() ? status : status + u"; "_s + why;
            emitEvent({.kind = DeployEvent::Kind::JobFailed, .job = jobId, .text = text});
            co_return JobOutcome{.ok = false, .why = text};
        }
    }
}

QCoro::Task<QString> Deployer::explainFailure(QString jobId, QString deploymentId)
{
    auto allocations = co_await m_nomad->deploymentAllocations(deploymentId);
    if (!allocations)
        co_return u"(the allocations could not be read: %1)"_s.arg(allocations.error().message);
    QStringList reasons;
    for (const nomad::AllocationListStub &stub : std::as_const(allocations->value)) {
        const QJsonObject alloc = stub.raw;
        const QJsonObject states = alloc.value(u"TaskStates").toObject();
        // A task that only died because its sibling failed (the injected
        // sidecar) says nothing new once the sibling's own reason is shown.
        bool ownFailure = false;
        for (auto it = states.begin(); it != states.end(); ++it) {
            for (const QString &problem : taskProblems(it.value().toObject()))
                ownFailure = ownFailure || !problem.startsWith(u"Sibling Task Failed"_s);
        }
        bool any = false;
        for (auto it = states.begin(); it != states.end(); ++it) {
            QStringList problems = taskProblems(it.value().toObject());
            if (ownFailure)
                problems.removeIf([](const QString &p) { return p.startsWith(u"Sibling Task Failed"_s); });
            if (problems.isEmpty())
                continue;
            any = true;
            const QString text = problems.join(u"; "_s);
            emitEvent({.kind = DeployEvent::Kind::AllocationProblem,
                       .job = jobId,
                       .group = stub.taskGroup,
                       .alloc = allocLabel(alloc),
                       .task = it.key(),
                       .text = text});
            reasons.append(u"allocation %1, task \"%2\": %3"_s.arg(allocLabel(alloc), it.key(), text));
        }
        if (!any && (stub.deploymentHealthy == std::optional<bool>(false) || stub.clientStatus == u"failed")) {
            reasons.append(u"allocation %1 is %2"_s.arg(allocLabel(alloc),
                                                        stub.clientStatus == u"failed" ? u"failed"_s : u"unhealthy"_s));
        }
    }
    // What Consul's checks say: why a task that runs is not healthy.
    auto job = co_await m_nomad->job(jobId);
    if (job) {
        for (const QJsonValue &g : job->value.value(u"TaskGroups").toArray()) {
            for (const QJsonValue &s : g.toObject().value(u"Services").toArray()) {
                const QString service = s.toObject().value(u"Name").toString();
                auto entries = co_await m_consul->healthService(service);
                if (!entries)
                    continue;
                for (const consul::ServiceEntry &entry : std::as_const(entries->value)) {
                    for (const consul::HealthCheck &check : entry.checks) {
                        if (check.status != u"critical" || check.serviceName.isEmpty())
                            continue;
                        reasons.append(u"check \"%1\" of %2 is critical: %3"_s.arg(check.name, check.serviceID,
                                                                                   check.output.trimmed()));
                    }
                }
            }
        }
    }
    reasons.removeDuplicates();
    co_return reasons.join(u"; "_s);
}

QCoro::Task<QStringList> Deployer::findEndpoints(const QList<Entrypoint> &entrypoints)
{
    QStringList urls;
    for (const Entrypoint &entry : entrypoints) {
        auto stubs = co_await m_nomad->jobAllocations(entry.job);
        if (!stubs)
            continue;
        for (const nomad::AllocationListStub &stub : std::as_const(stubs->value)) {
            if (stub.taskGroup != entry.group || stub.clientStatus != u"running" || stub.desiredStatus != u"run")
                continue;
            auto alloc = co_await m_nomad->allocation(stub.id);
            if (!alloc)
                continue;
            // The seed post's recipe: AllocatedResources.Shared — Ports
            // (Nomad 1.x: label, value, host IP) or else Networks[0]'s IP
            // with the port of that label.
            const QJsonObject shared = alloc->value.value(u"AllocatedResources").toObject().value(u"Shared").toObject();
            QString url;
            for (const QJsonValue &p : shared.value(u"Ports").toArray()) {
                const QJsonObject port = p.toObject();
                if (port.value(u"Label").toString() == entry.portLabel)
                    url = u"http://%1:%2"_s.arg(port.value(u"HostIP").toString()).arg(port.value(u"Value").toInt());
            }
            if (url.isEmpty()) {
                const QJsonObject network = shared.value(u"Networks").toArray().first().toObject();
                for (const QString &key : {u"DynamicPorts"_s, u"ReservedPorts"_s}) {
                    for (const QJsonValue &p : network.value(key).toArray()) {
                        if (p.toObject().value(u"Label").toString() == entry.portLabel)
                            url = u"http://%1:%2"_s.arg(network.value(u"IP").toString())
                                      .arg(p.toObject().value(u"Value").toInt());
                    }
                }
            }
            if (url.isEmpty())
                continue;
            urls.append(url);
            emitEvent({.kind = DeployEvent::Kind::Endpoint,
                       .job = entry.job,
                       .group = entry.group,
                       .service = entry.service,
                       .alloc = allocLabel(alloc->value),
                       .url = url});
        }
    }
    co_return urls;
}

QCoro::Task<Deployer::JobOutcome> Deployer::waitDeregistered(QString service, QDeadlineTimer deadline)
{
    const QPointer<api::CancelToken> cancel = m_watchCancel;
    quint64 index = 0;
    for (;;) {
        const api::QueryOptions options = blocking(index, deadline, cancel);
        auto entries = co_await m_consul->healthService(service, false, options);
        if (!entries) {
            if (entries.error().code == Error::Code::Cancelled)
                co_return JobOutcome{.ok = false, .detached = true};
            co_return JobOutcome{.ok = false, .why = entries.error().message};
        }
        if (entries->value.isEmpty()) {
            emitEvent({.kind = DeployEvent::Kind::ServiceDeregistered, .service = service});
            co_return JobOutcome{};
        }
        if (deadline.hasExpired())
            co_return JobOutcome{
                .ok = false,
                .why = u"still registered in Consul (%1 instances) at the deadline"_s.arg(entries->value.size())};
        index = entries->index;
    }
}

} // namespace mesh::deploy
