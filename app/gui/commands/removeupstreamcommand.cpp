#include "removeupstreamcommand.h"

#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

RemoveUpstreamCommand::RemoveUpstreamCommand(mesh::model::TopologyModel &model, const mesh::model::UpstreamId &id,
                                             QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_index(model.indexOfUpstream(id))
{
    if (const mesh::model::Upstream *u = model.upstream(id))
        m_upstream = *u;
    else
        setObsolete(true);
    setText(QCoreApplication::translate("RemoveUpstreamCommand", "Delete arrow"));
}

void RemoveUpstreamCommand::redo()
{
    m_model.removeUpstream(m_upstream.id);
}

void RemoveUpstreamCommand::undo()
{
    (void)m_model.addUpstream(m_upstream, m_index);
}

} // namespace meshpad::gui
