#include "canvasview.h"

#include "canvasclipboard.h"
#include "canvasscene.h"
#include "commands/addservicecommand.h"
#include "commands/addupstreamcommand.h"
#include "commands/layoutcommand.h"
#include "commands/moveservicescommand.h"
#include "commands/pastecommand.h"
#include "commands/removeservicescommand.h"
#include "commands/uniquenames.h"
#include "commands/updateupstreamcommand.h"
#include "graphlayout.h"
#include "model/topologymodel.h"
#include "serviceitem.h"
#include "servicetemplates.h"
#include "upstreamitem.h"

#include <QApplication>
#include <QClipboard>
#include <QCursor>
#include <QDragEnterEvent>
#include <QGraphicsPathItem>
#include <QImage>
#include <QKeyEvent>
#include <QMimeData>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QUndoStack>
#include <QWheelEvent>

#include <cmath>

namespace meshpad::gui {

using namespace mesh::model;

namespace {

constexpr qreal kMinZoom = 0.05;
constexpr qreal kMaxZoom = 4.0;
constexpr qreal kZoomStep = 1.25;
const QColor kRefusedColour(0xd6, 0x33, 0x33);

// The keys the canvas handles itself while focused. It claims them on
// ShortcutOverride, so a main-window action with the same shortcut does not
// fire instead (the action may then call the same slot when the canvas is
// not focused).
bool isCanvasKey(const QKeyEvent *event)
{
    const auto mods = event->modifiers() & ~(Qt::KeypadModifier);
    const int key = event->key();
    const bool ctrl = mods & Qt::ControlModifier;
    switch (key) {
    case Qt::Key_Delete:
    case Qt::Key_Backspace:
    case Qt::Key_Escape:
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Up:
    case Qt::Key_Down: return !ctrl;
    case Qt::Key_A:
    case Qt::Key_C:
    case Qt::Key_X:
    case Qt::Key_V:
    case Qt::Key_D:
    case Qt::Key_Z:
    case Qt::Key_Y:
    case Qt::Key_Equal:
    case Qt::Key_Plus:
    case Qt::Key_Minus:
    case Qt::Key_0: return ctrl;
    default: return false;
    }
}

} // namespace

CanvasView::CanvasView(TopologyModel &model, QUndoStack &undoStack, QWidget *parent)
    : QGraphicsView(parent)
    , m_model(model)
    , m_undoStack(undoStack)
    , m_scene(new CanvasScene(model, this))
{
    setScene(m_scene);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    // Zooming keeps the point under the cursor still; done by hand in
    // setZoom() because the built-in anchor needs a prior mouse move.
    setTransformationAnchor(QGraphicsView::NoAnchor);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    // The grid only changes with zoom and scroll; painting it for every
    // dirty region was the largest cost of a drag step on big designs.
    setCacheMode(QGraphicsView::CacheBackground);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);

    connect(m_scene, &QGraphicsScene::selectionChanged, this, &CanvasView::selectionChanged);
    connect(&model, &TopologyModel::changed, this, &CanvasView::updateSceneRect);
    connect(&model, &TopologyModel::modelReset, this, [this] {
        cancelConnection();
        m_mode = Mode::Idle;
        m_scene->setFastArrows(false);
        setSceneRect(QRectF());
        updateSceneRect();
        zoomToFit();
    });
    // A gesture must let go of what the model no longer has (an undo from
    // the menu in the middle of a drag).
    connect(&model, &TopologyModel::serviceAboutToBeRemoved, this, [this](const ServiceId &id) {
        if ((m_mode == Mode::Connecting || m_mode == Mode::Retargeting) && connectionSource() == id)
            cancelConnection();
    });
    connect(&model, &TopologyModel::upstreamAboutToBeRemoved, this, [this](const UpstreamId &id) {
        if (m_mode == Mode::Retargeting && m_retargeting == id)
            cancelConnection();
    });
    updateSceneRect();
}

