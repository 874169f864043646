#include "shortcutssheet.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace meshpad::gui {

ShortcutsSheet::ShortcutsSheet(const QList<Group> &groups, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("shortcutsSheet"));
    setWindowTitle(tr("Keyboard shortcuts"));
    setAttribute(Qt::WA_DeleteOnClose);

    auto *tree = new QTreeWidget;
    tree->setColumnCount(2);
    tree->setHeaderLabels({tr("Action"), tr("Shortcut")});
    tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree->header()->setStretchLastSection(false);
    tree->setAccessibleName(tr("Keyboard shortcuts"));
    const auto section = [tree](const QString &title) {
        auto *item = new QTreeWidgetItem(tree, {title});
        QFont bold = item->font(0);
        bold.setBold(true);
        item->setFont(0, bold);
        item->setFirstColumnSpanned(true);
        item->setExpanded(true);
        return item;
    };
    for (const Group &group : groups) {
        QTreeWidgetItem *heading = section(group.title);
        for (const QAction *action : group.actions) {
            if (action->shortcuts().isEmpty())
                continue;
            QStringList keys;
            for (const QKeySequence &key : action->shortcuts())
                keys.append(key.toString(QKeySequence::NativeText));
            QString text = action->text();
            text.remove(u'&');
            new QTreeWidgetItem(heading, {text, keys.join(tr(" or "))});
        }
    }
    QTreeWidgetItem *canvas = section(tr("On the canvas"));
    const std::pair<QString, QString> gestures[] = {
        {tr("Pan"), tr("Space+drag or middle button")},
        {tr("Zoom at the cursor"), tr("Wheel")},
        {tr("Nudge the selection"), tr("Arrow keys (Alt: one pixel)")},
        {tr("Move without snapping"), tr("Shift while dragging")},
        {tr("Connect two services"), tr("Drag from a card's handle")},
        {tr("Retarget an arrow"), tr("Drag its head")},
        {tr("Select several"), tr("Drag on empty canvas; Ctrl+click")},
        {tr("Cancel a drag, clear selection"), tr("Esc")},
        {tr("Edit a service"), tr("Double-click")},
    };
    for (const auto &[what, how] : gestures)
        new QTreeWidgetItem(canvas, {what, how});
    tree->expandAll();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tree);
    layout->addWidget(buttons);
    resize(520, 600);
}

ShortcutsSheet::~ShortcutsSheet() = default;

} // namespace meshpad::gui
