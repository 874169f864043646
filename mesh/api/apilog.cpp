#include "apilog.h"

namespace mesh::api {

Q_LOGGING_CATEGORY(lcApi, "meshpad.api", QtInfoMsg)

} // namespace mesh::api
