// The editor window as a user meets it, offscreen: real mouse clicks and key
// presses on the inspector, the problems list, the palette and the window's
// shortcuts; files opened and saved on disk; and crash recovery with the
// real `meshpad` binary killed with SIGKILL and started again.

#include "appearance.h"
#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "canvas/serviceitem.h"
#include "docks/artifactsdock.h"
#include "docks/inspectordock.h"
#include "docks/problemsdock.h"
#include "files/autosaver.h"
#include "mainwindow.h"
#include "palette/commandpalette.h"
#include "palette/palettewidget.h"
#include "palette/templatelist.h"
#include "support/menuclick.h"
#include "support/modaldialogs.h"
#include "support/privatesettings.h"
#include "support/windowlookup.h"

#include "model/projectfile.h"
#include "model/topologymodel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QImage>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStyle>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUndoStack>

#include <memory>

using namespace mesh::model;
using meshpad::gui::Appearance;
using meshpad::gui::MainWindow;
using meshtest::clickMenuItem;
using meshtest::serviceIdByName;
using meshtest::visibleMessageBox;

namespace {

constexpr int kTimeoutMs = 10000;

QString example()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

// A left click where the user sees the card: the centre of its item.
[[nodiscard]] bool clickService(MainWindow &window, const ServiceId &id)
{
    // A failing QVERIFY returns from this lambda only; the caller checks the result.
    [&] {
        meshpad::gui::CanvasView *view = window.canvas();
        const auto *item = view->canvasScene()->serviceItem(id);
        QVERIFY(item);
        const QPoint at = view->mapFromScene(item->sceneBoundingRect().center());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    }();
    return !QTest::currentTestFailed();
}

// Replaces a line edit's text by typing, as a user does: click, select all, type.
void retype(QWidget *field, const QString &text)
{
    QTest::mouseClick(field, Qt::LeftButton, {}, QPoint(10, field->height() / 2));
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(field, text);
}

QStringList recoveryFiles()
{
    return QDir(meshpad::gui::Autosaver::recoveryDirectory()).entryList({u"*.meshpad"_qs}, QDir::Files);
}

// The editor as a process of its own, as meshpad starts it, with the tests'
// switches (tests/support/editordriver.cpp): what the crash tests kill.
QString editorDriverPath()
{
    return QStringLiteral(MESHPAD_BINARY_DIR "/tests/meshpad-editor-driver");
}

// The editor process's environment, with a fast autosave.
QProcessEnvironment fastAutosaveEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"MESHPAD_AUTOSAVE_MS"_qs, u"200"_qs);
    return env;
}

