// The schema checker every body test relies on: proves it catches each kind
// of problem it promises (so a body test using it cannot silently pass), and
// that it accepts what Consul and Nomad accept.
#include "apischemachecker.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using meshtest::ApiSchemaChecker;

class TestApiSchemaChecker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void schemaIsComplete_data();
    void schemaIsComplete();
    void loadFailsOnMissingFile();
    void check_data();
    void check();
    void unknownRootIsAProblem();
    void textThatIsNotJson();
    void canonicalSpelling();

private:
    std::optional<ApiSchemaChecker> m_consul;
    std::optional<ApiSchemaChecker> m_nomad;
};

void TestApiSchemaChecker::initTestCase()
{
    QString error;
    m_consul = ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/consul.json"), &error);
    QVERIFY2(m_consul, qPrintable(error));
    m_nomad = ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/nomad.json"), &error);
    QVERIFY2(m_nomad, qPrintable(error));
    QCOMPARE(m_consul->product(), QStringLiteral("consul"));
    QCOMPARE(m_nomad->product(), QStringLiteral("nomad"));
}

void TestApiSchemaChecker::schemaIsComplete_data()
{
    QTest::addColumn<QString>("product");
    QTest::newRow("consul") << QStringLiteral("consul");
    QTest::newRow("nomad") << QStringLiteral("nomad");
}

// Every type a field names is defined, so no nested struct goes unchecked.
void TestApiSchemaChecker::schemaIsComplete()
{
    QFETCH(QString, product);
    const ApiSchemaChecker &checker = product == u"consul" ? *m_consul : *m_nomad;
    QCOMPARE(checker.unresolvedTypes(), QStringList());
}

void TestApiSchemaChecker::loadFailsOnMissingFile()
{
    QString error;
    QVERIFY(!ApiSchemaChecker::load(QStringLiteral(MESHPAD_TEST_DATA "/api-schemas/absent.json"), &error));
    QVERIFY(error.contains(u"absent.json"));
}

