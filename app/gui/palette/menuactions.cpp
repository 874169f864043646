#include "menuactions.h"

#include <QAction>
#include <QMenu>

#include <functional>

namespace meshpad::gui {

QList<MenuActions> menuActions(const QList<QMenu *> &menus, Submenus submenus)
{
    QList<MenuActions> result;
    for (const QMenu *menu : menus) {
        MenuActions entry;
        entry.title = menu->title().remove(u'&');
        const std::function<void(const QMenu *)> collect = [&](const QMenu *from) {
            for (QAction *action : from->actions()) {
                if (action->menu()) {
                    if (submenus == Submenus::Include)
                        collect(action->menu());
                } else if (!action->isSeparator() && !entry.actions.contains(action)) {
                    entry.actions.append(action);
                }
            }
        };
        collect(menu);
        result.append(std::move(entry));
    }
    return result;
}

} // namespace meshpad::gui
