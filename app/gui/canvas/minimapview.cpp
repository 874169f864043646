#include "minimapview.h"

#include "canvasscene.h"
#include "canvasview.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

namespace meshpad::gui {

MinimapView::MinimapView(CanvasView &canvas, QWidget *parent)
    : QGraphicsView(canvas.canvasScene(), parent)
    , m_canvas(canvas)
{
    setInteractive(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setRenderHints(QPainter::Antialiasing);
    setFocusPolicy(Qt::NoFocus);
    setMinimumSize(160, 110);

    // The visible area moves when the canvas scrolls or zooms; the design's
    // extent changes with the model.
    const auto repaint = [this] { viewport()->update(); };
    connect(canvas.horizontalScrollBar(), &QScrollBar::valueChanged, this, repaint);
    connect(canvas.verticalScrollBar(), &QScrollBar::valueChanged, this, repaint);
    connect(&canvas, &CanvasView::zoomChanged, this, repaint);
    connect(canvas.canvasScene(), &QGraphicsScene::changed, this, [this] { refit(); });
    refit();
}

MinimapView::~MinimapView() = default;

void MinimapView::refit()
{
    const QRectF design = m_canvas.canvasScene()->designRect();
    if (!design.isNull())
        fitInView(design.adjusted(-60, -60, 60, 60), Qt::KeepAspectRatio);
    viewport()->update();
}

void MinimapView::drawForeground(QPainter *painter, const QRectF &)
{
    const QRectF visible = m_canvas.mapToScene(m_canvas.viewport()->rect()).boundingRect();
    QColor fill = palette().color(QPalette::Highlight);
    fill.setAlphaF(0.15f);
    painter->setBrush(fill);
    painter->setPen(QPen(palette().color(QPalette::Highlight), 0));
    painter->drawRect(visible);
}

void MinimapView::mousePressEvent(QMouseEvent *event)
{
    m_canvas.centerOn(mapToScene(event->position().toPoint()));
    event->accept();
}

void MinimapView::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        m_canvas.centerOn(mapToScene(event->position().toPoint()));
    event->accept();
}

void MinimapView::wheelEvent(QWheelEvent *event)
{
    // QAbstractScrollArea would scroll the hidden scroll bars, whose range
    // is not empty once the scene's rect outgrew the design (a card moved
    // away and back): the overview would lose part of the design.
    event->accept();
}

void MinimapView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    refit();
}

} // namespace meshpad::gui
