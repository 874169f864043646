#pragma once

#include "core/result.h"
#include "proxy/proxyoptions.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>

namespace mesh::proxy {

class Authorizer;
class DescriptorServer;
class IdentitySource;
class InboundConnection;
class ProxyMetrics;

// The public listener of a sidecar (consul.md §4.3, §4.5 items 5–9): accepts
// mTLS from other sidecars, lets through only verified, authorized callers of
// `service` and pipes them to the local app. Identity changes apply to the
// next handshake; open connections keep theirs. Lives on one thread and never
// blocks it. Does not own the identity source or the authorizer; both must
// outlive it.
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
    const ProxyOptions &options() const { return m_options; }

private:
    void onDescriptor(qintptr descriptor);
    void rebuildConfiguration();

    QString m_service;
    IdentitySource *m_identity;
    const Authorizer *m_authorizer;
    ProxyOptions m_options;
    QHostAddress m_appAddress;
    quint16 m_appPort = 0;
    QString m_trustDomain;
    QSslConfiguration m_configuration;
    bool m_hasConfiguration = false;
    DescriptorServer *m_server = nullptr;
    ProxyMetrics *m_metrics = nullptr;
    QSet<InboundConnection *> m_connections;
};

} // namespace mesh::proxy
