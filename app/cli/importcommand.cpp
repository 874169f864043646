#include "importcommand.h"

#include "commandline.h"
#include "deploycommand.h"
#include "exitcode.h"
#include "problemprinter.h"

#include "canvas/graphlayout.h"
#include "canvas/serviceitem.h"
#include "consul/consulclient.h"
#include "core/goduration.h"
#include "core/terminaltext.h"
#include "deploy/deploytarget.h"
#include "importer/clusterimport.h"
#include "importer/fileimport.h"
#include "model/projectfile.h"
#include "model/validator.h"
#include "nomad/nomadclient.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSet>

using namespace Qt::StringLiterals;

namespace meshpad::cli {

using mesh::TerminalText;
using mesh::importer::JobImporter;

namespace {

const QString kPrefix = u"meshpad import: "_s;

QString counted(qsizetype n, QStringView one, QStringView many)
{
    return QString::number(n) + u' ' + (n == 1 ? one : many);
}

// Where each card goes: the editor's own layered layout (Graphviz), the
// importer having left every service at (0, 0); a plain row should Graphviz
// fail, so that cards never sit on top of each other.
void layOut(mesh::model::Topology &design)
{
    const QSizeF card(gui::ServiceItem::kWidth, gui::ServiceItem::kHeight);
    const auto positions = gui::GraphLayout::layered(design, card);
    for (qsizetype i = 0; i < design.services.size(); ++i) {
        mesh::model::Service &service = design.services[i];
        service.position = positions.value(service.id, QPointF(qreal(i) * card.width() * 1.5, 0));
    }
}

// The summary line: "imported 2 jobs: 2 services, 1 arrow, 0 external;
// 1 thing not imported". External services are the destinations no
// imported job defines: drawn, not run.
QString summary(const JobImporter::Result &imported)
{
    const auto &design = imported.design;
    qsizetype external = 0;
    QSet<QString> jobNames;
    for (const mesh::model::Service &s : design.services) {
        if (s.external)
            ++external;
        else
            jobNames.insert(s.job);
    }
    const qsizetype jobs = jobNames.size();
    QString text = u"imported "_s + counted(jobs, u"job", u"jobs") + u": "_s
                   + counted(design.services.size() - external, u"service", u"services") + u", "_s
                   + counted(design.upstreams.size(), u"arrow", u"arrows") + u", "_s + QString::number(external)
                   + u" external"_s;
    if (!imported.notes.isEmpty())
        text += u"; "_s + counted(imported.notes.size(), u"thing", u"things") + u" not imported"_s;
    return text;
}

// The cluster half: the target's clients, the import under its deadline.
mesh::Result<JobImporter::Result> importCluster(const QString &targetName, const QStringList &jobIds,
                                                std::chrono::milliseconds timeout, QTextStream &err)
{
    auto resolved = DeployCommand::resolveTarget(targetName);
    if (!resolved)
        return std::unexpected(resolved.error());
    auto consulEndpoint = resolved->consul.endpoint();
    auto nomadEndpoint = resolved->nomad.endpoint();
    for (const QString &warning : resolved->consul.warnings + resolved->nomad.warnings)
        err << kPrefix << TerminalText::escaped(warning) << "\n";
    if (!consulEndpoint)
        return std::unexpected(consulEndpoint.error());
    if (!nomadEndpoint)
        return std::unexpected(nomadEndpoint.error());
    mesh::consul::ConsulClient consul(*consulEndpoint);
    mesh::nomad::NomadClient nomad(*nomadEndpoint);
    mesh::importer::ClusterImport importer(&consul, &nomad);
    mesh::importer::ClusterImport::Options options;
    options.jobIds = jobIds;
    options.timeout = timeout;
    options.targetName = resolved->describe();
    return QCoro::waitFor(importer.run(options));
}

} // namespace

int ImportCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(
        u"Turn Nomad jobs into a Meshpad design: HCL2 job files, or the jobs a cluster runs with the intentions "
        "Consul has. One service per Connect service, one arrow per upstream; what Meshpad does not model is "
        "listed, never silently dropped.\n"
        "Exit status: 0 written, 1 nothing to import (or the design has errors), 2 usage, unreadable or invalid "
        "input, an unreachable cluster, an unwritable output (nothing written)."_s);
    parser.addPositionalArgument(u"JOB"_s, u"Nomad job files (HCL2); or -target"_s, u"[JOB.hcl…]"_s);
    const QCommandLineOption variable(u"var"_s, u"set a job variable, as nomad job run -var (repeatable)"_s,
                                      u"NAME=VALUE"_s);
    const QCommandLineOption variableFile(u"var-file"_s, u"read job variables from FILE (name = value lines)"_s,
                                          u"FILE"_s);
    const QCommandLineOption target(u"target"_s,
                                    u"import from a cluster instead: lab, environment, hashibox or a saved "
                                    "profile, as meshpad deploy -target"_s,
                                    u"T"_s);
    const QCommandLineOption job(u"job"_s,
                                 u"with -target: import only this job, whatever its type or state "
                                 "(repeatable)"_s,
                                 u"ID"_s);
    const QCommandLineOption timeout(u"timeout"_s,
                                     u"with -target: how long the whole import may take, a Go "
                                     "duration (default 60s)"_s,
                                     u"D"_s, u"60s"_s);
    const QCommandLineOption output({u"o"_s, u"output"_s},
                                    u"the design to write (- for stdout; default NAME.meshpad here)"_s, u"FILE"_s);
    const QCommandLineOption name(u"name"_s, u"the design's name (default: from -o, else the first job)"_s, u"NAME"_s);
    const QCommandLineOption force(u"force"_s, u"replace the output file if it exists"_s);
    parser.addOptions({variable, variableFile, target, job, timeout, output, name, force, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"import", out, err))
        return *done;
    const QStringList files = parser.positionalArguments();
    const bool fromCluster = parser.isSet(target);
    if (fromCluster == !files.isEmpty()) {
        err << kPrefix << (fromCluster ? "give job files or -target, not both" : "expected JOB.hcl files or -target T")
            << " (see meshpad import -help)\n";
        return ExitCode::Usage;
    }
    if (fromCluster && (parser.isSet(variable) || parser.isSet(variableFile))) {
        err << kPrefix << "-var and -var-file are for job files; a cluster's jobs are already evaluated\n";
        return ExitCode::Usage;
    }
    if (!fromCluster && parser.isSet(job)) {
        err << kPrefix << "-job picks jobs of a cluster (with -target); for files, name the files\n";
        return ExitCode::Usage;
    }

