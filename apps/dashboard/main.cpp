// The dashboard executable: HashiCorp's dashboard-service, same environment
// and same startup lines, plus a clean stop on SIGINT/SIGTERM.

#include "dashboardserver.h"
#include "serverprocess.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    apps::ServerProcess::preferPlainEventDispatcher();
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("dashboard"));

    const int port = apps::ServerProcess::listenPort();
    if (port < 0)
        return 1;
    // LookupEnv semantics: set but empty is used as empty.
    const QString url = qEnvironmentVariableIsSet("COUNTING_SERVICE_URL")
                            ? qEnvironmentVariable("COUNTING_SERVICE_URL")
                            : QString::fromLatin1(apps::dashboard::DashboardServer::DefaultCountingServiceUrl);
    // Not in the original: how often open pages get a new count.
    const QByteArray intervalValue = qgetenv("DASHBOARD_UPDATE_INTERVAL_MS");
    const int intervalMs = intervalValue.isEmpty() ? 1000 : intervalValue.toInt();
    if (intervalMs < 50) {
        std::fprintf(stderr, "DASHBOARD_UPDATE_INTERVAL_MS must be a number of milliseconds >= 50\n");
        return 1;
    }

    // From here on SIGINT/SIGTERM quit the event loop.
    const apps::ServerProcess process;

    apps::dashboard::DashboardServer server;
    server.setCountingServiceUrl(url);
    server.setUpdateInterval(std::chrono::milliseconds(intervalMs));
    if (!server.listen(QHostAddress::Any, quint16(port)))
        return apps::ServerProcess::listenFailed(port, server.errorString());
    std::printf("Starting server on http://0.0.0.0:%u\n"
                "(Pass as PORT environment variable)\n"
                "Using counting service at %s\n"
                "(Pass as COUNTING_SERVICE_URL environment variable)\n"
                "Starting websocket server...\n",
                unsigned(server.port()), qUtf8Printable(url));
    std::fflush(stdout);

    const int status = app.exec();
    server.close();
    return status;
}
