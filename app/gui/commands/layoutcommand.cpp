#include "layoutcommand.h"

#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

LayoutCommand::LayoutCommand(mesh::model::TopologyModel &model, const QHash<mesh::model::ServiceId, QPointF> &positions,
                             QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
{
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
        const mesh::model::Service *s = model.service(it.key());
        if (s && s->position != it.value()) {
            m_before.insert(it.key(), s->position);
            m_after.insert(it.key(), it.value());
        }
    }
    setText(QCoreApplication::translate("LayoutCommand", "Auto-layout"));
}

void LayoutCommand::redo()
{
    for (auto it = m_after.cbegin(); it != m_after.cend(); ++it)
        m_model.moveService(it.key(), it.value());
}

void LayoutCommand::undo()
{
    for (auto it = m_before.cbegin(); it != m_before.cend(); ++it)
        m_model.moveService(it.key(), it.value());
}

} // namespace meshpad::gui
