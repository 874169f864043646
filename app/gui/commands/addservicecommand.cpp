#include "addservicecommand.h"

#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

AddServiceCommand::AddServiceCommand(mesh::model::TopologyModel &model, mesh::model::Service service,
                                     QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_service(std::move(service))
{
    setText(QCoreApplication::translate("AddServiceCommand", "Add %1").arg(m_service.name));
}

void AddServiceCommand::redo()
{
    // The first redo fixes the id; replaying with it keeps later commands on
    // the stack (moves, arrows) pointing at the same service.
    m_service.id = m_model.addService(m_service);
}

void AddServiceCommand::undo()
{
    m_model.removeService(m_service.id);
}

} // namespace meshpad::gui
