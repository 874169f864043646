#pragma once

#include "model/topology.h"

#include <QString>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Replaces one service's values (the inspector). `after.id` names the
// service; the values before are read from the model when constructed.
// Consecutive commands on the same service with the same non-empty `field`
// ("name", "env", "count"…) merge into one undo step, so typing a name is
// one step, not one per key. An empty field never merges.
//
// Pushing a command whose `after` equals the model's value is harmless: it
// becomes obsolete and leaves the stack.
class UpdateServiceCommand final : public QUndoCommand
{
public:
    UpdateServiceCommand(mesh::model::TopologyModel &model, mesh::model::Service after, QString field = {},
                         QUndoCommand *parent = nullptr);

    int id() const override;
    bool mergeWith(const QUndoCommand *other) override;
    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    mesh::model::Service m_before;
    mesh::model::Service m_after;
    QString m_field;
};

} // namespace meshpad::gui
