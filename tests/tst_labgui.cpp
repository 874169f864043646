// The GUI's Run, offscreen: the main window on the countdash example runs it
// on the real embedded lab (real sockets, mTLS sidecars, the in-process
// counter and dashboard), and the test looks where a user looks — the cards'
// instances and health, the arrow's traffic, lock and cross, the Lab dock's
// rows, log and link, the Charts — while pressing the buttons a user presses.
// Traffic comes from a real page connection: a WebSocket to the dashboard's
// /ws makes it fetch the count through its upstream.

#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "canvas/serviceitem.h"
#include "canvas/upstreamitem.h"
#include "commands/updateservicecommand.h"
#include "docks/chartsdock.h"
#include "docks/labdock.h"
#include "docks/problemsdock.h"
#include "mainwindow.h"
#include "support/canvaspaint.h"
#include "support/privatesettings.h"
#include "support/windowlookup.h"

#include "lab/lab.h"
#include "model/topologymodel.h"

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QDesktopServices>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUrl>
#include <QWebSocket>

#include <memory>

using namespace mesh::model;
using meshpad::gui::MainWindow;
using namespace meshpad::test;
using meshtest::serviceIdByName;
using meshtest::windowAction;

namespace {

// Placing four allocations, certificates and sidecars takes well under a
// second here; the margin is for a loaded 2-core machine.
constexpr int kLabTimeoutMs = 15000;

QString example()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

// The last instance the Lab dock lists of `service`.
mesh::lab::InstanceSnapshot instanceOf(const MainWindow &window, const ServiceId &service)
{
    mesh::lab::InstanceSnapshot found;
    for (const mesh::lab::InstanceSnapshot &i : window.labDock()->snapshot().instances) {
        if (i.serviceId == service)
            found = i;
    }
    return found;
}

QAbstractButton *drill(const MainWindow &window, const char *objectName)
{
    return window.labDock()->findChild<QAbstractButton *>(QString::fromLatin1(objectName));
}

// The dashboard page's WebSocket address for the lab's dashboard URL.
QUrl pageSocketUrl(const QString &dashboardUrl)
{
    QUrl url(dashboardUrl);
    url.setScheme(u"ws"_qs);
    url.setPath(u"/ws"_qs);
    return url;
}

} // namespace

class TestLabGui : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;
    QList<QUrl> m_opened;

    // The example in a new m_window, shown; true once it is on screen.
    [[nodiscard]] bool openExample()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->setValidationDelay(50);
        if (!m_window->openFile(example())) {
            qWarning("the example did not open");
            return false;
        }
        m_window->show();
        return QTest::qWaitForWindowExposed(m_window.get());
    }

    // Presses Run and waits until both cards show every instance running
    // and passing.
    [[nodiscard]] bool runUntilHealthy(MainWindow &window)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            QAction *run = windowAction(window, u"actionLabRun"_qs);
            QVERIFY(run);
            QVERIFY(run->isEnabled());
            run->trigger();
            const auto *scene = window.canvas()->canvasScene();
            const ServiceId api = serviceIdByName(window, u"count-api");
            const ServiceId dashboard = serviceIdByName(window, u"count-dashboard");
            const auto healthy = [&](const ServiceId &id) {
                const meshpad::gui::ServiceLive *live = scene->serviceLive(id);
                return live && live->running == live->desired && live->health == mesh::lab::HealthStatus::Passing;
            };
            QTRY_VERIFY_WITH_TIMEOUT(healthy(api) && healthy(dashboard), kLabTimeoutMs);
            QTRY_VERIFY_WITH_TIMEOUT(window.labState() == MainWindow::LabState::Running, kLabTimeoutMs);
        }();
        return !QTest::currentTestFailed();
    }

    // The example in m_window, opened and run until healthy.
    [[nodiscard]] bool runExample() { return openExample() && runUntilHealthy(*m_window); }

    // A page on the dashboard: it fetches the count through its upstream
    // once a second while the socket is open. Returns the messages received.
    std::unique_ptr<QWebSocket> openPage(const MainWindow &window, QStringList *messages)
    {
        auto socket = std::make_unique<QWebSocket>();
        connect(socket.get(), &QWebSocket::textMessageReceived, this,
                [messages](const QString &message) { messages->append(message); });
        socket->open(pageSocketUrl(window.labDock()->dashboardUrl()));
        return socket;
    }

public Q_SLOTS:
    // QDesktopServices' handler for http(s) in this test: records instead of
    // starting a browser.
    void openUrl(const QUrl &url) { m_opened.append(url); }

