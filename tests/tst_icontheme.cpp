// The toolbar's icons as a user sees them, offscreen: every action has one,
// it draws, and it stands out from the window — light on the dark scheme,
// dark on the light one — also after the user switches scheme in the View
// menu (the icons made before the switch follow it). And the window icon.

#include "appearance.h"
#include "icontheme.h"
#include "mainwindow.h"
#include "support/privatesettings.h"

#include <QApplication>
#include <QImage>
#include <QMenu>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QUndoStack>
#include <QWidgetAction>

#include <memory>

using meshpad::gui::Appearance;
using meshpad::gui::IconTheme;
using meshpad::gui::MainWindow;

namespace {

constexpr int kIconSize = 22;
// Between an icon's mean luminance and the window's: a third of the scale,
// well short of Breeze's (about 0.8) and well over what a "dark on dark"
// icon reaches.
constexpr double kMinimumContrast = 0.33;

double luminance(const QColor &c)
{
    // Rec. 709 weights (https://www.itu.int/rec/R-REC-BT.709), on the
    // sRGB values: enough to tell light from dark.
    return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
}

struct Ink
{
    int opaquePixels = 0;
    double meanLuminance = 0;
};

// What an icon puts on the screen: its opaque pixels and their brightness.
Ink inkOf(const QIcon &icon)
{
    const QImage image
        = icon.pixmap(QSize(kIconSize, kIconSize), 1.0, QIcon::Normal).toImage().convertToFormat(QImage::Format_ARGB32);
    Ink ink;
    double sum = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            if (pixel.alphaF() < 0.5)
                continue;
            ++ink.opaquePixels;
            sum += luminance(pixel);
        }
    }
    ink.meanLuminance = ink.opaquePixels ? sum / ink.opaquePixels : 0;
    return ink;
}

QList<QAction *> toolbarActions(const MainWindow &window)
{
    auto *bar = window.findChild<QToolBar *>(u"mainToolBar"_qs);
    QList<QAction *> actions;
    if (!bar)
        return actions;
    for (QAction *action : bar->actions()) {
        if (!action->isSeparator() && !qobject_cast<QWidgetAction *>(action))
            actions.append(action);
    }
    return actions;
}

} // namespace

class TestIconTheme : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(meshtest::usePrivateSettings(m_home));
        // The scheme is the test's choice, never the desktop's.
        qputenv("MESHPAD_COLOR_SCHEME", "light");
        QCoreApplication::setApplicationName(u"meshpad-icontheme"_qs);
        QVERIFY2(IconTheme::install(), "breeze-icon-theme-rcc is not installed (packaging/install-deps.sh)");
    }

    void cleanup()
    {
        if (m_window)
            m_window->undoStack().setClean();
        m_window.reset();
    }

    void toolbarIconsStandOutFromTheWindow_data()
    {
        QTest::addColumn<QString>("startScheme");
        QTest::addColumn<QString>("menuScheme"); // then chosen in View › Color Scheme; empty: none
        QTest::newRow("light") << u"light"_qs << QString();
        QTest::newRow("dark") << u"dark"_qs << QString();
        QTest::newRow("light, then Dark from the View menu") << u"light"_qs << u"dark"_qs;
        QTest::newRow("dark, then Light from the View menu") << u"dark"_qs << u"light"_qs;
    }

    void toolbarIconsStandOutFromTheWindow()
    {
        QFETCH(QString, startScheme);
        QFETCH(QString, menuScheme);
        // As main.cpp does: the scheme before the window exists.
        Appearance::apply(*qApp, Appearance::schemeFromString(startScheme));
        m_window = std::make_unique<MainWindow>();
        QVERIFY(m_window->openFile(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad")));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        const QList<QAction *> actions = toolbarActions(*m_window);
        QVERIFY(actions.size() >= 10);
        // Paint once in the first scheme, so icons are loaded before a switch.
        for (QAction *action : actions)
            QVERIFY2(inkOf(action->icon()).opaquePixels > 0, qPrintable(action->objectName()));

        QString scheme = startScheme;
        if (!menuScheme.isEmpty()) {
            // View › Color Scheme › Light/Dark, clicked in the open submenu.
            auto *choice = m_window->findChild<QAction *>(u"actionColorScheme_"_qs + menuScheme);
            QVERIFY(choice);
            QMenu *submenu = nullptr;
            for (QObject *owner : choice->associatedObjects()) {
                if (auto *menu = qobject_cast<QMenu *>(owner))
                    submenu = menu;
            }
            QVERIFY(submenu);
            submenu->popup(m_window->mapToGlobal(QPoint(40, 40)));
            QVERIFY(QTest::qWaitForWindowExposed(submenu));
            QTest::mouseClick(submenu, Qt::LeftButton, {}, submenu->actionGeometry(choice).center());
            QVERIFY(choice->isChecked());
            scheme = menuScheme;
        }
        const bool dark = scheme == u"dark";
        QCOMPARE(Appearance::isDark(QApplication::palette()), dark);
        QCOMPARE(IconTheme::current(), QString::fromLatin1(dark ? IconTheme::kDarkTheme : IconTheme::kLightTheme));

        // The window takes the application's palette through events.
        QTRY_COMPARE(Appearance::isDark(m_window->QWidget::palette()), dark);
        const double background = luminance(m_window->QWidget::palette().color(QPalette::Window));
        for (QAction *action : actions) {
            const QString name = action->objectName();
            QVERIFY2(!action->icon().isNull(), qPrintable(name + u" has no icon"));
            const Ink ink = inkOf(action->icon());
            // A glyph, not a dot: Breeze's 22 px action icons cover 40+ pixels.
            QVERIFY2(ink.opaquePixels >= 20, qPrintable(u"%1 draws %2 pixels"_qs.arg(name).arg(ink.opaquePixels)));
            const double contrast = dark ? ink.meanLuminance - background : background - ink.meanLuminance;
            QVERIFY2(contrast >= kMinimumContrast,
                     qPrintable(u"%1 in the %2 scheme: icon luminance %3 on a window of %4"_qs.arg(name, scheme)
                                    .arg(ink.meanLuminance, 0, 'f', 2)
                                    .arg(background, 0, 'f', 2)));
        }
    }

    void windowHasMeshpadsIcon()
    {
        m_window = std::make_unique<MainWindow>();
        const QIcon icon = m_window->windowIcon();
        QVERIFY(!icon.isNull());
        QVERIFY(inkOf(icon).opaquePixels > 100);
        // The application's too, so the dialogs show it.
        QVERIFY(!QGuiApplication::windowIcon().isNull());
    }
};

QTEST_MAIN(TestIconTheme)
#include "tst_icontheme.moc"
