#include "artifactjob.h"

#include "generate/artifactgenerator.h"

namespace meshpad::gui {

ArtifactJob::ArtifactJob(quint64 serial, mesh::model::Topology topology, Deliver deliver)
    : m_serial(serial)
    , m_topology(std::move(topology))
    , m_deliver(std::move(deliver))
{
    setAutoDelete(true);
}

ArtifactJob::~ArtifactJob() = default;

void ArtifactJob::run()
{
    m_deliver(m_serial, mesh::generate::ArtifactGenerator::generate(m_topology));
}

} // namespace meshpad::gui
