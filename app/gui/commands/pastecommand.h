#pragma once

#include "model/topology.h"

#include <QList>
#include <QPointF>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Pastes a fragment (a Topology holding copied services and the arrows
// between them; see CanvasClipboard) as one step: every service gets a fresh
// id and a unique name, jobs a unique job name (services that shared a job
// share the new one), arrows are re-pointed at the copies (arrows leaving
// the fragment are dropped), and env references to a renamed destination
// (NOMAD_UPSTREAM_ADDR_<name>) follow. The fragment's top-left card corner
// lands at `topLeft`. Everything is decided at construction, so redo/undo
// replay exactly.
class PasteCommand final : public QUndoCommand
{
public:
    PasteCommand(mesh::model::TopologyModel &model, const mesh::model::Topology &fragment, QPointF topLeft,
                 QUndoCommand *parent = nullptr);

    // The new services and arrows, for selecting them after the paste.
    QList<mesh::model::ServiceId> serviceIds() const;
    QList<mesh::model::UpstreamId> upstreamIds() const;

    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    QList<mesh::model::Service> m_services;
    QList<mesh::model::Upstream> m_upstreams;
};

} // namespace meshpad::gui
