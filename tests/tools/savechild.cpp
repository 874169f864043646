// savechild — a test helper (not installed): saves a design with the real
// mesh::model::ProjectFile::save, as the editor's Save does, in a process of
// its own, so tst_projectfilesave can put limits on it (RLIMIT_FSIZE) or kill
// it with SIGKILL mid-save without touching the test process.
//
//   savechild <path> <services>
//
// Writes a design of <services> services (each with an upstream to the
// next) to <path>. Exit 0 when saved; 1 with ProjectFile::save's error on
// stderr when not; 2 on bad arguments.

#include "model/projectfile.h"
#include "model/topology.h"

#include <QCoreApplication>
#include <QPointF>
#include <QTextStream>

namespace {

mesh::model::Topology design(int services)
{
    using namespace mesh::model;
    Topology t;
    t.name = QStringLiteral("savechild");
    t.services.reserve(services);
    for (int i = 0; i < services; ++i) {
        Service s;
        s.id = {QStringLiteral("svc-%1").arg(i)};
        s.name = QStringLiteral("service-%1").arg(i);
        s.job = s.name;
        s.group = QStringLiteral("api");
        s.task = s.name;
        s.port = QStringLiteral("%1").arg(20000 + i % 10000);
        s.command = QStringLiteral("/usr/bin/python3");
        s.args = {QStringLiteral("-m"), QStringLiteral("http.server"), QStringLiteral("${NOMAD_PORT_http}")};
        s.env = {{QStringLiteral("PORT"), QStringLiteral("${NOMAD_PORT_http}")}};
        s.tags = {QStringLiteral("savechild"), QStringLiteral("bulk")};
        s.position = QPointF(i % 100 * 220, i / 100 * 140);
        t.services.append(s);
        if (i > 0) {
            Upstream u;
            u.id = {QStringLiteral("up-%1").arg(i)};
            u.downstream = {QStringLiteral("svc-%1").arg(i - 1)};
            u.destination = s.id;
            u.localBindPort = 10000 + i % 50000;
            t.upstreams.append(u);
        }
    }
    return t;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    bool ok = false;
    const int services = args.size() == 3 ? args.at(2).toInt(&ok) : 0;
    QTextStream err(stderr);
    if (!ok || services < 0) {
        err << "usage: savechild <path> <services>\n";
        return 2;
    }
    const mesh::model::Topology topology = design(services);
    if (const mesh::Result<> saved = mesh::model::ProjectFile::save(topology, args.at(1)); !saved) {
        err << saved.error().message << '\n';
        return 1;
    }
    return 0;
}
