// meshpad-editor-driver: the editor as `meshpad [FILE]` opens it (the same
// setUpEditorApplication() and MainWindow), plus what tests need from a real
// process that the shipped binary does not offer:
//   --no-recovery         ignore a crashed session's autosave
//   --restore-recovery    restore it without asking
//   --rename NAME         rename the first service, as the inspector does (one
//                         undo command), so a crash has unsaved work to lose
//   --run-lab             trigger Lab › Run (the toolbar's very action) once
//                         the design is open
//   --quit-after-load     print the window's title, file and services, then
//                         exit as a crash would: without saving
// tst_cli, tst_mainwindow (crash recovery) and tst_labcli (a killed editor's
// lab tasks) start it.

#include "commands/updateservicecommand.h"
#include "editor.h"
#include "mainwindow.h"

#include "model/topologymodel.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>

namespace {

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

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    meshpad::setUpEditorApplication(app);

    QCommandLineParser parser;
    parser.addPositionalArgument(u"file"_qs, u"The design to open."_qs, u"[FILE]"_qs);
    const QCommandLineOption noRecovery(u"no-recovery"_qs);
    const QCommandLineOption restore(u"restore-recovery"_qs);
    const QCommandLineOption rename(u"rename"_qs, QString(), u"name"_qs);
    const QCommandLineOption runLab(u"run-lab"_qs);
    const QCommandLineOption quitAfterLoad(u"quit-after-load"_qs);
    parser.addOptions({noRecovery, restore, rename, runLab, quitAfterLoad});
    parser.process(app);

    meshpad::gui::MainWindow window;
    using Policy = meshpad::gui::MainWindow::RecoveryPolicy;
    window.start(parser.positionalArguments().value(0), parser.isSet(restore)      ? Policy::Accept
                                                        : parser.isSet(noRecovery) ? Policy::Ignore
                                                                                   : Policy::Ask);
    window.show();

    if (parser.isSet(rename)) {
        const auto &services = window.model().topology().services;
        if (!services.isEmpty()) {
            mesh::model::Service renamed = services.constFirst();
            renamed.name = parser.value(rename);
            window.undoStack().push(
                new meshpad::gui::UpdateServiceCommand(window.model(), std::move(renamed), u"name"_qs));
        }
    }
    if (parser.isSet(runLab)) {
        QTimer::singleShot(0, &window, [&window] {
            const QList<QAction *> actions = window.allActions();
            const auto run = std::ranges::find(actions, u"actionLabRun"_qs, &QAction::objectName);
            if (run != actions.end())
                (*run)->trigger();
            else
                QTextStream(stderr) << "meshpad-editor-driver: --run-lab: no Run action\n";
        });
    }
    if (parser.isSet(quitAfterLoad)) {
        QTimer::singleShot(0, &window, [&window] {
            printState(window);
            QCoreApplication::exit(0);
        });
    }
    return app.exec();
}
