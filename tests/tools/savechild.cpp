// savechild — a test helper (not installed): saves a design with the real
// mesh::model::ProjectFile::save, as the editor's Save does, in a process of
// its own, so tst_projectfilesave can put limits on it (RLIMIT_FSIZE) or kill
// it with SIGKILL mid-save without touching the test process.
//
//   savechild [--stop-mid-save] <path> <services>
//
// Writes a design of <services> services (each with an upstream to the
// next) to <path>. Exit 0 when saved; 1 with ProjectFile::save's error on
// stderr when not; 2 on bad arguments.
//
// --stop-mid-save: the first write(2) into <path>'s folder writes half its
// bytes, then the process stops itself (SIGSTOP) — so a test that kills it
// then kills it mid-save for certain, however fast or loaded the machine.
// (Watching /proc from the test missed the window on a busy CI machine.)

#include "model/projectfile.h"
#include "model/topology.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QPointF>
#include <QTextStream>

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <climits>
#include <cstring>

namespace {

// The folder whose first write stops the process ("" = never), with a
// trailing '/'. Set once before the save; read by write() below.
char g_stopFolder[PATH_MAX] = {};
bool g_stopped = false;

// Whether descriptor `fd` names a file in g_stopFolder: /proc/self/fd/<fd>
// (proc(5)); an O_TMPFILE file reads as "<folder>/#<inode> (deleted)".
bool inStopFolder(int fd)
{
    char link[64];
    char target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t length = readlink(link, target, sizeof target - 1);
    if (length <= 0)
        return false;
    target[length] = '\0';
    return std::strncmp(target, g_stopFolder, std::strlen(g_stopFolder)) == 0;
}

} // namespace

// Interposes libc's write(2) for this executable and the libraries it loads
// (QFile writes through ::write), to stop mid-save; see --stop-mid-save.
extern "C" ssize_t write(int fd, const void *buffer, size_t count)
{
    using WriteFunction = ssize_t (*)(int, const void *, size_t);
    static const auto next = reinterpret_cast<WriteFunction>(dlsym(RTLD_NEXT, "write"));
    if (g_stopFolder[0] == '\0' || g_stopped || count < 2 || !inStopFolder(fd))
        return next(fd, buffer, count);
    g_stopped = true;
    const ssize_t written = next(fd, buffer, count / 2);
    raise(SIGSTOP);
    return written; // a short write: the caller writes the rest, if it lives
}

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
    QStringList args = app.arguments();
    const bool stopMidSave = args.size() > 1 && args.at(1) == QLatin1String("--stop-mid-save");
    if (stopMidSave)
        args.removeAt(1);
    bool ok = false;
    const int services = args.size() == 3 ? args.at(2).toInt(&ok) : 0;
    QTextStream err(stderr);
    if (!ok || services < 0) {
        err << "usage: savechild [--stop-mid-save] <path> <services>\n";
        return 2;
    }
    if (stopMidSave) {
        const QByteArray folder = QFileInfo(args.at(1)).canonicalPath().toLocal8Bit() + '/';
        if (folder.size() >= PATH_MAX)
            return 2;
        std::memcpy(g_stopFolder, folder.constData(), static_cast<size_t>(folder.size()));
    }
    const mesh::model::Topology topology = design(services);
    if (const mesh::Result<> saved = mesh::model::ProjectFile::save(topology, args.at(1)); !saved) {
        err << saved.error().message << '\n';
        return 1;
    }
    return 0;
}
