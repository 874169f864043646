#pragma once

#include "consul/consultypes.h"
#include "proxy/proxyoptions.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <QCoro/QCoroTask>

#include <memory>

namespace mesh::api {
class BlockingWatch;
}
namespace mesh::consul {
class ConsulClient;
}

namespace mesh::proxy {

class ConsulAuthorizer;
class ConsulIdentitySource;
class ConsulResolver;
class InboundListener;
class ProxyMetrics;
class UpstreamListener;

// The sidecar configured by a Consul agent, as `consul connect proxy
// -sidecar-for ID` / `-proxy-id ID` runs (hashicorp/consul:
// command/connect/proxy/proxy.go, connect/proxy/config.go
// AgentConfigWatcher):
//
// 1. -sidecar-for: GET /v1/agent/services, the one connect-proxy whose
//    Proxy.DestinationServiceID is ID (case-insensitive); none or several is
//    an error in Consul's words.
// 2. Follows GET /v1/agent/service/<proxy ID> (hash-based blocking query):
//    the proxied service is Proxy.DestinationServiceName; the public
//    listener binds Address:Port of the registration (0.0.0.0 when Address
//    is empty) and forwards to LocalServiceAddress:LocalServicePort (default
//    127.0.0.1 and the port); each upstream listens on
//    LocalBindAddress (default 127.0.0.1):LocalBindPort. Timeouts from
//    Proxy.Config local_connect_timeout_ms / handshake_timeout_ms and
//    Upstream.Config connect_timeout_ms.
// 3. Identity from blocking queries on ca/roots and ca/leaf/<service>
//    (ConsulIdentitySource), authorization by agent/connect/authorize
//    (ConsulAuthorizer), instances from health/connect/<dest>?passing
//    (ConsulResolver). Listeners start once roots and leaf are loaded.
// 4. A later change of the registration adds upstreams it did not have;
//    like Consul's proxy, nothing is removed or rebound while running.
//
// Messages (what it does, what went wrong but is retried, each caller the
// public listener refuses) come as message(); a reason to give up (no such
// sidecar, not a proxy, a port in use) as failed(), once, after every
// listener and watch of the sidecar stopped. Does not own the client; lives
// on its thread.
class AgentSidecar final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentSidecar)

public:
    enum class Lookup { SidecarFor, ProxyId };

    AgentSidecar(consul::ConsulClient *client, Lookup lookup, const QString &id, QObject *parent = nullptr);
    ~AgentSidecar() override;

    void setOptions(const ProxyOptions &options) { m_options = options; }
    void start();

    QString proxyId() const { return m_proxyId; }
    // 0 before the public listener runs and after failed().
    quint16 publicPort() const;
    // The public listener's counters; null when publicPort() is 0.
    ProxyMetrics *inboundMetrics() const;

Q_SIGNALS:
    void message(const QString &text);
    // Every listener the registration asks for runs.
    void ready();
    void failed(const QString &reason);

private:
    QCoro::Task<> run();
    void follow();
    void apply(const consul::AgentService &registration);
    void startListeners();
    void addUpstream(const consul::Upstream &upstream);
    void fail(const QString &reason);

    consul::ConsulClient *m_client;
    Lookup m_lookup;
    QString m_id;
    QString m_proxyId;
    ProxyOptions m_options;
    api::BlockingWatch *m_serviceWatch = nullptr;
    std::optional<consul::AgentService> m_registration;
    ConsulIdentitySource *m_identity = nullptr;
    ConsulResolver *m_resolver = nullptr;
    std::unique_ptr<ConsulAuthorizer> m_authorizer;
    std::unique_ptr<InboundListener> m_inbound;
    QHash<QString, UpstreamListener *> m_upstreams; // by "address:port"; children
    bool m_failed = false;
    bool m_ready = false;
};

} // namespace mesh::proxy
