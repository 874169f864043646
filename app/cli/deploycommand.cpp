#include "deploycommand.h"

#include "commandline.h"
#include "exitcode.h"
#include "labsnapshotjson.h"
#include "labstatusserver.h"
#include "problemprinter.h"

#include "consul/consulclient.h"
#include "core/goduration.h"
#include "core/terminaltext.h"
#include "deploy/deployer.h"
#include "deploy/deploytarget.h"
#include "deploy/desiredstate.h"
#include "deploy/planner.h"
#include "deploy/plantext.h"
#include "deploy/targetprofiles.h"
#include "model/projectfile.h"
#include "model/validator.h"
#include "nomad/nomadclient.h"
#include "unixsignalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace meshpad::cli {

using mesh::deploy::DeployEvent;
using mesh::deploy::DeployOutcome;
using mesh::deploy::DeployPlan;
using mesh::deploy::DeployTarget;

namespace {

constexpr std::chrono::milliseconds kLabStatusTimeout{3000};

QString commandName(int mode)
{
    static const QString names[] = {u"plan"_s, u"deploy"_s, u"teardown"_s};
    return names[mode];
}

} // namespace

mesh::Result<DeployTarget> DeployCommand::resolveTarget(const QString &name)
{
    if (name.isEmpty() || name == u"environment" || name == u"env")
        return DeployTarget::environment();
    if (name == u"hashibox")
        return DeployTarget::hashibox();
    if (name == u"lab") {
        auto document = LabStatusServer::fetch(LabStatusServer::defaultPath(), kLabStatusTimeout);
        if (!document) {
            // fetch() says "no lab is running (no …/meshpad-lab.sock)" or why
            // the lab did not answer.
            return mesh::fail(mesh::Error::Code::NotFound,
                              document.error().message + u"; start one with meshpad lab up, or pick another -target"_s);
        }
        auto snapshot = LabSnapshotJson::parseSnapshot(*document);
        if (!snapshot || snapshot->nodes.isEmpty() || snapshot->nodes.constFirst().consulAddress.isEmpty())
            return mesh::fail(mesh::Error::Code::Invalid, u"the running lab did not say where its APIs listen"_s);
        const auto &node = snapshot->nodes.constFirst();
        return DeployTarget::lab(node.consulAddress, node.nomadAddress);
    }
    auto profiles = mesh::deploy::TargetProfiles::load();
    if (!profiles)
        return std::unexpected(profiles.error());
    if (auto target = mesh::deploy::TargetProfiles::find(*profiles, name))
        return *target;
    QStringList known{u"environment"_s, u"lab"_s, u"hashibox"_s};
    for (const DeployTarget &t : std::as_const(*profiles))
        known.append(t.name);
    return mesh::fail(mesh::Error::Code::NotFound,
                      u"no deploy target \"%1\"; known: %2"_s.arg(name, known.join(u", "_s)));
}

int DeployCommand::plan(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return run(Mode::Plan, arguments, out, err);
}

int DeployCommand::deploy(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return run(Mode::Deploy, arguments, out, err);
}

int DeployCommand::teardown(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return run(Mode::Teardown, arguments, out, err);
}

