#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

namespace mesh {

// Replaces a file's contents all at once: the file holds either its old
// bytes or all the new ones, after a crash, a kill -9 or a full disk alike.
//
// QSaveFile alone does not give that under Qt 6.4: a write(2) that stops
// short (a full disk, RLIMIT_FSIZE) comes back as a short count with no
// error (qtbase: src/corelib/io/qfsfileengine.cpp,
// QFSFileEnginePrivate::writeFdFh), and commit() renames the temporary file
// over the target even when its close() failed to flush QIODevice's buffer
// (qtbase: src/corelib/io/qsavefile.cpp, QSaveFile::commit) — an empty or
// cut-off file "saved". So the file is opened unbuffered, every byte is
// written or the write is cancelled (the write after a short one gives the
// reason, EFBIG or ENOSPC), and only then committed.
class AtomicFile final
{
public:
    // Fails with Error::Code::Io and "<path>: <reason>"; the old file, if
    // any, is unchanged then and no temporary file is left.
    static Result<> write(const QString &path, const QByteArray &bytes);
};

} // namespace mesh
