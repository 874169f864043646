#include "descriptorserver_p.h"

namespace mesh::proxy {

DescriptorServer::DescriptorServer(QObject *parent)
    : QTcpServer(parent)
{
    setListenBacklogSize(kListenBacklog);
}

DescriptorServer::~DescriptorServer() = default;

Result<> DescriptorServer::listenOn(const QHostAddress &address, quint16 port)
{
    if (!listen(address, port))
        return fail(Error::Code::Network,
                    QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(errorString()));
    return {};
}

} // namespace mesh::proxy
