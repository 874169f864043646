#pragma once

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
};

} // namespace meshpad::cli
