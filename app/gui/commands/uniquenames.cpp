#include "uniquenames.h"

namespace meshpad::gui {

namespace {

template<class Taken>
QString firstFree(const QString &hint, const QString &fallback, Taken taken)
{
    const QString base = hint.isEmpty() ? fallback : hint;
    if (!taken(base))
        return base;
    for (int n = 2;; ++n) {
        const QString candidate = base + u'-' + QString::number(n);
        if (!taken(candidate))
            return candidate;
    }
}

} // namespace

QString uniqueServiceName(const mesh::model::Topology &topology, const QString &hint, const QSet<QString> &alsoTaken)
{
    return firstFree(hint, QStringLiteral("service"), [&](const QString &name) {
        return alsoTaken.contains(name) || topology.serviceByName(name) != nullptr;
    });
}

QString uniqueJobName(const mesh::model::Topology &topology, const QString &hint, const QSet<QString> &alsoTaken)
{
    return firstFree(hint, QStringLiteral("job"), [&](const QString &name) {
        if (alsoTaken.contains(name))
            return true;
        for (const mesh::model::Service &s : topology.services) {
            if (s.job == name)
                return true;
        }
        return false;
    });
}

int firstFreeLocalBindPort(const mesh::model::Topology &topology, const mesh::model::ServiceId &downstream)
{
    QSet<int> used;
    for (const mesh::model::Upstream *u : topology.upstreamsFrom(downstream))
        used.insert(u->localBindPort);
    int port = 8080;
    while (used.contains(port))
        ++port;
    return port;
}

} // namespace meshpad::gui