CanvasView::~CanvasView()
{
    // The scene is our child; QWidget's destructor would delete it after this
    // object stopped being a CanvasView, while its items' removal still
    // emits selectionChanged() into us.
    disconnect(m_scene, nullptr, this, nullptr);
    setScene(nullptr);
    delete m_scene;
}

QList<ServiceId> CanvasView::selectedServices() const
{
    return m_scene->selectedServices();
}

QList<UpstreamId> CanvasView::selectedUpstreams() const
{
    return m_scene->selectedUpstreams();
}

void CanvasView::setSnapToGrid(bool snap)
{
    m_snapToGrid = snap;
}

qreal CanvasView::zoom() const
{
    return transform().m11();
}

QPointF CanvasView::snapped(QPointF p, Qt::KeyboardModifiers modifiers) const
{
    const bool snap = m_snapToGrid != bool(modifiers & Qt::ShiftModifier);
    if (!snap)
        return p;
    const qreal g = CanvasScene::kGridSize;
    return QPointF(std::round(p.x() / g) * g, std::round(p.y() / g) * g);
}

void CanvasView::updateSceneRect()
{
    // Room around the design to pan into; grows only while editing, so the
    // view never jumps under the user's hand.
    const QRectF design = m_scene->designRect();
    const qreal margin = qMax(viewport()->width(), viewport()->height()) / qMax(zoom(), kMinZoom);
    QRectF wanted = design.isNull() ? QRectF(-margin, -margin, 2 * margin, 2 * margin)
                                    : design.adjusted(-margin, -margin, margin, margin);
    wanted = wanted.united(sceneRect().isNull() ? wanted : sceneRect());
    if (wanted != sceneRect())
        setSceneRect(wanted);
}

void CanvasView::setZoom(qreal factor, QPointF viewportAnchor)
{
    factor = std::clamp(factor, kMinZoom, kMaxZoom);
    if (qFuzzyCompare(factor, zoom()))
        return;
    const QPointF sceneAnchor = mapToScene(viewportAnchor.toPoint());
    setTransform(QTransform::fromScale(factor, factor));
    updateSceneRect();
    const QPointF moved = mapFromScene(sceneAnchor) - viewportAnchor;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + int(std::lround(moved.x())));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + int(std::lround(moved.y())));
    Q_EMIT zoomChanged(zoom());
}

void CanvasView::zoomIn()
{
    setZoom(zoom() * kZoomStep, viewport()->rect().center());
}

void CanvasView::zoomOut()
{
    setZoom(zoom() / kZoomStep, viewport()->rect().center());
}

void CanvasView::resetZoom()
{
    setZoom(1.0, viewport()->rect().center());
}

void CanvasView::zoomToFit()
{
    const QRectF design = m_scene->designRect();
    if (design.isNull()) {
        setTransform(QTransform());
        centerOn(0, 0);
    } else {
        fitInView(design.adjusted(-40, -40, 40, 40), Qt::KeepAspectRatio);
        // A lone card at 300 % helps nobody: never fit beyond 100 %.
        if (zoom() > 1.0)
            setTransform(QTransform());
        else if (zoom() < kMinZoom)
            setTransform(QTransform::fromScale(kMinZoom, kMinZoom));
        updateSceneRect();
        centerOn(design.center());
    }
    Q_EMIT zoomChanged(zoom());
}

ServiceId CanvasView::addService(ServiceTemplate kind, QPointF scenePos)
{
    Service s = serviceFromTemplate(kind);
    const Topology &t = m_model.topology();
    s.name = uniqueServiceName(t, s.name);
    s.job = uniqueJobName(t, s.job);
    s.position = snapped(scenePos, Qt::NoModifier);
    auto *command = new AddServiceCommand(m_model, s);
    m_undoStack.push(command);
    const ServiceId id = command->serviceId();
    m_scene->setSelection({id});
    return id;
}

void CanvasView::selectAndCenter(const ServiceId &id)
{
    if (ServiceItem *item = m_scene->serviceItem(id)) {
        m_scene->setSelection({id});
        centerOn(item);
    }
}

