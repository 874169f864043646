#pragma once

#include "unixsignalwatcher.h"

#include <QString>

namespace apps {

// The process around a demo server (counter, dashboard) as HashiCorp's Go
// originals run it: the port from PORT, start-up errors in their words with
// exit status 1, and — not in the originals — a clean stop on SIGINT/SIGTERM
// (what Nomad sends). While an instance lives, those signals quit
// QCoreApplication's event loop; one instance per process (one
// UnixSignalWatcher).
class ServerProcess final
{
    Q_DISABLE_COPY_MOVE(ServerProcess)

public:
    ServerProcess();

    // Call before QCoreApplication exists: a server with no GUI runs on Qt's
    // plain poll() dispatcher, which costs less per event than the GLib one
    // (measured with bench/counter-vs-nginx.sh). QT_NO_GLIB set by the
    // caller's environment wins.
    static void preferPlainEventDispatcher();

    // PORT as the originals read it (unset or empty: 80), or -1 after
    // printing their "listen tcp: address …: invalid port" on stderr.
    static int listenPort();

    // Prints the originals' error for a failed listen on `port` on stderr
    // and returns the exit status (1).
    static int listenFailed(int port, const QString &error);

private:
    UnixSignalWatcher m_signals;
};

} // namespace apps
