#include "upstreamitem.h"

#include "canvasscene.h"
#include "model/topologymodel.h"
#include "serviceitem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace meshpad::gui {

using namespace mesh::model;

namespace {

const QColor kDenyColour(0xd6, 0x33, 0x33);
const QColor kTrafficColour(0x2f, 0x7d, 0xd1);
const QColor kLockColour(0x2e, 0xa0, 0x4f);
constexpr qreal kHeadLength = 11;
constexpr qreal kHeadWidth = 6;
constexpr qreal kLockWidth = 14;     // room for the lock inside the label
constexpr qreal kTrafficWidth = 220; // the widest traffic line kept in the bounds
constexpr qreal kCrossAt = 0.78;     // where on the curve a denied arrow is crossed out
constexpr qreal kCrossRadius = 9;

QRectF labelRect(const QFontMetricsF &metrics, const QString &text, QPointF centre, qreal extra = 0)
{
    const QSizeF size(metrics.horizontalAdvance(text) + 12 + extra, metrics.height() + 4);
    return QRectF(centre - QPointF(size.width() / 2, size.height() / 2), size);
}

// A padlock drawn in `box` (its shackle in the upper half).
void drawLock(QPainter *painter, const QRectF &box, const QColor &colour)
{
    const QRectF body(box.left() + box.width() * 0.15, box.top() + box.height() * 0.45, box.width() * 0.7,
                      box.height() * 0.5);
    QPainterPath shackle;
    const QRectF arc(body.left() + body.width() * 0.18, box.top() + box.height() * 0.05, body.width() * 0.64,
                     box.height() * 0.75);
    shackle.arcMoveTo(arc, 180);
    shackle.arcTo(arc, 180, -180);
    painter->setPen(QPen(colour, 1.6));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(shackle);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    painter->drawRoundedRect(body, 1.5, 1.5);
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
    // Points along the curve cost a length computation each: found once per
    // geometry change, never per paint.
    m_mid = m_path.pointAtPercent(0.5);
    m_crossPoint = m_path.pointAtPercent(kCrossAt);
    const QRectF label = labelRect(metrics, QString::number(u->localBindPort), m_mid);
    m_shape.addRect(label);
    // Room for the lab overlay whether or not a lab runs, so a snapshot
    // never changes the geometry: the lock, a traffic line under the label,
    // and the ✕ of a denied arrow.
    const QRectF traffic(m_mid.x() - kTrafficWidth / 2, label.bottom(), kTrafficWidth, metrics.height() + 4);
    const QRectF crossRect(m_crossPoint - QPointF(kCrossRadius + 2, kCrossRadius + 2),
                           QSizeF(2 * kCrossRadius + 4, 2 * kCrossRadius + 4));
    m_bounds = m_shape.boundingRect()
                   .united(label.adjusted(-kLockWidth / 2, 0, kLockWidth / 2, 0))
                   .united(traffic)
                   .united(crossRect)
                   .adjusted(-kHeadLength, -kHeadLength, kHeadLength, kHeadLength);
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
    const ArrowLive *live = m_scene.arrowLive(m_id);
    const bool deny = u->action == IntentionAction::Deny;
    const bool crossed = live && !live->allowed;
    const bool flowing = live && live->allowed && live->bytesPerSecond > 0;
    const bool selected = !m_scene.isExporting() && (option->state & QStyle::State_Selected);
    QColor colour = deny ? kDenyColour : flowing ? kTrafficColour : pal.color(QPalette::Text);
    if (!deny && !flowing)
        colour.setAlphaF(0.7f);
    if (selected)
        colour = pal.color(QPalette::Highlight);

    painter->setRenderHint(QPainter::Antialiasing, !m_scene.fastArrows() || m_scene.isExporting());
    QPen pen(colour, selected ? 3 : 2);
    if (deny)
        pen.setStyle(Qt::DashLine);
    if (flowing && !selected)
        pen.setWidthF(2.5);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);

    // The head: the curve arrives horizontally, so it points right.
    QPolygonF head;
    head << m_end << m_end + QPointF(-kHeadLength, -kHeadWidth) << m_end + QPointF(-kHeadLength, kHeadWidth);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    painter->drawPolygon(head);
    painter->setRenderHint(QPainter::Antialiasing); // labels and marks stay smooth

    if (crossed) {
        // Denied by the intentions now: a red ✕ across the line.
        const QPointF at = m_crossPoint;
        painter->setPen(QPen(Qt::white, 1.5));
        painter->setBrush(kDenyColour);
        painter->drawEllipse(at, kCrossRadius, kCrossRadius);
        const qreal d = kCrossRadius * 0.45;
        painter->setPen(QPen(Qt::white, 2.2, Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(at + QPointF(-d, -d), at + QPointF(d, d));
        painter->drawLine(at + QPointF(-d, d), at + QPointF(d, -d));
    }

    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.4)
        return;
    const QString text = QString::number(u->localBindPort);
    const QFontMetricsF metrics(m_scene.font());
    const qreal lock = live && live->mtls ? kLockWidth : 0;
    const QRectF label = labelRect(metrics, text, m_mid, lock);
    painter->setPen(QPen(colour, 1));
    painter->setBrush(pal.color(QPalette::Base));
    painter->drawRoundedRect(label, label.height() / 2, label.height() / 2);
    if (lock > 0) {
        const qreal side = metrics.height() * 0.8;
        drawLock(painter, QRectF(label.left() + 7, label.center().y() - side / 2 - 0.5, side * 0.8, side),
                 crossed ? kDenyColour : kLockColour);
    }
    painter->setPen(deny ? kDenyColour : pal.color(QPalette::Text));
    painter->drawText(label.adjusted(lock, 0, 0, 0), Qt::AlignCenter, text);

    if (live) {
        QFont small = m_scene.font();
        if (small.pointSizeF() > 0)
            small.setPointSizeF(small.pointSizeF() * 0.9);
        painter->setFont(small);
        painter->setPen(crossed   ? kDenyColour
                        : flowing ? kTrafficColour.darker(110)
                                  : pal.color(QPalette::PlaceholderText));
        const QRectF line(label.center().x() - kTrafficWidth / 2, label.bottom() + 1, kTrafficWidth, metrics.height());
        const QString traffic = meshpad::gui::trafficText(*live);
        painter->drawText(line, Qt::AlignHCenter | Qt::AlignTop,
                          QFontMetricsF(small).elidedText(traffic, Qt::ElideRight, kTrafficWidth));
        painter->setFont(m_scene.font());
    }
}

} // namespace meshpad::gui
