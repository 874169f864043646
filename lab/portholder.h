#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

namespace mesh::lab {

// Who holds a TCP address:port on this machine, so the lab can say why a
// task cannot listen where it should ("127.0.2.2:9001 is already in use by
// PID 4242 (python3)") instead of restarting it blindly. Linux only: it asks
// the kernel with a throwaway bind and reads /proc; elsewhere isTaken() is
// always false and find() finds nothing. Synchronous: isTaken() is one bind,
// find() one pass over /proc (milliseconds), so the runner calls find() only
// once per clash.
struct PortHolder final
{
    qint64 pid = 0;  // > 0
    QString command; // /proc/<pid>/comm: the program's name, at most 15 characters

    // Whether a server binding `address:port` now would get EADDRINUSE
    // because a socket listens there (or on the wildcard address with that
    // port). Binds, never listens, and closes at once; SO_REUSEADDR is set as
    // most servers set it (Python's http.server, QTcpServer), so lingering
    // TIME_WAIT connections of an earlier task do not count.
    static bool isTaken(const QHostAddress &address, quint16 port);

    // The process whose listening socket holds `address:port`: an exact
    // match first, then a wildcard (0.0.0.0 or ::) listener on `port`.
    // Nothing when no listening socket is found, or when its owner's
    // /proc/<pid>/fd cannot be read (another user's process).
    static std::optional<PortHolder> find(const QHostAddress &address, quint16 port);

    // "127.0.2.2:9001 is already in use by PID 4242 (python3)", or "… by a
    // process the lab cannot identify" without a holder.
    static QString describeClash(const QHostAddress &address, quint16 port, const std::optional<PortHolder> &holder);
};

} // namespace mesh::lab
