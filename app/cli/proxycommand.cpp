#include "proxycommand.h"

#include "commandline.h"
#include "exitcode.h"

#include "consul/consulclient.h"
#include "consul/consulconfig.h"
#include "core/heaptrimmer.h"
#include "core/result.h"
#include "pki/spiffeid.h"
#include "proxy/agentsidecar.h"
#include "proxy/inboundlistener.h"
#include "proxy/intentionauthorizer.h"
#include "proxy/proxylog.h"
#include "proxy/staticidentitysource.h"
#include "proxy/staticresolver.h"
#include "proxy/upstreamlistener.h"
#include "unixsignalwatcher.h"

#include <QAbstractEventDispatcher>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QProcessEnvironment>

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
    QString flag; // the -upstream value as given, for messages
    QString destination;
    Endpoint local;
    QList<Endpoint> instances;
};

// DEST:LOCALPORT=HOST:PORT[,HOST:PORT…]; the local side binds 127.0.0.1 as
// Consul's LocalBindAddress default (hashicorp/consul: connect/proxy/config.go).
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
    u.flag = text;
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

// Every -upstream parsed and checked before anything listens, so a refused
// command line opens no port. Two flags for one destination, or binding one
// local port, are refused as Consul refuses them in a proxy registration
// rather than merged (hashicorp/consul: agent/structs/structs.go,
// NodeService.Validate — "upstreams cannot contain duplicates of %s" keyed by
// Upstream.ToKey() of agent/structs/connect_proxy_config.go, and "upstreams
// cannot contain duplicates by local bind address and port"). Here every
// upstream has the same type, namespace and datacenter, so the key is the
// destination's name; and every one binds 127.0.0.1, so the address is the
// port. Port 0 asks for any free port and never collides.
mesh::Result<std::vector<Upstream>> parseUpstreams(const QStringList &flags)
{
    std::vector<Upstream> upstreams;
    upstreams.reserve(std::size_t(flags.size()));
    for (const QString &text : flags) {
        auto u = parseUpstream(text);
        if (!u) {
            return mesh::fail(
                mesh::Error::Code::Parse,
                QStringLiteral("bad -upstream \"%1\" (want DEST:LOCALPORT=HOST:PORT[,HOST:PORT…])").arg(text));
        }
        for (const Upstream &earlier : upstreams) {
            if (earlier.destination == u->destination) {
                return mesh::fail(mesh::Error::Code::Invalid,
                                  QStringLiteral("-upstream \"%1\" and -upstream \"%2\" both name the destination "
                                                 "\"%3\"; as in Consul, one upstream per destination: give all its "
                                                 "instances in one flag (DEST:LOCALPORT=HOST:PORT,HOST:PORT…)")
                                      .arg(earlier.flag, u->flag, u->destination));
            }
            if (u->local.port != 0 && earlier.local.port == u->local.port) {
                return mesh::fail(mesh::Error::Code::Invalid,
                                  QStringLiteral("-upstream \"%1\" and -upstream \"%2\" both bind 127.0.0.1:%3; "
                                                 "as in Consul, one upstream per local port")
                                      .arg(earlier.flag, u->flag)
                                      .arg(u->local.port));
            }
        }
        upstreams.push_back(std::move(*u));
    }
    return upstreams;
}

// -log-level as consul's (trace, debug, info, warn, error): which of the
// proxy's and the API clients' messages are shown.
bool applyLogLevel(const QString &level)
{
    static const QStringList levels{QStringLiteral("trace"), QStringLiteral("debug"), QStringLiteral("info"),
                                    QStringLiteral("warn"), QStringLiteral("error")};
    const qsizetype at = levels.indexOf(level.toLower());
    if (at < 0)
        return false;
    QString rules;
    rules += QStringLiteral("meshpad.*.debug=%1\n").arg(at <= 1 ? u"true" : u"false");
    rules += QStringLiteral("meshpad.*.info=%1\n").arg(at <= 2 ? u"true" : u"false");
    rules += QStringLiteral("meshpad.*.warning=%1\n").arg(at <= 3 ? u"true" : u"false");
    QLoggingCategory::setFilterRules(rules);
    return true;
}

