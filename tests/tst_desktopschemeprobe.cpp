// Reading the desktop's colour scheme without blocking: DesktopSchemeProbe
// against a fake `gsettings` on PATH (a shell script answering as GNOME's
// does, or failing, or never answering), and the editor window shown and
// responsive while gsettings has not answered, dark once it has.

#include "appearance.h"
#include "desktopschemeprobe.h"
#include "icontheme.h"
#include "mainwindow.h"
#include "support/privatesettings.h"

#include <QApplication>
#include <QFile>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <memory>
#include <optional>

using meshpad::gui::Appearance;
using meshpad::gui::DesktopSchemeProbe;
using meshpad::gui::IconTheme;
using meshpad::gui::MainWindow;

Q_DECLARE_METATYPE(std::optional<bool>)

namespace {

constexpr int kTimeoutMs = 15000;

// `gsettings get SCHEMA KEY` as GNOME's prints it ('prefer-dark' with the
// quotes), from the environment the test sets; it waits for the file
// $FAKE_GSETTINGS_RELEASE to exist first, if that is set.
constexpr char kFakeGsettings[] = R"(#!/bin/sh
if [ -n "$FAKE_GSETTINGS_RELEASE" ]; then
    while [ ! -e "$FAKE_GSETTINGS_RELEASE" ]; do sleep 0.05; done
fi
echo "$3" >> "$FAKE_GSETTINGS_LOG"
case "$3" in
    color-scheme) echo "'$FAKE_COLOR_SCHEME'" ;;
    gtk-theme) echo "'$FAKE_GTK_THEME'" ;;
esac
exit "${FAKE_GSETTINGS_EXIT:-0}"
)";

QString readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