    mesh::importer::FileImport::Options fileOptions;
    for (const QString &text : parser.values(variable)) {
        auto parsed = mesh::importer::FileImport::parseVariable(text);
        if (!parsed) {
            err << kPrefix << TerminalText::escaped(parsed.error().message) << "\n";
            return ExitCode::Usage;
        }
        fileOptions.variables.append(*parsed);
    }
    fileOptions.variableFile = parser.value(variableFile);
    std::chrono::milliseconds deadline{0};
    if (fromCluster) {
        const auto parsed = mesh::parseGoDuration(parser.value(timeout));
        if (!parsed || *parsed <= std::chrono::nanoseconds(0)) {
            err << kPrefix << "-timeout: \"" << TerminalText::escaped(parser.value(timeout))
                << "\" is not a duration such as 30s or 2m\n";
            return ExitCode::Usage;
        }
        deadline = std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
    }

    // Checked before any work, so that a long cluster import is not thrown
    // away at the end. A courtesy, not a lock: a file that appears in
    // between is replaced (atomically, never half-written).
    QString path = parser.value(output);
    const bool toStdout = path == u"-";
    const auto refuseExisting = [&](const QString &candidate) {
        const QFileInfo info(candidate);
        if ((info.exists() || info.isSymLink()) && !parser.isSet(force)) {
            err << kPrefix << TerminalText::escaped(candidate)
                << " exists; pass --force to replace it, or -o another file\n";
            return true;
        }
        return false;
    };
    if (!path.isEmpty() && !toStdout && refuseExisting(path))
        return ExitCode::Usage;

    // The default name: the first file's job, or the cluster's first job.
    QString firstJob;
    mesh::Result<JobImporter::Result> imported;
    if (fromCluster) {
        imported = importCluster(parser.value(target), parser.values(job), deadline, err);
        if (imported) {
            for (const mesh::model::Service &s : std::as_const(imported->design.services)) {
                if (!s.external) {
                    firstJob = s.job;
                    break;
                }
            }
        }
    } else {
        auto jobs = mesh::importer::FileImport::readJobs(files, fileOptions);
        if (jobs) {
            firstJob = jobs->constFirst().job.value(u"ID").toString();
            imported = JobImporter::importJobs(*jobs);
        } else {
            imported = std::unexpected(jobs.error());
        }
    }
    if (!imported) {
        // The reader's messages start with FILE:LINE:COLUMN; a cluster's
        // name the target.
        err << kPrefix << TerminalText::escaped(imported.error().message) << "\n";
        err << kPrefix << "nothing was written\n";
        return ExitCode::Usage;
    }
    mesh::model::Topology &design = imported->design;

    for (const mesh::importer::ImportNote &note : std::as_const(imported->notes))
        err << "warning: " << TerminalText::escaped(note.text()) << "\n";
    if (design.services.isEmpty()) {
        err << kPrefix << "nothing to import: no job has a service Meshpad can draw; nothing was written\n";
        return ExitCode::Problems;
    }

    if (parser.isSet(name)) {
        design.name = parser.value(name);
    } else if (design.name.isEmpty()) {
        const QString base = QFileInfo(path).fileName();
        if (!path.isEmpty() && !toStdout)
            design.name = base.endsWith(u".meshpad") ? base.chopped(8) : QFileInfo(path).completeBaseName();
        else
            design.name = firstJob;
    }
    if (path.isEmpty()) {
        // The name may come from a cluster or a job file: a name such as
        // "../x" or "a/b" must not choose the directory.
        QString fileName = design.name;
        fileName.replace(u'/', u'_');
        if (fileName.isEmpty() || fileName.startsWith(u'.'))
            fileName.prepend(u"design"_s);
        path = fileName + u".meshpad"_s;
        if (refuseExisting(path))
            return ExitCode::Usage;
    }
    layOut(design);

    const mesh::model::Problems problems = mesh::model::Validator::validate(design);
    ProblemPrinter::print(err, toStdout ? u"<stdout>"_s : path, design, problems);
    err << summary(*imported) << "\n";
    if (toStdout) {
        out << mesh::model::ProjectFile::toJson(design);
    } else {
        if (const auto saved = mesh::model::ProjectFile::save(design, path); !saved) {
            err << kPrefix << TerminalText::escaped(saved.error().message) << "\n";
            return ExitCode::Usage;
        }
        out << TerminalText::escaped(QDir::cleanPath(path)) << "\n";
    }
    return mesh::model::Validator::hasErrors(problems) ? ExitCode::Problems : ExitCode::Ok;
}

} // namespace meshpad::cli
