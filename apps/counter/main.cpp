// The counter executable: HashiCorp's counting-service, same environment and
// same output, plus a clean stop on SIGINT/SIGTERM.

#include "counterserver.h"
#include "serverprocess.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    apps::ServerProcess::preferPlainEventDispatcher();
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("counter"));

    const int port = apps::ServerProcess::listenPort();
    if (port < 0)
        return 1;

    // From here on SIGINT/SIGTERM quit the event loop.
    const apps::ServerProcess process;

    apps::counter::CounterServer server;
    if (!server.listen(QHostAddress::Any, quint16(port)))
        return apps::ServerProcess::listenFailed(port, server.errorString());
    // The original's two lines; the port is the real one, so PORT=0 is usable.
    std::printf("Serving at http://localhost:%u\n(Pass as PORT environment variable)\n", unsigned(server.port()));
    std::fflush(stdout);

    const int status = app.exec();
    server.close();
    return status;
}
