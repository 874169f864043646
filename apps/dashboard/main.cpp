// The dashboard executable: HashiCorp's dashboard-service, same environment
// and same startup lines, plus a clean stop on SIGINT/SIGTERM.

#include "dashboardserver.h"
#include "environment.h"
#include "unixsignalwatcher.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>

int main(int argc, char *argv[])
{
    // A server with no GUI: Qt's plain poll() dispatcher costs less per
    // event than the GLib one (measured with bench/counter-vs-nginx.sh).
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("dashboard"));

    const QByteArray portValue = qgetenv("PORT");
    const int port = apps::portFromEnvironment(portValue);
    if (port < 0) {
        std::fprintf(stderr, "listen tcp: address %s: invalid port\n", portValue.constData());
        return 1;
    }
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

    apps::UnixSignalWatcher signals({SIGINT, SIGTERM});
    QObject::connect(&signals, &apps::UnixSignalWatcher::signalReceived, &app, [](int) { QCoreApplication::quit(); });

    apps::dashboard::DashboardServer server;
    server.setCountingServiceUrl(url);
    server.setUpdateInterval(std::chrono::milliseconds(intervalMs));
    if (!server.listen(QHostAddress::Any, quint16(port))) {
        std::fprintf(stderr, "listen tcp :%d: %s\n", port, qUtf8Printable(server.errorString()));
        return 1;
    }
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
