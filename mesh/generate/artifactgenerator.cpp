#include "artifactgenerator.h"

#include "consulgenerator.h"
#include "hashiboxgenerator.h"
#include "nomadjobgenerator.h"
#include "readmegenerator.h"
#include "scriptgenerator.h"

namespace mesh::generate {

ArtifactSet ArtifactGenerator::generate(const model::Topology &topology)
{
    // One index for the whole run: every generator looks services and
    // arrows up in it, so generation stays linear in the design's size.
    const model::TopologyIndex design(topology);
    ArtifactSet set;
    ConsulGenerator::addArtifacts(design, set);
    NomadJobGenerator::addArtifacts(design, set);
    ScriptGenerator::addArtifacts(design, set);
    HashiboxGenerator::addArtifacts(topology, set);
    // Last: the README describes every path already in the set.
    ReadmeGenerator::addArtifacts(design, set);
    return set;
}

} // namespace mesh::generate
