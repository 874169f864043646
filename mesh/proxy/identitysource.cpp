#include "identitysource.h"

namespace mesh::proxy {

IdentitySource::~IdentitySource() = default;

} // namespace mesh::proxy
