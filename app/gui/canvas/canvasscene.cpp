#include "canvasscene.h"

#include "model/topologymodel.h"
#include "serviceitem.h"
#include "upstreamitem.h"

#include <QPainter>
#include <QPalette>

#include <cmath>
#include <limits>

namespace meshpad::gui {

using namespace mesh::model;

namespace {

// Repaints the items whose live state appeared, went or changed.
template<class Items, class States>
void repaintChanged(const Items &items, const States &before, const States &after)
{
    for (auto it = items.cbegin(); it != items.cend(); ++it) {
        const auto was = before.constFind(it.key());
        const auto is = after.constFind(it.key());
        const bool had = was != before.cend();
        const bool has = is != after.cend();
        if (had != has || (has && *was != *is))
            it.value()->update();
    }
}

} // namespace

CanvasScene::CanvasScene(TopologyModel &model, QObject *parent)
    : QGraphicsScene(parent)
    , m_model(model)
{
    // Items are added and removed all the time while the user edits; the
    // BSP index pays for itself on big designs (hit tests, rubber band).
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);

    connect(&model, &TopologyModel::modelReset, this, &CanvasScene::rebuild);
    connect(&model, &TopologyModel::serviceAdded, this, &CanvasScene::addServiceItem);
    connect(&model, &TopologyModel::serviceChanged, this, [this](const ServiceId &id) {
        if (ServiceItem *item = m_services.value(id))
            item->refresh();
    });
    connect(&model, &TopologyModel::serviceMoved, this,
            [this](const ServiceId &id, QPointF) { serviceGeometryChanged(id); });
    connect(&model, &TopologyModel::serviceAboutToBeRemoved, this, &CanvasScene::removeServiceItem);
    connect(&model, &TopologyModel::upstreamAdded, this, &CanvasScene::addUpstreamItem);
    connect(&model, &TopologyModel::upstreamChanged, this, [this](const UpstreamId &id) {
        if (UpstreamItem *item = m_upstreams.value(id))
            item->updateGeometry();
    });
    connect(&model, &TopologyModel::upstreamAboutToBeRemoved, this, &CanvasScene::removeUpstreamItem);
    rebuild();
}

CanvasScene::~CanvasScene() = default;

void CanvasScene::rebuild()
{
    // Arrows first: they read their ends' items.
    for (UpstreamItem *item : std::as_const(m_upstreams))
        delete item;
    m_upstreams.clear();
    for (ServiceItem *item : std::as_const(m_services))
        delete item;
    m_services.clear();
    m_connectionTarget = {};
    m_services.reserve(m_model.topology().services.size());
    m_upstreams.reserve(m_model.topology().upstreams.size());
    for (const Service &s : m_model.topology().services)
        addServiceItem(s.id);
    for (const Upstream &u : m_model.topology().upstreams)
        addUpstreamItem(u.id);
}

void CanvasScene::addServiceItem(const ServiceId &id)
{
    if (m_services.contains(id))
        return;
    auto *item = new ServiceItem(*this, id);
    m_services.insert(id, item);
    addItem(item);
    item->refresh();
}

void CanvasScene::addUpstreamItem(const UpstreamId &id)
{
    if (m_upstreams.contains(id))
        return;
    auto *item = new UpstreamItem(*this, id);
    m_upstreams.insert(id, item);
    addItem(item);
    item->updateGeometry();
}

void CanvasScene::removeServiceItem(const ServiceId &id)
{
    if (m_connectionTarget == id)
        m_connectionTarget = {};
    delete m_services.take(id);
}

void CanvasScene::removeUpstreamItem(const UpstreamId &id)
{
    delete m_upstreams.take(id);
}

void CanvasScene::serviceGeometryChanged(const ServiceId &id)
{
    ServiceItem *item = m_services.value(id);
    if (!item)
        return;
    item->refresh();
    for (const Upstream &u : m_model.topology().upstreams) {
        if (u.downstream == id || u.destination == id) {
            if (UpstreamItem *arrow = m_upstreams.value(u.id))
                arrow->updateGeometry();
        }
    }
}

