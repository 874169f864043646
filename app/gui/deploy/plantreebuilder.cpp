#include "plantreebuilder.h"

#include "deploy/deployplan.h"
#include "deploy/plantext.h"

#include <QJsonObject>
#include <QPalette>
#include <QTreeWidget>

namespace meshpad::gui {

using mesh::deploy::DeployPlan;
using mesh::deploy::JobChange;

namespace {

QString changeOf(JobChange::Action action)
{
    switch (action) {
    case JobChange::Action::Create: return u"add"_qs;
    case JobChange::Action::Update: return u"change"_qs;
    case JobChange::Action::Stop:
    case JobChange::Action::Purge: return u"remove"_qs;
    case JobChange::Action::None: break;
    }
    return u"none"_qs;
}

QString jobTitle(const JobChange &job)
{
    switch (job.action) {
    case JobChange::Action::Create: return PlanTreeBuilder::tr("+ job \"%1\": create").arg(job.id);
    case JobChange::Action::Update: return PlanTreeBuilder::tr("+/- job \"%1\": update").arg(job.id);
    case JobChange::Action::Stop:
        return PlanTreeBuilder::tr("- job \"%1\": stop (the design no longer has it)").arg(job.id);
    case JobChange::Action::Purge: return PlanTreeBuilder::tr("- job \"%1\": stop and purge").arg(job.id);
    case JobChange::Action::None: break;
    }
    return PlanTreeBuilder::tr("job \"%1\": no changes").arg(job.id);
}

// A diff line's kind from its marker, as formatJobDiff writes them
// (hashicorp/nomad: command/job_plan.go): "+", "-", "+/-", "~" (edited
// object).
QString lineChange(QStringView trimmed)
{
    if (trimmed.startsWith(u"+/-") || trimmed.startsWith(u'~'))
        return u"change"_qs;
    if (trimmed.startsWith(u'+'))
        return u"add"_qs;
    if (trimmed.startsWith(u'-'))
        return u"remove"_qs;
    return u"none"_qs;
}

} // namespace

QColor PlanTreeBuilder::colour(const QString &change, const QPalette &palette)
{
    // Darker on a light base, lighter on a dark one, so both read.
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    const auto pick = [dark](QColor c) { return dark ? c.lighter(140) : c; };
    if (change == u"add")
        return pick(QColor(0x1f, 0x88, 0x3d));
    if (change == u"remove" || change == u"failure" || change == u"conflict")
        return pick(QColor(0xcf, 0x22, 0x2e));
    if (change == u"change" || change == u"warning")
        return pick(QColor(0xb0, 0x6d, 0x00));
    if (change == u"none")
        return palette.color(QPalette::PlaceholderText);
    return palette.color(QPalette::Text);
}

QTreeWidgetItem *PlanTreeBuilder::item(QTreeWidgetItem *parent, const QString &text, const QString &change,
                                       const QPalette &palette)
{
    auto *it = new QTreeWidgetItem(parent, {text});
    it->setData(0, kChangeRole, change);
    it->setForeground(0, colour(change, palette));
    it->setToolTip(0, text);
    return it;
}

void PlanTreeBuilder::fill(QTreeWidget *tree, const DeployPlan &plan)
{
    tree->clear();
    const QPalette palette = tree->palette();
    QTreeWidgetItem *root = tree->invisibleRootItem();

    if (plan.hasConflicts()) {
        QTreeWidgetItem *conflicts = item(root, tr("Conflicts: nothing will be applied"), u"conflict"_qs, palette);
        for (const QString &conflict : plan.conflicts)
            item(conflicts, conflict, u"conflict"_qs, palette);
        conflicts->setExpanded(true);
    }

    for (const JobChange &job : plan.jobs) {
        QTreeWidgetItem *jobItem = item(root, jobTitle(job), changeOf(job.action), palette);
        QFont bold = jobItem->font(0);
        bold.setBold(true);
        jobItem->setFont(0, bold);
        if (job.action == JobChange::Action::Create || job.action == JobChange::Action::Update) {
            // The diff, nested by its indentation; closing braces dropped.
            const QStringList lines = mesh::deploy::PlanText::jobDiffLines(job.diff);
            if (!lines.isEmpty()) {
                QTreeWidgetItem *diff = item(jobItem, tr("Diff"), u"info"_qs, palette);
                QList<std::pair<qsizetype, QTreeWidgetItem *>> stack{{-1, diff}};
                for (const QString &line : lines) {
                    const QString trimmed = line.trimmed();
                    if (trimmed.isEmpty() || trimmed == u"}")
                        continue;
                    qsizetype indent = 0;
                    while (indent < line.size() && line.at(indent) == u' ')
                        ++indent;
                    while (stack.size() > 1 && stack.constLast().first >= indent)
                        stack.removeLast();
                    QString text = trimmed;
                    if (text.endsWith(u" {"))
                        text.chop(2);
                    QTreeWidgetItem *node = item(stack.constLast().second, text, lineChange(trimmed), palette);
                    stack.append({indent, node});
                }
            }
            for (auto it = job.desiredUpdates.constBegin(); it != job.desiredUpdates.constEnd(); ++it) {
                const QJsonObject updates = it.value().toObject();
                QStringList counts;
                for (auto u = updates.constBegin(); u != updates.constEnd(); ++u) {
                    if (u.value().toInteger() > 0)
                        counts.append(u"%1 %2"_qs.arg(u.value().toInteger()).arg(u.key().toLower()));
                }
                if (!counts.isEmpty())
                    item(jobItem, tr("Task group \"%1\": %2").arg(it.key(), counts.join(u", ")), u"info"_qs, palette);
            }
            const bool failed = !job.failedTGAllocs.isEmpty();
            QTreeWidgetItem *dryRun
                = item(jobItem, failed ? tr("Scheduler dry run: placement failures") : tr("Scheduler dry run"),
                       failed ? u"failure"_qs : u"info"_qs, palette);
            for (const QString &line : mesh::deploy::PlanText::dryRunLines(job.failedTGAllocs))
                item(dryRun, line.trimmed(), failed ? u"failure"_qs : u"info"_qs, palette);
            dryRun->setExpanded(true);
            if (!job.warnings.isEmpty()) {
                for (const QString &warning : job.warnings.split(u'\n', Qt::SkipEmptyParts))
                    item(jobItem, tr("Warning: %1").arg(warning.trimmed()), u"warning"_qs, palette);
            }
            item(jobItem, tr("Job Modify Index: %1").arg(job.jobModifyIndex), u"info"_qs, palette);
        }
        jobItem->setExpanded(true);
    }

    for (const mesh::deploy::IntentionChange &change : plan.intentions) {
        if (!change.changes())
            continue;
        QString kind = u"change"_qs;
        if (!change.exists)
            kind = u"add"_qs;
        else if (change.deleteEntry)
            kind = u"remove"_qs;
        const QString title = change.deleteEntry ? tr("- intentions \"%1\" (entry deleted: nothing else remains in it)")
                              : change.exists    ? tr("+/- intentions \"%1\"")
                                                 : tr("+ intentions \"%1\"");
        QTreeWidgetItem *entry = item(root, title.arg(change.destination), kind, palette);
        for (const auto &source : change.sources) {
            const QString arrow = source.name + u" → " + change.destination;
            if (source.oldAction.isEmpty())
                item(entry, u"+ "_qs + arrow + u": " + source.newAction, u"add"_qs, palette);
            else if (source.newAction.isEmpty())
                item(entry, u"- "_qs + arrow + u": " + source.oldAction, u"remove"_qs, palette);
            else
                item(entry, u"+/- "_qs + arrow + u": " + source.oldAction + u" => " + source.newAction, u"change"_qs,
                     palette);
        }
        entry->setExpanded(true);
    }

    if (!plan.hasChanges() && !plan.hasConflicts())
        item(root, tr("No changes: the cluster runs this design as it is."), u"none"_qs, palette);
}

} // namespace meshpad::gui
