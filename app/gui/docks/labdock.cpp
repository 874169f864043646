#include "labdock.h"

#include "canvas/livestate.h"
#include "lab/lab.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTextCursor>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <chrono>

namespace meshpad::gui {

using mesh::lab::HealthStatus;
using mesh::lab::InstanceSnapshot;
using mesh::lab::InstanceState;
using mesh::lab::LabEvent;

namespace {

constexpr int kIdRole = Qt::UserRole;
// What a row stands for across snapshots: the allocation id, or the name of
// an allocation that waits for a node and has no id yet.
constexpr int kKeyRole = Qt::UserRole + 1;
constexpr int kFlushMs = 100;

enum InstanceColumn { Alloc, Service, Node, Address, State, Health, Restarts, ColumnCount };

QIcon dot(const QColor &colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(1, 1, 10, 10));
    return QIcon(pixmap);
}

// The colour an event's kind is written in; invalid = the text colour.
QColor eventColour(LabEvent::Kind kind)
{
    using Kind = LabEvent::Kind;
    switch (kind) {
    case Kind::Failed:
    case Kind::Unhealthy:
    case Kind::Refused:
    case Kind::Denied:
    case Kind::Error: return QColor(0xd6, 0x33, 0x33);
    case Kind::Healthy:
    case Kind::Started:
    case Kind::Restarted: return QColor(0x2e, 0xa0, 0x4f);
    case Kind::Drill:
    case Kind::Node: return QColor(0x2f, 0x7d, 0xd1);
    case Kind::Placed:
    case Kind::Stopped:
    case Kind::Certificate: break;
    }
    return {};
}

// Keeps the combo's entries as `entries` (text, id) and its current id.
void syncCombo(QComboBox *combo, const QList<std::pair<QString, QString>> &entries)
{
    bool same = combo->count() == entries.size();
    for (int i = 0; same && i < combo->count(); ++i)
        same = combo->itemData(i).toString() == entries.at(i).second;
    if (same) {
        for (int i = 0; i < combo->count(); ++i)
            combo->setItemText(i, entries.at(i).first);
        return;
    }
    const QString current = combo->currentData().toString();
    const QSignalBlocker blocker(combo);
    combo->clear();
    for (const auto &[text, id] : entries)
        combo->addItem(text, id);
    const int index = combo->findData(current);
    combo->setCurrentIndex(index >= 0 ? index : 0);
}

// Compact text buttons: the drills share one narrow column.
QToolButton *button(const QString &objectName, const QString &text, const QString &toolTip)
{
    auto *b = new QToolButton;
    b->setText(text);
    b->setObjectName(objectName);
    b->setToolTip(toolTip);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setMinimumWidth(52);
    return b;
}

QSpinBox *namedSpinBox(const QString &objectName, const QString &accessibleName, int maximum, int step)
{
    auto *box = new QSpinBox;
    box->setObjectName(objectName);
    box->setAccessibleName(accessibleName);
    box->setRange(0, maximum);
    box->setSingleStep(step);
    return box;
}

QLabel *caption(const QString &text)
{
    auto *label = new QLabel(text);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

} // namespace

LabDock::LabDock(mesh::lab::Lab &lab, QWidget *parent)
    : QDockWidget(tr("Lab"), parent)
    , m_lab(lab)
{
    setObjectName(QStringLiteral("labDock"));

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("labStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_link = new QLabel;
    m_link->setObjectName(QStringLiteral("dashboardLink"));
    m_link->setTextFormat(Qt::RichText);
    m_link->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    connect(m_link, &QLabel::linkActivated, this, [this] { openDashboard(); });
    auto *header = new QHBoxLayout;
    header->addWidget(m_status, 1);
    header->addWidget(m_link);

    m_instances = new QTreeWidget;
    m_instances->setObjectName(QStringLiteral("labInstances"));
    m_instances->setAccessibleName(tr("Lab instances"));
    m_instances->setRootIsDecorated(false);
    m_instances->setUniformRowHeights(true);
    m_instances->setAllColumnsShowFocus(true);
    m_instances->setColumnCount(ColumnCount);
    m_instances->setHeaderLabels(
        {tr("Allocation"), tr("Service"), tr("Node"), tr("Address"), tr("State"), tr("Health"), tr("Restarts")});
    m_instances->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_instances->header()->setStretchLastSection(true);
    connect(m_instances, &QTreeWidget::currentItemChanged, this, &LabDock::updateEnabled);

    m_log = new QPlainTextEdit;
    m_log->setObjectName(QStringLiteral("labEventLog"));
    m_log->setAccessibleName(tr("Lab events"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setMaximumBlockCount(kMaxLogLines);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("Events of the running lab appear here."));
    // Follow the newest line while the view is at the bottom; a user who
    // scrolled up to read keeps their place. rangeChanged also comes when the
    // log is first shown or resized, so a hidden tab follows too.
    QScrollBar *bar = m_log->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) { m_followLog = value == bar->maximum(); });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int max) {
        if (m_followLog)
            bar->setValue(max);
    });

    auto *lists = new QSplitter(Qt::Vertical);
    lists->addWidget(m_instances);
    lists->addWidget(m_log);
    lists->setChildrenCollapsible(false);
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(lists);
    split->addWidget(createDrills());
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    split->setChildrenCollapsible(false);

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(4);
    layout->addLayout(header);
    layout->addWidget(split, 1);
    setWidget(content);

    m_flush.setSingleShot(true);
    m_flush.setInterval(kFlushMs);
    connect(&m_flush, &QTimer::timeout, this, &LabDock::flushEvents);

    setSnapshot({});
}

