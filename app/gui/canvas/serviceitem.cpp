#include "serviceitem.h"

#include "canvasscene.h"
#include "model/topologymodel.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include <algorithm>

namespace meshpad::gui {

using namespace mesh::model;

namespace {

// One hue per template so a glance tells the demo apps from the rest.
QColor accent(ServiceTemplate kind)
{
    switch (kind) {
    case ServiceTemplate::Counter: return QColor(0x2f, 0x7d, 0xd1);
    case ServiceTemplate::Dashboard: return QColor(0x8a, 0x4f, 0xc9);
    case ServiceTemplate::Docker: return QColor(0x1b, 0x9a, 0xaa);
    case ServiceTemplate::Generic: break;
    }
    return QColor(0x6b, 0x77, 0x85);
}

const QColor kErrorColour(0xd6, 0x33, 0x33);
const QColor kWarningColour(0xe0, 0x9b, 0x1a);
const QColor kAcceptColour(0x2e, 0xa0, 0x4f);

QColor deployColour(DeployBadge::State state)
{
    switch (state) {
    case DeployBadge::State::Healthy: return kAcceptColour;
    case DeployBadge::State::Failed: return kErrorColour;
    case DeployBadge::State::Progressing: return kWarningColour;
    case DeployBadge::State::Pending:
    case DeployBadge::State::Stopped: break;
    }
    return QColor(0x8c, 0x95, 0x9f);
}

} // namespace

ServiceItem::ServiceItem(CanvasScene &scene, ServiceId id)
    : m_scene(scene)
    , m_id(std::move(id))
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(1); // cards above arrows
    // Not cached (DeviceCoordinateCache): Qt keeps one "exposed" flag per
    // item but one pixmap per view, so with the minimap as a second view the
    // canvas kept stale cards after a change (found by the dark-scheme test).
}

const Service *ServiceItem::service() const
{
    return m_scene.service(m_id);
}

QPointF ServiceItem::outPoint() const
{
    return pos() + QPointF(kWidth, kHeight / 2);
}

QPointF ServiceItem::inPoint() const
{
    return pos() + QPointF(0, kHeight / 2);
}

bool ServiceItem::isOnHandle(QPointF scenePos) const
{
    const QPointF d = scenePos - outPoint();
    return d.x() * d.x() + d.y() * d.y() <= kHandleGrabRadius * kHandleGrabRadius;
}

void ServiceItem::refresh()
{
    if (const Service *s = service()) {
        if (pos() != s->position)
            setPos(s->position);
    }
    update();
}

QRectF ServiceItem::boundingRect() const
{
    // The card, its widest outline, and the handle's whole grab disc beyond
    // the right edge: the scene finds an item only inside its bounds.
    return QRectF(-3, -3, kWidth + kHandleGrabRadius + 4, kHeight + 6);
}

QPainterPath ServiceItem::shape() const
{
    // Winding fill: the handle's disc overlaps the card, and the default
    // odd-even rule would cut the overlap out of the shape.
    QPainterPath path;
    path.setFillRule(Qt::WindingFill);
    path.addRoundedRect(QRectF(0, 0, kWidth, kHeight), 8, 8);
    path.addEllipse(QPointF(kWidth, kHeight / 2), kHandleGrabRadius, kHandleGrabRadius);
    return path;
}

void ServiceItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const Service *s = service();
    if (!s)
        return;
    const QPalette pal = m_scene.palette();
    const bool exporting = m_scene.isExporting();
    const bool selected = !exporting && (option->state & QStyle::State_Selected);
    const QRectF card(0, 0, kWidth, kHeight);
    const QColor hue = accent(s->templateKind);

    const ServiceLive *live = m_scene.serviceLive(m_id);
    QColor border = pal.color(QPalette::Mid);
    qreal borderWidth = 1;
    if (live) {
        border = healthColour(live->health);
        borderWidth = 2;
    }
    if (m_scene.connectionTarget() == m_id && !exporting) {
        border = m_scene.connectionTargetAccepted() ? kAcceptColour : kErrorColour;
        borderWidth = 3;
    } else if (selected) {
        border = pal.color(QPalette::Highlight);
        borderWidth = 2.5;
    }

    painter->setRenderHint(QPainter::Antialiasing);
    // An external service runs elsewhere: a dashed outline on the plain
    // background says "not ours to run" at any zoom.
    painter->setPen(QPen(border, s->external ? std::max<qreal>(borderWidth, 1.5) : borderWidth,
                         s->external ? Qt::DashLine : Qt::SolidLine));
    painter->setBrush(pal.color(s->external ? QPalette::Base : QPalette::AlternateBase));
    painter->drawRoundedRect(card, 8, 8);

    // Far zoomed out, text is unreadable and painting it is what costs: a
    // coloured block per card keeps fit-to-view on big designs smooth.
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    // Rounded top, square bottom: a rounded rect plus a rect over its lower
    // corners. Winding fill, or the overlap would be cut out (odd-even).
    QPainterPath header;
    header.setFillRule(Qt::WindingFill);
    header.addRoundedRect(QRectF(0, 0, kWidth, 26), 8, 8);
    header.addRect(QRectF(0, 14, kWidth, 12));
    painter->setPen(Qt::NoPen);
    painter->setBrush(hue);
    painter->drawPath(header.simplified());
    if (lod < 0.3)
        return;

    QFont font = m_scene.font();
    QFont bold = font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(Qt::white);
    const QFontMetricsF boldMetrics(bold);
    const ProblemCount problems = m_scene.problemCount(m_id);
    const bool badge = problems.errors > 0 || problems.warnings > 0;
    const qreal nameWidth = kWidth - 20 - (badge ? 30 : 0);
    painter->drawText(
        QRectF(10, 0, nameWidth, 26), Qt::AlignVCenter | Qt::AlignLeft,
        boldMetrics.elidedText(s->name.isEmpty() ? QStringLiteral("(unnamed)") : s->name, Qt::ElideRight, nameWidth));

    if (badge) {
        const int count = problems.errors > 0 ? problems.errors : problems.warnings;
        const QRectF pill(kWidth - 38, 5, 30, 16);
        painter->setPen(QPen(Qt::white, 1.5));
        painter->setBrush(problems.errors > 0 ? kErrorColour : kWarningColour);
        painter->drawRoundedRect(pill, 8, 8);
        painter->drawText(pill, Qt::AlignCenter, count > 99 ? QStringLiteral("99+") : QString::number(count));
    }
    if (lod < 0.55)
        return;

    painter->setFont(font);
    const QFontMetricsF metrics(font);
    painter->setPen(pal.color(QPalette::Text));
    if (s->external) {
        painter->drawText(QRectF(10, 32, kWidth - 20, 20), Qt::AlignVCenter | Qt::AlignLeft,
                          QCoreApplication::translate("ServiceItem", "external"));
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(QRectF(10, 56, kWidth - 20, 20), Qt::AlignVCenter | Qt::AlignLeft,
                          metrics.elidedText(QCoreApplication::translate("ServiceItem", "runs elsewhere; not deployed"),
                                             Qt::ElideRight, kWidth - 20));
    } else {
        const QString jobGroup = s->job + u" / " + s->group;
        painter->drawText(QRectF(10, 32, kWidth - 20, 20), Qt::AlignVCenter | Qt::AlignLeft,
                          metrics.elidedText(jobGroup, Qt::ElideMiddle, kWidth - 20));
        const QString port = s->port.isEmpty() ? QStringLiteral("no port") : u"port " + s->port;
        const QString details = u"×" + QString::number(s->count) + u"  ·  " + port + u"  ·  " + toString(s->driver);
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(QRectF(10, 56, kWidth - 20, 20), Qt::AlignVCenter | Qt::AlignLeft,
                          metrics.elidedText(details, Qt::ElideRight, kWidth - 20));
    }

    if (live) {
        // The foot: a health dot, then "2/3 running · passing".
        const QColor colour = healthColour(live->health);
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        painter->drawEllipse(QPointF(15, 84), 4.5, 4.5);
        const QString text = runningText(*live) + u"  ·  " + mesh::lab::toString(live->health);
        QFont strong = font;
        strong.setWeight(QFont::DemiBold);
        painter->setFont(strong);
        painter->setPen(live->running < live->desired ? kWarningColour.darker(115) : pal.color(QPalette::Text));
        painter->drawText(QRectF(26, 75, kWidth - 40, 18), Qt::AlignVCenter | Qt::AlignLeft,
                          QFontMetricsF(strong).elidedText(text, Qt::ElideRight, kWidth - 40));
    } else if (const DeployBadge *deploy = m_scene.deployBadge(m_id)) {
        // The same foot for a deploy the Deploy… dialog watches.
        painter->setPen(Qt::NoPen);
        painter->setBrush(deployColour(deploy->state));
        painter->drawEllipse(QPointF(15, 84), 4.5, 4.5);
        QFont strong = font;
        strong.setWeight(QFont::DemiBold);
        painter->setFont(strong);
        painter->setPen(deploy->state == DeployBadge::State::Failed ? kErrorColour : pal.color(QPalette::Text));
        painter->drawText(QRectF(26, 75, kWidth - 40, 18), Qt::AlignVCenter | Qt::AlignLeft,
                          QFontMetricsF(strong).elidedText(u"deploy: " + deploy->text, Qt::ElideRight, kWidth - 40));
    }

    // The handle an arrow is dragged from: always visible, stronger on hover
    // so it reads as something to grab.
    if (!exporting) {
        painter->setPen(QPen(hue, 2));
        painter->setBrush(m_hovered ? hue : pal.color(QPalette::Base));
        painter->drawEllipse(QPointF(kWidth, kHeight / 2), kHandleRadius - 2, kHandleRadius - 2);
    }
}

void ServiceItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = true;
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void ServiceItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}

} // namespace meshpad::gui
