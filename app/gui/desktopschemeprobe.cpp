#include "desktopschemeprobe.h"

#include <QProcess>
#include <QStandardPaths>

namespace meshpad::gui {

namespace {

constexpr char kSchema[] = "org.gnome.desktop.interface";
constexpr char kColorSchemeKey[] = "color-scheme";
constexpr char kGtkThemeKey[] = "gtk-theme";

} // namespace

DesktopSchemeProbe::DesktopSchemeProbe(QObject *parent)
    : QObject(parent)
{
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(kDefaultTimeoutMs);
    connect(&m_deadline, &QTimer::timeout, this, [this] { finish(std::nullopt); });
}

DesktopSchemeProbe::~DesktopSchemeProbe()
{
    if (m_process) {
        // No zombie and no "destroyed while running" warning at exit.
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(500);
    }
}

void DesktopSchemeProbe::start()
{
    if (m_started)
        return;
    m_started = true;
    m_program = QStandardPaths::findExecutable(QStringLiteral("gsettings"));
    if (m_program.isEmpty()) {
        // Queued, so a caller connecting after start() still hears it.
        QMetaObject::invokeMethod(
            this, [this] { finish(std::nullopt); }, Qt::QueuedConnection);
        return;
    }
    m_deadline.start();
    ask(QLatin1String(kColorSchemeKey));
}

void DesktopSchemeProbe::ask(const QString &key)
{
    m_process = new QProcess(this);
    QProcess *process = m_process;
    connect(process, &QProcess::finished, this, [this, process, key](int exitCode, QProcess::ExitStatus status) {
        process->deleteLater();
        m_process = nullptr;
        if (status != QProcess::NormalExit || exitCode != 0) {
            finish(std::nullopt);
            return;
        }
        heard(key, QString::fromUtf8(process->readAllStandardOutput()).trimmed());
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        // FailedToStart brings no finished(); the others are followed by it.
        if (error != QProcess::FailedToStart)
            return;
        process->deleteLater();
        m_process = nullptr;
        finish(std::nullopt);
    });
    process->start(m_program, QStringList{QStringLiteral("get"), QLatin1String(kSchema), key});
}

void DesktopSchemeProbe::heard(const QString &key, const QString &value)
{
    if (key == QLatin1String(kColorSchemeKey)) {
        if (value.contains(QLatin1String("prefer-dark")))
            return finish(true);
        if (value.contains(QLatin1String("prefer-light")))
            return finish(false);
        // 'default': GNOME before 42, and desktops that only set a theme.
        return ask(QLatin1String(kGtkThemeKey));
    }
    finish(value.contains(QLatin1String("dark"), Qt::CaseInsensitive));
}

void DesktopSchemeProbe::finish(std::optional<bool> prefersDark)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline.stop();
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        // Reaped by QProcess when it finishes; deleted with it.
        connect(m_process, &QProcess::finished, m_process, &QObject::deleteLater);
        m_process = nullptr;
    }
    Q_EMIT answered(prefersDark);
}

} // namespace meshpad::gui
