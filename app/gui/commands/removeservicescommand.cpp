#include "removeservicescommand.h"

#include "model/topologymodel.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

namespace meshpad::gui {

using namespace mesh::model;

RemoveServicesCommand::RemoveServicesCommand(TopologyModel &model, const QList<ServiceId> &services,
                                             const QList<UpstreamId> &upstreams, QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
{
    const Topology &t = model.topology();
    QSet<ServiceId> gone;
    for (const ServiceId &id : services) {
        const qsizetype i = model.indexOfService(id);
        if (i >= 0 && !gone.contains(id)) {
            gone.insert(id);
            m_services.append({i, t.services[i]});
        }
    }
    QSet<UpstreamId> named(upstreams.cbegin(), upstreams.cend());
    for (qsizetype i = 0; i < t.upstreams.size(); ++i) {
        const Upstream &u = t.upstreams[i];
        if (named.contains(u.id) || gone.contains(u.downstream) || gone.contains(u.destination))
            m_upstreams.append({i, u});
    }
    std::sort(m_services.begin(), m_services.end(), [](const auto &a, const auto &b) { return a.index < b.index; });

    if (m_services.size() == 1 && m_upstreams.isEmpty())
        setText(QCoreApplication::translate("RemoveServicesCommand", "Delete %1").arg(m_services.first().value.name));
    else if (m_services.isEmpty() && m_upstreams.size() == 1)
        setText(QCoreApplication::translate("RemoveServicesCommand", "Delete arrow"));
    else
        setText(QCoreApplication::translate("RemoveServicesCommand", "Delete %n item(s)", nullptr,
                                            int(m_services.size() + m_upstreams.size())));
}

void RemoveServicesCommand::redo()
{
    // Arrows first, from the back, so the recorded indices stay true.
    for (auto it = m_upstreams.crbegin(); it != m_upstreams.crend(); ++it)
        m_model.removeUpstream(it->value.id);
    for (auto it = m_services.crbegin(); it != m_services.crend(); ++it)
        m_model.removeService(it->value.id);
}

void RemoveServicesCommand::undo()
{
    // Ascending order: each insert lands at its old index because every
    // earlier element is already back.
    for (const auto &s : std::as_const(m_services))
        m_model.addService(s.value, s.index);
    for (const auto &u : std::as_const(m_upstreams))
        (void)m_model.addUpstream(u.value, u.index);
}

} // namespace meshpad::gui
