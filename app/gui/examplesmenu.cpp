#include "examplesmenu.h"

#include "mainwindow.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace meshpad::gui {

ExamplesMenu::ExamplesMenu(QWidget *parent)
    : QMenu(tr("&Examples"), parent)
{
    setObjectName(QStringLiteral("examplesMenu"));
    populate();
    connect(this, &QMenu::aboutToShow, this, &ExamplesMenu::populate);
}

QString ExamplesMenu::examplesFolder()
{
    return QDir::cleanPath(QCoreApplication::applicationDirPath() + u"/../share/meshpad/examples");
}

QStringList ExamplesMenu::examples()
{
    QStringList paths;
    const QDir folder(examplesFolder());
    for (const QFileInfo &file : folder.entryInfoList({QStringLiteral("*.meshpad")}, QDir::Files, QDir::Name))
        paths.append(file.absoluteFilePath());
    if (paths.isEmpty())
        paths.append(QString::fromLatin1(MainWindow::kExamplePath));
    return paths;
}

void ExamplesMenu::populate()
{
    clear();
    for (const QString &path : examples()) {
        const QString name = QFileInfo(path).completeBaseName();
        QAction *action = addAction(name);
        action->setObjectName(u"actionExample_" + name);
        action->setToolTip(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT exampleChosen(path); });
    }
}

} // namespace meshpad::gui
