#include "filetree.h"

#include "core/terminaltext.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

#include <sys/stat.h>

namespace meshtest {

QStringList fileTreeSnapshot(const QString &root)
{
    QStringList entries;
    QDirIterator it(root, QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = QDir(root).relativeFilePath(path);
        struct stat st
        {
        };
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0) {
            entries << relative + u" (vanished)";
        } else if (S_ISLNK(st.st_mode)) {
            entries << relative + u" -> " + QFile::symLinkTarget(path);
        } else if (S_ISDIR(st.st_mode)) {
            entries << relative + u'/';
        } else if (!S_ISREG(st.st_mode)) {
            entries << relative + u" (special) " + QString::number(st.st_mode, 8); // a FIFO: never opened
        } else {
            QFile f(path);
            const QByteArray content = f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(unreadable)");
            entries << relative + u' ' + QString::number(st.st_mode & 07777, 8) + u' ' + QString::fromUtf8(content);
        }
    }
    entries.sort();
    return entries;
}

mode_t fileMode(const QString &path)
{
    struct stat st
    {
    };
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode & 07777 : 0;
}

QString rawControlCharacters(const QString &text)
{
    QStringList found;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != u'\n' && mesh::TerminalText::isControl(text[i].unicode()))
            found.append(QStringLiteral("U+%1 at %2").arg(uint(text[i].unicode()), 4, 16, QLatin1Char('0')).arg(i));
    }
    return found.join(u", ");
}

} // namespace meshtest
