#pragma once

#include <QDialog>
#include <QList>

class QAction;

namespace meshpad::gui {

// F1: every shortcut in one sheet, grouped as the menus are, plus the
// canvas gestures that are not actions (pan, nudge, snap inversion).
class ShortcutsSheet final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ShortcutsSheet)

public:
    struct Group
    {
        QString title;
        QList<QAction *> actions;
    };

    explicit ShortcutsSheet(const QList<Group> &groups, QWidget *parent = nullptr);
    ~ShortcutsSheet() override;
};

} // namespace meshpad::gui
