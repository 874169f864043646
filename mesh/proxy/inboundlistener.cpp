#include "inboundlistener.h"

#include "descriptorserver_p.h"
#include "identitysource.h"
#include "inboundconnection.h"
#include "proxylog.h"
#include "proxymetrics.h"

#include <unistd.h>

namespace mesh::proxy {

InboundListener::InboundListener(const QString &service, IdentitySource *identity, const Authorizer *authorizer,
                                 const ProxyOptions &options, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_identity(identity)
    , m_authorizer(authorizer)
    , m_options(options)
    , m_tls(identity, tls::TlsContext::Role::Server, QStringLiteral("inbound ") + service)
{
    m_metrics = new ProxyMetrics(QStringLiteral("inbound ") + service, this);
    m_server = new DescriptorServer(this);
    connect(m_server, &DescriptorServer::descriptorAccepted, this, &InboundListener::onDescriptor);
    connect(m_identity, &IdentitySource::identityChanged, this, [this] { m_tls.update(); });
    m_tls.update();
}

InboundListener::~InboundListener()
{
    // Connections first: they report to m_metrics while closing.
    const QList<InboundConnection *> connections = m_connections.keys();
    m_connections.clear();
    m_handshaking.clear();
    qDeleteAll(connections);
}

void InboundListener::setLocalApp(const QHostAddress &address, quint16 port)
{
    m_appAddress = address;
    m_appPort = port;
}

Result<> InboundListener::listen(const QHostAddress &address, quint16 port)
{
    if (!m_tls.context())
        return fail(Error::Code::Invalid, QStringLiteral("no certificate and roots to listen with"));
    return m_server->listenOn(address, port);
}

void InboundListener::close()
{
    m_server->close();
}

quint16 InboundListener::port() const
{
    return m_server->serverPort();
}

QHostAddress InboundListener::address() const
{
    return m_server->serverAddress();
}

void InboundListener::onDescriptor(qintptr descriptor)
{
    if (!m_tls.context()) {
        ::close(int(descriptor));
        m_metrics->rejectedOverLimit();
        m_overloadLog.add({.refusedNoIdentity = 1});
        return;
    }
    // At the limit, a connection still in its TLS handshake gives way to the
    // new one, oldest first: otherwise maxConnections sockets that connect
    // and never finish a handshake (or never send a ClientHello) shut every
    // caller out until handshakeTimeout frees them. nginx does the same for
    // its reusable connections (nginx/nginx: src/core/ngx_connection.c,
    // ngx_get_connection → ngx_drain_connections closes the oldest of
    // reusable_connections_queue and logs "worker_connections are not
    // enough, reusing connections" at most once a second). Established
    // connections are never displaced: they carry a caller's traffic.
    OverloadCounts overload;
    while (m_connections.size() >= m_options.maxConnections && !m_handshaking.empty()) {
        InboundConnection *oldest = m_handshaking.front();
        oldest->drain();
        // drain() has already finished it through finished(); forgetting it
        // again is a no-op that still guarantees this loop moves on.
        onFinished(oldest);
        m_metrics->handshakeDrained();
        ++overload.drained;
    }
    if (m_connections.size() >= m_options.maxConnections) {
        // Closed before any TLS work: a flood costs an accept and a close (F8).
        ::close(int(descriptor));
        m_metrics->rejectedOverLimit();
        ++overload.refused;
        m_overloadLog.add(overload);
        return;
    }
    if (overload.any())
        m_overloadLog.add(overload);
    InboundConnection::Context context{m_service,    m_tls.trustDomain(), m_authorizer, m_metrics,
                                       m_appAddress, m_appPort,           m_options};
    auto *connection = new InboundConnection(descriptor, m_tls.context(), context, this);
    m_connections.insert(connection, m_handshaking.insert(m_handshaking.end(), connection));
    m_metrics->connectionAccepted();
    connect(connection, &InboundConnection::handshakeCompleted, this,
            [this, connection] { onHandshakeCompleted(connection); });
    connect(connection, &InboundConnection::finished, this, [this, connection] { onFinished(connection); });
}

void InboundListener::onHandshakeCompleted(InboundConnection *connection)
{
    const auto it = m_connections.find(connection);
    if (it == m_connections.end() || *it == m_handshaking.end())
        return;
    m_handshaking.erase(*it);
    *it = m_handshaking.end();
}

void InboundListener::onFinished(InboundConnection *connection)
{
    const auto it = m_connections.find(connection);
    if (it == m_connections.end())
        return;
    if (*it != m_handshaking.end())
        m_handshaking.erase(*it);
    m_connections.erase(it);
    m_metrics->connectionClosed();
    connection->deleteLater();
}

void InboundListener::logOverload(const OverloadCounts &counts) const
{
    if (counts.drained || counts.refused) {
        qCInfo(lcProxy).noquote().nospace()
            << "inbound " << m_service << " at its limit of " << m_options.maxConnections << " connections: closed "
            << counts.drained << " unfinished TLS handshakes (oldest first) and refused " << counts.refused
            << " new connections (every open one past its handshake)";
    }
    if (counts.refusedNoIdentity) {
        qCInfo(lcProxy).noquote().nospace()
            << "inbound " << m_service << " refused " << counts.refusedNoIdentity << " connections: no certificate yet";
    }
}

} // namespace mesh::proxy
