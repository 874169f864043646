#include "icontheme.h"

#include <QFileInfo>
#include <QIcon>
#include <QLoggingCategory>
#include <QResource>

namespace meshpad::gui {

namespace {

Q_LOGGING_CATEGORY(lcIcons, "meshpad.gui.icons")

// Qt looks for a theme in <search path>/<theme name>/index.theme; the
// bundles hold index.theme at their root, so each is mapped to a folder of
// its theme's name (KDE's KIconLoader maps them the same way:
// KDE/kiconthemes: src/kiconengine.cpp, "/icons/breeze").
constexpr char kSearchPath[] = ":/icons";

QString selectedTheme;

bool registerBundle(const char *file, const char *theme)
{
    const QString path = QString::fromLatin1(file);
    return QFileInfo(path).isReadable()
           && QResource::registerResource(path, QLatin1String(kSearchPath) + u'/' + QLatin1String(theme));
}

} // namespace

bool IconTheme::install()
{
    static const bool installed = [] {
        if (!registerBundle(kLightBundle, kLightTheme) || !registerBundle(kDarkBundle, kDarkTheme)) {
            qCWarning(lcIcons,
                      "Breeze icon bundles not found (%s, %s): install breeze-icon-theme-rcc; "
                      "using the style's icons",
                      kLightBundle, kDarkBundle);
            return false;
        }
        // First, so the bundles win over a system theme of the same name
        // (which, being Breeze, would draw the same icons anyway).
        QStringList paths = QIcon::themeSearchPaths();
        paths.removeAll(QLatin1String(kSearchPath));
        paths.prepend(QLatin1String(kSearchPath));
        QIcon::setThemeSearchPaths(paths);
        return true;
    }();
    return installed;
}

void IconTheme::use(bool dark)
{
    if (!install())
        return;
    const QString theme = QLatin1String(dark ? kDarkTheme : kLightTheme);
    if (theme == selectedTheme)
        return;
    selectedTheme = theme;
    // The theme itself, not only the fallback: the desktop's theme was made
    // for the desktop's palette, which Meshpad's dark scheme replaces
    // (https://doc.qt.io/qt-6/qicon.html#setThemeName). As the fallback too,
    // so a name Breeze lacks in one variant is looked up in it again rather
    // than in an unrelated theme (https://doc.qt.io/qt-6/qicon.html#setFallbackThemeName).
    QIcon::setThemeName(theme);
    QIcon::setFallbackThemeName(theme);
}

QString IconTheme::current()
{
    return selectedTheme;
}

} // namespace meshpad::gui
