#pragma once

#include <QLoggingCategory>

namespace mesh::proxy {

// `meshpad.proxy`: one info line per refused connection with its reason;
// never certificate keys.
Q_DECLARE_LOGGING_CATEGORY(lcProxy)

} // namespace mesh::proxy
