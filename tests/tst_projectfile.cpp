// The *.meshpad file: the example round-trips byte for byte, saving is
// atomic, and every kind of broken file is refused with a message that says
// where — without touching what was loaded before.

#include "model/projectfile.h"
#include "model/topologymodel.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace mesh::model;

namespace {

QString examplePath()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// A one-service design whose name is `raw`, bytes as they are: the name
// sits on line 3, and its first character at column 10.
QByteArray withName(const QByteArray &raw)
{
    return "{\"format\": \"meshpad\", \"version\": 1,\n\"services\": [{\"id\": \"s\",\n\"name\": \"" + raw + "\"}]}\n";
}

} // namespace

class TestProjectFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exampleHoldsTheSeedDesign()
    {
        const auto t = ProjectFile::load(examplePath());
        QVERIFY2(t.has_value(), qPrintable(t ? QString() : t.error().message));
        QCOMPARE(t->services.size(), 2);
        const Service *counter = t->serviceByName(u"count-api");
        QVERIFY(counter);
        QCOMPARE(counter->job, u"counter");
        QCOMPARE(counter->group, u"api");
        QCOMPARE(counter->task, u"counter");
        QCOMPARE(counter->count, 3);
        QVERIFY(counter->networkMode == NetworkMode::Bridge);
        QCOMPARE(counter->port, u"9001");
        QVERIFY(counter->connectSidecar);
        QVERIFY(counter->driver == Driver::Exec);
        QCOMPARE(counter->command, u"/vagrant/apps/bin/counter");
        QCOMPARE(counter->env, (QList<KeyValue>{{u"PORT"_qs, u"9001"_qs}}));

        const Service *dashboard = t->serviceByName(u"count-dashboard");
        QVERIFY(dashboard);
        QCOMPARE(dashboard->job, u"dashboard");
        QCOMPARE(dashboard->group, u"dashboard");
        QCOMPARE(dashboard->task, u"dashboard");
        QCOMPARE(dashboard->count, 1);
        QCOMPARE(dashboard->ports, (QList<PortMapping>{{u"http"_qs, 9002, 0}}));
        QCOMPARE(dashboard->port, u"9002");
        QCOMPARE(dashboard->env,
                 (QList<KeyValue>{{u"PORT"_qs, u"${NOMAD_PORT_http}"_qs},
                                  {u"COUNTING_SERVICE_URL"_qs, u"http://${NOMAD_UPSTREAM_ADDR_count_api}"_qs}}));
        QCOMPARE(t->upstreams.size(), 1);
        const Upstream &u = t->upstreams.first();
        QCOMPARE(u.downstream, dashboard->id);
        QCOMPARE(u.destination, counter->id);
        QCOMPARE(u.localBindPort, 8080);
        QVERIFY(u.action == IntentionAction::Allow);
    }

    void saveIsCanonical()
    {
        // Loading and saving the example gives back the same bytes: the file
        // is in canonical form, so saves never create spurious diffs.
        const auto t = ProjectFile::load(examplePath());
        QVERIFY(t);
        QCOMPARE(ProjectFile::toJson(*t).toUtf8(), readAll(examplePath()));
    }

    void roundTripKeepsEveryField()
    {
        Topology t;
        t.name = u"every \"field\"\n"_qs;
        t.settings.datacenter = u"eu-west_2"_qs;
        t.settings.defaultPolicy = IntentionAction::Deny;
        t.settings.lab = {24, 250, 700};
        Service s;
        s.id = ServiceId{u"a"_qs};
        s.templateKind = ServiceTemplate::Docker;
        s.name = u"web"_qs;
        s.job = u"shop"_qs;
        s.group = u"web"_qs;
        s.task = u"nginx"_qs;
        s.count = 2;
        s.driver = Driver::Docker;
        s.image = u"nginx:1.25"_qs;
        s.args = {u"-g"_qs, u"daemon off; \\ \"quoted\" ünïcødé"_qs};
        s.env = {{u"B"_qs, u"2"_qs}, {u"A"_qs, u"${NOMAD_PORT_http}"_qs}};
        s.networkMode = NetworkMode::Host;
        s.ports = {{u"http"_qs, 80, 8080}, {u"admin"_qs, 0, 0}};
        s.port = u"http"_qs;
        s.connectSidecar = false;
        s.check = {CheckKind::Http, u"/healthz"_qs, 1500, 700};
        s.tags = {u"v1"_qs, u"canary"_qs};
        s.meta = {{u"team"_qs, u"payments"_qs}};
        s.resources = {250, 128};
        s.position = QPointF(-12.5, 1e6 + 0.25);
        t.services.append(s);
        Service b = s;
        b.id = ServiceId{u"b"_qs};
        b.name = u"db"_qs;
        b.external = true;
        t.services.append(b);
        t.upstreams.append({UpstreamId{u"u1"_qs}, s.id, b.id, u"127.0.0.2"_qs, 5432, IntentionAction::Deny});

        const QString json = ProjectFile::toJson(t);
        const auto back = ProjectFile::fromJson(json.toUtf8());
        QVERIFY2(back, qPrintable(back ? QString() : back.error().message));
        QCOMPARE(*back, t);
        QCOMPARE(ProjectFile::toJson(*back), json);
        QVERIFY(json.startsWith(u"{\n  \"format\": \"meshpad\",\n  \"version\": 1,"));
    }

    void externalIsWrittenOnlyWhenSet()
    {
        // A design without external services keeps the bytes it always had.
        Topology t = *ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
        QVERIFY(!ProjectFile::toJson(t).contains(u"\"external\""));

        t.services[1].external = true;
        const QString json = ProjectFile::toJson(t);
        QCOMPARE(json.count(u"\"external\": true"), 1);
        const auto back = ProjectFile::fromJson(json.toUtf8());
        QVERIFY(back);
        QVERIFY(back->services[1].external);
        QVERIFY(!back->services[0].external);
    }

    void saveIsAtomicAndReportsFailure()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"design.meshpad"_qs);
        const auto t = ProjectFile::load(examplePath());
        QVERIFY(t);
        QVERIFY(ProjectFile::save(*t, path));
        QCOMPARE(readAll(path), readAll(examplePath()));
        // Only the file itself remains: QSaveFile's temporary is gone.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{u"design.meshpad"_qs});

        const auto bad = ProjectFile::save(*t, dir.filePath(u"no/such/dir/x.meshpad"_qs));
        QVERIFY(!bad);
        QVERIFY(bad.error().code == mesh::Error::Code::Io);
        QVERIFY(bad.error().message.contains(u"no/such/dir"));
    }

    void malformedFilesAreRefusedWithWhere_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");

        const QByteArray good = readAll(examplePath());
        auto replace = [&](const char *from, const char *to) {
            QByteArray copy = good;
            const qsizetype at = copy.indexOf(from);
            Q_ASSERT(at >= 0);
            return copy.replace(at, qsizetype(strlen(from)), to);
        };
        QTest::newRow("empty file") << QByteArray() << u"line 1, column 1"_qs;
        QTest::newRow("truncated") << good.left(good.size() / 2) << u"line "_qs;
        QTest::newRow("missing comma, line 3")
            << QByteArray("{\n  \"format\": \"meshpad\",\n  \"version\": 1\n  \"name\": \"x\"\n}")
            << u"line 4, column "_qs;
        QTest::newRow("not an object") << QByteArray("[1, 2]") << u"JSON object"_qs;
        QTest::newRow("other format") << QByteArray(R"({"format": "kanvas", "version": 1})") << u"not a Meshpad"_qs;
        QTest::newRow("future version") << replace("\"version\": 1", "\"version\": 7") << u"newer Meshpad"_qs;
        QTest::newRow("version as string")
            << replace("\"version\": 1", "\"version\": \"1\"") << u"version: expected a number, got a string"_qs;
        QTest::newRow("count as string") << replace("\"count\": 3", "\"count\": \"3\"")
                                         << u"services[1].count: expected a number, got a string"_qs;
        QTest::newRow("fractional count")
            << replace("\"count\": 3", "\"count\": 2.5") << u"services[1].count: expected a whole number"_qs;
        QTest::newRow("absurd count") << replace("\"count\": 3", "\"count\": 1e300") << u"services[1].count"_qs;
        QTest::newRow("absurd port") << replace("\"localBindPort\": 8080", "\"localBindPort\": 99999999999")
                                     << u"upstreams[0].localBindPort"_qs;
        QTest::newRow("absurd position") << replace("\"x\": 400", "\"x\": 1e308") << u"services[1].position.x"_qs;
        QTest::newRow("unknown driver") << replace("\"driver\": \"exec\"", "\"driver\": \"java\"")
                                        << u"services[0].driver: \"java\" is not one of"_qs;
        QTest::newRow("unknown field") << replace("\"sidecar\": true", "\"sidecar\": true, \"sidcar\": false")
                                       << u"services[0].sidcar: unknown field"_qs;
        QTest::newRow("env not a list") << replace("\"env\": [", "\"env\": {\"x\": [") << u"line"_qs;
        QTest::newRow("env entry wrong type") << replace("\"value\": \"9001\"", "\"value\": 9001")
                                              << u"services[1].env[0].value: expected a string, got a number"_qs;
        QTest::newRow("duplicate service id") << replace("\"id\": \"count-api\"", "\"id\": \"count-dashboard\"")
                                              << u"services[1].id: \"count-dashboard\" is used by another service"_qs;
        QTest::newRow("empty service id") << replace("\"id\": \"count-api\"", "\"id\": \"\"") << u"services[1].id"_qs;
        QTest::newRow("services not a list") << QByteArray(R"({"format": "meshpad", "version": 1, "services": {}})")
                                             << u"services: expected a list, got an object"_qs;
        QTest::newRow("service not an object") << QByteArray(R"({"format": "meshpad", "version": 1, "services": [3]})")
                                               << u"services[0]: expected an object, got a number"_qs;
    }

    void malformedFilesAreRefusedWithWhere()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const auto t = ProjectFile::fromJson(json);
        QVERIFY2(!t, "a malformed file loaded");
        QVERIFY2(t.error().message.contains(expected),
                 qPrintable(u"message: "_qs + t.error().message + u"\nexpected to contain: "_qs + expected));
    }

    // Strict JSON (RFC 8259 §7, §8) where QJsonDocument is lenient: raw
    // controls in strings, escapes of lone surrogates and invalid UTF-8 are
    // refused with where they are; nothing loads.
    void textStrictJsonRefusesIsRefused_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");

        QTest::newRow("raw NUL in a name") << withName(QByteArray("we\0b", 4))
                                           << u"line 3, column 12: raw control character U+0000 (NUL) inside a string; "
                                              "write it as \\u0000 or remove it"_qs;
        QTest::newRow("raw ESC clearing the screen") << withName("web\x1b[2J")
                                                     << u"line 3, column 13: raw control character U+001B (ESC) "
                                                        "inside a string; write it as \\u001b or remove it"_qs;
        QTest::newRow("raw newline in a name") << withName("web\nx")
                                               << u"line 3, column 13: raw control character U+000A (LF) inside a "
                                                  "string; write it as \\n or remove it"_qs;
        QTest::newRow("raw tab in a name") << withName("a\tb")
                                           << u"line 3, column 11: raw control character U+0009 "
                                              "(TAB) inside a string; write it as \\t"_qs;
        QTest::newRow("raw ESC in a key") << QByteArray("{\"form\x1b"
                                                        "at\": 1}")
                                          << u"line 1, column 7: raw control"_qs;
        QTest::newRow("raw control after an escaped quote")
            << withName("say \\\"hi\x07") << u"line 3, column 18: raw control character U+0007 (BEL)"_qs;
        QTest::newRow("column counts characters, not bytes")
            << withName("café\x1b") << u"line 3, column 14: raw control character U+001B"_qs;
        QTest::newRow("lone high surrogate escape") << withName("x\\ud800y")
                                                    << u"line 3, column 11: lone surrogate \\ud800: a high surrogate "
                                                       "must be followed by a low one"_qs;
        QTest::newRow("high surrogate escape followed by another high one")
            << withName("\\ud83d\\ud83d") << u"line 3, column 10: lone surrogate \\ud83d"_qs;
        QTest::newRow("high surrogate escape at the end of the string")
            << withName("\\uD800") << u"line 3, column 10: lone surrogate \\ud800"_qs;
        QTest::newRow("lone low surrogate escape")
            << withName("ab\\udc00") << u"line 3, column 12: lone surrogate \\udc00: a low surrogate must follow"_qs;
        QTest::newRow("invalid UTF-8: C3 then an ASCII byte")
            << withName("a\xc3\x28") << u"line 3, column 11: invalid UTF-8 (bytes 0xC3, then 0x28)"_qs;
        QTest::newRow("invalid UTF-8: overlong slash C0 AF")
            << withName("\xc0\xaf") << u"line 3, column 10: invalid UTF-8 (bytes 0xC0 0xAF, an overlong form)"_qs;
        QTest::newRow("invalid UTF-8: encoded surrogate ED A0 80")
            << withName("\xed\xa0\x80")
            << u"line 3, column 10: invalid UTF-8 (bytes 0xED 0xA0 0x80, an overlong form, a surrogate"_qs;
        QTest::newRow("invalid UTF-8: stray continuation byte")
            << withName("ok\x80") << u"line 3, column 12: invalid UTF-8 (bytes 0x80, a continuation byte"_qs;
        QTest::newRow("invalid UTF-8: sequence cut off at the end of the file")
            << QByteArray("{\"name\": \"\xe2\x82")
            << u"line 1, column 11: invalid UTF-8 (bytes 0xE2 0x82, cut off at "
               "the end of the file)"_qs;
        QTest::newRow("invalid UTF-8 outside a string")
            << QByteArray("{\"format\": \"meshpad\",\xff \"version\": 1}") << u"line 1, column 22: invalid UTF-8"_qs;
        QTest::newRow("control character between tokens")
            << QByteArray("{\"format\": \"meshpad\",\x0b \"version\": 1}")
            << u"line 1, column 22: control character U+000B (VT) outside a string"_qs;
        QTest::newRow("earlier syntax error is reported first")
            << QByteArray("{\"format\" \"meshpad\",\n\"name\": \"\x1b\"}") << u"line 1, column "_qs;
    }

    void textStrictJsonRefusesIsRefused()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const auto t = ProjectFile::fromJson(json);
        QVERIFY2(!t, "a file strict JSON refuses loaded");
        QVERIFY(t.error().code == mesh::Error::Code::Parse);
        QVERIFY2(t.error().message.contains(expected),
                 qPrintable(u"message: "_qs + t.error().message + u"\nexpected to contain: "_qs + expected));

        // Through load(): the path is named, and a caller's design stays
        // as it was (all-or-nothing).
        QTemporaryDir dir;
        const QString path = dir.filePath(u"hostile.meshpad"_qs);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(json);
        f.close();
        TopologyModel model;
        const auto good = ProjectFile::load(examplePath());
        QVERIFY(good);
        model.setTopology(*good);
        const auto loaded = ProjectFile::load(path);
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().message.startsWith(path + u": "), qPrintable(loaded.error().message));
        QVERIFY(loaded.error().message.contains(expected));
        if (loaded)
            model.setTopology(*loaded);
        QCOMPARE(model.topology(), *good);
    }

    void textStrictJsonAllows_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("name");

        QTest::newRow("escaped ESC loads (the validator judges names)")
            << withName("web\\u001b[2J") << u"web\x1b[2J"_qs;
        QTest::newRow("escaped NUL loads") << withName("a\\u0000b") << QString(u"a" + QString(QChar(0)) + u"b");
        QTest::newRow("escaped newline and tab load") << withName("a\\n\\tb") << u"a\n\tb"_qs;
        QTest::newRow("surrogate pair escape is one emoji") << withName("\\ud83d\\ude00") << QString::fromUtf8("😀");
        QTest::newRow("upper-case surrogate pair escape") << withName("\\uD83D\\uDE80") << QString::fromUtf8("🚀");
        QTest::newRow("raw UTF-8: two, three and four bytes")
            << withName("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80") << QString::fromUtf8("café → 😀");
        QTest::newRow("raw DEL is legal JSON") << withName("a\x7f") << u"a\x7f"_qs;
        QTest::newRow("escaped backslash before u is not an escape") << withName("\\\\ud800") << uR"(\ud800)"_qs;
        QTest::newRow("raw tab, CR and LF between tokens")
            << QByteArray("{\t\"format\":\r\n\"meshpad\",\n\t\"version\": 1,\r\n"
                          "\"services\": [{\"id\": \"s\", \"name\":\t\"x\"}]\n}\n")
            << u"x"_qs;
    }

    void textStrictJsonAllows()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, name);
        const auto t = ProjectFile::fromJson(json);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().message));
        QCOMPARE(t->services.size(), 1);
        QCOMPARE(t->services.first().name, name);
    }

    void duplicateUpstreamIdIsRefused()
    {
        QByteArray json = readAll(examplePath());
        const QByteArray arrow = R"({"id": "u", "from": "count-dashboard", "to": "count-api", "localBindPort": 8081})";
        json.replace("\"upstreams\": [", QByteArray("\"upstreams\": [" + arrow + ", " + arrow + ", "));
        const auto t = ProjectFile::fromJson(json);
        QVERIFY(!t);
        QVERIFY2(t.error().message.contains(u"upstreams[1].id"), qPrintable(t.error().message));
    }

    void hugeFileIsRefusedWithoutReadingIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"huge.meshpad"_qs);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(100LL * 1024 * 1024)); // sparse: 100 MB on paper, nothing on disk
        f.close();
        const auto t = ProjectFile::load(path);
        QVERIFY(!t);
        QVERIFY(t.error().code == mesh::Error::Code::TooLarge);
        QVERIFY2(t.error().message.contains(u"100 MB"), qPrintable(t.error().message));
    }

    void missingFileSaysWhich()
    {
        const auto t = ProjectFile::load(u"/nonexistent/dir/design.meshpad"_qs);
        QVERIFY(!t);
        QVERIFY(t.error().code == mesh::Error::Code::Io);
        QVERIFY(t.error().message.contains(u"/nonexistent/dir/design.meshpad"));
    }

    void failedLoadChangesNothingLoaded()
    {
        // The pattern every caller follows: load into a Result, replace the
        // model only on success. A broken file leaves the design as it was.
        TopologyModel model;
        const auto good = ProjectFile::load(examplePath());
        QVERIFY(good);
        model.setTopology(*good);
        const Topology before = model.topology();
        const auto bad
            = ProjectFile::fromJson("{\"format\": \"meshpad\", \"version\": 1, \"services\": [{\"id\": 1}]}");
        QVERIFY(!bad);
        if (bad)
            model.setTopology(*bad);
        QCOMPARE(model.topology(), before);
    }

    void missingOptionalFieldsTakeDefaults()
    {
        const auto t = ProjectFile::fromJson(R"({"format": "meshpad", "version": 1,
            "services": [{"id": "s", "name": "web"}]})");
        QVERIFY2(t, qPrintable(t ? QString() : t.error().message));
        QCOMPARE(t->settings.datacenter, u"dc1");
        const Service &s = t->services.first();
        QCOMPARE(s.count, 1);
        QVERIFY(s.driver == Driver::Exec);
        QVERIFY(s.networkMode == NetworkMode::Bridge);
        QVERIFY(s.connectSidecar);
        QVERIFY(s.check.kind == CheckKind::None);
    }
};

QTEST_GUILESS_MAIN(TestProjectFile)
#include "tst_projectfile.moc"
