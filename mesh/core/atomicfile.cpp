#include "atomicfile.h"

#include <QSaveFile>

namespace mesh {

Result<> AtomicFile::write(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return fail(Error::Code::Io, QStringLiteral("%1: %2").arg(path, file.errorString()));
    for (qint64 done = 0; done < bytes.size();) {
        const qint64 written = file.write(bytes.constData() + done, bytes.size() - done);
        if (written <= 0) {
            const QString reason = file.errorString();
            // Never committed: the temporary file goes with `file`.
            file.cancelWriting();
            return fail(Error::Code::Io, QStringLiteral("%1: %2").arg(path, reason));
        }
        done += written;
    }
    if (!file.commit())
        return fail(Error::Code::Io, QStringLiteral("%1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace mesh
