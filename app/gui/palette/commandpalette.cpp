#include "commandpalette.h"

#include <QAction>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace meshpad::gui {

namespace {

constexpr int kEntryIndexRole = Qt::UserRole;

QString plainText(const QAction *action)
{
    QString text = action->text();
    text.remove(u'&');
    if (text.endsWith(u"…"))
        text.chop(1);
    return text;
}

} // namespace

CommandPalette::CommandPalette(const QList<Entry> &entries, QWidget *parent)
    : QDialog(parent)
    , m_entries(entries)
    , m_filter(new QLineEdit)
    , m_list(new QTreeWidget)
{
    setObjectName(QStringLiteral("commandPalette"));
    setWindowTitle(tr("Command palette"));
    setAttribute(Qt::WA_DeleteOnClose);

    m_filter->setObjectName(QStringLiteral("commandFilter"));
    m_filter->setPlaceholderText(tr("Type a command"));
    m_filter->setAccessibleName(tr("Command"));
    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::textChanged, this, &CommandPalette::applyFilter);
    connect(m_filter, &QLineEdit::returnPressed, this, &CommandPalette::triggerCurrent);

    m_list->setObjectName(QStringLiteral("commandList"));
    m_list->setColumnCount(2);
    m_list->setHeaderHidden(true);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setFocusPolicy(Qt::NoFocus); // typing always goes to the filter
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    connect(m_list, &QTreeWidget::itemClicked, this, &CommandPalette::triggerCurrent);

    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        const QAction *action = m_entries.at(i).action;
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(0, m_entries.at(i).path);
        item->setIcon(0, action->icon());
        item->setText(1, action->shortcut().toString(QKeySequence::NativeText));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(0, kEntryIndexRole, int(i));
        if (!action->isEnabled())
            item->setDisabled(true);
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_filter);
    layout->addWidget(m_list);
    resize(520, 360);
    applyFilter({});
}

CommandPalette::~CommandPalette() = default;

QStringList CommandPalette::visibleCommands() const
{
    QStringList result;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        if (!m_list->topLevelItem(i)->isHidden())
            result.append(m_list->topLevelItem(i)->text(0));
    }
    return result;
}

void CommandPalette::applyFilter(const QString &text)
{
    const QStringList words = text.split(u' ', Qt::SkipEmptyParts);
    QTreeWidgetItem *first = nullptr;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_list->topLevelItem(i);
        const Entry &entry = m_entries.at(item->data(0, kEntryIndexRole).toInt());
        const QString haystack = entry.path + u' ' + (entry.action ? plainText(entry.action) : QString());
        const bool match = std::all_of(words.begin(), words.end(), [&](const QString &word) {
            return haystack.contains(word, Qt::CaseInsensitive);
        });
        item->setHidden(!match);
        if (match && !first && !item->isDisabled())
            first = item;
    }
    m_list->setCurrentItem(first);
}

void CommandPalette::triggerCurrent()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    if (!item || item->isHidden() || item->isDisabled())
        return;
    const QPointer<QAction> action = m_entries.at(item->data(0, kEntryIndexRole).toInt()).action;
    accept();
    // After the palette has closed, so the action acts on the window's
    // focus (the canvas), not on this dialog.
    if (action)
        QTimer::singleShot(0, action, [action] {
            if (action && action->isEnabled())
                action->trigger();
        });
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up || key == Qt::Key_PageDown || key == Qt::Key_PageUp) {
            // Move among visible, enabled rows without leaving the filter.
            int row = m_list->currentItem() ? m_list->indexOfTopLevelItem(m_list->currentItem()) : -1;
            const int step = key == Qt::Key_Down || key == Qt::Key_PageDown ? 1 : -1;
            for (int next = row + step; next >= 0 && next < m_list->topLevelItemCount(); next += step) {
                QTreeWidgetItem *candidate = m_list->topLevelItem(next);
                if (!candidate->isHidden() && !candidate->isDisabled()) {
                    m_list->setCurrentItem(candidate);
                    break;
                }
            }
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace meshpad::gui
