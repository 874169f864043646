#pragma once

class QApplication;

namespace meshpad {

// The editor's application, set up as `meshpad [FILE]` sets it up before any
// window exists: name, version, display name, desktop file, and the saved
// colour scheme (so nothing paints light first). The tests' editor driver
// (tests/support/editordriver.cpp) starts the same way.
void setUpEditorApplication(QApplication &app);

} // namespace meshpad
