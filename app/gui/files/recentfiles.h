#pragma once

#include <QStringList>

namespace meshpad::gui {

// The recently opened projects and the last one, kept in QSettings so the
// next start reopens where the user left off. Paths are absolute; the list
// is newest first and at most kMaxFiles long.
class RecentFiles final
{
public:
    static constexpr int kMaxFiles = 8;

    static QStringList files();
    // Moves `path` to the front (adding it) and makes it the last project.
    static void add(const QString &path);
    static void remove(const QString &path);
    static void clear();

    // The project open when the editor last closed; empty for an unsaved
    // design or the bundled example.
    static QString lastProject();
    static void setLastProject(const QString &path);
};

} // namespace meshpad::gui
