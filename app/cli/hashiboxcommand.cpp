#include "hashiboxcommand.h"

#include "commandline.h"
#include "exitcode.h"

#include "core/terminaltext.h"

#include "consul/consulclient.h"
#include "consul/consulconfig.h"
#include "core/goduration.h"
#include "generate/hashiboxgenerator.h"
#include "hashibox/clusterwait.h"
#include "hashibox/vagrant.h"
#include "nomad/nomadclient.h"
#include "nomad/nomadconfig.h"

#include "api/apiclient.h"

#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonObject>

#include <QCoro/QCoroTask>

#include <memory>
#include <optional>

namespace meshpad::cli {

using mesh::hashibox::ClusterHealth;
using mesh::hashibox::ClusterWait;
using mesh::hashibox::MachineStatus;
using mesh::hashibox::Vagrant;
using mesh::hashibox::VagrantEvent;

namespace {

const QString kHashiboxUsage = QStringLiteral(
    "Usage: meshpad hashibox up [-dir DIR] [-timeout D] [-json] [-consul-addr URL] [-nomad-addr URL]\n"
    "       meshpad hashibox status [-dir DIR] [-json] [-consul-addr URL] [-nomad-addr URL]\n"
    "       meshpad hashibox destroy [-dir DIR] [-timeout D] [-json]\n"
    "\n"
    "The Hashibox `meshpad generate DESIGN -o DIR` writes (DIR/hashibox/Vagrantfile: nodes one,\n"
    "two, three on 10.42.0.11-13 under vagrant-libvirt), driven through vagrant.\n"
    "  up       vagrant up, then wait until Consul has a leader and three members and Nomad\n"
    "           a leader and three ready clients\n"
    "  status   the machines and their states, and the cluster's health when one runs\n"
    "  destroy  vagrant destroy -f\n"
    "DIR defaults to the current directory. Needs vagrant and vagrant-libvirt:\n"
    "  sudo apt install vagrant vagrant-libvirt libvirt-daemon-system\n"
    "Exit status: 0 ok, 1 vagrant failed or the cluster did not come up, 2 usage error or no Hashibox.\n");

// Per request while waiting: a booting node refuses or stalls, and the
// next poll asks again anyway.
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr auto kConnectTimeout = std::chrono::seconds(5);

struct Options
{
    QString directory;
    bool json = false;
    std::chrono::milliseconds timeout{0};
    QString consulAddress;
    QString nomadAddress;
    bool addressGiven = false;
};

// Parses `hashibox <command>`'s flags; nullopt with *exitCode set when the
// command is over (help printed, or a usage error said).
std::optional<Options> parse(const QStringList &arguments, QStringView command, const QString &description,
                             std::chrono::milliseconds defaultTimeout, bool withAddresses, QTextStream &out,
                             QTextStream &err, int *exitCode)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(description);
    const QCommandLineOption dir(QStringLiteral("dir"),
                                 QStringLiteral("the directory meshpad generate wrote (holding hashibox/)"),
                                 QStringLiteral("DIR"), QStringLiteral("."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("print one JSON object per line"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("give up after D, a Go duration such as 90s or 30m (default %1)")
                                         .arg(mesh::formatGoDuration(defaultTimeout)),
                                     QStringLiteral("D"));
    const QCommandLineOption consul(QStringLiteral("consul-addr"),
                                    QStringLiteral("Consul's HTTP API (default node one's, http://%1:8500)")
                                        .arg(mesh::generate::HashiboxGenerator::nodeAddresses().constFirst()),
                                    QStringLiteral("URL"));
    const QCommandLineOption nomad(QStringLiteral("nomad-addr"),
                                   QStringLiteral("Nomad's HTTP API (default node one's, http://%1:4646)")
                                       .arg(mesh::generate::HashiboxGenerator::nodeAddresses().constFirst()),
                                   QStringLiteral("URL"));
    parser.addOptions({dir, json, timeout, CommandLine::helpOption()});
    if (withAddresses)
        parser.addOptions({consul, nomad});
    if (const auto done = CommandLine::parse(parser, arguments, QString(u"hashibox " + command), out, err)) {
        *exitCode = *done;
        return std::nullopt;
    }
    const QString name = u"meshpad hashibox " + command + u": ";
    if (!parser.positionalArguments().isEmpty()) {
        err << name << "takes no arguments; the Hashibox's directory is -dir DIR (see meshpad hashibox " << command
            << " -help)\n";
        *exitCode = ExitCode::Usage;
        return std::nullopt;
    }
    Options options;
    options.directory = parser.value(dir);
    options.json = parser.isSet(json);
    options.timeout = defaultTimeout;
    if (parser.isSet(timeout)) {
        const auto parsed = mesh::parseGoDuration(parser.value(timeout));
        if (!parsed || *parsed <= std::chrono::nanoseconds(0)) {
            err << name << "-timeout: \"" << parser.value(timeout)
                << "\" is not a positive duration such as 90s or 30m\n";
            *exitCode = ExitCode::Usage;
            return std::nullopt;
        }
        options.timeout = std::chrono::ceil<std::chrono::milliseconds>(*parsed);
    }
    const QString nodeOne = mesh::generate::HashiboxGenerator::nodeAddresses().constFirst();
    options.consulAddress = u"http://" + nodeOne + u":8500";
    options.nomadAddress = u"http://" + nodeOne + u":4646";
    if (withAddresses) {
        options.addressGiven = parser.isSet(consul) || parser.isSet(nomad);
        if (parser.isSet(consul))
            options.consulAddress = parser.value(consul);
        if (parser.isSet(nomad))
            options.nomadAddress = parser.value(nomad);
    }
    return options;
}

// Where progress goes: text lines on `out`, or JSON lines.
class Printer final
{
public:
    Printer(QTextStream &out, bool json)
        : m_out(out)
        , m_json(json)
    {
    }

    void vagrantEvent(const VagrantEvent &event)
    {
        if (!m_json)
            return;
        m_out << mesh::TerminalText::compactJson({{QStringLiteral("event"), QStringLiteral("vagrant")},
                                                  {QStringLiteral("time"), event.time.toString(Qt::ISODate)},
                                                  {QStringLiteral("target"), event.target},
                                                  {QStringLiteral("type"), event.type},
                                                  {QStringLiteral("data"), QJsonArray::fromStringList(event.data)}})
              << '\n';
        m_out.flush();
    }

    void progress(const QString &text)
    {
        if (m_json)
            m_out << mesh::TerminalText::compactJson(
                {{QStringLiteral("event"), QStringLiteral("progress")}, {QStringLiteral("text"), text}});
        else
            m_out << text;
        m_out << '\n';
        m_out.flush();
    }

    void object(const QJsonObject &object)
    {
        m_out << mesh::TerminalText::compactJson(object) << '\n';
        m_out.flush();
    }

private:
    QTextStream &m_out;
    const bool m_json;
};

// The clients of the cluster inside, short-tempered: a node that is still
// booting costs one poll, not a minute of retries.
struct Cluster
{
    std::unique_ptr<mesh::consul::ConsulClient> consul;
    std::unique_ptr<mesh::nomad::NomadClient> nomad;
};

// The API endpoint `Config` (Consul's or Nomad's) reads from the
// environment, at `address` instead of its own; an error names `flag`.
template<class Config>
mesh::Result<mesh::api::ApiEndpoint> hashiboxEndpoint(const QString &address, const QString &flag)
{
    Config config = Config::fromEnvironment();
    config.address = address;
    auto endpoint = config.endpoint();
    if (!endpoint)
        return std::unexpected(mesh::Error{endpoint.error().code, flag + u": " + endpoint.error().message});
    return endpoint;
}

mesh::Result<Cluster> connect(const Options &options)
{
    const auto consulEndpoint
        = hashiboxEndpoint<mesh::consul::ConsulConfig>(options.consulAddress, QStringLiteral("-consul-addr"));
    if (!consulEndpoint)
        return std::unexpected(consulEndpoint.error());
    const auto nomadEndpoint
        = hashiboxEndpoint<mesh::nomad::NomadConfig>(options.nomadAddress, QStringLiteral("-nomad-addr"));
    if (!nomadEndpoint)
        return std::unexpected(nomadEndpoint.error());
    Cluster cluster{std::make_unique<mesh::consul::ConsulClient>(*consulEndpoint),
                    std::make_unique<mesh::nomad::NomadClient>(*nomadEndpoint)};
    for (mesh::api::ApiClient *api : {cluster.consul->api(), cluster.nomad->api()}) {
        mesh::api::ApiClient::Options o = api->options();
        o.connectTimeout = kConnectTimeout;
        o.requestTimeout = kRequestTimeout;
        o.maxAttempts = 1;
        api->setOptions(o);
    }
    return cluster;
}

QJsonObject healthJson(const ClusterHealth &health, int expected)
{
    return {{QStringLiteral("consul"), QJsonObject{{QStringLiteral("leader"), health.consulLeader},
                                                   {QStringLiteral("alive"), health.consulAlive},
                                                   {QStringLiteral("members"), health.consulMembers},
                                                   {QStringLiteral("ready"), health.consulReady(expected)},
                                                   {QStringLiteral("error"), health.consulError}}},
            {QStringLiteral("nomad"), QJsonObject{{QStringLiteral("leader"), health.nomadLeader},
                                                  {QStringLiteral("ready"), health.nomadReady},
                                                  {QStringLiteral("nodes"), health.nomadNodes},
                                                  {QStringLiteral("up"), health.nomadReadyFor(expected)},
                                                  {QStringLiteral("error"), health.nomadError}}}};
}

// Vagrant's events (with -json) or its progress text (without) as lines of
// `printer`.
void showVagrantOutput(Vagrant &vagrant, Printer &printer, bool json)
{
    QObject::connect(&vagrant, &Vagrant::eventReceived, &vagrant,
                     [&printer](const VagrantEvent &event) { printer.vagrantEvent(event); });
    QObject::connect(&vagrant, &Vagrant::progress, &vagrant, [&printer, json](const QString &text) {
        if (!json)
            printer.progress(text);
    });
}

// The command's failure: on err as text, and with -json also as an object.
int failed(QTextStream &err, Printer &printer, bool json, QStringView command, const mesh::Error &error)
{
    if (json) {
        printer.object(
            {{QStringLiteral("event"), QStringLiteral("error")}, {QStringLiteral("message"), error.message}});
    }
    err << "meshpad hashibox " << command << ": " << error.message << "\n";
    err.flush();
    // Io: no Hashibox in DIR (Vagrant::hashiboxDirectory), an input missing.
    return error.code == mesh::Error::Code::Io ? ExitCode::Usage : ExitCode::Problems;
}

QCoro::Task<int> runUp(Options options, QTextStream &out, QTextStream &err)
{
    const QDeadlineTimer deadline(options.timeout);
    Printer printer(out, options.json);
    Vagrant vagrant(options.directory);
    showVagrantOutput(vagrant, printer, options.json);
    auto cluster = connect(options);
    if (!cluster)
        co_return failed(err, printer, options.json, u"up", cluster.error());

    const auto up = co_await vagrant.up(options.timeout);
    if (!up)
        co_return failed(err, printer, options.json, u"up", up.error());

    printer.progress(u"machines up; waiting for Consul at " + options.consulAddress + u" and Nomad at "
                     + options.nomadAddress);
    ClusterWait wait(cluster->consul.get(), cluster->nomad.get());
    QObject::connect(&wait, &ClusterWait::progress, &wait, [&printer](const QString &text) { printer.progress(text); });
    const auto remaining = std::chrono::milliseconds(std::max<qint64>(deadline.remainingTime(), 1000));
    const auto health = co_await wait.waitUntilReady(remaining);
    if (!health)
        co_return failed(err, printer, options.json, u"up", health.error());
    if (options.json) {
        QJsonObject ready = healthJson(*health, wait.expectedNodes());
        ready.insert(QStringLiteral("event"), QStringLiteral("ready"));
        ready.insert(QStringLiteral("consulAddr"), options.consulAddress);
        ready.insert(QStringLiteral("nomadAddr"), options.nomadAddress);
        printer.object(ready);
    } else {
        out << "hashibox ready: consul " << options.consulAddress << ", nomad " << options.nomadAddress << '\n'
            << "  export CONSUL_HTTP_ADDR=" << options.consulAddress << " NOMAD_ADDR=" << options.nomadAddress << '\n';
        out.flush();
    }
    co_return ExitCode::Ok;
}

QCoro::Task<int> runStatus(Options options, QTextStream &out, QTextStream &err)
{
    Printer printer(out, options.json);
    Vagrant vagrant(options.directory);
    const auto machines = co_await vagrant.status(options.timeout);
    if (!machines)
        co_return failed(err, printer, options.json, u"status", machines.error());

    const bool anyRunning = std::any_of(machines->cbegin(), machines->cend(),
                                        [](const MachineStatus &m) { return m.state == u"running"; });
    std::optional<ClusterHealth> health;
    int expected = 0;
    if (anyRunning || options.addressGiven) {
        auto cluster = connect(options);
        if (!cluster)
            co_return failed(err, printer, options.json, u"status", cluster.error());
        ClusterWait wait(cluster->consul.get(), cluster->nomad.get());
        expected = wait.expectedNodes();
        health = co_await wait.check();
    }

    if (options.json) {
        QJsonArray list;
        for (const MachineStatus &m : *machines) {
            list.append(QJsonObject{{QStringLiteral("name"), m.name},
                                    {QStringLiteral("state"), m.state},
                                    {QStringLiteral("stateText"), m.stateText},
                                    {QStringLiteral("provider"), m.provider}});
        }
        QJsonObject status{{QStringLiteral("directory"), *vagrant.hashiboxDirectory()},
                           {QStringLiteral("machines"), list}};
        if (health) {
            status.insert(QStringLiteral("cluster"), healthJson(*health, expected));
            status.insert(QStringLiteral("consulAddr"), options.consulAddress);
            status.insert(QStringLiteral("nomadAddr"), options.nomadAddress);
        }
        printer.object(status);
        co_return ExitCode::Ok;
    }
    qsizetype width = 7;
    for (const MachineStatus &m : *machines)
        width = std::max(width, m.name.size());
    out << QStringLiteral("MACHINE").leftJustified(width + 2) << QStringLiteral("STATE").leftJustified(14)
        << "PROVIDER\n";
    for (const MachineStatus &m : *machines)
        out << m.name.leftJustified(width + 2) << m.state.leftJustified(14) << m.provider << '\n';
    if (health)
        out << '\n' << health->consulText(expected) << '\n' << health->nomadText(expected) << '\n';
    out.flush();
    co_return ExitCode::Ok;
}

QCoro::Task<int> runDestroy(Options options, QTextStream &out, QTextStream &err)
{
    Printer printer(out, options.json);
    Vagrant vagrant(options.directory);
    showVagrantOutput(vagrant, printer, options.json);
    const auto destroyed = co_await vagrant.destroy(options.timeout);
    if (!destroyed)
        co_return failed(err, printer, options.json, u"destroy", destroyed.error());
    printer.progress(QStringLiteral("hashibox destroyed"));
    co_return ExitCode::Ok;
}

// `hashibox <command>`: its flags parsed as parse() does, then `runner` run
// to the end.
int runHashiboxCommand(const QStringList &arguments, QStringView command, const QString &description,
                       std::chrono::milliseconds defaultTimeout, bool withAddresses,
                       QCoro::Task<int> (*runner)(Options, QTextStream &, QTextStream &), QTextStream &out,
                       QTextStream &err)
{
    int exitCode = ExitCode::Ok;
    const auto options = parse(arguments, command, description, defaultTimeout, withAddresses, out, err, &exitCode);
    if (!options)
        return exitCode;
    return QCoro::waitFor(runner(*options, out, err));
}

} // namespace

int HashiboxCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    static constexpr CommandLine::Subcommand subcommands[] = {
        {u"up", &HashiboxCommand::up},
        {u"status", &HashiboxCommand::status},
        {u"destroy", &HashiboxCommand::destroy},
    };
    return CommandLine::runSubcommand(u"hashibox", subcommands, kHashiboxUsage, arguments, out, err);
}

int HashiboxCommand::up(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return runHashiboxCommand(
        arguments, u"up",
        QStringLiteral("Bring the Hashibox up with vagrant (libvirt), then wait until Consul has a leader and\n"
                       "three alive members and Nomad a leader and three ready clients.\n"
                       "Exit status: 0 up, 1 vagrant failed or the cluster did not come up in time,\n"
                       "2 usage error or no Hashibox in DIR."),
        std::chrono::minutes(30), true, &runUp, out, err);
}

int HashiboxCommand::status(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return runHashiboxCommand(
        arguments, u"status",
        QStringLiteral("Show the Hashibox's machines and their states (vagrant status), and the health of\n"
                       "Consul and Nomad inside when a machine runs.\n"
                       "Exit status: 0 shown, 1 vagrant failed, 2 usage error or no Hashibox in DIR."),
        std::chrono::minutes(2), true, &runStatus, out, err);
}

int HashiboxCommand::destroy(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return runHashiboxCommand(arguments, u"destroy",
                              QStringLiteral("Destroy the Hashibox's machines (vagrant destroy -f).\n"
                                             "Exit status: 0 destroyed, 1 vagrant failed, 2 usage error or no "
                                             "Hashibox in DIR."),
                              std::chrono::minutes(10), false, &runDestroy, out, err);
}

} // namespace meshpad::cli
