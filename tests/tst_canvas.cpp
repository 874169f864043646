// The canvas driven as a user drives it: real mouse and key events on the
// view's viewport, palette drops as the QDragEnter/Move/Drop events a drop
// delivers, offscreen. Every check reads the model (or what the generators
// make of it), never the items' own idea of things.

#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "canvas/minimapview.h"
#include "canvas/serviceitem.h"
#include "canvas/servicetemplates.h"
#include "canvas/upstreamitem.h"
#include "generate/artifactgenerator.h"
#include "model/projectfile.h"
#include "model/topologymodel.h"
#include "support/canvaspaint.h"

#include <QApplication>
#include <QGraphicsPathItem>
#include <QImage>
#include <QLineEdit>
#include <QMimeData>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace mesh::model;
using meshpad::gui::CanvasScene;
using meshpad::gui::CanvasView;
using meshpad::gui::MinimapView;
using meshpad::gui::ServiceItem;
using meshpad::gui::UpstreamItem;

namespace {

// One editor: model, undo stack and a shown view at 100 % with scene (0, 0)
// at a known place, so scene points map to fixed viewport pixels.
struct Editor
{
    TopologyModel model;
    QUndoStack stack;
    CanvasView view{model, stack};

    Editor()
    {
        view.resize(1200, 800);
        view.show();
        view.setFocus();
        view.resetZoom();
        view.centerOn(QPointF(400, 200));
    }

    QWidget *viewport() const { return view.viewport(); }
    QPoint at(QPointF scenePos) const { return view.mapFromScene(scenePos); }
    QString json() const { return ProjectFile::toJson(model.topology()); }

    const Service *byName(const QString &name) const { return model.topology().serviceByName(name); }
    QPointF handleOf(const QString &name) const
    {
        return byName(name)->position + QPointF(ServiceItem::kWidth, ServiceItem::kHeight / 2);
    }
    QPointF centreOf(const QString &name) const
    {
        return byName(name)->position + QPointF(ServiceItem::kWidth / 2, ServiceItem::kHeight / 2);
    }

    // What a palette drag delivers to the viewport: enter, move, drop.
    bool drop(const QByteArray &templateWord, QPointF scenePos)
    {
        QMimeData mime;
        mime.setData(QString::fromLatin1(meshpad::gui::kTemplateMimeType), templateWord);
        const QPoint p = at(scenePos);
        QDragEnterEvent enter(p, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(viewport(), &enter);
        if (!enter.isAccepted())
            return false;
        QDragMoveEvent move(p, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(viewport(), &move);
        QDropEvent dropEvent(QPointF(p), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(viewport(), &dropEvent);
        QCoreApplication::processEvents();
        return dropEvent.isAccepted();
    }

    // Press at `from`, move there in steps (as a hand does), release.
    void drag(QPointF from, QPointF to, Qt::KeyboardModifiers mods = Qt::NoModifier)
    {
        QTest::mousePress(viewport(), Qt::LeftButton, mods, at(from));
        // QTest::mouseMove carries no modifiers; a held Shift is part of
        // every move event a real drag delivers.
        for (int i = 1; i <= 4; ++i) {
            const QPoint p = at(from + (to - from) * i / 4.0);
            QMouseEvent move(QEvent::MouseMove, p, viewport()->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, mods);
            QCoreApplication::sendEvent(viewport(), &move);
        }
        QTest::mouseRelease(viewport(), Qt::LeftButton, mods, at(to));
        QCoreApplication::processEvents();
    }

    void click(QPointF scenePos, Qt::KeyboardModifiers mods = Qt::NoModifier)
    {
        QTest::mouseClick(viewport(), Qt::LeftButton, mods, at(scenePos));
        QCoreApplication::processEvents();
    }

    void key(int key, Qt::KeyboardModifiers mods = Qt::NoModifier)
    {
        QTest::keyClick(&view, Qt::Key(key), mods);
        QCoreApplication::processEvents();
    }

    // Drops a dashboard left of a counter and connects them by the handle.
    [[nodiscard]] bool buildCountdash()
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            QVERIFY(drop("dashboard", QPointF(200, 200)));
            QVERIFY(drop("counter", QPointF(700, 200)));
            drag(handleOf(QStringLiteral("count-dashboard")), centreOf(QStringLiteral("count-api")));
            QCOMPARE(model.topology().upstreams.size(), 1);
        }();
        return !QTest::currentTestFailed();
    }
};

QString nomadJob(const Topology &topology, const QString &job)
{
    const auto artifacts = mesh::generate::ArtifactGenerator::generate(topology);
    for (const auto &a : artifacts.artifacts()) {
        if (a.path.endsWith(u'/' + job + u".nomad.hcl"))
            return a.text;
    }
    return {};
}

// A drag in viewport pixels with `button` held: what a pan is, since the
// scene moves under the pointer while it happens.
void dragPixels(QWidget *viewport, Qt::MouseButton button, QPoint from, QPoint to)
{
    QTest::mousePress(viewport, button, {}, from);
    for (int i = 1; i <= 4; ++i) {
        const QPoint p = from + (to - from) * i / 4;
        QMouseEvent move(QEvent::MouseMove, p, viewport->mapToGlobal(p), Qt::NoButton, button, {});
        QCoreApplication::sendEvent(viewport, &move);
    }
    QTest::mouseRelease(viewport, button, {}, to);
    QCoreApplication::processEvents();
}

// The scene rectangle the canvas shows.
QRectF visibleRect(const CanvasView &view)
{
    return view.mapToScene(view.viewport()->rect()).boundingRect();
}

} // namespace

class TestCanvas final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dropCounterFromPalette()
    {
        Editor e;
        QVERIFY(e.drop("counter", QPointF(305, 150)));
        QCOMPARE(e.model.topology().services.size(), 1);
        const Service &s = e.model.topology().services.first();
        QVERIFY(s.templateKind == ServiceTemplate::Counter);
        QCOMPARE(s.name, QStringLiteral("count-api"));
        // Centred under the pointer, snapped to the 20 px grid.
        QCOMPARE(s.position, QPointF(200, 100));
        QCOMPARE(e.view.selectedServices(), QList<ServiceId>{s.id});
        QCOMPARE(e.stack.count(), 1);

