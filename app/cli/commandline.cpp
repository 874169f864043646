#include "commandline.h"

#include <QCoreApplication>

#include "cacommand.h"
#include "deploycommand.h"
#include "exitcode.h"
#include "generatecommand.h"
#include "hashiboxcommand.h"
#include "importcommand.h"
#include "labcommand.h"
#include "proxycommand.h"
#include "validatecommand.h"

namespace meshpad::cli {

namespace {

constexpr CommandLine::Subcommand kSubcommands[] = {
    {u"validate", &ValidateCommand::run},
    {u"generate", &GenerateCommand::run},
    {u"ca", &CaCommand::run},
    {u"proxy", &ProxyCommand::run},
    {u"lab", &LabCommand::run},
    {u"plan", &DeployCommand::plan},
    {u"deploy", &DeployCommand::deploy},
    {u"teardown", &DeployCommand::teardown},
    {u"hashibox", &HashiboxCommand::run},
    {u"import", &ImportCommand::run},
};

const QStringList kGlobalFlags = {QStringLiteral("-h"), QStringLiteral("--help"), QStringLiteral("help"),
                                  QStringLiteral("-v"), QStringLiteral("--version")};

} // namespace

QString CommandLine::usage()
{
    return QStringLiteral(
        "Usage: meshpad [FILE]\n"
        "       meshpad <command> [options]\n"
        "\n"
        "Meshpad designs a Consul service mesh on Nomad and writes every file it means.\n"
        "\n"
        "Commands:\n"
        "  validate FILE           check a design; exit 1 if it has errors\n"
        "  generate FILE -o DIR    write the Consul, Nomad, script and Hashibox files into DIR\n"
        "  ca init -dir DIR        create a Connect CA in Consul's format (ca.pem, ca-key.pem)\n"
        "  ca leaf -dir DIR -service NAME\n"
        "                          sign a leaf for NAME with that CA (NAME.pem, NAME-key.pem)\n"
        "  ca sign -dir DIR -csr FILE [-out FILE]\n"
        "                          sign a CSR holding exactly one service SPIFFE ID\n"
        "  proxy -ca-dir DIR -service NAME [-listen HOST:PORT -service-addr HOST:PORT]\n"
        "        [-upstream DEST:LOCALPORT=HOST:PORT …] [-allow SRC … | -deny SRC …] [-default-deny]\n"
        "                          run the mTLS sidecar until SIGINT/SIGTERM\n"
        "  proxy -sidecar-for SERVICE_ID [-http-addr ADDR] [-token TOKEN] [-log-level LEVEL]\n"
        "                          the same sidecar, configured by a Consul agent (or the lab's)\n"
        "  lab up [FILE] [-json]   run the embedded three-node lab (with FILE, or empty) until\n"
        "                          SIGINT/SIGTERM; prints its Consul and Nomad addresses, then\n"
        "                          one line per endpoint, the dashboard first\n"
        "  lab status [-json]      show the running lab's nodes, instances and arrows\n"
        "  lab env                 export CONSUL_HTTP_ADDR=... NOMAD_ADDR=... for the running lab\n"
        "  plan FILE [-target T] [-json]\n"
        "                          what deploying FILE would change on a cluster (lab, environment\n"
        "                          = CONSUL_HTTP_ADDR/NOMAD_ADDR, hashibox, or a saved profile);\n"
        "                          exit 0 no changes, 1 changes, 2 error\n"
        "  deploy FILE [-target T] [-auto-approve] [-detach] [-deadline D] [-json]\n"
        "                          plan, ask, apply and watch until healthy; prints the URLs\n"
        "  teardown FILE [-target T] [-auto-approve] [-json]\n"
        "                          remove exactly what FILE's design put on the cluster\n"
        "  import JOB.hcl… [-var NAME=VALUE]… [-var-file FILE] [-o DESIGN.meshpad] [--name NAME]\n"
        "                          draw Nomad job files (HCL2) as a design: one service per Connect\n"
        "                          service, one arrow per upstream; lists what is not imported\n"
        "  import -target T [-job ID]… [-timeout D] [-o DESIGN.meshpad] [--name NAME]\n"
        "                          the same from the jobs a cluster runs and its intentions\n"
        "                          (targets as for deploy); -o - writes to stdout, --force replaces\n"
        "  hashibox up|status|destroy [-dir DIR]\n"
        "                          bring the generated Hashibox (vagrant-libvirt) up and wait for\n"
        "                          its Consul and Nomad, show its machines, or destroy it\n"
        "\n"
        "Options:\n"
        "  -h, --help              show this help (meshpad <command> --help for a command)\n"
        "  -v, --version           show the version\n"
        "\n"
        "Without a command, meshpad opens FILE (else the example design).\n"
        "Exit status: 0 ok, 1 the design has errors, 2 usage or I/O error.\n");
}

void CommandLine::useConsulStyleFlags(QCommandLineParser &parser)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
}

QString CommandLine::helpText(const QCommandLineParser &parser, QStringView command)
{
    QString text = parser.helpText();
    const QString program = QCoreApplication::arguments().value(0);
    const qsizetype at = program.isEmpty() ? -1 : text.indexOf(program);
    if (at >= 0)
        text.replace(at, program.size(), u"meshpad " + command);
    return text;
}

QCommandLineOption CommandLine::helpOption()
{
    return QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("show this help"));
}

std::optional<int> CommandLine::parse(QCommandLineParser &parser, const QStringList &arguments, QStringView command,
                                      QTextStream &out, QTextStream &err)
{
    if (!parser.parse(arguments)) {
        err << "meshpad " << command << ": " << parser.errorText() << "\n";
        return ExitCode::Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << helpText(parser, command);
        return ExitCode::Ok;
    }
    return std::nullopt;
}

int CommandLine::runSubcommand(QStringView group, std::span<const Subcommand> subcommands, const QString &usage,
                               const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const QString sub = arguments.value(1);
    for (const Subcommand &c : subcommands) {
        if (c.name == sub)
            return c.run(arguments.mid(1), out, err);
    }
    if (sub == u"-h" || sub == u"--help" || sub == u"-help" || sub == u"help") {
        out << usage;
        return ExitCode::Ok;
    }
    err << "meshpad " << group << ": ";
    if (sub.isEmpty()) {
        // "expected up, status or env"
        err << "expected ";
        for (std::size_t i = 0; i < subcommands.size(); ++i) {
            if (i > 0)
                err << (i + 1 < subcommands.size() ? ", " : " or ");
            err << subcommands[i].name;
        }
        err << "\n\n";
    } else {
        err << "unknown subcommand \"" << sub << "\"\n\n";
    }
    err << usage;
    return ExitCode::Usage;
}

bool CommandLine::isCommand(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return false;
    const QString &first = arguments.at(1);
    if (kGlobalFlags.contains(first))
        return true;
    for (const Subcommand &c : kSubcommands) {
        if (c.name == first)
            return true;
    }
    return false;
}

int CommandLine::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const QString first = arguments.value(1);
    if (first == u"-h" || first == u"--help" || first == u"help") {
        out << usage();
        return ExitCode::Ok;
    }
    if (first == u"-v" || first == u"--version") {
        out << "meshpad " << MESHPAD_VERSION << "\n";
        return ExitCode::Ok;
    }
    for (const Subcommand &c : kSubcommands) {
        if (c.name == first)
            return c.run(arguments.mid(1), out, err);
    }
    err << "meshpad: unknown command \"" << first << "\"\n\n" << usage();
    return ExitCode::Usage;
}

} // namespace meshpad::cli
