#include "inboundlistener.h"

#include "descriptorserver_p.h"
#include "identitysource.h"
#include "inboundconnection.h"
#include "proxylog.h"
#include "proxymetrics.h"
#include "tlspolicy.h"

#include <unistd.h>

namespace mesh::proxy {

InboundListener::InboundListener(const QString &service, IdentitySource *identity, const Authorizer *authorizer,
                                 const ProxyOptions &options, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_identity(identity)
    , m_authorizer(authorizer)
    , m_options(options)
{
    m_metrics = new ProxyMetrics(QStringLiteral("inbound ") + service, this);
    m_server = new DescriptorServer(this);
    connect(m_server, &DescriptorServer::descriptorAccepted, this, &InboundListener::onDescriptor);
    connect(m_identity, &IdentitySource::identityChanged, this, &InboundListener::rebuildConfiguration);
    rebuildConfiguration();
}

InboundListener::~InboundListener()
{
    // Connections first: they report to m_metrics while closing.
    const auto connections = m_connections;
    m_connections.clear();
    qDeleteAll(connections);
}

void InboundListener::rebuildConfiguration()
{
    const Identity identity = m_identity->identity();
    m_hasConfiguration = !identity.isNull();
    if (!m_hasConfiguration)
        return;
    m_trustDomain = identity.id.trustDomain;
    m_configuration = TlsPolicy::serverConfiguration(identity);
}

void InboundListener::setLocalApp(const QHostAddress &address, quint16 port)
{
    m_appAddress = address;
    m_appPort = port;
}

Result<> InboundListener::listen(const QHostAddress &address, quint16 port)
{
    if (!m_hasConfiguration)
        return fail(Error::Code::Invalid, QStringLiteral("no certificate and roots to listen with"));
    if (!m_server->listen(address, port))
        return fail(Error::Code::Network, QStringLiteral("cannot listen on %1:%2: %3")
                                               .arg(address.toString())
                                               .arg(port)
                                               .arg(m_server->errorString()));
    return {};
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
    if (m_connections.size() >= m_options.maxConnections || !m_hasConfiguration) {
        // Closed before any TLS work: a flood costs an accept and a close (F8).
        ::close(int(descriptor));
        m_metrics->rejectedOverLimit();
        qCInfo(lcProxy).noquote() << "inbound" << m_service << "refused a connection: limit of"
                                  << m_options.maxConnections << "reached";
        return;
    }
    InboundConnection::Context context{m_service, m_trustDomain, m_authorizer, m_metrics,
                                       m_appAddress, m_appPort, m_options};
    auto *connection = new InboundConnection(descriptor, m_configuration, context, this);
    m_connections.insert(connection);
    m_metrics->connectionAccepted();
    connect(connection, &InboundConnection::finished, this, [this, connection] {
        if (m_connections.remove(connection))
            m_metrics->connectionClosed();
        connection->deleteLater();
    });
}

} // namespace mesh::proxy