template<class Value, class Id>
const Value *CanvasScene::findIndexed(const QList<Value> &values, QHash<Id, qsizetype> &index, const Id &id)
{
    qsizetype i = index.value(id, -1);
    if (i < 0 || i >= values.size() || values[i].id != id) {
        // Stale after an insert or removal shifted the list: re-index once.
        index.clear();
        index.reserve(values.size());
        for (qsizetype k = 0; k < values.size(); ++k)
            index.insert(values[k].id, k);
        i = index.value(id, -1);
    }
    return i < 0 ? nullptr : &values[i];
}

const Service *CanvasScene::service(const ServiceId &id) const
{
    return findIndexed(m_model.topology().services, m_serviceIndex, id);
}

const Upstream *CanvasScene::upstream(const UpstreamId &id) const
{
    return findIndexed(m_model.topology().upstreams, m_upstreamIndex, id);
}

QList<ServiceId> CanvasScene::selectedServices() const
{
    QList<ServiceId> ids;
    for (const Service &s : m_model.topology().services) {
        const ServiceItem *item = m_services.value(s.id);
        if (item && item->isSelected())
            ids.append(s.id);
    }
    return ids;
}

QList<UpstreamId> CanvasScene::selectedUpstreams() const
{
    QList<UpstreamId> ids;
    for (const Upstream &u : m_model.topology().upstreams) {
        const UpstreamItem *item = m_upstreams.value(u.id);
        if (item && item->isSelected())
            ids.append(u.id);
    }
    return ids;
}

void CanvasScene::setSelection(const QList<ServiceId> &services, const QList<UpstreamId> &upstreams)
{
    // One selectionChanged() for the whole replacement, not one per item.
    {
        const QSignalBlocker blocker(this);
        clearSelection();
        for (const ServiceId &id : services) {
            if (ServiceItem *item = m_services.value(id))
                item->setSelected(true);
        }
        for (const UpstreamId &id : upstreams) {
            if (UpstreamItem *item = m_upstreams.value(id))
                item->setSelected(true);
        }
    }
    Q_EMIT selectionChanged();
}

void CanvasScene::setProblems(const Problems &problems)
{
    QHash<ServiceId, ProblemCount> counts;
    for (const Problem &p : problems) {
        ServiceId id = p.service;
        if (id.isNull() && !p.upstream.isNull()) {
            if (const Upstream *u = upstream(p.upstream))
                id = u->downstream;
        }
        if (id.isNull())
            continue;
        ProblemCount &c = counts[id];
        (p.isError() ? c.errors : c.warnings)++;
    }
    setProblemCounts(counts);
}

void CanvasScene::setProblemCounts(const QHash<ServiceId, ProblemCount> &counts)
{
    const auto differs
        = [](ProblemCount a, ProblemCount b) { return a.errors != b.errors || a.warnings != b.warnings; };
    QHash<ServiceId, ProblemCount> old = std::exchange(m_problems, counts);
    for (auto it = m_services.cbegin(); it != m_services.cend(); ++it) {
        if (differs(old.value(it.key()), m_problems.value(it.key())))
            it.value()->update();
    }
}

void CanvasScene::setLiveState(LiveState state)
{
    const LiveState old = std::exchange(m_live, std::move(state));
    repaintChanged(m_services, old.services, m_live.services);
    repaintChanged(m_upstreams, old.arrows, m_live.arrows);
}

const ServiceLive *CanvasScene::serviceLive(const ServiceId &id) const
{
    const auto it = m_live.services.constFind(id);
    return it == m_live.services.cend() ? nullptr : &*it;
}

const ArrowLive *CanvasScene::arrowLive(const UpstreamId &id) const
{
    const auto it = m_live.arrows.constFind(id);
    return it == m_live.arrows.cend() ? nullptr : &*it;
}

void CanvasScene::setDeployBadges(QHash<ServiceId, DeployBadge> badges)
{
    const QHash<ServiceId, DeployBadge> old = std::exchange(m_deployBadges, std::move(badges));
    for (auto it = m_services.cbegin(); it != m_services.cend(); ++it) {
        const auto before = old.constFind(it.key());
        const auto after = m_deployBadges.constFind(it.key());
        const bool had = before != old.cend();
        const bool has = after != m_deployBadges.cend();
        if (had != has || (has && (before->state != after->state || before->text != after->text)))
            it.value()->update();
    }
}

