#pragma once

#include "core/result.h"
#include "proxy/identitytlscontext.h"
#include "proxy/overloadlog.h"
#include "proxy/proxyoptions.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>

namespace mesh::proxy {

class DescriptorServer;
class IdentitySource;
class ProxyMetrics;
class Resolver;
class UpstreamConnection;

// An upstream of a sidecar (hashicorp/consul: connect/proxy/listener.go): plain TCP on the local bind
// address; each connection resolves `destination` afresh and goes over mTLS
// to its instances, round robin over the healthy ones (see
// UpstreamConnection). Identity changes apply to the next dial. Lives on one
// thread and never blocks it. Does not own the identity source or resolver.
//
// At options().maxConnections, or before it has a certificate, a new
// connection is closed at accept (rejectedOverLimit), logged as one summary
// line a second at most, never one per connection.
class UpstreamListener final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamListener)

public:
    UpstreamListener(const QString &destination, IdentitySource *identity, const Resolver *resolver,
                     const ProxyOptions &options = {}, QObject *parent = nullptr);
    ~UpstreamListener() override;

    Result<> listen(const QHostAddress &address, quint16 port);
    void close();
    quint16 port() const;
    QString destination() const { return m_destination; }

    // Fault injection for drills: every new connection waits `latency`
    // before it is dialled, and `failureRate` (0…1) of them are closed at
    // once, counted as connect failures. Open connections are not touched.
    void setFault(std::chrono::milliseconds latency, double failureRate);
    // The address new connections to instances are made from (the lab gives
    // each allocation's its own, so a refusal names the caller's allocation).
    void setSourceAddress(const QHostAddress &address) { m_sourceAddress = address; }

    ProxyMetrics *metrics() const { return m_metrics; }
    int activeConnections() const { return int(m_connections.size()); }

private:
    void onDescriptor(qintptr descriptor);
    void logOverload(const OverloadCounts &counts) const;

    QString m_destination;
    IdentitySource *m_identity;
    const Resolver *m_resolver;
    ProxyOptions m_options;
    IdentityTlsContext m_tls;
    quint64 m_roundRobin = 0;
    std::chrono::milliseconds m_addedLatency{0};
    double m_failureRate = 0;
    QHostAddress m_sourceAddress;
    DescriptorServer *m_server = nullptr;
    ProxyMetrics *m_metrics = nullptr;
    QSet<UpstreamConnection *> m_connections;
    // Last: its destructor writes what is unlogged with m_destination.
    // Parented, so moveToThread() takes its timer along.
    OverloadLog m_overloadLog{[this](const OverloadCounts &counts) { logOverload(counts); }, this};
};

} // namespace mesh::proxy
