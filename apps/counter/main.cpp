// The counter executable: HashiCorp's counting-service, same environment and
// same output, plus a clean stop on SIGINT/SIGTERM.

#include "counterserver.h"
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
    app.setApplicationName(QStringLiteral("counter"));

    const QByteArray portValue = qgetenv("PORT");
    const int port = apps::portFromEnvironment(portValue);
    if (port < 0) {
        std::fprintf(stderr, "listen tcp: address %s: invalid port\n", portValue.constData());
        return 1;
    }

    apps::UnixSignalWatcher signals({SIGINT, SIGTERM});
    QObject::connect(&signals, &apps::UnixSignalWatcher::signalReceived, &app, [](int) { QCoreApplication::quit(); });

    apps::counter::CounterServer server;
    if (!server.listen(QHostAddress::Any, quint16(port))) {
        std::fprintf(stderr, "listen tcp :%d: %s\n", port, qUtf8Printable(server.errorString()));
        return 1;
    }
    // The original's two lines; the port is the real one, so PORT=0 is usable.
    std::printf("Serving at http://localhost:%u\n(Pass as PORT environment variable)\n", unsigned(server.port()));
    std::fflush(stdout);

    const int status = app.exec();
    server.close();
    return status;
}
