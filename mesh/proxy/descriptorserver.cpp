#include "descriptorserver_p.h"

namespace mesh::proxy {

DescriptorServer::DescriptorServer(QObject *parent)
    : QTcpServer(parent)
{
    setListenBacklogSize(kListenBacklog);
}

DescriptorServer::~DescriptorServer() = default;

} // namespace mesh::proxy
