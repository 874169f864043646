#pragma once

#include "model/ids.h"

#include <QString>
#include <QStringView>

class QAction;

namespace meshpad::gui {
class MainWindow;
}

// What the GUI tests look up in the editor's window by the name a user sees
// or the object name the window gives it (links meshpad_gui).
namespace meshtest {

// The window's action named `objectName` (menus, toolbar, shortcuts); null
// when it has none.
QAction *windowAction(const meshpad::gui::MainWindow &window, const QString &objectName);

// The ID of the design's service called `name`; a null ID when there is none.
mesh::model::ServiceId serviceIdByName(const meshpad::gui::MainWindow &window, QStringView name);

} // namespace meshtest
