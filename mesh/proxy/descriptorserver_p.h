#pragma once

#include <QTcpServer>

namespace mesh::proxy {

// A QTcpServer that hands over raw accepted descriptors instead of creating
// QTcpSockets: the listeners wrap them in a QSslSocket (inbound) or a
// PlainSocket (upstream) themselves.
class DescriptorServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DescriptorServer)

public:
    using QTcpServer::QTcpServer;
    ~DescriptorServer() override;

Q_SIGNALS:
    void descriptorAccepted(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override { Q_EMIT descriptorAccepted(descriptor); }
};

} // namespace mesh::proxy
