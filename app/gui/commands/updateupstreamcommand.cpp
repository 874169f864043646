#include "updateupstreamcommand.h"

#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

UpdateUpstreamCommand::UpdateUpstreamCommand(mesh::model::TopologyModel &model, mesh::model::Upstream after,
                                             QString field, QUndoCommand *parent)
    : UpdateValueCommand(model, std::move(after), std::move(field), parent)
{
    setValueBefore(model.upstream(valueAfter().id));
    if (valueBefore().destination != valueAfter().destination)
        setText(QCoreApplication::translate("UpdateUpstreamCommand", "Retarget arrow"));
    else
        setText(QCoreApplication::translate("UpdateUpstreamCommand", "Edit arrow"));
}

void UpdateUpstreamCommand::apply(const mesh::model::Upstream &upstream)
{
    model().updateUpstream(upstream);
}

} // namespace meshpad::gui
