// Deploy… and Teardown… in the editor, offscreen, on the window's own
// embedded lab (started on demand as an empty cluster): the user's keys and
// clicks — Ctrl+Shift+D, Plan, Deploy, Cancel, Close — and what they see:
// the plan tree, the bars reaching healthy of desired, the cards' badges,
// the dashboard link that answers; then Teardown leaves the lab's Nomad
// with no job. A target that is down gives a clear error while the window
// keeps painting.
//
// MESHPAD_DEPLOY_SCREENSHOT=path also saves the dialog after the deploy
// (the README's docs/screenshot-deploy.png).

#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "canvas/serviceitem.h"
#include "deploy/deploydialog.h"
#include "deploy/deployprogress.h"
#include "deploy/plantreebuilder.h"
#include "mainwindow.h"
#include "support/canvaspaint.h"
#include "support/privatesettings.h"
#include "support/windowlookup.h"

#include "deploy/deploytarget.h"
#include "deploy/targetprofiles.h"
#include "lab/lab.h"
#include "model/topologymodel.h"

#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <memory>

using meshpad::gui::DeployDialog;
using meshpad::gui::MainWindow;
using meshpad::gui::PlanTreeBuilder;
using meshtest::windowAction;

namespace {

// Planning, placing four allocations and their health take a few seconds
// here; the margins are for a loaded 2-core machine.
constexpr int kPlanTimeoutMs = 60'000;
constexpr int kApplyTimeoutMs = 120'000;

QString example()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

// The top-level items of the plan tree whose change is `change`.
QStringList topLevel(const QTreeWidget *tree, const QString &change)
{
    QStringList texts;
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = tree->topLevelItem(i);
        if (item->data(0, PlanTreeBuilder::kChangeRole).toString() == change)
            texts.append(item->text(0));
    }
    return texts;
}

// GET on a URL, without blocking the GUI thread: status and body.
std::pair<int, QByteArray> get(const QString &url)
{
    QNetworkAccessManager manager;
    QNetworkRequest request{QUrl(url)};
    request.setTransferTimeout(20'000);
    QNetworkReply *reply = manager.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(30'000);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return {status, body};
}

// Ticks every 20 ms and keeps the longest gap between ticks: what a user
// would feel as a frozen window.
class StallMeter
{
public:
    StallMeter()
    {
        m_clock.start();
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            m_worst = std::max(m_worst, m_clock.restart());
            ++m_ticks;
        });
        m_timer.start(20);
    }
    qint64 worst() const { return m_worst; }
    int ticks() const { return m_ticks; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_worst = 0;
    int m_ticks = 0;
};

} // namespace

