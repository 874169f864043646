#include "upstreamlistener.h"

#include "descriptorserver_p.h"
#include "identitysource.h"
#include "proxylog.h"
#include "proxymetrics.h"
#include "resolver.h"
#include "upstreamconnection.h"

#include <QRandomGenerator>

#include <algorithm>

#include <unistd.h>

namespace mesh::proxy {

UpstreamListener::UpstreamListener(const QString &destination, IdentitySource *identity, const Resolver *resolver,
                                   const ProxyOptions &options, QObject *parent)
    : QObject(parent)
    , m_destination(destination)
    , m_identity(identity)
    , m_resolver(resolver)
    , m_options(options)
    , m_tls(identity, tls::TlsContext::Role::Client, QStringLiteral("upstream ") + destination)
{
    m_metrics = new ProxyMetrics(QStringLiteral("upstream ") + destination, this);
    m_server = new DescriptorServer(this);
    connect(m_server, &DescriptorServer::descriptorAccepted, this, &UpstreamListener::onDescriptor);
    connect(m_identity, &IdentitySource::identityChanged, this, [this] { m_tls.update(); });
    m_tls.update();
}

UpstreamListener::~UpstreamListener()
{
    const auto connections = m_connections;
    m_connections.clear();
    qDeleteAll(connections);
}

Result<> UpstreamListener::listen(const QHostAddress &address, quint16 port)
{
    return m_server->listenOn(address, port);
}

void UpstreamListener::close()
{
    m_server->close();
}

void UpstreamListener::setFault(std::chrono::milliseconds latency, double failureRate)
{
    m_addedLatency = std::max(latency, std::chrono::milliseconds(0));
    m_failureRate = std::clamp(failureRate, 0.0, 1.0);
}

quint16 UpstreamListener::port() const
{
    return m_server->serverPort();
}

void UpstreamListener::onDescriptor(qintptr descriptor)
{
    if (m_connections.size() >= m_options.maxConnections || !m_tls.context()) {
        // Closed before any work: a flood costs an accept and a close (F8).
        ::close(int(descriptor));
        m_metrics->rejectedOverLimit();
        m_overloadLog.add(m_tls.context() ? OverloadCounts{.refused = 1} : OverloadCounts{.refusedNoIdentity = 1});
        return;
    }
    if (m_failureRate > 0 && QRandomGenerator::global()->generateDouble() < m_failureRate) {
        ::close(int(descriptor));
        m_metrics->connectionAccepted();
        m_metrics->connectFailed();
        m_metrics->connectionClosed();
        return;
    }
    QList<Instance> instances = m_resolver->resolve(m_destination);
    if (!instances.isEmpty()) {
        // Round robin: each connection starts one instance further on and
        // falls through the rest in order.
        const qsizetype start = qsizetype(m_roundRobin++ % quint64(instances.size()));
        std::rotate(instances.begin(), instances.begin() + start, instances.end());
    }
    UpstreamConnection::Context context{m_destination, instances,      m_tls.context(), m_metrics,
                                        m_options,     m_addedLatency, m_sourceAddress};
    auto *connection = new UpstreamConnection(descriptor, context, this);
    m_connections.insert(connection);
    m_metrics->connectionAccepted();
    connect(connection, &UpstreamConnection::finished, this, [this, connection] {
        if (m_connections.remove(connection))
            m_metrics->connectionClosed();
        connection->deleteLater();
    });
}

void UpstreamListener::logOverload(const OverloadCounts &counts) const
{
    if (counts.refused) {
        qCInfo(lcProxy).noquote().nospace()
            << "upstream " << m_destination << " at its limit of " << m_options.maxConnections
            << " connections: refused " << counts.refused << " new connections";
    }
    if (counts.refusedNoIdentity) {
        qCInfo(lcProxy).noquote().nospace() << "upstream " << m_destination << " refused " << counts.refusedNoIdentity
                                            << " connections: no certificate yet";
    }
}

} // namespace mesh::proxy