// Leaves a crashed session behind: the editor process opens the example, renames
// its dashboard to `renamedTo`, autosaves, and is killed with SIGKILL (no
// chance to clean up). The caller checks QTest::currentTestFailed().
[[nodiscard]] bool crashAfterAutosave(const QString &renamedTo)
{
    // A failing QVERIFY returns from this lambda only; the caller checks the result.
    [&] {
        QVERIFY(recoveryFiles().isEmpty());
        QProcess crashed;
        crashed.setProcessEnvironment(fastAutosaveEnvironment());
        crashed.start(editorDriverPath(),
                      {u"-platform"_qs, u"offscreen"_qs, u"--no-recovery"_qs, u"--rename"_qs, renamedTo, example()});
        QVERIFY(crashed.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(!recoveryFiles().isEmpty(), kTimeoutMs);
        crashed.kill();
        QVERIFY(crashed.waitForFinished());
        QCOMPARE(crashed.exitStatus(), QProcess::CrashExit);
    }();
    return !QTest::currentTestFailed();
}

// Answers the next file dialog as a user does: type the path, click Save or
// Choose (or Esc when `path` is empty). Polls from the event loop, so it acts
// inside the dialog's own loop once the dialog is up; gives up after 10 s.
void answerFileDialog(QObject *context, const QString &path, QString *suggested = nullptr)
{
    meshtest::whenModal<QFileDialog>(context, [path, suggested](QFileDialog *dialog) {
        auto *name = dialog->findChild<QLineEdit *>(u"fileNameEdit"_qs);
        if (suggested)
            *suggested = name ? name->text() : QString();
        if (!name || path.isEmpty()) {
            QTest::keyClick(dialog, Qt::Key_Escape);
            return;
        }
        // The completer fills its list on a file-system thread and shows it
        // whenever that ends, as a popup that would take the click: typed
        // without it.
        name->setCompleter(nullptr);
        QTest::keyClick(name, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(name, path);
        auto *buttons = dialog->findChild<QDialogButtonBox *>(u"buttonBox"_qs);
        QAbstractButton *accept = buttons->button(QDialogButtonBox::Save);
        if (!accept)
            accept = buttons->button(QDialogButtonBox::Open); // a folder: "Choose"
        QTest::mouseClick(accept, Qt::LeftButton);
        if (dialog->isVisible()) // refused: let the test fail, not hang
            dialog->reject();
    });
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;

    // A copy of the example in a new m_window, shown; true once it is the
    // active window.
    [[nodiscard]] bool openExample()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->setValidationDelay(50);
        m_window->artifacts()->setDebounceInterval(50);
        // A copy: saving must not touch the repository's example.
        const QString copy = m_home.filePath(u"countdash.meshpad"_qs);
        QFile::remove(copy);
        if (!QFile::copy(example(), copy) || !QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner)
            || !m_window->openFile(copy)) {
            qWarning() << "the example's copy" << copy << "did not open";
            return false;
        }
        m_window->show();
        m_window->activateWindow();
        return QTest::qWaitForWindowActive(m_window.get());
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Settings and recovery files of this test only, shared with the
        // `meshpad` child processes through the same environment.
        QVERIFY(meshtest::usePrivateSettings(m_home));
        QCoreApplication::setApplicationName(u"meshpad"_qs);
        // Qt's own file dialog, which a test can type into, whatever the
        // desktop would offer.
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
    }

    void cleanup()
    {
        if (m_window)
            m_window->undoStack().setClean(); // no "save changes?" on close
        m_window.reset();
    }

    void brokenFileShowsTheErrorAndKeepsTheDesign()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        const Topology before = window.model().topology();
        const QString path = window.filePath();
        const QString broken = m_home.filePath(u"broken.meshpad"_qs);
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{\n  \"format\": \"meshpad\",\n  \"version\": 1,\n  \"services\": [ { \"id\": \n");
        file.close();

        QVERIFY(!window.openFile(broken));
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = visibleMessageBox(&window)), kTimeoutMs);
        // ProjectFile's own message, which says where (line:column).
        const QString expected = ProjectFile::load(broken).error().message;
        QVERIFY2(box->text().contains(expected), qPrintable(box->text()));
        QCOMPARE(window.model().topology(), before);
        QCOMPARE(window.filePath(), path);
        QVERIFY(window.undoStack().isClean());
        box->close();
    }

    void inspectorTypingIsOneUndoStepPerField()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        const ServiceId api = serviceIdByName(window, u"count-api");
        QVERIFY(clickService(window, api));
        QCOMPARE(window.canvas()->selectedServices(), QList<ServiceId>{api});
        QCOMPARE(window.inspector()->shownService(), api);
        QVERIFY(!window.isWindowModified());

        QWidget *name = window.inspector()->fieldWidget(u"name"_qs);
        QVERIFY(qobject_cast<QLineEdit *>(name));
        retype(name, u"counter-api"_qs);
        QCOMPARE(window.model().service(api)->name, u"counter-api"_qs);
        QCOMPARE(window.undoStack().count(), 1); // eleven keys, one step
        QVERIFY(window.isWindowModified());
        QVERIFY(window.windowTitle().startsWith(u"countdash.meshpad[*] — Meshpad"_qs));

        QWidget *job = window.inspector()->fieldWidget(u"job"_qs);
        retype(job, u"counting"_qs);
        QCOMPARE(window.model().service(api)->job, u"counting"_qs);
        QCOMPARE(window.undoStack().count(), 2);
        // Typing did not lose its place: the field still has focus and text.
        QCOMPARE(QApplication::focusWidget(), job);
        QCOMPARE(qobject_cast<QLineEdit *>(job)->text(), u"counting"_qs);

        QTest::keyClick(window.canvas(), Qt::Key_Z, Qt::ControlModifier); // via the Edit menu's shortcut
        QCOMPARE(window.model().service(api)->job, u"counter"_qs);
        QCOMPARE(qobject_cast<QLineEdit *>(job)->text(), u"counter"_qs); // the form follows the model
        window.undoStack().undo();
        QCOMPARE(window.model().service(api)->name, u"count-api"_qs);
        QCOMPARE(qobject_cast<QLineEdit *>(name)->text(), u"count-api"_qs);
        QVERIFY(!window.isWindowModified());
    }

    void spinBoxAndTableEditsReachTheModel()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        const ServiceId dashboard = serviceIdByName(window, u"count-dashboard");
        QVERIFY(clickService(window, dashboard));
        auto *env = qobject_cast<QTableWidget *>(window.inspector()->fieldWidget(u"env"_qs));
        QVERIFY(env);
        QCOMPARE(env->rowCount(), 2);
        // Double-click the PORT value and type a new one.
        const QRect cell = env->visualItemRect(env->item(0, 1));
        QTest::mouseDClick(env->viewport(), Qt::LeftButton, {}, cell.center());
        QWidget *editor = QApplication::focusWidget();
        QVERIFY(qobject_cast<QLineEdit *>(editor));
        QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(editor, u"9090"_qs);
        QTest::keyClick(editor, Qt::Key_Return);
        // The delegate commits on Return through a queued call.
        QTRY_COMPARE(window.model().service(dashboard)->env.at(0), (KeyValue{u"PORT"_qs, u"9090"_qs}));
        QCOMPARE(window.undoStack().count(), 1);

        auto *count = qobject_cast<QSpinBox *>(window.inspector()->fieldWidget(u"count"_qs));
        QVERIFY(count);
        retype(count, u"4"_qs);
        QCOMPARE(window.model().service(dashboard)->count, 4);
        QCOMPARE(window.undoStack().count(), 2);
    }

    void problemClickSelectsTheItemAndFocusesTheField()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        const ServiceId dashboard = serviceIdByName(window, u"count-dashboard");
        // An env name the validator refuses, typed into the inspector.
        QVERIFY(clickService(window, dashboard));
        auto *env = qobject_cast<QTableWidget *>(window.inspector()->fieldWidget(u"env"_qs));
        QTest::mouseDClick(env->viewport(), Qt::LeftButton, {}, env->visualItemRect(env->item(0, 0)).center());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(QApplication::focusWidget(), u"1PORT"_qs);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QTRY_COMPARE(window.model().service(dashboard)->env.at(0).key, u"1PORT"_qs);

        // Select the other card, so the click has something to change.
        QVERIFY(clickService(window, serviceIdByName(window, u"count-api")));
        QCOMPARE(window.inspector()->shownService(), serviceIdByName(window, u"count-api"));

        QTreeWidget *list = window.problems()->view();
        QTreeWidgetItem *row = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int i = 0; i < list->topLevelItemCount(); ++i) {
                    if (list->topLevelItem(i)->text(2) == u"env.1PORT")
                        row = list->topLevelItem(i);
                }
                return row != nullptr;
            }(),
            kTimeoutMs);
        window.problems()->show();
        window.problems()->raise();
        QTRY_VERIFY(list->isVisible());
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(row).center());

        QCOMPARE(window.canvas()->selectedServices(), QList<ServiceId>{dashboard});
        QCOMPARE(window.inspector()->shownService(), dashboard);
        QCOMPARE(QApplication::focusWidget(), env);
        QCOMPARE(env->currentRow(), 0);
        // The field is marked with the validator's message.
        QVERIFY(env->property("invalid").toBool());
        QVERIFY2(env->toolTip().contains(u"1PORT"_qs), qPrintable(env->toolTip()));
    }

    void anArgumentNamingAMissingPortMarksTheArgumentsField()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        const ServiceId api = serviceIdByName(window, u"count-api");
        QVERIFY(clickService(window, api));
        QWidget *args = window.inspector()->fieldWidget(u"args"_qs);
        QVERIFY(qobject_cast<QLineEdit *>(args));
        retype(args, u"--bind ${NOMAD_ALLOC_IP_nothere}"_qs);
        QCOMPARE(window.model().service(api)->args.size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(args->property("invalid").toBool(), kTimeoutMs);
        QVERIFY2(args->toolTip().contains(u"nothere"_qs), qPrintable(args->toolTip()));
    }

    void meshSettingsAreEditableWithNothingSelected()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        window.canvas()->scene()->clearSelection();
        QWidget *datacenter = window.inspector()->fieldWidget(u"datacenter"_qs);
        QVERIFY(qobject_cast<QLineEdit *>(datacenter));
        QTRY_VERIFY(datacenter->isVisible());

        retype(datacenter, u"DC 1"_qs);
        QCOMPARE(window.model().topology().settings.datacenter, u"DC 1"_qs);
        QCOMPARE(window.undoStack().count(), 1); // four keys, one step
        // The validator's message marks the field.
        QTRY_VERIFY_WITH_TIMEOUT(datacenter->property("invalid").toBool(), kTimeoutMs);
        QVERIFY2(datacenter->toolTip().contains(u"lowercase"_qs), qPrintable(datacenter->toolTip()));

        // Its problem, clicked while a card is selected, comes back to the field.
        QVERIFY(clickService(window, serviceIdByName(window, u"count-api")));
        QCOMPARE(window.inspector()->shownService(), serviceIdByName(window, u"count-api"));
        QTreeWidget *list = window.problems()->view();
        QTreeWidgetItem *row = nullptr;
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            if (list->topLevelItem(i)->text(2) == u"datacenter")
                row = list->topLevelItem(i);
        }
        QVERIFY(row);
        window.problems()->show();
        window.problems()->raise();
        QTRY_VERIFY(list->isVisible());
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(row).center());
        QVERIFY(window.canvas()->selectedServices().isEmpty());
        QTRY_COMPARE(QApplication::focusWidget(), datacenter);
        retype(datacenter, u"dc2"_qs);
        QCOMPARE(window.undoStack().count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!datacenter->property("invalid").toBool(), kTimeoutMs);

        auto *intention = qobject_cast<QComboBox *>(window.inspector()->fieldWidget(u"defaultIntention"_qs));
        QVERIFY(intention);
        intention->setCurrentIndex(intention->findData(u"deny"_qs));
        QVERIFY(window.model().topology().settings.defaultPolicy == mesh::model::IntentionAction::Deny);
        auto *health = qobject_cast<QSpinBox *>(window.inspector()->fieldWidget(u"lab.healthIntervalMs"_qs));
        QVERIFY(health);
        health->setValue(500);
        QCOMPARE(window.model().topology().settings.lab.healthIntervalMs, 500);
        QCOMPARE(window.undoStack().count(), 3);

        window.undoStack().undo();
        window.undoStack().undo();
        QVERIFY(window.model().topology().settings.defaultPolicy == mesh::model::IntentionAction::Allow);
        QCOMPARE(intention->currentData().toString(), u"allow"_qs); // the form follows the model
        QCOMPARE(health->value(), 2000);
        window.undoStack().undo();
        QCOMPARE(qobject_cast<QLineEdit *>(datacenter)->text(), u"dc1"_qs);
        QVERIFY(!window.isWindowModified());
    }

    void colorSchemeFollowsTheDesktopOrTheUsersChoice()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        auto &app = *qApp;
        const QColor lightWindow = QApplication::palette().color(QPalette::Window);
        QVERIFY(!Appearance::isDark(QApplication::palette()));

        qputenv("MESHPAD_COLOR_SCHEME", "dark");
        QVERIFY(Appearance::systemPrefersDark());
        Appearance::apply(app, Appearance::Scheme::System);
        QVERIFY(Appearance::isDark(QApplication::palette()));
        QCOMPARE(app.style()->name(), u"fusion"_qs);
        // Widgets and the canvas follow the palette.
        QTRY_VERIFY(Appearance::isDark(window.canvas()->palette()));
        QVERIFY(window.canvas()->canvasScene()->palette().color(QPalette::Base).lightnessF() < 0.5);
        // The cards are repainted in the new colours.
        const auto cardBody = [&window] {
            meshpad::gui::CanvasView *view = window.canvas();
            const auto *item = view->canvasScene()->serviceItem(serviceIdByName(window, u"count-api"));
            const QRectF card = item->sceneBoundingRect();
            const QPoint at = view->mapFromScene(QPointF(card.center().x(), card.bottom() - 8));
            return view->viewport()->grab().toImage().pixelColor(at);
        };
        QTRY_VERIFY2(cardBody().lightnessF() < 0.5, qPrintable(cardBody().name()));

        // The user's choice wins over the desktop, and light restores the start.
        Appearance::apply(app, Appearance::Scheme::Light);
        QCOMPARE(QApplication::palette().color(QPalette::Window), lightWindow);
        QTRY_VERIFY(!Appearance::isDark(window.canvas()->palette()));
        QTRY_VERIFY2(cardBody().lightnessF() > 0.5, qPrintable(cardBody().name()));
        qputenv("MESHPAD_COLOR_SCHEME", "light");
        Appearance::apply(app, Appearance::Scheme::Dark);
        QVERIFY(Appearance::isDark(QApplication::palette()));
        Appearance::saveScheme(Appearance::Scheme::Dark);
        QVERIFY(Appearance::savedScheme() == Appearance::Scheme::Dark);
        // The View menu's choice is applied and kept.
        auto *systemChoice = window.findChild<QAction *>(u"actionColorScheme_system"_qs);
        QVERIFY(systemChoice && systemChoice->isCheckable());
        systemChoice->trigger();
        QVERIFY(Appearance::savedScheme() == Appearance::Scheme::System);
        QCOMPARE(QApplication::palette().color(QPalette::Window), lightWindow);
        window.findChild<QAction *>(u"actionColorScheme_dark"_qs)->trigger();
        QVERIFY(Appearance::isDark(QApplication::palette()));
        systemChoice->trigger();
        QCOMPARE(QApplication::palette().color(QPalette::Window), lightWindow);
        qunsetenv("MESHPAD_COLOR_SCHEME");
    }

    void artifactsFollowAnEditAfterTheDebounce()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        meshpad::gui::ArtifactsDock *artifacts = window.artifacts();
        QTRY_VERIFY_WITH_TIMEOUT(artifacts->showPath(u"nomad/counter.nomad.hcl"_qs), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(artifacts->currentText().contains(u"count = 3"_qs), kTimeoutMs);

        const ServiceId api = serviceIdByName(window, u"count-api");
        QVERIFY(clickService(window, api));
        retype(window.inspector()->fieldWidget(u"count"_qs), u"5"_qs);
        QCOMPARE(window.model().service(api)->count, 5);
        // Not regenerated while the keys arrive (debounced, off the GUI thread)…
        QVERIFY(artifacts->currentText().contains(u"count = 3"_qs));
        // …but shortly after, still showing the same file.
        QTRY_VERIFY_WITH_TIMEOUT(artifacts->currentText().contains(u"count = 5"_qs), kTimeoutMs);
        QCOMPARE(artifacts->currentPath(), u"nomad/counter.nomad.hcl"_qs);
    }

    void exportArtifactsWritesEveryFileAndRefusesALinkInTheFolder()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        meshpad::gui::ArtifactsDock *artifacts = window.artifacts();
        QTRY_VERIFY_WITH_TIMEOUT(artifacts->showPath(u"nomad/counter.nomad.hcl"_qs), kTimeoutMs);
        QSignalSpy finished(artifacts, &meshpad::gui::ArtifactsDock::exportFinished);
        QTemporaryDir dir;
        const QString out = dir.filePath(u"out"_qs);
        QVERIFY(QDir().mkpath(out));

        answerFileDialog(&window, out);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionExportArtifacts"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
        QCOMPARE(finished.at(0).at(1).toString(), QString());
        for (const QString &path : artifacts->artifacts().paths())
            QVERIFY2(QFileInfo(out + u'/' + path).isFile(), qPrintable(path));
        QVERIFY(QFileInfo(out + u"/scripts/count-api.sh"_qs).isExecutable());

        // A link already in the chosen folder: refused with its path, nothing
        // written through it, told in a box that leaves the window working
        // (an exec()'d box would stop this test inside QTRY).
        const QString elsewhere = dir.filePath(u"elsewhere"_qs);
        const QString planted = dir.filePath(u"planted"_qs);
        QVERIFY(QDir().mkpath(elsewhere) && QDir().mkpath(planted));
        QVERIFY(QFile::link(elsewhere, planted + u"/consul"_qs));
        answerFileDialog(&window, planted);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionExportArtifacts"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, kTimeoutMs);
        const QString error = finished.at(1).at(1).toString();
        QVERIFY2(error.contains(u"symbolic link"_qs) && error.contains(u"consul"_qs), qPrintable(error));
        QVERIFY(QDir(elsewhere).isEmpty());
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = visibleMessageBox(&window)), kTimeoutMs);
        QCOMPARE(box->text(), error);
        box->close();
    }

    void saveWritesTheFileAndMakesTheDesignClean()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        QVERIFY(clickService(window, serviceIdByName(window, u"count-api")));
        retype(window.inspector()->fieldWidget(u"name"_qs), u"saved-api"_qs);
        QVERIFY(window.isWindowModified());

        QTemporaryDir dir;
        const QString path = dir.filePath(u"saved.meshpad"_qs);
        QVERIFY(window.saveTo(path));
        QCOMPARE(window.filePath(), QFileInfo(path).absoluteFilePath());
        QVERIFY(!window.isWindowModified());
        QVERIFY(window.windowTitle().startsWith(u"saved.meshpad[*] — Meshpad"_qs));
        const mesh::Result<Topology> reloaded = ProjectFile::load(path);
        QVERIFY(reloaded);
        QCOMPARE(*reloaded, window.model().topology());
        // Written through a temporary file renamed into place: nothing else
        // is left in the folder.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{u"saved.meshpad"_qs});

        // Saving over a path whose folder does not exist fails, says so, and
        // leaves the design modified state as it was (clean here).
        retype(window.inspector()->fieldWidget(u"name"_qs), u"unsaved-api"_qs);
        QVERIFY(!window.saveTo(dir.filePath(u"missing/folder/x.meshpad"_qs)));
        QVERIFY(window.isWindowModified());
        QTRY_VERIFY(visibleMessageBox(&window));
        visibleMessageBox(&window)->close();
    }

    void closingWithUnsavedChangesAsks()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        QVERIFY(clickService(window, serviceIdByName(window, u"count-api")));
        retype(window.inspector()->fieldWidget(u"name"_qs), u"edited"_qs);

        const auto answer = [&](QMessageBox::StandardButton button) {
            QTimer::singleShot(0, &window, [&window, button] {
                QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
                auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
                QVERIFY(box->text().contains(u"unsaved changes"_qs));
                box->button(button)->click();
            });
        };
        answer(QMessageBox::Cancel);
        QVERIFY(!window.close());
        QVERIFY(window.isVisible());
        answer(QMessageBox::Discard);
        QVERIFY(window.close());
    }

    void paletteTemplatesDropOntoTheCanvasAndEnterAddsOne()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        meshpad::gui::TemplateList *list = window.palette()->list();
        // What a drag from the palette carries, delivered as the drop events
        // the canvas gets (QDrag::exec cannot run offscreen).
        QListWidgetItem *counter = list->findItems(u"Counter"_qs, Qt::MatchExactly).value(0);
        QVERIFY(counter);
        std::unique_ptr<QMimeData> mime(list->mimeData({counter}));
        QCOMPARE(mime->data(u"application/x-meshpad-template"_qs), QByteArray("counter"));
        QWidget *viewport = window.canvas()->viewport();
        const QPoint at(viewport->width() / 2, viewport->height() - 60);
        QDragEnterEvent enter(at, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QApplication::sendEvent(viewport, &enter);
        QDragMoveEvent move(at, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QApplication::sendEvent(viewport, &move);
        QDropEvent drop(at, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QApplication::sendEvent(viewport, &drop);
        QCOMPARE(window.model().topology().services.size(), 3);
        QVERIFY(window.model().topology().services.last().templateKind == ServiceTemplate::Counter);

        // Keyboard: search the palette, Enter adds the match.
        window.palette()->searchField()->setFocus();
        QTest::keyClicks(window.palette()->searchField(), u"docker"_qs);
        QTest::keyClick(window.palette()->searchField(), Qt::Key_Return);
        QCOMPARE(window.model().topology().services.size(), 4);
        QVERIFY(window.model().topology().services.last().templateKind == ServiceTemplate::Docker);
        QCOMPARE(window.undoStack().count(), 2);
    }

    void findCommandPaletteAndShortcutsSheet()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        window.canvas()->setFocus();
        QTest::keyClick(window.canvas(), Qt::Key_F, Qt::ControlModifier);
        QCOMPARE(QApplication::focusWidget(), window.findField());
        QTest::keyClicks(window.findField(), u"api"_qs);
        QCOMPARE(window.canvas()->selectedServices(), QList<ServiceId>{serviceIdByName(window, u"count-api")});
        QCOMPARE(QApplication::focusWidget(), window.findField()); // still typing

        window.canvas()->setFocus();
        QTest::keyClick(window.canvas(), Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
        auto *palette = window.findChild<meshpad::gui::CommandPalette *>();
        QVERIFY(palette);
        QTRY_VERIFY(palette->isVisible());
        QTest::keyClicks(palette->filterField(), u"select all"_qs);
        QCOMPARE(palette->visibleCommands(), QStringList{u"Edit › Select All"_qs});
        QTest::keyClick(palette->filterField(), Qt::Key_Return);
        QTRY_COMPARE(window.canvas()->selectedServices().size(), 2);

        window.canvas()->setFocus();
        // The offscreen platform does not hand activation back after a dialog.
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(window.canvas(), Qt::Key_F1);
        QDialog *sheet = window.findChild<QDialog *>(u"shortcutsSheet"_qs);
        QVERIFY(sheet);
        auto *tree = sheet->findChild<QTreeWidget *>();
        QVERIFY(!tree->findItems(u"Ctrl+Shift+P"_qs, Qt::MatchExactly | Qt::MatchRecursive, 1).isEmpty());
        sheet->close();
    }

    void nextStartReopensTheLastProject()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        const QString path = window.filePath();
        QVERIFY(window.close());
        m_window.reset();

        MainWindow next;
        next.start({}, MainWindow::RecoveryPolicy::Ignore);
        QCOMPARE(next.filePath(), path);
        QCOMPARE(next.model().topology(), *ProjectFile::load(path));
        QVERIFY(next.windowTitle().startsWith(u"countdash.meshpad[*]"_qs));
    }

    // The editor process, killed with SIGKILL after an edit and started again.
    void crashedSessionIsRestored()
    {
        QVERIFY(crashAfterAutosave(u"crashed-dashboard"_qs));
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(recoveryFiles().size(), 1);

        QProcess second;
        second.setProcessEnvironment(fastAutosaveEnvironment());
        second.start(editorDriverPath(),
                     {u"-platform"_qs, u"offscreen"_qs, u"--restore-recovery"_qs, u"--quit-after-load"_qs});
        QVERIFY(second.waitForFinished(30000));
        QCOMPARE(second.exitCode(), 0);
        const QString out = QString::fromUtf8(second.readAllStandardOutput());
        QVERIFY2(out.contains(u"services: crashed-dashboard, count-api\n"_qs), qPrintable(out));
        // Back on the file it was edited from, and unsaved.
        QVERIFY2(out.contains(u"title: countdash.meshpad* — Meshpad\n"_qs), qPrintable(out));
        QVERIFY2(out.contains(u"file: "_qs + example() + u'\n'), qPrintable(out));
        // Restored, then ended normally: no copy left to offer again.
        QVERIFY2(recoveryFiles().isEmpty(), qPrintable(recoveryFiles().join(u' ')));
    }

    void exportThroughTheFileMenuWritesWhatTheUserChose()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        QTemporaryDir dir;
        const QString png = dir.filePath(u"picture.png"_qs);
        const QString svg = dir.filePath(u"picture.svg"_qs);

        QString suggested;
        answerFileDialog(&window, png, &suggested);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionExportPng"_qs));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(png), kTimeoutMs);
        QCOMPARE(suggested, u"countdash.png"_qs); // named after the design
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY2(image.width() > 400 && image.height() > 150,
                 qPrintable(u"%1×%2"_qs.arg(image.width()).arg(image.height())));

        answerFileDialog(&window, svg, &suggested);
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionExportSvg"_qs));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(svg), kTimeoutMs);
        QCOMPARE(suggested, u"countdash.svg"_qs);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("count-api"));

        // Cancelled: nothing written, no message.
        answerFileDialog(&window, {});
        QVERIFY(clickMenuItem(window, u"File"_qs, u"actionExportPng"_qs));
        QTRY_VERIFY(!QApplication::activeModalWidget());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), (QStringList{u"picture.png"_qs, u"picture.svg"_qs}));
        QVERIFY(!visibleMessageBox(&window));
        QVERIFY(window.undoStack().isClean());
    }

    // A crash as in crashedSessionIsRestored, then the start a user makes
    // (no hidden flags): MainWindow::start with the Ask policy main.cpp
    // uses, and the user's answer clicked in the offer.
    void crashRecoveryIsOfferedOnTheNextStart_data()
    {
        QTest::addColumn<bool>("restore");
        QTest::newRow("restore") << true;
        QTest::newRow("discard") << false;
    }

    void crashRecoveryIsOfferedOnTheNextStart()
    {
        QFETCH(bool, restore);
        QVERIFY(crashAfterAutosave(u"lost-dashboard"_qs));
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(meshpad::gui::Autosaver::crashedSessions().size(), 1);

        QString offer;
        QTimer::singleShot(0, qApp, [&offer, restore] {
            QMessageBox *box = nullptr;
            QTRY_VERIFY((box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())));
            offer = box->text();
            QAbstractButton *answer = nullptr;
            for (QAbstractButton *button : box->buttons()) {
                if (button->text().remove(u'&') == (restore ? u"Restore"_qs : u"Discard"_qs))
                    answer = button;
            }
            QVERIFY2(answer, qPrintable(offer));
            QTest::mouseClick(answer, Qt::LeftButton);
        });
        m_window = std::make_unique<MainWindow>();
        m_window->start({}, MainWindow::RecoveryPolicy::Ask);
        m_window->show();
        QVERIFY2(offer.contains(QDir::toNativeSeparators(example())), qPrintable(offer));
        // Answered either way: not offered again.
        QVERIFY(meshpad::gui::Autosaver::crashedSessions().isEmpty());

        const QStringList names = [&] {
            QStringList result;
            for (const Service &s : m_window->model().topology().services)
                result.append(s.name);
            return result;
        }();
        if (restore) {
            QCOMPARE(names, (QStringList{u"lost-dashboard"_qs, u"count-api"_qs}));
            QCOMPARE(m_window->filePath(), example());
            QVERIFY(m_window->isWindowModified());
            QVERIFY(m_window->windowTitle().startsWith(u"countdash.meshpad[*]"_qs));
            // Still unsaved work: this session keeps its own copy.
            QTRY_COMPARE(recoveryFiles().size(), 1);
            QCOMPARE(QDir(meshpad::gui::Autosaver::recoveryDirectory()).filePath(recoveryFiles().constFirst()),
                     m_window->autosaver().recoveryPath());
        } else {
            QVERIFY2(!names.contains(u"lost-dashboard"_qs), qPrintable(names.join(u' ')));
            QVERIFY(!m_window->isWindowModified());
            QVERIFY(recoveryFiles().isEmpty());
        }
        m_window.reset(); // a normal end (cleanup() marks it clean first)
        QVERIFY(recoveryFiles().isEmpty());
    }

    void keyboardReachesTheInspectorDocksAndShortcuts()
    {
        QVERIFY(openExample());
        MainWindow &window = *m_window;
        const ServiceId api = serviceIdByName(window, u"count-api");
        QVERIFY(clickService(window, api));
        window.canvas()->setFocus(Qt::MouseFocusReason);
        QCOMPARE(QApplication::focusWidget(), window.canvas());

        // Tab from the canvas: the selected card's first field, ready to type.
        QTest::keyClick(window.canvas(), Qt::Key_Tab);
        QWidget *name = window.inspector()->fieldWidget(u"name"_qs);
        QCOMPARE(QApplication::focusWidget(), name);
        QTest::keyClick(name, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(name, u"typed-api"_qs);
        QCOMPARE(window.model().service(api)->name, u"typed-api"_qs);
        // …and Shift+Tab leads back to the canvas.
        QTest::keyClick(name, Qt::Key_Backtab);
        QCOMPARE(QApplication::focusWidget(), window.canvas());

        // Every dock comes back from the View menu.
        const QList<QDockWidget *> docks = window.findChildren<QDockWidget *>(QString(), Qt::FindDirectChildrenOnly);
        QVERIFY(docks.size() >= 7);
        for (QDockWidget *dock : docks) {
            dock->close();
            QVERIFY(!dock->isVisible());
            QVERIFY(clickMenuItem(window, u"View"_qs, u"actionShow_"_qs + dock->objectName()));
            QTRY_VERIFY2(dock->isVisible(), qPrintable(dock->objectName()));
        }
        // The overview has a key of its own.
        QDockWidget *overview = window.findChild<QDockWidget *>(u"overviewDock"_qs);
        QTest::keyClick(window.canvas(), Qt::Key_M, Qt::AltModifier);
        QVERIFY(!overview->isVisible());
        QTest::keyClick(window.canvas(), Qt::Key_M, Qt::AltModifier);
        QVERIFY(overview->isVisible());

        // F1: the shortcuts sheet lists Run with its key.
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(window.canvas(), Qt::Key_F1);
        QDialog *sheet = window.findChild<QDialog *>(u"shortcutsSheet"_qs);
        QVERIFY(sheet);
        QTRY_VERIFY(sheet->isVisible());
        const QList<QTreeWidgetItem *> run
            = sheet->findChild<QTreeWidget *>()->findItems(u"Run"_qs, Qt::MatchExactly | Qt::MatchRecursive, 0);
        QCOMPARE(run.size(), 1);
        QCOMPARE(run.first()->text(1), u"F5"_qs);
        sheet->close();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
