#pragma once

#include "model/topology.h"

#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Adds one service (the palette drop). The model picks a fresh id on the
// first redo() if `service.id` is empty or taken; later redos reuse it, so
// commands above this one on the stack that name the id stay valid.
// The caller makes the name unique (uniqueServiceName) before pushing.
class AddServiceCommand final : public QUndoCommand
{
public:
    AddServiceCommand(mesh::model::TopologyModel &model, mesh::model::Service service, QUndoCommand *parent = nullptr);

    // Valid after the first redo() (QUndoStack::push runs it).
    mesh::model::ServiceId serviceId() const { return m_service.id; }

    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    mesh::model::Service m_service;
};

} // namespace meshpad::gui
