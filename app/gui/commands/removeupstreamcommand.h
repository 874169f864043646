#pragma once

#include "model/topology.h"

#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Removes one arrow; undo() puts it back at its old index.
class RemoveUpstreamCommand final : public QUndoCommand
{
public:
    RemoveUpstreamCommand(mesh::model::TopologyModel &model, const mesh::model::UpstreamId &id,
                          QUndoCommand *parent = nullptr);

    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    mesh::model::Upstream m_upstream;
    qsizetype m_index = -1;
};

} // namespace meshpad::gui
