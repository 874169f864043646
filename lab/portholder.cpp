#include "portholder.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QtEndian>

#include <cstring>

#if defined(Q_OS_LINUX)
#include <arpa/inet.h>
#include <cerrno>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace mesh::lab {

namespace {

#if defined(Q_OS_LINUX)
// TCP_LISTEN in the `st` column (include/net/tcp_states.h in the kernel).
constexpr QByteArrayView kListen = "0A";

// /proc/net/tcp prints an IPv4 address as the 32-bit word in the kernel's
// byte order ("0100007F" for 127.0.0.1 on x86), /proc/net/tcp6 an IPv6
// address as four such words (man 5 proc, /proc/net/tcp: "local_address …
// hexadecimal", https://man7.org/linux/man-pages/man5/proc_net_tcp.5.html).
// Copying each word back to memory gives the address's bytes in network
// order on any host.
std::optional<QHostAddress> parseProcAddress(const QByteArray &hex)
{
    if (hex.size() != 8 && hex.size() != 32)
        return std::nullopt;
    unsigned char bytes[16] = {};
    for (qsizetype word = 0; word < hex.size() / 8; ++word) {
        bool ok = false;
        const quint32 value = hex.mid(word * 8, 8).toUInt(&ok, 16);
        if (!ok)
            return std::nullopt;
        std::memcpy(bytes + word * 4, &value, 4);
    }
    if (hex.size() == 8)
        return QHostAddress(qFromBigEndian<quint32>(bytes));
    return QHostAddress(bytes);
}

// The inodes of the sockets listening on `port`: those bound to `address`
// first, then wildcard listeners, which hold the port on every address.
QList<QByteArray> listeningInodes(const QHostAddress &address, quint16 port)
{
    QList<QByteArray> exact;
    QList<QByteArray> wildcard;
    for (const QString &table : {QStringLiteral("/proc/net/tcp"), QStringLiteral("/proc/net/tcp6")}) {
        QFile file(table);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when
        // retrnsmt uid timeout inode …", after one header line.
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> fields = lines.at(i).simplified().split(' ');
            if (fields.size() < 10 || fields.at(3) != kListen)
                continue;
            const QByteArray &local = fields.at(1);
            const qsizetype colon = local.indexOf(':');
            bool ok = false;
            if (colon < 0 || local.mid(colon + 1).toUShort(&ok, 16) != port || !ok)
                continue;
            const std::optional<QHostAddress> bound = parseProcAddress(local.left(colon));
            if (!bound)
                continue;
            // TolerantConversion: a v4-mapped ::ffff:127.0.2.2 is 127.0.2.2.
            if (bound->isEqual(address, QHostAddress::TolerantConversion))
                exact.append(fields.at(9));
            else if (*bound == QHostAddress(QHostAddress::AnyIPv4) || *bound == QHostAddress(QHostAddress::AnyIPv6))
                wildcard.append(fields.at(9));
        }
    }
    return exact + wildcard;
}

// A process's open sockets show as symlinks "socket:[<inode>]" in
// /proc/<pid>/fd, its name in /proc/<pid>/comm (man 5 proc,
// https://man7.org/linux/man-pages/man5/proc_pid_fd.5.html). Another user's
// fd folder is unreadable, so their sockets are not found.
std::optional<PortHolder> ownerOf(const QList<QByteArray> &inodes)
{
    QList<QByteArray> links;
    for (const QByteArray &inode : inodes)
        links.append("socket:[" + inode + ']');
    QHash<qsizetype, qint64> owners; // index into `links` -> pid
    const QDir proc(QStringLiteral("/proc"));
    for (const QString &entry : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        const QByteArray fdPath = "/proc/" + entry.toLatin1() + "/fd/";
        DIR *fds = ::opendir(fdPath.constData());
        if (!fds)
            continue;
        while (const dirent *fd = ::readdir(fds)) {
            char target[64];
            const QByteArray path = fdPath + fd->d_name;
            const ssize_t length = ::readlink(path.constData(), target, sizeof target);
            if (length <= 0)
                continue;
            const qsizetype index = links.indexOf(QByteArray(target, length));
            if (index >= 0 && !owners.contains(index))
                owners.insert(index, pid);
        }
        ::closedir(fds);
        if (owners.contains(0))
            break; // the best match: a socket bound to the address itself
    }
    for (qsizetype index = 0; index < links.size(); ++index) {
        if (!owners.contains(index))
            continue;
        const qint64 pid = owners.value(index);
        QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
        QString command;
        if (comm.open(QIODevice::ReadOnly))
            command = QString::fromUtf8(comm.readAll()).trimmed();
        return PortHolder{pid, command};
    }
    return std::nullopt;
}
#endif

} // namespace

bool PortHolder::isTaken(const QHostAddress &address, quint16 port)
{
#if defined(Q_OS_LINUX)
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int result = -1;
    if (v6) {
        sockaddr_in6 in6 = {};
        in6.sin6_family = AF_INET6;
        in6.sin6_port = qToBigEndian(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6.sin6_addr, bytes.c, sizeof bytes.c);
        result = ::bind(fd, reinterpret_cast<const sockaddr *>(&in6), sizeof in6);
    } else {
        sockaddr_in in = {};
        in.sin_family = AF_INET;
        in.sin_port = qToBigEndian(port);
        in.sin_addr.s_addr = qToBigEndian(address.toIPv4Address());
        result = ::bind(fd, reinterpret_cast<const sockaddr *>(&in), sizeof in);
    }
    const bool taken = result != 0 && errno == EADDRINUSE;
    ::close(fd);
    return taken;
#else
    Q_UNUSED(address);
    Q_UNUSED(port);
    return false;
#endif
}

std::optional<PortHolder> PortHolder::find(const QHostAddress &address, quint16 port)
{
#if defined(Q_OS_LINUX)
    const QList<QByteArray> inodes = listeningInodes(address, port);
    if (inodes.isEmpty())
        return std::nullopt;
    return ownerOf(inodes);
#else
    Q_UNUSED(address);
    Q_UNUSED(port);
    return std::nullopt;
#endif
}

QString PortHolder::describeClash(const QHostAddress &address, quint16 port, const std::optional<PortHolder> &holder)
{
    const QString where = address.protocol() == QAbstractSocket::IPv6Protocol
                              ? QStringLiteral("[%1]:%2").arg(address.toString()).arg(port)
                              : QStringLiteral("%1:%2").arg(address.toString()).arg(port);
    if (!holder)
        return QStringLiteral("%1 is already in use by a process the lab cannot identify").arg(where);
    return QStringLiteral("%1 is already in use by PID %2 (%3)")
        .arg(where)
        .arg(holder->pid)
        .arg(holder->command.isEmpty() ? QStringLiteral("?") : holder->command);
}

} // namespace mesh::lab