private Q_SLOTS:
    void initTestCase()
    {
        // Settings and the lab's CA (under the data directory) of this test only.
        QVERIFY(meshtest::usePrivateSettings(m_home));
        QCoreApplication::setApplicationName(u"meshpad"_qs);
        QDesktopServices::setUrlHandler(u"http"_qs, this, "openUrl");
    }

    void cleanupTestCase() { QDesktopServices::unsetUrlHandler(u"http"_qs); }

    void cleanup()
    {
        if (m_window)
            m_window->undoStack().setClean(); // no "save changes?" on close
        m_window.reset();
        m_opened.clear();
    }

    void runAndStopAreListedWithTheirKeys()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        QAction *run = windowAction(window, u"actionLabRun"_qs);
        QAction *stop = windowAction(window, u"actionLabStop"_qs);
        QVERIFY(run && stop);
        QCOMPARE(run->shortcut(), QKeySequence(Qt::Key_F5));
        QCOMPARE(stop->shortcut(), QKeySequence(Qt::SHIFT | Qt::Key_F5));
        QVERIFY(run->isEnabled());
        QVERIFY(!stop->isEnabled());
        QVERIFY(!window.canvas()->canvasScene()->isLive());
    }

    void invalidDesignIsRefusedAndPointsToProblems()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        // Two services of one name: an error Consul would refuse.
        Service api = *window.model().service(serviceIdByName(window, u"count-api"));
        api.name = u"count-dashboard"_qs;
        window.undoStack().push(new meshpad::gui::UpdateServiceCommand(window.model(), api, u"name"_qs));

        windowAction(window, u"actionLabRun"_qs)->trigger();

        QMessageBox *box = window.findChild<QMessageBox *>(u"errorMessage"_qs);
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY2(box->text().contains(u"error"), qPrintable(box->text()));
        QVERIFY2(box->text().contains(u"Problems"), qPrintable(box->text()));
        QVERIFY(window.problems()->isVisible());
        QVERIFY(!window.problems()->problems().isEmpty());
        QVERIFY(window.labState() == MainWindow::LabState::Idle);
        QVERIFY(!window.lab().isRunning());
        QVERIFY(windowAction(window, u"actionLabRun"_qs)->isEnabled());
        box->close();
    }

    void runShowsHealthAndTrafficAndStopClearsThem()
    {
        QVERIFY(runExample());
        MainWindow &window = *m_window;
        auto *scene = window.canvas()->canvasScene();
        const ServiceId api = serviceIdByName(window, u"count-api");
        const ServiceId dashboard = serviceIdByName(window, u"count-dashboard");
        const UpstreamId arrow = window.model().topology().upstreams.constFirst().id;
        QCOMPARE(paintedRunning(*scene->serviceItem(api)), u"3/3 running"_qs);
        QCOMPARE(paintedRunning(*scene->serviceItem(dashboard)), u"1/1 running"_qs);
        QVERIFY(paintsLock(*scene->upstreamItem(arrow)));
        QVERIFY(!paintsCrossOut(*scene->upstreamItem(arrow)));

        // The Lab dock lists the four allocations and links the dashboard.
        QTreeWidget *instances = window.labDock()->instanceView();
        QCOMPARE(instances->topLevelItemCount(), 4);
        const QString url = window.labDock()->dashboardUrl();
        // On a lab node's own loopback address, not 127.0.0.1.
        QVERIFY2(url.startsWith(u"http://127.") && !url.startsWith(u"http://127.0.0.1"), qPrintable(url));
        QVERIFY(window.labDock()->dashboardLink()->text().contains(url));
        // The link as a user follows it: the QLabel's linkActivated.
        Q_EMIT window.labDock()->dashboardLink()->linkActivated(url);
        QCOMPARE(m_opened, QList<QUrl>{QUrl(url)});
        // Where tools reach this lab's agents, and they answer.
        const auto *status = window.labDock()->findChild<QLabel *>(u"labStatus"_qs);
        QVERIFY(status);
        static const QRegularExpression apis(
            u"Consul API (http://127\\.\\d+\\.1\\.1:8500), Nomad API (http://127\\.\\d+\\.1\\.1:4646)"_qs);
        const QRegularExpressionMatch agents = apis.match(status->text());
        QVERIFY2(agents.hasMatch(), qPrintable(status->text()));
        {
            QNetworkAccessManager network;
            std::unique_ptr<QNetworkReply> jobs(network.get(QNetworkRequest(QUrl(agents.captured(2) + u"/v1/jobs"))));
            QTRY_VERIFY_WITH_TIMEOUT(jobs->isFinished(), kLabTimeoutMs);
            // The design's jobs, submitted through the Nomad API's register path.
            const QByteArray body = jobs->readAll();
            QVERIFY2(body.contains("\"ID\":\"counter\"") && body.contains("\"ID\":\"dashboard\""), body.constData());
        }

        // A page on the dashboard makes it fetch through the arrow.
        QStringList messages;
        const std::unique_ptr<QWebSocket> page = openPage(window, &messages);
        QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty() && messages.constLast().contains(u"\"count\""), kLabTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(scene->arrowLive(arrow) && scene->arrowLive(arrow)->bytesPerSecond > 0, kLabTimeoutMs);
        const QString traffic = paintedTraffic(*scene->upstreamItem(arrow));
        QVERIFY2(traffic.contains(u"/s"), qPrintable(traffic));
        QVERIFY2(!traffic.startsWith(u"0 "), qPrintable(traffic));

        // The Charts: the counters' counts and the arrow's throughput.
        const QString counterAlloc = instanceOf(window, api).allocName;
        QVERIFY(!counterAlloc.isEmpty());
        const auto *charts = window.charts();
        QTRY_VERIFY(charts->counterSeries(counterAlloc) && charts->counterSeries(counterAlloc)->count() > 0);
        QVERIFY(charts->throughputSeries(arrow));
        QTRY_VERIFY(charts->throughputSeries(arrow)->count() > 1);

        // The log tells what happened, newest at the bottom.
        const QString log = window.labDock()->eventLog()->toPlainText();
        QVERIFY2(log.contains(u"placed") && log.contains(u"healthy"), qPrintable(log));

        windowAction(window, u"actionLabStop"_qs)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.labState() == MainWindow::LabState::Idle, kLabTimeoutMs);
        QVERIFY(!scene->isLive());
        QVERIFY(paintedRunning(*scene->serviceItem(api)).isEmpty());
        QVERIFY(paintedTraffic(*scene->upstreamItem(arrow)).isEmpty());
        QVERIFY(!paintsLock(*scene->upstreamItem(arrow)));
        QCOMPARE(instances->topLevelItemCount(), 0);
        QVERIFY(windowAction(window, u"actionLabRun"_qs)->isEnabled());
        QVERIFY(!windowAction(window, u"actionLabStop"_qs)->isEnabled());
    }

    void denyFromTheLabDockCrossesTheArrowOut()
    {
        QVERIFY(runExample());
        MainWindow &window = *m_window;
        auto *scene = window.canvas()->canvasScene();
        const UpstreamId arrow = window.model().topology().upstreams.constFirst().id;
        QStringList messages;
        const std::unique_ptr<QWebSocket> page = openPage(window, &messages);

        // The drill acts on the arrow selected on the canvas.
        window.canvas()->selectAndCenterUpstream(arrow);
        QCOMPARE(window.labDock()->currentArrow(), arrow);
        QAbstractButton *deny = drill(window, "drillDeny");
        QAbstractButton *allow = drill(window, "drillAllow");
        QVERIFY(deny && allow);
        QTRY_VERIFY(deny->isEnabled());
        QTest::mouseClick(deny, Qt::LeftButton);

        QTRY_VERIFY_WITH_TIMEOUT(paintsCrossOut(*scene->upstreamItem(arrow)), kLabTimeoutMs);
        QVERIFY(paintedTraffic(*scene->upstreamItem(arrow)).startsWith(u"denied"));
        // The page's next fetches are refused by the counters' sidecars.
        QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty() && messages.constLast().contains(u"Unreachable"), kLabTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.labDock()->eventLog()->toPlainText().contains(u"denied"), kLabTimeoutMs);
        // The design is not changed by a drill.
        QVERIFY(window.model().upstream(arrow)->action == IntentionAction::Allow);

        QTRY_VERIFY(allow->isEnabled());
        QTest::mouseClick(allow, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!paintsCrossOut(*scene->upstreamItem(arrow)), kLabTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(messages.constLast().contains(u"\"count\":")
                                     && !messages.constLast().contains(u"Unreachable"),
                                 kLabTimeoutMs);
    }

    void killFromTheLabDockRestartsTheInstance()
    {
        QVERIFY(runExample());
        MainWindow &window = *m_window;
        const ServiceId api = serviceIdByName(window, u"count-api");
        const mesh::lab::InstanceSnapshot victim = instanceOf(window, api);
        QVERIFY(!victim.allocId.isEmpty());
        window.labDock()->selectInstance(victim.allocId);
        QAbstractButton *kill = drill(window, "drillKillInstance");
        QTRY_VERIFY(kill->isEnabled());
        QTest::mouseClick(kill, Qt::LeftButton);

        // The row counts the restart; the card is whole again.
        const auto restarts = [&] {
            const QTreeWidget *view = window.labDock()->instanceView();
            for (int i = 0; i < view->topLevelItemCount(); ++i) {
                if (view->topLevelItem(i)->text(0) == victim.allocName)
                    return view->topLevelItem(i)->text(view->columnCount() - 1);
            }
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(restarts(), u"1"_qs, kLabTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(paintedRunning(*window.canvas()->canvasScene()->serviceItem(api)), u"3/3 running"_qs,
                                  kLabTimeoutMs);
        const QPlainTextEdit *log = window.labDock()->eventLog();
        QTRY_VERIFY2(log->toPlainText().contains(u"failed") && log->toPlainText().contains(u"restarted"),
                     qPrintable(log->toPlainText()));
    }

    void openingAnotherDesignStopsTheLab()
    {
        QVERIFY(runExample());
        MainWindow &window = *m_window;
        QVERIFY(window.openFile(example()));
        QVERIFY(!window.canvas()->canvasScene()->isLive());
        QTRY_VERIFY_WITH_TIMEOUT(window.labState() == MainWindow::LabState::Idle, kLabTimeoutMs);
        QVERIFY(!window.lab().isRunning());
        QVERIFY(!window.canvas()->canvasScene()->isLive());
    }

    void stoppedNodeShowsLostAllocationsAndTheirReplacements()
    {
        QVERIFY(runExample());
        MainWindow &window = *m_window;
        auto *scene = window.canvas()->canvasScene();
        const ServiceId api = serviceIdByName(window, u"count-api");
        auto *node = window.labDock()->findChild<QComboBox *>(u"drillNode"_qs);
        QVERIFY(node);
        node->setCurrentIndex(node->findData(u"two"_qs));
        QTest::mouseClick(drill(window, "drillStopNode"), Qt::LeftButton);

        // The lost row, greyed, says which allocation replaced it; the
        // replacement (same name) says which one it replaces.
        const auto rowWithState = [&](const QString &prefix) -> QTreeWidgetItem * {
            QTreeWidget *view = window.labDock()->instanceView();
            for (int i = 0; i < view->topLevelItemCount(); ++i) {
                if (view->topLevelItem(i)->text(4).startsWith(prefix))
                    return view->topLevelItem(i);
            }
            return nullptr;
        };
        QTRY_VERIFY_WITH_TIMEOUT(rowWithState(u"lost, replaced by "_qs), kLabTimeoutMs);
        QTreeWidgetItem *lost = rowWithState(u"lost, replaced by "_qs);
        QCOMPARE(lost->text(2), u"two"_qs);
        QCOMPARE(lost->foreground(0).color(), window.labDock()->instanceView()->palette().placeholderText().color());
        const mesh::lab::LabSnapshot snapshot = window.labDock()->snapshot();
        const mesh::lab::InstanceSnapshot *gone = snapshot.lostAllocation(lost->toolTip(0));
        QVERIFY(gone);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithState(u"running, replaces "_qs + gone->allocId.left(8)), kLabTimeoutMs);
        QCOMPARE(rowWithState(u"running, replaces "_qs)->text(0), lost->text(0));
        QTRY_COMPARE_WITH_TIMEOUT(paintedRunning(*scene->serviceItem(api)), u"3/3 running"_qs, kLabTimeoutMs);

        // Selecting the lost row offers no drill on it.
        window.labDock()->selectInstance(gone->allocId);
        QVERIFY(!drill(window, "drillStopInstance")->isEnabled());
        QVERIFY(!drill(window, "drillStartInstance")->isEnabled());
        QVERIFY(!drill(window, "drillKillInstance")->isEnabled());

        // Node two back: the lost one stays lost, the count stays.
        QTRY_VERIFY(drill(window, "drillStartNode")->isEnabled());
        QTest::mouseClick(drill(window, "drillStartNode"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!drill(window, "drillStartNode")->isEnabled(), kLabTimeoutMs);
        QVERIFY(rowWithState(u"lost, replaced by "_qs));
        QCOMPARE(paintedRunning(*scene->serviceItem(api)), u"3/3 running"_qs);
        QCOMPARE(window.labDock()->instanceView()->topLevelItemCount(), 5);
    }

    void stopAndStartAnInstanceFromTheLabDock()
    {
        QVERIFY(runExample());
        MainWindow &window = *m_window;
        auto *scene = window.canvas()->canvasScene();
        const ServiceId api = serviceIdByName(window, u"count-api");
        const QString allocId = instanceOf(window, api).allocId;
        QVERIFY(!allocId.isEmpty());
        window.labDock()->selectInstance(allocId);
        QCOMPARE(window.labDock()->currentInstance(), allocId);

        QTest::mouseClick(drill(window, "drillStopInstance"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(paintedRunning(*scene->serviceItem(api)), u"2/3 running"_qs, kLabTimeoutMs);
        QTRY_VERIFY(drill(window, "drillStartInstance")->isEnabled());
        QTest::mouseClick(drill(window, "drillStartInstance"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(paintedRunning(*scene->serviceItem(api)), u"3/3 running"_qs, kLabTimeoutMs);
    }
};

QTEST_MAIN(TestLabGui)
#include "tst_labgui.moc"