        // A second counter gets a name (and job) of its own.
        QVERIFY(e.drop("counter", QPointF(300, 500)));
        QVERIFY(e.byName(QStringLiteral("count-api-2")));
        QCOMPARE(e.byName(QStringLiteral("count-api-2"))->job, QStringLiteral("counter-2"));

        // Anything else is refused at the door.
        QVERIFY(!e.drop("no-such-template", QPointF(600, 300)));
        QCOMPARE(e.model.topology().services.size(), 2);
    }

    void connectDashboardToCounterReachesTheNomadJob()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        const Upstream &u = e.model.topology().upstreams.first();
        QCOMPARE(u.downstream, e.byName(QStringLiteral("count-dashboard"))->id);
        QCOMPARE(u.destination, e.byName(QStringLiteral("count-api"))->id);
        QCOMPARE(u.localBindPort, 8080);
        QVERIFY(u.action == IntentionAction::Allow);
        QVERIFY(e.view.canvasScene()->upstreamItem(u.id));

        const QString job = nomadJob(e.model.topology(), QStringLiteral("dashboard"));
        QVERIFY2(job.contains(QStringLiteral("destination_name = \"count-api\"")), qPrintable(job));
        QVERIFY2(job.contains(QStringLiteral("local_bind_port  = 8080")), qPrintable(job));

