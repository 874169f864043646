#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad proxy -ca-dir DIR -service NAME [-listen HOST:PORT -service-addr
// HOST:PORT] [-upstream DEST:LOCALPORT=HOST:PORT[,HOST:PORT…] …]
// [-allow SRC … | -deny SRC …] [-default-deny]`: the sidecar from files
// written by `meshpad ca`, flags in the style of `consul connect proxy`
// (consul.md §4.2 flags mode); one -upstream per destination and per local
// port, as Consul allows (a repeat is a usage error, nothing listens). Runs until SIGINT/SIGTERM; one log line per
// refused connection on stderr.
class ProxyCommand final
{
public:
    // Call from main() before the QCoreApplication exists, with its
    // arguments: for `meshpad proxy` (argv[1]), sets QT_NO_GLIB=1 so Qt
    // gives the process its UNIX event dispatcher instead of GLib's, unless
    // MESHPAD_PROXY_GLIB is set to a non-zero number (a benchmark comparing
    // both) or QT_NO_GLIB is already set. Any other command is left alone.
    // With -log-level debug the proxy logs which dispatcher it runs on
    // ("meshpad.proxy: event dispatcher: QEventDispatcherUNIX").
    static void chooseEventDispatcher(const QStringList &arguments);

    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