void CanvasView::selectAndCenterUpstream(const UpstreamId &id)
{
    if (UpstreamItem *item = m_scene->upstreamItem(id)) {
        m_scene->setSelection({}, {id});
        centerOn(item);
    }
}

void CanvasView::deleteSelection()
{
    auto *command = new RemoveServicesCommand(m_model, selectedServices(), selectedUpstreams());
    if (command->isEmpty()) {
        delete command;
        return;
    }
    m_undoStack.push(command);
}

void CanvasView::selectAll()
{
    QList<ServiceId> services;
    for (const Service &s : m_model.topology().services)
        services.append(s.id);
    QList<UpstreamId> upstreams;
    for (const Upstream &u : m_model.topology().upstreams)
        upstreams.append(u.id);
    m_scene->setSelection(services, upstreams);
}

void CanvasView::copy()
{
    const QList<ServiceId> ids = selectedServices();
    if (ids.isEmpty())
        return;
    QGuiApplication::clipboard()->setMimeData(
        CanvasClipboard::toMimeData(CanvasClipboard::fragment(m_model.topology(), ids)));
}

void CanvasView::cut()
{
    if (selectedServices().isEmpty())
        return;
    copy();
    auto *command = new RemoveServicesCommand(m_model, selectedServices(), selectedUpstreams());
    command->setText(tr("Cut"));
    m_undoStack.push(command);
}

QPointF CanvasView::pasteTopLeft(const Topology &fragment) const
{
    const QPoint cursor = viewport()->mapFromGlobal(QCursor::pos());
    if (viewport()->isVisible() && viewport()->rect().contains(cursor))
        return snapped(mapToScene(cursor), Qt::NoModifier);
    // Not over the canvas (pasted from the menu): beside the originals.
    QPointF topLeft(std::numeric_limits<qreal>::max(), std::numeric_limits<qreal>::max());
    for (const Service &s : fragment.services)
        topLeft = QPointF(qMin(topLeft.x(), s.position.x()), qMin(topLeft.y(), s.position.y()));
    return topLeft + QPointF(2 * CanvasScene::kGridSize, 2 * CanvasScene::kGridSize);
}

void CanvasView::pasteFragment(const Topology &fragment, QPointF topLeft, const QString &text)
{
    if (fragment.services.isEmpty())
        return;
    auto *command = new PasteCommand(m_model, fragment, topLeft);
    command->setText(text);
    const QList<ServiceId> services = command->serviceIds();
    const QList<UpstreamId> upstreams = command->upstreamIds();
    m_undoStack.push(command);
    m_scene->setSelection(services, upstreams);
}

void CanvasView::paste()
{
    const std::optional<Topology> fragment = CanvasClipboard::fromMimeData(QGuiApplication::clipboard()->mimeData());
    if (!fragment)
        return;
    pasteFragment(*fragment, pasteTopLeft(*fragment), tr("Paste"));
}

void CanvasView::duplicate()
{
    const QList<ServiceId> ids = selectedServices();
    if (ids.isEmpty())
        return;
    const Topology fragment = CanvasClipboard::fragment(m_model.topology(), ids);
    QPointF topLeft(std::numeric_limits<qreal>::max(), std::numeric_limits<qreal>::max());
    for (const Service &s : fragment.services)
        topLeft = QPointF(qMin(topLeft.x(), s.position.x()), qMin(topLeft.y(), s.position.y()));
    pasteFragment(fragment, topLeft + QPointF(2 * CanvasScene::kGridSize, 2 * CanvasScene::kGridSize), tr("Duplicate"));
}

void CanvasView::autoLayout()
{
    QHash<ServiceId, QPointF> positions
        = GraphLayout::layered(m_model.topology(), QSizeF(ServiceItem::kWidth, ServiceItem::kHeight));
    for (QPointF &p : positions)
        p = snapped(p, Qt::NoModifier);
    auto *command = new LayoutCommand(m_model, positions);
    if (command->isEmpty()) {
        delete command;
        return;
    }
    m_undoStack.push(command);
}