LabDock::~LabDock() = default;

QWidget *LabDock::createDrills()
{
    m_stopInstance = button(u"drillStopInstance"_qs, tr("Stop"), tr("Stop the selected instance"));
    m_startInstance = button(u"drillStartInstance"_qs, tr("Start"), tr("Start the selected instance again"));
    m_killInstance = button(u"drillKillInstance"_qs, tr("Kill"),
                            tr("Make the selected instance's task fail as a crash would; the restart policy "
                               "brings it back"));
    connect(m_stopInstance, &QToolButton::clicked, this, [this] { m_lab.stopInstance(currentInstance()); });
    connect(m_startInstance, &QToolButton::clicked, this, [this] { m_lab.startInstance(currentInstance()); });
    connect(m_killInstance, &QToolButton::clicked, this, [this] { m_lab.killInstance(currentInstance()); });

    m_node = new QComboBox;
    m_node->setObjectName(QStringLiteral("drillNode"));
    m_node->setAccessibleName(tr("Node"));
    m_stopNode = button(u"drillStopNode"_qs, tr("Stop"),
                        tr("Take the node down: its instances are lost and placed again on the nodes up"));
    m_startNode = button(u"drillStartNode"_qs, tr("Start"), tr("Bring the node back up"));
    connect(m_node, &QComboBox::currentIndexChanged, this, &LabDock::updateEnabled);
    connect(m_stopNode, &QToolButton::clicked, this, [this] { m_lab.stopNode(m_node->currentData().toString()); });
    connect(m_startNode, &QToolButton::clicked, this, [this] { m_lab.startNode(m_node->currentData().toString()); });

    m_arrow = new QComboBox;
    m_arrow->setObjectName(QStringLiteral("drillArrow"));
    m_arrow->setAccessibleName(tr("Arrow"));
    m_arrow->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_allow = button(u"drillAllow"_qs, tr("Allow"), tr("Let the intentions allow this arrow"));
    m_deny = button(u"drillDeny"_qs, tr("Deny"), tr("Let the intentions deny this arrow"));
    m_latency = namedSpinBox(u"drillLatency"_qs, tr("Added latency"), 10000, 50);
    m_latency->setSuffix(tr(" ms"));
    m_failures = namedSpinBox(u"drillFailures"_qs, tr("Failure rate"), 100, 10);
    m_failures->setSuffix(tr(" % fail"));
    m_applyFault = button(u"drillApplyFault"_qs, tr("Apply"),
                          tr("Delay each new connection of the arrow and close this share of them at once"));
    connect(m_arrow, &QComboBox::currentIndexChanged, this, [this] {
        showArrowFault();
        updateEnabled();
    });
    const auto setAction = [this](mesh::model::IntentionAction action) {
        const mesh::model::UpstreamId id = currentArrow();
        if (!id.isNull())
            m_lab.setArrowAction(id, action);
    };
    connect(m_allow, &QToolButton::clicked, this, [setAction] { setAction(mesh::model::IntentionAction::Allow); });
    connect(m_deny, &QToolButton::clicked, this, [setAction] { setAction(mesh::model::IntentionAction::Deny); });
    connect(m_applyFault, &QToolButton::clicked, this, [this] {
        const mesh::model::UpstreamId id = currentArrow();
        if (!id.isNull())
            m_lab.setArrowFault(id, std::chrono::milliseconds(m_latency->value()), m_failures->value() / 100.0);
    });

    m_service = new QComboBox;
    m_service->setObjectName(QStringLiteral("drillService"));
    m_service->setAccessibleName(tr("Service"));
    m_service->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_count = namedSpinBox(u"drillCount"_qs, tr("Count"), 30, 1);
    m_count->setPrefix(u"×"_qs);
    m_setCount = button(u"drillSetCount"_qs, tr("Set"), tr("Place or stop allocations to reach this count"));
    connect(m_service, &QComboBox::currentIndexChanged, this, [this] {
        const mesh::model::ServiceId id{m_service->currentData().toString()};
        m_count->setValue(int(m_snapshot.instancesOf(id).size()));
        updateEnabled();
    });
    connect(m_setCount, &QToolButton::clicked, this, [this] {
        const mesh::model::ServiceId id{m_service->currentData().toString()};
        if (!id.isNull())
            m_lab.setCount(id, m_count->value());
    });

    // One column beside the lists: captions left, controls right. In a
    // scroll area, so a short dock scrolls it rather than squeezing it.
    auto *drills = new QWidget;
    auto *grid = new QGridLayout(drills);
    grid->setContentsMargins(4, 0, 4, 0);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(3);
    const auto addRow = [grid](const QString &title, const QList<QWidget *> &widgets) {
        const int row = grid->rowCount();
        if (!title.isEmpty())
            grid->addWidget(caption(title), row, 0);
        auto *line = new QHBoxLayout;
        line->setSpacing(4);
        for (QWidget *w : widgets)
            line->addWidget(w);
        line->addStretch(1);
        grid->addLayout(line, row, 1);
    };
    addRow(tr("Instance"), {m_stopInstance, m_startInstance, m_killInstance});
    addRow(tr("Node"), {m_node, m_stopNode, m_startNode});
    addRow(tr("Arrow"), {m_arrow});
    addRow({}, {m_allow, m_deny});
    addRow(tr("Fault"), {m_latency, m_failures, m_applyFault});
    addRow(tr("Count"), {m_service, m_count, m_setCount});
    grid->setRowStretch(grid->rowCount(), 1);

    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("labDrills"));
    scroll->setWidget(drills);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(drills->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
    return scroll;
}