const DeployBadge *CanvasScene::deployBadge(const ServiceId &id) const
{
    const auto it = m_deployBadges.constFind(id);
    return it == m_deployBadges.cend() ? nullptr : &*it;
}

ServiceItem *CanvasScene::serviceItemAt(QPointF scenePos) const
{
    for (QGraphicsItem *item : items(scenePos)) {
        if (item->type() == ServiceItem::Type)
            return static_cast<ServiceItem *>(item);
    }
    return nullptr;
}

ServiceItem *CanvasScene::handleAt(QPointF scenePos) const
{
    const qreal r = ServiceItem::kHandleGrabRadius;
    for (QGraphicsItem *item : items(QRectF(scenePos - QPointF(r, r), QSizeF(2 * r, 2 * r)))) {
        if (item->type() != ServiceItem::Type)
            continue;
        auto *card = static_cast<ServiceItem *>(item);
        if (card->isOnHandle(scenePos))
            return card;
    }
    return nullptr;
}

void CanvasScene::setConnectionTarget(const ServiceId &id, bool accepted)
{
    if (m_connectionTarget == id && m_connectionAccepted == accepted)
        return;
    ServiceItem *old = m_services.value(m_connectionTarget);
    m_connectionTarget = id;
    m_connectionAccepted = accepted;
    if (old)
        old->update();
    if (ServiceItem *item = m_services.value(id))
        item->update();
}

void CanvasScene::setFastArrows(bool fast)
{
    if (m_fastArrows == fast)
        return;
    m_fastArrows = fast;
    if (!fast) {
        for (UpstreamItem *item : std::as_const(m_upstreams))
            item->update();
    }
}

void CanvasScene::setExporting(bool exporting)
{
    m_exporting = exporting;
}

QRectF CanvasScene::designRect() const
{
    const auto &services = m_model.topology().services;
    if (services.isEmpty())
        return {};
    qreal left = std::numeric_limits<qreal>::max();
    qreal top = left;
    qreal right = std::numeric_limits<qreal>::lowest();
    qreal bottom = right;
    for (const Service &s : services) {
        left = qMin(left, s.position.x());
        top = qMin(top, s.position.y());
        right = qMax(right, s.position.x() + ServiceItem::kWidth);
        bottom = qMax(bottom, s.position.y() + ServiceItem::kHeight);
    }
    return QRectF(QPointF(left, top), QPointF(right + ServiceItem::kHandleRadius, bottom));
}

void CanvasScene::drawBackground(QPainter *painter, const QRectF &rect)
{
    const QPalette pal = palette();
    painter->fillRect(rect, pal.color(QPalette::Base));
    if (m_exporting)
        return;

    // A grid users can snap to: minor lines every step, major every five;
    // minor lines vanish when zoomed out so far they would be a grey wash.
    const qreal scale = painter->worldTransform().m11();
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    const auto mix = [&](qreal t) {
        return QColor::fromRgbF(float(base.redF() + (text.redF() - base.redF()) * t),
                                float(base.greenF() + (text.greenF() - base.greenF()) * t),
                                float(base.blueF() + (text.blueF() - base.blueF()) * t));
    };
    const auto drawLines = [&](qreal step, const QColor &colour) {
        if (step * scale < 6)
            return;
        QList<QLineF> lines;
        const qreal left = std::floor(rect.left() / step) * step;
        const qreal top = std::floor(rect.top() / step) * step;
        for (qreal x = left; x < rect.right(); x += step)
            lines.append(QLineF(x, rect.top(), x, rect.bottom()));
        for (qreal y = top; y < rect.bottom(); y += step)
            lines.append(QLineF(rect.left(), y, rect.right(), y));
        painter->setPen(QPen(colour, 0));
        painter->drawLines(lines);
    };
    drawLines(kGridSize, mix(0.05));
    drawLines(kGridSize * 5, mix(0.10));
}

} // namespace meshpad::gui
