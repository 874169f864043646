#include "editor.h"

#include "gui/appearance.h"

#include <QApplication>

namespace meshpad {

void setUpEditorApplication(QApplication &app)
{
    QCoreApplication::setApplicationName(QStringLiteral("meshpad"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESHPAD_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Meshpad"));
    // The desktop entry's name: on Wayland the compositor matches the window to
    // io.github.meshpad.Meshpad.desktop by it, for its title and icon
    // (https://doc.qt.io/qt-6/qguiapplication.html#desktopFileName-prop).
    QGuiApplication::setDesktopFileName(QStringLiteral(MESHPAD_APP_ID));
    gui::Appearance::apply(app, gui::Appearance::savedScheme());
}

} // namespace meshpad
