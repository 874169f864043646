#pragma once

#include "core/result.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>

namespace mesh::proxy {
class DescriptorServer;
}

namespace mesh::lab {

class ForwardedConnection;

// A published group port, as CNI's portmap plugin gives one: TCP accepted on
// the node's address and host port is carried to the allocation's address
// and `to` port. Full duplex with half-close passed on and back-pressure
// (a side is read only while the other has less than 256 KiB queued).
// Lives on the network thread and never blocks it.
class PortForwarder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PortForwarder)

public:
    PortForwarder(const QHostAddress &target, quint16 targetPort, QObject *parent = nullptr);
    ~PortForwarder() override;

    Result<> listen(const QHostAddress &address, quint16 port);
    void close();
    bool isListening() const;
    quint16 port() const;
    int activeConnections() const { return int(m_connections.size()); }

private:
    void onDescriptor(qintptr descriptor);

    QHostAddress m_target;
    quint16 m_targetPort;
    proxy::DescriptorServer *m_server;
    QSet<ForwardedConnection *> m_connections;

    friend class ForwardedConnection;
};

} // namespace mesh::lab
