#include "goldenfiles.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSet>

namespace meshtest {

bool GoldenFiles::updating()
{
    return qEnvironmentVariable("MESHPAD_UPDATE_GOLDEN") == u"1";
}

namespace {

QStringList filesUnder(const QString &directory)
{
    QStringList out;
    const QDir root(directory);
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(root.relativeFilePath(it.next()));
    out.sort();
    return out;
}

QString firstDifference(const QString &expected, const QString &actual)
{
    const QStringList a = expected.split(u'\n');
    const QStringList b = actual.split(u'\n');
    for (qsizetype i = 0; i < std::max(a.size(), b.size()); ++i) {
        const QString left = i < a.size() ? a.at(i) : QStringLiteral("<end of file>");
        const QString right = i < b.size() ? b.at(i) : QStringLiteral("<end of file>");
        if (left != right)
            return QStringLiteral("line %1:\n  golden:    %2\n  generated: %3").arg(i + 1).arg(left, right);
    }
    return QStringLiteral("(same lines, different bytes)");
}

} // namespace

QStringList GoldenFiles::compareTree(const QString &directory, const QList<File> &files)
{
    QStringList problems;
    if (updating()) {
        QSet<QString> keep;
        for (const auto &[path, text] : files) {
            const QString target = QDir(directory).filePath(path);
            QDir().mkpath(QFileInfo(target).absolutePath());
            QSaveFile f(target);
            if (!f.open(QIODevice::WriteOnly) || f.write(text.toUtf8()) < 0 || !f.commit())
                problems.append(QStringLiteral("cannot write golden %1").arg(target));
            keep.insert(path);
        }
        for (const QString &old : filesUnder(directory)) {
            if (!keep.contains(old))
                QFile::remove(QDir(directory).filePath(old));
        }
        return problems;
    }

    QSet<QString> generated;
    for (const auto &[path, text] : files) {
        generated.insert(path);
        QFile f(QDir(directory).filePath(path));
        if (!f.open(QIODevice::ReadOnly)) {
            problems.append(
                QStringLiteral("%1: no golden file (run with MESHPAD_UPDATE_GOLDEN=1 to create it)").arg(f.fileName()));
            continue;
        }
        const QString golden = QString::fromUtf8(f.readAll());
        if (golden != text)
            problems.append(
                QStringLiteral("%1 differs from its golden, %2").arg(f.fileName(), firstDifference(golden, text)));
    }
    for (const QString &existing : filesUnder(directory)) {
        if (!generated.contains(existing))
            problems.append(
                QStringLiteral("%1: golden file no longer generated").arg(QDir(directory).filePath(existing)));
    }
    return problems;
}

} // namespace meshtest
