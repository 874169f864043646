#include "generatecommand.h"

#include "commandline.h"
#include "exitcode.h"
#include "problemprinter.h"

#include "core/terminaltext.h"
#include "generate/artifactgenerator.h"
#include "model/projectfile.h"
#include "model/validator.h"

#include <QCommandLineParser>
#include <QDir>

namespace meshpad::cli {

using namespace mesh::model;

int GenerateCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Write every file a Meshpad design means into DIR: Consul registrations and intentions,\n"
                       "Nomad jobs (HCL and JSON), scripts, the Hashibox and a README.\n"
                       "Exit status: 0 written, 1 the design has errors (nothing written), 2 usage or I/O error."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the design (*.meshpad)"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("directory to write into (created if needed)"),
                                    QStringLiteral("DIR"));
    const QCommandLineOption force(QStringLiteral("force"), QStringLiteral("write even if the design has errors"));
    parser.addOptions({output, force, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"generate", out, err))
        return *done;
    if (parser.positionalArguments().size() != 1 || !parser.isSet(output)) {
        err << "meshpad generate: expected FILE and -o DIR (see meshpad generate --help)\n";
        return ExitCode::Usage;
    }
    const QString file = parser.positionalArguments().first();
    const QString directory = parser.value(output);
    const auto topology = ProjectFile::load(file);
    if (!topology) {
        err << "meshpad generate: " << mesh::TerminalText::escaped(topology.error().message) << "\n";
        return ExitCode::Usage;
    }
    const Problems problems = Validator::validate(*topology);
    ProblemPrinter::print(err, file, *topology, problems);
    if (Validator::hasErrors(problems) && !parser.isSet(force)) {
        err << mesh::TerminalText::escaped(file) << ": " << ProblemPrinter::summary(problems)
            << "; nothing written (fix them, or pass --force to write anyway)\n";
        return ExitCode::Problems;
    }
    const mesh::generate::ArtifactSet artifacts = mesh::generate::ArtifactGenerator::generate(*topology);
    // writeTo() refuses links in DIR, unsafe paths and case collisions before
    // writing anything; its message names the path (which may come from DIR
    // or a design, hence escaped).
    if (const auto written = artifacts.writeTo(directory); !written) {
        err << "meshpad generate: " << mesh::TerminalText::escaped(written.error().message) << "\n";
        return ExitCode::Usage;
    }
    const QDir dir(directory);
    for (const QString &path : artifacts.paths())
        out << mesh::TerminalText::escaped(QDir::cleanPath(dir.filePath(path))) << "\n";
    err << "wrote " << artifacts.artifacts().size() << " files to "
        << mesh::TerminalText::escaped(QDir(directory).absolutePath()) << "\n";
    return Validator::hasErrors(problems) ? ExitCode::Problems : ExitCode::Ok;
}

} // namespace meshpad::cli
