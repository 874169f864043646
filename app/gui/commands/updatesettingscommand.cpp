#include "updatesettingscommand.h"

#include "commandid.h"
#include "model/topologymodel.h"

#include <QCoreApplication>

namespace meshpad::gui {

UpdateSettingsCommand::UpdateSettingsCommand(mesh::model::TopologyModel &model, QString nameAfter,
                                             mesh::model::MeshSettings after, QString field, QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_nameBefore(model.topology().name)
    , m_nameAfter(std::move(nameAfter))
    , m_before(model.topology().settings)
    , m_after(std::move(after))
    , m_field(std::move(field))
{
    setText(QCoreApplication::translate("UpdateSettingsCommand", "Edit mesh settings"));
}

int UpdateSettingsCommand::id() const
{
    return int(CommandId::UpdateSettings);
}

bool UpdateSettingsCommand::mergeWith(const QUndoCommand *other)
{
    const auto *update = static_cast<const UpdateSettingsCommand *>(other);
    if (m_field.isEmpty() || update->m_field != m_field)
        return false;
    m_nameAfter = update->m_nameAfter;
    m_after = update->m_after;
    setObsolete(m_after == m_before && m_nameAfter == m_nameBefore);
    return true;
}

void UpdateSettingsCommand::redo()
{
    if (m_before == m_after && m_nameBefore == m_nameAfter)
        setObsolete(true);
    if (!isObsolete())
        apply(m_nameAfter, m_after);
}

void UpdateSettingsCommand::undo()
{
    apply(m_nameBefore, m_before);
}

void UpdateSettingsCommand::apply(const QString &name, const mesh::model::MeshSettings &settings)
{
    if (m_model.topology().name != name)
        m_model.setName(name);
    if (!(m_model.topology().settings == settings))
        m_model.setSettings(settings);
}

} // namespace meshpad::gui
