#include "upstreamitem.h"

#include "canvasscene.h"
#include "model/topologymodel.h"
#include "serviceitem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace meshpad::gui {

using namespace mesh::model;

namespace {

const QColor kDenyColour(0xd6, 0x33, 0x33);
constexpr qreal kHeadLength = 11;
constexpr qreal kHeadWidth = 6;

QRectF labelRect(const QFontMetricsF &metrics, const QString &text, QPointF centre)
{
    const QSizeF size(metrics.horizontalAdvance(text) + 12, metrics.height() + 4);
    return QRectF(centre - QPointF(size.width() / 2, size.height() / 2), size);
}

} // namespace

UpstreamItem::UpstreamItem(CanvasScene &scene, UpstreamId id)
    : m_scene(scene)
    , m_id(std::move(id))
{
    setFlag(ItemIsSelectable);
    setZValue(0);
}

QPainterPath UpstreamItem::curve(QPointF from, QPointF to)
{
    // Leave rightwards and arrive from the left, like the cards' handles;
    // the pull grows with distance so long arrows stay smooth.
    const qreal pull = qMax(40.0, std::abs(to.x() - from.x()) / 2);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(pull, 0), to - QPointF(pull, 0), to);
    return path;
}

void UpstreamItem::updateGeometry()
{
    const Upstream *u = m_scene.upstream(m_id);
    const ServiceItem *from = u ? m_scene.serviceItem(u->downstream) : nullptr;
    const ServiceItem *to = u ? m_scene.serviceItem(u->destination) : nullptr;
    prepareGeometryChange();
    if (!from || !to) {
        m_path = {};
        m_shape = {};
        m_bounds = {};
        return;
    }
    m_start = from->outPoint();
    m_end = to->inPoint();
    m_path = curve(m_start, m_end);

    QPainterPathStroker stroker;
    stroker.setWidth(10);
    m_shape = stroker.createStroke(m_path);
    const QFontMetricsF metrics(m_scene.font());
    const QRectF label = labelRect(metrics, QString::number(u->localBindPort), m_path.pointAtPercent(0.5));
    m_shape.addRect(label);
    m_bounds = m_shape.boundingRect().united(label).adjusted(-kHeadLength, -kHeadLength, kHeadLength, kHeadLength);
    update();
}

bool UpstreamItem::isNearEnd(QPointF scenePos) const
{
    if (m_path.isEmpty())
        return false;
    const QPointF d = scenePos - m_end;
    return d.x() * d.x() + d.y() * d.y() <= kEndGrabRadius * kEndGrabRadius;
}

QRectF UpstreamItem::boundingRect() const
{
    return m_bounds;
}

QPainterPath UpstreamItem::shape() const
{
    return m_shape;
}

void UpstreamItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const Upstream *u = m_scene.upstream(m_id);
    if (!u || m_path.isEmpty())
        return;
    const QPalette pal = m_scene.palette();
    const bool deny = u->action == IntentionAction::Deny;
    const bool selected = !m_scene.isExporting() && (option->state & QStyle::State_Selected);
    QColor colour = deny ? kDenyColour : pal.color(QPalette::Text);
    if (!deny)
        colour.setAlphaF(0.7f);
    if (selected)
        colour = pal.color(QPalette::Highlight);

    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(colour, selected ? 3 : 2);
    if (deny)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);

    // The head: the curve arrives horizontally, so it points right.
    QPolygonF head;
    head << m_end << m_end + QPointF(-kHeadLength, -kHeadWidth) << m_end + QPointF(-kHeadLength, kHeadWidth);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    painter->drawPolygon(head);

    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.4)
        return;
    const QString text = QString::number(u->localBindPort);
    const QFontMetricsF metrics(m_scene.font());
    const QRectF label = labelRect(metrics, text, m_path.pointAtPercent(0.5));
    painter->setPen(QPen(colour, 1));
    painter->setBrush(pal.color(QPalette::Base));
    painter->drawRoundedRect(label, label.height() / 2, label.height() / 2);
    painter->setPen(deny ? kDenyColour : pal.color(QPalette::Text));
    painter->drawText(label, Qt::AlignCenter, text);
}

} // namespace meshpad::gui
