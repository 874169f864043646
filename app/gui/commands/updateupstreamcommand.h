#pragma once

#include "model/topology.h"

#include <QString>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Replaces one arrow's values: retarget (destination), local bind port and
// address, allow/deny. As UpdateServiceCommand: the values before come from
// the model; consecutive commands on the same arrow with the same non-empty
// `field` ("localBindPort", …) merge; a no-op becomes obsolete.
class UpdateUpstreamCommand final : public QUndoCommand
{
public:
    UpdateUpstreamCommand(mesh::model::TopologyModel &model, mesh::model::Upstream after, QString field = {},
                          QUndoCommand *parent = nullptr);

    int id() const override;
    bool mergeWith(const QUndoCommand *other) override;
    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    mesh::model::Upstream m_before;
    mesh::model::Upstream m_after;
    QString m_field;
};

} // namespace meshpad::gui
