#include "paintrecorder.h"

#include <QGraphicsItem>
#include <QPaintDevice>
#include <QPaintEngine>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QTextItem>

#include <climits>
#include <cmath>
#include <utility>

namespace meshpad::test {

namespace {

struct TextRun
{
    QPointF origin;
    qreal width = 0;
    QString text;
};

QColor colourOf(const QPen &pen)
{
    return pen.style() == Qt::NoPen ? QColor() : pen.color();
}

QColor colourOf(const QBrush &brush)
{
    return brush.style() == Qt::NoBrush ? QColor() : brush.color();
}

// Every feature claimed, so QPainter hands each primitive over as it is
// instead of emulating it (which would turn text and lines into paths).
class RecordingEngine final : public QPaintEngine
{
public:
    RecordingEngine()
        : QPaintEngine(QPaintEngine::AllFeatures)
    {
    }

    bool begin(QPaintDevice *) override { return true; }
    bool end() override { return true; }
    void updateState(const QPaintEngineState &) override { }
    Type type() const override { return QPaintEngine::User; }

    void drawPixmap(const QRectF &, const QPixmap &, const QRectF &) override { }

    void drawTextItem(const QPointF &p, const QTextItem &textItem) override
    {
        m_runs.append({transform().map(p), textItem.width(), textItem.text()});
    }

    void drawLines(const QLineF *lines, int lineCount) override
    {
        for (int i = 0; i < lineCount; ++i)
            m_painting.lines.append(transform().map(lines[i]));
    }

    void drawLines(const QLine *lines, int lineCount) override
    {
        for (int i = 0; i < lineCount; ++i)
            m_painting.lines.append(transform().map(QLineF(lines[i])));
    }

    void drawPath(const QPainterPath &path) override { addShape(path); }

    void drawPolygon(const QPointF *points, int pointCount, PolygonDrawMode mode) override
    {
        QPainterPath path;
        path.addPolygon(QPolygonF(QList<QPointF>(points, points + pointCount)));
        if (mode != PolylineMode)
            path.closeSubpath();
        addShape(path);
    }

    void drawPolygon(const QPoint *points, int pointCount, PolygonDrawMode mode) override
    {
        QPolygonF polygon;
        for (int i = 0; i < pointCount; ++i)
            polygon.append(points[i]);
        drawPolygon(polygon.constData(), int(polygon.size()), mode);
    }

    Painting take()
    {
        // Join runs that continue one another on the same baseline: one
        // drawText() call split by script or fallback font is one string.
        for (const TextRun &run : std::as_const(m_runs)) {
            if (!m_painting.texts.isEmpty() && std::abs(run.origin.y() - m_lastEnd.y()) < 0.01
                && std::abs(run.origin.x() - m_lastEnd.x()) < 0.5) {
                m_painting.texts.last() += run.text;
            } else {
                m_painting.texts.append(run.text);
            }
            m_lastEnd = run.origin + QPointF(run.width, 0);
        }
        m_runs.clear();
        return std::exchange(m_painting, {});
    }

private:
    QTransform transform() const { return state->transform(); }

    void addShape(const QPainterPath &path)
    {
        m_painting.shapes.append({transform().map(path), colourOf(state->pen()), colourOf(state->brush())});
    }

    QList<TextRun> m_runs;
    QPointF m_lastEnd;
    Painting m_painting;
};

class RecordingDevice final : public QPaintDevice
{
public:
    QPaintEngine *paintEngine() const override { return &m_engine; }
    RecordingEngine &engine() { return m_engine; }

protected:
    int metric(PaintDeviceMetric metric) const override
    {
        switch (metric) {
        case PdmWidth:
        case PdmHeight: return 100000;
        case PdmWidthMM:
        case PdmHeightMM: return 100000 * 254 / 960;
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY: return 96;
        case PdmNumColors: return INT_MAX;
        case PdmDepth: return 32;
        case PdmDevicePixelRatio: return 1;
        case PdmDevicePixelRatioScaled: return int(devicePixelRatioFScale());
        }
        return 0;
    }

private:
    mutable RecordingEngine m_engine;
};

} // namespace

bool Painting::hasText(const QString &needle) const
{
    return !textContaining(needle).isNull();
}

QString Painting::textContaining(const QString &needle) const
{
    for (const QString &text : texts) {
        if (text.contains(needle))
            return text;
    }
    return {};
}

QList<PaintedShape> Painting::shapesIn(const QColor &colour) const
{
    QList<PaintedShape> found;
    for (const PaintedShape &shape : shapes) {
        if (shape.pen.rgb() == colour.rgb() && shape.pen.isValid())
            found.append(shape);
        else if (shape.brush.rgb() == colour.rgb() && shape.brush.isValid())
            found.append(shape);
    }
    return found;
}

Painting paintItem(QGraphicsItem &item)
{
    RecordingDevice device;
    QStyleOptionGraphicsItem option;
    option.state = QStyle::State_Enabled;
    if (item.isSelected())
        option.state |= QStyle::State_Selected;
    option.rect = item.boundingRect().toAlignedRect();
    option.exposedRect = item.boundingRect();
    {
        QPainter painter(&device);
        item.paint(&painter, &option, nullptr);
    }
    return device.engine().take();
}

} // namespace meshpad::test
