#pragma once

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

#include <optional>
#include <span>

namespace meshpad::cli {

// The `meshpad` command line: picks the subcommand from arguments[1] and
// runs it. `arguments` includes the program name, as QCoreApplication gives.
class CommandLine final
{
public:
    // A command word and what runs it with the arguments from that word on.
    struct Subcommand
    {
        QStringView name;
        int (*run)(const QStringList &arguments, QTextStream &out, QTextStream &err);
    };

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
    // -h/-help: "show this help", which parse() answers.
    static QCommandLineOption helpOption();
    // Parses a subcommand's `arguments` with `parser` (which holds
    // helpOption()). Returns the exit status when the command ends here: a
    // parse error said on `err` as "meshpad <command>: …" (ExitCode::Usage),
    // or the help printed on `out` (ExitCode::Ok); nullopt to go on.
    static std::optional<int> parse(QCommandLineParser &parser, const QStringList &arguments, QStringView command,
                                    QTextStream &out, QTextStream &err);
    // `meshpad <group> <subcommand> …` (ca, lab, hashibox): runs the
    // subcommand arguments[1] names with the arguments from it on; prints
    // `usage` on out for -h, --help, -help or help; none or an unknown word is
    // a usage error that names the subcommands and prints `usage` on err.
    static int runSubcommand(QStringView group, std::span<const Subcommand> subcommands, const QString &usage,
                             const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
