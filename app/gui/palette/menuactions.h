#pragma once

#include <QList>
#include <QString>

class QAction;
class QMenu;

namespace meshpad::gui {

// One menu as the window's pickers list it: its title without the '&' of
// its mnemonic, and the actions a person can trigger from it (separators
// left out).
struct MenuActions
{
    QString title;
    QList<QAction *> actions;
};

// Whether the actions of a menu's submenus (Open Recent, Examples) count as
// the menu's own, where the submenu sits.
enum class Submenus { Skip, Include };

// The one walk over the menu bar's menus, in their order: the command
// palette, the shortcuts sheet and MainWindow::allActions() all read it.
QList<MenuActions> menuActions(const QList<QMenu *> &menus, Submenus submenus);

} // namespace meshpad::gui
