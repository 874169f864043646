#include "hashiboxlog.h"

namespace mesh::hashibox {

Q_LOGGING_CATEGORY(lcHashibox, "meshpad.hashibox", QtInfoMsg)

} // namespace mesh::hashibox
