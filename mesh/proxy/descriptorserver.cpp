#include "descriptorserver_p.h"

namespace mesh::proxy {

DescriptorServer::~DescriptorServer() = default;

} // namespace mesh::proxy
