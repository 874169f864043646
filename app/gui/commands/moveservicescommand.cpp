#include "moveservicescommand.h"

#include "commandid.h"
#include "model/topologymodel.h"

#include <QCoreApplication>

#include <atomic>

namespace meshpad::gui {

MoveServicesCommand::MoveServicesCommand(mesh::model::TopologyModel &model, QList<ServiceMove> moves, quint64 gesture,
                                         QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_moves(std::move(moves))
    , m_gesture(gesture)
{
    setText(m_moves.size() == 1 ? QCoreApplication::translate("MoveServicesCommand", "Move service")
                                : QCoreApplication::translate("MoveServicesCommand", "Move %n service(s)", nullptr,
                                                              int(m_moves.size())));
}

quint64 MoveServicesCommand::newGesture()
{
    static std::atomic<quint64> next{kNudgeGesture + 1};
    return next++;
}

int MoveServicesCommand::id() const
{
    return int(CommandId::MoveServices);
}

bool MoveServicesCommand::mergeWith(const QUndoCommand *other)
{
    const auto *move = static_cast<const MoveServicesCommand *>(other);
    if (m_gesture == 0 || move->m_gesture != m_gesture || move->m_moves.size() != m_moves.size())
        return false;
    for (qsizetype i = 0; i < m_moves.size(); ++i) {
        if (m_moves[i].id != move->m_moves[i].id)
            return false;
    }
    bool unchanged = true;
    for (qsizetype i = 0; i < m_moves.size(); ++i) {
        m_moves[i].to = move->m_moves[i].to;
        unchanged = unchanged && m_moves[i].to == m_moves[i].from;
    }
    // A drag back to where it started leaves nothing to undo.
    setObsolete(unchanged);
    return true;
}

void MoveServicesCommand::redo()
{
    for (const ServiceMove &m : std::as_const(m_moves))
        m_model.moveService(m.id, m.to);
}

void MoveServicesCommand::undo()
{
    for (const ServiceMove &m : std::as_const(m_moves))
        m_model.moveService(m.id, m.from);
}

} // namespace meshpad::gui
