#pragma once

#include "pki/spiffeid.h"

#include <QList>
#include <QString>

namespace mesh::proxy {

// One healthy, mesh-capable instance of a destination: where to dial and who
// must answer (hashicorp/consul: connect/resolver.go: the expected SPIFFE ID is built from the trust
// domain, the instance's datacenter and the destination service).
struct Instance final
{
    QString address; // an IP address literal
    quint16 port = 0;
    pki::SpiffeId identity;

    friend bool operator==(const Instance &, const Instance &) = default;
};

// Where the upstream listener finds instances: the lab's catalog, later
// /v1/health/connect/<dest>?passing=1. Called once per accepted connection.
// Contract: answers synchronously from local state; must not block; returns
// only healthy instances (empty: none).
class Resolver
{
public:
    virtual ~Resolver() = default;
    virtual QList<Instance> resolve(const QString &service) const = 0;
};

} // namespace mesh::proxy
