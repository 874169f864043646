#pragma once

#include "model/ids.h"

#include <QGraphicsItem>

namespace mesh::model {
struct Service;
}

namespace meshpad::gui {

class CanvasScene;

// A service's card: name, job/group, ×count, port, driver, a problems badge,
// and on its right edge the handle an upstream is dragged from. Holds only
// its id: geometry and text come from the model. Position = the model's
// position (top-left); CanvasScene keeps it in step. While a lab runs it,
// the card's foot shows its instances ("2/3 running") and a health dot, and
// its outline takes the health colour (CanvasScene::serviceLive). While the
// Deploy… dialog watches a deploy, the foot shows its state instead
// ("deploy: 2/3 healthy", CanvasScene::deployBadge).
class ServiceItem final : public QGraphicsItem
{
public:
    enum { Type = UserType + 1 };
    static constexpr qreal kWidth = 220;
    static constexpr qreal kHeight = 96;
    static constexpr qreal kHandleRadius = 8;
    // How far from the handle's centre a press grabs it: a little more than
    // the drawn circle (radius kHandleRadius - 2 and its pen), on both sides
    // of the card's edge, so the handle is easy to grab.
    static constexpr qreal kHandleGrabRadius = kHandleRadius + 3;

    ServiceItem(CanvasScene &scene, mesh::model::ServiceId id);

    const mesh::model::ServiceId &serviceId() const { return m_id; }
    // Null if the model no longer has it (never while the item lives).
    const mesh::model::Service *service() const;

    // In scene coordinates: where arrows leave (right middle, the handle) and
    // arrive (left middle).
    QPointF outPoint() const;
    QPointF inPoint() const;
    // Whether `scenePos` is on the upstream handle (within kHandleGrabRadius
    // of its centre, inside the card or beyond its edge).
    bool isOnHandle(QPointF scenePos) const;

    // Re-reads the model (text changed) and repaints.
    void refresh();

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    CanvasScene &m_scene;
    mesh::model::ServiceId m_id;
    bool m_hovered = false;
};

} // namespace meshpad::gui
