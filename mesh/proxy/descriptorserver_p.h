#pragma once

#include "core/result.h"

#include <QTcpServer>

namespace mesh::proxy {

// A QTcpServer that hands over raw accepted descriptors instead of creating
// QTcpSockets: the listeners wrap them in a QSslSocket (inbound) or a
// PlainSocket (upstream) themselves.
//
// Its listen backlog is 1024, not Qt's 50: while the accept queue is full
// Linux drops every new SYN (torvalds/linux: net/ipv4/tcp_input.c,
// tcp_conn_request, "sk_acceptq_is_full"), and the caller retries only after
// its 1 s initial retransmission timeout (RFC 6298, 2.1), so under a burst of
// connects real callers would wait seconds before the listener even sees
// them — before its limit or drain logic can act. The kernel caps the value
// at net.core.somaxconn (4096 by default since Linux 5.4). apps/http's
// HttpServer does the same
// (https://doc.qt.io/qt-6/qtcpserver.html#setListenBacklogSize).
class DescriptorServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DescriptorServer)

public:
    static constexpr int kListenBacklog = 1024;

    explicit DescriptorServer(QObject *parent = nullptr);
    ~DescriptorServer() override;

    // listen() with the failure as the listeners and the lab's port
    // forwarder report it: Network, "cannot listen on ADDRESS:PORT: REASON".
    Result<> listenOn(const QHostAddress &address, quint16 port);

Q_SIGNALS:
    void descriptorAccepted(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override { Q_EMIT descriptorAccepted(descriptor); }
};

} // namespace mesh::proxy
