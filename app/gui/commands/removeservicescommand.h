#pragma once

#include "model/topology.h"

#include <QList>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Removes services with every arrow to or from them, plus any other arrows
// named — the Delete key on a selection, as one step. Captures what it
// removes (values and list indices) when constructed; undo() puts every
// service and arrow back at its old index, so the project file is
// byte-identical after undo.
class RemoveServicesCommand final : public QUndoCommand
{
public:
    RemoveServicesCommand(mesh::model::TopologyModel &model, const QList<mesh::model::ServiceId> &services,
                          const QList<mesh::model::UpstreamId> &upstreams = {}, QUndoCommand *parent = nullptr);

    // False when nothing named exists: don't push it.
    bool isEmpty() const { return m_services.isEmpty() && m_upstreams.isEmpty(); }

    void redo() override;
    void undo() override;

private:
    template<class T>
    struct Indexed
    {
        qsizetype index;
        T value;
    };

    mesh::model::TopologyModel &m_model;
    QList<Indexed<mesh::model::Service>> m_services;   // ascending index
    QList<Indexed<mesh::model::Upstream>> m_upstreams; // ascending index
};

} // namespace meshpad::gui
