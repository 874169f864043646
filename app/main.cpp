#include "cli/commandline.h"
#include "cli/exitcode.h"
#include "cli/generatecommand.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTextStream>

#include <cstdio>

namespace {

// Until the editor exists, `meshpad [FILE]` shows what a design means on the
// command line: it validates FILE (or the bundled countdash example) and
// writes its artifacts under the user's data directory, printing where.
int openWithoutEditor(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QString file = arguments.value(1);
    if (file.isEmpty()) {
        file = QStringLiteral(":/examples/countdash.meshpad");
    } else if (!QFileInfo::exists(file)) {
        err << "meshpad: no such file or command \"" << file << "\"\n\n" << meshpad::cli::CommandLine::usage();
        return meshpad::cli::ExitCode::Usage;
    }
    const QString name = QFileInfo(file).completeBaseName();
    const QString directory = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
                                  .filePath(QStringLiteral("artifacts/") + name);
    err << "meshpad: the editor is not part of this build yet; showing what " << (arguments.size() > 1 ? file : name)
        << " means instead.\n";
    const int status = meshpad::cli::GenerateCommand::run(
        {QStringLiteral("meshpad"), file, QStringLiteral("-o"), directory}, out, err);
    if (status == meshpad::cli::ExitCode::Ok)
        err << "Open " << QDir(directory).filePath(QStringLiteral("README.md")) << " to see what each file is.\n";
    return status;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("meshpad"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESHPAD_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList arguments = QCoreApplication::arguments();
    if (meshpad::cli::CommandLine::isCommand(arguments))
        return meshpad::cli::CommandLine::run(arguments, out, err);
    return openWithoutEditor(arguments, out, err);
}
