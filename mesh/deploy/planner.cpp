#include "planner.h"

#include "api/canceltoken.h"
#include "consul/consulclient.h"
#include "deploy/ownership.h"
#include "nomad/nomadclient.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace mesh::deploy {

namespace {

constexpr QStringView kIntentionsKind = u"service-intentions";

QString ownerText(const QString &owner)
{
    return owner.isEmpty() ? u"no Meshpad design"_s : u"the design \"%1\""_s.arg(owner);
}

} // namespace

Planner::Planner(consul::ConsulClient *consul, nomad::NomadClient *nomad)
    : m_consul(consul)
    , m_nomad(nomad)
{
}

QCoro::Task<Result<DeployPlan>> Planner::plan(DesiredState desired, bool teardown, QPointer<api::CancelToken> cancel)
{
    DeployPlan out;
    out.design = desired.design;
    out.teardown = teardown;
    out.entrypoints = desired.entrypoints;

    // Every job of the cluster, with its Meta (JobListStub.Meta): what this
    // design owns is found without reading each job.
    // Options as a named local, never a braced temporary inside co_await:
    // GCC 12 destroys those twice (a QPointer's count underflows).
    api::QueryOptions options;
    options.cancel = cancel;
    auto stubs = co_await m_nomad->jobs(QString(), options);
    if (!stubs)
        co_return std::unexpected(stubs.error());
    QHash<QString, QJsonObject> stubById;
    for (const QJsonValue &s : stubs->value)
        stubById.insert(s.toObject().value(u"ID").toString(), s.toObject());

    QSet<QString> desiredIds;
    for (const QJsonObject &job : desired.jobs) {
        const QString id = job.value(u"ID").toString();
        desiredIds.insert(id);
        JobChange change;
        change.id = id;
        change.job = job;
        change.hcl = desired.jobHcl.value(id);
        const auto stub = stubById.constFind(id);
        if (stub != stubById.constEnd()) {
            const QString owner = Ownership::designOf(stub->value(u"Meta").toObject());
            if (owner != desired.design) {
                out.conflicts.append(u"job \"%1\" exists on the cluster and belongs to %2, not to \"%3\": "
                                     "Meshpad will not overwrite it — rename the job in the design or remove it "
                                     "from the cluster"_s.arg(id, ownerText(owner), desired.design));
                continue;
            }
        }
        auto plan = co_await m_nomad->planJob(job, true, options);
        if (!plan)
            co_return std::unexpected(Error{plan.error().code,
                                            u"planning job \"%1\": %2"_s.arg(id, plan.error().message),
                                            plan.error().httpStatus});
        change.jobModifyIndex = quint64(plan->value(u"JobModifyIndex").toInteger());
        change.diff = plan->value(u"Diff").toObject();
        change.desiredUpdates = plan->value(u"Annotations").toObject().value(u"DesiredTGUpdates").toObject();
        change.failedTGAllocs = plan->value(u"FailedTGAllocs").toObject();
        change.warnings = plan->value(u"Warnings").toString();
        if (stub == stubById.constEnd())
            change.action = JobChange::Action::Create;
        else if (change.diff.value(u"Type").toString() == u"None")
            change.action = JobChange::Action::None;
        else
            change.action = JobChange::Action::Update;
        out.jobs.append(change);
    }

    // Jobs of this design that it no longer has (or, in a teardown, all).
    QStringList ownedIds;
    for (auto it = stubById.constBegin(); it != stubById.constEnd(); ++it) {
        if (!desiredIds.contains(it.key()) && Ownership::designOf(it->value(u"Meta").toObject()) == desired.design)
            ownedIds.append(it.key());
    }
    ownedIds.sort();
    for (const QString &id : ownedIds) {
        const QJsonObject &stub = stubById[id];
        const bool stopped = stub.value(u"Stop").toBool();
        if (!teardown && stopped)
            continue; // already stopped: nothing left to do
        JobChange change;
        change.id = id;
        change.action = teardown ? JobChange::Action::Purge : JobChange::Action::Stop;
        change.jobModifyIndex = quint64(stub.value(u"JobModifyIndex").toInteger());
        out.jobs.append(change);
    }

    auto entries = co_await m_consul->configEntries(kIntentionsKind.toString(), options);
    if (!entries)
        co_return std::unexpected(entries.error());
    out.intentions = planIntentions(desired, entries->value, &out.conflicts);
    co_return out;
}

