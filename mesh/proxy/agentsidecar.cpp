#include "agentsidecar.h"

#include "api/blockingwatch.h"
#include "consul/consulclient.h"
#include "proxy/consulauthorizer.h"
#include "proxy/consulidentitysource.h"
#include "proxy/consulresolver.h"
#include "proxy/inboundlistener.h"
#include "proxy/proxymetrics.h"
#include "proxy/upstreamlistener.h"

#include <QHostAddress>

namespace mesh::proxy {

namespace {

// A number of milliseconds from a proxy or upstream Config map, as Consul's
// proxy reads local_connect_timeout_ms and friends (connect/proxy/config.go);
// JSON numbers and numeric strings are both taken.
std::optional<std::chrono::milliseconds> millisecondsIn(const QJsonObject &config, QStringView key)
{
    const QJsonValue value = config.value(key);
    bool ok = value.isDouble();
    const qint64 ms = ok ? qint64(value.toDouble()) : value.toString().toLongLong(&ok);
    if (!ok || ms <= 0)
        return std::nullopt;
    return std::chrono::milliseconds(ms);
}

QString endpointText(const QHostAddress &address, quint16 port)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol
               ? QStringLiteral("[%1]:%2").arg(address.toString()).arg(port)
               : QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

} // namespace

AgentSidecar::AgentSidecar(consul::ConsulClient *client, Lookup lookup, const QString &id, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_lookup(lookup)
    , m_id(id)
{
}

AgentSidecar::~AgentSidecar()
{
    // Listeners first: they use the identity, the resolver and the authorizer.
    qDeleteAll(m_upstreams);
    m_upstreams.clear();
    m_inbound.reset();
}

quint16 AgentSidecar::publicPort() const
{
    return m_inbound ? m_inbound->port() : 0;
}

ProxyMetrics *AgentSidecar::inboundMetrics() const
{
    return m_inbound ? m_inbound->metrics() : nullptr;
}

void AgentSidecar::start()
{
    QCoro::connect(run(), this, [] {});
}

QCoro::Task<> AgentSidecar::run()
{
    if (m_lookup == Lookup::ProxyId) {
        m_proxyId = m_id;
    } else {
        auto services = co_await m_client->agentServices();
        if (!services) {
            fail(QStringLiteral("Failed looking up sidecar proxy info for %1: %2").arg(m_id, services.error().message));
            co_return;
        }
        QStringList proxyIds;
        for (const consul::AgentService &service : std::as_const(services->value)) {
            if (service.kind == u"connect-proxy" && service.proxy
                && service.proxy->destinationServiceID.compare(m_id, Qt::CaseInsensitive) == 0)
                proxyIds.append(service.id);
        }
        if (proxyIds.isEmpty()) {
            fail(QStringLiteral("No sidecar proxy registered for %1").arg(m_id));
            co_return;
        }
        if (proxyIds.size() > 1) {
            fail(QStringLiteral("More than one sidecar proxy registered for %1.\n"
                                "    Start proxy with -proxy-id and one of the following IDs: %2")
                     .arg(m_id, proxyIds.join(u", ")));
            co_return;
        }
        m_proxyId = proxyIds.constFirst();
        Q_EMIT message(QStringLiteral("Configuration mode: Agent API"));
        Q_EMIT message(QStringLiteral("    Sidecar for ID: %1").arg(m_id));
    }
    Q_EMIT message(QStringLiteral("          Proxy ID: %1").arg(m_proxyId));
    follow();
}

void AgentSidecar::follow()
{
    m_serviceWatch
        = new api::BlockingWatch(m_client->api(), consul::ConsulClient::agentServiceRequest(m_proxyId), this);
    m_serviceWatch->setMode(api::BlockingWatch::Mode::Hash);
    connect(m_serviceWatch, &api::BlockingWatch::changed, this, [this](const api::ApiResponse &response) {
        auto service = m_client->decodeAgentService(response);
        if (!service) {
            Q_EMIT message(service.error().message);
            return;
        }
        apply(*service);
    });
    connect(m_serviceWatch, &api::BlockingWatch::failed, this, [this](const Error &error) {
        // Before the first answer a missing registration is final; later the
        // agent may only be restarting, and the listeners carry on.
        if (!m_registration && error.code == Error::Code::NotFound) {
            fail(QStringLiteral("the agent has no service %1: %2").arg(m_proxyId, error.message));
            return;
        }
        Q_EMIT message(QStringLiteral("watching %1: %2 (retrying)").arg(m_proxyId, error.message));
    });
    m_serviceWatch->start();
}

void AgentSidecar::apply(const consul::AgentService &registration)
{
    if (m_failed)
        return;
    if (registration.kind != u"connect-proxy" || !registration.proxy) {
        fail(QStringLiteral("service %1 is not a Connect proxy (Kind \"%2\")").arg(m_proxyId, registration.kind));
        return;
    }
    if (registration.proxy->destinationServiceName.isEmpty()) {
        fail(QStringLiteral("proxy %1 names no destination service").arg(m_proxyId));
        return;
    }
    const bool first = !m_registration;
    m_registration = registration;
    if (first) {
        const QJsonObject &config = registration.proxy->config;
        if (auto local = millisecondsIn(config, u"local_connect_timeout_ms"))
            m_options.localConnectTimeout = *local;
        if (auto handshake = millisecondsIn(config, u"handshake_timeout_ms"))
            m_options.handshakeTimeout = *handshake;
        const QString service = registration.proxy->destinationServiceName;
        m_identity = new ConsulIdentitySource(m_client, service, this);
        m_resolver = new ConsulResolver(m_client, this);
        m_authorizer = std::make_unique<ConsulAuthorizer>(m_client);
        connect(m_identity, &ConsulIdentitySource::problem, this,
                [this](const QString &text) { Q_EMIT message(u"certificates: " + text); });
        connect(m_resolver, &ConsulResolver::problem, this, &AgentSidecar::message);
        connect(m_identity, &IdentitySource::identityChanged, this, [this] {
            m_resolver->setTrustDomain(m_identity->trustDomain());
            if (m_ready)
                Q_EMIT message(QStringLiteral("new certificates from the agent; new connections use them"));
        });
        connect(m_identity, &ConsulIdentitySource::ready, this, &AgentSidecar::startListeners);
        m_identity->start();
        return;
    }
    if (m_ready) {
        for (const consul::Upstream &upstream : registration.proxy->upstreams)
            addUpstream(upstream);
    }
}

void AgentSidecar::startListeners()
{
    if (m_failed || !m_registration)
        return;
    const consul::AgentService &registration = *m_registration;
    const consul::ProxyConfig &proxy = *registration.proxy;
    m_resolver->setTrustDomain(m_identity->trustDomain());

    if (registration.port > 0) {
        // Consul's proxy binds the registration's address, or every address
        // when it has none (connect/proxy/config.go, AgentConfigWatcher).
        QHostAddress bind
            = registration.address.isEmpty() ? QHostAddress(QHostAddress::AnyIPv4) : QHostAddress(registration.address);
        if (bind.isNull()) {
            fail(QStringLiteral("proxy %1 has address \"%2\", which is not an IP address")
                     .arg(m_proxyId, registration.address));
            return;
        }
        const QHostAddress app(proxy.localServiceAddress.isEmpty() ? QStringLiteral("127.0.0.1")
                                                                   : proxy.localServiceAddress);
        const int appPort = proxy.localServicePort;
        if (app.isNull() || appPort <= 0 || appPort > 65535) {
            fail(QStringLiteral("proxy %1: the local service %2:%3 is not an address and port")
                     .arg(m_proxyId, proxy.localServiceAddress)
                     .arg(appPort));
            return;
        }
        m_inbound = std::make_unique<InboundListener>(proxy.destinationServiceName, m_identity, m_authorizer.get(),
                                                      m_options);
        m_inbound->setLocalApp(app, quint16(appPort));
        // Each refused caller is logged once, by the listener (meshpad.proxy),
        // as Consul's proxy logs failed authorizations
        // (hashicorp/consul: connect/tls.go newServerSideVerifier).
        if (Result<> listening = m_inbound->listen(bind, quint16(registration.port)); !listening) {
            fail(QStringLiteral("public listener on %1: %2")
                     .arg(endpointText(bind, quint16(registration.port)), listening.error().message));
            return;
        }
        Q_EMIT message(QStringLiteral("   Public listener: %1 => %2 (%3)")
                           .arg(endpointText(bind, m_inbound->port()), endpointText(app, quint16(appPort)),
                                proxy.destinationServiceName));
    } else {
        Q_EMIT message(QStringLiteral("   Public listener: Disabled"));
    }
    for (const consul::Upstream &upstream : proxy.upstreams)
        addUpstream(upstream);
    if (m_failed)
        return;
    m_ready = true;
    Q_EMIT ready();
}

void AgentSidecar::addUpstream(const consul::Upstream &upstream)
{
    if (m_failed)
        return;
    if (upstream.destinationType == u"prepared_query") {
        Q_EMIT message(
            QStringLiteral("upstream %1: prepared queries are not supported; skipped").arg(upstream.destinationName));
        return;
    }
    if (upstream.localBindPort <= 0 || upstream.localBindPort > 65535) {
        // Consul's proxy skips these with an error too (connect/proxy/config.go).
        Q_EMIT message(QStringLiteral("upstream %1 has no local_bind_port; skipped").arg(upstream.destinationName));
        return;
    }
    const QHostAddress bind(upstream.localBindAddress.isEmpty() ? QStringLiteral("127.0.0.1")
                                                                : upstream.localBindAddress);
    if (bind.isNull()) {
        Q_EMIT message(QStringLiteral("upstream %1: local_bind_address \"%2\" is not an IP address; skipped")
                           .arg(upstream.destinationName, upstream.localBindAddress));
        return;
    }
    const QString key = endpointText(bind, quint16(upstream.localBindPort));
    if (m_upstreams.contains(key))
        return;
    ProxyOptions options = m_options;
    if (auto connectTimeout = millisecondsIn(upstream.config, u"connect_timeout_ms"))
        options.connectTimeout = *connectTimeout;
    m_resolver->watch(upstream.destinationName);
    auto *listener = new UpstreamListener(upstream.destinationName, m_identity, m_resolver, options, this);
    if (Result<> listening = listener->listen(bind, quint16(upstream.localBindPort)); !listening) {
        delete listener;
        fail(QStringLiteral("upstream %1 on %2: %3").arg(upstream.destinationName, key, listening.error().message));
        return;
    }
    m_upstreams.insert(key, listener);
    Q_EMIT message(QStringLiteral("          Upstream: %1 => %2").arg(upstream.destinationName, key));
}

void AgentSidecar::fail(const QString &reason)
{
    if (m_failed)
        return;
    m_failed = true;
    // Given up means nothing of this sidecar serves or polls any more: an
    // upstream that cannot bind must not leave the public listener open
    // (the CLI exits; an embedding process keeps running).
    if (m_serviceWatch)
        m_serviceWatch->stop();
    qDeleteAll(m_upstreams);
    m_upstreams.clear();
    m_inbound.reset();
    // fail() may run inside a signal of the identity source (ready →
    // startListeners): later, and without reaching back here.
    for (QObject *watcher : std::initializer_list<QObject *>{m_identity, m_resolver}) {
        if (watcher) {
            watcher->disconnect(this);
            watcher->deleteLater();
        }
    }
    m_identity = nullptr;
    m_resolver = nullptr;
    Q_EMIT failed(reason);
}

} // namespace mesh::proxy
