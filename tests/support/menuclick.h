#pragma once

// Clicking a main window's menu item as a user does, for the GUI tests
// (header-only, Qt Widgets + Qt Test; include it only from tests that link
// them).

#include <QAction>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QTest>

namespace meshtest {

// Opens the menu titled `menuTitle` (without its '&') from the menu bar and
// clicks the row of the action named `actionName`. The action runs inside
// the click: a dialog it exec()s must be answered from the event loop.
[[nodiscard]] inline bool clickMenuItem(QMainWindow &window, const QString &menuTitle, const QString &actionName)
{
    // A failing QVERIFY returns from this lambda only; the caller checks the result.
    [&] {
        QMenu *menu = nullptr;
        for (QAction *top : window.menuBar()->actions()) {
            if (top->menu() && top->text().remove(u'&') == menuTitle)
                menu = top->menu();
        }
        QVERIFY(menu);
        auto *action = window.findChild<QAction *>(actionName);
        QVERIFY(action && menu->actions().contains(action));
        menu->popup(window.mapToGlobal(QPoint(10, 10)));
        QVERIFY(QTest::qWaitForWindowExposed(menu));
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action).center());
    }();
    return !QTest::currentTestFailed();
}

} // namespace meshtest
