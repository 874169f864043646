#include "deployprogress.h"

#include "deploy/plantreebuilder.h"
#include "deploy/progressbardelegate.h"

#include "deploy/deployevent.h"
#include "deploy/deployplan.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTime>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace meshpad::gui {

using mesh::deploy::DeployEvent;
using mesh::deploy::JobChange;

namespace {

enum PlanColumn { NameColumn, BarColumn, StateColumn };

} // namespace

DeployProgress::DeployProgress(QWidget *parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget)
    , m_log(new QPlainTextEdit)
{
    setObjectName(u"deployProgress"_qs);
    m_tree->setObjectName(u"progressTree"_qs);
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Job / group"), tr("Healthy of desired"), tr("State")});
    m_tree->setRootIsDecorated(true);
    m_tree->setSelectionMode(QAbstractItemView::NoSelection);
    // Sized once per plan (start()), not ResizeToContents: that measures
    // every row again at each change, which with a hundred groups stalled
    // the GUI thread ~80 ms at a time (bench/bench_deploy.cpp).
    m_tree->header()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    m_tree->header()->setSectionResizeMode(BarColumn, QHeaderView::Fixed);
    m_tree->header()->resizeSection(BarColumn, 220);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setItemDelegateForColumn(BarColumn, new ProgressBarDelegate(m_tree));

    m_log->setObjectName(u"deployLog"_qs);
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_tree);
    split->addWidget(m_log);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
}

DeployProgress::~DeployProgress() = default;

void DeployProgress::start(const mesh::deploy::DeployPlan &plan)
{
    m_tree->clear();
    m_jobs.clear();
    m_groups.clear();
    m_log->clear();
    for (const JobChange &job : plan.jobs) {
        if (job.action == JobChange::Action::None)
            continue;
        Row &row = jobRow(job.id);
        const bool removing = job.action == JobChange::Action::Stop || job.action == JobChange::Action::Purge;
        setState(row.item, removing ? tr("to stop") : tr("to register"), u"none"_qs);
        // The groups the plan knows, so every bar is there from the start.
        for (auto it = job.desiredUpdates.constBegin(); it != job.desiredUpdates.constEnd(); ++it) {
            if (!removing)
                groupRow(job.id, it.key());
        }
    }
    m_tree->resizeColumnToContents(NameColumn);
}

DeployProgress::Row &DeployProgress::jobRow(const QString &job)
{
    auto it = m_jobs.find(job);
    if (it != m_jobs.end())
        return *it;
    Row row;
    row.item = new QTreeWidgetItem(m_tree, {job});
    QFont bold = row.item->font(NameColumn);
    bold.setBold(true);
    row.item->setFont(NameColumn, bold);
    row.item->setExpanded(true);
    showCounts(row.item, 0, 0);
    return *m_jobs.insert(job, row);
}

DeployProgress::Row &DeployProgress::groupRow(const QString &job, const QString &group)
{
    const QString key = job + u'/' + group;
    auto it = m_groups.find(key);
    if (it != m_groups.end())
        return *it;
    Row &parent = jobRow(job);
    Row row;
    row.item = new QTreeWidgetItem(parent.item, {group});
    parent.item->setExpanded(true);
    showCounts(row.item, 0, 0);
    return *m_groups.insert(key, row);
}

void DeployProgress::showCounts(QTreeWidgetItem *item, int desired, int healthy)
{
    // A maximum of 0 would make the bar a busy indicator: keep it a bar.
    showBar(item, std::max(desired, 1), std::min(healthy, std::max(desired, 1)),
            desired > 0 ? tr("%1 of %2 healthy").arg(healthy).arg(desired) : tr("waiting"));
}

void DeployProgress::showBar(QTreeWidgetItem *item, int maximum, int value, const QString &text)
{
    item->setData(BarColumn, ProgressBarDelegate::MaximumRole, maximum);
    item->setData(BarColumn, ProgressBarDelegate::ValueRole, value);
    item->setText(BarColumn, text);
}

void DeployProgress::setState(QTreeWidgetItem *item, const QString &text, const QString &change)
{
    item->setText(StateColumn, text);
    item->setToolTip(StateColumn, text);
    item->setForeground(StateColumn, PlanTreeBuilder::colour(change, m_tree->palette()));
}

void DeployProgress::updateJobBar(const QString &job)
{
    Row &row = jobRow(job);
    int desired = 0;
    int healthy = 0;
    const QString prefix = job + u'/';
    for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it) {
        if (it.key().startsWith(prefix)) {
            desired += it->desired;
            healthy += it->healthy;
        }
    }
    row.desired = desired;
    row.healthy = healthy;
    showCounts(row.item, desired, healthy);
}

void DeployProgress::addEvent(const DeployEvent &event)
{
    appendLog(event.toText());
    if (event.job.isEmpty())
        return;
    switch (event.kind) {
    case DeployEvent::Kind::JobRegistered: setState(jobRow(event.job).item, tr("registered"), u"info"_qs); break;
    case DeployEvent::Kind::Evaluated: setState(jobRow(event.job).item, tr("evaluated"), u"info"_qs); break;
    case DeployEvent::Kind::Progress: {
        Row &group = groupRow(event.job, event.group);
        group.desired = event.desired;
        group.healthy = event.healthy;
        showCounts(group.item, event.desired, event.healthy);
        setState(group.item, tr("%1 placed, %2 unhealthy").arg(event.placed).arg(event.unhealthy),
                 event.unhealthy > 0 ? u"warning"_qs : u"info"_qs);
        updateJobBar(event.job);
        setState(jobRow(event.job).item, tr("deploying"), u"change"_qs);
        break;
    }
    case DeployEvent::Kind::PlacementFailed:
        setState(event.group.isEmpty() ? jobRow(event.job).item : groupRow(event.job, event.group).item,
                 tr("not placed: %1").arg(event.text), u"failure"_qs);
        break;
    case DeployEvent::Kind::AllocationProblem:
        if (!event.group.isEmpty())
            setState(groupRow(event.job, event.group).item, event.text, u"warning"_qs);
        break;
    case DeployEvent::Kind::JobSucceeded: setState(jobRow(event.job).item, tr("successful"), u"add"_qs); break;
    case DeployEvent::Kind::JobFailed:
        setState(jobRow(event.job).item, tr("failed: %1").arg(event.text), u"failure"_qs);
        break;
    case DeployEvent::Kind::JobStopped: {
        Row &row = jobRow(event.job);
        setState(row.item, tr("stopped"), u"remove"_qs);
        showBar(row.item, 1, 1, tr("stopped"));
        break;
    }
    default: break;
    }
}

void DeployProgress::appendLog(const QString &line)
{
    m_log->appendPlainText(QTime::currentTime().toString(u"HH:mm:ss"_qs) + u"  " + line);
}

std::optional<DeployProgress::Bar> DeployProgress::bar(const QString &job, const QString &group) const
{
    const Row row = group.isEmpty() ? m_jobs.value(job) : m_groups.value(job + u'/' + group);
    if (!row.item)
        return std::nullopt;
    return Bar{row.item->data(BarColumn, ProgressBarDelegate::ValueRole).toInt(),
               row.item->data(BarColumn, ProgressBarDelegate::MaximumRole).toInt(), row.item->text(BarColumn)};
}

QString DeployProgress::state(const QString &job) const
{
    const Row row = m_jobs.value(job);
    return row.item ? row.item->text(StateColumn) : QString();
}

} // namespace meshpad::gui