QList<IntentionChange> Planner::planIntentions(const DesiredState &desired, const QList<QJsonObject> &entries,
                                               QStringList *conflicts)
{
    QMap<QString, QJsonObject> entryByName;
    for (const QJsonObject &entry : entries)
        entryByName.insert(entry.value(u"Name").toString(), entry);

    // Destinations the design wants, then those holding its sources.
    QStringList destinations = desired.intentions.keys();
    for (auto it = entryByName.constBegin(); it != entryByName.constEnd(); ++it) {
        if (desired.intentions.contains(it.key()))
            continue;
        for (const QJsonValue &s : it->value(u"Sources").toArray()) {
            if (Ownership::designOfSource(s.toObject()) == desired.design) {
                destinations.append(it.key());
                break;
            }
        }
    }

    QList<IntentionChange> out;
    for (const QString &destination : destinations) {
        IntentionChange change;
        change.destination = destination;
        const QJsonObject existing = entryByName.value(destination);
        change.exists = !existing.isEmpty();
        change.modifyIndex = quint64(existing.value(u"ModifyIndex").toInteger());

        QJsonArray foreign;          // other owners' sources, kept as they are
        QMap<QString, QString> ours; // name → action
        for (const QJsonValue &v : existing.value(u"Sources").toArray()) {
            const QJsonObject source = v.toObject();
            if (Ownership::designOfSource(source) == desired.design)
                ours.insert(source.value(u"Name").toString(), source.value(u"Action").toString());
            else
                foreign.append(source);
        }

        const QList<IntentionSource> wanted = desired.intentions.value(destination);
        bool conflicted = false;
        for (const IntentionSource &source : wanted) {
            for (const QJsonValue &f : std::as_const(foreign)) {
                if (f.toObject().value(u"Name").toString() != source.name)
                    continue;
                conflicted = true;
                conflicts->append(
                    u"the intention %1 → %2 exists in Consul and belongs to %3, not to \"%4\": "
                    "Meshpad will not overwrite it — remove that source from the "
                    "service-intentions entry \"%2\" or change the arrow"_s.arg(
                        source.name, destination, ownerText(Ownership::designOfSource(f.toObject())), desired.design));
            }
        }
        if (conflicted)
            continue;

        QJsonArray sources = foreign;
        QSet<QString> wantedNames;
        for (const IntentionSource &source : wanted) {
            wantedNames.insert(source.name);
            const QString before = ours.value(source.name);
            if (before != source.action)
                change.sources.append({source.name, before, source.action});
            sources.append(QJsonObject{{u"Name"_s, source.name},
                                       {u"Action"_s, source.action},
                                       {u"Type"_s, u"consul"_s},
                                       {u"Description"_s, Ownership::sourceDescription(desired.design)}});
        }
        for (auto it = ours.constBegin(); it != ours.constEnd(); ++it) {
            if (!wantedNames.contains(it.key()))
                change.sources.append({it.key(), it.value(), QString()});
        }

        if (sources.isEmpty()) {
            change.deleteEntry = change.exists;
        } else {
            // Our sources go after the others; an entry we create carries our
            // Meta, an existing one keeps its own.
            change.entry = QJsonObject{
                {u"Kind"_s, kIntentionsKind.toString()}, {u"Name"_s, destination}, {u"Sources"_s, sources}};
            const QJsonObject meta
                = change.exists ? existing.value(u"Meta").toObject() : Ownership::meta(desired.design);
            if (!meta.isEmpty())
                change.entry.insert(u"Meta"_s, meta);
        }
        out.append(change);
    }
    return out;
}

} // namespace mesh::deploy
