#pragma once

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <optional>

class QProcess;

namespace meshpad::gui {

// Asks GNOME's settings whether the desktop is dark, without blocking.
//
// `gsettings get org.gnome.desktop.interface color-scheme` ('prefer-dark',
// 'prefer-light' or 'default'), and on 'default' the older `gtk-theme` key
// (a name like 'Adwaita-dark'); the keys are in GNOME/gsettings-desktop-schemas:
// schemas/org.gnome.desktop.interface.gschema.xml.in. gsettings may be
// missing, or slow when dconf's D-Bus service has to start, so it runs as a
// QProcess the event loop watches and the window is up meanwhile.
//
// start() emits answered() exactly once: true or false when the desktop
// said, std::nullopt when gsettings is missing, fails, or has not answered
// within timeout() (then it is killed).
class DesktopSchemeProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopSchemeProbe)

public:
    static constexpr int kDefaultTimeoutMs = 10'000;

    explicit DesktopSchemeProbe(QObject *parent = nullptr);
    ~DesktopSchemeProbe() override;

    // For both questions together.
    void setTimeout(int ms) { m_deadline.setInterval(ms); }
    int timeout() const { return m_deadline.interval(); }
    // Once; later calls do nothing.
    void start();
    bool isRunning() const { return m_process != nullptr; }

Q_SIGNALS:
    void answered(std::optional<bool> prefersDark);

private:
    void ask(const QString &key);
    void heard(const QString &key, const QString &value);
    void finish(std::optional<bool> prefersDark);

    QString m_program;
    QProcess *m_process = nullptr;
    QTimer m_deadline;
    bool m_started = false;
    bool m_done = false;
};

} // namespace meshpad::gui
