#include "artifactgenerator.h"

#include "consulgenerator.h"
#include "hashiboxgenerator.h"
#include "nomadjobgenerator.h"
#include "readmegenerator.h"
#include "scriptgenerator.h"

namespace mesh::generate {

ArtifactSet ArtifactGenerator::generate(const model::Topology &topology)
{
    ArtifactSet set;
    ConsulGenerator::addArtifacts(topology, set);
    NomadJobGenerator::addArtifacts(topology, set);
    ScriptGenerator::addArtifacts(topology, set);
    HashiboxGenerator::addArtifacts(topology, set);
    // Last: the README describes every path already in the set.
    ReadmeGenerator::addArtifacts(topology, set);
    return set;
}

} // namespace mesh::generate
