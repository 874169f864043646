#pragma once

#include <QPalette>
#include <QString>

class QApplication;

namespace meshpad::gui {

// Light or dark, following the desktop unless the user chose one.
//
// Qt 6.4 on Linux only follows a dark desktop through a platform theme
// plugin (KDE's, or qt6-gtk-platformtheme), which many systems lack; without
// one every app is light. So Meshpad asks the desktop itself — the
// MESHPAD_COLOR_SCHEME variable, GTK_THEME's ":dark", GNOME's color-scheme
// and gtk-theme settings, KDE's colour scheme name — and, when it wants dark,
// uses the Fusion style with a dark palette. Items on the canvas and the
// code view read the palette, so they follow.
class Appearance final
{
public:
    enum class Scheme { System, Light, Dark };

    static QString toString(Scheme scheme);              // "system", "light", "dark"
    static Scheme schemeFromString(const QString &text); // unknown → System

    // True when the desktop asks for dark (see above), as far as is known
    // now: never blocks. GNOME's settings come from `gsettings`, which
    // apply(System) starts in the background (DesktopSchemeProbe); until it
    // answers, and if it never does, a desktop with no other hint is light.
    static bool systemPrefersDark();
    // How long apply(System) lets `gsettings` take before giving up
    // (DesktopSchemeProbe::kDefaultTimeoutMs unless set, for tests).
    static void setDesktopProbeTimeout(int ms);

    static QPalette darkPalette();

    // Applies `scheme` to the application: Dark (or System on a dark
    // desktop) sets Fusion and darkPalette(); Light (or System otherwise)
    // keeps the platform's own style and palette as they were at start.
    // The icon theme follows (IconTheme: Breeze Dark or Breeze). Returns at
    // once: with System and no quick hint, the first call asks `gsettings`
    // in the background and applies its answer when it comes, if System is
    // still the choice then.
    static void apply(QApplication &app, Scheme scheme);
    static bool isDark(const QPalette &palette);

    // The user's choice, kept in QSettings ("appearance/colorScheme").
    static Scheme savedScheme();
    static void saveScheme(Scheme scheme);
};

} // namespace meshpad::gui