class TestDeployDialog : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;

    DeployDialog *openDialog(bool teardown)
    {
        if (teardown) {
            QAction *a = windowAction(*m_window, u"actionTeardown"_qs);
            [&] { QVERIFY(a); }();
            a->trigger();
        } else {
            // The shortcut is the window's: it must be the active one again
            // after an earlier dialog closed.
            m_window->activateWindow();
            [&] { QVERIFY(QTest::qWaitForWindowActive(m_window.get())); }();
            QTest::keyClick(m_window.get(), Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
        }
        DeployDialog *dialog = m_window->deployDialog();
        [&] {
            QVERIFY(dialog);
            QCOMPARE(dialog->mode(), teardown ? DeployDialog::Mode::Teardown : DeployDialog::Mode::Deploy);
            QVERIFY(QTest::qWaitForWindowExposed(dialog));
        }();
        return dialog;
    }

    // Plan on the lab target by the Plan button.
    [[nodiscard]] bool planOnLab(DeployDialog *dialog)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            QVERIFY(dialog->selectTarget(u"lab"_qs));
            QTest::mouseClick(dialog->planButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == DeployDialog::Stage::Planned
                                         || dialog->stage() == DeployDialog::Stage::Idle,
                                     kPlanTimeoutMs);
            QVERIFY2(dialog->stage() == DeployDialog::Stage::Planned, qPrintable(dialog->statusLabel()->text()));
        }();
        return !QTest::currentTestFailed();
    }

    QString labNomad() const
    {
        const mesh::lab::LabSnapshot snapshot = m_window->lab().snapshot();
        return snapshot.nodes.isEmpty() ? QString() : snapshot.nodes.constFirst().nomadAddress;
    }

    // Teardown… on the lab, applied; the lab's Nomad then lists no job.
    [[nodiscard]] bool teardownOnLab()
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            DeployDialog *dialog = openDialog(true);
            QVERIFY(dialog);
            QVERIFY(planOnLab(dialog));
            if (QTest::currentTestFailed())
                return;
            QVERIFY(!topLevel(dialog->planTree(), u"remove"_qs).isEmpty());
            QVERIFY(topLevel(dialog->planTree(), u"add"_qs).isEmpty());
            QVERIFY(dialog->applyButton()->isEnabled());
            QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == DeployDialog::Stage::Done, kApplyTimeoutMs);
            QVERIFY2(dialog->resultLabel()->text().contains(u"Teardown complete"),
                     qPrintable(dialog->resultLabel()->text()));
            const auto [status, body] = get(labNomad() + u"/v1/jobs"_qs);
            QCOMPARE(status, 200);
            QCOMPARE(QJsonDocument::fromJson(body).array().size(), 0);
            QTest::mouseClick(dialog->findChild<QPushButton *>(u"closeButton"_qs), Qt::LeftButton);
            QTRY_VERIFY(!m_window->deployDialog());
        }();
        return !QTest::currentTestFailed();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Profiles, settings and the lab's CA in a directory of the test's.
        QVERIFY(meshtest::usePrivateSettings(m_home));
        meshtest::unsetClusterEnvironment();
        m_window = std::make_unique<MainWindow>();
        m_window->setValidationDelay(50);
        QVERIFY(m_window->openFile(example()));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanupTestCase()
    {
        if (m_window && m_window->labState() != MainWindow::LabState::Idle) {
            QSignalSpy stopped(&m_window->lab(), &mesh::lab::Lab::stopped);
            m_window->stopLab();
            stopped.wait(20'000);
        }
        m_window.reset();
    }

    void deployThenTeardownOnTheLab()
    {
        StallMeter stalls;
        DeployDialog *dialog = openDialog(false);
        QVERIFY(dialog);
        QVERIFY(windowAction(*m_window, u"actionDeploy"_qs)->shortcut() == QKeySequence(u"Ctrl+Shift+D"_qs));

        // The lab comes up for the deploy, apart from Run.
        QVERIFY(planOnLab(dialog));
        QCOMPARE(m_window->labState(), MainWindow::LabState::Serving);
        QVERIFY(!windowAction(*m_window, u"actionLabRun"_qs)->isEnabled());

        // The two jobs as additions, green, with the dry run's verdict.
        const QStringList added = topLevel(dialog->planTree(), u"add"_qs);
        QVERIFY2(added.size() >= 2, qPrintable(added.join(u'\n')));
        QVERIFY(added.filter(u"\"counter\""_qs).size() == 1);
        QVERIFY(added.filter(u"\"dashboard\""_qs).size() == 1);
        QVERIFY(topLevel(dialog->planTree(), u"remove"_qs).isEmpty());
        const QList<QTreeWidgetItem *> allocated = dialog->planTree()->findItems(
            u"All tasks successfully allocated"_qs, Qt::MatchContains | Qt::MatchRecursive);
        QCOMPARE(allocated.size(), 2);

        QVERIFY(dialog->applyButton()->isEnabled());
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        QCOMPARE(dialog->stage(), DeployDialog::Stage::Applying);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == DeployDialog::Stage::Done, kApplyTimeoutMs);
        QVERIFY2(dialog->resultLabel()->text().contains(u"Deployed"), qPrintable(dialog->resultLabel()->text()));

        // Every bar at healthy == desired.
        const auto *progress = dialog->progress();
        for (const auto &[job, group, desired] :
             {std::tuple{u"counter"_qs, u"api"_qs, 3}, std::tuple{u"dashboard"_qs, u"dashboard"_qs, 1}}) {
            const auto bar = progress->bar(job, group);
            QVERIFY2(bar, qPrintable(job + u'/' + group));
            QCOMPARE(bar->maximum, desired);
            QCOMPARE(bar->value, desired);
            QCOMPARE(bar->text, u"%1 of %1 healthy"_qs.arg(desired));
            QCOMPARE(progress->state(job), u"successful"_qs);
        }

        // The cards show it too.
        const auto *scene = m_window->canvas()->canvasScene();
        const mesh::model::Service *api = m_window->model().topology().serviceByName(u"count-api");
        QVERIFY(api);
        QCOMPARE(meshpad::test::paintedDeploy(*scene->serviceItem(api->id)), u"deploy: 3/3 healthy"_qs);

        // The dashboard link, and it answers.
        QVERIFY(!dialog->urls().isEmpty());
        const QString url = dialog->urls().constFirst();
        QVERIFY2(url.startsWith(u"http://"), qPrintable(url));
        QVERIFY(dialog->resultLabel()->text().contains(u"href=\"" + url));
        QCOMPARE(get(url).first, 200);

        if (const QByteArray path = qgetenv("MESHPAD_DEPLOY_SCREENSHOT"); !path.isEmpty()) {
            dialog->planTree()->collapseAll();
            for (int i = 0; i < dialog->planTree()->topLevelItemCount(); ++i)
                dialog->planTree()->topLevelItem(i)->setExpanded(true);
            QTest::qWait(200);
            QVERIFY(dialog->grab().save(QString::fromLocal8Bit(path)));
        }

        // Planning again right away: nothing to do.
        QTest::mouseClick(dialog->planButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == DeployDialog::Stage::Planned, kPlanTimeoutMs);
        QVERIFY(!dialog->applyButton()->isEnabled());
        QVERIFY(topLevel(dialog->planTree(), u"add"_qs).isEmpty());

        // Closing clears the badges.
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"closeButton"_qs), Qt::LeftButton);
        QTRY_VERIFY(!m_window->deployDialog());
        QVERIFY(meshpad::test::paintedDeploy(*scene->serviceItem(api->id)).isEmpty());

        QVERIFY(teardownOnLab());
        qInfo("worst stall of the GUI thread: %lld ms", stalls.worst());
    }

    void cancelWhileWatchingDetaches()
    {
        DeployDialog *dialog = openDialog(false);
        QVERIFY(dialog);
        QVERIFY(planOnLab(dialog));
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        QCOMPARE(dialog->stage(), DeployDialog::Stage::Applying);
        QVERIFY(dialog->cancelButton()->isEnabled());
        StallMeter stalls;
        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == DeployDialog::Stage::Done, kApplyTimeoutMs);
        QVERIFY2(dialog->resultLabel()->text().contains(u"Stopped watching"),
                 qPrintable(dialog->resultLabel()->text()));
        QVERIFY(stalls.ticks() > 0);
        QVERIFY2(stalls.worst() < 2000, qPrintable(QString::number(stalls.worst())));
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"closeButton"_qs), Qt::LeftButton);
        QTRY_VERIFY(!m_window->deployDialog());
        // What was written stays: a teardown removes it.
        QVERIFY(teardownOnLab());
    }

    void closingWhilePlanningDoesNotCrash()
    {
        DeployDialog *dialog = openDialog(false);
        QVERIFY(dialog);
        QVERIFY(dialog->selectTarget(u"lab"_qs));
        QTest::mouseClick(dialog->planButton(), Qt::LeftButton);
        QTest::keyClick(dialog, Qt::Key_Escape);
        QTRY_VERIFY(!m_window->deployDialog());
        // The task ends on its own, touching nothing of the dialog.
        QTest::qWait(1000);
        QVERIFY(m_window->isVisible());
    }

    void targetThatIsDownSaysSo()
    {
        // A port nothing listens on.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        mesh::deploy::DeployTarget down;
        down.kind = mesh::deploy::DeployTarget::Kind::Profile;
        down.name = u"down"_qs;
        down.consul.address = u"http://127.0.0.1:%1"_qs.arg(port);
        down.nomad.address = u"http://127.0.0.1:%1"_qs.arg(port);
        QVERIFY(mesh::deploy::TargetProfiles::save({down}));

        DeployDialog *dialog = openDialog(false);
        QVERIFY(dialog);
        StallMeter stalls;
        // The profile is the last entry: End in the combo picks and plans it.
        dialog->targetBox()->setFocus();
        QTest::keyClick(dialog->targetBox(), Qt::Key_End);
        QCOMPARE(dialog->currentTarget(), u"down"_qs);
        QVERIFY(dialog->stage() != DeployDialog::Stage::Idle);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == DeployDialog::Stage::Idle, kPlanTimeoutMs);
        const QString status = dialog->statusLabel()->text();
        QVERIFY2(status.contains(u"Could not plan"), qPrintable(status));
        QVERIFY2(status.contains(QString::number(port)), qPrintable(status));
        QVERIFY(!dialog->applyButton()->isEnabled());
        QVERIFY(dialog->planButton()->isEnabled());
        QVERIFY(stalls.ticks() > 10);
        QVERIFY2(stalls.worst() < 2000, qPrintable(QString::number(stalls.worst())));
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"closeButton"_qs), Qt::LeftButton);
        QTRY_VERIFY(!m_window->deployDialog());
    }

    void runOnTheLabRefusesDeploy()
    {
        // Stop the lab the deploys used, then Run the design on it.
        QSignalSpy stopped(&m_window->lab(), &mesh::lab::Lab::stopped);
        m_window->stopLab();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->labState() == MainWindow::LabState::Idle, 30'000);
        windowAction(*m_window, u"actionLabRun"_qs)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->labState() == MainWindow::LabState::Running, 30'000);

        DeployDialog *dialog = openDialog(false);
        QVERIFY(dialog);
        QVERIFY(dialog->selectTarget(u"lab"_qs));
        QTest::mouseClick(dialog->planButton(), Qt::LeftButton);
        QCOMPARE(dialog->stage(), DeployDialog::Stage::Idle);
        QVERIFY2(dialog->statusLabel()->text().contains(u"Stop the lab's Run first"),
                 qPrintable(dialog->statusLabel()->text()));
        QCOMPARE(m_window->labState(), MainWindow::LabState::Running);
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"closeButton"_qs), Qt::LeftButton);
        QTRY_VERIFY(!m_window->deployDialog());
    }
};

QTEST_MAIN(TestDeployDialog)
#include "tst_deploydialog.moc"