void LabDock::setSnapshot(const mesh::lab::LabSnapshot &snapshot)
{
    m_snapshot = snapshot;
    if (!m_snapshot.running) {
        m_status->setText(tr("Not running. Run (F5) starts the design on three lab nodes on this machine."));
        m_link->clear();
    } else {
        int running = 0;
        int passing = 0;
        for (const InstanceSnapshot &i : std::as_const(m_snapshot.instances)) {
            running += i.state == InstanceState::Running ? 1 : 0;
            passing += i.health == HealthStatus::Passing ? 1 : 0;
        }
        int nodesUp = 0;
        for (const mesh::lab::NodeSnapshot &n : std::as_const(m_snapshot.nodes))
            nodesUp += n.up ? 1 : 0;
        QString status = tr("Running: %1 of %2 instances, %3 passing, on %4 of %5 nodes. Edits apply at the next Run.")
                             .arg(running)
                             .arg(m_snapshot.instances.size())
                             .arg(passing)
                             .arg(nodesUp)
                             .arg(m_snapshot.nodes.size());
        // Where curl, consul, nomad or `meshpad proxy -sidecar-for` reach
        // this lab (every node serves both; node one is the leader).
        if (!m_snapshot.nodes.isEmpty() && !m_snapshot.nodes.constFirst().consulAddress.isEmpty())
            status
                += u'\n'
                   + tr("Consul API %1, Nomad API %2")
                         .arg(m_snapshot.nodes.constFirst().consulAddress, m_snapshot.nodes.constFirst().nomadAddress);
        m_status->setText(status);
        const QString url = m_snapshot.dashboardUrl;
        const QString escaped = url.toHtmlEscaped();
        const QString link = url.isEmpty() ? QString() : tr("Dashboard: <a href=\"%1\">%1</a>").arg(escaped);
        if (m_link->text() != link)
            m_link->setText(link);
    }
    updateInstances();
    updateChoices();
    updateEnabled();
}

