#include "plantext.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace mesh::deploy {

namespace {

QString marker(const QString &type)
{
    if (type == u"Added")
        return u"+"_s;
    if (type == u"Deleted")
        return u"-"_s;
    if (type == u"Edited")
        return u"+/-"_s;
    return {};
}

// Nomad pads every marker to the width of "+/-" so names line up.
QString prefix(const QString &type, int indent)
{
    return QString(indent, u' ') + marker(type).leftJustified(3, u' ') + u' ';
}

QString annotations(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &a : value.toArray())
        out.append(a.toString());
    return out.isEmpty() ? QString() : u" ("_s + out.join(u", "_s) + u')';
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

void fieldLines(const QJsonArray &fields, int indent, QStringList &out)
{
    for (const QJsonValue &v : fields) {
        const QJsonObject field = v.toObject();
        const QString type = field.value(u"Type").toString();
        const QString name = field.value(u"Name").toString();
        const QString oldValue = field.value(u"Old").toString();
        const QString newValue = field.value(u"New").toString();
        QString value;
        if (type == u"Added")
            value = quoted(newValue);
        else if (type == u"Deleted")
            value = quoted(oldValue);
        else if (type == u"Edited")
            value = quoted(oldValue) + u" => "_s + quoted(newValue);
        else
            value = quoted(newValue);
        out.append(prefix(type, indent) + name + u": "_s + value + annotations(field.value(u"Annotations")));
    }
}

void objectLines(const QJsonArray &objects, int indent, QStringList &out)
{
    for (const QJsonValue &v : objects) {
        const QJsonObject object = v.toObject();
        out.append(prefix(object.value(u"Type").toString(), indent) + object.value(u"Name").toString() + u" {"_s);
        fieldLines(object.value(u"Fields").toArray(), indent + 2, out);
        objectLines(object.value(u"Objects").toArray(), indent + 2, out);
        out.append(QString(indent + 4, u' ') + u'}');
    }
}

QString updatesText(const QJsonObject &updates)
{
    // scheduler/annotate.go's words, in Nomad's order.
    static const QStringList order{
        u"create"_s, u"destroy"_s, u"migrate"_s, u"in-place update"_s, u"create/destroy update"_s,
        u"canary"_s, u"ignore"_s};
    QStringList parts;
    for (const QString &word : order) {
        if (updates.value(word).toInt() > 0)
            parts.append(u"%1 %2"_s.arg(updates.value(word).toInt()).arg(word));
    }
    return parts.isEmpty() ? QString() : u" ("_s + parts.join(u", "_s) + u')';
}

QString countText(int n, const QString &one, const QString &many)
{
    return u"%1 %2"_s.arg(n).arg(n == 1 ? one : many);
}

} // namespace

QStringList PlanText::jobDiffLines(const QJsonObject &jobDiff)
{
    QStringList out;
    const QString type = jobDiff.value(u"Type").toString();
    out.append(prefix(type, 0) + u"Job: "_s + quoted(jobDiff.value(u"ID").toString()));
    fieldLines(jobDiff.value(u"Fields").toArray(), 0, out);
    objectLines(jobDiff.value(u"Objects").toArray(), 0, out);
    for (const QJsonValue &g : jobDiff.value(u"TaskGroups").toArray()) {
        const QJsonObject group = g.toObject();
        out.append(prefix(group.value(u"Type").toString(), 0) + u"Task Group: "_s
                   + quoted(group.value(u"Name").toString()) + updatesText(group.value(u"Updates").toObject()));
        fieldLines(group.value(u"Fields").toArray(), 2, out);
        objectLines(group.value(u"Objects").toArray(), 2, out);
        for (const QJsonValue &t : group.value(u"Tasks").toArray()) {
            const QJsonObject task = t.toObject();
            out.append(prefix(task.value(u"Type").toString(), 2) + u"Task: "_s + quoted(task.value(u"Name").toString())
                       + annotations(task.value(u"Annotations")));
            fieldLines(task.value(u"Fields").toArray(), 4, out);
            objectLines(task.value(u"Objects").toArray(), 4, out);
        }
    }
    return out;
}

