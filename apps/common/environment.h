#pragma once

#include <QByteArray>

namespace apps {

// Reads a port from an environment value the way the Go originals do: unset
// or empty means `fallback`. Returns -1 for anything that is not 0–65535.
int portFromEnvironment(const QByteArray &value, int fallback = 80);

} // namespace apps
