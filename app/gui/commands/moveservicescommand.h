#pragma once

#include "model/ids.h"

#include <QList>
#include <QPointF>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

struct ServiceMove
{
    mesh::model::ServiceId id;
    QPointF from;
    QPointF to;
};

// Moves services (card top-left positions). The canvas pushes one of these
// on every mouse move of a drag, so the model — and the arrows — follow the
// pointer; they merge into one undo step when they carry the same non-zero
// `gesture` (one per mouse press) and move the same set of services.
// Keyboard nudges pass kNudgeGesture: consecutive nudges of the same set
// merge too. A merge that ends where it started makes the command obsolete.
class MoveServicesCommand final : public QUndoCommand
{
public:
    static constexpr quint64 kNudgeGesture = 1;

    MoveServicesCommand(mesh::model::TopologyModel &model, QList<ServiceMove> moves, quint64 gesture = 0,
                        QUndoCommand *parent = nullptr);

    // A fresh gesture id for a new drag (never 0 or kNudgeGesture).
    static quint64 newGesture();

    const QList<ServiceMove> &moves() const { return m_moves; }

    int id() const override;
    bool mergeWith(const QUndoCommand *other) override;
    void redo() override;
    void undo() override;

private:
    mesh::model::TopologyModel &m_model;
    QList<ServiceMove> m_moves;
    quint64 m_gesture = 0;
};

} // namespace meshpad::gui