void TestApiSchemaChecker::check_data()
{
    QTest::addColumn<QString>("product");
    QTest::addColumn<QString>("root");
    QTest::addColumn<QString>("body");
    // One entry per expected problem: a fragment its message must contain,
    // in the order reported. Empty = the body must pass.
    QTest::addColumn<QStringList>("expected");

    auto row
        = [](const char *name, const char *product, const char *root, const char *body, QStringList expected = {}) {
              QTest::newRow(name) << QString::fromLatin1(product) << QString::fromLatin1(root)
                                  << QString::fromUtf8(body) << expected;
          };
    auto s = [](const char *t) { return QString::fromUtf8(t); };

    // --- accepted -----------------------------------------------------------
    row("seed counter payload (snake, lower case)", "consul", "consul-registration",
        R"({"name": "counter", "port": 9001, "connect": {"sidecar_service": {}}})");
    row("seed dashboard payload (snake aliases)", "consul", "consul-registration",
        R"({"name": "dashboard", "port": 9002, "connect": {"sidecar_service": {"proxy": {"upstreams": [
            {"destination_name": "counter", "local_bind_port": 8080}]}}}})");
    row("CamelCase registration with check", "consul", "AgentServiceRegistration",
        R"({"Name": "web", "Port": 8080, "Tags": ["v1"], "Meta": {"a": "b"},
            "Check": {"HTTP": "http://localhost:8080/health", "Interval": "10s", "Timeout": "1m30.5s"},
            "Connect": {"SidecarService": {"Proxy": {"Upstreams": [
              {"DestinationName": "db", "LocalBindPort": 9191, "LocalBindAddress": "127.0.0.2"}]}}}})");
    row("duration as nanoseconds", "consul", "consul-registration",
        R"({"Name": "web", "Check": {"TCP": "localhost:1", "Interval": 10000000000}})");
    row("nullable struct may be null", "consul", "consul-registration",
        R"({"Name": "web", "Check": null, "Weights": null})");
    row("intentions entry", "consul", "service-intentions",
        R"({"Kind": "service-intentions", "Name": "db", "Sources": [
            {"Name": "web", "Action": "allow", "Type": "consul"},
            {"Name": "*", "Action": "deny", "Description": "default deny", "sameness_group": ""}]})");
    row("nomad job", "nomad", "nomad-job",
        R"({"Job": {"ID": "counter", "Name": "counter", "Datacenters": ["dc1"], "TaskGroups": [
            {"Name": "api", "Count": 3, "Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "http", "To": 9002}]}],
             "Services": [{"Name": "count-api", "PortLabel": "9001", "Connect": {"SidecarService": {}},
                           "Checks": [{"Type": "http", "Path": "/", "Interval": 10000000000, "Timeout": 2000000000}]}],
             "Tasks": [{"Name": "counter", "Driver": "exec", "Config": {"command": "/vagrant/apps/bin/counter"},
                        "Env": {"PORT": "9001"}}]}]}})");

    // --- unknown keys ------------------------------------------------------
    row("unknown key at the top", "consul", "consul-registration", R"({"Name": "web", "Prot": 80})",
        {
            s("$.Prot: unknown key \"Prot\""),
        });
    row("typo inside an upstream", "consul", "consul-registration",
        R"({"Name": "web", "Connect": {"SidecarService": {"Proxy": {"Upstreams": [
            {"DestinationName": "db", "LocalBindPorts": 1}]}}}})",
        {s("$.Connect.SidecarService.Proxy.Upstreams[0].LocalBindPorts: unknown key")});
    row("snake key where the agent has no alias", "consul", "consul-registration",
        R"({"Name": "web", "socket_path": "/x", "Check": {"success_before_passing": 1}})",
        {s("$.Check.success_before_passing: unknown key"), s("$.socket_path: unknown key")});
    row("config entry aliases do not apply to agent bodies", "consul", "consul-registration",
        R"({"Name": "web", "Proxy": {"envoy_extensions": []}})", {s("$.Proxy.envoy_extensions: unknown key")});
    row("agent aliases do not apply to config entries", "consul", "service-intentions",
        R"({"Kind": "service-intentions", "Name": "db", "Sources": [{"Name": "web", "Action": "allow", "legacyid": "x", "source_type": "consul"}]})",
        {s("$.Sources[0].source_type: unknown key")});
    row("unknown key inside Connect is reported as silently ignored", "consul", "consul-registration",
        R"({"Name": "web", "Connect": {"sidecar": {}}})", {s("silently ignores")});
    row("unknown key in a Nomad job", "nomad", "nomad-job",
        R"({"Job": {"ID": "x", "TaskGroups": [{"Name": "g", "count": 2, "Tasks": [{"Name": "t", "env": {}, "Enviroment": {}}]}]}})",
        {s("$.Job.TaskGroups[0].Tasks[0].Enviroment: unknown key \"Enviroment\" in Task: Nomad silently ignores")});
    row("HCL snake names are not Nomad JSON keys", "nomad", "nomad-job",
        R"({"Job": {"ID": "x", "TaskGroups": [{"Name": "g", "Services": [{"Name": "s", "port_label": "http"}]}]}})",
        {s("$.Job.TaskGroups[0].Services[0].port_label: unknown key")});
    row("json:\"-\" field is unknown", "nomad", "VolumeRequest", R"({"ExtraKeysHCL": []})",
        {s("$.ExtraKeysHCL: unknown key")});
    row("two keys for one field", "consul", "consul-registration", R"({"Name": "web", "name": "web2"})",
        {s("both set AgentServiceRegistration.Name")});

    // --- wrong types -------------------------------------------------------
    row("string for an int", "consul", "consul-registration", R"({"Name": "web", "Port": "8080"})",
        {s("$.Port: expected int, got string \"8080\"")});
    row("fraction for an int", "consul", "consul-registration", R"({"Name": "web", "Port": 80.5})",
        {s("$.Port: expected int (a whole number)")});
    row("out of range for a sized int", "nomad", "Affinity", R"({"Weight": 200})", {s("out of range for a Go int8")});
    row("negative uint", "nomad", "SpreadTarget", R"({"Percent": -1})", {s("$.Percent: -1 is out of range")});
    row("string for a bool", "consul", "consul-registration", R"({"Name": "web", "EnableTagOverride": "true"})",
        {s("$.EnableTagOverride: expected bool")});
    row("number for a string", "consul", "consul-registration", R"({"Name": 7})",
        {s("$.Name: expected string, got number 7"), s("no Name")});
    row("list element of the wrong type", "consul", "consul-registration", R"({"Name": "web", "Tags": ["a", 1]})",
        {s("$.Tags[1]: expected string")});
    row("object for a list", "consul", "consul-registration", R"({"Name": "web", "Tags": {"a": "b"}})",
        {s("$.Tags: expected list of string, got an object")});
    row("map value of the wrong type", "consul", "consul-registration", R"({"Name": "web", "Meta": {"version": 1}})",
        {s("$.Meta.version: expected string")});
    row("string for a nested struct", "consul", "consul-registration", R"({"Name": "web", "Check": "http://x"})",
        {s("$.Check: expected an object (AgentServiceCheck)")});
    row("bad duration string", "consul", "consul-registration",
        R"({"Name": "web", "Check": {"TCP": "x:1", "Interval": "10 seconds", "Timeout": "2"}})",
        {s("$.Check.Interval: \"10 seconds\" is not a Go duration"), s("$.Check.Timeout: \"2\" is not a Go duration")});
    row("bool for a duration", "consul", "consul-registration", R"({"Name": "web", "Check": {"TTL": true}})",
        {s("$.Check.TTL: expected a duration string")});
    row("duration string where Nomad wants nanoseconds", "nomad", "ServiceCheck", R"({"Interval": "10s"})",
        {s("$.Interval: expected a duration as integer nanoseconds")});
    row("bad RFC 3339 time", "consul", "SourceIntention", R"({"Name": "a", "LegacyCreateTime": "yesterday"})",
        {s("$.LegacyCreateTime: expected an RFC 3339 time")});
    row("bad base64", "nomad", "Job", R"({"ID": "x", "Payload": "not base64!"})",
        {s("$.Payload: expected base64 bytes")});
    row("null for a non-pointer field", "consul", "consul-registration", R"({"Name": "web", "Tags": null})",
        {s("$.Tags: null for AgentServiceRegistration.Tags")});
    row("null list element", "consul", "consul-registration", R"({"Name": "web", "Tags": [null]})",
        {s("$.Tags[0]: null element")});

    // --- enterprise only, and what the endpoints refuse --------------------
    row("Namespace is Enterprise only", "consul", "consul-registration", R"({"Name": "web", "Namespace": "default"})",
        {s("$.Namespace: AgentServiceRegistration.Namespace is Consul Enterprise only")});
    row("Partition on an intention source", "consul", "service-intentions",
        R"({"Kind": "service-intentions", "Name": "db", "Sources": [{"Name": "web", "Action": "allow", "Partition": "p"}]})",
        {s("$.Sources[0].Partition: SourceIntention.Partition is Consul Enterprise only")});
    row("registration without Name", "consul", "consul-registration", R"({"Port": 1})", {s("Missing service name")});
    row("registration on 0.0.0.0", "consul", "consul-registration", R"({"Name": "a", "Address": "0.0.0.0"})",
        {s("Invalid service address")});
    row("config entry of another kind", "consul", "service-intentions", R"({"Kind": "service-defaults", "Name": "db"})",
        {s("but this is a service-intentions entry")});
    row("config entry without Kind", "consul", "ServiceIntentionsConfigEntry", R"({"Name": "db"})",
        {s("needs a string \"Kind\"")});
    row("Nomad body without Job", "nomad", "nomad-job", R"({})", {s("Job must be specified")});
    row("Nomad job without ID", "nomad", "nomad-job", R"({"Job": {"Name": "x"}})", {s("Job ID hasn't been provided")});
}