void CanvasView::nudge(QPointF delta)
{
    QList<ServiceMove> moves;
    for (const ServiceId &id : selectedServices()) {
        if (const Service *s = m_scene->service(id))
            moves.append({id, s->position, s->position + delta});
    }
    if (!moves.isEmpty())
        m_undoStack.push(new MoveServicesCommand(m_model, moves, MoveServicesCommand::kNudgeGesture));
}

// --- connections ---------------------------------------------------------

ServiceId CanvasView::connectionSource() const
{
    if (m_mode == Mode::Connecting)
        return m_connectFrom;
    if (m_mode == Mode::Retargeting) {
        if (const Upstream *u = m_scene->upstream(m_retargeting))
            return u->downstream;
    }
    return {};
}

bool CanvasView::isAcceptableTarget(const ServiceId &target) const
{
    const ServiceId from = connectionSource();
    if (target.isNull() || from.isNull() || target == from)
        return false;
    // One arrow per pair: a second would be a second listener for the same
    // destination, which Consul allows but nobody means.
    for (const Upstream *u : m_model.topology().upstreamsFrom(from)) {
        if (u->destination == target && u->id != m_retargeting)
            return false;
    }
    return true;
}

void CanvasView::startConnection(const ServiceId &from, QPointF scenePos)
{
    m_connectFrom = from;
    m_rubberLine = new QGraphicsPathItem;
    m_rubberLine->setZValue(10);
    m_scene->addItem(m_rubberLine);
    updateRubberLine(scenePos);
}

void CanvasView::updateRubberLine(QPointF scenePos)
{
    if (!m_rubberLine)
        return;
    const ServiceItem *source = m_scene->serviceItem(connectionSource());
    if (!source)
        return;
    const ServiceItem *target = m_scene->serviceItemAt(scenePos);
    // The handle sits on the card's edge, so the drag starts over its own
    // card: refuse it visibly only once the pointer is clearly inside it.
    const QPointF fromHandle = scenePos - source->outPoint();
    const bool nearHandle = fromHandle.x() * fromHandle.x() + fromHandle.y() * fromHandle.y() < 24.0 * 24.0;
    const bool overSource = target && target == source && nearHandle;
    QPointF end = scenePos;
    QPen pen(palette().color(QPalette::Text), 2, Qt::DashLine);
    if (target && !overSource) {
        const bool accepted = isAcceptableTarget(target->serviceId());
        m_scene->setConnectionTarget(target->serviceId(), accepted);
        if (accepted) {
            end = target->inPoint();
            pen = QPen(palette().color(QPalette::Highlight), 2.5);
            viewport()->setCursor(Qt::CrossCursor);
        } else {
            pen = QPen(kRefusedColour, 2.5, Qt::DashLine);
            viewport()->setCursor(Qt::ForbiddenCursor);
        }
    } else {
        m_scene->setConnectionTarget({}, false);
        viewport()->setCursor(Qt::CrossCursor);
    }
    m_rubberLine->setPen(pen);
    m_rubberLine->setPath(UpstreamItem::curve(source->outPoint(), end));
}

void CanvasView::finishConnection(QPointF scenePos)
{
    const ServiceItem *target = m_scene->serviceItemAt(scenePos);
    const ServiceId targetId = target ? target->serviceId() : ServiceId{};
    const bool accepted = isAcceptableTarget(targetId);
    const Mode mode = m_mode;
    const ServiceId from = connectionSource();
    const UpstreamId retargeting = m_retargeting;
    cancelConnection();
    if (!accepted)
        return;
    if (mode == Mode::Connecting) {
        Upstream u;
        u.downstream = from;
        u.destination = targetId;
        u.localBindPort = firstFreeLocalBindPort(m_model.topology(), from);
        auto *command = new AddUpstreamCommand(m_model, u);
        m_undoStack.push(command);
        m_scene->setSelection({}, {command->upstreamId()});
    } else if (mode == Mode::Retargeting) {
        const Upstream *current = m_scene->upstream(retargeting);
        if (!current || current->destination == targetId)
            return;
        Upstream u = *current;
        u.destination = targetId;
        m_undoStack.push(new UpdateUpstreamCommand(m_model, u));
        m_scene->setSelection({}, {retargeting});
    }
}

