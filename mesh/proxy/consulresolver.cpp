#include "consulresolver.h"

#include "api/blockingwatch.h"
#include "consul/consulclient.h"

#include <QHostAddress>

namespace mesh::proxy {

ConsulResolver::ConsulResolver(consul::ConsulClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

ConsulResolver::~ConsulResolver() = default;

void ConsulResolver::watch(const QString &destination)
{
    if (m_watches.contains(destination))
        return;
    auto *watch = new api::BlockingWatch(
        m_client->api(), consul::ConsulClient::healthConnectRequest(destination, /*passingOnly=*/true), this);
    connect(watch, &api::BlockingWatch::changed, this, [this, destination](const api::ApiResponse &response) {
        auto entries = m_client->decodeServiceEntries(response);
        if (!entries) {
            Q_EMIT problem(entries.error().message);
            return;
        }
        m_entries.insert(destination, *entries);
        Q_EMIT instancesChanged(destination, int(entries->size()));
    });
    connect(watch, &api::BlockingWatch::failed, this, [this, destination](const Error &error) {
        // The last known instances stay: an agent restart must not cut an
        // upstream whose instances are still up.
        Q_EMIT problem(QStringLiteral("instances of %1: %2").arg(destination, error.message));
    });
    m_watches.insert(destination, watch);
    watch->start();
}

QList<Instance> ConsulResolver::resolve(const QString &destination) const
{
    QList<Instance> instances;
    const auto found = m_entries.constFind(destination);
    if (found == m_entries.cend() || m_trustDomain.isEmpty())
        return instances;
    for (const consul::ServiceEntry &entry : *found) {
        // ?passing already filtered; an entry whose checks turned critical
        // since is skipped all the same.
        if (entry.aggregatedStatus() == u"critical")
            continue;
        const QString address = entry.service.address.isEmpty() ? entry.node.address : entry.service.address;
        if (QHostAddress(address).isNull() || entry.service.port <= 0 || entry.service.port > 65535)
            continue;
        const QString service = entry.service.proxy && !entry.service.proxy->destinationServiceName.isEmpty()
                                    ? entry.service.proxy->destinationServiceName
                                    : entry.service.service;
        instances.append({address, quint16(entry.service.port),
                          pki::SpiffeId::forService(m_trustDomain, entry.node.datacenter, service)});
    }
    return instances;
}

} // namespace mesh::proxy
