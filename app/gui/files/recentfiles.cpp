#include "recentfiles.h"

#include <QFileInfo>
#include <QSettings>

namespace meshpad::gui {

namespace {

const QString kFilesKey = QStringLiteral("files/recent");
const QString kLastKey = QStringLiteral("files/last");

} // namespace

QStringList RecentFiles::files()
{
    return QSettings().value(kFilesKey).toStringList();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxFiles)
        list.removeLast();
    QSettings settings;
    settings.setValue(kFilesKey, list);
    settings.setValue(kLastKey, absolute);
}

void RecentFiles::remove(const QString &path)
{
    QStringList list = files();
    list.removeAll(QFileInfo(path).absoluteFilePath());
    QSettings().setValue(kFilesKey, list);
}

void RecentFiles::clear()
{
    QSettings().remove(kFilesKey);
}

QString RecentFiles::lastProject()
{
    return QSettings().value(kLastKey).toString();
}

void RecentFiles::setLastProject(const QString &path)
{
    QSettings().setValue(kLastKey, path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath());
}

} // namespace meshpad::gui
