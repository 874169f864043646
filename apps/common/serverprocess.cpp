#include "serverprocess.h"

#include "environment.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>

namespace apps {

ServerProcess::ServerProcess()
    : m_signals({SIGINT, SIGTERM})
{
    QObject::connect(&m_signals, &UnixSignalWatcher::signalReceived, &m_signals, [](int) { QCoreApplication::quit(); });
}

void ServerProcess::preferPlainEventDispatcher()
{
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
}

int ServerProcess::listenPort()
{
    const QByteArray portValue = qgetenv("PORT");
    const int port = portFromEnvironment(portValue);
    if (port < 0)
        std::fprintf(stderr, "listen tcp: address %s: invalid port\n", portValue.constData());
    return port;
}

int ServerProcess::listenFailed(int port, const QString &error)
{
    std::fprintf(stderr, "listen tcp :%d: %s\n", port, qUtf8Printable(error));
    return 1;
}

} // namespace apps
