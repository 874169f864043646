#pragma once

#include <QLoggingCategory>

namespace mesh::api {

// `meshpad.api`: one debug line per request and per retry; never tokens or
// bodies (a body may carry a private key: the Connect leaf).
Q_DECLARE_LOGGING_CATEGORY(lcApi)

} // namespace mesh::api
