#pragma once

#include <QLoggingCategory>

namespace mesh::hashibox {

// meshpad.hashibox: the vagrant runs (command, exit) and the cluster wait.
Q_DECLARE_LOGGING_CATEGORY(lcHashibox)

} // namespace mesh::hashibox
