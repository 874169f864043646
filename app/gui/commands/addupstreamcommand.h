#pragma once

#include "model/topology.h"

#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Adds one arrow. If the model refuses it (an end missing, or an arrow to
// itself) redo() does nothing and the command makes itself obsolete, so
// QUndoStack::push drops it. The id is fixed by the first redo().
class AddUpstreamCommand final : public QUndoCommand
{
public:
    AddUpstreamCommand(mesh::model::TopologyModel &model, mesh::model::Upstream upstream,
                       QUndoCommand *parent = nullptr);

    mesh::model::UpstreamId upstreamId() const { return m_upstream.id; }

    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    mesh::model::Upstream m_upstream;
};

} // namespace meshpad::gui
