// The Help menu and the file dialogs as a user meets them, offscreen, driven
// through the real menu rows: Help › Examples lists the bundled examples and
// opens one as an untitled copy; Help › About Meshpad shows the version, the
// project's address and the licences of what is linked; About Qt opens; and
// Open, Save As, Import Nomad Jobs and Export Picture start in the design's
// folder (else the last folder used, else home).

#include "aboutdialog.h"
#include "examplesmenu.h"
#include "mainwindow.h"
#include "support/menuclick.h"
#include "support/modaldialogs.h"
#include "support/privatesettings.h"

#include "model/topologymodel.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <algorithm>
#include <memory>

using meshpad::gui::AboutDialog;
using meshpad::gui::ExamplesMenu;
using meshpad::gui::MainWindow;
using meshtest::clickMenuItem;

namespace {

constexpr int kTimeoutMs = 10000;

QString sourceExample()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

template<class T>
T *visible()
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (auto *found = qobject_cast<T *>(widget); found && found->isVisible())
            return found;
    }
    return nullptr;
}

} // namespace

class TestHelpMenu : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;

    // A new m_window with no design, shown; true once it is the active window.
    [[nodiscard]] bool showWindow()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        m_window->activateWindow();
        return QTest::qWaitForWindowActive(m_window.get());
    }

    // Clicks File › <action> and returns the folder the file dialog opened
    // in, then cancels it. The dialog is Qt's own (AA_DontUseNativeDialogs),
    // found from a timer while the click's exec() runs.
    QString dialogFolderOf(MainWindow &window, const QString &menu, const QString &action)
    {
        QString folder;
        bool seen = false;
        QObject scope; // ends the wait for the dialog with this call
        meshtest::whenModal<QFileDialog>(&scope, [&](QFileDialog *dialog) {
            folder = dialog->directory().absolutePath();
            seen = true;
            dialog->reject();
        });
        if (!clickMenuItem(window, menu, action))
            return {}; // the caller's comparison fails with the click's own message above
        [&] { QTRY_VERIFY_WITH_TIMEOUT(seen, kTimeoutMs); }();
        return folder;
    }

    // In the file dialog that `action` opens, goes to `folder` and presses
    // the accept button (Save, Open) on the name the dialog proposes.
    [[nodiscard]] bool acceptDialogInFolder(MainWindow &window, const QString &menu, const QString &action,
                                            const QString &folder)
    {
        bool accepted = false;
        QObject scope; // ends the wait for the dialog with this call
        meshtest::whenModal<QFileDialog>(&scope, [&](QFileDialog *dialog) {
            dialog->setDirectory(folder);
            const auto *buttons = dialog->findChild<QDialogButtonBox *>();
            for (QAbstractButton *button : buttons ? buttons->buttons() : QList<QAbstractButton *>{}) {
                if (buttons->buttonRole(button) == QDialogButtonBox::AcceptRole) {
                    button->click();
                    accepted = true;
                }
            }
        });
        if (!clickMenuItem(window, menu, action))
            return false;
        [&] { QTRY_VERIFY_WITH_TIMEOUT(accepted, kTimeoutMs); }();
        return !QTest::currentTestFailed();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(meshtest::usePrivateSettings(m_home));
        qputenv("HOME", m_home.filePath(u"home"_qs).toUtf8());
        QVERIFY(QDir().mkpath(m_home.filePath(u"home"_qs)));
        qputenv("MESHPAD_COLOR_SCHEME", "light");
        QCoreApplication::setApplicationName(u"meshpad-helpmenu"_qs);
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
    }

    void cleanup()
    {
        if (m_window)
            m_window->undoStack().setClean();
        m_window.reset();
        QSettings().clear();
    }

    void examplesMenuOpensCountdashAsACopy()
    {
        QVERIFY(showWindow());
        MainWindow &window = *m_window;
        // The build tree's share/meshpad/examples (packaging/CMakeLists.txt)
        // or, without it, the compiled-in example: countdash either way.
        const QStringList examples = ExamplesMenu::examples();
        QVERIFY2(std::ranges::any_of(examples, [](const QString &p) { return p.endsWith(u"/countdash.meshpad"); }),
                 qPrintable(examples.join(u", ")));

        auto *menu = window.findChild<ExamplesMenu *>(u"examplesMenu"_qs);
        QVERIFY(menu);
        auto *help = qobject_cast<QMenu *>(menu->parent());
        QVERIFY(help && help->actions().contains(menu->menuAction()));
        help->popup(window.mapToGlobal(QPoint(10, 10)));
        QVERIFY(QTest::qWaitForWindowExposed(help));
        help->setActiveAction(menu->menuAction());
        menu->popup(help->mapToGlobal(help->actionGeometry(menu->menuAction()).topRight()));
        QVERIFY(QTest::qWaitForWindowExposed(menu));
        QAction *countdash = menu->findChild<QAction *>(u"actionExample_countdash"_qs);
        QVERIFY(countdash && menu->actions().contains(countdash));
        QCOMPARE(countdash->text(), u"countdash"_qs);
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(countdash).center());

        QTRY_COMPARE_WITH_TIMEOUT(window.model().topology().services.size(), 2, kTimeoutMs);
        // An untitled copy: Save will ask where; the example is not the file.
        QVERIFY(window.filePath().isEmpty());
        QVERIFY(window.windowTitle().contains(u"countdash"_qs));
    }

    void aboutShowsVersionAddressAndLicences()
    {
        QVERIFY(showWindow());
        MainWindow &window = *m_window;
        QVERIFY(clickMenuItem(window, u"Help"_qs, u"actionAbout"_qs));
        QPointer<AboutDialog> about;
        QTRY_VERIFY_WITH_TIMEOUT((about = visible<AboutDialog>()), kTimeoutMs);
        auto *label = about->findChild<QLabel *>(u"aboutText"_qs);
        QVERIFY(label && label->isVisible());
        const QString text = label->text();
        QVERIFY2(text.contains(QStringLiteral(MESHPAD_VERSION)), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(MESHPAD_HOMEPAGE)), qPrintable(text));
        QVERIFY(QStringLiteral(MESHPAD_HOMEPAGE).startsWith(u"https://"));
        for (const char *expected : {"MIT", "Qt", "LGPL-3.0", "OpenSSL", "Apache-2.0", "QCoro", "QtKeychain",
                                     "BSD-3-Clause", "Graphviz", "EPL-1.0"}) {
            QVERIFY2(text.contains(QLatin1String(expected)), expected);
        }
        // The versions it runs with.
        QVERIFY(text.contains(QLatin1String(qVersion())));
        QVERIFY2(text.contains(u"OpenSSL 3"_qs), qPrintable(text));
        about->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Close)->click();
        QTRY_VERIFY(!about || !about->isVisible());
    }

    void aboutQtOpens()
    {
        QVERIFY(showWindow());
        MainWindow &window = *m_window;
        bool seen = false;
        QObject scope; // ends the wait for the box with this test
        meshtest::whenModal<QMessageBox>(&scope, [&](QMessageBox *box) {
            seen = box->windowTitle().contains(u"Qt"_qs) && box->text().contains(u"Qt"_qs);
            box->accept();
        });
        QVERIFY(clickMenuItem(window, u"Help"_qs, u"actionAboutQt"_qs));
        QTRY_VERIFY_WITH_TIMEOUT(seen, kTimeoutMs);
    }

    void fileDialogsStartInTheDesignsFolder_data()
    {
        QTest::addColumn<QString>("action");
        QTest::newRow("Open") << u"actionOpen"_qs;
        QTest::newRow("Save As") << u"actionSaveAs"_qs;
        QTest::newRow("Import Nomad Jobs") << u"actionImportJobs"_qs;
        QTest::newRow("Export Picture as PNG") << u"actionExportPng"_qs;
        QTest::newRow("Export Picture as SVG") << u"actionExportSvg"_qs;
    }

    void fileDialogsStartInTheDesignsFolder()
    {
        QFETCH(QString, action);
        const QString folder = m_home.filePath(u"designs/shop"_qs);
        QVERIFY(QDir().mkpath(folder));
        const QString design = folder + u"/shop.meshpad";
        QFile::remove(design);
        QVERIFY(QFile::copy(sourceExample(), design));
        QFile::setPermissions(design, QFile::ReadOwner | QFile::WriteOwner);

        QVERIFY(showWindow());
        MainWindow &window = *m_window;
        QVERIFY(window.openFile(design));
        QCOMPARE(dialogFolderOf(window, u"File"_qs, action), folder);

        // An untitled design: home at first…
        window.newDesign();
        QVERIFY(window.filePath().isEmpty());
        QCOMPARE(dialogFolderOf(window, u"File"_qs, action), QDir::homePath());
        // …then the folder a dialog last chose: here, the user exports a
        // picture of the (no longer empty) untitled design into another
        // folder first.
        mesh::model::Service web;
        web.name = u"web"_qs;
        window.model().addService(web);
        const QString other = m_home.filePath(u"designs/other"_qs);
        QVERIFY(QDir().mkpath(other));
        const QString picture = other + u"/untitled.png"; // the name the dialog proposes
        QFile::remove(picture);
        QVERIFY(acceptDialogInFolder(window, u"File"_qs, u"actionExportPng"_qs, other));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(picture).size() > 0, kTimeoutMs);
        QCOMPARE(dialogFolderOf(window, u"File"_qs, action), other);
    }
};

QTEST_MAIN(TestHelpMenu)
#include "tst_helpmenu.moc"
