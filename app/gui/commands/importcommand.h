#pragma once

#include "model/topology.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Puts an imported design (mesh::importer::JobImporter's, already laid out
// where its cards should land) into the open one as one undo step.
//
// Replace: the design becomes `imported` — services, arrows, name and
// settings; undo brings back the design as it was (an empty canvas, or the
// example shown at the first start).
//
// Merge: a service whose name the design already has is updated in place
// with the imported values (its id and position kept, so the arrows and
// the picture stay) — unless the import only knows it as an external
// destination, which leaves the design's as it is; the others are added
// with fresh ids at their imported positions. An arrow is added unless the design already has one from the
// same downstream to the same destination. The design's name and settings
// stay. notes() says what was updated or kept, for the import report.
//
// Everything is decided at construction, so redo/undo/redo replays the
// same ids and values (and commands pushed later can name them).
class ImportCommand final : public QUndoCommand
{
    Q_DECLARE_TR_FUNCTIONS(ImportCommand)

public:
    enum class Mode { Replace, Merge };

    ImportCommand(mesh::model::TopologyModel &model, const mesh::model::Topology &imported, Mode mode,
                  QUndoCommand *parent = nullptr);

    Mode mode() const { return m_mode; }
    // The imported services as the design names them once redone (for a
    // merge, an updated service's existing id), in the import's order.
    QList<mesh::model::ServiceId> serviceIds() const { return m_serviceIds; }
    // Services added and updated in place, arrows added (a Replace adds all).
    int addedServices() const;
    int updatedServices() const { return int(m_updated.size()); }
    int addedUpstreams() const;
    // What a merge did with what the design had already, one line each
    // ("count-api was in the design already: updated in place, position
    // kept"); empty for a Replace.
    QStringList notes() const { return m_notes; }

    void redo() override;
    void undo() override;

private:
    struct Update
    {
        mesh::model::Service before;
        mesh::model::Service after;
    };

    void prepareMerge(const mesh::model::Topology &imported);

    mesh::model::TopologyModel &m_model;
    Mode m_mode;
    // Replace
    mesh::model::Topology m_before;
    mesh::model::Topology m_after;
    // Merge
    QList<Update> m_updated;
    QList<mesh::model::Service> m_added;
    QList<mesh::model::Upstream> m_upstreams;

    QList<mesh::model::ServiceId> m_serviceIds;
    QStringList m_notes;
};

} // namespace meshpad::gui