QStringList PlanText::placementReasons(const QJsonObject &metric)
{
    // The reasons `nomad job plan` lists (command/monitor.go formatAllocMetrics).
    QStringList out;
    const auto each = [&](QStringView key, const auto &format) {
        const QJsonObject map = metric.value(key).toObject();
        for (auto it = map.begin(); it != map.end(); ++it)
            out.append(format(it.key(), it.value().toInt()));
    };
    if (metric.value(u"NodesEvaluated").toInt() == 0 && metric.value(u"NodesAvailable").toObject().isEmpty())
        out.append(u"no nodes were eligible for evaluation"_s);
    each(u"ClassFiltered", [](const QString &k, int n) {
        return u"class \"%1\" filtered %2"_s.arg(k, countText(n, u"node"_s, u"nodes"_s));
    });
    each(u"ConstraintFiltered", [](const QString &k, int n) {
        return u"constraint \"%1\" filtered %2"_s.arg(k, countText(n, u"node"_s, u"nodes"_s));
    });
    if (const int n = metric.value(u"NodesExhausted").toInt(); n > 0)
        out.append(u"resources exhausted on %1"_s.arg(countText(n, u"node"_s, u"nodes"_s)));
    each(u"ClassExhausted", [](const QString &k, int n) {
        return u"class \"%1\" exhausted on %2"_s.arg(k, countText(n, u"node"_s, u"nodes"_s));
    });
    each(u"DimensionExhausted", [](const QString &k, int n) {
        return u"dimension \"%1\" exhausted on %2"_s.arg(k, countText(n, u"node"_s, u"nodes"_s));
    });
    return out;
}

QStringList PlanText::dryRunLines(const QJsonObject &failedTGAllocs)
{
    if (failedTGAllocs.isEmpty())
        return {u"- All tasks successfully allocated."_s};
    QStringList out{u"- WARNING: Failed to place all allocations."_s};
    for (auto it = failedTGAllocs.begin(); it != failedTGAllocs.end(); ++it) {
        const QJsonObject metric = it.value().toObject();
        const int failed = metric.value(u"CoalescedFailures").toInt() + 1;
        out.append(u"  Task Group \"%1\" (failed to place %2):"_s.arg(
            it.key(), countText(failed, u"allocation"_s, u"allocations"_s)));
        for (const QString &reason : placementReasons(metric))
            out.append(u"    * "_s + reason);
    }
    return out;
}

QString PlanText::summary(const DeployPlan &plan)
{
    if (plan.hasConflicts())
        return u"Conflicts: %1. Nothing can be applied until they are resolved."_s.arg(plan.conflicts.size());
    if (!plan.hasChanges())
        return plan.teardown ? u"No changes. Nothing of design \"%1\" is on the cluster."_s.arg(plan.design)
                             : u"No changes. The cluster runs design \"%1\" as it is drawn."_s.arg(plan.design);
    int create = 0, update = 0, stop = 0, added = 0, removed = 0, flipped = 0;
    for (const JobChange &job : plan.jobs) {
        create += job.action == JobChange::Action::Create;
        update += job.action == JobChange::Action::Update;
        stop += job.action == JobChange::Action::Stop || job.action == JobChange::Action::Purge;
    }
    for (const IntentionChange &intention : plan.intentions) {
        for (const IntentionChange::Source &s : intention.sources) {
            added += s.oldAction.isEmpty();
            removed += s.newAction.isEmpty();
            flipped += !s.oldAction.isEmpty() && !s.newAction.isEmpty();
        }
    }
    return u"Plan: %1 to create, %2 to update, %3 to %4; intentions: %5 to add, %6 to remove, %7 to change."_s
        .arg(countText(create, u"job"_s, u"jobs"_s))
        .arg(update)
        .arg(stop)
        .arg(plan.teardown ? u"stop and purge"_s : u"stop"_s)
        .arg(added)
        .arg(removed)
        .arg(flipped);
}

