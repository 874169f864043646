#include "environment.h"

namespace apps {

int portFromEnvironment(const QByteArray &value, int fallback)
{
    if (value.isEmpty())
        return fallback;
    bool ok = false;
    const int port = value.toInt(&ok);
    return ok && port >= 0 && port <= 65535 ? port : -1;
}

} // namespace apps