        // The next arrow from the same dashboard takes the next free port.
        QVERIFY(e.drop("counter", QPointF(700, 500)));
        e.drag(e.handleOf(QStringLiteral("count-dashboard")), e.centreOf(QStringLiteral("count-api-2")));
        QCOMPARE(e.model.topology().upstreams.size(), 2);
        QCOMPARE(e.model.topology().upstreams.last().localBindPort, 8081);
    }

    // A new user grabs the handle wherever its circle is drawn: its centre
    // (on the card's edge) or its outer half, beyond the card. Every card of
    // the bundled example, real presses and moves on the viewport.
    void handleStartsAnArrowFromAnywhereOnItsCircle_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QPointF>("offset"); // from the handle's centre
        QTest::addColumn<bool>("fit");       // zoomed to fit, as the window opens a design
        const QString dashboard = QStringLiteral("count-dashboard");
        const QString api = QStringLiteral("count-api");
        // The drawn circle: radius kHandleRadius - 2 plus half its 2 px pen.
        const qreal outer = ServiceItem::kHandleRadius - 2;
        for (const bool fit : {false, true}) {
            const char *zoom = fit ? ", fitted" : ", 100 %";
            QTest::addRow("dashboard, handle centre%s", zoom) << dashboard << api << QPointF(0, 0) << fit;
            QTest::addRow("dashboard, outer half right%s", zoom) << dashboard << api << QPointF(outer, 0) << fit;
            QTest::addRow("dashboard, outer half lower right%s", zoom)
                << dashboard << api << QPointF(outer * 0.6, outer * 0.6) << fit;
            QTest::addRow("api, handle centre%s", zoom) << api << dashboard << QPointF(0, 0) << fit;
            QTest::addRow("api, outer half right%s", zoom) << api << dashboard << QPointF(outer, 0) << fit;
            QTest::addRow("api, outer half upper right%s", zoom)
                << api << dashboard << QPointF(outer * 0.6, -outer * 0.6) << fit;
            // The inner half, over the card, must keep working too.
            QTest::addRow("dashboard, inner half left%s", zoom) << dashboard << api << QPointF(-outer, 0) << fit;
            QTest::addRow("api, inner half lower left%s", zoom)
                << api << dashboard << QPointF(-outer * 0.6, outer * 0.6) << fit;
        }
    }

    void handleStartsAnArrowFromAnywhereOnItsCircle()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QPointF, offset);
        QFETCH(bool, fit);
        Editor e;
        auto example = ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
        QVERIFY2(example, qPrintable(example ? QString() : example.error().message));
        // The example's own arrow would make dashboard → api a duplicate.
        example->upstreams.clear();
        e.model.setTopology(*example);
        QCoreApplication::processEvents();
        QVERIFY(e.byName(from) && e.byName(to));
        if (fit)
            e.view.zoomToFit();

        e.drag(e.handleOf(from) + offset, e.centreOf(to));
        QCOMPARE(e.model.topology().upstreams.size(), 1);
        const Upstream &u = e.model.topology().upstreams.first();
        QCOMPARE(u.downstream, e.byName(from)->id);
        QCOMPARE(u.destination, e.byName(to)->id);
        QVERIFY(e.view.canvasScene()->upstreamItem(u.id));
    }

    // What a running lab shows is what the items paint: the foot of each
    // card, the arrow's lock and traffic, and the ✕ of a denied arrow.
    void paintedCardsAndArrowsShowTheLab()
    {
        using namespace meshpad::test;
        Editor e;
        QVERIFY(e.buildCountdash());
        CanvasScene *scene = e.view.canvasScene();
        const ServiceId dashboard = e.byName(QStringLiteral("count-dashboard"))->id;
        const ServiceId api = e.byName(QStringLiteral("count-api"))->id;
        const UpstreamId arrow = e.model.topology().upstreams.first().id;
        ServiceItem &apiCard = *scene->serviceItem(api);
        UpstreamItem &arrowItem = *scene->upstreamItem(arrow);

        // No lab: the cards say what they are, the arrow only its port.
        const Painting idle = paintItem(apiCard);
        QVERIFY2(idle.hasText(QStringLiteral("count-api")), qPrintable(idle.texts.join(u" | ")));
        QVERIFY2(idle.hasText(QStringLiteral("counter / api")), qPrintable(idle.texts.join(u" | ")));
        QCOMPARE(paintedRunning(apiCard), QString());
        QCOMPARE(paintItem(arrowItem).texts, QStringList{QStringLiteral("8080")});
        QVERIFY(!paintsLock(arrowItem));
        QVERIFY(!paintsCrossOut(arrowItem));

        meshpad::gui::LiveState live;
        live.services.insert(api, {2, 3, mesh::lab::HealthStatus::Passing});
        live.services.insert(dashboard, {1, 1, mesh::lab::HealthStatus::Passing});
        meshpad::gui::ArrowLive flowing;
        flowing.bytesPerSecond = 950;
        flowing.activeConnections = 2;
        live.arrows.insert(arrow, flowing);
        scene->setLiveState(live);
        QCOMPARE(paintItem(apiCard).textContaining(QStringLiteral("running")),
                 QStringLiteral("2/3 running  ·  passing"));
        QCOMPARE(paintedRunning(*scene->serviceItem(dashboard)), QStringLiteral("1/1 running"));
        QCOMPARE(paintedTraffic(arrowItem), QStringLiteral("950 B/s · 2 open"));
        QVERIFY(paintsLock(arrowItem));
        QVERIFY(!paintsCrossOut(arrowItem));

        // A drill denies the arrow: crossed out, and the traffic line says so.
        meshpad::gui::ArrowLive denied;
        denied.allowed = false;
        denied.refusals = 3;
        live.arrows.insert(arrow, denied);
        scene->setLiveState(live);
        QVERIFY(paintsCrossOut(arrowItem));
        QCOMPARE(paintedTraffic(arrowItem), QStringLiteral("denied · 3 refused"));

        // The lab stops: nothing of it is left on the canvas.
        scene->clearLiveState();
        QCOMPARE(paintedRunning(apiCard), QString());
        QCOMPARE(paintItem(arrowItem).texts, QStringList{QStringLiteral("8080")});
        QVERIFY(!paintsLock(arrowItem));
        QVERIFY(!paintsCrossOut(arrowItem));
    }

    void invalidTargetsAreRefusedVisibly()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        CanvasScene *scene = e.view.canvasScene();
        const ServiceId dashboard = e.byName(QStringLiteral("count-dashboard"))->id;
        const ServiceId counter = e.byName(QStringLiteral("count-api"))->id;

        // Onto itself: outlined as refused while hovering, nothing on release.
        QTest::mousePress(e.viewport(), Qt::LeftButton, {}, e.at(e.handleOf(QStringLiteral("count-dashboard"))));
        QTest::mouseMove(e.viewport(), e.at(e.centreOf(QStringLiteral("count-dashboard"))));
        QCOMPARE(scene->connectionTarget(), dashboard);
        QVERIFY(!scene->connectionTargetAccepted());
        QCOMPARE(e.viewport()->cursor().shape(), Qt::ForbiddenCursor);
        QTest::mouseRelease(e.viewport(), Qt::LeftButton, {}, e.at(e.centreOf(QStringLiteral("count-dashboard"))));
        QCOMPARE(e.model.topology().upstreams.size(), 1);
        QVERIFY(scene->connectionTarget().isNull());

        // A second arrow to the same destination: refused too.
        QTest::mousePress(e.viewport(), Qt::LeftButton, {}, e.at(e.handleOf(QStringLiteral("count-dashboard"))));
        QTest::mouseMove(e.viewport(), e.at(e.centreOf(QStringLiteral("count-api"))));
        QCOMPARE(scene->connectionTarget(), counter);
        QVERIFY(!scene->connectionTargetAccepted());
        QTest::mouseRelease(e.viewport(), Qt::LeftButton, {}, e.at(e.centreOf(QStringLiteral("count-api"))));
        QCOMPARE(e.model.topology().upstreams.size(), 1);
        QCOMPARE(e.stack.count(), 3); // two drops and the one arrow
    }

    void escapeCancelsAConnectionDrag()
    {
        Editor e;
        QVERIFY(e.drop("dashboard", QPointF(200, 200)));
        QVERIFY(e.drop("counter", QPointF(700, 200)));
        const auto rubberLines = [&] {
            int n = 0;
            for (QGraphicsItem *item : e.view.canvasScene()->items()) {
                if (item->type() == QGraphicsPathItem::Type)
                    ++n;
            }
            return n;
        };
        QTest::mousePress(e.viewport(), Qt::LeftButton, {}, e.at(e.handleOf(QStringLiteral("count-dashboard"))));
        QTest::mouseMove(e.viewport(), e.at(e.centreOf(QStringLiteral("count-api"))));
        QCOMPARE(rubberLines(), 1);
        QVERIFY(e.view.canvasScene()->connectionTargetAccepted());
        e.key(Qt::Key_Escape);
        QCOMPARE(rubberLines(), 0);
        QVERIFY(e.view.canvasScene()->connectionTarget().isNull());
        QTest::mouseRelease(e.viewport(), Qt::LeftButton, {}, e.at(e.centreOf(QStringLiteral("count-api"))));
        QVERIFY(e.model.topology().upstreams.isEmpty());
        QCOMPARE(e.stack.count(), 2);
    }

    void retargetByDraggingTheArrowHead()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        QVERIFY(e.drop("counter", QPointF(700, 500)));
        const UpstreamId arrow = e.model.topology().upstreams.first().id;
        const QPointF head = e.view.canvasScene()->upstreamItem(arrow)->endPoint();
        e.drag(head - QPointF(4, 0), e.centreOf(QStringLiteral("count-api-2")));
        QCOMPARE(e.model.upstream(arrow)->destination, e.byName(QStringLiteral("count-api-2"))->id);
        QCOMPARE(e.model.upstream(arrow)->localBindPort, 8080);
        QCOMPARE(e.view.canvasScene()->upstreamItem(arrow)->endPoint(),
                 e.view.canvasScene()->serviceItem(e.byName(QStringLiteral("count-api-2"))->id)->inPoint());
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.model.upstream(arrow)->destination, e.byName(QStringLiteral("count-api"))->id);
    }

    void dragMovesInOneStepSnappedShiftInverts()
    {
        Editor e;
        QVERIFY(e.drop("counter", QPointF(300, 300)));
        const ServiceId id = e.model.topology().services.first().id;
        const QPointF start = e.model.service(id)->position;
        e.drag(e.centreOf(QStringLiteral("count-api")), e.centreOf(QStringLiteral("count-api")) + QPointF(133, 47));
        QCOMPARE(e.model.service(id)->position, start + QPointF(140, 40));
        QCOMPARE(e.stack.count(), 2); // drop + one move, however many mouse moves

        // The arrow follows the card: it reads the model.
        e.drag(e.centreOf(QStringLiteral("count-api")), e.centreOf(QStringLiteral("count-api")) + QPointF(33, 7),
               Qt::ShiftModifier);
        QCOMPARE(e.model.service(id)->position, start + QPointF(173, 47));
        QCOMPARE(e.stack.count(), 3); // a second gesture is a second step

        // Arrow keys nudge a grid step; consecutive nudges are one step.
        e.key(Qt::Key_Right);
        e.key(Qt::Key_Right);
        e.key(Qt::Key_Down);
        QCOMPARE(e.model.service(id)->position, start + QPointF(213, 67));
        QCOMPARE(e.stack.count(), 4);
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.model.service(id)->position, start + QPointF(173, 47));
    }

    void arrowsAreFastWhileDraggingAndSmoothAfter()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        CanvasScene *scene = e.view.canvasScene();
        const QPointF from = e.centreOf(QStringLiteral("count-api"));
        QVERIFY(!scene->fastArrows());
        QTest::mousePress(e.viewport(), Qt::LeftButton, {}, e.at(from));
        QVERIFY(!scene->fastArrows()); // a press alone is not a drag
        const QPoint p = e.at(from + QPointF(60, 20));
        QMouseEvent move(QEvent::MouseMove, p, e.viewport()->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, {});
        QCoreApplication::sendEvent(e.viewport(), &move);
        QVERIFY(scene->fastArrows());
        QTest::mouseRelease(e.viewport(), Qt::LeftButton, {}, p);
        QVERIFY(!scene->fastArrows());
    }

    void deleteRemovesServiceWithArrowsAsOneStep()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        const QString before = e.json();
        e.click(e.centreOf(QStringLiteral("count-api")));
        QCOMPARE(e.view.selectedServices().size(), 1);
        // Ctrl+click adds the other card, Ctrl+click again takes it away.
        e.click(e.centreOf(QStringLiteral("count-dashboard")), Qt::ControlModifier);
        QCOMPARE(e.view.selectedServices().size(), 2);
        e.click(e.centreOf(QStringLiteral("count-dashboard")), Qt::ControlModifier);
        QCOMPARE(e.view.selectedServices(), QList<ServiceId>{e.byName(QStringLiteral("count-api"))->id});
        e.key(Qt::Key_Delete);
        QCOMPARE(e.model.topology().services.size(), 1);
        QVERIFY(e.model.topology().upstreams.isEmpty());
        QVERIFY(!e.view.canvasScene()->serviceItem(ServiceId{QStringLiteral("count-api")}));
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.json(), before);
        QCOMPARE(e.view.canvasScene()->items().size(), 3); // two cards, one arrow
    }

    void copyPasteAtTheCursorKeepsInnerArrows()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        // Rubber band around both cards, from empty canvas.
        e.drag(QPointF(20, 60), QPointF(1000, 360));
        QCOMPARE(e.view.selectedServices().size(), 2);
        e.key(Qt::Key_C, Qt::ControlModifier);
        QTest::mouseMove(e.viewport(), e.at(QPointF(100, 440)));
        e.key(Qt::Key_V, Qt::ControlModifier);

        const Topology &t = e.model.topology();
        QCOMPARE(t.services.size(), 4);
        QCOMPARE(t.upstreams.size(), 2);
        const Service *dash2 = e.byName(QStringLiteral("count-dashboard-2"));
        const Service *api2 = e.byName(QStringLiteral("count-api-2"));
        QVERIFY(dash2 && api2);
        QCOMPARE(dash2->position, QPointF(100, 440)); // the fragment's top-left at the cursor
        QCOMPARE(t.upstreams.last().downstream, dash2->id);
        QCOMPARE(t.upstreams.last().destination, api2->id);
        // The copy's dashboard calls the copy's counter.
        QCOMPARE(dash2->env.last().value, QStringLiteral("http://${NOMAD_UPSTREAM_ADDR_count_api_2}"));
        QCOMPARE(e.view.selectedServices().size(), 2);
        QCOMPARE(e.view.selectedServices().first(), dash2->id);

        // Duplicate (Ctrl+D) of the pasted pair, then one undo each.
        e.key(Qt::Key_D, Qt::ControlModifier);
        QCOMPARE(e.model.topology().services.size(), 6);
        QCOMPARE(e.model.topology().upstreams.size(), 3);
        e.key(Qt::Key_Z, Qt::ControlModifier);
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.model.topology().services.size(), 2);
        QCOMPARE(e.model.topology().upstreams.size(), 1);
    }

    void undoToTheStartAndRedoToTheEnd()
    {
        Editor e;
        const QString start = e.json();
        QVERIFY(e.buildCountdash());
        QVERIFY(e.drop("counter", QPointF(700, 500)));
        e.drag(e.centreOf(QStringLiteral("count-api")), e.centreOf(QStringLiteral("count-api")) + QPointF(60, -40));
        const UpstreamId arrow = e.model.topology().upstreams.first().id;
        e.drag(e.view.canvasScene()->upstreamItem(arrow)->endPoint() - QPointF(4, 0),
               e.centreOf(QStringLiteral("count-api-2")));
        e.click(e.centreOf(QStringLiteral("count-api")));
        e.key(Qt::Key_Delete);
        e.view.autoLayout();
        const QString end = e.json();
        QVERIFY(end != start);
        const int steps = e.stack.count();
        QCOMPARE(steps, 8);

        for (int i = 0; i < steps; ++i)
            e.key(Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(!e.stack.canUndo());
        QCOMPARE(e.json(), start);
        QVERIFY(e.view.canvasScene()->items().isEmpty());

        for (int i = 0; i < steps; ++i)
            e.key(i % 2 ? Qt::Key_Y : Qt::Key_Z, i % 2 ? Qt::ControlModifier : Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(!e.stack.canRedo());
        QCOMPARE(e.json(), end);
        QCOMPARE(e.view.canvasScene()->items().size(),
                 int(e.model.topology().services.size() + e.model.topology().upstreams.size()));
    }

    void autoLayoutIsLeftToRightInOneStep()
    {
        Editor e;
        // A chain placed backwards: c ← b ← a drawn right to left.
        QVERIFY(e.drop("generic", QPointF(900, 200)));
        QVERIFY(e.drop("generic", QPointF(500, 200)));
        QVERIFY(e.drop("generic", QPointF(100, 200)));
        // service (900), service-2 (500), service-3 (100): arrows 3→2→1 point left.
        e.drag(e.handleOf(QStringLiteral("service")), e.centreOf(QStringLiteral("service-2")));
        e.drag(e.handleOf(QStringLiteral("service-2")), e.centreOf(QStringLiteral("service-3")));
        QCOMPARE(e.model.topology().upstreams.size(), 2);
        const QString before = e.json();
        const int steps = e.stack.count();

        e.view.autoLayout();
        QCOMPARE(e.stack.count(), steps + 1);
        const qreal a = e.byName(QStringLiteral("service"))->position.x();
        const qreal b = e.byName(QStringLiteral("service-2"))->position.x();
        const qreal c = e.byName(QStringLiteral("service-3"))->position.x();
        QVERIFY2(a < b && b < c, qPrintable(QStringLiteral("%1 %2 %3").arg(a).arg(b).arg(c)));
        QVERIFY(b - a >= ServiceItem::kWidth);
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.json(), before);
    }

    void doubleClickAsksToEdit()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        QSignalSpy services(&e.view, &CanvasView::serviceEditRequested);
        QSignalSpy arrows(&e.view, &CanvasView::upstreamEditRequested);
        QTest::mouseDClick(e.viewport(), Qt::LeftButton, {}, e.at(e.centreOf(QStringLiteral("count-api"))));
        QCOMPARE(services.size(), 1);
        QCOMPARE(services.first().first().value<ServiceId>(), e.byName(QStringLiteral("count-api"))->id);
        const UpstreamItem *arrow = e.view.canvasScene()->upstreamItem(e.model.topology().upstreams.first().id);
        QTest::mouseDClick(e.viewport(), Qt::LeftButton, {}, e.at(arrow->shape().pointAtPercent(0.25)));
        QCOMPARE(arrows.size(), 1);
    }

    void zoomAtTheCursorAndFit()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        const QPoint cursor = e.at(e.centreOf(QStringLiteral("count-api")));
        const QPointF underCursor = e.view.mapToScene(cursor);
        QWheelEvent wheel(cursor, e.viewport()->mapToGlobal(cursor), {}, QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(e.viewport(), &wheel);
        QVERIFY(qAbs(e.view.zoom() - 1.44) < 0.01);
        QVERIFY((e.view.mapToScene(cursor) - underCursor).manhattanLength() < 2);

        e.key(Qt::Key_Minus, Qt::ControlModifier);
        QVERIFY(e.view.zoom() < 1.44);
        e.key(Qt::Key_0, Qt::ControlModifier);
        const QRectF visible = e.view.mapToScene(e.viewport()->rect()).boundingRect();
        QVERIFY(visible.contains(e.view.canvasScene()->designRect()));
    }

    void exportsPngAndSvg()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("design.png"));
        const QString svg = dir.filePath(QStringLiteral("design.svg"));
        QVERIFY(e.view.exportPng(png, 2.0).has_value());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 2 * 700);
        QVERIFY(e.view.exportSvg(svg).has_value());
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("count-api"));
        QVERIFY(!e.view.exportPng(dir.filePath(QStringLiteral("no/such/dir/x.png"))).has_value());
    }

    // An external service (imported, run elsewhere) is told apart at a
    // glance: a dashed outline and "external" where the job would be.
    void externalServiceCardIsDistinct()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        Topology t = e.model.topology();
        for (Service &s : t.services) {
            if (s.name == u"count-api")
                s.external = true;
        }
        e.model.setTopology(t);
        QCoreApplication::processEvents();
        QTemporaryDir dir;
        const QString svg = dir.filePath(QStringLiteral("design.svg"));
        QVERIFY(e.view.exportSvg(svg).has_value());
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains(">external<"));
        QCOMPARE(text.count("stroke-dasharray"), 1);
        QVERIFY(text.contains("count-dashboard"));
    }

    void spaceDragAndMiddleButtonPan()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        const QString design = e.json();
        const int steps = e.stack.index();
        QScrollBar *h = e.view.horizontalScrollBar();
        QScrollBar *v = e.view.verticalScrollBar();
        const QPoint card = e.at(e.centreOf(QStringLiteral("count-api")));
        const auto cursorShape = [&e] { return e.viewport()->cursor().shape(); };
        const QList<ServiceId> selected = e.view.selectedServices();

        // Space held: an open hand; a drag that starts on a card pans the
        // view with the hand and leaves the card (and the undo stack) alone.
        QTest::keyPress(&e.view, Qt::Key_Space);
        QVERIFY(cursorShape() == Qt::OpenHandCursor);
        int h0 = h->value();
        int v0 = v->value();
        QTest::mousePress(e.viewport(), Qt::LeftButton, {}, card);
        QVERIFY(cursorShape() == Qt::ClosedHandCursor);
        QTest::mouseRelease(e.viewport(), Qt::LeftButton, {}, card);
        dragPixels(e.viewport(), Qt::LeftButton, card, card + QPoint(-120, -60));
        QCOMPARE(h->value(), h0 + 120);
        QCOMPARE(v->value(), v0 + 60);
        QCOMPARE(e.json(), design);
        QCOMPARE(e.stack.index(), steps);
        QCOMPARE(e.view.selectedServices(), selected);
        QVERIFY(cursorShape() == Qt::OpenHandCursor); // still held: ready for the next drag
        QTest::keyRelease(&e.view, Qt::Key_Space);
        QVERIFY(cursorShape() == Qt::ArrowCursor);

        // Without Space the same drag moves the card again.
        const QPoint cardNow = e.at(e.centreOf(QStringLiteral("count-api")));
        h0 = h->value();
        dragPixels(e.viewport(), Qt::LeftButton, cardNow, cardNow + QPoint(40, 0));
        QCOMPARE(h->value(), h0);
        QCOMPARE(e.stack.index(), steps + 1);
        e.key(Qt::Key_Z, Qt::ControlModifier);

        // The middle button pans the same, from anywhere.
        h0 = h->value();
        v0 = v->value();
        dragPixels(e.viewport(), Qt::MiddleButton, card, card + QPoint(80, 40));
        QCOMPARE(h->value(), h0 - 80);
        QCOMPARE(v->value(), v0 - 40);
        QCOMPARE(e.json(), design);
        QCOMPARE(e.stack.index(), steps);
        QVERIFY(cursorShape() == Qt::ArrowCursor);

        // Space let go in the middle of a drag: the drag pans to its end,
        // then the cursor is the arrow again.
        QTest::keyPress(&e.view, Qt::Key_Space);
        QTest::mousePress(e.viewport(), Qt::LeftButton, {}, card);
        QTest::keyRelease(&e.view, Qt::Key_Space);
        QVERIFY(cursorShape() == Qt::ClosedHandCursor);
        h0 = h->value();
        QMouseEvent move(QEvent::MouseMove, card + QPoint(-30, 0), e.viewport()->mapToGlobal(card + QPoint(-30, 0)),
                         Qt::NoButton, Qt::LeftButton, {});
        QCoreApplication::sendEvent(e.viewport(), &move);
        QCOMPARE(h->value(), h0 + 30);
        QTest::mouseRelease(e.viewport(), Qt::LeftButton, {}, card + QPoint(-30, 0));
        QVERIFY(cursorShape() == Qt::ArrowCursor);
        QCOMPARE(e.json(), design);

        // Focus leaving while Space is down (its release goes elsewhere):
        // no hand is left behind on the canvas.
        QTest::keyPress(&e.view, Qt::Key_Space);
        QVERIFY(cursorShape() == Qt::OpenHandCursor);
        e.view.clearFocus();
        QVERIFY(cursorShape() == Qt::ArrowCursor);
        QTest::mousePress(e.viewport(), Qt::LeftButton, {}, card);
        QTest::mouseRelease(e.viewport(), Qt::LeftButton, {}, card);
        QCOMPARE(e.view.selectedServices(), QList<ServiceId>{e.byName(QStringLiteral("count-api"))->id});
    }

    void minimapShowsTheDesignAndCentresTheCanvas()
    {
        Editor e;
        QVERIFY(e.buildCountdash());
        MinimapView minimap(e.view);
        minimap.resize(240, 160);
        minimap.show();
        QVERIFY(QTest::qWaitForWindowExposed(&minimap));
        const auto shown = [&minimap] { return minimap.mapToScene(minimap.viewport()->rect()).boundingRect(); };
        QTRY_VERIFY(shown().contains(e.view.canvasScene()->designRect()));

        // The canvas shows part of a design that grows: the overview follows.
        for (int i = 0; i < 3; ++i)
            e.key(Qt::Key_Equal, Qt::ControlModifier);
        QVERIFY(e.drop("generic", QPointF(400, 300)));
        for (int i = 0; i < 30; ++i)
            e.key(Qt::Key_Down); // 600 px further down, one step
        QCOMPARE(e.stack.count(), 5);
        const QRectF design = e.view.canvasScene()->designRect();
        QVERIFY(!visibleRect(e.view).contains(design));
        QTRY_VERIFY(shown().contains(design));

        // A click centres the canvas on that point of the design.
        const qreal tolerance = 2 * shown().width() / minimap.viewport()->width(); // two minimap pixels
        const auto centredOn = [&](QPointF target) {
            const QPointF centre = visibleRect(e.view).center();
            const bool ok = (centre - target).manhattanLength() <= tolerance;
            if (!ok)
                qWarning("canvas centre %g,%g, expected %g,%g", centre.x(), centre.y(), target.x(), target.y());
            return ok;
        };
        const QPointF dashboard = e.centreOf(QStringLiteral("count-dashboard"));
        const QPoint from = minimap.mapFromScene(dashboard);
        QTest::mouseClick(minimap.viewport(), Qt::LeftButton, {}, from);
        QVERIFY(centredOn(minimap.mapToScene(from)));
        QVERIFY(visibleRect(e.view).contains(e.byName(QStringLiteral("count-dashboard"))->position));

        // A drag keeps centring under the pointer, to the card far below.
        const QPointF far = e.centreOf(QStringLiteral("service"));
        const QPoint to = minimap.mapFromScene(far);
        QTest::mousePress(minimap.viewport(), Qt::LeftButton, {}, from);
        for (int i = 1; i <= 4; ++i) {
            const QPoint p = from + (to - from) * i / 4;
            QMouseEvent move(QEvent::MouseMove, p, minimap.viewport()->mapToGlobal(p), Qt::NoButton, Qt::LeftButton,
                             {});
            QCoreApplication::sendEvent(minimap.viewport(), &move);
            QVERIFY(centredOn(minimap.mapToScene(p)));
        }
        QTest::mouseRelease(minimap.viewport(), Qt::LeftButton, {}, to);
        QVERIFY(visibleRect(e.view).contains(e.byName(QStringLiteral("service"))->position));
        QCOMPARE(e.stack.count(), 5); // looking moves nothing
        QCOMPARE(e.view.selectedServices(), QList<ServiceId>{e.byName(QStringLiteral("service"))->id});

        // Undone, the design shrinks back and the overview stays whole:
        // a wheel over it does not scroll it away from the design.
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QTRY_VERIFY(shown().contains(e.view.canvasScene()->designRect()));
        QWheelEvent wheel(QPointF(to), minimap.viewport()->mapToGlobal(QPointF(to)), {}, QPoint(0, -480), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(minimap.viewport(), &wheel);
        QVERIFY(shown().contains(e.view.canvasScene()->designRect()));
    }
};

QTEST_MAIN(TestCanvas)
#include "tst_canvas.moc"
