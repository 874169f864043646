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

Service &counter(Topology &t) { return t.services[1]; }
Service &dashboard(Topology &t) { return t.services[0]; }
Upstream &arrow(Topology &t) { return t.upstreams[0]; }

using Mutation = std::function<void(Topology &)>;

QString describe(const Problems &problems)
{
    QStringList lines;
    for (const Problem &p : problems)
        lines.append(QStringLiteral("%1 %2 [%3/%4 %5] %6")
                         .arg(p.isError() ? u"error" : u"warning", p.code, p.service.value, p.upstream.value,
                              p.field, p.message));
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
        QTest::addColumn<QString>("service");   // id of the service it concerns ("" = mesh)
        QTest::addColumn<QString>("upstream");  // id of the arrow it concerns
        QTest::addColumn<QString>("field");

        const QString c = u"count-api"_qs, d = u"count-dashboard"_qs, a = u"count-dashboard-to-count-api"_qs;
        auto row = [](const char *name, Mutation m, const char *code, bool error, QString svc, QString up, const char *field) {
            QTest::newRow(name) << m << QString::fromLatin1(code) << error << svc << up << QString::fromLatin1(field);
        };

        row("uppercase service name", [](Topology &t) { counter(t).name = u"Count-API"_qs; },
            "service.name.invalid", true, c, {}, "name");
        row("underscore in service name", [](Topology &t) { counter(t).name = u"count_api"_qs; },
            "service.name.invalid", true, c, {}, "name");
        row("service name of 64 characters", [](Topology &t) { counter(t).name = QString(64, u'a'); },
            "service.name.invalid", true, c, {}, "name");
        row("service name ending in dash", [](Topology &t) { counter(t).name = u"count-"_qs; },
            "service.name.invalid", true, c, {}, "name");
        row("empty service name", [](Topology &t) { counter(t).name.clear(); },
            "service.name.empty", true, c, {}, "name");
        row("duplicate service name", [](Topology &t) { counter(t).name = u"count-dashboard"_qs; },
            "service.name.duplicate", true, c, {}, "name");
        row("job name with a space", [](Topology &t) { counter(t).job = u"count er"_qs; },
            "service.job.invalid", true, c, {}, "job");
        row("job name with a slash", [](Topology &t) { counter(t).job = u"../etc"_qs; },
            "service.job.invalid", true, c, {}, "job");
        row("empty task name", [](Topology &t) { counter(t).task.clear(); },
            "service.task.empty", true, c, {}, "task");
        row("uppercase group with sidecar", [](Topology &t) { counter(t).group = u"API"_qs; },
            "service.group.uppercase", true, c, {}, "group");
        row("two services in one job and group", [](Topology &t) {
            counter(t).job = u"dashboard"_qs;
            counter(t).group = u"dashboard"_qs;
        }, "service.group.duplicate", true, c, {}, "group");
        row("count 0", [](Topology &t) { counter(t).count = 0; }, "service.count.zero", false, c, {}, "count");
        row("exec without command", [](Topology &t) { counter(t).command = u"  "_qs; },
            "service.command.empty", true, c, {}, "command");
        row("docker without image", [](Topology &t) { counter(t).driver = Driver::Docker; },
            "service.image.empty", true, c, {}, "image");
        row("service port out of range", [](Topology &t) { counter(t).port = u"70000"_qs; },
            "service.port.range", true, c, {}, "port");
        row("service port 0", [](Topology &t) { counter(t).port = u"0"_qs; },
            "service.port.range", true, c, {}, "port");
        row("service port names no label", [](Topology &t) { counter(t).port = u"web"_qs; },
            "service.port.unknown-label", true, c, {}, "port");
        row("connect service port is a mapped label", [](Topology &t) { dashboard(t).port = u"http"_qs; },
            "service.port.label-with-sidecar", false, d, {}, "port");
        row("port mapping to out of range", [](Topology &t) { dashboard(t).ports[0].to = 65536; },
            "port.to.range", true, d, {}, "ports[0].to");
        row("static port out of range", [](Topology &t) { dashboard(t).ports[0].staticPort = 123456; },
            "port.static.range", true, d, {}, "ports[0].static");
        row("port label with a space", [](Topology &t) { dashboard(t).ports[0].label = u"ht tp"_qs; },
            "port.label.invalid", true, d, {}, "ports[0].label");
        row("duplicate port label", [](Topology &t) { dashboard(t).ports.append({u"http"_qs, 9003, 0}); },
            "port.label.duplicate", true, d, {}, "ports[1].label");
        row("sidecar in host mode", [](Topology &t) { counter(t).networkMode = NetworkMode::Host; },
            "service.network.host-sidecar", true, c, {}, "networkMode");
        row("upstream to a missing service", [](Topology &t) { arrow(t).destination = ServiceId{u"gone"_qs}; },
            "upstream.to.missing", true, d, a, "to");
        row("upstream from a missing service", [](Topology &t) { arrow(t).downstream = ServiceId{u"gone"_qs}; },
            "upstream.from.missing", true, u"gone"_qs, a, "from");
        row("upstream to itself", [](Topology &t) { arrow(t).destination = arrow(t).downstream; },
            "upstream.self", true, d, a, "to");
        row("upstream port out of range", [](Topology &t) { arrow(t).localBindPort = 0; },
            "upstream.port.range", true, d, a, "localBindPort");
        row("upstream on the service's own port", [](Topology &t) { arrow(t).localBindPort = 9002; },
            "upstream.port.own", true, d, a, "localBindPort");
        row("two upstreams on one local port", [](Topology &t) {
            Service db = counter(t);
            db.id = ServiceId{u"db"_qs};
            db.name = u"db"_qs;
            db.job = u"db"_qs;
            t.services.append(db);
            t.upstreams.append({UpstreamId{u"second"_qs}, dashboard(t).id, db.id, {}, 8080, IntentionAction::Allow});
        }, "upstream.port.duplicate", true, d, u"second"_qs, "localBindPort");
        row("upstream bind address not an IP", [](Topology &t) { arrow(t).localBindAddress = u"localhost:1"_qs; },
            "upstream.address.invalid", true, d, a, "localBindAddress");
        row("destination without sidecar", [](Topology &t) { counter(t).connectSidecar = false; },
            "upstream.to.no-sidecar", true, d, a, "to");
        row("env names an unknown upstream", [](Topology &t) {
            dashboard(t).env[1].value = u"http://${NOMAD_UPSTREAM_ADDR_count_apj}"_qs;
        }, "env.upstream.unknown", true, d, {}, "env.COUNTING_SERVICE_URL");
        row("env names an unknown port label", [](Topology &t) { dashboard(t).env[0].value = u"${NOMAD_PORT_web}"_qs; },
            "env.port.unknown", true, d, {}, "env.PORT");
        row("env host port names an unknown label", [](Topology &t) {
            dashboard(t).env.append({u"X"_qs, u"${NOMAD_HOST_PORT_admin}"_qs});
        }, "env.port.unknown", true, d, {}, "env.X");
        row("denied arrow still used by env", [](Topology &t) { arrow(t).action = IntentionAction::Deny; },
            "env.upstream.denied", false, d, a, "env.COUNTING_SERVICE_URL");
        row("env name with a dash", [](Topology &t) { counter(t).env.append({u"MY-VAR"_qs, u"1"_qs}); },
            "env.name.invalid", true, c, {}, "env.MY-VAR");
        row("env set twice", [](Topology &t) { counter(t).env.append({u"PORT"_qs, u"1"_qs}); },
            "env.name.duplicate", true, c, {}, "env.PORT");
        row("http check path without slash", [](Topology &t) {
            counter(t).check = {CheckKind::Http, u"health"_qs, 10000, 2000};
        }, "check.path.invalid", true, c, {}, "check.path");
        row("tcp check of an unpublished bridge port", [](Topology &t) {
            counter(t).check = {CheckKind::Tcp, u"/"_qs, 10000, 2000};
        }, "check.tcp.unreachable", false, c, {}, "check.type");
        row("check timeout longer than interval", [](Topology &t) {
            counter(t).check = {CheckKind::Http, u"/health"_qs, 1000, 5000};
        }, "check.timeout.long", false, c, {}, "check.timeoutMs");
        row("meta key with consul- prefix", [](Topology &t) { counter(t).meta.append({u"consul-x"_qs, u"1"_qs}); },
            "meta.key.invalid", true, c, {}, "meta.consul-x");
        row("memory below Nomad's minimum", [](Topology &t) { counter(t).resources.memoryMb = 5; },
            "service.memory.small", true, c, {}, "resources.memoryMb");
        row("datacenter with uppercase", [](Topology &t) { t.settings.datacenter = u"DC1"_qs; },
            "mesh.datacenter.invalid", true, {}, {}, "datacenter");
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
        const auto matching = std::count_if(problems.begin(), problems.end(),
                                            [&](const Problem &p) { return p.code == code; });
        QVERIFY2(matching == 1, qPrintable(u"expected one "_qs + code + u", got:\n"_qs + describe(problems)));
        const Problem &p = *std::find_if(problems.begin(), problems.end(),
                                         [&](const Problem &x) { return x.code == code; });
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
