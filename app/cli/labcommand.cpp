#include "labcommand.h"

#include "commandline.h"
#include "exitcode.h"
#include "labsnapshotjson.h"
#include "labstatusserver.h"
#include "problemprinter.h"

#include "core/terminaltext.h"
#include "lab/lab.h"
#include "model/projectfile.h"
#include "model/validator.h"
#include "unixsignalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <utility>

namespace meshpad::cli {

using mesh::TerminalText;
using namespace mesh::lab;

namespace {

const QString kLabUsage
    = QStringLiteral("Usage: meshpad lab up [FILE] [-json]\n"
                     "       meshpad lab status [-json]\n"
                     "       meshpad lab env\n"
                     "\n"
                     "The embedded three-node lab without the editor: nodes one, two, three on 127.0.1.1-3\n"
                     "(127.N.1.1-3 beside other labs, e.g. the editor's Run), each serving Consul's HTTP API\n"
                     "on ADDR:8500 and Nomad's on ADDR:4646.\n"
                     "  up      print each node's Consul and Nomad address, then validate FILE and run it, printing\n"
                     "          one line per endpoint (dashboards first): <service> <alloc> http://ADDR:PORT;\n"
                     "          without FILE, three empty nodes wait for jobs; run until Ctrl-C (SIGINT/SIGTERM)\n"
                     "  status  show the running lab's nodes, instances, arrows and dashboard URL\n"
                     "  env     print export CONSUL_HTTP_ADDR=... NOMAD_ADDR=... for the running lab:\n"
                     "          eval \"$(meshpad lab env)\"\n"
                     "Exit status: 0 ok, 1 the design has errors, the lab could not start or none is running,\n"
                     "2 usage or I/O error.\n");

// How long `lab up` waits for the lab to start and to stop, and `lab status`
// for an answer.
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopTimeout = std::chrono::seconds(10);
constexpr auto kStatusTimeout = std::chrono::seconds(5);

// Whether the design publishes any port, i.e. whether `up` has endpoints to
// print before anything else.
bool publishesPorts(const mesh::model::Topology &topology)
{
    return std::any_of(topology.services.cbegin(), topology.services.cend(),
                       [](const mesh::model::Service &s) { return s.count > 0 && !s.ports.isEmpty(); });
}

// `eval "$(meshpad lab env)"` runs what env prints: it prints only plain
// http URLs (host or address and port), never text a shell reads as more.
bool isPlainUrl(const QString &text)
{
    static const QRegularExpression plain(QStringLiteral("^https?://[A-Za-z0-9.:\\[\\]-]+/?$"));
    return plain.match(text).hasMatch();
}

QString clockText(const QDateTime &time)
{
    return time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
}

// What `lab up` prints while it runs: the endpoints once, first on stdout,
// then the events (on stdout as JSON lines with -json, else on stderr).
class UpPrinter final
{
public:
    UpPrinter(QTextStream &out, QTextStream &err, bool json, bool expectsEndpoints)
        : m_out(out)
        , m_err(err)
        , m_json(json)
        , m_expectsEndpoints(expectsEndpoints)
    {
    }

