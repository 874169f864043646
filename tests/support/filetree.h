#pragma once

#include <QString>
#include <QStringList>

#include <sys/types.h>

namespace meshtest {

// What a folder holds, as a test compares it before and after: every entry
// under `root` as the file system has it, links not followed — "path ->
// link target", "path/" for a directory, "path mode content" for a file, a
// FIFO or other special file by its mode (never opened) — sorted, so a
// changed mode or content, or any new entry, shows in a QCOMPARE.
QStringList fileTreeSnapshot(const QString &root);

// The permission bits of `path` itself (lstat: a link's own), 0 if absent.
mode_t fileMode(const QString &path);

// Raw control characters (mesh::TerminalText::isControl) other than line
// breaks in `text`, listed as "U+001b at 12"; empty when there are none.
QString rawControlCharacters(const QString &text);

} // namespace meshtest
