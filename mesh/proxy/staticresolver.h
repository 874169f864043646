#pragma once

#include "proxy/resolver.h"

#include <QHash>

namespace mesh::proxy {

// Instances per destination held in memory (the CLI's -upstream, tests).
class StaticResolver final : public Resolver
{
public:
    void setInstances(const QString &service, const QList<Instance> &instances)
    {
        m_instances.insert(service, instances);
    }
    QList<Instance> resolve(const QString &service) const override { return m_instances.value(service); }

private:
    QHash<QString, QList<Instance>> m_instances;
};

} // namespace mesh::proxy
