#include "proxylog.h"

namespace mesh::proxy {

Q_LOGGING_CATEGORY(lcProxy, "meshpad.proxy", QtInfoMsg)

} // namespace mesh::proxy
