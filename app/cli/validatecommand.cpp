#include "validatecommand.h"

#include "commandline.h"
#include "exitcode.h"
#include "problemprinter.h"

#include "core/terminaltext.h"
#include "model/projectfile.h"
#include "model/validator.h"

#include <QCommandLineParser>

namespace meshpad::cli {

using namespace mesh::model;

int ValidateCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Check a Meshpad design against what Consul and Nomad accept.\n"
                       "Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or I/O error."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the design (*.meshpad)"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("print problems as JSON lines on stdout"));
    parser.addOptions({json, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"validate", out, err))
        return *done;
    if (parser.positionalArguments().size() != 1) {
        err << "meshpad validate: expected exactly one FILE (see meshpad validate --help)\n";
        return ExitCode::Usage;
    }
    const QString file = parser.positionalArguments().first();
    const auto topology = ProjectFile::load(file);
    if (!topology) {
        err << "meshpad validate: " << mesh::TerminalText::escaped(topology.error().message) << "\n";
        return ExitCode::Usage;
    }
    const Problems problems = Validator::validate(*topology);
    if (parser.isSet(json)) {
        ProblemPrinter::printJson(out, *topology, problems);
    } else {
        ProblemPrinter::print(err, file, *topology, problems);
        err << mesh::TerminalText::escaped(file) << ": " << ProblemPrinter::summary(problems) << "\n";
    }
    return Validator::hasErrors(problems) ? ExitCode::Problems : ExitCode::Ok;
}

} // namespace meshpad::cli
