// File › Import Nomad Jobs… as a user meets it, offscreen: the real menu
// clicked, Qt's own file dialog typed into, the merge question answered with
// a click; then what the canvas holds and paints, the report of what was not
// imported, and Edit › Undo taking the whole import back in one step. A job
// file with a syntax error says FILE:LINE:COLUMN and changes nothing.
// File › Import from Cluster… on the window's own lab (the post's jobs
// registered through its Nomad API, an intention through its Consul API),
// and Cancel while a target does not answer.
//
// MESHPAD_IMPORT_SCREENSHOT=prefix also saves the window after the post's
// jobs are imported (prefix-window.png), the report of a merge
// (prefix-report.png) and of a job with a template (prefix-notimported.png),
// and Import from Cluster while it reads (prefix-cluster.png).

#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "canvas/serviceitem.h"
#include "canvas/upstreamitem.h"
#include "deploy/deploydialog.h"
#include "import/importreportdialog.h"
#include "mainwindow.h"
#include "support/menuclick.h"
#include "support/modaldialogs.h"
#include "support/privatesettings.h"

#include "deploy/targetprofiles.h"
#include "importer/fileimport.h"
#include "lab/lab.h"
#include "model/projectfile.h"
#include "model/topologymodel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <memory>

using namespace mesh::model;
using meshpad::gui::DeployDialog;
using meshpad::gui::ImportReportDialog;
using meshpad::gui::MainWindow;
using meshpad::gui::ServiceItem;
using meshtest::clickMenuItem;
using meshtest::visibleMessageBox;
using meshtest::whenModal;

namespace {

constexpr int kTimeoutMs = 10000;
// The lab comes up in a few seconds; the margin is for a loaded machine.
constexpr int kLabTimeoutMs = 60'000;

QString postJob(const QString &name)
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/jobs/") + name;
}

// What the file name field takes for several files: each one quoted.
QString quoted(const QStringList &paths)
{
    QStringList parts;
    for (const QString &path : paths)
        parts.append(u'"' + path + u'"');
    return parts.join(u' ');
}

ImportReportDialog *visibleReport(const QWidget *parent)
{
    for (ImportReportDialog *report : parent->findChildren<ImportReportDialog *>()) {
        if (report->isVisible())
            return report;
    }
    return nullptr;
}

// Answers the next file dialog as a user does: types `text` (one path, or
// several quoted) and clicks Open. Records the folder it opened in.
void answerFileDialog(QObject *context, const QString &text, QString *openedIn = nullptr)
{
    whenModal<QFileDialog>(context, [text, openedIn](QFileDialog *dialog) {
        if (openedIn)
            *openedIn = dialog->directory().absolutePath();
        auto *name = dialog->findChild<QLineEdit *>(u"fileNameEdit"_qs);
        if (!name) {
            dialog->reject();
            return;
        }
        // The completer's popup would take the click (see tst_mainwindow).
        name->setCompleter(nullptr);
        QTest::keyClick(name, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(name, text);
        auto *buttons = dialog->findChild<QDialogButtonBox *>(u"buttonBox"_qs);
        QTest::mouseClick(buttons->button(QDialogButtonBox::Open), Qt::LeftButton);
        if (dialog->isVisible()) // refused: let the test fail, not hang
            dialog->reject();
    });
}

// Clicks the button named `buttonName` of the merge question; records its text.
void answerImportChoice(QObject *context, const QString &buttonName, QString *question = nullptr,
                        QString *buttonText = nullptr)
{
    whenModal<QMessageBox>(context, [buttonName, question, buttonText](QMessageBox *box) {
        if (question)
            *question = box->text();
        QAbstractButton *button = box->findChild<QAbstractButton *>(buttonName);
        if (box->objectName() != u"importChoice" || !button) {
            box->reject();
            return;
        }
        if (buttonText)
            *buttonText = button->text();
        QTest::mouseClick(button, Qt::LeftButton);
    });
}

int cardsOnCanvas(const MainWindow &window)
{
    int cards = 0;
    for (const QGraphicsItem *item : window.canvas()->scene()->items())
        cards += item->type() == ServiceItem::Type;
    return cards;
}

// What the canvas paints, as text: the SVG export of the whole design.
QByteArray paintedText(const MainWindow &window)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"canvas.svg"_qs);
    if (!window.canvas()->exportSvg(path))
        return {};
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void saveScreenshot(QWidget *widget, const char *suffix)
{
    const QString prefix = qEnvironmentVariable("MESHPAD_IMPORT_SCREENSHOT");
    if (!prefix.isEmpty())
        widget->grab().save(prefix + QString::fromLatin1(suffix));
}