void LabDock::updateInstances()
{
    static const QIcon passing = dot(healthColour(HealthStatus::Passing));
    static const QIcon critical = dot(healthColour(HealthStatus::Critical));
    static const QIcon unknown = dot(healthColour(HealthStatus::Unknown));

    QHash<QString, QTreeWidgetItem *> existing;
    for (int i = 0; i < m_instances->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_instances->topLevelItem(i);
        existing.insert(item->data(Alloc, kKeyRole).toString(), item);
    }
    // The live allocations, then the lost ones (greyed) below them.
    QList<const InstanceSnapshot *> rows;
    for (const InstanceSnapshot &instance : std::as_const(m_snapshot.instances))
        rows.append(&instance);
    for (const InstanceSnapshot &instance : std::as_const(m_snapshot.lost))
        rows.append(&instance);
    int row = 0;
    for (const InstanceSnapshot *instance : std::as_const(rows)) {
        const QString key = instance->allocId.isEmpty() ? u"waiting "_qs + instance->allocName : instance->allocId;
        QTreeWidgetItem *item = existing.take(key);
        if (!item) {
            item = new QTreeWidgetItem;
            item->setData(Alloc, kIdRole, instance->allocId);
            item->setData(Alloc, kKeyRole, key);
            item->setTextAlignment(Restarts, Qt::AlignRight | Qt::AlignVCenter);
            m_instances->insertTopLevelItem(row, item);
        } else if (m_instances->indexOfTopLevelItem(item) != row) {
            const bool wasCurrent = m_instances->currentItem() == item;
            m_instances->takeTopLevelItem(m_instances->indexOfTopLevelItem(item));
            m_instances->insertTopLevelItem(row, item);
            if (wasCurrent)
                m_instances->setCurrentItem(item);
        }
        ++row;
        const bool lost = instance->state == InstanceState::Lost;
        // A replacement has the lost allocation's name (Nomad keeps it): the
        // short ids, as `nomad job status` prints them, tell them apart.
        QString state = mesh::lab::toString(instance->state);
        if (lost && !instance->nextAllocation.isEmpty())
            state = tr("%1, replaced by %2").arg(state, instance->nextAllocation.left(8));
        else if (!lost && !instance->previousAllocation.isEmpty())
            state = tr("%1, replaces %2").arg(state, instance->previousAllocation.left(8));
        const QStringList texts = {instance->allocName,
                                   instance->serviceName,
                                   instance->node,
                                   instance->address,
                                   state,
                                   lost ? QString() : mesh::lab::toString(instance->health),
                                   QString::number(instance->restarts)};
        for (int c = 0; c < ColumnCount; ++c) {
            if (item->text(c) != texts.at(c))
                item->setText(c, texts.at(c));
        }
        item->setToolTip(Alloc, instance->allocId);
        item->setToolTip(State, instance->message);
        item->setIcon(Health, lost                                         ? QIcon()
                              : instance->health == HealthStatus::Passing  ? passing
                              : instance->health == HealthStatus::Critical ? critical
                                                                           : unknown);
        const bool failing = instance->state == InstanceState::Failed || instance->state == InstanceState::Restarting;
        const QBrush grey = m_instances->palette().placeholderText();
        for (int c = 0; c < ColumnCount; ++c) {
            if (c != State)
                item->setForeground(c, lost ? grey : m_instances->palette().text());
        }
        item->setForeground(State, instance->state == InstanceState::Running ? m_instances->palette().text()
                                   : failing ? QBrush(healthColour(HealthStatus::Critical))
                                             : grey);
    }
    qDeleteAll(existing);
}

void LabDock::updateChoices()
{
    QList<std::pair<QString, QString>> nodes;
    for (const mesh::lab::NodeSnapshot &n : std::as_const(m_snapshot.nodes))
        nodes.append({n.up ? n.name : tr("%1 (down)").arg(n.name), n.name});
    syncCombo(m_node, nodes);

    QList<std::pair<QString, QString>> arrows;
    for (const mesh::lab::ArrowSnapshot &a : std::as_const(m_snapshot.arrows))
        arrows.append({a.from + u" → " + a.to + (a.allowed ? QString() : tr(" (denied)")), a.id.value});
    const QString arrowBefore = m_arrow->currentData().toString();
    syncCombo(m_arrow, arrows);
    if (m_arrow->currentData().toString() != arrowBefore)
        showArrowFault();

    QList<std::pair<QString, QString>> services;
    QStringList seen;
    for (const InstanceSnapshot &i : std::as_const(m_snapshot.instances)) {
        if (!seen.contains(i.serviceId.value)) {
            seen.append(i.serviceId.value);
            services.append({i.serviceName, i.serviceId.value});
        }
    }
    const QString serviceBefore = m_service->currentData().toString();
    syncCombo(m_service, services);
    if (m_service->currentData().toString() != serviceBefore)
        m_count->setValue(int(m_snapshot.instancesOf({m_service->currentData().toString()}).size()));
}

