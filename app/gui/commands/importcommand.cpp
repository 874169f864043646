#include "importcommand.h"

#include "model/topologymodel.h"
#include "uniquenames.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

namespace meshpad::gui {

using namespace mesh::model;

ImportCommand::ImportCommand(TopologyModel &model, const Topology &imported, Mode mode, QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
    , m_mode(mode)
{
    if (mode == Mode::Replace) {
        m_before = model.topology();
        m_after = imported;
        for (const Service &s : imported.services)
            m_serviceIds.append(s.id);
    } else {
        prepareMerge(imported);
    }
    setText(tr("Import %n service(s)", nullptr, int(imported.services.size())));
}

void ImportCommand::prepareMerge(const Topology &imported)
{
    const Topology &design = m_model.topology();

    // The imported ids are the importer's own; a service the design has by
    // name takes the design's id, the others a fresh one.
    QHash<ServiceId, ServiceId> newId;
    QSet<QString> idsTaken;
    for (const Service &original : imported.services) {
        if (const Service *existing = design.serviceByName(original.name)) {
            newId.insert(original.id, existing->id);
            m_serviceIds.append(existing->id);
            // An external service stands for one no imported job runs: the
            // design's own (perhaps with its job) is the better one.
            if (original.external) {
                if (!existing->external)
                    m_notes.append(
                        tr("%1, which the imported jobs call, was in the design already: kept").arg(original.name));
                continue;
            }
            Service after = original;
            after.id = existing->id;
            after.position = existing->position;
            if (after == *existing) {
                m_notes.append(tr("%1 was in the design already and is unchanged").arg(original.name));
            } else {
                m_updated.append({*existing, after});
                m_notes.append(tr("%1 was in the design already: updated in place, position kept").arg(original.name));
            }
            continue;
        }
        Service s = original;
        s.id = freshServiceId(m_model, s.name, idsTaken);
        newId.insert(original.id, s.id);
        m_serviceIds.append(s.id);
        m_added.append(s);
    }

    // One arrow per downstream → destination pair: the design's own wins.
    QSet<std::pair<QString, QString>> pairs;
    for (const Upstream &u : design.upstreams)
        pairs.insert({u.downstream.value, u.destination.value});
    QSet<QString> upstreamIdsTaken;
    for (const Upstream &original : imported.upstreams) {
        if (!newId.contains(original.downstream) || !newId.contains(original.destination))
            continue;
        Upstream u = original;
        u.downstream = newId.value(original.downstream);
        u.destination = newId.value(original.destination);
        if (pairs.contains({u.downstream.value, u.destination.value})) {
            const Service *from = imported.service(original.downstream);
            const Service *to = imported.service(original.destination);
            m_notes.append(tr("The arrow %1 → %2 was in the design already and is kept as it was")
                               .arg(from ? from->name : u.downstream.value, to ? to->name : u.destination.value));
            continue;
        }
        pairs.insert({u.downstream.value, u.destination.value});
        u.id = freshUpstreamId(m_model, u.downstream.value + u"-to-" + u.destination.value, upstreamIdsTaken);
        m_upstreams.append(u);
    }
}

int ImportCommand::addedServices() const
{
    return int(m_mode == Mode::Replace ? m_after.services.size() : m_added.size());
}

int ImportCommand::addedUpstreams() const
{
    return int(m_mode == Mode::Replace ? m_after.upstreams.size() : m_upstreams.size());
}

void ImportCommand::redo()
{
    if (m_mode == Mode::Replace) {
        m_model.setTopology(m_after);
        return;
    }
    for (const Update &update : std::as_const(m_updated))
        m_model.updateService(update.after);
    for (const Service &s : std::as_const(m_added))
        m_model.addService(s);
    for (const Upstream &u : std::as_const(m_upstreams))
        (void)m_model.addUpstream(u);
}

void ImportCommand::undo()
{
    if (m_mode == Mode::Replace) {
        m_model.setTopology(m_before);
        return;
    }
    for (auto it = m_upstreams.crbegin(); it != m_upstreams.crend(); ++it)
        m_model.removeUpstream(it->id);
    for (auto it = m_added.crbegin(); it != m_added.crend(); ++it)
        m_model.removeService(it->id);
    for (auto it = m_updated.crbegin(); it != m_updated.crend(); ++it)
        m_model.updateService(it->before);
}

} // namespace meshpad::gui