QString PlanText::text(const DeployPlan &plan)
{
    QStringList lines;
    for (const JobChange &job : plan.jobs) {
        switch (job.action) {
        case JobChange::Action::Create:
        case JobChange::Action::Update:
        case JobChange::Action::None:
            lines
                += jobDiffLines(job.diff.isEmpty() ? QJsonObject{{u"Type"_s, u"None"_s}, {u"ID"_s, job.id}} : job.diff);
            lines.append(QString());
            lines.append(u"Scheduler dry-run:"_s);
            lines += dryRunLines(job.failedTGAllocs);
            if (!job.warnings.isEmpty())
                lines.append(u"- Warnings: "_s + job.warnings);
            lines.append(QString());
            lines.append(u"Job Modify Index: %1"_s.arg(job.jobModifyIndex));
            break;
        case JobChange::Action::Stop:
            lines.append(u"-   Job: \"%1\" (stop: the design no longer has it)"_s.arg(job.id));
            lines.append(u"Job Modify Index: %1"_s.arg(job.jobModifyIndex));
            break;
        case JobChange::Action::Purge:
            lines.append(u"-   Job: \"%1\" (stop and purge)"_s.arg(job.id));
            lines.append(u"Job Modify Index: %1"_s.arg(job.jobModifyIndex));
            break;
        }
        lines.append(QString());
    }
    for (const IntentionChange &intention : plan.intentions) {
        const QString type = !intention.changes()    ? u"None"_s
                             : intention.deleteEntry ? u"Deleted"_s
                             : !intention.exists     ? u"Added"_s
                                                     : u"Edited"_s;
        lines.append(prefix(type, 0) + u"Intentions: "_s + quoted(intention.destination)
                     + (intention.deleteEntry ? u" (entry deleted: nothing else remains in it)"_s : QString()));
        for (const IntentionChange::Source &s : intention.sources) {
            if (s.oldAction.isEmpty())
                lines.append(prefix(u"Added"_s, 2) + u"%1 → %2: %3"_s.arg(s.name, intention.destination, s.newAction));
            else if (s.newAction.isEmpty())
                lines.append(prefix(u"Deleted"_s, 2)
                             + u"%1 → %2: %3"_s.arg(s.name, intention.destination, s.oldAction));
            else
                lines.append(
                    prefix(u"Edited"_s, 2)
                    + u"%1 → %2: \"%3\" => \"%4\""_s.arg(s.name, intention.destination, s.oldAction, s.newAction));
        }
        if (intention.changes())
            lines.append(u"Entry Modify Index: %1"_s.arg(intention.modifyIndex));
        lines.append(QString());
    }
    for (const QString &conflict : plan.conflicts)
        lines.append(u"! Conflict: "_s + conflict);
    if (!plan.conflicts.isEmpty())
        lines.append(QString());
    lines.append(summary(plan));
    return lines.join(u'\n') + u'\n';
}

QJsonObject PlanText::json(const DeployPlan &plan)
{
    QJsonArray jobs;
    for (const JobChange &job : plan.jobs) {
        jobs.append(QJsonObject{{u"id"_s, job.id},
                                {u"action"_s, toString(job.action)},
                                {u"jobModifyIndex"_s, qint64(job.jobModifyIndex)},
                                {u"diff"_s, job.diff},
                                {u"desiredUpdates"_s, job.desiredUpdates},
                                {u"failedTGAllocs"_s, job.failedTGAllocs},
                                {u"warnings"_s, job.warnings}});
    }
    QJsonArray intentions;
    for (const IntentionChange &intention : plan.intentions) {
        QJsonArray sources;
        for (const IntentionChange::Source &s : intention.sources)
            sources.append(QJsonObject{{u"name"_s, s.name}, {u"old"_s, s.oldAction}, {u"new"_s, s.newAction}});
        intentions.append(QJsonObject{{u"destination"_s, intention.destination},
                                      {u"exists"_s, intention.exists},
                                      {u"modifyIndex"_s, qint64(intention.modifyIndex)},
                                      {u"deleteEntry"_s, intention.deleteEntry},
                                      {u"sources"_s, sources}});
    }
    return {{u"event"_s, u"plan"_s},
            {u"design"_s, plan.design},
            {u"target"_s, plan.target},
            {u"teardown"_s, plan.teardown},
            {u"hasChanges"_s, plan.hasChanges()},
            {u"jobs"_s, jobs},
            {u"intentions"_s, intentions},
            {u"conflicts"_s, QJsonArray::fromStringList(plan.conflicts)},
            {u"summary"_s, summary(plan)}};
}

} // namespace mesh::deploy