bool wholeDesignVisible(const MainWindow &window)
{
    const meshpad::gui::CanvasView *view = window.canvas();
    const QRectF visible = view->mapToScene(view->viewport()->rect()).boundingRect();
    return visible.contains(view->canvasScene()->designRect());
}

// A design the user made: "web" calls "count-api" (the post's counter,
// scaled to 7 here) on 9191, both at known places.
Topology shopDesign()
{
    Topology t;
    t.name = u"shop"_qs;
    Service web;
    web.id = {u"web"_qs};
    web.name = u"web"_qs;
    web.job = u"web"_qs;
    web.group = u"web"_qs;
    web.task = u"web"_qs;
    web.command = u"/usr/bin/web"_qs;
    web.port = u"8000"_qs;
    web.position = QPointF(0, 0);
    Service api = web;
    api.id = {u"api"_qs};
    api.name = u"count-api"_qs;
    api.job = u"counter"_qs;
    api.group = u"api"_qs;
    api.task = u"counter"_qs;
    api.count = 7;
    api.port = u"9001"_qs;
    api.position = QPointF(300, 200);
    t.services = {web, api};
    Upstream u;
    u.id = {u"web-to-api"_qs};
    u.downstream = web.id;
    u.destination = api.id;
    u.localBindPort = 9191;
    t.upstreams = {u};
    return t;
}