    // Where the nodes' agents listen comes first: they are known as soon as
    // the lab runs, and a user points curl, consul or nomad at them.
    // started() may come before the ports are in the snapshot; the first
    // snapshot that has them prints them. A design without ports has none
    // to wait for.
    void snapshot(const LabSnapshot &snapshot, bool started)
    {
        if (m_announced)
            return;
        const bool nodesKnown = !snapshot.nodes.isEmpty() && !snapshot.nodes.constFirst().consulAddress.isEmpty();
        if (!m_nodesAnnounced && nodesKnown) {
            m_nodesAnnounced = true;
            for (const NodeSnapshot &n : snapshot.nodes) {
                if (m_json)
                    m_out << LabSnapshotJson::nodeApis(n) << '\n';
                else
                    m_out << "node " << TerminalText::escaped(n.name) << " consul "
                          << TerminalText::escaped(n.consulAddress) << " nomad "
                          << TerminalText::escaped(n.nomadAddress) << '\n';
            }
            m_out.flush();
        }
        if (snapshot.endpoints.isEmpty() && (m_expectsEndpoints || !started))
            return;
        m_announced = true;
        for (const Endpoint &e : snapshot.endpoints) {
            if (m_json)
                m_out << LabSnapshotJson::endpoint(e) << '\n';
            else
                m_out << TerminalText::escaped(e.service) << ' ' << TerminalText::escaped(e.allocName) << ' '
                      << TerminalText::escaped(e.url) << '\n';
        }
        m_out.flush();
        QStringList nodes;
        for (const NodeSnapshot &n : snapshot.nodes)
            nodes.append(n.name);
        m_err << "meshpad lab: " << snapshot.instances.size() << " allocations on nodes "
              << TerminalText::escaped(nodes.join(u", "));
        if (!snapshot.dashboardUrl.isEmpty())
            m_err << "; dashboard " << TerminalText::escaped(snapshot.dashboardUrl);
        m_err << " (meshpad lab status shows them; Ctrl-C stops the lab)\n";
        m_err.flush();
        const QList<LabEvent> held = std::exchange(m_held, {});
        for (const LabEvent &e : held)
            event(e);
    }

    // With -json, stdout starts with the endpoints: events wait for them.
    // Service and allocation names come from the design, the text may quote
    // a task's output: one escaped line per event, whatever they hold.
    void event(const LabEvent &event)
    {
        if (!m_json) {
            const QString about = event.allocName.isEmpty() ? event.service : event.allocName;
            m_err << clockText(event.time) << "  " << toString(event.kind).leftJustified(9) << "  "
                  << TerminalText::escaped(about.isEmpty() ? event.text : about + u": " + event.text) << '\n';
            m_err.flush();
        } else if (!m_announced) {
            m_held.append(event);
        } else {
            m_out << LabSnapshotJson::event(event) << '\n';
            m_out.flush();
        }
    }

    // The events held back, when the lab ends before printing endpoints.
    void flush()
    {
        const QList<LabEvent> held = std::exchange(m_held, {});
        for (const LabEvent &e : held)
            m_out << LabSnapshotJson::event(e) << '\n';
        m_out.flush();
    }

private:
    QTextStream &m_out;
    QTextStream &m_err;
    const bool m_json;
    const bool m_expectsEndpoints;
    bool m_nodesAnnounced = false;
    bool m_announced = false;
    QList<LabEvent> m_held;
};

// Rows of text with columns two spaces apart; the first row is the header.
// Cells are escaped (names come from the design, through the lab's socket)
// before they are measured, so the columns stay aligned.
void printTable(QTextStream &out, QList<QStringList> rows)
{
    for (QStringList &row : rows) {
        for (QString &cell : row)
            cell = TerminalText::escaped(cell);
    }
    QList<qsizetype> widths;
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (c >= widths.size())
                widths.append(0);
            widths[c] = std::max(widths[c], row.at(c).size());
        }
    }
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? row.at(c).leftJustified(widths.at(c) + 2) : row.at(c);
        out << line.trimmed() << '\n';
    }
}

