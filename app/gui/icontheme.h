#pragma once

#include <QString>

namespace meshpad::gui {

// The icons of the window's actions, light on dark and dark on light.
//
// Actions name their icons by the freedesktop Icon Naming Spec
// (https://specifications.freedesktop.org/icon-naming-spec/latest/) and load
// them with QIcon::fromTheme (https://doc.qt.io/qt-6/qicon.html#fromTheme).
// The desktop's own theme cannot be trusted to match: Meshpad paints its own
// dark palette on a light desktop (Appearance), and GNOME's Adwaita has few
// non-symbolic action icons, so a dark toolbar drew dark icons or none.
// Debian's breeze-icon-theme-rcc ships Breeze and Breeze Dark as Qt resource
// bundles; IconTheme registers both under `:/icons/<theme>` and selects the
// one that matches the scheme. Icons made by fromTheme() follow a theme
// change by themselves (Qt reloads them on their next paint).
//
// Without the bundles (package not installed) nothing changes — actions fall
// back to the style's standard icons — and a warning says so once.
class IconTheme final
{
public:
    // Where Debian installs the bundles (breeze-icon-theme-rcc).
    static constexpr char kLightBundle[] = "/usr/share/icons/breeze/breeze-icons.rcc";
    static constexpr char kDarkBundle[] = "/usr/share/icons/breeze-dark/breeze-icons-dark.rcc";
    static constexpr char kLightTheme[] = "breeze";
    static constexpr char kDarkTheme[] = "breeze-dark";

    // Registers the bundles once (later calls return the first answer).
    // False, with one warning on the `meshpad.gui.icons` category, when
    // either is missing or unreadable.
    static bool install();
    // Selects Breeze Dark when `dark`, else Breeze, as the theme and the
    // fallback theme (install() first). A no-op without the bundles.
    static void use(bool dark);
    // The theme use() selected; empty without the bundles.
    static QString current();
};

} // namespace meshpad::gui
