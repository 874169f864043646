#include "artifactgenerator.h"

#include "consulgenerator.h"
#include "nomadjobgenerator.h"

namespace mesh::generate {

ArtifactSet ArtifactGenerator::generate(const model::Topology &topology)
{
    ArtifactSet set;
    ConsulGenerator::addArtifacts(topology, set);
    NomadJobGenerator::addArtifacts(topology, set);
    return set;
}

} // namespace mesh::generate
