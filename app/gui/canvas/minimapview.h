#pragma once

#include <QGraphicsView>

namespace meshpad::gui {

class CanvasView;

// An overview of the whole design (a second view on the canvas's scene,
// scaled to fit) with the canvas's visible area drawn as a rectangle;
// pressing or dragging in it centres the canvas there. It never scrolls or
// zooms itself: it always shows the whole design.
class MinimapView final : public QGraphicsView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MinimapView)

public:
    explicit MinimapView(CanvasView &canvas, QWidget *parent = nullptr);
    ~MinimapView() override;

protected:
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void refit();

    CanvasView &m_canvas;
};

} // namespace meshpad::gui
