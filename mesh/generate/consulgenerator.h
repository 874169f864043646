#pragma once

#include "model/topology.h"
#include "model/topologyindex.h"

#include <QString>
#include <QStringList>

namespace mesh::generate {

class ArtifactSet;

// The Consul side of a design, for running it without Nomad (the seed post's
// manual path) and for setting intentions. Per service, in topology order:
//
//   consul/<stem>.json   body of `PUT /v1/agent/service/register` (CamelCase)
//   consul/<stem>.hcl    the same service as an agent service definition
//                        (snake_case) for `consul services register`
//
// and per service that needs one (see intentionsJson()):
//
//   consul/intentions/<stem>.json   a `service-intentions` config entry for
//                                   `consul config write` / `PUT /v1/config`
//
// <stem> is the service name made safe for a file name (fileStems()).
// Output is byte-for-byte deterministic. Invalid designs (empty or duplicate
// names, arrows to missing services, no port) still generate: the
// Validator reports them; nothing here crashes or asserts on them.
class ConsulGenerator final
{
public:
    static void addArtifacts(const model::TopologyIndex &design, ArtifactSet &out);

    // A file name stem per service (parallel to topology.services): the name
    // with everything but [A-Za-z0-9._-] replaced by '_', "service" when
    // empty, and "-2", "-3"… appended where two services would share one.
    static QStringList fileStems(const model::Topology &topology);

    // The registration body. Name, Port (the application's port:
    // servicePortNumber()), Tags, Meta, Check, Connect.SidecarService with
    // its upstreams; empty fields are left out.
    static QString registrationJson(const model::TopologyIndex &design, const model::Service &service);
    // The same registration as a service definition file (agent config
    // format: `service { name = … connect { sidecar_service { … } } }`).
    static QString serviceDefinitionHcl(const model::TopologyIndex &design, const model::Service &service);

    // Whether `destination` gets an intentions entry: it is the destination
    // of an arrow, or the mesh's default policy is deny.
    static bool needsIntentions(const model::TopologyIndex &design, const model::Service &destination);
    // The `service-intentions` entry for `destination`: one source per
    // arrow into it (allow/deny), then, under default deny, `*` → deny.
    static QString intentionsJson(const model::TopologyIndex &design, const model::Service &destination);

    // The ID the agent gives a registration without one: its Name. Scripts
    // deregister and run `-sidecar-for` with it.
    static QString serviceId(const model::Service &service) { return service.name; }

    // Consul check durations as Go duration strings: 10000 -> "10s",
    // 1500 -> "1500ms". Empty for <= 0.
    static QString goDuration(int milliseconds);
};

} // namespace mesh::generate
