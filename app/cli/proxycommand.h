#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad proxy -ca-dir DIR -service NAME [-listen HOST:PORT -service-addr
// HOST:PORT] [-upstream DEST:LOCALPORT=HOST:PORT[,HOST:PORT…] …]
// [-allow SRC … | -deny SRC …] [-default-deny]`: the sidecar from files
// written by `meshpad ca`, flags in the style of `consul connect proxy`
// (https://developer.hashicorp.com/consul/commands/connect/proxy); one
// -upstream per destination and per local port, as Consul allows (a repeat is
// a usage error, nothing listens). Runs until SIGINT/SIGTERM; one log line
// per refused connection on stderr.
class ProxyCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