void CanvasView::cancelConnection()
{
    if (UpstreamItem *item = m_scene->upstreamItem(m_retargeting))
        item->setOpacity(1.0);
    delete m_rubberLine;
    m_rubberLine = nullptr;
    m_scene->setConnectionTarget({}, false);
    m_connectFrom = {};
    m_retargeting = {};
    if (m_mode == Mode::Connecting || m_mode == Mode::Retargeting)
        m_mode = Mode::Idle;
    viewport()->unsetCursor();
}

// --- events --------------------------------------------------------------

bool CanvasView::event(QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride && isCanvasKey(static_cast<QKeyEvent *>(event))) {
        event->accept();
        return true;
    }
    // The cached grid was painted with the old palette (a light/dark switch).
    if (event->type() == QEvent::PaletteChange)
        resetCachedContent();
    return QGraphicsView::event(event);
}

void CanvasView::keyPressEvent(QKeyEvent *event)
{
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    const qreal step = (event->modifiers() & Qt::AltModifier) ? 1.0 : CanvasScene::kGridSize;
    switch (event->key()) {
    case Qt::Key_Delete:
    case Qt::Key_Backspace:
        if (m_mode == Mode::Idle)
            deleteSelection();
        return;
    case Qt::Key_Escape:
        if (m_mode == Mode::Connecting || m_mode == Mode::Retargeting)
            cancelConnection();
        else if (m_mode == Mode::Idle)
            m_scene->setSelection({});
        return;
    case Qt::Key_Left: nudge({-step, 0}); return;
    case Qt::Key_Right: nudge({step, 0}); return;
    case Qt::Key_Up: nudge({0, -step}); return;
    case Qt::Key_Down: nudge({0, step}); return;
    case Qt::Key_Space:
        if (!event->isAutoRepeat()) {
            m_spaceHeld = true;
            if (m_mode == Mode::Idle)
                viewport()->setCursor(Qt::OpenHandCursor);
        }
        return;
    default: break;
    }
    if (ctrl && m_mode == Mode::Idle) {
        switch (event->key()) {
        case Qt::Key_A: selectAll(); return;
        case Qt::Key_C: copy(); return;
        case Qt::Key_X: cut(); return;
        case Qt::Key_V: paste(); return;
        case Qt::Key_D: duplicate(); return;
        case Qt::Key_Z:
            if (shift)
                m_undoStack.redo();
            else
                m_undoStack.undo();
            return;
        case Qt::Key_Y: m_undoStack.redo(); return;
        case Qt::Key_Equal:
        case Qt::Key_Plus: zoomIn(); return;
        case Qt::Key_Minus: zoomOut(); return;
        case Qt::Key_0: zoomToFit(); return;
        default: break;
        }
    }
    QGraphicsView::keyPressEvent(event);
}

