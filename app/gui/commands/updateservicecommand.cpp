#include "updateservicecommand.h"

#include "commandid.h"
#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

UpdateServiceCommand::UpdateServiceCommand(mesh::model::TopologyModel &model, mesh::model::Service after, QString field,
                                           QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_after(std::move(after))
    , m_field(std::move(field))
{
    if (const mesh::model::Service *before = model.service(m_after.id))
        m_before = *before;
    else
        setObsolete(true);
    setText(m_field.isEmpty()
                ? QCoreApplication::translate("UpdateServiceCommand", "Edit %1").arg(m_after.name)
                : QCoreApplication::translate("UpdateServiceCommand", "Edit %1 of %2").arg(m_field, m_after.name));
}

int UpdateServiceCommand::id() const
{
    return int(CommandId::UpdateService);
}

bool UpdateServiceCommand::mergeWith(const QUndoCommand *other)
{
    const auto *update = static_cast<const UpdateServiceCommand *>(other);
    if (m_field.isEmpty() || update->m_field != m_field || update->m_after.id != m_after.id)
        return false;
    m_after = update->m_after;
    setObsolete(m_after == m_before);
    return true;
}

void UpdateServiceCommand::redo()
{
    // A no-op edit (the inspector re-committing an unchanged field) must not
    // leave an empty step on the stack.
    if (m_before == m_after)
        setObsolete(true);
    if (!isObsolete())
        m_model.updateService(m_after);
}

void UpdateServiceCommand::undo()
{
    m_model.updateService(m_before);
}

} // namespace meshpad::gui
