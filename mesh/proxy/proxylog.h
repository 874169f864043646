#pragma once

#include <QLoggingCategory>

namespace mesh::proxy {

// `meshpad.proxy`: one info line per refused connection with its reason and
// per connection we failed to serve (the local app or every instance
// unreachable); overload (drains, refusals at the limit) as one summary line
// a second at most (OverloadLog); never certificate keys.
Q_DECLARE_LOGGING_CATEGORY(lcProxy)

} // namespace mesh::proxy
