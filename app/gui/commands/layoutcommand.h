#pragma once

#include "model/ids.h"

#include <QHash>
#include <QPointF>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Sets the positions of many services as one undo step (auto-layout).
// Positions before are read from the model at construction; services whose
// position does not change are left out. Never merges.
class LayoutCommand final : public QUndoCommand
{
public:
    LayoutCommand(mesh::model::TopologyModel &model, const QHash<mesh::model::ServiceId, QPointF> &positions,
                  QUndoCommand *parent = nullptr);

    bool isEmpty() const { return m_after.isEmpty(); }

    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    QHash<mesh::model::ServiceId, QPointF> m_before;
    QHash<mesh::model::ServiceId, QPointF> m_after;
};

} // namespace meshpad::gui
