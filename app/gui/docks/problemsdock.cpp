#include "problemsdock.h"

#include "model/topologymodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QStackedLayout>
#include <QStyle>
#include <QTreeWidget>

namespace meshpad::gui {

using mesh::model::Problem;

namespace {

constexpr int kProblemIndexRole = Qt::UserRole;

} // namespace

ProblemsDock::ProblemsDock(const mesh::model::TopologyModel *model, QWidget *parent)
    : QDockWidget(tr("Problems"), parent)
    , m_model(model)
    , m_view(new QTreeWidget)
    , m_empty(new QLabel(tr("No problems: Consul and Nomad would accept this design.")))
{
    setObjectName(QStringLiteral("problemsDock"));
    m_view->setObjectName(QStringLiteral("problemList"));
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setAccessibleName(tr("Problems"));
    m_view->setHeaderLabels({tr("Severity"), tr("Item"), tr("Field"), tr("Message")});
    m_view->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_view->header()->setStretchLastSection(true);
    // A click is enough (the issue: "clicking one selects…"); Enter works too.
    connect(m_view, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) { activate(item); });
    connect(m_view, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) { activate(item); });

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setEnabled(false);
    auto *content = new QWidget;
    auto *stack = new QStackedLayout(content);
    stack->addWidget(m_view);
    stack->addWidget(m_empty);
    stack->setCurrentWidget(m_empty);
    setWidget(content);
}

ProblemsDock::~ProblemsDock() = default;

void ProblemsDock::setProblems(const mesh::model::Problems &problems)
{
    // Keep the selected row across refreshes when the same problem remains.
    const QTreeWidgetItem *current = m_view->currentItem();
    const Problem selected = current ? m_problems.value(current->data(0, kProblemIndexRole).toInt()) : Problem{};

    m_problems = problems;
    const QIcon errorIcon = style()->standardIcon(QStyle::SP_MessageBoxCritical);
    const QIcon warningIcon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    const QSignalBlocker blocker(m_view);
    m_view->clear();
    QList<QTreeWidgetItem *> items;
    items.reserve(m_problems.size());
    QTreeWidgetItem *reselect = nullptr;
    int errors = 0;
    for (qsizetype i = 0; i < m_problems.size(); ++i) {
        const Problem &p = m_problems.at(i);
        auto *item = new QTreeWidgetItem;
        item->setIcon(0, p.isError() ? errorIcon : warningIcon);
        item->setText(0, p.isError() ? tr("Error") : tr("Warning"));
        item->setText(1, itemLabel(p));
        item->setText(2, p.field);
        item->setText(3, p.message);
        item->setToolTip(3, p.message);
        item->setData(0, kProblemIndexRole, int(i));
        errors += p.isError() ? 1 : 0;
        if (current && p == selected)
            reselect = item;
        items.append(item);
    }
    m_view->addTopLevelItems(items);
    if (reselect)
        m_view->setCurrentItem(reselect);
    static_cast<QStackedLayout *>(widget()->layout())
        ->setCurrentWidget(m_problems.isEmpty() ? static_cast<QWidget *>(m_empty) : m_view);

    const QString title = m_problems.isEmpty() ? tr("Problems") : tr("Problems (%1)").arg(m_problems.size());
    setWindowTitle(title);
    setToolTip(tr("%n error(s)", nullptr, errors) + u", "
               + tr("%n warning(s)", nullptr, int(m_problems.size()) - errors));
    Q_EMIT summaryChanged(title);
}

QString ProblemsDock::itemLabel(const Problem &problem) const
{
    const auto serviceName = [this](const mesh::model::ServiceId &id) {
        const mesh::model::Service *s = m_model->service(id);
        return s ? (s->name.isEmpty() ? s->id.value : s->name) : id.value;
    };
    if (!problem.upstream.isNull()) {
        const mesh::model::Upstream *u = m_model->upstream(problem.upstream);
        if (u)
            return serviceName(u->downstream) + u" → " + serviceName(u->destination);
        return problem.upstream.value;
    }
    if (!problem.service.isNull())
        return serviceName(problem.service);
    return tr("Mesh settings");
}

void ProblemsDock::activate(QTreeWidgetItem *item)
{
    if (!item)
        return;
    const int index = item->data(0, kProblemIndexRole).toInt();
    if (index >= 0 && index < m_problems.size())
        Q_EMIT problemActivated(m_problems.at(index));
}

} // namespace meshpad::gui