class TestDesktopSchemeProbe : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QString m_bin;
    QString m_log;
    QString m_release;
    QByteArray m_path;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(meshtest::usePrivateSettings(m_home));
        QCoreApplication::setApplicationName(u"meshpad-desktopscheme"_qs);
        // Only GNOME's settings can tell: no other hint in the environment.
        qunsetenv("MESHPAD_COLOR_SCHEME");
        qunsetenv("GTK_THEME");
        qunsetenv("XDG_CURRENT_DESKTOP");

        m_bin = m_home.filePath(u"bin"_qs);
        QVERIFY(QDir().mkpath(m_bin));
        QFile script(m_bin + u"/gsettings");
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(kFakeGsettings);
        script.close();
        QVERIFY(script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        m_log = m_home.filePath(u"gsettings.log"_qs);
        m_release = m_home.filePath(u"release"_qs);
        qputenv("FAKE_GSETTINGS_LOG", m_log.toUtf8());
        m_path = qgetenv("PATH");
        qputenv("PATH", m_bin.toUtf8() + ':' + m_path);
    }

    void init()
    {
        QFile::remove(m_log);
        QFile::remove(m_release);
        qunsetenv("FAKE_GSETTINGS_RELEASE");
        qunsetenv("FAKE_GSETTINGS_EXIT");
        qputenv("PATH", m_bin.toUtf8() + ':' + m_path);
    }

    void probeReadsGnomesSettings_data()
    {
        QTest::addColumn<QString>("colorScheme");
        QTest::addColumn<QString>("gtkTheme");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<bool>("answering"); // false: never answers
        QTest::addColumn<bool>("onPath");
        QTest::addColumn<std::optional<bool>>("expected");
        QTest::addColumn<QString>("keysAsked");

        const std::optional<bool> unknown;
        QTest::newRow("GNOME 42 set to dark")
            << u"prefer-dark"_qs << u"Adwaita"_qs << 0 << true << true << std::optional(true) << u"color-scheme\n"_qs;
        QTest::newRow("GNOME 42 set to light") << u"prefer-light"_qs << u"Adwaita-dark"_qs << 0 << true << true
                                               << std::optional(false) << u"color-scheme\n"_qs;
        QTest::newRow("default scheme, a dark GTK theme") << u"default"_qs << u"Adwaita-dark"_qs << 0 << true << true
                                                          << std::optional(true) << u"color-scheme\ngtk-theme\n"_qs;
        QTest::newRow("default scheme, a light GTK theme") << u"default"_qs << u"Adwaita"_qs << 0 << true << true
                                                           << std::optional(false) << u"color-scheme\ngtk-theme\n"_qs;
        QTest::newRow("no GNOME schema (gsettings fails)")
            << QString() << QString() << 1 << true << true << unknown << u"color-scheme\n"_qs;
        QTest::newRow("gsettings never answers")
            << u"prefer-dark"_qs << QString() << 0 << false << true << unknown << QString();
        QTest::newRow("no gsettings installed")
            << u"prefer-dark"_qs << QString() << 0 << true << false << unknown << QString();
    }

    void probeReadsGnomesSettings()
    {
        QFETCH(QString, colorScheme);
        QFETCH(QString, gtkTheme);
        QFETCH(int, exitCode);
        QFETCH(bool, answering);
        QFETCH(bool, onPath);
        QFETCH(std::optional<bool>, expected);
        QFETCH(QString, keysAsked);
        qputenv("FAKE_COLOR_SCHEME", colorScheme.toUtf8());
        qputenv("FAKE_GTK_THEME", gtkTheme.toUtf8());
        qputenv("FAKE_GSETTINGS_EXIT", QByteArray::number(exitCode));
        if (!answering)
            qputenv("FAKE_GSETTINGS_RELEASE", m_release.toUtf8());
        if (!onPath)
            qputenv("PATH", m_home.filePath(u"empty"_qs).toUtf8());

        DesktopSchemeProbe probe;
        probe.setTimeout(answering ? kTimeoutMs : 500);
        int answers = 0;
        std::optional<bool> answer;
        connect(&probe, &DesktopSchemeProbe::answered, this, [&](std::optional<bool> said) {
            ++answers;
            answer = said;
        });
        probe.start();
        QCOMPARE(answers, 0); // never from inside start()
        QTRY_COMPARE_WITH_TIMEOUT(answers, 1, kTimeoutMs);
        QCOMPARE(answer, expected);
        QCOMPARE(readAll(m_log), keysAsked);
        QVERIFY(!probe.isRunning());
        // Once: a late exit or a second start() says nothing more.
        probe.start();
        QTest::qWait(100);
        QCOMPARE(answers, 1);
    }

    void windowIsUpBeforeGsettingsAnswers()
    {
        qputenv("FAKE_COLOR_SCHEME", "prefer-dark");
        qputenv("FAKE_GSETTINGS_RELEASE", m_release.toUtf8());

        // As main.cpp starts the editor: the scheme, then the window.
        Appearance::apply(*qApp, Appearance::Scheme::System);
        auto window = std::make_unique<MainWindow>();
        QVERIFY(window->openFile(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad")));
        window->show();
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        // gsettings is still waiting: the window is light and takes input.
        QVERIFY(!Appearance::isDark(QApplication::palette()));
        QTest::mouseClick(window->findField(), Qt::LeftButton);
        QTRY_VERIFY(window->findField()->hasFocus());
        QTest::keyClicks(window->findField(), u"count"_qs);
        QCOMPARE(window->findField()->text(), u"count"_qs);
        bool turned = false;
        QTimer::singleShot(0, this, [&turned] { turned = true; });
        QTRY_VERIFY(turned);
        QVERIFY(readAll(m_log).isEmpty());

        // gsettings answers: the desktop's dark applies, icons too.
        QFile release(m_release);
        QVERIFY(release.open(QIODevice::WriteOnly));
        release.close();
        QTRY_VERIFY_WITH_TIMEOUT(Appearance::isDark(QApplication::palette()), kTimeoutMs);
        QTRY_VERIFY(Appearance::isDark(window->QWidget::palette()));
        if (IconTheme::install())
            QCOMPARE(IconTheme::current(), QString::fromLatin1(IconTheme::kDarkTheme));
        QCOMPARE(readAll(m_log), u"color-scheme\n"_qs);
        window->undoStack().setClean();
    }
};

QTEST_MAIN(TestDesktopSchemeProbe)
#include "tst_desktopschemeprobe.moc"
