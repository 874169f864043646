#include "proxycommand.h"

#include "commandline.h"
#include "exitcode.h"

#include "pki/spiffeid.h"
#include "proxy/inboundlistener.h"
#include "proxy/intentionauthorizer.h"
#include "proxy/staticidentitysource.h"
#include "proxy/staticresolver.h"
#include "proxy/upstreamlistener.h"
#include "unixsignalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>

#include <csignal>
#include <memory>
#include <optional>
#include <vector>

namespace meshpad::cli {

using namespace mesh::proxy;

namespace {

struct Endpoint
{
    QHostAddress address;
    quint16 port = 0;
};

// HOST:PORT with HOST an IP address (or "localhost"); ":PORT" means 0.0.0.0
// as consul's -listen does.
std::optional<Endpoint> parseEndpoint(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon < 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    QHostAddress address;
    if (host.isEmpty())
        address = QHostAddress::AnyIPv4;
    else if (host == u"localhost")
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return std::nullopt;
    return Endpoint{address, quint16(port)};
}

struct Upstream
{
    QString destination;
    Endpoint local;
    QList<Endpoint> instances;
};

// DEST:LOCALPORT=HOST:PORT[,HOST:PORT…]; the local side binds 127.0.0.1 as
// Consul's LocalBindAddress default (§4.2).
std::optional<Upstream> parseUpstream(const QString &text)
{
    const qsizetype eq = text.indexOf(u'=');
    if (eq < 0)
        return std::nullopt;
    const QString left = text.left(eq);
    const qsizetype colon = left.indexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    Upstream u;
    u.destination = left.left(colon);
    bool ok = false;
    const uint port = left.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    u.local = {QHostAddress::LocalHost, quint16(port)};
    for (const QString &part : text.mid(eq + 1).split(u',')) {
        const auto e = parseEndpoint(part);
        if (!e || e->port == 0)
            return std::nullopt;
        u.instances.append(*e);
    }
    return u;
}

} // namespace

int ProxyCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.setApplicationDescription(QStringLiteral(
        "The Meshpad mTLS sidecar from files written by `meshpad ca`: an inbound listener (-listen with\n"
        "-service-addr), upstream listeners (-upstream), or both. Runs until SIGINT/SIGTERM.\n"
        "Exit status: 0 stopped by a signal, 2 usage or I/O error."));
    const QCommandLineOption caDir(QStringLiteral("ca-dir"), QStringLiteral("DIR with ca.pem, NAME.pem, NAME-key.pem"), QStringLiteral("DIR"));
    const QCommandLineOption service(QStringLiteral("service"), QStringLiteral("the service this proxy represents"), QStringLiteral("NAME"));
    const QCommandLineOption datacenter(QStringLiteral("datacenter"), QStringLiteral("datacenter of upstream instances (default dc1)"), QStringLiteral("DC"), QStringLiteral("dc1"));
    const QCommandLineOption listen(QStringLiteral("listen"), QStringLiteral("public mTLS listener"), QStringLiteral("HOST:PORT"));
    const QCommandLineOption serviceAddr(QStringLiteral("service-addr"), QStringLiteral("the local app"), QStringLiteral("HOST:PORT"));
    const QCommandLineOption upstream(QStringLiteral("upstream"), QStringLiteral("an upstream (repeatable)"), QStringLiteral("DEST:LOCALPORT=HOST:PORT[,HOST:PORT…]"));
    const QCommandLineOption allow(QStringLiteral("allow"), QStringLiteral("allow a source service or * (repeatable)"), QStringLiteral("SRC"));
    const QCommandLineOption deny(QStringLiteral("deny"), QStringLiteral("deny a source service or * (repeatable)"), QStringLiteral("SRC"));
    const QCommandLineOption defaultDeny(QStringLiteral("default-deny"), QStringLiteral("deny sources no -allow names"));
    const QCommandLineOption maxConnections(QStringLiteral("max-connections"), QStringLiteral("per listener (default 1024)"), QStringLiteral("N"), QStringLiteral("1024"));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("show this help"));
    parser.addOptions({caDir, service, datacenter, listen, serviceAddr, upstream, allow, deny, defaultDeny, maxConnections, help});
    if (!parser.parse(arguments)) {
        err << "meshpad proxy: " << parser.errorText() << "\n";
        return ExitCode::Usage;
    }
    if (parser.isSet(help)) {
        out << CommandLine::helpText(parser, u"proxy");
        return ExitCode::Ok;
    }
    if (!parser.isSet(caDir) || !parser.isSet(service)) {
        err << "meshpad proxy: -ca-dir DIR and -service NAME are required (see meshpad proxy -help)\n";
        return ExitCode::Usage;
    }
    if (parser.isSet(listen) != parser.isSet(serviceAddr)) {
        err << "meshpad proxy: -listen and -service-addr go together\n";
        return ExitCode::Usage;
    }
    if (!parser.isSet(listen) && !parser.isSet(upstream)) {
        err << "meshpad proxy: nothing to do: give -listen/-service-addr, -upstream, or both\n";
        return ExitCode::Usage;
    }
    if (parser.isSet(allow) && parser.isSet(deny)) {
        err << "meshpad proxy: give -allow or -deny, not both\n";
        return ExitCode::Usage;
    }
    bool ok = false;
    ProxyOptions options;
    options.maxConnections = parser.value(maxConnections).toInt(&ok);
    if (!ok || options.maxConnections < 1) {
        err << "meshpad proxy: -max-connections wants a positive number\n";
        return ExitCode::Usage;
    }

    StaticIdentitySource identity;
    if (const auto loaded = identity.loadFromDirectory(parser.value(caDir), parser.value(service)); !loaded) {
        err << "meshpad proxy: " << loaded.error().message << "\n";
        return ExitCode::Usage;
    }
    IntentionAuthorizer intentions;
    const QStringList allowed = parser.values(allow);
    const QStringList denied = parser.values(deny);
    intentions.setAllowed(QSet<QString>(allowed.begin(), allowed.end()));
    intentions.setDenied(QSet<QString>(denied.begin(), denied.end()));
    intentions.setDefaultAllow(!parser.isSet(defaultDeny));

    std::unique_ptr<InboundListener> inbound;
    if (parser.isSet(listen)) {
        const auto at = parseEndpoint(parser.value(listen));
        const auto app = parseEndpoint(parser.value(serviceAddr));
        if (!at || !app) {
            err << "meshpad proxy: -listen and -service-addr want HOST:PORT with HOST an IP address\n";
            return ExitCode::Usage;
        }
        inbound = std::make_unique<InboundListener>(parser.value(service), &identity, &intentions, options);
        inbound->setLocalApp(app->address, app->port);
        if (const auto listening = inbound->listen(at->address, at->port); !listening) {
            err << "meshpad proxy: " << listening.error().message << "\n";
            return ExitCode::Usage;
        }
        err << "inbound " << parser.value(service) << " listening on " << at->address.toString() << ":"
            << inbound->port() << " -> " << app->address.toString() << ":" << app->port << "\n";
    }

    StaticResolver resolver;
    std::vector<std::unique_ptr<UpstreamListener>> upstreams;
    const QString trustDomain = identity.identity().id.trustDomain;
    for (const QString &text : parser.values(upstream)) {
        const auto u = parseUpstream(text);
        if (!u) {
            err << "meshpad proxy: bad -upstream \"" << text << "\" (want DEST:LOCALPORT=HOST:PORT[,HOST:PORT…])\n";
            return ExitCode::Usage;
        }
        QList<Instance> instances;
        const auto expected = mesh::pki::SpiffeId::forService(trustDomain, parser.value(datacenter), u->destination);
        for (const Endpoint &e : u->instances)
            instances.append({e.address.toString(), e.port, expected});
        resolver.setInstances(u->destination, instances);
        auto listener = std::make_unique<UpstreamListener>(u->destination, &identity, &resolver, options);
        if (const auto listening = listener->listen(u->local.address, u->local.port); !listening) {
            err << "meshpad proxy: " << listening.error().message << "\n";
            return ExitCode::Usage;
        }
        err << "upstream " << u->destination << " listening on 127.0.0.1:" << listener->port() << " -> "
            << expected.toString() << "\n";
        upstreams.push_back(std::move(listener));
    }
    err.flush();

    apps::UnixSignalWatcher signals({SIGINT, SIGTERM});
    QObject::connect(&signals, &apps::UnixSignalWatcher::signalReceived, QCoreApplication::instance(),
                     [](int) { QCoreApplication::quit(); });
    QCoreApplication::exec();
    err << "meshpad proxy: stopped\n";
    return ExitCode::Ok;
}

} // namespace meshpad::cli
