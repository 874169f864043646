#include "updateservicecommand.h"

#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

UpdateServiceCommand::UpdateServiceCommand(mesh::model::TopologyModel &model, mesh::model::Service after, QString field,
                                           QUndoCommand *parent)
    : UpdateValueCommand(model, std::move(after), std::move(field), parent)
{
    setValueBefore(model.service(valueAfter().id));
    const QString &name = valueAfter().name;
    setText(mergeField().isEmpty()
                ? QCoreApplication::translate("UpdateServiceCommand", "Edit %1").arg(name)
                : QCoreApplication::translate("UpdateServiceCommand", "Edit %1 of %2").arg(mergeField(), name));
}

void UpdateServiceCommand::apply(const mesh::model::Service &service)
{
    model().updateService(service);
}

} // namespace meshpad::gui