void CanvasView::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        if (m_mode == Mode::Idle)
            viewport()->unsetCursor();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void CanvasView::mousePressEvent(QMouseEvent *event)
{
    const QPoint viewPos = event->position().toPoint();
    if (m_mode != Mode::Idle) {
        event->accept();
        return;
    }
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_mode = Mode::Panning;
        m_panLast = viewPos;
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->button() != Qt::LeftButton) {
        QGraphicsView::mousePressEvent(event);
        return;
    }

    const QPointF scenePos = mapToScene(viewPos);
    // The handle first, by its own geometry: half of it lies beyond the
    // card's edge, where the card is not "under" the pointer.
    if (ServiceItem *handle = m_scene->handleAt(scenePos)) {
        m_mode = Mode::Connecting;
        startConnection(handle->serviceId(), scenePos);
        event->accept();
        return;
    }
    ServiceItem *card = m_scene->serviceItemAt(scenePos);
    // An arrow's head, unless the press is well inside a card (the head's
    // grab zone overlaps the destination's left edge).
    const qreal r = UpstreamItem::kEndGrabRadius;
    for (QGraphicsItem *item : m_scene->items(QRectF(scenePos - QPointF(r, r), QSizeF(2 * r, 2 * r)))) {
        if (item->type() != UpstreamItem::Type)
            continue;
        auto *arrow = static_cast<UpstreamItem *>(item);
        if (!arrow->isNearEnd(scenePos) || (card && scenePos.x() > arrow->endPoint().x() + 6))
            continue;
        const Upstream *u = m_scene->upstream(arrow->upstreamId());
        if (!u)
            continue;
        m_mode = Mode::Retargeting;
        m_retargeting = u->id;
        arrow->setOpacity(0.3);
        startConnection(u->downstream, scenePos);
        event->accept();
        return;
    }

    QGraphicsView::mousePressEvent(event);
    if (card) {
        // Cards are not ItemIsMovable: moving is a command per mouse move
        // (merged per gesture), so the model — and the arrows — follow.
        if (!card->isSelected()) {
            // Ctrl+click just toggled it off: nothing to drag.
            if (event->modifiers() & Qt::ControlModifier)
                return;
            m_scene->setSelection({card->serviceId()});
        }
        m_mode = Mode::Moving;
        m_moveStarted = false;
        m_pressViewPos = viewPos;
        m_pressScenePos = scenePos;
        m_gesture = MoveServicesCommand::newGesture();
        m_moveStart.clear();
        for (const ServiceId &id : selectedServices()) {
            if (const Service *s = m_scene->service(id))
                m_moveStart.append({id, s->position});
        }
    }
}

