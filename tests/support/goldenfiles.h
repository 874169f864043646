#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace meshtest {

// Golden files: generated text compared byte for byte with files under
// tests/data/. Run a test with MESHPAD_UPDATE_GOLDEN=1 in the environment to
// rewrite its goldens from the current output (and delete the ones no
// longer generated); review the diff with git before committing it.
class GoldenFiles final
{
public:
    using File = std::pair<QString, QString>; // path relative to the dir, text

    static bool updating();

    // Compares `files` with the tree under `directory` (which must hold
    // exactly these files). Returns one message per difference: a missing,
    // extra or different file, with the first differing line. When
    // updating(), writes the tree instead and returns nothing.
    static QStringList compareTree(const QString &directory, const QList<File> &files);
};

} // namespace meshtest
