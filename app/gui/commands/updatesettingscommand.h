#pragma once

#include "model/topology.h"

#include <QString>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Replaces the design's name and mesh-wide settings (datacenter, default
// intention, lab settings). The values before come from the model;
// consecutive commands with the same non-empty `field` merge, so typing a
// datacenter is one undo step; a no-op becomes obsolete.
class UpdateSettingsCommand final : public QUndoCommand
{
public:
    UpdateSettingsCommand(mesh::model::TopologyModel &model, QString nameAfter, mesh::model::MeshSettings after,
                          QString field = {}, QUndoCommand *parent = nullptr);

    int id() const override;
    bool mergeWith(const QUndoCommand *other) override;
    void redo() override;
    void undo() override;

private:
    void apply(const QString &name, const mesh::model::MeshSettings &settings);

    mesh::model::TopologyModel &m_model;
    QString m_nameBefore;
    QString m_nameAfter;
    mesh::model::MeshSettings m_before;
    mesh::model::MeshSettings m_after;
    QString m_field;
};

} // namespace meshpad::gui