// `-sidecar-for ID` / `-proxy-id ID`: configured by the agent (AgentSidecar).
int runAgentMode(mesh::proxy::AgentSidecar::Lookup lookup, const QString &id, mesh::consul::ConsulConfig config,
                 const ProxyOptions &options, QTextStream &err)
{
    auto endpoint = config.endpoint();
    if (!endpoint) {
        err << "meshpad proxy: " << endpoint.error().message << "\n";
        return ExitCode::Usage;
    }
    for (const QString &warning : std::as_const(config.warnings))
        err << "meshpad proxy: " << warning << "\n";
    mesh::consul::ConsulClient client(*endpoint);
    mesh::proxy::AgentSidecar sidecar(&client, lookup, id);
    sidecar.setOptions(options);
    int status = ExitCode::Ok;
    QObject::connect(&sidecar, &mesh::proxy::AgentSidecar::message, &sidecar, [&err](const QString &text) {
        err << text << "\n";
        err.flush();
    });
    QObject::connect(&sidecar, &mesh::proxy::AgentSidecar::ready, &sidecar, [&err] {
        err << "meshpad proxy: running\n";
        err.flush();
    });
    QObject::connect(&sidecar, &mesh::proxy::AgentSidecar::failed, &sidecar, [&err, &status](const QString &reason) {
        err << "meshpad proxy: " << reason << "\n";
        err.flush();
        status = ExitCode::Usage;
        QCoreApplication::quit();
    });
    apps::UnixSignalWatcher signals({SIGINT, SIGTERM});
    QObject::connect(&signals, &apps::UnixSignalWatcher::signalReceived, QCoreApplication::instance(),
                     [](int) { QCoreApplication::quit(); });
    const mesh::HeapTrimmer trimmer;
    sidecar.start();
    QCoreApplication::exec();
    if (status == ExitCode::Ok)
        err << "meshpad proxy: stopped\n";
    return status;
}

} // namespace

int ProxyCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(
        QStringLiteral("The Meshpad mTLS sidecar, as `consul connect proxy`. Either configured by a Consul agent\n"
                       "(-sidecar-for SERVICE_ID or -proxy-id ID, with -http-addr/-token or CONSUL_HTTP_ADDR,\n"
                       "CONSUL_HTTP_TOKEN, CONSUL_CACERT…): the registration, certificates, intentions and upstream\n"
                       "instances all come from the agent and follow its changes; or from files written by\n"
                       "`meshpad ca`: an inbound listener (-listen with -service-addr), upstream listeners\n"
                       "(-upstream), or both. Runs until SIGINT/SIGTERM.\n"
                       "Exit status: 0 stopped by a signal, 2 usage, I/O or agent error."));
    const QCommandLineOption sidecarFor(
        QStringLiteral("sidecar-for"),
        QStringLiteral("run the sidecar registered for this service ID (env CONNECT_SIDECAR_FOR)"),
        QStringLiteral("SERVICE_ID"));
    const QCommandLineOption proxyId(
        QStringLiteral("proxy-id"), QStringLiteral("run the connect-proxy service with this ID (env CONNECT_PROXY_ID)"),
        QStringLiteral("ID"));
    const QCommandLineOption httpAddr(
        QStringLiteral("http-addr"), QStringLiteral("the Consul agent (default CONSUL_HTTP_ADDR, else 127.0.0.1:8500)"),
        QStringLiteral("ADDR"));
    const QCommandLineOption token(QStringLiteral("token"), QStringLiteral("ACL token (default CONSUL_HTTP_TOKEN)"),
                                   QStringLiteral("TOKEN"));
    const QCommandLineOption logLevel(QStringLiteral("log-level"),
                                      QStringLiteral("trace, debug, info (default), warn or error"),
                                      QStringLiteral("LEVEL"), QStringLiteral("info"));
    const QCommandLineOption caDir(QStringLiteral("ca-dir"), QStringLiteral("DIR with ca.pem, NAME.pem, NAME-key.pem"),
                                   QStringLiteral("DIR"));
    const QCommandLineOption service(QStringLiteral("service"), QStringLiteral("the service this proxy represents"),
                                     QStringLiteral("NAME"));
    const QCommandLineOption datacenter(QStringLiteral("datacenter"),
                                        QStringLiteral("datacenter of upstream instances (default dc1)"),
                                        QStringLiteral("DC"), QStringLiteral("dc1"));
    const QCommandLineOption listen(QStringLiteral("listen"), QStringLiteral("public mTLS listener"),
                                    QStringLiteral("HOST:PORT"));
    const QCommandLineOption serviceAddr(QStringLiteral("service-addr"), QStringLiteral("the local app"),
                                         QStringLiteral("HOST:PORT"));
    const QCommandLineOption upstream(QStringLiteral("upstream"),
                                      QStringLiteral("an upstream (repeatable: one per destination and local port)"),
                                      QStringLiteral("DEST:LOCALPORT=HOST:PORT[,HOST:PORT…]"));
    const QCommandLineOption allow(QStringLiteral("allow"), QStringLiteral("allow a source service or * (repeatable)"),
                                   QStringLiteral("SRC"));
    const QCommandLineOption deny(QStringLiteral("deny"), QStringLiteral("deny a source service or * (repeatable)"),
                                  QStringLiteral("SRC"));
    const QCommandLineOption defaultDeny(QStringLiteral("default-deny"),
                                         QStringLiteral("deny sources no -allow names"));
    const QCommandLineOption maxConnections(QStringLiteral("max-connections"),
                                            QStringLiteral("per listener (default 1024)"), QStringLiteral("N"),
                                            QStringLiteral("1024"));
    parser.addOptions({sidecarFor, proxyId, httpAddr, token, logLevel, caDir, service, datacenter, listen, serviceAddr,
                       upstream, allow, deny, defaultDeny, maxConnections, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"proxy", out, err))
        return *done;
    if (!applyLogLevel(parser.value(logLevel))) {
        err << "meshpad proxy: -log-level wants trace, debug, info, warn or error\n";
        return ExitCode::Usage;
    }
    // Which event loop Qt gave us: GLib's by default, Qt's UNIX one with
    // QT_NO_GLIB=1 (qtbase src/corelib/thread/qthread_unix.cpp,
    // QThreadPrivate::createEventDispatcher). On this proxy GLib's measured
    // faster (bench/proxy-vs-haproxy.sh runs a pair on each), so the proxy
    // keeps Qt's default; -log-level debug says which runs.
    if (const QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance())
        qCDebug(lcProxy, "event dispatcher: %s", dispatcher->metaObject()->className());
    bool parsed = false;
    ProxyOptions agentOptions;
    agentOptions.maxConnections = parser.value(maxConnections).toInt(&parsed);
    if (!parsed || agentOptions.maxConnections < 1) {
        err << "meshpad proxy: -max-connections wants a positive number\n";
        return ExitCode::Usage;
    }
    // Flags win over the environment, as consul's proxy reads them.
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString sidecarId
        = parser.isSet(sidecarFor) ? parser.value(sidecarFor) : env.value(QStringLiteral("CONNECT_SIDECAR_FOR"));
    const QString proxyServiceId
        = parser.isSet(proxyId) ? parser.value(proxyId) : env.value(QStringLiteral("CONNECT_PROXY_ID"));
    if (!sidecarId.isEmpty() || !proxyServiceId.isEmpty()) {
        if (parser.isSet(caDir) || parser.isSet(service) || parser.isSet(listen) || parser.isSet(upstream)
            || parser.isSet(allow) || parser.isSet(deny) || parser.isSet(defaultDeny)) {
            err << "meshpad proxy: -sidecar-for/-proxy-id take their configuration from the agent; "
                   "drop -ca-dir, -service, -listen, -upstream, -allow, -deny and -default-deny\n";
            return ExitCode::Usage;
        }
        mesh::consul::ConsulConfig config = mesh::consul::ConsulConfig::fromEnvironment(env);
        if (parser.isSet(httpAddr))
            config.address = parser.value(httpAddr);
        if (parser.isSet(token)) {
            config.token = parser.value(token);
            config.tokenFile.clear();
        }
        // -proxy-id names the proxy itself and wins, as in consul's command.
        return proxyServiceId.isEmpty()
                   ? runAgentMode(mesh::proxy::AgentSidecar::Lookup::SidecarFor, sidecarId, config, agentOptions, err)
                   : runAgentMode(mesh::proxy::AgentSidecar::Lookup::ProxyId, proxyServiceId, config, agentOptions,
                                  err);
    }
    if (parser.isSet(httpAddr) || parser.isSet(token)) {
        err << "meshpad proxy: -http-addr and -token go with -sidecar-for or -proxy-id\n";
        return ExitCode::Usage;
    }
    if (!parser.isSet(caDir) || !parser.isSet(service)) {
        err << "meshpad proxy: give -sidecar-for SERVICE_ID, or -ca-dir DIR and -service NAME (see meshpad proxy "
               "-help)\n";
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

    const auto upstreamFlags = parseUpstreams(parser.values(upstream));
    if (!upstreamFlags) {
        err << "meshpad proxy: " << upstreamFlags.error().message << "\n";
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
    for (const Upstream &u : *upstreamFlags) {
        QList<Instance> instances;
        const auto expected = mesh::pki::SpiffeId::forService(trustDomain, parser.value(datacenter), u.destination);
        for (const Endpoint &e : u.instances)
            instances.append({e.address.toString(), e.port, expected});
        resolver.setInstances(u.destination, instances);
        auto listener = std::make_unique<UpstreamListener>(u.destination, &identity, &resolver, options);
        if (const auto listening = listener->listen(u.local.address, u.local.port); !listening) {
            err << "meshpad proxy: " << listening.error().message << "\n";
            return ExitCode::Usage;
        }
        err << "upstream " << u.destination << " listening on 127.0.0.1:" << listener->port() << " -> "
            << expected.toString() << "\n";
        upstreams.push_back(std::move(listener));
    }
    err.flush();

    apps::UnixSignalWatcher signals({SIGINT, SIGTERM});
    QObject::connect(&signals, &apps::UnixSignalWatcher::signalReceived, QCoreApplication::instance(),
                     [](int) { QCoreApplication::quit(); });
    const mesh::HeapTrimmer trimmer;
    QCoreApplication::exec();
    err << "meshpad proxy: stopped\n";
    return ExitCode::Ok;
}

} // namespace meshpad::cli
