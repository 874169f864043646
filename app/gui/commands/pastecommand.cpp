#include "pastecommand.h"

#include "model/topologymodel.h"
#include "uniquenames.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

#include <limits>

namespace meshpad::gui {

using namespace mesh::model;

PasteCommand::PasteCommand(TopologyModel &model, const Topology &fragment, QPointF topLeft, QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_model(model)
{
    const Topology &design = model.topology();

    QPointF origin(std::numeric_limits<qreal>::max(), std::numeric_limits<qreal>::max());
    for (const Service &s : fragment.services)
        origin = QPointF(qMin(origin.x(), s.position.x()), qMin(origin.y(), s.position.y()));
    const QPointF offset = fragment.services.isEmpty() ? QPointF() : topLeft - origin;

    // Fresh ids and names, decided now so redo/undo/redo replays the same
    // values (and commands pushed later can name them).
    QHash<ServiceId, ServiceId> newId;
    QHash<QString, QString> newName; // old service name → new
    QHash<QString, QString> newJob;
    QSet<QString> namesTaken;
    QSet<QString> jobsTaken;
    QSet<QString> idsTaken;
    for (const Service &original : fragment.services) {
        Service s = original;
        s.name = uniqueServiceName(design, original.name, namesTaken);
        namesTaken.insert(s.name);
        if (!newJob.contains(original.job)) {
            const QString job = uniqueJobName(design, original.job, jobsTaken);
            jobsTaken.insert(job);
            newJob.insert(original.job, job);
        }
        s.job = newJob.value(original.job);
        const ServiceId id = freshServiceId(model, s.name, idsTaken);
        newId.insert(original.id, id);
        newName.insert(original.name, s.name);
        s.id = id;
        s.position = original.position + offset;
        m_services.append(s);
    }

    QSet<QString> upstreamIdsTaken;
    for (const Upstream &original : fragment.upstreams) {
        if (!newId.contains(original.downstream) || !newId.contains(original.destination))
            continue;
        Upstream u = original;
        u.downstream = newId.value(original.downstream);
        u.destination = newId.value(original.destination);
        u.id = freshUpstreamId(model, u.downstream.value + u"-to-" + u.destination.value, upstreamIdsTaken);
        m_upstreams.append(u);
    }

    // The dashboard finds its upstream through NOMAD_UPSTREAM_ADDR_<name>;
    // a copied pair keeps working only if that reference follows the rename.
    for (Service &s : m_services) {
        for (KeyValue &kv : s.env) {
            for (auto it = newName.cbegin(); it != newName.cend(); ++it) {
                if (it.key() == it.value())
                    continue;
                const QString from = u"NOMAD_UPSTREAM_ADDR_" + cleanEnvVarName(it.key());
                const QString to = u"NOMAD_UPSTREAM_ADDR_" + cleanEnvVarName(it.value());
                // Only whole variable names: `_count_api` must not match `_count_api_2`.
                qsizetype at = 0;
                while ((at = kv.value.indexOf(from, at)) >= 0) {
                    const qsizetype end = at + from.size();
                    const bool whole
                        = end >= kv.value.size() || !(kv.value[end].isLetterOrNumber() || kv.value[end] == u'_');
                    if (whole) {
                        kv.value.replace(at, from.size(), to);
                        at += to.size();
                    } else {
                        at = end;
                    }
                }
            }
        }
    }

    setText(QCoreApplication::translate("PasteCommand", "Paste %n service(s)", nullptr, int(m_services.size())));
}

QList<ServiceId> PasteCommand::serviceIds() const
{
    QList<ServiceId> ids;
    for (const Service &s : m_services)
        ids.append(s.id);
    return ids;
}

QList<UpstreamId> PasteCommand::upstreamIds() const
{
    QList<UpstreamId> ids;
    for (const Upstream &u : m_upstreams)
        ids.append(u.id);
    return ids;
}

void PasteCommand::redo()
{
    for (const Service &s : std::as_const(m_services))
        m_model.addService(s);
    for (const Upstream &u : std::as_const(m_upstreams))
        (void)m_model.addUpstream(u);
}

void PasteCommand::undo()
{
    for (auto it = m_services.crbegin(); it != m_services.crend(); ++it)
        m_model.removeService(it->id);
}

} // namespace meshpad::gui