// A request to one of the lab's APIs without blocking the GUI thread: the
// status code.
int send(const QByteArray &verb, const QString &url, const QByteArray &body)
{
    QNetworkAccessManager manager;
    QNetworkRequest request{QUrl(url)};
    request.setTransferTimeout(20'000);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_qs);
    QNetworkReply *reply = manager.sendCustomRequest(request, verb, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(30'000);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    reply->deleteLater();
    return status;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestImportGui : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;

    MainWindow &showWindow(const QString &file = {})
    {
        m_window = std::make_unique<MainWindow>();
        m_window->setValidationDelay(50);
        if (!file.isEmpty())
            [&] { QVERIFY(m_window->openFile(file)); }();
        m_window->show();
        m_window->activateWindow();
        [&] { QVERIFY(QTest::qWaitForWindowActive(m_window.get())); }();
        return *m_window;
    }

    // The shop design saved in a folder of its own, and opened.
    MainWindow &showShop()
    {
        const QString path = m_home.filePath(u"designs/shop.meshpad"_qs);
        QFile::remove(path);
        [&] { QVERIFY(mesh::model::ProjectFile::save(shopDesign(), path)); }();
        return showWindow(path);
    }

    // Closes the import report if one is up; its notes.
    QStringList closeReport()
    {
        ImportReportDialog *report = visibleReport(m_window.get());
        if (!report)
            return {};
        const QStringList notes = report->notes();
        report->close();
        return notes;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(meshtest::usePrivateSettings(m_home));
        // The lab and the profile below take no token but the environment's.
        meshtest::unsetClusterEnvironment();
        QCoreApplication::setApplicationName(u"meshpad-importgui"_qs);
        // Qt's own file dialog, which a test can type into.
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
        QVERIFY(QDir().mkpath(m_home.filePath(u"designs"_qs)));
    }

    void cleanup()
    {
        if (m_window)
            m_window->undoStack().setClean(); // no "save changes?" on close
        m_window.reset();
    }

    void thePostsJobsDrawCountdashAndUndoTakesThemBack()
    {
        MainWindow &window = showWindow();
        QCOMPARE(window.model().topology().services.size(), 0);

        answerFileDialog(&window, quoted({postJob(u"counter.nomad.hcl"_qs), postJob(u"dashboard.nomad.hcl"_qs)}));
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(window.model().topology().services.size(), 2, kTimeoutMs);
        closeReport();

        const Topology &design = window.model().topology();
        const Service *dashboard = design.serviceByName(u"count-dashboard");
        const Service *api = design.serviceByName(u"count-api");
        QVERIFY(dashboard && api);
        QCOMPARE(api->job, u"counter"_qs);
        QCOMPARE(api->count, 3);
        QCOMPARE(dashboard->job, u"dashboard"_qs);
        QCOMPARE(design.upstreams.size(), 1);
        const Upstream arrow = design.upstreams.constFirst();
        QCOMPARE(arrow.downstream, dashboard->id);
        QCOMPARE(arrow.destination, api->id);
        QCOMPARE(arrow.localBindPort, 8080);
        QVERIFY(arrow.action == IntentionAction::Allow);

        // On the canvas: two cards and the arrow, laid out left to right
        // along the arrow (the dashboard calls the counter), all in view.
        const meshpad::gui::CanvasScene *scene = window.canvas()->canvasScene();
        QCOMPARE(cardsOnCanvas(window), 2);
        QVERIFY(scene->serviceItem(dashboard->id) && scene->serviceItem(api->id));
        QVERIFY(scene->upstreamItem(arrow.id));
        QVERIFY2(dashboard->position.x() + ServiceItem::kWidth <= api->position.x(),
                 qPrintable(u"%1 / %2"_qs.arg(dashboard->position.x()).arg(api->position.x())));
        QTRY_VERIFY(wholeDesignVisible(window));
        const QByteArray painted = paintedText(window);
        QVERIFY(painted.contains("count-dashboard"));
        QVERIFY(painted.contains("count-api"));
        QVERIFY(painted.contains("8080"));
        saveScreenshot(&window, "-window.png");

        // One step, undone from the Edit menu: the canvas is empty again.
        QCOMPARE(window.undoStack().count(), 1);
        QVERIFY(window.isWindowModified());
        QVERIFY(clickMenuItem(window, u"Edit"_qs, u"actionUndo"_qs));
        QTRY_COMPARE(window.model().topology().services.size(), 0);
        QCOMPARE(window.model().topology().upstreams.size(), 0);
        QCOMPARE(cardsOnCanvas(window), 0);
        QVERIFY(!window.isWindowModified());
        // …and redone, the same drawing.
        const ServiceId dashboardId = dashboard->id;
        QVERIFY(clickMenuItem(window, u"Edit"_qs, u"actionRedo"_qs));
        QTRY_COMPARE(cardsOnCanvas(window), 2);
        QVERIFY(window.model().service(dashboardId));
    }

    // A large job file is read off the GUI thread: while it is read, the
    // window's event loop keeps running (its timers tick, Import is
    // disabled), and then the import lands as usual.
    void aLargeFileIsReadWhileTheWindowKeepsResponding()
    {
        MainWindow &window = showWindow();
        // About 2 MB: 300 groups, each task with 150 env variables (few
        // cards to lay out, much to read).
        QByteArray env;
        for (int v = 0; v < 150; ++v)
            env += "        VARIABLE_" + QByteArray::number(v) + " = \"value ${NOMAD_PORT_http} "
                   + QByteArray::number(v) + "\"\n";
        QByteArray job = "job \"big\" {\n  datacenters = [\"dc1\"]\n";
        for (int i = 0; i < 300; ++i) {
            job += "  group \"g" + QByteArray::number(i)
                   + "\" {\n"
                     "    network {\n      mode = \"bridge\"\n    }\n"
                     "    service {\n      name = \"svc-"
                   + QByteArray::number(i)
                   + "\"\n      port = \"9001\"\n"
                     "      connect {\n        sidecar_service {}\n      }\n    }\n"
                     "    task \"app\" {\n      driver = \"exec\"\n"
                     "      config {\n        command = \"/bin/app\"\n        args    = [\"-port\", \"9001\"]\n      "
                     "}\n"
                     "      env {\n"
                   + env
                   + "      }\n"
                     "    }\n  }\n";
        }
        job += "}\n";
        const QString path = m_home.filePath(u"designs/big.nomad.hcl"_qs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(job);
        file.close();

        QAction *import = window.findChild<QAction *>(u"actionImportJobs"_qs);
        QVERIFY(import);
        int ticksWhileReading = 0;
        QTimer ticker;
        ticker.setInterval(5);
        connect(&ticker, &QTimer::timeout, [&] {
            if (!import->isEnabled())
                ++ticksWhileReading;
        });
        ticker.start();
        answerFileDialog(&window, path);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(window.model().topology().services.size(), 300, 60'000);
        ticker.stop();
        QVERIFY(import->isEnabled());
        // Read on the GUI thread, no tick could land between disabling and
        // enabling the action.
        QVERIFY2(ticksWhileReading >= 3, qPrintable(u"%1 ticks"_qs.arg(ticksWhileReading)));
    }

    void theUntouchedExampleIsReplacedAndComesBackOnUndo()
    {
        MainWindow &window = showWindow(QString::fromLatin1(MainWindow::kExamplePath));
        const Topology example = window.model().topology();
        QVERIFY(!example.services.isEmpty());
        QVERIFY(window.filePath().isEmpty());

        // No question: an untitled design nobody changed simply gives way.
        answerFileDialog(&window, quoted({postJob(u"counter.nomad.hcl"_qs)}));
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(window.model().topology().services.size(), 1, kTimeoutMs);
        closeReport();
        QVERIFY(!visibleMessageBox(&window));
        QCOMPARE(window.model().topology().services.constFirst().name, u"count-api"_qs);
        QCOMPARE(window.undoStack().count(), 1);

        window.undoStack().undo();
        QCOMPARE(window.model().topology(), example);
        QCOMPARE(cardsOnCanvas(window), int(example.services.size()));
    }

    // What Meshpad does not model is listed, row by row, after the import.
    void whatIsNotImportedIsListed()
    {
        MainWindow &window = showWindow();
        const QString path = m_home.filePath(u"designs/templated.nomad.hcl"_qs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(R"(job "web" {
  group "web" {
    network {
      mode = "bridge"
    }
    restart {
      attempts = 5
    }
    service {
      name = "web"
      port = "8000"
      connect {
        sidecar_service {}
      }
    }
    task "web" {
      driver = "exec"
      config {
        command = "/usr/bin/web"
      }
      template {
        data        = "greeting = {{ key `web/greeting` }}"
        destination = "local/web.conf"
      }
    }
  }
}
)");
        file.close();
        const mesh::Result<mesh::importer::JobImporter::Result> expected
            = mesh::importer::FileImport::importFiles({path});
        QVERIFY2(expected, qPrintable(expected ? QString() : expected.error().message));
        QVERIFY(!expected->notes.isEmpty());

        answerFileDialog(&window, path);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        ImportReportDialog *report = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((report = visibleReport(&window)), kTimeoutMs);
        QVERIFY(report->isModal());
        QCOMPARE(window.model().topology().services.size(), 1);
        QCOMPARE(report->notesList()->count(), expected->notes.size());
        for (const mesh::importer::ImportNote &note : expected->notes)
            QVERIFY2(report->notes().contains(note.text()), qPrintable(note.text()));
        const QString listed = report->notes().join(u'\n');
        QVERIFY2(listed.contains(u"not imported"_qs), qPrintable(listed));
        QVERIFY2(listed.contains(u"emplate"_qs), qPrintable(listed));
        QVERIFY2(report->summary().contains(u"Imported 1 service(s) and 0 arrow(s) from templated.nomad.hcl."_qs),
                 qPrintable(report->summary()));
        saveScreenshot(report, "-notimported.png");
        QTest::mouseClick(report->findChild<QPushButton *>(u"copyAllButton"_qs), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), report->text());
        QVERIFY(report->text().contains(expected->notes.constFirst().text()));
        QTest::keyClick(report, Qt::Key_Escape);
        QTRY_VERIFY(!visibleReport(&window));
    }

    void aSyntaxErrorSaysWhereAndChangesNothing()
    {
        MainWindow &window = showShop();
        const Topology before = window.model().topology();
        const QString broken = m_home.filePath(u"designs/broken.nomad.hcl"_qs);
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        // Line 3: an attribute with no value before the closing brace.
        file.write("job \"broken\" {\n  group \"g\" {\n    count =\n  }\n}\n");
        file.close();
        const mesh::Result<mesh::importer::JobImporter::Result> expected
            = mesh::importer::FileImport::importFiles({broken});
        QVERIFY(!expected);

        // The dialog opens in the open design's folder: the bare name is enough.
        QString openedIn;
        answerFileDialog(&window, u"broken.nomad.hcl"_qs, &openedIn);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = visibleMessageBox(&window)), kTimeoutMs);
        QCOMPARE(openedIn, QFileInfo(m_home.filePath(u"designs"_qs)).absoluteFilePath());
        QVERIFY2(box->text().contains(expected.error().message), qPrintable(box->text()));
        const QRegularExpression where(u"broken\\.nomad\\.hcl:(\\d+):(\\d+)"_qs);
        const QRegularExpressionMatch match = where.match(box->text());
        QVERIFY2(match.hasMatch(), qPrintable(box->text()));
        QVERIFY2(match.captured(1).toInt() >= 3 && match.captured(1).toInt() <= 4, qPrintable(box->text()));
        box->close();

        QCOMPARE(window.model().topology(), before);
        QCOMPARE(window.undoStack().count(), 0);
        QVERIFY(!window.isWindowModified());
        QVERIFY(!visibleReport(&window));
    }

    void mergeUpdatesWhatTheDesignHasAndAddsTheRestBesideIt()
    {
        MainWindow &window = showShop();
        const Topology before = window.model().topology();

        QString question;
        QString mergeText;
        answerFileDialog(&window, quoted({postJob(u"counter.nomad.hcl"_qs), postJob(u"dashboard.nomad.hcl"_qs)}));
        answerImportChoice(&window, u"mergeButton"_qs, &question, &mergeText);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(window.model().topology().services.size(), 3, kTimeoutMs);
        QVERIFY2(mergeText.remove(u'&').contains(u"Merge into shop.meshpad"_qs), qPrintable(mergeText));
        QVERIFY2(question.contains(u"counter.nomad.hcl"_qs), qPrintable(question));
        ImportReportDialog *report = nullptr;
        QTRY_VERIFY((report = visibleReport(&window)));
        QVERIFY2(report->notes().join(u'\n').contains(u"count-api was in the design already: updated in place"_qs),
                 qPrintable(report->notes().join(u'\n')));
        QVERIFY2(report->summary().contains(u"Merged counter.nomad.hcl, dashboard.nomad.hcl into shop.meshpad: "
                                            "1 service(s) added, 1 service(s) updated in place, 1 arrow(s) added."_qs),
                 qPrintable(report->summary()));
        saveScreenshot(report, "-report.png");
        closeReport();

        const Topology &design = window.model().topology();
        // The counter the design had: its id and place kept, the job's values in.
        const Service *api = design.service(ServiceId{u"api"_qs});
        QVERIFY(api);
        QCOMPARE(api->name, u"count-api"_qs);
        QCOMPARE(api->position, QPointF(300, 200));
        QCOMPARE(api->count, 3);
        QCOMPARE(api->command, u"/vagrant/apps/bin/counter"_qs);
        // The dashboard is new, right of the drawing.
        const Service *dashboard = design.serviceByName(u"count-dashboard");
        QVERIFY(dashboard);
        QVERIFY2(dashboard->position.x() >= 300 + ServiceItem::kWidth,
                 qPrintable(QString::number(dashboard->position.x())));
        // The design's arrow stays; the job's arrow joins it.
        QCOMPARE(design.upstreams.size(), 2);
        QCOMPARE(design.upstream(UpstreamId{u"web-to-api"_qs})->localBindPort, 9191);
        const QList<const Upstream *> toApi = design.upstreamsTo(api->id);
        QCOMPARE(toApi.size(), 2);
        QCOMPARE(toApi.at(1)->downstream, dashboard->id);
        QCOMPARE(toApi.at(1)->localBindPort, 8080);
        QCOMPARE(design.name, u"shop"_qs);
        QCOMPARE(window.filePath(), QFileInfo(m_home.filePath(u"designs/shop.meshpad"_qs)).absoluteFilePath());
        // The imported cards are selected and everything is in view.
        QCOMPARE(window.canvas()->selectedServices().size(), 2);
        QTRY_VERIFY(wholeDesignVisible(window));

        // The same jobs again: nothing new, said so.
        answerFileDialog(&window, quoted({postJob(u"counter.nomad.hcl"_qs), postJob(u"dashboard.nomad.hcl"_qs)}));
        answerImportChoice(&window, u"mergeButton"_qs);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_VERIFY_WITH_TIMEOUT((report = visibleReport(&window)), kTimeoutMs);
        QVERIFY2(report->summary().endsWith(u": nothing new."_qs), qPrintable(report->summary()));
        const QString notes = report->notes().join(u'\n');
        QVERIFY2(notes.contains(u"count-dashboard was in the design already and is unchanged"_qs), qPrintable(notes));
        QVERIFY2(notes.contains(u"count-dashboard → count-api was in the design already"_qs), qPrintable(notes));
        closeReport();
        QCOMPARE(window.model().topology().services.size(), 3);
        QCOMPARE(window.model().topology().upstreams.size(), 2);

        // Each import is one step; two undos bring the shop back as it was.
        QCOMPARE(window.undoStack().count(), 2);
        QVERIFY(clickMenuItem(window, u"Edit"_qs, u"actionUndo"_qs));
        QVERIFY(clickMenuItem(window, u"Edit"_qs, u"actionUndo"_qs));
        QTRY_COMPARE(window.model().topology(), before);
        QCOMPARE(cardsOnCanvas(window), 2);
        QVERIFY(!window.isWindowModified());
    }

    // The dashboard's job alone calls count-api, which it does not run: the
    // design's own count-api stays as it is and gets the arrow.
    void mergingACallerKeepsTheServiceItCalls()
    {
        MainWindow &window = showShop();
        const Service api = *window.model().service(ServiceId{u"api"_qs});

        answerFileDialog(&window, postJob(u"dashboard.nomad.hcl"_qs));
        answerImportChoice(&window, u"mergeButton"_qs);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(window.model().topology().services.size(), 3, kTimeoutMs);
        ImportReportDialog *report = nullptr;
        QTRY_VERIFY((report = visibleReport(&window)));
        const QString notes = report->notes().join(u'\n');
        QVERIFY2(notes.contains(u"count-api, which the imported jobs call, was in the design already: kept"_qs),
                 qPrintable(notes));
        closeReport();

        const Topology &design = window.model().topology();
        QCOMPARE(*design.service(api.id), api); // count 7, its job, its place
        const Service *dashboard = design.serviceByName(u"count-dashboard");
        QVERIFY(dashboard);
        const QList<const Upstream *> calls = design.upstreamsFrom(dashboard->id);
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.constFirst()->destination, api.id);
        QCOMPARE(calls.constFirst()->localBindPort, 8080);
    }

    void openAsNewDesignLeavesTheOpenOneAlone()
    {
        MainWindow &window = showShop();
        const QString shop = window.filePath();

        answerFileDialog(&window, quoted({postJob(u"counter.nomad.hcl"_qs), postJob(u"dashboard.nomad.hcl"_qs)}));
        answerImportChoice(&window, u"newDesignButton"_qs);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_VERIFY_WITH_TIMEOUT(window.model().topology().serviceByName(u"count-dashboard"), kTimeoutMs);
        closeReport();
        QCOMPARE(window.model().topology().services.size(), 2);
        QVERIFY(!window.model().topology().serviceByName(u"web"));
        QVERIFY(window.filePath().isEmpty());
        QVERIFY(window.windowTitle().startsWith(u"untitled.meshpad"_qs));
        QVERIFY(window.isWindowModified());
        // The shop on disk is as it was.
        QCOMPARE(*mesh::model::ProjectFile::load(shop), shopDesign());

        window.undoStack().undo();
        QCOMPARE(window.model().topology().services.size(), 0);
        QCOMPARE(cardsOnCanvas(window), 0);
    }

    void cancelledChoiceChangesNothing()
    {
        MainWindow &window = showShop();
        const Topology before = window.model().topology();
        answerFileDialog(&window, quoted({postJob(u"counter.nomad.hcl"_qs)}));
        bool asked = false;
        whenModal<QMessageBox>(&window, [&asked](QMessageBox *box) {
            asked = box->objectName() == u"importChoice";
            QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
        });
        // The files are read on a thread of their own; the question comes
        // once they are.
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportJobs"_qs));
        QTRY_VERIFY_WITH_TIMEOUT(asked, kTimeoutMs);
        QTRY_VERIFY(!QApplication::activeModalWidget());
        QCOMPARE(window.model().topology(), before);
        QCOMPARE(window.undoStack().count(), 0);
        QVERIFY(!visibleReport(&window));
    }

    // The post's jobs on a running cluster — the window's own lab, which
    // serves Nomad's and Consul's APIs — read back into a design, with the
    // arrow denied as the cluster's intention says.
    void importFromTheLabDrawsItsJobsAndIntentions()
    {
        MainWindow &window = showWindow();
        QSignalSpy started(&window.lab(), &mesh::lab::Lab::started);
        QVERIFY(window.startLabForDeploy());
        QVERIFY(started.wait(kLabTimeoutMs));
        const mesh::lab::LabSnapshot snapshot = window.lab().snapshot();
        QVERIFY(!snapshot.nodes.isEmpty());
        const QString nomad = snapshot.nodes.constFirst().nomadAddress;
        const QString consul = snapshot.nodes.constFirst().consulAddress;
        for (const QString &job : {u"counter.json"_qs, u"dashboard.json"_qs})
            QCOMPARE(send("POST", nomad + u"/v1/jobs"_qs, readAll(postJob(job))), 200);
        QCOMPARE(send("PUT", consul + u"/v1/config"_qs,
                      R"({"Kind": "service-intentions", "Name": "count-api",
                          "Sources": [{"Name": "count-dashboard", "Action": "deny"}]})"),
                 200);

        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportCluster"_qs));
        DeployDialog *dialog = window.deployDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->mode(), DeployDialog::Mode::Import);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        // The Deploy dialog's own targets.
        QVERIFY(dialog->selectTarget(u"lab"_qs));
        QVERIFY(dialog->selectTarget(u"environment"_qs));
        QVERIFY(dialog->selectTarget(u"lab"_qs));
        QCOMPARE(dialog->planButton()->text().remove(u'&'), u"Import"_qs);
        QTest::mouseClick(dialog->planButton(), Qt::LeftButton);

        QTRY_COMPARE_WITH_TIMEOUT(window.model().topology().services.size(), 2, kLabTimeoutMs);
        QTRY_VERIFY(!window.deployDialog());
        closeReport();
        const Topology &design = window.model().topology();
        const Service *dashboard = design.serviceByName(u"count-dashboard");
        const Service *api = design.serviceByName(u"count-api");
        QVERIFY(dashboard && api);
        QCOMPARE(api->count, 3);
        QCOMPARE(design.upstreams.size(), 1);
        QCOMPARE(design.upstreams.constFirst().downstream, dashboard->id);
        QCOMPARE(design.upstreams.constFirst().localBindPort, 8080);
        QVERIFY(design.upstreams.constFirst().action == IntentionAction::Deny);
        QCOMPARE(cardsOnCanvas(window), 2);
        QTRY_VERIFY(wholeDesignVisible(window));
        QCOMPARE(window.undoStack().count(), 1);
        window.undoStack().undo();
        QCOMPARE(cardsOnCanvas(window), 0);
    }

    // A target that accepts connections and never answers: the dialog shows
    // it is busy, the window keeps working, and Cancel gives up at once.
    void cancelStopsAnImportThatHangs()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        mesh::deploy::DeployTarget hanging;
        hanging.kind = mesh::deploy::DeployTarget::Kind::Profile;
        hanging.name = u"silent"_qs;
        hanging.consul.address = u"http://127.0.0.1:%1"_qs.arg(silent.serverPort());
        hanging.nomad.address = hanging.consul.address;
        QVERIFY(mesh::deploy::TargetProfiles::save({hanging}));

        MainWindow &window = showShop();
        const Topology before = window.model().topology();
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionImportCluster"_qs));
        DeployDialog *dialog = window.deployDialog();
        QVERIFY(dialog);
        QVERIFY(dialog->selectTarget(u"silent"_qs));
        QTest::mouseClick(dialog->planButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->stage(), DeployDialog::Stage::Planning, kTimeoutMs);
        QVERIFY(dialog->cancelButton()->isEnabled());
        QVERIFY(!dialog->planButton()->isEnabled());
        QVERIFY(dialog->busyBar() && dialog->busyBar()->isVisible());
        QVERIFY2(dialog->statusLabel()->text().contains(u"Reading the jobs"_qs),
                 qPrintable(dialog->statusLabel()->text()));
        saveScreenshot(dialog, "-cluster.png");
        // The window is not frozen meanwhile: it still takes an edit.
        window.canvas()->selectAll();
        QCOMPARE(window.canvas()->selectedServices().size(), 2);

        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
        QCOMPARE(dialog->stage(), DeployDialog::Stage::Idle);
        QVERIFY(dialog->planButton()->isEnabled());
        QVERIFY(!dialog->busyBar()->isVisible());
        QVERIFY2(dialog->statusLabel()->text().contains(u"Cancelled"_qs), qPrintable(dialog->statusLabel()->text()));
        QCOMPARE(window.model().topology(), before);
        QCOMPARE(window.undoStack().count(), 0);

        // Import again and close the dialog while it reads: the requests are
        // given up with it, and nothing reaches the design.
        QTest::mouseClick(dialog->planButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->stage(), DeployDialog::Stage::Planning, kTimeoutMs);
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"closeButton"_qs), Qt::LeftButton);
        QTRY_VERIFY(!window.deployDialog());
        QCOMPARE(window.model().topology(), before);
        QCOMPARE(window.undoStack().count(), 0);
    }
};

QTEST_MAIN(TestImportGui)
#include "tst_importgui.moc"
