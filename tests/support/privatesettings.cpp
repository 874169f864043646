#include "privatesettings.h"

#include <QTemporaryDir>

using namespace Qt::StringLiterals;

namespace meshtest {

bool usePrivateSettings(const QTemporaryDir &home)
{
    if (!home.isValid())
        return false;
    return qputenv("XDG_CONFIG_HOME", home.filePath(u"config"_s).toUtf8())
           && qputenv("XDG_DATA_HOME", home.filePath(u"data"_s).toUtf8());
}

void unsetClusterEnvironment()
{
    for (const char *name : {"CONSUL_HTTP_TOKEN", "NOMAD_TOKEN", "CONSUL_HTTP_ADDR", "NOMAD_ADDR"})
        qunsetenv(name);
}

} // namespace meshtest
