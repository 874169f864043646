#pragma once

#include <QMenu>

namespace meshpad::gui {

// Help › Examples: one row per bundled example design.
//
// The examples are the `*.meshpad` files of examplesFolder(), the layout
// both the build tree and the installed package have (bin/meshpad beside
// share/meshpad/examples; packaging/CMakeLists.txt makes it); when that
// folder has none, the example compiled into the program
// (MainWindow::kExamplePath). The rows are read again each time the menu
// opens. Choosing one emits exampleChosen(path); the window opens it as an
// untitled copy, so Save asks where and the example stays as shipped.
class ExamplesMenu final : public QMenu
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExamplesMenu)

public:
    explicit ExamplesMenu(QWidget *parent = nullptr);

    // <QCoreApplication::applicationDirPath()>/../share/meshpad/examples
    static QString examplesFolder();
    // The examples' paths, sorted by file name; never empty.
    static QStringList examples();

Q_SIGNALS:
    void exampleChosen(const QString &path);

private:
    void populate();
};

} // namespace meshpad::gui