void printStatus(QTextStream &out, const LabSnapshot &s)
{
    out << "lab " << (s.running ? "running" : "starting");
    if (!s.trustDomain.isEmpty())
        out << ", trust domain " << TerminalText::escaped(s.trustDomain);
    if (!s.datacenter.isEmpty())
        out << ", datacenter " << TerminalText::escaped(s.datacenter);
    out << '\n';
    out << "dashboard: "
        << (s.dashboardUrl.isEmpty() ? QStringLiteral("(none published)") : TerminalText::escaped(s.dashboardUrl))
        << "\n\n";

    QList<QStringList> nodes{{QStringLiteral("NODE"), QStringLiteral("ADDRESS"), QStringLiteral("STATUS")}};
    for (const NodeSnapshot &n : s.nodes)
        nodes.append({n.name, n.address, n.up ? QStringLiteral("up") : QStringLiteral("down")});
    printTable(out, nodes);
    out << '\n';

    QList<QStringList> instances{{QStringLiteral("ALLOC"), QStringLiteral("SERVICE"), QStringLiteral("NODE"),
                                  QStringLiteral("ADDRESS"), QStringLiteral("STATE"), QStringLiteral("HEALTH"),
                                  QStringLiteral("RESTARTS"), QStringLiteral("COUNT"), QStringLiteral("PORTS")}};
    QStringList messages;
    for (const InstanceSnapshot &i : s.instances) {
        QStringList ports;
        for (const AllocatedPort &p : i.ports)
            ports.append(QStringLiteral("%1 %2:%3->%4").arg(p.label, p.hostAddress).arg(p.hostPort).arg(p.to));
        if (i.sidecarPort != 0)
            ports.append(QStringLiteral("mtls %1:%2").arg(i.nodeAddress).arg(i.sidecarPort));
        instances.append({i.allocName, i.serviceName, i.node, i.address, toString(i.state), toString(i.health),
                          QString::number(i.restarts),
                          i.counterValue ? QString::number(*i.counterValue) : QStringLiteral("-"), ports.join(u", ")});
        if (!i.message.isEmpty())
            messages.append(i.allocName + u": " + i.message);
        // Same name as the lost one it replaces (Nomad keeps the name): the
        // ids tell them apart, shortened as `nomad job status` does.
        if (!i.previousAllocation.isEmpty())
            messages.append(i.allocName + u": replaces lost allocation " + i.previousAllocation.left(8));
    }
    printTable(out, instances);
    for (const QString &m : messages)
        out << "  " << TerminalText::escaped(m) << '\n';

    if (!s.lost.isEmpty()) {
        out << '\n';
        QList<QStringList> lost{{QStringLiteral("LOST"), QStringLiteral("ID"), QStringLiteral("SERVICE"),
                                 QStringLiteral("NODE"), QStringLiteral("REPLACED BY")}};
        for (const InstanceSnapshot &i : s.lost) {
            lost.append(
                {i.allocName, i.allocId.left(8), i.serviceName, i.node,
                 i.nextAllocation.isEmpty() ? QStringLiteral("(waiting for a node)") : i.nextAllocation.left(8)});
        }
        printTable(out, lost);
    }

    if (!s.arrows.isEmpty()) {
        out << '\n';
        const QLocale c = QLocale::c();
        QList<QStringList> arrows{{QStringLiteral("ARROW"), QStringLiteral("INTENTION"), QStringLiteral("ACTIVE"),
                                   QStringLiteral("CONNECTIONS"), QStringLiteral("SENT"), QStringLiteral("RECEIVED"),
                                   QStringLiteral("RATE"), QStringLiteral("REFUSED"), QStringLiteral("FAILED")}};
        for (const ArrowSnapshot &a : s.arrows) {
            arrows.append({a.from + u" → " + a.to, a.allowed ? QStringLiteral("allow") : QStringLiteral("deny"),
                           QString::number(a.activeConnections), QString::number(a.totalConnections),
                           c.formattedDataSize(qint64(a.bytesSent)), c.formattedDataSize(qint64(a.bytesReceived)),
                           c.formattedDataSize(qint64(a.bytesPerSecond)) + u"/s", QString::number(a.refusals),
                           QString::number(a.connectFailures)});
        }
        printTable(out, arrows);
    }
}

} // namespace

int LabCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    static constexpr CommandLine::Subcommand subcommands[] = {
        {u"up", &LabCommand::up},
        {u"status", &LabCommand::status},
        {u"env", &LabCommand::env},
    };
    return CommandLine::runSubcommand(u"lab", subcommands, kLabUsage, arguments, out, err);
}

