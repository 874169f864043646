#pragma once

#include <QColor>
#include <QLineF>
#include <QList>
#include <QPainterPath>
#include <QPointF>
#include <QString>
#include <QStringList>

class QGraphicsItem;

namespace meshpad::test {

// A filled or stroked figure as the painter drew it: rectangles, ellipses,
// polygons and paths all arrive here as a path in the painter's coordinates.
struct PaintedShape
{
    QPainterPath path;
    QColor pen;   // invalid for Qt::NoPen
    QColor brush; // invalid for Qt::NoBrush
};

// Everything one paint() call put on the device, read back the way a person
// reads a screen: the strings drawn (one entry per drawn line, with runs the
// font machinery split — a fallback font for "·", say — joined again), the
// straight lines, and the other figures. Tests assert on this instead of on
// accessors of the items, so a test fails exactly when what is painted
// changes.
struct Painting
{
    QStringList texts;
    QList<QLineF> lines;
    QList<PaintedShape> shapes;

    // Whether some drawn line of text contains `needle`.
    bool hasText(const QString &needle) const;
    // The first drawn line of text containing `needle`; empty if none does.
    QString textContaining(const QString &needle) const;
    // Figures drawn with `colour` as pen or brush.
    QList<PaintedShape> shapesIn(const QColor &colour) const;
};

// Paints `item` once, as a view would at 100 % (its selection state in the
// style option, full level of detail), onto a device that records instead
// of rasterizing. Coordinates are the item's own.
Painting paintItem(QGraphicsItem &item);

} // namespace meshpad::test