void CanvasView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint viewPos = event->position().toPoint();
    const QPointF scenePos = mapToScene(viewPos);
    switch (m_mode) {
    case Mode::Panning: {
        const QPoint delta = viewPos - m_panLast;
        m_panLast = viewPos;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    case Mode::Connecting:
    case Mode::Retargeting:
        updateRubberLine(scenePos);
        event->accept();
        return;
    case Mode::Moving: {
        if (!(event->buttons() & Qt::LeftButton))
            break;
        if (!m_moveStarted && (viewPos - m_pressViewPos).manhattanLength() < QApplication::startDragDistance()) {
            event->accept();
            return;
        }
        if (!m_moveStarted)
            m_scene->setFastArrows(true);
        m_moveStarted = true;
        const QPointF delta = scenePos - m_pressScenePos;
        QList<ServiceMove> moves;
        bool changes = false;
        for (const auto &[id, start] : std::as_const(m_moveStart)) {
            const Service *s = m_scene->service(id);
            if (!s)
                continue;
            const QPointF to = snapped(start + delta, event->modifiers());
            changes = changes || to != s->position;
            moves.append({id, s->position, to});
        }
        if (changes)
            m_undoStack.push(new MoveServicesCommand(m_model, moves, m_gesture));
        event->accept();
        return;
    }
    case Mode::Idle: break;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void CanvasView::mouseReleaseEvent(QMouseEvent *event)
{
    const QPointF scenePos = mapToScene(event->position().toPoint());
    switch (m_mode) {
    case Mode::Panning:
        if (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton) {
            m_mode = Mode::Idle;
            viewport()->setCursor(m_spaceHeld ? Qt::OpenHandCursor : Qt::ArrowCursor);
            if (!m_spaceHeld)
                viewport()->unsetCursor();
        }
        event->accept();
        return;
    case Mode::Connecting:
    case Mode::Retargeting:
        if (event->button() == Qt::LeftButton)
            finishConnection(scenePos);
        event->accept();
        return;
    case Mode::Moving:
        m_mode = Mode::Idle;
        m_gesture = 0;
        m_moveStart.clear();
        m_scene->setFastArrows(false);
        break;
    case Mode::Idle: break;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void CanvasView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const QPointF scenePos = mapToScene(event->position().toPoint());
    if (ServiceItem *card = m_scene->serviceItemAt(scenePos)) {
        Q_EMIT serviceEditRequested(card->serviceId());
        event->accept();
        return;
    }
    const qreal r = 5;
    for (QGraphicsItem *item : m_scene->items(QRectF(scenePos - QPointF(r, r), QSizeF(2 * r, 2 * r)))) {
        if (item->type() == UpstreamItem::Type) {
            Q_EMIT upstreamEditRequested(static_cast<UpstreamItem *>(item)->upstreamId());
            event->accept();
            return;
        }
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void CanvasView::wheelEvent(QWheelEvent *event)
{
    const int dy = event->angleDelta().y();
    if (dy == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    // 120 units per notch → ×1.2 per notch, smooth for touchpads' small steps.
    setZoom(zoom() * std::pow(1.2, dy / 120.0), event->position());
    event->accept();
}

void CanvasView::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasFormat(QString::fromLatin1(kTemplateMimeType))) {
        event->setDropAction(Qt::CopyAction);
        event->accept();
        return;
    }
    event->ignore();
}

void CanvasView::dragMoveEvent(QDragMoveEvent *event)
{
    if (event->mimeData()->hasFormat(QString::fromLatin1(kTemplateMimeType))) {
        event->setDropAction(Qt::CopyAction);
        event->accept();
        return;
    }
    event->ignore();
}

void CanvasView::dragLeaveEvent(QDragLeaveEvent *event)
{
    event->accept();
}

void CanvasView::dropEvent(QDropEvent *event)
{
    const QByteArray word = event->mimeData()->data(QString::fromLatin1(kTemplateMimeType));
    const std::optional<ServiceTemplate> kind = serviceTemplateFromString(QString::fromUtf8(word));
    if (!kind) {
        event->ignore();
        return;
    }
    // The card lands centred under the pointer, where the user let go.
    const QPointF centre = mapToScene(event->position().toPoint());
    addService(*kind, centre - QPointF(ServiceItem::kWidth / 2, ServiceItem::kHeight / 2));
    event->setDropAction(Qt::CopyAction);
    event->accept();
    setFocus(Qt::MouseFocusReason);
}

void CanvasView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    updateSceneRect();
}

void CanvasView::focusOutEvent(QFocusEvent *event)
{
    // Space's release goes to the new focus: drop the hand it showed (a pan
    // under way keeps its closed hand until the button is released).
    m_spaceHeld = false;
    if (m_mode == Mode::Idle)
        viewport()->unsetCursor();
    QGraphicsView::focusOutEvent(event);
}

// --- export --------------------------------------------------------------

mesh::Result<QRectF> CanvasView::exportSource() const
{
    if (m_model.topology().services.isEmpty())
        return mesh::fail(mesh::Error::Code::Invalid, tr("The design is empty: there is nothing to export."));
    return m_scene->itemsBoundingRect().adjusted(-24, -24, 24, 24);
}

void CanvasView::renderForExport(QPainter &painter, const QRectF &target, const QRectF &source) const
{
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    m_scene->setExporting(true);
    m_scene->render(&painter, target, source);
    m_scene->setExporting(false);
}

mesh::Result<> CanvasView::exportPng(const QString &path, qreal scale) const
{
    const mesh::Result<QRectF> source = exportSource();
    if (!source)
        return std::unexpected(source.error());
    QImage image((source->size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Base));
    {
        QPainter painter(&image);
        renderForExport(painter, QRectF(QPointF(), QSizeF(image.size())), *source);
    }
    if (!image.save(path, "PNG"))
        return mesh::fail(mesh::Error::Code::Io, tr("Could not write %1.").arg(path));
    return {};
}

mesh::Result<> CanvasView::exportSvg(const QString &path) const
{
    const mesh::Result<QRectF> found = exportSource();
    if (!found)
        return std::unexpected(found.error());
    const QRectF source = *found;
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(), source.size()));
    generator.setTitle(m_model.topology().name);
    generator.setDescription(tr("A Meshpad design"));
    QPainter painter;
    if (!painter.begin(&generator))
        return mesh::fail(mesh::Error::Code::Io, tr("Could not write %1.").arg(path));
    renderForExport(painter, QRectF(QPointF(), source.size()), source);
    painter.end();
    return {};
}

} // namespace meshpad::gui