int LabCommand::up(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(QStringLiteral(
        "Run the embedded three-node lab until SIGINT/SIGTERM, with a design or (no FILE) empty, waiting\n"
        "for jobs through its Nomad API. Prints each node's agents first: node NAME consul URL nomad URL;\n"
        "then one line per endpoint, dashboards first: <service> <alloc> http://ADDR:PORT (-json: one JSON\n"
        "object per line, then the lab's events as JSON lines; without it, events go to stderr).\n"
        "Exit status: 0 stopped by a signal, 1 the design has errors or the lab could not start,\n"
        "2 usage or I/O error."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the design (*.meshpad); none: an empty lab"),
                                 QStringLiteral("[FILE]"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("print endpoints and events as JSON lines"));
    parser.addOptions({json, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"lab up", out, err))
        return *done;
    if (parser.positionalArguments().size() > 1) {
        err << "meshpad lab up: expected at most one FILE (see meshpad lab up -help)\n";
        return ExitCode::Usage;
    }

    // No FILE: three empty nodes that run what arrives through their APIs.
    mesh::model::Topology topology;
    if (!parser.positionalArguments().isEmpty()) {
        const QString file = parser.positionalArguments().constFirst();
        auto loaded = mesh::model::ProjectFile::load(file);
        if (!loaded) {
            err << "meshpad lab up: " << TerminalText::escaped(loaded.error().message) << "\n";
            return ExitCode::Usage;
        }
        topology = std::move(*loaded);
        const mesh::model::Problems problems = mesh::model::Validator::validate(topology);
        // Always on stderr: with -json, stdout starts with the endpoints.
        ProblemPrinter::print(err, file, topology, problems);
        if (mesh::model::Validator::hasErrors(problems)) {
            err << TerminalText::escaped(file) << ": " << ProblemPrinter::summary(problems)
                << "; the lab runs a design only without errors\n";
            return ExitCode::Problems;
        }
    }

    Lab lab;
    // Declared after the lab, so it is gone before the lab it reads.
    LabStatusServer statusServer([&lab] { return lab.snapshot(); });
    if (const auto listening = statusServer.listen(LabStatusServer::defaultPath()); !listening) {
        err << "meshpad lab up: " << listening.error().message << "\n";
        if (listening.error().code == mesh::Error::Code::Invalid)
            return ExitCode::Problems;
        err << "meshpad lab up: running without `meshpad lab status`\n";
    }
    err.flush();

    UpPrinter printer(out, err, parser.isSet(json), publishesPorts(topology));
    bool stopping = false;
    QTimer deadline;
    deadline.setSingleShot(true);
    const auto fail = [&](const QString &message) {
        printer.flush();
        err << "meshpad lab up: " << TerminalText::escaped(message) << "\n";
        err.flush();
        QCoreApplication::exit(ExitCode::Problems);
    };
    QObject::connect(&deadline, &QTimer::timeout, &lab, [&] {
        fail(stopping ? QStringLiteral("the lab did not stop within %1 s").arg(kStopTimeout.count())
                      : QStringLiteral("the lab did not start within %1 s").arg(kStartTimeout.count()));
    });
    QObject::connect(&lab, &Lab::started, &lab, [&](const LabSnapshot &snapshot) {
        if (!stopping)
            deadline.stop();
        printer.snapshot(snapshot, true);
    });
    QObject::connect(&lab, &Lab::snapshotChanged, &lab,
                     [&](const LabSnapshot &snapshot) { printer.snapshot(snapshot, false); });
    QObject::connect(&lab, &Lab::eventOccurred, &lab, [&](const LabEvent &event) { printer.event(event); });
    QObject::connect(&lab, &Lab::startFailed, &lab, [&](const QString &error) { fail(error); });
    QObject::connect(&lab, &Lab::stopped, &lab, [&] {
        if (!stopping) {
            fail(QStringLiteral("the lab stopped by itself"));
            return;
        }
        printer.flush();
        statusServer.close();
        err << "meshpad lab: stopped\n";
        err.flush();
        QCoreApplication::exit(ExitCode::Ok);
    });

    // `meshpad lab up -json FILE | head -1` must not die of SIGPIPE at the
    // next event: a write to a closed pipe fails quietly instead, and the lab
    // runs on until it is told to stop, and then stops its children.
    std::signal(SIGPIPE, SIG_IGN);
    apps::UnixSignalWatcher signals({SIGINT, SIGTERM});
    QObject::connect(&signals, &apps::UnixSignalWatcher::signalReceived, &lab, [&](int) {
        if (stopping) {
            // A second Ctrl-C: leave now; ~Lab still stops everything (bounded).
            QCoreApplication::exit(ExitCode::Ok);
            return;
        }
        stopping = true;
        err << "meshpad lab: stopping\n";
        err.flush();
        deadline.start(kStopTimeout);
        lab.stop();
    });

    if (const auto started = lab.start(topology); !started) {
        err << "meshpad lab up: " << TerminalText::escaped(started.error().message) << "\n";
        return ExitCode::Problems;
    }
    deadline.start(kStartTimeout);
    return QCoreApplication::exec();
}

int LabCommand::status(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(QStringLiteral(
        "Show the lab a `meshpad lab up` runs: nodes, instances (node, address, state, health, restarts),\n"
        "arrows (connections, bytes, refusals) and the dashboard URL.\n"
        "Exit status: 0 shown, 1 no lab is running, 2 usage error."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("print the lab's snapshot as one JSON object"));
    parser.addOptions({json, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"lab status", out, err))
        return *done;
    if (!parser.positionalArguments().isEmpty()) {
        err << "meshpad lab status: takes no arguments (see meshpad lab status -help)\n";
        return ExitCode::Usage;
    }

    const auto document = fetchRunning(u"status", err);
    if (!document)
        return ExitCode::Problems;
    const auto snapshot = LabSnapshotJson::parseSnapshot(*document);
    if (!snapshot) {
        err << "meshpad lab status: " << TerminalText::escaped(snapshot.error().message) << "\n";
        return ExitCode::Problems;
    }
    if (parser.isSet(json))
        out << *document << '\n';
    else
        printStatus(out, *snapshot);
    return ExitCode::Ok;
}

int LabCommand::env(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(
        QStringLiteral("Print, for a shell, where the running lab's first node serves Consul's and Nomad's APIs:\n"
                       "  export CONSUL_HTTP_ADDR=http://127.0.1.1:8500 NOMAD_ADDR=http://127.0.1.1:4646\n"
                       "so curl, consul, nomad and meshpad point at the lab after: eval \"$(meshpad lab env)\"\n"
                       "Exit status: 0 printed, 1 no lab is running, 2 usage error."));
    parser.addOption(CommandLine::helpOption());
    if (const auto done = CommandLine::parse(parser, arguments, u"lab env", out, err))
        return *done;
    if (!parser.positionalArguments().isEmpty()) {
        err << "meshpad lab env: takes no arguments (see meshpad lab env -help)\n";
        return ExitCode::Usage;
    }
    const auto document = fetchRunning(u"env", err);
    if (!document)
        return ExitCode::Problems;
    const auto snapshot = LabSnapshotJson::parseSnapshot(*document);
    if (!snapshot || snapshot->nodes.isEmpty() || snapshot->nodes.constFirst().consulAddress.isEmpty()) {
        err << "meshpad lab env: the running lab did not say where its APIs listen"
            << (snapshot ? QString() : u": " + TerminalText::escaped(snapshot.error().message)) << "\n";
        return ExitCode::Problems;
    }
    // Node one: the lab's leader, as `consul`/`nomad` users would pick a server.
    const NodeSnapshot &node = snapshot->nodes.constFirst();
    if (!isPlainUrl(node.consulAddress) || !isPlainUrl(node.nomadAddress)) {
        err << "meshpad lab env: the running lab gave addresses that are not plain http URLs: "
            << TerminalText::escaped(node.consulAddress) << ", " << TerminalText::escaped(node.nomadAddress) << "\n";
        return ExitCode::Problems;
    }
    out << "export CONSUL_HTTP_ADDR=" << node.consulAddress << " NOMAD_ADDR=" << node.nomadAddress << '\n';
    return ExitCode::Ok;
}

std::optional<QByteArray> LabCommand::fetchRunning(QStringView command, QTextStream &err)
{
    auto document = LabStatusServer::fetch(LabStatusServer::defaultPath(), kStatusTimeout);
    if (!document) {
        err << "meshpad lab " << command << ": " << TerminalText::escaped(document.error().message);
        if (document.error().code == mesh::Error::Code::NotFound)
            err << "; start one with meshpad lab up";
        err << "\n";
        return std::nullopt;
    }
    return std::move(*document);
}

} // namespace meshpad::cli