int DeployCommand::run(Mode mode, const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const QString command = commandName(int(mode));
    const QString prefix = u"meshpad "_s + command + u": "_s;
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    switch (mode) {
    case Mode::Plan:
        parser.setApplicationDescription(u"Show what deploying a design to a cluster would change: per job Nomad's "
                                         "plan (diff and scheduler dry run), per destination the intentions, the "
                                         "jobs it would stop, and conflicts with what the design does not own.\n"
                                         "Exit status: 0 no changes, 1 changes, 2 error (or conflicts)."_s);
        break;
    case Mode::Deploy:
        parser.setApplicationDescription(u"Plan, ask, apply a design to a cluster and watch it come up: intentions, "
                                         "then jobs, then the deployments until healthy; prints where the entry "
                                         "points landed. Ctrl-C while watching detaches (the deployment goes on).\n"
                                         "Exit status: 0 deployed (or detached, or no changes), 1 a job failed, "
                                         "2 error (conflicts, refused, unreachable)."_s);
        break;
    case Mode::Teardown:
        parser.setApplicationDescription(u"Remove from a cluster everything a design put there: its jobs (stopped "
                                         "and purged) and its intention sources; nothing it does not own.\n"
                                         "Exit status: 0 removed (or nothing to remove), 1 not all gone by the "
                                         "deadline, 2 error."_s);
        break;
    }
    parser.addPositionalArgument(u"FILE"_s, u"the design (*.meshpad)"_s);
    const QCommandLineOption target(u"target"_s, u"lab, environment (default), hashibox or a saved profile"_s, u"T"_s);
    const QCommandLineOption autoApprove(u"auto-approve"_s, u"apply without asking"_s);
    const QCommandLineOption detach(u"detach"_s, u"apply and return without watching"_s);
    const QCommandLineOption deadline(u"deadline"_s, u"how long to watch, a Go duration (default 5m)"_s, u"D"_s,
                                      u"5m"_s);
    const QCommandLineOption json(u"json"_s, u"one JSON object per line on stdout"_s);
    parser.addOption(target);
    if (mode != Mode::Plan) {
        parser.addOption(autoApprove);
        parser.addOption(deadline);
    }
    if (mode == Mode::Deploy)
        parser.addOption(detach);
    parser.addOptions({json, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, command, out, err))
        return *done;
    if (parser.positionalArguments().size() != 1) {
        err << prefix << "expected exactly one FILE (see meshpad " << command << " -help)\n";
        return ExitCode::Usage;
    }
    std::chrono::milliseconds watchDeadline{0};
    if (mode != Mode::Plan) {
        auto parsed = mesh::parseGoDuration(parser.value(deadline));
        if (!parsed || *parsed <= std::chrono::nanoseconds(0)) {
            err << prefix << "-deadline: \"" << parser.value(deadline) << "\" is not a duration such as 90s or 5m\n";
            return ExitCode::Usage;
        }
        watchDeadline = std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
    }

    const QString file = parser.positionalArguments().constFirst();
    auto topology = mesh::model::ProjectFile::load(file);
    if (!topology) {
        err << prefix << mesh::TerminalText::escaped(topology.error().message) << "\n";
        return ExitCode::Usage;
    }
    const mesh::model::Problems problems = mesh::model::Validator::validate(*topology);
    ProblemPrinter::print(err, file, *topology, problems);
    if (mesh::model::Validator::hasErrors(problems)) {
        err << mesh::TerminalText::escaped(file) << ": " << ProblemPrinter::summary(problems)
            << "; only a design without errors is deployed\n";
        return ExitCode::Usage;
    }
    const QString design = topology->name.isEmpty() ? QFileInfo(file).completeBaseName() : topology->name;

    auto resolved = resolveTarget(parser.value(target));
    if (!resolved) {
        err << prefix << mesh::TerminalText::escaped(resolved.error().message) << "\n";
        return ExitCode::Usage;
    }
    auto consulEndpoint = resolved->consul.endpoint();
    auto nomadEndpoint = resolved->nomad.endpoint();
    for (const QString &warning : resolved->consul.warnings + resolved->nomad.warnings)
        err << prefix << mesh::TerminalText::escaped(warning) << "\n";
    if (!consulEndpoint || !nomadEndpoint) {
        const mesh::Error &error = consulEndpoint ? nomadEndpoint.error() : consulEndpoint.error();
        err << prefix << mesh::TerminalText::escaped(error.message) << "\n";
        return ExitCode::Usage;
    }
    mesh::consul::ConsulClient consul(*consulEndpoint);
    mesh::nomad::NomadClient nomad(*nomadEndpoint);
    mesh::deploy::Deployer deployer(&consul, &nomad);
    const bool asJson = parser.isSet(json);
    const auto print = [&](const QString &line) {
        out << line << '\n';
        out.flush();
    };
    QObject::connect(&deployer, &mesh::deploy::Deployer::event, &deployer, [&](const DeployEvent &event) {
        // Job, group, task and service names come from the design, texts
        // from Nomad and Consul: escaped for the terminal, in JSON too
        // (compactJson() escapes what QJsonDocument leaves raw).
        print(asJson ? mesh::TerminalText::compactJson(event.toJson()) : mesh::TerminalText::escaped(event.toText()));
    });

    std::signal(SIGPIPE, SIG_IGN);
    apps::UnixSignalWatcher signals({SIGINT, SIGTERM});
    bool watching = false;
    QObject::connect(&signals, &apps::UnixSignalWatcher::signalReceived, &deployer, [&](int) {
        if (watching) {
            deployer.detach();
            return;
        }
        err << prefix << "interrupted\n";
        err.flush();
        std::_Exit(ExitCode::Usage);
    });

    int status = ExitCode::Usage;
    const auto work = [&]() -> QCoro::Task<> {
        mesh::deploy::Planner planner(&consul, &nomad);
        const auto desired = mode == Mode::Teardown ? mesh::deploy::DesiredState::nothing(design)
                                                    : mesh::deploy::DesiredState::fromTopology(*topology, design);
        auto plan = co_await planner.plan(desired, mode == Mode::Teardown);
        if (!plan) {
            err << prefix << mesh::TerminalText::escaped(plan.error().message) << "\n";
            co_return;
        }
        plan->target = resolved->describe();
        if (asJson) {
            print(mesh::TerminalText::compactJson(mesh::deploy::PlanText::json(*plan)));
        } else {
            out << "Target: " << mesh::TerminalText::escaped(plan->target) << "\n\n"
                << mesh::TerminalText::escapedLines(mesh::deploy::PlanText::text(*plan));
            out.flush();
        }
        if (plan->hasConflicts()) {
            err << prefix << "the plan has conflicts; nothing was applied\n";
            co_return;
        }
        if (mode == Mode::Plan) {
            status = plan->hasChanges() ? ExitCode::Problems : ExitCode::Ok;
            co_return;
        }
        if (plan->hasChanges() && !parser.isSet(autoApprove)) {
            out << "\nDo you want to " << (mode == Mode::Teardown ? "remove these" : "apply this plan")
                << "? Only 'yes' will be accepted: ";
            out.flush();
            QTextStream in(stdin);
            const QString answer = in.readLine().trimmed();
            if (answer != u"yes") {
                err << prefix << "cancelled; nothing was applied\n";
                co_return;
            }
        }
        watching = true;
        mesh::deploy::ApplyOptions applyOptions;
        applyOptions.deadline = watchDeadline;
        const bool detached = mode == Mode::Deploy && parser.isSet(detach);
        applyOptions.watch = !detached;
        auto outcome = co_await deployer.apply(*plan, applyOptions);
        watching = false;
        if (!outcome) {
            err << prefix << mesh::TerminalText::escaped(outcome.error().message) << "\n";
            co_return;
        }
        if (asJson) {
            static const QString statuses[] = {u"succeeded"_s, u"failed"_s, u"detached"_s};
            print(mesh::TerminalText::compactJson({{u"event"_s, u"result"_s},
                                                   {u"status"_s, statuses[int(outcome->status)]},
                                                   {u"urls"_s, QJsonArray::fromStringList(outcome->urls)},
                                                   {u"failures"_s, QJsonArray::fromStringList(outcome->failures)}}));
        } else {
            for (const QString &failure : std::as_const(outcome->failures))
                err << prefix << "failed: " << mesh::TerminalText::escaped(failure) << "\n";
            if (outcome->status == DeployOutcome::Status::Succeeded) {
                if (mode == Mode::Teardown)
                    print(u"Teardown complete: nothing of design \"%1\" is left on the cluster."_s.arg(
                        mesh::TerminalText::escaped(design)));
                else
                    print(u"Deployed design \"%1\"."_s.arg(mesh::TerminalText::escaped(design)));
                for (const QString &url : std::as_const(outcome->urls))
                    print(u"Open: "_s + mesh::TerminalText::escaped(url));
            } else if (outcome->status == DeployOutcome::Status::Detached && !detached) {
                // The Detached event said it already.
            } else if (outcome->status == DeployOutcome::Status::Detached) {
                print(u"Applied; not watching (-detach). nomad job status shows the deployments."_s);
            }
        }
        status = outcome->status == DeployOutcome::Status::Failed ? ExitCode::Problems : ExitCode::Ok;
    };
    QCoro::waitFor(work());
    err.flush();
    return status;
}

} // namespace meshpad::cli
