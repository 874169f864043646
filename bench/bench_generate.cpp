// How long validating and generating a large design takes: 1,000 services
// and 2,000 upstreams, the size a big platform team's mesh reaches. The
// editor revalidates and regenerates on every edit (debounced), so this is
// the budget of one keystroke. Target: validate + generate under 1 s.
//
// Prints the median and min–max of several runs of each step, plus loading
// and saving the same design as the baseline every editor already pays.
//   build/release/bench/bench_generate [runs]

#include "generate/artifactgenerator.h"
#include "model/projectfile.h"
#include "model/validator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>
#include <functional>

using namespace mesh::model;

namespace {

// A layered design: 1,000 services in 20 jobs of 50 groups; service i calls
// two services of later layers, each on its own local port, with the env
// wiring a real design has.
Topology largeDesign(int services, int upstreamsPerService)
{
    Topology t;
    t.name = QStringLiteral("large");
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
            t.services[i].env.append({QStringLiteral("UPSTREAM_%1").arg(k),
                                      QStringLiteral("http://${NOMAD_UPSTREAM_ADDR_%1}")
                                          .arg(cleanEnvVarName(t.services[target].name))});
        }
    }
    return t;
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

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 7;
    QTextStream out(stdout);

    const Topology design = largeDesign(1000, 2);
    const QString json = ProjectFile::toJson(design);

    Problems problems;
    qsizetype files = 0;
    qsizetype bytes = 0;
    const Figure load = measure(runs, [&] { (void)ProjectFile::fromJson(json.toUtf8()); });
    const Figure save = measure(runs, [&] { (void)ProjectFile::toJson(design); });
    const Figure validate = measure(runs, [&] { problems = Validator::validate(design); });
    const Figure generate = measure(runs, [&] {
        const auto set = mesh::generate::ArtifactGenerator::generate(design);
        files = set.artifacts().size();
        bytes = 0;
        for (const auto &a : set.artifacts())
            bytes += a.text.size();
    });

    auto row = [&](const char *what, const Figure &f) {
        out << QStringLiteral("%1 %2 ms median  (min %3, max %4)\n")
                   .arg(QLatin1StringView(what), -34)
                   .arg(f.medianMs, 8, 'f', 1)
                   .arg(f.minMs, 0, 'f', 1)
                   .arg(f.maxMs, 0, 'f', 1);
    };
    out << "design: " << design.services.size() << " services, " << design.upstreams.size() << " upstreams, "
        << json.size() / 1024 << " KiB project file; " << runs << " runs each\n";
    out << "validator found " << problems.size() << " problems; generator wrote " << files << " files, "
        << bytes / 1024 << " KiB\n";
    row("baseline: load project file", load);
    row("baseline: save project file", save);
    row("validate", validate);
    row("generate all artifacts", generate);
    out << QStringLiteral("validate + generate: %1 ms (target < 1000 ms)\n")
               .arg(validate.medianMs + generate.medianMs, 0, 'f', 1);
    return 0;
}
