#pragma once

#include "artifactset.h"
#include "model/topology.h"

namespace mesh::generate {

// Every file a design means, in one call: the Consul registrations and
// intentions, the Nomad jobs (HCL and JSON), the manual-path scripts, the
// Hashibox and a README describing them all. Reads only the model; works
// on any design, valid or not (the editor regenerates while the user types;
// problems are the Validator's business).
class ArtifactGenerator final
{
public:
    static ArtifactSet generate(const model::Topology &topology);
};

} // namespace mesh::generate
