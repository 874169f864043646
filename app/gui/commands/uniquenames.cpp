#include "uniquenames.h"

#include "model/topologymodel.h"

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

// An id the model's `unique` rule gives for `hint` (else hint-2, hint-3…)
// that is not in `taken` either; taken then holds it too.
template<class Id>
Id freshModelId(const mesh::model::TopologyModel &model, Id (mesh::model::TopologyModel::*unique)(QStringView) const,
                const QString &hint, QSet<QString> &taken)
{
    Id id = (model.*unique)(hint);
    for (int n = 2; taken.contains(id.value); ++n)
        id = (model.*unique)(QString(hint + u'-' + QString::number(n)));
    taken.insert(id.value);
    return id;
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

mesh::model::ServiceId freshServiceId(const mesh::model::TopologyModel &model, const QString &hint,
                                      QSet<QString> &taken)
{
    return freshModelId(model, &mesh::model::TopologyModel::uniqueServiceId, hint, taken);
}

mesh::model::UpstreamId freshUpstreamId(const mesh::model::TopologyModel &model, const QString &hint,
                                        QSet<QString> &taken)
{
    return freshModelId(model, &mesh::model::TopologyModel::uniqueUpstreamId, hint, taken);
}

} // namespace meshpad::gui
