#include "appearance.h"

#include "desktopschemeprobe.h"
#include "icontheme.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>

#include <optional>

namespace meshpad::gui {

namespace {

QString kdeColorScheme()
{
    const QString config = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    const QString path = QDir(config).filePath(QStringLiteral("kdeglobals"));
    if (!QFile::exists(path))
        return {};
    QSettings kde(path, QSettings::IniFormat);
    return kde.value(QStringLiteral("General/ColorScheme")).toString();
}

// What the application looked like before we touched it, so "light" can
// go back to it after "dark"; and what the desktop said.
struct State
{
    QString style;
    QPalette palette;
    bool saved = false;
    Appearance::Scheme scheme = Appearance::Scheme::System;
    std::optional<bool> desktopDark; // gsettings' answer, once it came
    bool probed = false;
    int probeTimeoutMs = DesktopSchemeProbe::kDefaultTimeoutMs;
};

State &state()
{
    static State value;
    return value;
}

// What the environment says without asking another process; nullopt when
// only GNOME's settings could tell.
std::optional<bool> quickHint()
{
    const QString forced = qEnvironmentVariable("MESHPAD_COLOR_SCHEME").toLower();
    if (forced == QLatin1String("dark"))
        return true;
    if (forced == QLatin1String("light"))
        return false;
    if (qEnvironmentVariable("GTK_THEME").endsWith(QLatin1String(":dark"), Qt::CaseInsensitive))
        return true;
    if (qEnvironmentVariable("XDG_CURRENT_DESKTOP").contains(QLatin1String("KDE"), Qt::CaseInsensitive))
        return kdeColorScheme().contains(QLatin1String("dark"), Qt::CaseInsensitive);
    return std::nullopt;
}

void applyDark(bool dark)
{
    const State &before = state();
    if (dark) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(Appearance::darkPalette());
    } else {
        QApplication::setStyle(QStyleFactory::create(before.style));
        QApplication::setPalette(before.palette);
    }
    // By the palette in force, not the wish: "light" keeps the platform's
    // palette, which a dark desktop's platform theme may have made dark.
    IconTheme::use(Appearance::isDark(QApplication::palette()));
}

} // namespace

QString Appearance::toString(Scheme scheme)
{
    switch (scheme) {
    case Scheme::System: return QStringLiteral("system");
    case Scheme::Light: return QStringLiteral("light");
    case Scheme::Dark: return QStringLiteral("dark");
    }
    return {};
}

Appearance::Scheme Appearance::schemeFromString(const QString &text)
{
    if (text == QLatin1String("light"))
        return Scheme::Light;
    if (text == QLatin1String("dark"))
        return Scheme::Dark;
    return Scheme::System;
}

bool Appearance::systemPrefersDark()
{
    return quickHint().value_or(state().desktopDark.value_or(false));
}

void Appearance::setDesktopProbeTimeout(int ms)
{
    state().probeTimeoutMs = ms;
}

QPalette Appearance::darkPalette()
{
    // Fusion's colours, darkened: AA contrast for text on every surface.
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor alternate(0x26, 0x28, 0x2b);
    const QColor text(0xdf, 0xe1, 0xe5);
    const QColor disabledText(0x8c, 0x90, 0x96);
    const QColor button(0x3c, 0x3f, 0x41);
    const QColor highlight(0x35, 0x74, 0xf0);
    QPalette palette;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, alternate);
    palette.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3f, 0x41));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabledText);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, button);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x50));
    palette.setColor(QPalette::Midlight, QColor(0x43, 0x46, 0x49));
    palette.setColor(QPalette::Mid, QColor(0x5a, 0x5d, 0x61));
    palette.setColor(QPalette::Dark, QColor(0x19, 0x1a, 0x1c));
    palette.setColor(QPalette::Shadow, QColor(0x0e, 0x0e, 0x10));
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    palette.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    palette.setColor(QPalette::LinkVisited, QColor(0xb1, 0x8c, 0xf5));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        palette.setColor(QPalette::Disabled, role, disabledText);
    }
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x50));
    return palette;
}

bool Appearance::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

void Appearance::apply(QApplication &app, Scheme scheme)
{
    State &now = state();
    if (!now.saved) {
        now.style = app.style()->name();
        now.palette = QApplication::palette();
        now.saved = true;
    }
    now.scheme = scheme;
    applyDark(scheme == Scheme::Dark || (scheme == Scheme::System && systemPrefersDark()));
    if (scheme != Scheme::System || now.probed || quickHint())
        return;
    // The first time the desktop's choice matters and only GNOME can tell:
    // ask in the background, the window painted light meanwhile.
    now.probed = true;
    auto *probe = new DesktopSchemeProbe(&app);
    probe->setTimeout(now.probeTimeoutMs);
    QObject::connect(probe, &DesktopSchemeProbe::answered, &app, [probe](std::optional<bool> dark) {
        probe->deleteLater();
        State &later = state();
        later.desktopDark = dark;
        if (later.scheme == Scheme::System)
            applyDark(systemPrefersDark());
    });
    probe->start();
}

Appearance::Scheme Appearance::savedScheme()
{
    return schemeFromString(QSettings().value(QStringLiteral("appearance/colorScheme")).toString());
}

void Appearance::saveScheme(Scheme scheme)
{
    QSettings().setValue(QStringLiteral("appearance/colorScheme"), toString(scheme));
}

} // namespace meshpad::gui
