// How validating and generating grow with the size of a design: 1,000,
// 10,000 and 100,000 services (two upstreams each, the env wiring a real
// design has), then a 15 MB project file of 150,000 minimal services loaded,
// validated, generated and written to disk, as `meshpad generate` does.
//
// The editor revalidates and regenerates on every edit (debounced), so the
// 1,000-service figure is the budget of one keystroke; the larger ones show
// the growth is linear (an index built once per run, model::TopologyIndex),
// not quadratic as it was (10k / 20k / 40k services took 3.5 / 8.3 / 32.5 s).
//
// Each size runs in a child process of its own (this program, re-executed
// with --size), so the peak RSS printed is that size's alone. Baselines in
// the same run: loading and saving the same design as a project file, which
// every editor already pays.
//   build/release/bench/bench_generate [runs]

#include "generate/artifactgenerator.h"
#include "generate/artifactset.h"
#include "model/projectfile.h"
#include "model/validator.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <sys/resource.h>

#include <algorithm>
#include <functional>

using namespace mesh::model;

namespace {

// A layered design: services in jobs of 50 groups; service i calls
// `upstreamsPerService` services of later layers, each on its own local
// port, with the env wiring a real design has.
Topology largeDesign(int services, int upstreamsPerService)
{
    Topology t;
    t.name = QStringLiteral("large");
    t.services.reserve(services);
    for (int i = 0; i < services; ++i) {
        Service s;
        s.id = ServiceId{QStringLiteral("svc-%1").arg(i)};
        s.name = QStringLiteral("service-%1").arg(i);
        s.job = QStringLiteral("job-%1").arg(i / 50);
        s.group = QStringLiteral("group-%1").arg(i);
        s.task = QStringLiteral("app");
        s.count = 1 + i % 3;
        s.command = QStringLiteral("/usr/local/bin/app");
        s.args = {QStringLiteral("--verbose")};
        s.ports = {{QStringLiteral("http"), 8000, 0}};
        s.port = QStringLiteral("8000");
        s.env = {{QStringLiteral("PORT"), QStringLiteral("${NOMAD_PORT_http}")}};
        s.check = {CheckKind::Http, QStringLiteral("/health"), 10000, 2000};
        s.tags = {QStringLiteral("v1")};
        s.meta = {{QStringLiteral("team"), QStringLiteral("team-%1").arg(i % 7)}};
        s.resources = {200, 256};
        s.position = QPointF((i % 40) * 300.0, (i / 40) * 200.0);
        t.services.append(s);
    }
    t.upstreams.reserve(qsizetype(services) * upstreamsPerService);
    for (int i = 0; i < services; ++i) {
        for (int k = 0; k < upstreamsPerService; ++k) {
            const int target = (i + 1 + k * 7) % services;
            Upstream u;
            u.id = UpstreamId{QStringLiteral("up-%1-%2").arg(i).arg(k)};
            u.downstream = t.services[i].id;
            u.destination = t.services[target].id;
            u.localBindPort = 9000 + k;
            u.action = (i + k) % 10 == 0 ? IntentionAction::Deny : IntentionAction::Allow;
            t.upstreams.append(u);
            t.services[i].env.append(
                {QStringLiteral("UPSTREAM_%1").arg(k),
                 QStringLiteral("http://${NOMAD_UPSTREAM_ADDR_%1}").arg(cleanEnvVarName(t.services[target].name))});
        }
    }
    return t;
}

// The issue's 15 MB file: 150,000 services written the shortest way the
// format allows (every field left out takes its default), in jobs of 50
// groups, and an arrow from every tenth service to the next.
QByteArray minimalDesignFile(int services)
{
    QByteArray json = R"({"format":"meshpad","version":1,"name":"minimal","services":[)";
    for (int i = 0; i < services; ++i) {
        if (i > 0)
            json += ',';
        json += QStringLiteral(
                    R"({"id":"s%1","name":"s%1","job":"j%2","group":"g%3","task":"t","command":"/a","port":"80"})")
                    .arg(i)
                    .arg(i / 50)
                    .arg(i % 50)
                    .toUtf8();
    }
    json += R"(],"upstreams":[)";
    for (int i = 0; i + 1 < services; i += 10) {
        if (i > 0)
            json += ',';
        json += QStringLiteral(R"({"id":"u%1","from":"s%1","to":"s%2","localBindPort":81})").arg(i).arg(i + 1).toUtf8();
    }
    json += "]}";
    return json;
}

struct Figure
{
    double medianMs = 0;
    double minMs = 0;
    double maxMs = 0;
};

Figure measure(int runs, const std::function<void()> &step)
{
    QList<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        step();
        times.append(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return {times[times.size() / 2], times.first(), times.last()};
}

long peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024; // Linux reports KiB
}

// One size, in this (child) process: prints one line of figures.
int runSize(int services, int runs, QTextStream &out)
{
    const Topology design = largeDesign(services, 2);
    const QByteArray json = ProjectFile::toJson(design).toUtf8();
    Problems problems;
    qsizetype files = 0;
    // Designs past the loader's 16 MB cap are refused unread: no baseline.
    const bool loadable = json.size() <= ProjectFile::kMaxFileBytes;
    const Figure load = loadable ? measure(runs, [&] { (void)ProjectFile::fromJson(json); }) : Figure{};
    const Figure validate = measure(runs, [&] { problems = Validator::validate(design); });
    const Figure generate
        = measure(runs, [&] { files = mesh::generate::ArtifactGenerator::generate(design).artifacts().size(); });
    out << QStringLiteral("%1 services  %2 upstreams  load %3  validate %4 ms  generate %5 ms  "
                          "validate+generate %6 ms  %7 files  %8 problems  peak RSS %9 MiB\n")
               .arg(services, 7)
               .arg(design.upstreams.size(), 7)
               .arg(loadable ? QStringLiteral("%1 ms").arg(load.medianMs, 8, 'f', 1)
                             : QStringLiteral("(%1 MB file, over the cap)").arg(json.size() / 1000000))
               .arg(validate.medianMs, 8, 'f', 1)
               .arg(generate.medianMs, 9, 'f', 1)
               .arg(validate.medianMs + generate.medianMs, 9, 'f', 1)
               .arg(files, 7)
               .arg(problems.size())
               .arg(peakRssMiB());
    return 0;
}

// The 15 MB file end to end, as `meshpad generate FILE -o DIR` runs it.
int runMinimalFile(int services, QTextStream &out)
{
    QTemporaryDir scratch;
    const QString file = scratch.filePath(QStringLiteral("minimal.meshpad"));
    {
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly) || f.write(minimalDesignFile(services)) < 0)
            return 2;
    }
    const qint64 bytes = QFileInfo(file).size();
    QElapsedTimer total;
    total.start();
    QElapsedTimer step;
    step.start();
    const auto topology = ProjectFile::load(file);
    if (!topology) {
        out << "load failed: " << topology.error().message << "\n";
        return 1;
    }
    const double loadMs = step.nsecsElapsed() / 1e6;
    step.restart();
    const Problems problems = Validator::validate(*topology);
    const double validateMs = step.nsecsElapsed() / 1e6;
    step.restart();
    const auto artifacts = mesh::generate::ArtifactGenerator::generate(*topology);
    const double generateMs = step.nsecsElapsed() / 1e6;
    step.restart();
    const auto written = artifacts.writeTo(scratch.filePath(QStringLiteral("out")));
    const double writeMs = step.nsecsElapsed() / 1e6;
    if (!written) {
        out << "write failed: " << written.error().message << "\n";
        return 1;
    }
    out << QStringLiteral("%1 services in a %2 MB file: load %3 ms  validate %4 ms  generate %5 ms  write %6 files "
                          "%7 ms  total %8 s  (%9 problems)  peak RSS %10 MiB  (target: under 20 s)\n")
               .arg(services)
               .arg(double(bytes) / 1e6, 0, 'f', 1)
               .arg(loadMs, 0, 'f', 0)
               .arg(validateMs, 0, 'f', 0)
               .arg(generateMs, 0, 'f', 0)
               .arg(artifacts.artifacts().size())
               .arg(writeMs, 0, 'f', 0)
               .arg(total.nsecsElapsed() / 1e9, 0, 'f', 1)
               .arg(problems.size())
               .arg(peakRssMiB());
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const QStringList args = app.arguments();
    if (args.size() >= 4 && args[1] == u"--size")
        return runSize(args[2].toInt(), args[3].toInt(), out);
    if (args.size() >= 3 && args[1] == u"--minimal-file")
        return runMinimalFile(args[2].toInt(), out);

    const int runs = args.size() > 1 ? std::max(1, args[1].toInt()) : 5;
    out << "validate + generate by design size (median of " << runs << " runs, 3 for 100k; each size in its own "
        << "process)\n";
    out.flush();
    struct Row
    {
        int services;
        int runs;
    };
    const Row rows[] = {{1000, runs}, {10000, runs}, {100000, std::min(runs, 3)}};
    for (const Row &row : rows) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        child.start(app.applicationFilePath(),
                    {QStringLiteral("--size"), QString::number(row.services), QString::number(row.runs)});
        if (!child.waitForFinished(-1) || child.exitCode() != 0)
            return 1;
    }
    out << "targets: 1k validate + generate < 100 ms; 100k under 100x the 1k figure (linear)\n";
    out.flush();
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    child.start(app.applicationFilePath(), {QStringLiteral("--minimal-file"), QStringLiteral("150000")});
    return child.waitForFinished(-1) && child.exitCode() == 0 ? 0 : 1;
}
