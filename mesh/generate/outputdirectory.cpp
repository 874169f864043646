#include "outputdirectory.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace mesh::generate {

namespace {

// A generated design has five or six directories; more than this many open
// at once and the cache starts over rather than run out of descriptors.
constexpr qsizetype kMaxOpenDirectories = 64;

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

mode_t permissions(OutputDirectory::Mode mode)
{
    return mode == OutputDirectory::Mode::Executable ? 0755 : 0644;
}

// openat(2) with O_NOFOLLOW fails with ELOOP on a link, O_DIRECTORY with
// ENOTDIR on anything else; which of the two a component is, for the message,
// comes from fstatat(2) with AT_SYMLINK_NOFOLLOW.
// https://pubs.opengroup.org/onlinepubs/9699919799/functions/open.html
// https://man7.org/linux/man-pages/man2/openat.2.html
int openDirectory(int parent, const QByteArray &name)
{
    int fd;
    do {
        fd = ::openat(parent, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

bool isSymbolicLink(int parent, const QByteArray &name)
{
    struct stat st
    {
    };
    return ::fstatat(parent, name.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

std::unexpected<Error> refuseLink(const QString &shown)
{
    return fail(Error::Code::Io,
                u"refusing to write through the symbolic link " + shown + u"; remove it or choose another folder");
}

// What may be replaced by a generated file: nothing, or a regular file. A
// rename over a link would replace the link itself, which is harmless, but a
// link we did not create is the user's (or someone else's) and stays.
Result<> checkTarget(int directory, const QByteArray &name, const QString &shown)
{
    struct stat st
    {
    };
    if (::fstatat(directory, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        const int error = errno;
        if (error == ENOENT)
            return {};
        return fail(Error::Code::Io, u"cannot inspect " + shown + u": " + systemError(error));
    }
    if (S_ISLNK(st.st_mode))
        return fail(Error::Code::Io, shown + u" is a symbolic link; remove it or choose another folder");
    if (S_ISDIR(st.st_mode))
        return fail(Error::Code::Io, shown + u" is a directory; remove it or choose another folder");
    if (!S_ISREG(st.st_mode))
        return fail(Error::Code::Io, shown + u" is not a regular file; remove it or choose another folder");
    return {};
}

QByteArray temporaryName()
{
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray name = ".meshpad-tmp-";
    for (int i = 0; i < 12; ++i)
        name += kAlphabet[QRandomGenerator::global()->bounded(36)];
    return name;
}

} // namespace

OutputDirectory::OutputDirectory(QString path, int fd)
    : m_path(std::move(path))
    , m_root(fd)
{
}

OutputDirectory::OutputDirectory(OutputDirectory &&other) noexcept
    : m_path(std::move(other.m_path))
    , m_root(std::exchange(other.m_root, -1))
    , m_directories(std::exchange(other.m_directories, {}))
    , m_missing(std::exchange(other.m_missing, {}))
{
}

OutputDirectory &OutputDirectory::operator=(OutputDirectory &&other) noexcept
{
    if (this != &other) {
        closeDirectories();
        if (m_root >= 0)
            ::close(m_root);
        m_path = std::move(other.m_path);
        m_root = std::exchange(other.m_root, -1);
        m_directories = std::exchange(other.m_directories, {});
        m_missing = std::exchange(other.m_missing, {});
    }
    return *this;
}

OutputDirectory::~OutputDirectory()
{
    closeDirectories();
    if (m_root >= 0)
        ::close(m_root);
}

void OutputDirectory::closeDirectories()
{
    for (const int fd : std::as_const(m_directories))
        ::close(fd);
    m_directories.clear();
}

Result<OutputDirectory> OutputDirectory::open(const QString &path)
{
    if (path.isEmpty())
        return fail(Error::Code::Invalid, QStringLiteral("no output directory given"));
    // The root is the user's choice and is followed like any path they name
    // (see the header); only what lies below it is walked without links.
    if (!QDir().mkpath(path))
        return fail(Error::Code::Io, u"cannot create directory " + path);
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        return fail(Error::Code::Io, u"cannot open directory " + path + u": " + systemError(error));
    }
    return OutputDirectory(path, fd);
}

Result<> OutputDirectory::checkRelativePath(QStringView relativePath)
{
    const auto refuse = [&](QStringView why) {
        return fail(Error::Code::Invalid, u"refusing to write \"" + relativePath.toString() + u"\": " + why);
    };
    if (relativePath.isEmpty())
        return refuse(u"the path is empty");
    if (relativePath.startsWith(u'/'))
        return refuse(u"an absolute path is outside the output directory");
    if (relativePath.contains(QChar(0)))
        return refuse(u"the path contains a NUL character");
    for (const QStringView component : relativePath.tokenize(u'/')) {
        if (component.isEmpty())
            return refuse(u"the path has an empty component");
        if (component == u"..")
            return refuse(u"a \"..\" component could leave the output directory");
        if (component == u".")
            return refuse(u"the path has a \".\" component");
    }
    return {};
}

QString OutputDirectory::display(QStringView relativePath) const
{
    return QDir::cleanPath(m_path + u'/' + relativePath);
}

// The descriptor of `relativeDirectory` (m_root for ""), opened component by
// component without following links, created when `create`; -1 when it does
// not exist and `create` is false.
Result<int> OutputDirectory::directory(QStringView relativeDirectory, bool create)
{
    if (relativeDirectory.isEmpty())
        return m_root;
    const QString key = relativeDirectory.toString();
    if (const auto it = m_directories.constFind(key); it != m_directories.constEnd())
        return *it;
    if (!create && m_missing.contains(key))
        return -1;

    const qsizetype slash = relativeDirectory.lastIndexOf(u'/');
    const auto parent = directory(slash < 0 ? QStringView() : relativeDirectory.left(slash), create);
    if (!parent || *parent < 0)
        return parent;
    const QByteArray name = QFile::encodeName(relativeDirectory.mid(slash + 1).toString());
    int fd = openDirectory(*parent, name);
    if (fd < 0 && errno == ENOENT) {
        if (!create) {
            m_missing.insert(key);
            return -1;
        }
        m_missing.remove(key);
        // mkdirat(2) never follows a link at the last component: on a
        // dangling one it fails with EEXIST and the openat below refuses it.
        if (::mkdirat(*parent, name.constData(), 0755) != 0 && errno != EEXIST) {
            const int error = errno;
            return fail(Error::Code::Io, u"cannot create directory " + display(key) + u": " + systemError(error));
        }
        fd = openDirectory(*parent, name);
    }
    if (fd < 0) {
        const int error = errno;
        if ((error == ELOOP || error == ENOTDIR) && isSymbolicLink(*parent, name))
            return refuseLink(display(key));
        if (error == ENOTDIR)
            return fail(Error::Code::Io, display(key) + u" is not a directory; remove it or choose another folder");
        return fail(Error::Code::Io, u"cannot open directory " + display(key) + u": " + systemError(error));
    }
    // Clearing closes `*parent` too, which is no longer needed.
    if (m_directories.size() >= kMaxOpenDirectories)
        closeDirectories();
    m_directories.insert(key, fd);
    return fd;
}

Result<> OutputDirectory::checkFile(QStringView relativePath)
{
    if (auto ok = checkRelativePath(relativePath); !ok)
        return ok;
    const qsizetype slash = relativePath.lastIndexOf(u'/');
    const auto parent = directory(slash < 0 ? QStringView() : relativePath.left(slash), false);
    if (!parent)
        return std::unexpected(parent.error());
    if (*parent < 0)
        return {}; // its directory does not exist yet, so neither does it
    return checkTarget(*parent, QFile::encodeName(relativePath.mid(slash + 1).toString()), display(relativePath));
}

Result<> OutputDirectory::writeFile(QStringView relativePath, const QByteArray &bytes, Mode mode)
{
    if (auto ok = checkRelativePath(relativePath); !ok)
        return ok;
    const qsizetype slash = relativePath.lastIndexOf(u'/');
    const auto parent = directory(slash < 0 ? QStringView() : relativePath.left(slash), true);
    if (!parent)
        return std::unexpected(parent.error());
    const int dir = *parent;
    const QByteArray name = QFile::encodeName(relativePath.mid(slash + 1).toString());
    const QString shown = display(relativePath);
    if (auto ok = checkTarget(dir, name, shown); !ok)
        return ok;

    // O_EXCL|O_NOFOLLOW: the temporary file is ours, new, and not a link
    // someone guessed the name of. (No fsync here: sync() does it once.)
    QByteArray temporary;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
        temporary = temporaryName();
        fd = ::openat(dir, temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      permissions(mode));
        if (fd < 0 && errno != EEXIST && errno != EINTR)
            break;
    }
    if (fd < 0) {
        const int error = errno;
        return fail(Error::Code::Io, u"cannot create a file in " + display(relativePath.left(qMax(slash, 0))) + u": "
                                         + systemError(error));
    }
    // The umask can only narrow the creation mode; fchmod(2) on the
    // descriptor makes it exact without another lookup by name.
    int error = ::fchmod(fd, permissions(mode)) == 0 ? 0 : errno;
    for (qsizetype done = 0; error == 0 && done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n > 0)
            done += n;
        else if (n < 0 && errno != EINTR)
            error = errno;
    }
    if (::close(fd) != 0 && error == 0 && errno != EINTR)
        error = errno;
    // Checked again right before the rename, which is atomic and, should a
    // link appear in between, replaces that link instead of following it.
    if (error == 0) {
        if (auto ok = checkTarget(dir, name, shown); !ok) {
            ::unlinkat(dir, temporary.constData(), 0);
            return ok;
        }
    }
    if (error == 0 && ::renameat(dir, temporary.constData(), dir, name.constData()) != 0)
        error = errno;
    if (error != 0) {
        ::unlinkat(dir, temporary.constData(), 0);
        return fail(Error::Code::Io, u"cannot write " + shown + u": " + systemError(error));
    }
    return {};
}

Result<> OutputDirectory::sync()
{
    // One syncfs(2) instead of an fsync per file: for 10,000 files it costs
    // tens of milliseconds where per-file fdatasync costs seconds. It flushes
    // the whole file system (others' dirty data too) and reports writeback
    // errors since Linux 5.8. https://man7.org/linux/man-pages/man2/syncfs.2.html
    if (::syncfs(m_root) != 0) {
        const int error = errno;
        return fail(Error::Code::Io, u"cannot flush " + m_path + u" to disk: " + systemError(error));
    }
    return {};
}

} // namespace mesh::generate
