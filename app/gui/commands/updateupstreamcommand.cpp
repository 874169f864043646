#include "updateupstreamcommand.h"

#include "commandid.h"
#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

UpdateUpstreamCommand::UpdateUpstreamCommand(mesh::model::TopologyModel &model, mesh::model::Upstream after,
                                             QString field, QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_after(std::move(after))
    , m_field(std::move(field))
{
    if (const mesh::model::Upstream *before = model.upstream(m_after.id))
        m_before = *before;
    else
        setObsolete(true);
    if (m_before.destination != m_after.destination)
        setText(QCoreApplication::translate("UpdateUpstreamCommand", "Retarget arrow"));
    else
        setText(QCoreApplication::translate("UpdateUpstreamCommand", "Edit arrow"));
}

int UpdateUpstreamCommand::id() const
{
    return int(CommandId::UpdateUpstream);
}

bool UpdateUpstreamCommand::mergeWith(const QUndoCommand *other)
{
    const auto *update = static_cast<const UpdateUpstreamCommand *>(other);
    if (m_field.isEmpty() || update->m_field != m_field || update->m_after.id != m_after.id)
        return false;
    m_after = update->m_after;
    setObsolete(m_after == m_before);
    return true;
}

void UpdateUpstreamCommand::redo()
{
    if (m_before == m_after)
        setObsolete(true);
    if (!isObsolete())
        m_model.updateUpstream(m_after);
}

void UpdateUpstreamCommand::undo()
{
    m_model.updateUpstream(m_before);
}

} // namespace meshpad::gui
