// The validator: the seed design is clean, and each kind of mistake a user
// can make is reported once, with the right severity, item and field.

#include "model/projectfile.h"
#include "model/validator.h"

#include <QTest>

#include <functional>

using namespace mesh::model;

namespace {

Topology example()
{
    auto t = ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
    Q_ASSERT(t);
    return *t;
}

Service &counter(Topology &t)
{
    return t.services[1];
}
Service &dashboard(Topology &t)
{
    return t.services[0];
}
Upstream &arrow(Topology &t)
{
    return t.upstreams[0];
}

using Mutation = std::function<void(Topology &)>;

QString describe(const Problems &problems)
{
    QStringList lines;
    for (const Problem &p : problems)
        lines.append(QStringLiteral("%1 %2 [%3/%4 %5] %6")
                         .arg(p.isError() ? u"error" : u"warning", p.code, p.service.value, p.upstream.value, p.field,
                              p.message));
    return lines.join(u'\n');
}

} // namespace

Q_DECLARE_METATYPE(Mutation)

class TestValidator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedDesignHasNoProblems()
    {
        const Problems problems = Validator::validate(example());
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));
    }

    void reportsEachMistake_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("service");  // id of the service it concerns ("" = mesh)
        QTest::addColumn<QString>("upstream"); // id of the arrow it concerns
        QTest::addColumn<QString>("field");

        const QString c = u"count-api"_qs, d = u"count-dashboard"_qs, a = u"count-dashboard-to-count-api"_qs;
        auto row = [](const char *name, Mutation m, const char *code, bool error, QString svc, QString up,
                      const char *field) {
            QTest::newRow(name) << m << QString::fromLatin1(code) << error << svc << up << QString::fromLatin1(field);
        };

        row(
            "uppercase service name", [](Topology &t) { counter(t).name = u"Count-API"_qs; }, "service.name.invalid",
            true, c, {}, "name");
        row(
            "underscore in service name", [](Topology &t) { counter(t).name = u"count_api"_qs; },
            "service.name.invalid", true, c, {}, "name");
        row(
            "service name of 64 characters", [](Topology &t) { counter(t).name = QString(64, u'a'); },
            "service.name.invalid", true, c, {}, "name");
        row(
            "service name ending in dash", [](Topology &t) { counter(t).name = u"count-"_qs; }, "service.name.invalid",
            true, c, {}, "name");
        row(
            "empty service name", [](Topology &t) { counter(t).name.clear(); }, "service.name.empty", true, c, {},
            "name");
        row(
            "duplicate service name", [](Topology &t) { counter(t).name = u"count-dashboard"_qs; },
            "service.name.duplicate", true, c, {}, "name");
        row(
            "job name with a space", [](Topology &t) { counter(t).job = u"count er"_qs; }, "service.job.invalid", true,
            c, {}, "job");
        row(
            "job name with a slash", [](Topology &t) { counter(t).job = u"../etc"_qs; }, "service.job.invalid", true, c,
            {}, "job");
        row(
            "empty task name", [](Topology &t) { counter(t).task.clear(); }, "service.task.empty", true, c, {}, "task");
        row(
            "uppercase group with sidecar", [](Topology &t) { counter(t).group = u"API"_qs; },
            "service.group.uppercase", true, c, {}, "group");
        row(
            "two services in one job and group",
            [](Topology &t) {
                counter(t).job = u"dashboard"_qs;
                counter(t).group = u"dashboard"_qs;
            },
            "service.group.duplicate", true, c, {}, "group");
        row(
            "count 0", [](Topology &t) { counter(t).count = 0; }, "service.count.zero", false, c, {}, "count");
        row(
            "exec without command", [](Topology &t) { counter(t).command = u"  "_qs; }, "service.command.empty", true,
            c, {}, "command");
        row(
            "docker without image", [](Topology &t) { counter(t).driver = Driver::Docker; }, "service.image.empty",
            true, c, {}, "image");
        row(
            "service port out of range", [](Topology &t) { counter(t).port = u"70000"_qs; }, "service.port.range", true,
            c, {}, "port");
        row(
            "service port 0", [](Topology &t) { counter(t).port = u"0"_qs; }, "service.port.range", true, c, {},
            "port");
        row(
            "service port names no label", [](Topology &t) { counter(t).port = u"web"_qs; },
            "service.port.unknown-label", true, c, {}, "port");
        row(
            "connect service port is a mapped label", [](Topology &t) { dashboard(t).port = u"http"_qs; },
            "service.port.label-with-sidecar", false, d, {}, "port");
        row(
            "port mapping to out of range", [](Topology &t) { dashboard(t).ports[0].to = 65536; }, "port.to.range",
            true, d, {}, "ports[0].to");
        row(
            "static port out of range", [](Topology &t) { dashboard(t).ports[0].staticPort = 123456; },
            "port.static.range", true, d, {}, "ports[0].static");
        row(
            "port label with a space", [](Topology &t) { dashboard(t).ports[0].label = u"ht tp"_qs; },
            "port.label.invalid", true, d, {}, "ports[0].label");
        row(
            "duplicate port label",
            [](Topology &t) {
                dashboard(t).ports.append({u"http"_qs, 9003, 0});
            },
            "port.label.duplicate", true, d, {}, "ports[1].label");
        row(
            "sidecar in host mode", [](Topology &t) { counter(t).networkMode = NetworkMode::Host; },
            "service.network.host-sidecar", true, c, {}, "networkMode");
        row(
            "upstream to a missing service", [](Topology &t) { arrow(t).destination = ServiceId{u"gone"_qs}; },
            "upstream.to.missing", true, d, a, "to");
        row(
            "upstream from a missing service", [](Topology &t) { arrow(t).downstream = ServiceId{u"gone"_qs}; },
            "upstream.from.missing", true, u"gone"_qs, a, "from");
        row(
            "upstream to itself", [](Topology &t) { arrow(t).destination = arrow(t).downstream; }, "upstream.self",
            true, d, a, "to");
        row(
            "upstream port out of range", [](Topology &t) { arrow(t).localBindPort = 0; }, "upstream.port.range", true,
            d, a, "localBindPort");
        row(
            "upstream on the service's own port", [](Topology &t) { arrow(t).localBindPort = 9002; },
            "upstream.port.own", true, d, a, "localBindPort");
        row(
            "two upstreams on one local port",
            [](Topology &t) {
                Service db = counter(t);
                db.id = ServiceId{u"db"_qs};
                db.name = u"db"_qs;
                db.job = u"db"_qs;
                t.services.append(db);
                t.upstreams.append(
                    {UpstreamId{u"second"_qs}, dashboard(t).id, db.id, {}, 8080, IntentionAction::Allow});
            },
            "upstream.port.duplicate", true, d, u"second"_qs, "localBindPort");
        row(
            "upstream bind address not an IP", [](Topology &t) { arrow(t).localBindAddress = u"localhost:1"_qs; },
            "upstream.address.invalid", true, d, a, "localBindAddress");
        row(
            "destination without sidecar", [](Topology &t) { counter(t).connectSidecar = false; },
            "upstream.to.no-sidecar", true, d, a, "to");
        row(
            "env names an unknown upstream",
            [](Topology &t) { dashboard(t).env[1].value = u"http://${NOMAD_UPSTREAM_ADDR_count_apj}"_qs; },
            "env.upstream.unknown", true, d, {}, "env.COUNTING_SERVICE_URL");
        row(
            "env names an unknown port label", [](Topology &t) { dashboard(t).env[0].value = u"${NOMAD_PORT_web}"_qs; },
            "env.port.unknown", true, d, {}, "env.PORT");
        row(
            "env host port names an unknown label",
            [](Topology &t) {
                dashboard(t).env.append({u"X"_qs, u"${NOMAD_HOST_PORT_admin}"_qs});
            },
            "env.port.unknown", true, d, {}, "env.X");
        row(
            "denied arrow still used by env", [](Topology &t) { arrow(t).action = IntentionAction::Deny; },
            "env.upstream.denied", false, d, a, "env.COUNTING_SERVICE_URL");
        row(
            "env alloc IP names an unknown label",
            [](Topology &t) {
                dashboard(t).env.append({u"BIND"_qs, u"${NOMAD_ALLOC_IP_admin}"_qs});
            },
            "env.port.unknown", true, d, {}, "env.BIND");
        row(
            "env alloc interface names an unknown label",
            [](Topology &t) {
                dashboard(t).env.append({u"IF"_qs, u"${NOMAD_ALLOC_INTERFACE_admin}"_qs});
            },
            "env.port.unknown", true, d, {}, "env.IF");
        // Nomad re-cleans NOMAD_PORT_ keys: NOMAD_PORT_web-ui does not exist.
        row(
            "env port variable with the label's dash",
            [](Topology &t) {
                dashboard(t).ports[0].label = u"web-ui"_qs;
                dashboard(t).env[0].value = u"${NOMAD_PORT_web-ui}"_qs;
            },
            "env.port.unknown", true, d, {}, "env.PORT");

        // Issue 16 item 5: args and the command are interpolated like env.
        row(
            "python http.server binds to an unknown label",
            [](Topology &t) {
                counter(t).driver = Driver::RawExec;
                counter(t).command = u"python3"_qs;
                counter(t).args = {u"-m"_qs, u"http.server"_qs, u"--bind"_qs, u"${NOMAD_ALLOC_IP_http}"_qs, u"9001"_qs};
            },
            "args.port.unknown", true, c, {}, "args[3]");
        row(
            "arg names an unknown port label",
            [](Topology &t) { dashboard(t).args = {u"--listen=:${NOMAD_PORT_web}"_qs}; }, "args.port.unknown", true, d,
            {}, "args[0]");
        row(
            "arg names an unknown upstream",
            [](Topology &t) {
                dashboard(t).args = {u"--api"_qs, u"http://${NOMAD_UPSTREAM_ADDR_nothere}"_qs};
            },
            "args.upstream.unknown", true, d, {}, "args[1]");
        row(
            "denied arrow still used by an arg",
            [](Topology &t) {
                arrow(t).action = IntentionAction::Deny;
                dashboard(t).env[1].value = u"http://127.0.0.1:8080"_qs;
                dashboard(t).args = {u"--api=${NOMAD_UPSTREAM_ADDR_count-api}"_qs};
            },
            "args.upstream.denied", false, d, a, "args[0]");
        // NOMAD_ALLOC_* keep the label as written: no NOMAD_ALLOC_IP_web_ui.
        row(
            "arg alloc IP with the label cleaned",
            [](Topology &t) {
                dashboard(t).ports[0].label = u"web-ui"_qs;
                dashboard(t).env[0].value = u"${NOMAD_PORT_web_ui}"_qs;
                dashboard(t).args = {u"${NOMAD_ALLOC_IP_web_ui}"_qs};
            },
            "args.port.unknown", true, d, {}, "args[0]");
        row(
            "command names an unknown port label",
            [](Topology &t) { counter(t).command = u"/opt/app-${NOMAD_HOST_PORT_web}"_qs; }, "args.port.unknown", true,
            c, {}, "command");
        row(
            "env name with a dash",
            [](Topology &t) {
                counter(t).env.append({u"MY-VAR"_qs, u"1"_qs});
            },
            "env.name.invalid", true, c, {}, "env.MY-VAR");
        row(
            "env set twice",
            [](Topology &t) {
                counter(t).env.append({u"PORT"_qs, u"1"_qs});
            },
            "env.name.duplicate", true, c, {}, "env.PORT");
        row(
            "http check path without slash",
            [](Topology &t) {
                counter(t).check = {CheckKind::Http, u"health"_qs, 10000, 2000};
            },
            "check.path.invalid", true, c, {}, "check.path");
        row(
            "tcp check of an unpublished bridge port",
            [](Topology &t) {
                counter(t).check = {CheckKind::Tcp, u"/"_qs, 10000, 2000};
            },
            "check.tcp.unreachable", false, c, {}, "check.type");
        row(
            "check timeout longer than interval",
            [](Topology &t) {
                counter(t).check = {CheckKind::Http, u"/health"_qs, 1000, 5000};
            },
            "check.timeout.long", false, c, {}, "check.timeoutMs");
        row(
            "meta key with consul- prefix",
            [](Topology &t) {
                counter(t).meta.append({u"consul-x"_qs, u"1"_qs});
            },
            "meta.key.invalid", true, c, {}, "meta.consul-x");
        row(
            "memory below Nomad's minimum", [](Topology &t) { counter(t).resources.memoryMb = 5; },
            "service.memory.small", true, c, {}, "resources.memoryMb");
        row(
            "datacenter with uppercase", [](Topology &t) { t.settings.datacenter = u"DC1"_qs; },
            "mesh.datacenter.invalid", true, {}, {}, "datacenter");

        // Issue 17: what a generated script would read as an option or an
        // assignment instead of the image or program to run.
        auto docker = [](Topology &t, const QString &image) {
            counter(t).driver = Driver::Docker;
            counter(t).image = image;
        };
        row(
            "docker image that mounts the host as an option",
            [docker](Topology &t) { docker(t, u"--volume=/:/host"_qs); }, "service.image.option", true, c, {}, "image");
        row(
            "docker image that runs privileged", [docker](Topology &t) { docker(t, u"--privileged"_qs); },
            "service.image.option", true, c, {}, "image");
        row(
            "command that is an option", [](Topology &t) { counter(t).command = u"--help"_qs; },
            "service.command.option", true, c, {}, "command");
        row(
            "command that is a single-dash option", [](Topology &t) { counter(t).command = u"-i"_qs; },
            "service.command.option", true, c, {}, "command");
        row(
            "command that assigns PATH", [](Topology &t) { counter(t).command = u"PATH=/tmp/evil"_qs; },
            "service.command.assignment", true, c, {}, "command");
        row(
            "command that assigns with an empty value", [](Topology &t) { counter(t).command = u"_x="_qs; },
            "service.command.assignment", true, c, {}, "command");
        row(
            "command that appends to a variable", [](Topology &t) { counter(t).command = u"LD_PRELOAD+=/x.so"_qs; },
            "service.command.assignment", true, c, {}, "command");
        row(
            "command that sets an array element", [](Topology &t) { counter(t).command = u"a[0]=x /bin/app"_qs; },
            "service.command.assignment", true, c, {}, "command");

        // Issue 17: control characters that would act in files and terminals.
        row(
            "design name with a NUL", [](Topology &t) { t.name = u"count\0dash"_qs; }, "mesh.name.control", true, {},
            {}, "name");
        row(
            "design name that retitles the terminal", [](Topology &t) { t.name = u"\x1b]0;owned\x07"_qs; },
            "mesh.name.control", true, {}, {}, "name");
        row(
            "design name with a newline", [](Topology &t) { t.name = u"a\nb"_qs; }, "mesh.name.control", true, {}, {},
            "name");
        row(
            "design name with DEL", [](Topology &t) { t.name = u"a\x7f"_qs; }, "mesh.name.control", true, {}, {},
            "name");
        row(
            "design name with a C1 CSI", [](Topology &t) { t.name = u"a\u009b31m"_qs; }, "mesh.name.control", true, {},
            {}, "name");
        row(
            "design name with a right-to-left override", [](Topology &t) { t.name = u"abc\u202Efdp.exe"_qs; },
            "mesh.name.control", true, {}, {}, "name");
        row(
            "design name with a first-strong isolate", [](Topology &t) { t.name = u"a\u2068b\u2069"_qs; },
            "mesh.name.control", true, {}, {}, "name");
        row(
            "job name with an escape sequence", [](Topology &t) { counter(t).job = u"counter\x1b[2J"_qs; },
            "service.job.control", true, c, {}, "job");
        row(
            "group name with a left-to-right embedding", [](Topology &t) { counter(t).group = u"api\u202A"_qs; },
            "service.group.control", true, c, {}, "group");
        row(
            "task name with a C1 next-line", [](Topology &t) { counter(t).task = u"counter\u0085"_qs; },
            "service.task.control", true, c, {}, "task");
        row(
            "tag with a newline",
            [](Topology &t) {
                counter(t).tags = {u"ok"_qs, u"a\nb"_qs};
            },
            "tag.control", true, c, {}, "tags[1]");
        row(
            "tag with a pop-directional-isolate", [](Topology &t) { counter(t).tags = {u"\u2069"_qs}; }, "tag.control",
            true, c, {}, "tags[0]");
        row(
            "meta value with an escape sequence",
            [](Topology &t) {
                counter(t).meta.append({u"team"_qs, u"\x1b[31mred"_qs});
            },
            "meta.value.control", true, c, {}, "meta.team");
        row(
            "meta key with a control character",
            [](Topology &t) {
                counter(t).meta.append({u"te\tam"_qs, u"x"_qs});
            },
            "meta.key.invalid", true, c, {}, "meta.te\tam");
        row(
            "env name with a control character",
            [](Topology &t) {
                counter(t).env.append({u"A\x01"_qs, u"1"_qs});
            },
            "env.name.invalid", true, c, {}, "env.A\x01");
        row(
            "http check path that injects a header",
            [](Topology &t) {
                counter(t).check = {CheckKind::Http, u"/health\r\nX-Evil: 1"_qs, 10000, 2000};
            },
            "check.path.control", true, c, {}, "check.path");
        row(
            "command with a newline", [](Topology &t) { counter(t).command = u"/bin/app\nrm -rf /"_qs; },
            "service.command.control", true, c, {}, "command");
        row(
            "docker image with an escape", [docker](Topology &t) { docker(t, u"redis\x1b[8m:7"_qs); },
            "service.image.control", true, c, {}, "image");

        // Issue 17: nomad/<job>.nomad.hcl files that are one file on a
        // case-insensitive file system; the second job is refused.
        row(
            "jobs Dashboard and dashboard", [](Topology &t) { counter(t).job = u"DashBoard"_qs; }, "service.job.case",
            true, c, {}, "job");
        row(
            "jobs whose file names differ only in case",
            [](Topology &t) {
                dashboard(t).job = u"\u00e9dashboard"_qs; // nomad/_dashboard.nomad.hcl
                counter(t).job = u"_Dashboard"_qs;        // nomad/_Dashboard.nomad.hcl
            },
            "service.job.case", true, c, {}, "job");
    }

    void reportsEachMistake()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        QFETCH(QString, service);
        QFETCH(QString, upstream);
        QFETCH(QString, field);

        Topology t = example();
        mutate(t);
        const Problems problems = Validator::validate(t);
        const auto matching
            = std::count_if(problems.begin(), problems.end(), [&](const Problem &p) { return p.code == code; });
        QVERIFY2(matching == 1, qPrintable(u"expected one "_qs + code + u", got:\n"_qs + describe(problems)));
        const Problem &p
            = *std::find_if(problems.begin(), problems.end(), [&](const Problem &x) { return x.code == code; });
        QCOMPARE(p.isError(), isError);
        QCOMPARE(p.service.value, service);
        QCOMPARE(p.upstream.value, upstream);
        QCOMPARE(p.field, field);
        QVERIFY2(p.message.size() > 20 && p.message.endsWith(u'.'), qPrintable(p.message));
        QCOMPARE(Validator::hasErrors(problems), isError);
        // A warning alone must not drag in other problems; an error may have
        // consequences (a renamed service breaks env references to it).
        if (!isError)
            QVERIFY2(problems.size() == 1, qPrintable(describe(problems)));
    }

    // Issue 16 item 5: the message names the argument and the label, and
    // a label written in another kind's form is named in the right one.
    void argumentMessages_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("message");
        QTest::newRow("python http.server without a label") << Mutation([](Topology &t) {
            counter(t).driver = Driver::RawExec;
            counter(t).command = u"python3"_qs;
            counter(t).args = {u"-m"_qs, u"http.server"_qs, u"--bind"_qs, u"${NOMAD_ALLOC_IP_http}"_qs, u"9001"_qs};
        }) << u"Argument 3 refers to ${NOMAD_ALLOC_IP_http}, but the group has no port labelled \"http\"."_qs;
        QTest::newRow("cleaned label in an alloc variable")
            << Mutation([](Topology &t) {
                   dashboard(t).ports[0].label = u"web-ui"_qs;
                   dashboard(t).env[0].value = u"${NOMAD_PORT_web_ui}"_qs;
                   dashboard(t).args = {u"--bind=${NOMAD_ALLOC_ADDR_web_ui}"_qs};
               })
            << u"Argument 0 refers to ${NOMAD_ALLOC_ADDR_web_ui}, but Nomad sets that variable for port \"web-ui\" "
               "as ${NOMAD_ALLOC_ADDR_web-ui}."_qs;
        QTest::newRow("dashed label in a port variable")
            << Mutation([](Topology &t) {
                   dashboard(t).ports[0].label = u"web-ui"_qs;
                   dashboard(t).env[0].value = u"${NOMAD_PORT_web_ui}"_qs;
                   dashboard(t).command = u"/bin/app-${NOMAD_PORT_web-ui}"_qs;
               })
            << u"The command refers to ${NOMAD_PORT_web-ui}, but Nomad sets that variable for port \"web-ui\" as "
               "${NOMAD_PORT_web_ui}."_qs;
        QTest::newRow("unknown upstream")
            << Mutation([](Topology &t) { dashboard(t).args = {u"${NOMAD_UPSTREAM_PORT_nothere}"_qs}; })
            << u"Argument 0 refers to ${NOMAD_UPSTREAM_PORT_nothere}, but \"count-dashboard\" has no upstream named "
               "\"nothere\"; draw an arrow to that service or fix the name."_qs;
    }

    void argumentMessages()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, message);
        Topology t = example();
        mutate(t);
        const Problems problems = Validator::validate(t);
        QVERIFY2(problems.size() == 1, qPrintable(describe(problems)));
        QCOMPARE(problems.first().message, message);
    }

    // What resembles a hostile value but is what real designs hold.
    void acceptsLookAlikes_data()
    {
        QTest::addColumn<Mutation>("mutate");
        auto row = [](const char *name, Mutation m) { QTest::newRow(name) << m; };
        row("image from a registry with a port and a dash", [](Topology &t) {
            counter(t).driver = Driver::Docker;
            counter(t).image = u"registry:5000/a-b"_qs;
        });
        row("image with a dash in its tag", [](Topology &t) {
            counter(t).driver = Driver::Docker;
            counter(t).image = u"hashicorp/counting-service:0.0.2-rc"_qs;
        });
        row("options and assignments as args", [](Topology &t) {
            counter(t).command = u"/usr/bin/env"_qs;
            counter(t).args = {u"a=b"_qs, u"--flag"_qs, u"-x"_qs, u"PATH=/x"_qs, u"line\nbreak"_qs};
        });
        // Issue 16 item 5: ${NOMAD_…} in args that name what exists.
        row("python http.server binds to its labelled port", [](Topology &t) {
            counter(t).driver = Driver::RawExec;
            counter(t).command = u"python3"_qs;
            counter(t).args = {u"-m"_qs, u"http.server"_qs, u"--bind"_qs, u"${NOMAD_ALLOC_IP_http}"_qs, u"9001"_qs};
            counter(t).ports = {{u"http"_qs, 9001, 0}};
        });
        row("args name the upstream raw and cleaned", [](Topology &t) {
            dashboard(t).args = {u"--api=${NOMAD_UPSTREAM_ADDR_count_api}"_qs, u"${NOMAD_UPSTREAM_IP_count-api}"_qs,
                                 u"${NOMAD_UPSTREAM_PORT_count_api}"_qs};
        });
        row("args with variables that name no label", [](Topology &t) {
            counter(t).args = {u"--id=${NOMAD_ALLOC_ID}"_qs,  u"${NOMAD_TASK_NAME}"_qs,  u"${NOMAD_ALLOC_INDEX}"_qs,
                               u"${NOMAD_ALLOC_DIR}/data"_qs, u"${NOMAD_ALLOC_NAME}"_qs, u"${NOMAD_META_owner}"_qs,
                               u"${node.unique.name}"_qs,     u"$NOMAD_PORT_web"_qs};
            counter(t).command = u"${NOMAD_TASK_DIR}/counter"_qs;
        });
        row("every port variable of a dashed label", [](Topology &t) {
            dashboard(t).ports[0].label = u"web-ui"_qs;
            dashboard(t).env[0].value = u"${NOMAD_PORT_web_ui}"_qs;
            dashboard(t).args = {u"${NOMAD_PORT_web_ui}"_qs,       u"${NOMAD_HOST_PORT_web_ui}"_qs,
                                 u"${NOMAD_ADDR_web_ui}"_qs,       u"${NOMAD_IP_web_ui}"_qs,
                                 u"${NOMAD_ALLOC_PORT_web-ui}"_qs, u"${NOMAD_HOST_ADDR_web-ui}"_qs,
                                 u"${NOMAD_HOST_IP_web-ui}"_qs,    u"${NOMAD_ALLOC_IP_web-ui}"_qs,
                                 u"${NOMAD_ALLOC_ADDR_web-ui}"_qs, u"${NOMAD_ALLOC_INTERFACE_web-ui}"_qs};
        });
        row("args name the sidecar's port", [](Topology &t) {
            dashboard(t).args = {u"${NOMAD_PORT_connect_proxy_count_dashboard}"_qs,
                                 u"${NOMAD_ALLOC_PORT_connect-proxy-count-dashboard}"_qs};
        });
        row("label that starts with a digit", [](Topology &t) {
            dashboard(t).ports[0].label = u"8080-admin"_qs;
            dashboard(t).env[0].value = u"${NOMAD_PORT_8080_admin}"_qs;
            dashboard(t).args = {u"${NOMAD_ALLOC_ADDR_8080-admin}"_qs};
        });
        row("command path with an equals sign", [](Topology &t) { counter(t).command = u"/opt/a=b/app"_qs; });
        row("command that starts with a digit and holds '='", [](Topology &t) { counter(t).command = u"9lives=x"_qs; });
        row("relative command", [](Topology &t) { counter(t).command = u"./counter"_qs; });
        row("design name with non-ASCII letters",
            [](Topology &t) { t.name = u"Gr\u00f6\u00dfe \u6771\u4eac \u0645\u0631\u062d\u0628\u0627"_qs; });
        row("design name with an emoji", [](Topology &t) { t.name = u"shop \U0001F680"_qs; });
        // Marks, not embeddings: they steer one character's direction and
        // are common in right-to-left text (judgement: not refused).
        row("design name with a right-to-left mark",
            [](Topology &t) { t.name = u"\u05e9\u05dc\u05d5\u05dd\u200f 1"_qs; });
        row("job, group and task with non-ASCII letters", [](Topology &t) {
            counter(t).job = u"z\u00e4hler"_qs;
            counter(t).group = u"z\u00e4hler"_qs;
            counter(t).task = u"Z\u00e4hler"_qs;
        });
        row("tag and meta with non-ASCII text", [](Topology &t) {
            counter(t).tags = {u"caf\u00e9"_qs};
            counter(t).meta.append({u"owner"_qs, u"Zo\u00eb \U0001F680"_qs});
        });
        row("two services in one job", [](Topology &t) { counter(t).job = u"dashboard"_qs; });
        row("jobs that share a file stem (numbered)", [](Topology &t) {
            dashboard(t).job = u"caf\u00e9"_qs;
            counter(t).job = u"caf\u00eb"_qs;
        });
    }

    void acceptsLookAlikes()
    {
        QFETCH(Mutation, mutate);
        Topology t = example();
        mutate(t);
        const Problems problems = Validator::validate(t);
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));
    }

    // An imported destination no job defines: only its name matters.
    void externalServiceNeedsNoJob()
    {
        Topology t = example();
        Service &api = counter(t);
        api.external = true;
        api.job.clear();
        api.group.clear();
        api.task.clear();
        api.command.clear();
        api.env.clear();
        api.port.clear();
        api.connectSidecar = false; // its sidecar is not Meshpad's to see
        api.count = 0;
        Problems problems = Validator::validate(t);
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));

        // Its name still is a Consul service name, unique in the mesh.
        api.name = u"Count_API"_qs;
        problems = Validator::validate(t);
        QVERIFY2(std::any_of(problems.begin(), problems.end(),
                             [](const Problem &p) { return p.code == u"service.name.invalid"; }),
                 qPrintable(describe(problems)));
        api.name = u"count-dashboard"_qs;
        problems = Validator::validate(t);
        QVERIFY2(std::any_of(problems.begin(), problems.end(),
                             [](const Problem &p) { return p.code == u"service.name.duplicate"; }),
                 qPrintable(describe(problems)));
    }

    void controlCharacters_data()
    {
        QTest::addColumn<int>("codePoint");
        QTest::addColumn<bool>("control");
        QTest::newRow("NUL") << 0x0 << true;
        QTest::newRow("unit separator") << 0x1f << true;
        QTest::newRow("space") << 0x20 << false;
        QTest::newRow("tilde") << 0x7e << false;
        QTest::newRow("DEL") << 0x7f << true;
        QTest::newRow("C1 first") << 0x80 << true;
        QTest::newRow("C1 last") << 0x9f << true;
        QTest::newRow("no-break space") << 0xa0 << false;
        QTest::newRow("right-to-left mark") << 0x200f << false;
        QTest::newRow("left-to-right embedding") << 0x202a << true;
        QTest::newRow("right-to-left override") << 0x202e << true;
        QTest::newRow("narrow no-break space") << 0x202f << false;
        QTest::newRow("left-to-right isolate") << 0x2066 << true;
        QTest::newRow("pop directional isolate") << 0x2069 << true;
        QTest::newRow("inhibit symmetric swapping") << 0x206a << false;
    }

    // The character set's edges, as a user meets them: a tag holding the
    // character is refused, or not.
    void controlCharacters()
    {
        QFETCH(int, codePoint);
        QFETCH(bool, control);
        Topology t = example();
        counter(t).tags = {u"a"_qs + QChar(char16_t(codePoint)) + u"b"_qs};
        const Problems problems = Validator::validate(t);
        const bool refused
            = std::any_of(problems.begin(), problems.end(), [](const Problem &p) { return p.code == u"tag.control"; });
        QVERIFY2(refused == control, qPrintable(describe(problems)));
    }

    void dnsLabels_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << u"web"_qs << true;
        QTest::newRow("digits and dash") << u"count-api-2"_qs << true;
        QTest::newRow("single char") << u"a"_qs << true;
        QTest::newRow("leading digit") << u"1web"_qs << true;
        QTest::newRow("63 chars") << QString(63, u'x') << true;
        QTest::newRow("64 chars") << QString(64, u'x') << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("leading dash") << u"-web"_qs << false;
        QTest::newRow("dot") << u"web.api"_qs << false;
        QTest::newRow("unicode") << u"wéb"_qs << false;
        QTest::newRow("upper") << u"Web"_qs << false;
    }

    void dnsLabels()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(Validator::isDnsLabel(name), valid);
    }
};

QTEST_GUILESS_MAIN(TestValidator)
#include "tst_validator.moc"