void LabDock::updateEnabled()
{
    const bool running = m_snapshot.running;
    const InstanceSnapshot *instance = running ? m_snapshot.instance(currentInstance()) : nullptr;
    m_stopInstance->setEnabled(instance && instance->state != InstanceState::Stopped);
    m_startInstance->setEnabled(instance && instance->state == InstanceState::Stopped);
    m_killInstance->setEnabled(
        instance && (instance->state == InstanceState::Running || instance->state == InstanceState::Starting));

    const QString nodeName = m_node->currentData().toString();
    const mesh::lab::NodeSnapshot *node = nullptr;
    for (const mesh::lab::NodeSnapshot &n : std::as_const(m_snapshot.nodes)) {
        if (n.name == nodeName)
            node = &n;
    }
    m_node->setEnabled(running && !m_snapshot.nodes.isEmpty());
    m_stopNode->setEnabled(running && node && node->up);
    m_startNode->setEnabled(running && node && !node->up);

    const mesh::lab::ArrowSnapshot *arrow = running ? m_snapshot.arrow(currentArrow()) : nullptr;
    m_arrow->setEnabled(running && !m_snapshot.arrows.isEmpty());
    m_allow->setEnabled(arrow && !arrow->allowed);
    m_deny->setEnabled(arrow && arrow->allowed);
    m_latency->setEnabled(arrow);
    m_failures->setEnabled(arrow);
    m_applyFault->setEnabled(arrow);

    const bool service = running && m_service->currentIndex() >= 0;
    m_service->setEnabled(service);
    m_count->setEnabled(service);
    m_setCount->setEnabled(service);
}

void LabDock::showArrowFault()
{
    const mesh::lab::ArrowSnapshot *arrow = m_snapshot.arrow(currentArrow());
    m_latency->setValue(arrow ? arrow->addedLatencyMs : 0);
    m_failures->setValue(arrow ? qRound(arrow->failureRate * 100) : 0);
}

void LabDock::setCurrentArrow(const mesh::model::UpstreamId &id)
{
    const int index = m_arrow->findData(id.value);
    if (index >= 0)
        m_arrow->setCurrentIndex(index);
}

void LabDock::setCurrentService(const mesh::model::ServiceId &id)
{
    const int index = m_service->findData(id.value);
    if (index >= 0)
        m_service->setCurrentIndex(index);
}

mesh::model::UpstreamId LabDock::currentArrow() const
{
    return {m_arrow->currentData().toString()};
}

QString LabDock::currentInstance() const
{
    const QTreeWidgetItem *item = m_instances->currentItem();
    return item ? item->data(Alloc, kIdRole).toString() : QString();
}

void LabDock::selectInstance(const QString &allocId)
{
    for (int i = 0; i < m_instances->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_instances->topLevelItem(i);
        if (item->data(Alloc, kIdRole).toString() == allocId) {
            m_instances->setCurrentItem(item);
            return;
        }
    }
}

bool LabDock::openDashboard()
{
    if (m_snapshot.dashboardUrl.isEmpty())
        return false;
    return QDesktopServices::openUrl(QUrl(m_snapshot.dashboardUrl));
}

void LabDock::appendEvent(const LabEvent &event)
{
    m_pendingEvents.append(event);
    if (!m_flush.isActive())
        m_flush.start();
}

void LabDock::clearEvents()
{
    m_pendingEvents.clear();
    m_log->clear();
    m_followLog = true;
}

void LabDock::flushEvents()
{
    if (m_pendingEvents.isEmpty())
        return;
    // More than the log keeps: only the newest can be seen anyway.
    if (m_pendingEvents.size() > kMaxLogLines)
        m_pendingEvents.remove(0, m_pendingEvents.size() - kMaxLogLines);

    QTextCharFormat plain;
    QTextCharFormat dim;
    dim.setForeground(m_log->palette().placeholderText());
    QTextCursor cursor(m_log->document());
    cursor.beginEditBlock();
    cursor.movePosition(QTextCursor::End);
    for (const LabEvent &event : std::as_const(m_pendingEvents)) {
        if (!m_log->document()->isEmpty())
            cursor.insertBlock();
        QTextCharFormat kind;
        if (const QColor colour = eventColour(event.kind); colour.isValid())
            kind.setForeground(colour);
        kind.setFontWeight(QFont::Bold);
        cursor.insertText(event.time.toLocalTime().toString(u"HH:mm:ss.zzz"_qs) + u"  ", dim);
        cursor.insertText(mesh::lab::toString(event.kind).leftJustified(10), kind);
        const QString about = event.allocName.isEmpty() ? event.service : event.allocName;
        cursor.insertText((about.isEmpty() ? QString() : about + u"  ") + event.text, plain);
    }
    cursor.endEditBlock();
    m_pendingEvents.clear();
}

} // namespace meshpad::gui
