#pragma once

#include "model/topology.h"
#include "model/topologyindex.h"

#include <QString>

namespace mesh::generate {

class ArtifactSet;

// README.md for a generated set: what every file in it is and how to use it
// — consul services register, the curl PUTs, consul config write for the
// intentions, nomad job run, the scripts, vagrant up, finding the dashboard
// with the seed's jq recipe — and how to take each back down.
// Call it last: it describes every path already in `set`, in set order;
// paths it does not know get a line too.
class ReadmeGenerator final
{
public:
    static void addArtifacts(const model::TopologyIndex &design, ArtifactSet &set);
    static QString readme(const model::TopologyIndex &design, const ArtifactSet &set);
};

} // namespace mesh::generate
