#pragma once

#include "core/result.h"
#include "model/ids.h"
#include "model/topology.h"

#include <QGraphicsView>
#include <QHash>
#include <QList>
#include <QPointF>

#include <optional>
#include <utility>

class QGraphicsPathItem;
class QUndoStack;

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

class CanvasScene;

// The canvas: a view of a CanvasScene (which it creates over `model`) that
// turns gestures into undo commands pushed on `undoStack`.
//
// Mouse: drop a palette template (kTemplateMimeType) at the cursor; drag a
// card (snapped to the grid, Shift inverts); drag from a card's handle to
// another card to add an arrow (refused on itself or on an existing arrow's
// destination; Esc cancels); drag an arrow's head to retarget it; drag on
// empty canvas for rubber-band selection; wheel zooms at the cursor;
// Space+drag or the middle button pans; double-click asks to edit.
//
// Keys (while the canvas has focus; it claims them over window shortcuts
// via ShortcutOverride so the main window's menu actions with the same
// shortcuts may simply call the slots below): Delete/Backspace, Ctrl+A,
// Esc, arrow keys nudge the selection one grid step (Alt: one pixel),
// Ctrl+C/X/V/D, Ctrl+= / Ctrl+- / Ctrl+0 (fit).
//
// The view never edits the model directly and keeps no design state.
class CanvasView final : public QGraphicsView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CanvasView)

public:
    CanvasView(mesh::model::TopologyModel &model, QUndoStack &undoStack, QWidget *parent = nullptr);
    ~CanvasView() override;

    CanvasScene *canvasScene() const { return m_scene; }
    mesh::model::TopologyModel &model() const { return m_model; }
    QUndoStack &undoStack() const { return m_undoStack; }

    QList<mesh::model::ServiceId> selectedServices() const;
    QList<mesh::model::UpstreamId> selectedUpstreams() const;

    bool snapToGrid() const { return m_snapToGrid; }
    void setSnapToGrid(bool snap);

    // Current zoom factor (1 = 100 %).
    qreal zoom() const;

    // Renders the whole design (not the viewport) without selection marks.
    // `scale` 2 gives crisp PNGs on high-DPI screens. Errors say the file.
    mesh::Result<> exportPng(const QString &path, qreal scale = 2.0) const;
    mesh::Result<> exportSvg(const QString &path) const;

    // Adds a service from a template with its top-left at `scenePos`
    // (snapped); returns its id. The palette's double-click/Enter may use it.
    mesh::model::ServiceId addService(mesh::model::ServiceTemplate kind, QPointF scenePos);

public Q_SLOTS:
    void selectAndCenter(const mesh::model::ServiceId &id);
    void selectAndCenterUpstream(const mesh::model::UpstreamId &id);

    void deleteSelection();
    void selectAll();
    void copy();
    void cut();
    // At the cursor if it is over the canvas, else beside the copied items.
    void paste();
    void duplicate();
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void resetZoom();
    // Lays the whole design out left to right (one undo step).
    void autoLayout();

Q_SIGNALS:
    void selectionChanged();
    void serviceEditRequested(const mesh::model::ServiceId &id);
    void upstreamEditRequested(const mesh::model::UpstreamId &id);
    void zoomChanged(qreal zoom);

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;

private:
    enum class Mode { Idle, Moving, Connecting, Retargeting, Panning };

    void setZoom(qreal factor, QPointF viewportAnchor);
    void updateSceneRect();
    QPointF snapped(QPointF p, Qt::KeyboardModifiers modifiers) const;
    bool isAcceptableTarget(const mesh::model::ServiceId &target) const;
    void updateRubberLine(QPointF scenePos);
    void finishConnection(QPointF scenePos);
    void cancelConnection();
    void startConnection(const mesh::model::ServiceId &from, QPointF scenePos);
    // What both pictures show: the design's bounds with a margin (an error
    // for an empty design), painted without selection and hover marks.
    mesh::Result<QRectF> exportSource() const;
    void renderForExport(QPainter &painter, const QRectF &target, const QRectF &source) const;
    mesh::model::ServiceId connectionSource() const;
    void nudge(QPointF delta);
    QPointF pasteTopLeft(const mesh::model::Topology &fragment) const;
    void pasteFragment(const mesh::model::Topology &fragment, QPointF topLeft, const QString &text);

    mesh::model::TopologyModel &m_model;
    QUndoStack &m_undoStack;
    CanvasScene *m_scene = nullptr;
    bool m_snapToGrid = true;
    bool m_spaceHeld = false;

    Mode m_mode = Mode::Idle;
    QPoint m_panLast;
    QPointF m_pressScenePos;
    quint64 m_gesture = 0;
    QPoint m_pressViewPos;
    bool m_moveStarted = false;
    QList<std::pair<mesh::model::ServiceId, QPointF>> m_moveStart; // positions at press
    mesh::model::ServiceId m_connectFrom;                          // Connecting
    mesh::model::UpstreamId m_retargeting;                         // Retargeting
    QGraphicsPathItem *m_rubberLine = nullptr;
};

} // namespace meshpad::gui
