#pragma once

// What the canvas's cards and arrows paint, read as a person reads them off
// the screen (support/paintrecorder.h): the tests assert on these, never on
// the items' own accessors, so they fail when the drawing changes.

#include "paintrecorder.h"

#include <QColor>
#include <QGraphicsItem>
#include <QRectF>
#include <QString>

namespace meshpad::test {

// A card's foot while a lab runs it, without the health after it:
// "3/3 running"; empty when the foot shows no instances.
inline QString paintedRunning(QGraphicsItem &card)
{
    const QString foot = paintItem(card).textContaining(QStringLiteral(" running"));
    return foot.section(QStringLiteral("  ·  "), 0, 0);
}

// A card's foot while a deploy is watched: "deploy: 3/3 healthy"; empty
// when none is shown.
inline QString paintedDeploy(QGraphicsItem &card)
{
    return paintItem(card).textContaining(QStringLiteral("deploy: "));
}

// The line of traffic under an arrow's port label: "1.2 kB/s · 2 open",
// "denied · 3 refused"; empty when only the label is drawn.
inline QString paintedTraffic(QGraphicsItem &arrow)
{
    const Painting painting = paintItem(arrow);
    return painting.texts.size() > 1 ? painting.texts.at(1) : QString();
}

// Whether the arrow's label carries the padlock: its shackle is a small
// arc stroked in the lock's green (red while the arrow is denied).
inline bool paintsLock(QGraphicsItem &arrow)
{
    const Painting painting = paintItem(arrow);
    for (const QColor &colour : {QColor(0x2e, 0xa0, 0x4f), QColor(0xd6, 0x33, 0x33)}) {
        for (const PaintedShape &shape : painting.shapesIn(colour)) {
            const QRectF bounds = shape.path.boundingRect();
            if (!shape.brush.isValid() && bounds.width() < 20 && bounds.height() < 20)
                return true;
        }
    }
    return false;
}

// Whether the arrow is crossed out: the two strokes of a ✕ over its line.
inline bool paintsCrossOut(QGraphicsItem &arrow)
{
    const Painting painting = paintItem(arrow);
    return painting.lines.size() == 2
           && painting.lines.at(0).intersects(painting.lines.at(1)) == QLineF::BoundedIntersection;
}

} // namespace meshpad::test
