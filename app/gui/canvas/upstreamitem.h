#pragma once

#include "model/ids.h"

#include <QGraphicsItem>
#include <QPainterPath>

namespace meshpad::gui {

class CanvasScene;

// An arrow downstream → destination, labelled with its local bind port:
// solid for allow, dashed red for deny. Holds only its id; its path is
// recomputed from the two cards' model positions by updateGeometry(), which
// CanvasScene calls when either end moves or the arrow changes.
//
// While a lab runs it (CanvasScene::arrowLive), the label carries a lock
// (mTLS between the sidecars), its traffic is written under it, the line
// turns blue while bytes flow, and an arrow the intentions deny now is
// crossed out with a red ✕.
class UpstreamItem final : public QGraphicsItem
{
public:
    enum { Type = UserType + 2 };
    // How close to the arrow head a press grabs the end for retargeting.
    static constexpr qreal kEndGrabRadius = 14;

    UpstreamItem(CanvasScene &scene, mesh::model::UpstreamId id);

    const mesh::model::UpstreamId &upstreamId() const { return m_id; }

    void updateGeometry();
    // Scene position of the arrow head (at the destination card).
    QPointF endPoint() const { return m_end; }
    QPointF startPoint() const { return m_start; }
    bool isNearEnd(QPointF scenePos) const;

    // The curve both arrows and the rubber line use between two points.
    static QPainterPath curve(QPointF from, QPointF to);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    CanvasScene &m_scene;
    mesh::model::UpstreamId m_id;
    QPointF m_start;
    QPointF m_end;
    QPointF m_mid;        // where the label sits
    QPointF m_crossPoint; // where a denied arrow's ✕ sits
    QPainterPath m_path;
    QPainterPath m_shape;
    QRectF m_bounds;
};

} // namespace meshpad::gui
