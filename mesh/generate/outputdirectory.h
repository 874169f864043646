#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <QString>

namespace mesh::generate {

// A directory we write generated files into without following symbolic links.
//
// The directory itself (the path the user named, `-o DIR` or the export
// folder) is opened like any path, links included: a user may well point
// `-o` at a link to a bigger disk, and that choice is theirs. Everything
// *below* it is walked one component at a time with openat(O_NOFOLLOW), so a
// link already in the folder — planted, or left over — is never followed and
// never replaced: `DIR/consul -> /elsewhere` or `DIR/scripts/a.sh -> ~/.bashrc`
// is refused with its path named, and nothing is written outside DIR.
//
// Files are written to a temporary name in their final directory and renamed
// over the target, so a reader sees the old file or the new one, and a hard
// link to the old file keeps the old content. Nothing is fsynced per file;
// sync() makes everything written durable at once.
//
// Relative paths use '/' and must pass checkRelativePath(). Not thread-safe.
class OutputDirectory final
{
public:
    enum class Mode {
        Plain,      // 0644
        Executable, // 0755
    };

    // Opens `path`, creating it and its parents if needed.
    static Result<OutputDirectory> open(const QString &path);

    // Refuses a path that is empty, absolute, has an empty, "." or ".."
    // component, or a NUL character: such a path could leave the directory
    // or name it ambiguously.
    static Result<> checkRelativePath(QStringView relativePath);

    OutputDirectory(OutputDirectory &&other) noexcept;
    OutputDirectory &operator=(OutputDirectory &&other) noexcept;
    ~OutputDirectory();

    // The path as given to open(), for messages.
    const QString &path() const { return m_path; }

    // Whether writeFile(relativePath) would be refused by what is on disk now
    // (a link or a non-directory on the way, a link or a non-file at the
    // target). Creates nothing. A later writeFile() checks again.
    Result<> checkFile(QStringView relativePath);

    // Writes `bytes` to `relativePath` with exactly `mode` (the umask does not
    // narrow it), creating missing directories (0755 less the umask).
    // Refuses as checkFile() does; on failure the old file, if any, is left
    // as it was.
    Result<> writeFile(QStringView relativePath, const QByteArray &bytes, Mode mode);

    // Makes every file and directory written so far durable: syncfs(2) on the
    // file system holding the directory.
    Result<> sync();

private:
    explicit OutputDirectory(QString path, int fd);
    Result<int> directory(QStringView relativeDirectory, bool create);
    QString display(QStringView relativePath) const;
    void closeDirectories();

    QString m_path;
    int m_root = -1;
    // Opened subdirectories by relative path ("consul/intentions"); a design
    // has a handful, and at most 64 stay open so a set with thousands of
    // directories cannot run out of descriptors.
    QHash<QString, int> m_directories;
    // Directories checkFile() found missing, so checking 100,000 files for
    // a folder not yet created asks the file system once, not 100,000 times.
    QSet<QString> m_missing;
};

} // namespace mesh::generate
