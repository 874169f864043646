#include "addupstreamcommand.h"

#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

AddUpstreamCommand::AddUpstreamCommand(mesh::model::TopologyModel &model, mesh::model::Upstream upstream,
                                       QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_upstream(std::move(upstream))
{
    const mesh::model::Service *from = model.service(m_upstream.downstream);
    const mesh::model::Service *to = model.service(m_upstream.destination);
    setText(QCoreApplication::translate("AddUpstreamCommand", "Connect %1 → %2")
                .arg(from ? from->name : m_upstream.downstream.value, to ? to->name : m_upstream.destination.value));
}

void AddUpstreamCommand::redo()
{
    const auto added = m_model.addUpstream(m_upstream);
    if (!added) {
        setObsolete(true);
        return;
    }
    m_upstream.id = *added;
}

void AddUpstreamCommand::undo()
{
    m_model.removeUpstream(m_upstream.id);
}

} // namespace meshpad::gui
