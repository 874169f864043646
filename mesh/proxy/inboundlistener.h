#pragma once

#include "core/result.h"
#include "proxy/identitytlscontext.h"
#include "proxy/overloadlog.h"
#include "proxy/proxyoptions.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>

#include <list>

namespace mesh::proxy {

class Authorizer;
class DescriptorServer;
class IdentitySource;
class InboundConnection;
class ProxyMetrics;

// The public listener of a sidecar: accepts
// mTLS from other sidecars, lets through only verified, authorized callers of
// `service` and pipes them to the local app. Identity changes apply to the
// next handshake; open connections keep theirs. Lives on one thread and never
// blocks it. Does not own the identity source or the authorizer; both must
// outlive it.
//
// At options().maxConnections a new connection first displaces the oldest
// one still in its TLS handshake (closed without a refusal, counted as
// MetricsSnapshot::drainedHandshakes); only when every open connection has
// completed its handshake is the new one closed at accept, before any TLS
// work (rejectedOverLimit). Both are logged as one summary line a second at
// most, never one per connection.
class InboundListener final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboundListener)

public:
    InboundListener(const QString &service, IdentitySource *identity, const Authorizer *authorizer,
                    const ProxyOptions &options = {}, QObject *parent = nullptr);
    ~InboundListener() override;

    void setLocalApp(const QHostAddress &address, quint16 port);
    // Port 0 picks a free one (see port()). Fails without an identity.
    Result<> listen(const QHostAddress &address, quint16 port);
    void close();
    quint16 port() const;
    QHostAddress address() const;

    ProxyMetrics *metrics() const { return m_metrics; }
    int activeConnections() const { return int(m_connections.size()); }
    // Of those, the ones still in their TLS handshake: the ones a new caller may displace.
    int handshakingConnections() const { return int(m_handshaking.size()); }
    const ProxyOptions &options() const { return m_options; }

private:
    using Queue = std::list<InboundConnection *>;

    void onDescriptor(qintptr descriptor);
    void onHandshakeCompleted(InboundConnection *connection);
    void onFinished(InboundConnection *connection);
    void logOverload(const OverloadCounts &counts) const;

    QString m_service;
    IdentitySource *m_identity;
    const Authorizer *m_authorizer;
    ProxyOptions m_options;
    QHostAddress m_appAddress;
    quint16 m_appPort = 0;
    IdentityTlsContext m_tls;
    DescriptorServer *m_server = nullptr;
    ProxyMetrics *m_metrics = nullptr;
    // Every open connection, with its place in m_handshaking while its TLS
    // handshake runs (m_handshaking.end() once it completed).
    QHash<InboundConnection *, Queue::iterator> m_connections;
    Queue m_handshaking; // oldest first; list iterators survive other erasures
    // Drains and refusals as one summary line a second at most. Last: its
    // destructor writes the rest with m_service and m_options. Parented, so
    // moveToThread() takes its timer along.
    OverloadLog m_overloadLog{[this](const OverloadCounts &counts) { logOverload(counts); }, this};
};

} // namespace mesh::proxy
