#pragma once

#include "generate/artifactset.h"
#include "model/topology.h"

#include <QRunnable>

#include <functional>

namespace meshpad::gui {

// Generates the artifacts of one snapshot of a design on a pool thread.
// `deliver` runs on that pool thread with the result; the owner makes it
// post to its own thread (and keeps the pool alive until jobs finish).
// The Topology is a copy: the GUI may keep editing while this runs.
class ArtifactJob final : public QRunnable
{
public:
    using Deliver = std::function<void(quint64 serial, mesh::generate::ArtifactSet artifacts)>;

    ArtifactJob(quint64 serial, mesh::model::Topology topology, Deliver deliver);
    ~ArtifactJob() override;
    Q_DISABLE_COPY_MOVE(ArtifactJob)

    void run() override;

private:
    quint64 m_serial;
    mesh::model::Topology m_topology;
    Deliver m_deliver;
};

} // namespace meshpad::gui
