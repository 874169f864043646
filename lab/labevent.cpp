#include "labevent.h"

namespace mesh::lab {

QString toString(LabEvent::Kind kind)
{
    using Kind = LabEvent::Kind;
    switch (kind) {
    case Kind::Placed: return QStringLiteral("placed");
    case Kind::Started: return QStringLiteral("started");
    case Kind::Healthy: return QStringLiteral("healthy");
    case Kind::Unhealthy: return QStringLiteral("unhealthy");
    case Kind::Failed: return QStringLiteral("failed");
    case Kind::Restarted: return QStringLiteral("restarted");
    case Kind::Stopped: return QStringLiteral("stopped");
    case Kind::Refused: return QStringLiteral("refused");
    case Kind::Denied: return QStringLiteral("denied");
    case Kind::Drill: return QStringLiteral("drill");
    case Kind::Node: return QStringLiteral("node");
    case Kind::Certificate: return QStringLiteral("certificate");
    case Kind::Error: return QStringLiteral("error");
    }
    return {};
}

} // namespace mesh::lab
