#include "cli/commandline.h"
#include "cli/exitcode.h"
#include "commands/updateservicecommand.h"
#include "gui/appearance.h"
#include "gui/mainwindow.h"
#include "canvas/canvasview.h"

#include "model/topologymodel.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <cstdio>

namespace {

QStringList argumentsOf(int argc, char *argv[])
{
    QStringList arguments;
    arguments.reserve(argc);
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

// A word that is neither a subcommand nor an existing file.
int refuseUnknownWord(const QString &word)
{
    QTextStream err(stderr);
    err << "meshpad: no such file or command \"" << word << "\"\n\n" << meshpad::cli::CommandLine::usage();
    return meshpad::cli::ExitCode::Usage;
}

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("meshpad"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESHPAD_VERSION));
}

int runCommand(int argc, char *argv[])
{
    // Subcommands need no display: a plain core application.
    QCoreApplication app(argc, argv);
    setIdentity();
    QTextStream out(stdout);
    QTextStream err(stderr);
    return meshpad::cli::CommandLine::run(QCoreApplication::arguments(), out, err);
}

// What --quit-after-load prints: enough for a test (or a script) to see
// which design the editor opened and whether it holds unsaved work.
void printState(const meshpad::gui::MainWindow &window)
{
    QTextStream out(stdout);
    QString title = window.windowTitle();
    title.replace(u"[*]"_qs, window.isWindowModified() ? u"*"_qs : QString());
    out << "title: " << title << '\n';
    out << "file: " << window.filePath() << '\n';
    QStringList names;
    for (const mesh::model::Service &s : window.model().topology().services)
        names.append(s.name);
    out << "services: " << names.join(u", ") << '\n';
    out.flush();
}

int runEditor(int argc, char *argv[])
{
    QApplication app(argc, argv);
    setIdentity();
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Meshpad"));
    QGuiApplication::setDesktopFileName(QStringLiteral("meshpad"));
    // Before any window exists, so nothing paints light first.
    meshpad::gui::Appearance::apply(app, meshpad::gui::Appearance::savedScheme());

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("main", "Design a Consul service mesh on Nomad."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QCoreApplication::translate("main", "The design to open (*.meshpad)."),
                                 QStringLiteral("[FILE]"));
    // Hidden options for tests, the README screenshot and scripts.
    const auto hidden = [](QCommandLineOption option) {
        option.setFlags(QCommandLineOption::HiddenFromHelp);
        return option;
    };
    const QCommandLineOption quitAfterLoad = hidden(QCommandLineOption(QStringLiteral("quit-after-load")));
    const QCommandLineOption screenshot =
        hidden(QCommandLineOption(QStringLiteral("screenshot"), QString(), QStringLiteral("png")));
    const QCommandLineOption restore = hidden(QCommandLineOption(QStringLiteral("restore-recovery")));
    const QCommandLineOption noRecovery = hidden(QCommandLineOption(QStringLiteral("no-recovery")));
    const QCommandLineOption testRename =
        hidden(QCommandLineOption(QStringLiteral("test-rename"), QString(), QStringLiteral("name")));
    // Lab › Run once the design is open, for tests that need the editor's
    // lab running without a window manager to click in.
    const QCommandLineOption runLab = hidden(QCommandLineOption(QStringLiteral("run-lab")));
    parser.addOptions({quitAfterLoad, screenshot, restore, noRecovery, testRename, runLab});
    parser.process(app);
    const QString file = parser.positionalArguments().value(0);
    if (!file.isEmpty() && !QFileInfo::exists(file)) {
        // Most likely a mistyped command: say so rather than open an editor
        // with an error.
        return refuseUnknownWord(file);
    }

    meshpad::gui::MainWindow window;
    const auto recovery = parser.isSet(restore)      ? meshpad::gui::MainWindow::RecoveryPolicy::Accept
                          : parser.isSet(noRecovery) ? meshpad::gui::MainWindow::RecoveryPolicy::Ignore
                                                     : meshpad::gui::MainWindow::RecoveryPolicy::Ask;
    window.start(file, recovery);
    window.show();

    if (parser.isSet(testRename)) {
        // An edit as the inspector makes it (one undo command), so the
        // crash-recovery test has unsaved work to lose.
        const auto &services = window.model().topology().services;
        if (!services.isEmpty()) {
            mesh::model::Service renamed = services.constFirst();
            renamed.name = parser.value(testRename);
            window.undoStack().push(
                new meshpad::gui::UpdateServiceCommand(window.model(), std::move(renamed), QStringLiteral("name")));
        }
    }
    if (parser.isSet(runLab)) {
        // The very action the toolbar's Run button triggers, so the test
        // runs what a user's click runs.
        QTimer::singleShot(0, &window, [&window] {
            const QList<QAction *> actions = window.allActions();
            const auto run = std::ranges::find(actions, u"actionLabRun"_qs, &QAction::objectName);
            if (run != actions.end())
                (*run)->trigger();
            else
                QTextStream(stderr) << "meshpad: --run-lab: no Run action\n";
        });
    }
    if (parser.isSet(quitAfterLoad)) {
        QTimer::singleShot(0, &window, [&window] {
            printState(window);
            // Leave unsaved work where a crash would: the test looks for it.
            QCoreApplication::exit(0);
        });
    }
    if (parser.isSet(screenshot)) {
        // After the docks have their sizes and the artifacts their first
        // generation; then fit again so the picture shows the whole design.
        const QString path = parser.value(screenshot);
        // Show the inspector at work: the dashboard, whose env names its upstream.
        if (const mesh::model::Service *s = window.model().topology().serviceByName(u"count-dashboard"))
            window.canvas()->selectAndCenter(s->id);
        QTimer::singleShot(1500, &window, [&window, path] {
            const bool ok = window.grab().save(path);
            QCoreApplication::exit(ok ? 0 : 2);
        });
    }
    return app.exec();
}

} // namespace

int main(int argc, char *argv[])
{
    const QStringList arguments = argumentsOf(argc, argv);
    if (meshpad::cli::CommandLine::isCommand(arguments))
        return runCommand(argc, argv);
    // `meshpad typo`: a first word that is neither an option nor a file is a
    // mistyped command. Say so before opening a display, so it works over
    // SSH and in scripts too.
    const QString first = arguments.value(1);
    if (!first.isEmpty() && !first.startsWith(u'-') && !QFileInfo::exists(first))
        return refuseUnknownWord(first);
    return runEditor(argc, argv);
}
