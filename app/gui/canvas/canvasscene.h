#pragma once

#include "livestate.h"
#include "model/problem.h"
#include "model/topology.h"

#include <QGraphicsScene>
#include <QHash>
#include <QList>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

class ServiceItem;
class UpstreamItem;

// Per-service problem counts for a card's badge.
struct ProblemCount
{
    int errors = 0;
    int warnings = 0;
};

// The scene mirrors a TopologyModel: one ServiceItem per service, one
// UpstreamItem per arrow, kept in step through the model's signals. Items
// hold only ids and read everything else from the model when they paint,
// so there is one truth. The scene never changes the model: edits are
// undo commands pushed by CanvasView.
//
// Besides the model, the scene keeps view state only: problem counts
// (setProblems), what a running lab reports (setLiveState), the
// connection-drag highlight and the export flag.
// What the Deploy… dialog reports for one card while it watches a deploy on
// a cluster (not the lab's Run): "2/3 healthy", coloured by state.
struct DeployBadge
{
    enum class State { Pending, Progressing, Healthy, Failed, Stopped };
    State state = State::Pending;
    QString text;
};

class CanvasScene final : public QGraphicsScene
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CanvasScene)

public:
    static constexpr qreal kGridSize = 20;

    explicit CanvasScene(mesh::model::TopologyModel &model, QObject *parent = nullptr);
    ~CanvasScene() override;

    mesh::model::TopologyModel &model() const { return m_model; }

    // The model's values by id, in O(1): items call these when they paint.
    // (TopologyModel looks ids up by a linear scan, which on a 1,000-service
    // design made every repaint quadratic.) A cache of list indices checked
    // on every use, so it can never answer with another service's values.
    const mesh::model::Service *service(const mesh::model::ServiceId &id) const;
    const mesh::model::Upstream *upstream(const mesh::model::UpstreamId &id) const;

    ServiceItem *serviceItem(const mesh::model::ServiceId &id) const { return m_services.value(id); }
    UpstreamItem *upstreamItem(const mesh::model::UpstreamId &id) const { return m_upstreams.value(id); }

    // Selected ids, in the design's order.
    QList<mesh::model::ServiceId> selectedServices() const;
    QList<mesh::model::UpstreamId> selectedUpstreams() const;
    // Replaces the selection; emits selectionChanged() once.
    void setSelection(const QList<mesh::model::ServiceId> &services,
                      const QList<mesh::model::UpstreamId> &upstreams = {});

    // The validator's findings: counts per service for the badges (an arrow's
    // problem counts on its downstream, which owns the listener).
    void setProblems(const mesh::model::Problems &problems);
    void setProblemCounts(const QHash<mesh::model::ServiceId, ProblemCount> &counts);
    ProblemCount problemCount(const mesh::model::ServiceId &id) const { return m_problems.value(id); }

    // A running lab's state for the cards and arrows (instances and health,
    // traffic, mTLS, denied); only items whose state changed repaint, so a
    // snapshot costs little. An empty state (the lab stopped) clears them.
    void setLiveState(LiveState state);
    void clearLiveState() { setLiveState({}); }
    bool isLive() const { return !m_live.services.isEmpty() || !m_live.arrows.isEmpty(); }
    // Null when the lab does not run it.
    const ServiceLive *serviceLive(const mesh::model::ServiceId &id) const;
    const ArrowLive *arrowLive(const mesh::model::UpstreamId &id) const;

    // The watched deploy's state per card (DeployDialog); an empty map
    // clears the badges (the dialog closed).
    void setDeployBadges(QHash<mesh::model::ServiceId, DeployBadge> badges);
    void clearDeployBadges() { setDeployBadges({}); }
    // Null when no deploy is watched for it.
    const DeployBadge *deployBadge(const mesh::model::ServiceId &id) const;

    // The card under `scenePos`, if any.
    ServiceItem *serviceItemAt(QPointF scenePos) const;
    // The card whose upstream handle is under `scenePos`, if any, even where
    // another card or an arrow lies on top of it.
    ServiceItem *handleAt(QPointF scenePos) const;

    // Connection-drag feedback: the card the rubber line is over and whether
    // it may be the arrow's end (outlined green, or red when refused).
    void setConnectionTarget(const mesh::model::ServiceId &id, bool accepted);
    mesh::model::ServiceId connectionTarget() const { return m_connectionTarget; }
    bool connectionTargetAccepted() const { return m_connectionAccepted; }

    // While true, items paint without selection and hover decorations.
    void setExporting(bool exporting);
    bool isExporting() const { return m_exporting; }

    // While cards are being dragged, arrows are drawn without antialiasing:
    // rasterizing antialiased curves across the view was ~85 % of a drag
    // step on big designs (bench_editor). Turning it off repaints them smooth.
    void setFastArrows(bool fast);
    bool fastArrows() const { return m_fastArrows; }

    // The bounding rectangle of every card, from the model (no margin).
    QRectF designRect() const;

protected:
    void drawBackground(QPainter *painter, const QRectF &rect) override;

private:
    void rebuild();
    void addServiceItem(const mesh::model::ServiceId &id);
    void addUpstreamItem(const mesh::model::UpstreamId &id);
    void removeServiceItem(const mesh::model::ServiceId &id);
    void removeUpstreamItem(const mesh::model::UpstreamId &id);
    void serviceGeometryChanged(const mesh::model::ServiceId &id);
    // The entry of `values` with `id`, found through `index` (its position
    // by id), which is rebuilt when stale; nullptr when there is none.
    template<class Value, class Id>
    static const Value *findIndexed(const QList<Value> &values, QHash<Id, qsizetype> &index, const Id &id);

    mesh::model::TopologyModel &m_model;
    QHash<mesh::model::ServiceId, ServiceItem *> m_services;
    QHash<mesh::model::UpstreamId, UpstreamItem *> m_upstreams;
    QHash<mesh::model::ServiceId, ProblemCount> m_problems;
    LiveState m_live;
    QHash<mesh::model::ServiceId, DeployBadge> m_deployBadges;
    mutable QHash<mesh::model::ServiceId, qsizetype> m_serviceIndex;
    mutable QHash<mesh::model::UpstreamId, qsizetype> m_upstreamIndex;
    mesh::model::ServiceId m_connectionTarget;
    bool m_connectionAccepted = false;
    bool m_exporting = false;
    bool m_fastArrows = false;
};

} // namespace meshpad::gui
