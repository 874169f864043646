#pragma once

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// The `meshpad` command line: picks the subcommand from arguments[1] and
// runs it. `arguments` includes the program name, as QCoreApplication gives.
class CommandLine final
{
public:
    // True when arguments name a subcommand or a global flag (--help,
    // --version); otherwise main() starts the editor.
    static bool isCommand(const QStringList &arguments);
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static QString usage();
    // A subcommand's --help text, its Usage line naming `meshpad <command>`
    // rather than the path the binary was started from.
    static QString helpText(const QCommandLineParser &parser, QStringView command);
    // Makes `parser` read consul-style flags: `-dir DIR`, `-json`, not
    // `-d -i -r` (QCommandLineParser::ParseAsLongOptions).
    static void useConsulStyleFlags(QCommandLineParser &parser);
};

} // namespace meshpad::cli
