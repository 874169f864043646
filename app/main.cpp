#include "canvas/canvasview.h"
#include "cli/commandline.h"
#include "cli/exitcode.h"
#include "editor.h"
#include "gui/mainwindow.h"

#include "model/topologymodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>
#include <QTimer>

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

int runCommand(int argc, char *argv[])
{
    // Subcommands need no display: a plain core application.
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("meshpad"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESHPAD_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    return meshpad::cli::CommandLine::run(QCoreApplication::arguments(), out, err);
}

int runEditor(int argc, char *argv[])
{
    QApplication app(argc, argv);
    meshpad::setUpEditorApplication(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("main", "Design a Consul service mesh on Nomad."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QCoreApplication::translate("main", "The design to open (*.meshpad)."),
                                 QStringLiteral("[FILE]"));
    // Hidden: how the README's picture of the editor (docs/screenshot-editor.png)
    // is taken. What tests need of a real editor process is in their own
    // driver (tests/support/editordriver.cpp), not here.
    QCommandLineOption screenshot(QStringLiteral("screenshot"), QString(), QStringLiteral("png"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshot);
    parser.process(app);
    const QString file = parser.positionalArguments().value(0);
    if (!file.isEmpty() && !QFileInfo::exists(file)) {
        // Most likely a mistyped command: say so rather than open an editor
        // with an error.
        return refuseUnknownWord(file);
    }

    meshpad::gui::MainWindow window;
    window.start(file);
    window.show();

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