void TestApiSchemaChecker::check()
{
    QFETCH(QString, product);
    QFETCH(QString, root);
    QFETCH(QString, body);
    QFETCH(QStringList, expected);

    const ApiSchemaChecker &checker = product == u"consul" ? *m_consul : *m_nomad;
    QStringList problems = checker.checkText(body, root);
    problems.sort();
    const QString all = problems.join(u'\n');
    QVERIFY2(problems.size() == expected.size(),
             qPrintable(QStringLiteral("expected %1 problem(s), got:\n%2").arg(expected.size()).arg(all)));
    for (const QString &fragment : expected) {
        QVERIFY2(all.contains(fragment),
                 qPrintable(QStringLiteral("no problem mentions \"%1\"; got:\n%2").arg(fragment, all)));
    }
}

void TestApiSchemaChecker::unknownRootIsAProblem()
{
    const QStringList problems = m_consul->check(QJsonObject{}, u"NoSuchStruct");
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems.first().contains(u"NoSuchStruct"));
}

void TestApiSchemaChecker::textThatIsNotJson()
{
    QCOMPARE(m_consul->checkText(QStringLiteral("{\"Name\": "), u"consul-registration").size(), 1);
    QCOMPARE(m_consul->checkText(QStringLiteral("[1]"), u"consul-registration"),
             QStringList{QStringLiteral("$: the body must be a JSON object")});
}

// The form the generator tests compare bodies in: snake/lower case keys
// become the field names; values and unknown keys are untouched, so a
// real difference still shows.
void TestApiSchemaChecker::canonicalSpelling()
{
    auto parse = [](const char *text) { return QJsonDocument::fromJson(QByteArray(text)).object(); };
    const QJsonObject seed = parse(R"({"name": "dashboard", "port": 9002, "connect": {"sidecar_service": {"proxy":
        {"upstreams": [{"destination_name": "counter", "local_bind_port": 8080}]}}}, "meta": {"k_ey": "v"}})");
    const QJsonObject camel = parse(R"({"Name": "dashboard", "Port": 9002, "Connect": {"SidecarService": {"Proxy":
        {"Upstreams": [{"DestinationName": "counter", "LocalBindPort": 8080}]}}}, "Meta": {"k_ey": "v"}})");
    QCOMPARE(m_consul->canonical(seed, u"consul-registration"), camel);
    QCOMPARE(m_consul->canonical(camel, u"consul-registration"), camel);
    const QJsonObject other = parse(R"({"Name": "dashboard", "Port": 9003})");
    QVERIFY(m_consul->canonical(seed, u"consul-registration") != m_consul->canonical(other, u"consul-registration"));
    const QJsonObject unknown = parse(R"({"Name": "x", "bogus_key": 1})");
    QCOMPARE(m_consul->canonical(unknown, u"consul-registration"), unknown);
    // Config entries take their own aliases.
    QCOMPARE(m_consul->canonical(
                 parse(R"({"kind": "service-intentions", "sources": [{"name": "a", "sameness_group": "g"}]})"),
                 u"service-intentions"),
             parse(R"({"Kind": "service-intentions", "Sources": [{"Name": "a", "SamenessGroup": "g"}]})"));
}

QTEST_GUILESS_MAIN(TestApiSchemaChecker)
#include "tst_apischemachecker.moc"
