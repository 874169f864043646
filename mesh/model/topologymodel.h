#pragma once

#include "core/result.h"
#include "topology.h"

#include <QObject>

namespace mesh::model {

// The one editable owner of a design. Views (the canvas, the inspector) and
// undo commands go through its methods; it emits a fine-grained signal for
// every change so views update just what changed.
//
// Signals are past-tense facts about ids. Removing a service first removes
// its arrows (each with upstreamAboutToBeRemoved/upstreamRemoved), then
// emits serviceAboutToBeRemoved while the service still exists, then
// serviceRemoved. Every successful change also emits changed() once, last.
// Methods that would change nothing emit nothing.
class TopologyModel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopologyModel)

public:
    explicit TopologyModel(QObject *parent = nullptr);
    ~TopologyModel() override;

    const Topology &topology() const { return m_topology; }
    const Service *service(const ServiceId &id) const { return m_topology.service(id); }
    const Upstream *upstream(const UpstreamId &id) const { return m_topology.upstream(id); }

    // Replaces the whole design (New, Open, Revert): emits modelReset().
    void setTopology(Topology topology);

    // Adds `service`; an empty or taken id is replaced by a fresh one.
    // `index` < 0 appends (undo of a removal passes the old index back).
    ServiceId addService(Service service, qsizetype index = -1);
    // Replaces the service with `service.id`; false if there is none.
    bool updateService(const Service &service);
    bool moveService(const ServiceId &id, QPointF position);
    // Removes the service and every arrow to or from it.
    bool removeService(const ServiceId &id);

    // Refuses an arrow whose ends do not exist or that points at its own start.
    Result<UpstreamId> addUpstream(Upstream upstream, qsizetype index = -1);
    bool updateUpstream(const Upstream &upstream);
    bool removeUpstream(const UpstreamId &id);

    void setName(const QString &name);
    void setSettings(const MeshSettings &settings);

    qsizetype indexOfService(const ServiceId &id) const;
    qsizetype indexOfUpstream(const UpstreamId &id) const;

    // Fresh ids derived from a hint ("count-api", "count-api-2", …).
    ServiceId uniqueServiceId(QStringView hint) const;
    UpstreamId uniqueUpstreamId(QStringView hint) const;

Q_SIGNALS:
    void modelReset();
    void serviceAdded(const mesh::model::ServiceId &id);
    void serviceChanged(const mesh::model::ServiceId &id);
    void serviceMoved(const mesh::model::ServiceId &id, QPointF position);
    void serviceAboutToBeRemoved(const mesh::model::ServiceId &id);
    void serviceRemoved(const mesh::model::ServiceId &id);
    void upstreamAdded(const mesh::model::UpstreamId &id);
    void upstreamChanged(const mesh::model::UpstreamId &id);
    void upstreamAboutToBeRemoved(const mesh::model::UpstreamId &id);
    void upstreamRemoved(const mesh::model::UpstreamId &id);
    void nameChanged(const QString &name);
    void settingsChanged();
    // After any of the above: for views that just regenerate everything
    // (artifacts, problems) and debounce.
    void changed();

private:
    Topology m_topology;
};

} // namespace mesh::model
