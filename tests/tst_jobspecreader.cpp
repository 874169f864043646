// JobspecReader: HCL2 jobspecs read as Nomad's jobspec2 reads them, into the
// job in the HTTP API's JSON form.
//
// "As jobspec2 reads them" is checked four ways:
// - the repository's jobs/*.nomad.hcl and every job Meshpad generates mean
//   what their JSON bodies say (through the normal form of
//   tests/tools/nomad-hcl-to-api.mjs: defaults explicit, order of groups and
//   ports ignored);
// - tests/data/jobspecs/*.nomad.hcl against HashiCorp's own HCL parser,
//   mapped by tests/tools/nomad-hcl-to-api.mjs, where that tool supports the
//   file, and against the job jobspec2 makes of it (NAME.api.json, written
//   from hashicorp/nomad jobspec2/*.go) where it does not;
// - every row of the mapping table (mesh/nomad/jobspecschema.cpp) lands
//   under its API name with the API's type (the lab's Go decoder of
//   api-schemas/nomad.json checks each result), and jobspec2's own rules
//   (ports, constraints, env as a map, templates, vault, tasks outside a
//   group) each have a row;
// - variables, locals, -var, var-files, and errors with FILE:LINE:COLUMN.
#include "apischemachecker.h"
#include "generate/nomadjobgenerator.h"
#include "model/projectfile.h"
#include "nomad/jobspecreader.h"
#include "nomad/jobspecschema_p.h"
#include "nomadhcltoapi.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

using namespace mesh;
using namespace mesh::nomad;
using namespace Qt::StringLiterals;

namespace {

const QString kTestData = QStringLiteral(MESHPAD_TEST_DATA);
const QString kSource = QStringLiteral(MESHPAD_SOURCE_DIR);

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonValue parseJson(const QByteArray &text)
{
    // Scalars too: wrapped in an array, then unwrapped.
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]");
    return doc.array().at(0);
}

QString pretty(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson());
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson());
    const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

// `a.b.0.c`: object keys and array indexes.
QJsonValue at(QJsonValue value, const QString &path)
{
    for (const QString &step : path.split(u'.')) {
        bool index = false;
        const int i = step.toInt(&index);
        value = index && value.isArray() ? value.toArray().at(i) : value.toObject().value(step);
    }
    return value;
}

// ---- the normal form of tests/tools/nomad-hcl-to-api.mjs --------------------

QJsonValue prune(const QJsonValue &v)
{
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue &item : v.toArray()) {
            const QJsonValue p = prune(item);
            if (!p.isUndefined())
                out.append(p);
        }
        return out.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(out);
    }
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QJsonValue p = prune(it.value());
            if (!p.isUndefined())
                out.insert(it.key(), p);
        }
        return out.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(out);
    }
    if (v.isNull() || v.isUndefined() || (v.isBool() && !v.toBool()))
        return QJsonValue(QJsonValue::Undefined);
    return v;
}

QJsonArray sortedBy(const QJsonArray &list, QStringView key)
{
    QList<QJsonValue> items(list.begin(), list.end());
    std::stable_sort(items.begin(), items.end(), [&](const QJsonValue &a, const QJsonValue &b) {
        return a.toObject().value(key).toString() < b.toObject().value(key).toString();
    });
    QJsonArray out;
    for (const QJsonValue &v : items)
        out.append(v);
    return out;
}

template<class F>
QJsonArray mapped(const QJsonArray &list, F f)
{
    QJsonArray out;
    for (const QJsonValue &v : list)
        out.append(f(v.toObject()));
    return out;
}

QJsonObject normalForm(QJsonObject job)
{
    if (!job.contains(u"Name"))
        job.insert(u"Name", job.value(u"ID"));
    if (!job.contains(u"Type"))
        job.insert(u"Type", u"service"_s);
    const QJsonArray groups = mapped(job.value(u"TaskGroups").toArray(), [](QJsonObject g) {
        if (!g.contains(u"Count"))
            g.insert(u"Count", 1);
        g.insert(u"Networks", mapped(g.value(u"Networks").toArray(), [](QJsonObject n) {
                     if (!n.contains(u"Mode"))
                         n.insert(u"Mode", u"host"_s);
                     for (const QStringView key : {u"ReservedPorts", u"DynamicPorts"}) {
                         const QJsonArray ports = mapped(n.value(key).toArray(), [](QJsonObject p) {
                             if (!p.contains(u"Value"))
                                 p.insert(u"Value", 0);
                             if (!p.contains(u"To"))
                                 p.insert(u"To", 0);
                             return p;
                         });
                         n.insert(key.toString(), sortedBy(ports, u"Label"));
                     }
                     return n;
                 }));
        g.insert(u"Services", mapped(g.value(u"Services").toArray(), [](QJsonObject s) {
                     if (s.contains(u"Connect")) {
                         QJsonObject connect = s.value(u"Connect").toObject();
                         if (connect.contains(u"SidecarService")
                             && prune(connect.value(u"SidecarService")).isUndefined())
                             connect.insert(u"SidecarService", QJsonObject{{u"present"_s, true}});
                         if (prune(connect).isUndefined())
                             connect = QJsonObject{{u"present"_s, true}};
                         s.insert(u"Connect", connect);
                     }
                     return s;
                 }));
        g.insert(u"Tasks", sortedBy(mapped(g.value(u"Tasks").toArray(),
                                           [](QJsonObject t) {
                                               for (const QStringView key : {u"Env", u"Meta"}) {
                                                   if (!t.contains(key))
                                                       continue;
                                                   QJsonObject map = t.value(key).toObject();
                                                   for (auto it = map.begin(); it != map.end(); ++it) {
                                                       if (!it.value().isString())
                                                           *it = QString::number(it.value().toDouble());
                                                   }
                                                   t.insert(key.toString(), map);
                                               }
                                               return t;
                                           }),
                                    u"Name"));
        return g;
    });
    job.insert(u"TaskGroups", sortedBy(groups, u"Name"));
    return prune(QJsonObject{{u"Job"_s, job}}).toObject();
}

// ---- reading ----------------------------------------------------------------

struct Read
{
    QJsonObject job;
    QString error;
};

Read readJobspec(const QByteArray &hcl, const JobspecReader::Options &options = {})
{
    const Result<QJsonObject> r = JobspecReader::read(hcl, options);
    return r ? Read{*r, {}} : Read{{}, r.error().message};
}

// A job with `body` inside `job "j" { … }`.
QByteArray jobWith(const QByteArray &body)
{
    return "job \"j\" {\n" + body + "\n}\n";
}

const QString kTaskPath = u"TaskGroups.0.Tasks.0"_s;

} // namespace

class TestJobspecReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void repositoryJobs_data();
    void repositoryJobs();
    void generatedJobs_data();
    void generatedJobs();
    void exampleProjects_data();
    void exampleProjects();
    void differential_data();
    void differential();

    void tableMatchesApiSchema();
    void everyTableRowIsRead_data();
    void everyTableRowIsRead();
    void jobspec2Rules_data();
    void jobspec2Rules();

    void variables_data();
    void variables();
    void errors_data();
    void errors();

private:
    std::optional<meshtest::ApiSchemaChecker> m_checker;
    QJsonObject m_mapped; // file -> normal form, from one run of the mapper
    QString m_mapperError;
};

void TestJobspecReader::initTestCase()
{
    QString error;
    m_checker = meshtest::ApiSchemaChecker::load(kTestData + u"/api-schemas/nomad.json", &error);
    QVERIFY2(m_checker, qPrintable(error));

    // One run of node for every jobspec: starting it and the parser's
    // WebAssembly is the slow part.
    QStringList files;
    for (const QString &name : QDir(kTestData + u"/jobspecs"_s).entryList({u"*.nomad.hcl"_s}, QDir::Files))
        files.append(kTestData + u"/jobspecs/"_s + name);
    const auto mapped = meshtest::nomadHclToApi(files);
    if (!mapped) {
        m_mapperError = mapped.error();
        return;
    }
    m_mapped = *mapped;
}

// ---- whole jobs ---------------------------------------------------------------

void TestJobspecReader::repositoryJobs_data()
{
    QTest::addColumn<QString>("stem");
    QTest::newRow("countdash counter") << kSource + u"/jobs/counter"_s;
    QTest::newRow("countdash dashboard") << kSource + u"/jobs/dashboard"_s;
    QTest::newRow("seed counter (the blog's file)") << kTestData + u"/seed/counter"_s;
    QTest::newRow("seed dashboard (the blog's file)") << kTestData + u"/seed/dashboard"_s;
}

// The jobs the README runs: the HCL and the JSON body are the same job.
void TestJobspecReader::repositoryJobs()
{
    QFETCH(QString, stem);
    const QString hclPath
        = QFile::exists(stem + u".nomad.hcl") ? QString(stem + u".nomad.hcl") : QString(stem + u".nomad");
    const QString jsonPath = kSource + u"/jobs/"_s + QFileInfo(stem).fileName() + u".json";
    JobspecReader::Options options;
    options.fileName = hclPath;
    const Read r = readJobspec(readFile(hclPath), options);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QJsonObject expected = QJsonDocument::fromJson(readFile(jsonPath)).object();
    QVERIFY(!expected.isEmpty());
    const QJsonObject ours = normalForm(r.job);
    QVERIFY2(ours == normalForm(expected.value(u"Job").toObject()),
             qPrintable(u"read:\n"_s + pretty(ours) + u"\nexpected:\n"
                        + pretty(normalForm(expected.value(u"Job").toObject()))));
    const QStringList problems = m_checker->check(QJsonObject{{u"Job"_s, r.job}}, u"nomad-job");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

void TestJobspecReader::generatedJobs_data()
{
    QTest::addColumn<QString>("hclPath");
    QTest::addColumn<QString>("jsonPath");
    // NomadJobGenerator's golden files: every scenario of
    // tst_nomadjobgenerator (escaping, hostile interpolations, static ports,
    // checks, tags and meta, mapped labels, an invalid design).
    const QDir scenarios(kTestData + u"/nomad"_s);
    for (const QString &slug : scenarios.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QDir dir(scenarios.filePath(slug));
        for (const QString &file : dir.entryList({u"*.nomad.hcl"_s}, QDir::Files)) {
            const QString stem = QString(file).remove(u".nomad.hcl"_s);
            QTest::newRow(qPrintable(slug + u'/' + file)) << dir.filePath(file) << dir.filePath(stem + u".json");
        }
    }
}

// What Meshpad writes, Meshpad reads back: each generated jobspec means the
// generated JSON body.
void TestJobspecReader::generatedJobs()
{
    QFETCH(QString, hclPath);
    QFETCH(QString, jsonPath);
    JobspecReader::Options options;
    options.fileName = QFileInfo(hclPath).fileName();
    const QByteArray hcl = readFile(hclPath);
    QVERIFY(!hcl.isEmpty());
    const Read r = readJobspec(hcl, options);
    // jobspec2 takes `meta = { … }` only for the job, groups and tasks
    // (hcl_conversions.go decodeAsAttribute); a service's meta is a block
    // (api/services.go `hcl:"meta,block"`), so Nomad refuses the map form
    // the generator writes for a key that is no identifier.
    QEXPECT_FAIL("tags-meta-resources/search.nomad.hcl",
                 "NomadJobGenerator writes a service's meta as a map, which jobspec2 refuses", Abort);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QJsonObject body = QJsonDocument::fromJson(readFile(jsonPath)).object();
    QVERIFY(!body.isEmpty());
    QCOMPARE(normalForm(r.job), normalForm(body.value(u"Job").toObject()));
}

void TestJobspecReader::exampleProjects_data()
{
    QTest::addColumn<QString>("project");
    QTest::addColumn<QString>("job");
    const QDir examples(kSource + u"/resources/examples"_s);
    for (const QString &file : examples.entryList({u"*.meshpad"_s}, QDir::Files)) {
        const Result<model::Topology> topology = model::ProjectFile::load(examples.filePath(file));
        QVERIFY2(topology, qPrintable(file));
        for (const QString &job : topology->jobNames())
            QTest::newRow(qPrintable(file + u": " + job)) << examples.filePath(file) << job;
    }
}

// The example projects as the generator writes them today (the goldens
// above may lag until regenerated).
void TestJobspecReader::exampleProjects()
{
    QFETCH(QString, project);
    QFETCH(QString, job);
    const Result<model::Topology> topology = model::ProjectFile::load(project);
    QVERIFY(topology);
    const model::TopologyIndex index(*topology);
    const QString hcl = generate::NomadJobGenerator::hcl(index, job);
    const QJsonObject body = QJsonDocument::fromJson(generate::NomadJobGenerator::json(index, job).toUtf8()).object();
    const Read r = readJobspec(hcl.toUtf8());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error + u"\n" + hcl));
    QCOMPARE(normalForm(r.job), normalForm(body.value(u"Job").toObject()));
}

void TestJobspecReader::differential_data()
{
    QTest::addColumn<QString>("path");
    for (const QString &name : QDir(kTestData + u"/jobspecs"_s).entryList({u"*.nomad.hcl"_s}, QDir::Files))
        QTest::newRow(qPrintable(name)) << kTestData + u"/jobspecs/"_s + name;
}

// Against HashiCorp's parser where nomad-hcl-to-api.mjs maps the file, else
// against the job jobspec2 makes of it (NAME.api.json) — and then the tool
// must say why it cannot, so that a file it learns to read is compared.
void TestJobspecReader::differential()
{
    QFETCH(QString, path);
    if (!m_mapperError.isEmpty())
        QFAIL(qPrintable(m_mapperError));
    JobspecReader::Options options;
    options.fileName = QFileInfo(path).fileName();
    const Read r = readJobspec(readFile(path), options);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QStringList problems = m_checker->check(QJsonObject{{u"Job"_s, r.job}}, u"nomad-job");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));

    const QJsonObject tool = m_mapped.value(path).toObject();
    QVERIFY2(!tool.isEmpty(), qPrintable(u"the mapper said nothing of "_s + path));
    const QString golden = QString(path).replace(u".nomad.hcl"_s, u".api.json"_s);
    if (tool.contains(u"error")) {
        QVERIFY2(tool.value(u"error").toString().contains(u"unsupported key"),
                 qPrintable(u"HashiCorp's parser refused the file: "_s + tool.value(u"error").toString()));
        QVERIFY2(QFile::exists(golden), qPrintable(u"the mapper cannot read it ("_s + tool.value(u"error").toString()
                                                   + u"), so it needs "_s + golden));
        const QJsonObject expected = QJsonDocument::fromJson(readFile(golden)).object();
        QVERIFY2(r.job == expected,
                 qPrintable(u"read:\n"_s + pretty(r.job) + u"\njobspec2 makes:\n" + pretty(expected)));
        return;
    }
    QVERIFY2(!QFile::exists(golden), "the mapper reads this file: compare with it, delete the golden");
    QVERIFY2(normalForm(r.job) == tool,
             qPrintable(u"read:\n"_s + pretty(normalForm(r.job)) + u"\nHashiCorp's parser:\n" + pretty(tool)));
}

// ---- the mapping table -----------------------------------------------------------

namespace {

QString schemaTypeOf(const jobspec::Field &f)
{
    using K = jobspec::Kind;
    switch (f.kind) {
    case K::String: return u"string"_s;
    case K::Int:
    case K::Int8: return u"int"_s;
    case K::Uint:
    case K::Uint8:
    case K::Uint16: return u"uint"_s;
    case K::Bool: return u"bool"_s;
    case K::Duration: return u"duration-ns"_s;
    case K::StringList: return u"list of string"_s;
    case K::Uint16List: return u"list of uint"_s;
    case K::Block: return f.spec->apiStruct.toString();
    case K::BlockList:
    case K::TaskScaling: return u"list of "_s + f.spec->apiStruct.toString();
    case K::LabelledMap: return u"map of string to "_s + f.spec->apiStruct.toString();
    case K::StringMap:
    case K::StringMapOrAttribute: return u"map of string to string"_s;
    case K::StringListMap: return u"map of string to list of string"_s;
    case K::AnyMap: return u"map of string to any"_s;
    }
    return {};
}

// How to reach each struct of the table from the job: the fields in order.
QHash<const jobspec::StructSpec *, QList<const jobspec::Field *>> pathsFromJob()
{
    QHash<const jobspec::StructSpec *, QList<const jobspec::Field *>> paths;
    paths.insert(&jobspec::jobSpec(), {});
    QList<const jobspec::StructSpec *> queue{&jobspec::jobSpec()};
    while (!queue.isEmpty()) {
        const jobspec::StructSpec *spec = queue.takeFirst();
        for (const jobspec::Field &f : spec->fields) {
            if (!f.spec || f.json.isEmpty() || paths.contains(f.spec))
                continue;
            QList<const jobspec::Field *> path = paths.value(spec);
            path.append(&f);
            paths.insert(f.spec, path);
            queue.append(f.spec);
        }
    }
    return paths;
}

} // namespace

// Every JSON name of the table is a field of its api struct with the type
// the reader writes (tests/data/api-schemas/nomad.json).
void TestJobspecReader::tableMatchesApiSchema()
{
    const QJsonObject structs = QJsonDocument::fromJson(readFile(kTestData + u"/api-schemas/nomad.json"_s))
                                    .object()
                                    .value(u"structs")
                                    .toObject();
    QVERIFY(!structs.isEmpty());
    int checked = 0;
    for (const jobspec::StructSpec *spec : jobspec::allSpecs()) {
        if (spec == &jobspec::constraintSpec() || spec == &jobspec::affinitySpec())
            continue; // jobspec2's own decoders: jobspec2Rules
        const QString structName = spec->apiStruct.toString();
        QJsonObject fields;
        for (const QJsonValue &f : structs.value(structName).toObject().value(u"fields").toArray())
            fields.insert(f.toObject().value(u"json").toString(), f.toObject().value(u"type"));
        QVERIFY2(structs.contains(structName), qPrintable(structName));
        if (!spec->labelJson.isEmpty())
            QCOMPARE(fields.value(spec->labelJson.toString()).toString(), u"string"_s);
        for (const jobspec::Field &f : spec->fields) {
            if (f.json.isEmpty())
                continue;
            const QString where
                = spec->block.toString() + u'.' + f.hcl.toString() + u" → " + structName + u'.' + f.json.toString();
            QVERIFY2(fields.contains(f.json.toString()), qPrintable(where + u": no such field"));
            QVERIFY2(fields.value(f.json.toString()).toString() == schemaTypeOf(f),
                     qPrintable(where + u": the API has " + fields.value(f.json.toString()).toString()
                                + u", the reader writes " + schemaTypeOf(f)));
            ++checked;
        }
    }
    QVERIFY(checked > 200);
}

void TestJobspecReader::everyTableRowIsRead_data()
{
    using K = jobspec::Kind;
    QTest::addColumn<QByteArray>("hcl");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("expected"); // JSON; empty: only that the key is there

    const auto paths = pathsFromJob();
    for (const jobspec::StructSpec *spec : jobspec::allSpecs()) {
        if (!paths.contains(spec) || spec == &jobspec::constraintSpec() || spec == &jobspec::affinitySpec())
            continue;
        const QList<const jobspec::Field *> route = paths.value(spec);
        for (const jobspec::Field &field : spec->fields) {
            if (field.json.isEmpty())
                continue;
            // Arguments a block cannot be without.
            const auto required = [&](const jobspec::StructSpec &inner, bool groupScaling) {
                QByteArray out;
                for (const jobspec::Field &r : inner.fields) {
                    if (r.required && r.hcl != field.hcl)
                        out += r.hcl.toUtf8() + (r.kind == K::Duration ? " = \"1s\"\n" : " = true\n");
                }
                if (groupScaling && field.hcl != u"max")
                    out += "max = 10\n"; // a group's scaling needs one
                return out;
            };
            QByteArray open, close, name = "job";
            QString jsonPath;
            for (const jobspec::Field *step : route) {
                name += '.' + step->hcl.toUtf8();
                QByteArray header = step->hcl.toUtf8();
                if (step->kind == K::TaskScaling)
                    header += " \"cpu\"";
                else if (step->kind == K::LabelledMap || !step->spec->labelJson.isEmpty())
                    header += " \"l\"";
                open += header + " {\n"
                        + required(*step->spec, step->spec->block == u"scaling" && step->kind == K::Block);
                close += "}\n";
                jsonPath += (jsonPath.isEmpty() ? u""_s : u"."_s) + step->json.toString()
                            + (step->kind == K::LabelledMap ? u".l"_s
                               : step->kind == K::Block     ? u""_s
                                                            : u".0"_s);
            }
            QByteArray assignment, expected;
            QString key = field.json.toString();
            switch (field.kind) {
            case K::String:
                assignment = field.hcl.toUtf8() + " = \"text\"";
                expected = "\"text\"";
                if (spec->block == u"scaling" && field.hcl == u"type") {
                    const bool group = route.last()->kind == K::Block;
                    assignment = group ? "type = \"horizontal\"" : "type = \"vertical_cpu\"";
                    expected = group ? "\"horizontal\"" : "\"vertical_cpu\"";
                }
                break;
            case K::Int:
                assignment = field.hcl.toUtf8() + " = 7";
                expected = "7";
                break;
            case K::Uint:
                assignment = field.hcl.toUtf8() + " = 7";
                expected = "7";
                break;
            case K::Int8:
                assignment = field.hcl.toUtf8() + " = -3";
                expected = "-3";
                break;
            case K::Uint8:
                assignment = field.hcl.toUtf8() + " = 9";
                expected = "9";
                break;
            case K::Uint16:
                assignment = field.hcl.toUtf8() + " = 8080";
                expected = "8080";
                break;
            case K::Bool:
                assignment = field.hcl.toUtf8() + " = true";
                expected = "true";
                break;
            case K::Duration:
                assignment = field.hcl.toUtf8() + " = \"1m30s\"";
                expected = "90000000000";
                break;
            case K::StringList:
                assignment = field.hcl.toUtf8() + " = [\"a\", 2]";
                expected = "[\"a\", \"2\"]";
                break;
            case K::Uint16List:
                assignment = field.hcl.toUtf8() + " = [1, \"2\"]";
                expected = "[1, 2]";
                break;
            case K::StringMap:
                assignment = field.hcl.toUtf8() + " {\nk = 1\n}";
                expected = "{\"k\": \"1\"}";
                break;
            case K::StringMapOrAttribute:
                assignment = field.hcl.toUtf8() + " {\nk = 1\n}";
                expected = "{\"k\": \"1\"}";
                QTest::newRow(QByteArray(name + '.' + field.hcl.toUtf8() + " (as a map)").constData())
                    << open + field.hcl.toUtf8() + " = { \"a.b\" = true }\n" + close
                    << jsonPath + (jsonPath.isEmpty() ? u""_s : u"."_s) + key << QByteArray("{\"a.b\": \"true\"}");
                break;
            case K::StringListMap:
                assignment = field.hcl.toUtf8() + " {\nk = [\"v\", 1]\n}";
                expected = "{\"k\": [\"v\", \"1\"]}";
                break;
            case K::AnyMap:
                assignment = field.hcl.toUtf8() + " {\nk = 1\nnested {\nx = [true]\n}\n}";
                expected = "{\"k\": 1, \"nested\": [{\"x\": [true]}]}";
                break;
            case K::Block:
                assignment = field.hcl.toUtf8() + " {\n" + required(*field.spec, field.spec->block == u"scaling") + "}";
                break;
            case K::BlockList:
            case K::LabelledMap:
                assignment
                    = field.hcl.toUtf8()
                      + (field.spec->labelJson.isEmpty() && field.kind == K::BlockList ? QByteArray(" {}")
                                                                                       : QByteArray(" \"l\" {}"));
                break;
            case K::TaskScaling:
                assignment = field.hcl.toUtf8() + " \"mem\" {}";
                expected = "[{\"Type\": \"vertical_mem\"}]";
                break;
            }
            // A static port is reserved (jobspec2's normalizeNetworkPorts).
            QString fieldPath = jsonPath;
            if (spec->block == u"port" && field.hcl == u"static")
                fieldPath.replace(u"DynamicPorts"_s, u"ReservedPorts"_s);
            QTest::newRow(QByteArray(name + '.' + field.hcl.toUtf8()).constData())
                << open + assignment + "\n" + close << fieldPath + (fieldPath.isEmpty() ? u""_s : u"."_s) + key
                << expected;
        }
    }
}

// One row per row of the table: the argument or block, nested where it
// belongs, lands under its API name; the whole job passes the lab's Go
// decoder of api-schemas/nomad.json.
void TestJobspecReader::everyTableRowIsRead()
{
    QFETCH(QByteArray, hcl);
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);
    const Read r = readJobspec(jobWith(hcl));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error + u"\n" + QString::fromUtf8(hcl)));
    const QJsonValue value = at(r.job, path);
    QVERIFY2(!value.isUndefined(), qPrintable(path + u" missing in\n" + pretty(r.job)));
    if (!expected.isEmpty())
        QCOMPARE(pretty(value), pretty(parseJson(expected)));
    const QStringList problems = m_checker->check(QJsonObject{{u"Job"_s, r.job}}, u"nomad-job");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n') + u"\n" + pretty(r.job)));
}

void TestJobspecReader::jobspec2Rules_data()
{
    QTest::addColumn<QByteArray>("hcl");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray group = "group \"g\" {\n";
    const QByteArray task = "task \"t\" {\ndriver = \"exec\"\n";

    QTest::newRow("the job's label is its ID and Name") << QByteArray("") << u"ID"_s << QByteArray("\"j\"");
    QTest::newRow("Name defaults to the label") << QByteArray("") << u"Name"_s << QByteArray("\"j\"");
    QTest::newRow("an explicit name stays") << QByteArray("name = \"Pretty\"") << u"Name"_s << QByteArray("\"Pretty\"");
    QTest::newRow("an explicit id wins over the label")
        << QByteArray("id = \"other\"") << u"ID"_s << QByteArray("\"other\"");
    QTest::newRow("groups become TaskGroups named by label, in order")
        << QByteArray("group \"b\" {}\ngroup \"a\" {}") << u"TaskGroups"_s
        << QByteArray(R"([{"Name": "b"}, {"Name": "a"}])");
    QTest::newRow("a task outside any group is a group of its own, first")
        << QByteArray("group \"g\" {}\ntask \"solo\" {\ndriver = \"exec\"\n}") << u"TaskGroups"_s
        << QByteArray(R"([{"Name": "solo", "Tasks": [{"Name": "solo", "Driver": "exec"}]}, {"Name": "g"}])");
    QTest::newRow("count as a string converts")
        << group + "count = \"3\"\n}" << u"TaskGroups.0.Count"_s << QByteArray("3");
    QTest::newRow("port with static is reserved, Value = static")
        << group + "network {\nport \"http\" {\nstatic = 8080\nto = 80\n}\nport \"dyn\" {}\n}\n}"
        << u"TaskGroups.0.Networks.0"_s << QByteArray(R"({"ReservedPorts": [{"Label": "http", "Value": 8080, "To": 80}],
                          "DynamicPorts": [{"Label": "dyn", "Value": 0, "To": 0}]})");
    QTest::newRow("static = 0 stays dynamic")
        << group + "network {\nport \"http\" {\nstatic = 0\n}\n}\n}" << u"TaskGroups.0.Networks.0"_s
        << QByteArray(R"({"DynamicPorts": [{"Label": "http", "Value": 0, "To": 0}]})");
    QTest::newRow("a task's network ports are split too")
        << group + task + "resources {\nnetwork {\nport \"p\" {\nstatic = 22\n}\n}\n}\n}\n}"
        << kTaskPath + u".Resources.Networks.0"_s
        << QByteArray(R"({"ReservedPorts": [{"Label": "p", "Value": 22, "To": 0}]})");
    QTest::newRow("service port is PortLabel, a number as text")
        << group + "service {\nport = 9001\n}\n}" << u"TaskGroups.0.Services.0.PortLabel"_s << QByteArray("\"9001\"");
    QTest::newRow("sidecar_service {} is an empty object")
        << group + "service {\nconnect {\nsidecar_service {}\n}\n}\n}" << u"TaskGroups.0.Services.0.Connect"_s
        << QByteArray(R"({"SidecarService": {}})");
    QTest::newRow("upstreams blocks are Upstreams in order")
        << group
               + "service {\nconnect {\nsidecar_service {\nproxy {\n"
                 "upstreams {\ndestination_name = \"b\"\nlocal_bind_port = 2\n}\n"
                 "upstreams {\ndestination_name = \"a\"\nlocal_bind_port = 1\n}\n}\n}\n}\n}\n}"
        << u"TaskGroups.0.Services.0.Connect.SidecarService.Proxy.Upstreams"_s
        << QByteArray(
               R"([{"DestinationName": "b", "LocalBindPort": 2}, {"DestinationName": "a", "LocalBindPort": 1}])");
    QTest::newRow("check blocks are Checks, durations in nanoseconds")
        << group + "service {\ncheck {\ntype = \"http\"\ninterval = \"1500ms\"\ntimeout = 2000000000\n}\n}\n}"
        << u"TaskGroups.0.Services.0.Checks"_s
        << QByteArray(R"([{"Type": "http", "Interval": 1500000000, "Timeout": 2000000000}])");
    QTest::newRow("durations: hours, minutes and fractions")
        << group + "shutdown_delay = \"1h2m3.5s\"\n}" << u"TaskGroups.0.ShutdownDelay"_s << QByteArray("3723500000000");
    QTest::newRow("env values become strings")
        << group + task + "env {\nPORT = 9001\nDEBUG = true\nNAME = \"x\"\n}\n}\n}" << kTaskPath + u".Env"_s
        << QByteArray(R"({"PORT": "9001", "DEBUG": "true", "NAME": "x"})");
    QTest::newRow("env as a map takes keys a block cannot")
        << group + task + "env = {\n\"a.b\" = 1\nC = \"d\"\n}\n}\n}" << kTaskPath + u".Env"_s
        << QByteArray(R"({"a.b": "1", "C": "d"})");
    QTest::newRow("job meta as a map") << QByteArray("meta = {\nowner = \"team\"\n}") << u"Meta"_s
                                       << QByteArray(R"({"owner": "team"})");
    QTest::newRow("Nomad's runtime references stay text")
        << group + task
               + "env {\nA = \"${NOMAD_PORT_http}\"\nB = \"http://${NOMAD_UPSTREAM_ADDR_count_api}/x\"\n"
                 "C = \"${attr.unique.hostname}\"\nD = \"${node.datacenter}-${meta.rack}\"\n}\n}\n}"
        << kTaskPath + u".Env"_s
        << QByteArray(R"({"A": "${NOMAD_PORT_http}", "B": "http://${NOMAD_UPSTREAM_ADDR_count_api}/x",
                          "C": "${attr.unique.hostname}", "D": "${node.datacenter}-${meta.rack}"})");
    QTest::newRow("$${ is a literal ${") << group + task + "env {\nA = \"$${HOME}\"\n}\n}\n}" << kTaskPath + u".Env.A"_s
                                         << QByteArray("\"${HOME}\"");
    QTest::newRow("config: nested blocks are lists of objects, labels nest")
        << group + task
               + "config {\nimage = \"x\"\nport_map {\nhttp = 80\n}\nmount \"bind\" {\nsource = \"/a\"\n}\n}\n}\n}"
        << kTaskPath + u".Config"_s
        << QByteArray(R"({"image": "x", "port_map": [{"http": 80}], "mount": [{"bind": [{"source": "/a"}]}]})");
    QTest::newRow("config: an object value becomes a list of one object")
        << group + task + "config {\nlabels = {\na = \"b\"\n}\nargs = [\"-v\", 2]\nn = 1.5\n}\n}\n}"
        << kTaskPath + u".Config"_s << QByteArray(R"({"labels": [{"a": "b"}], "args": ["-v", 2], "n": 1.5})");
    QTest::newRow("config: blocks of one type gather in one list")
        << group + task + "config {\nv {\na = 1\n}\nv {\na = 2\n}\n}\n}\n}" << kTaskPath + u".Config.v"_s
        << QByteArray(R"([{"a": 1}, {"a": 2}])");
    QTest::newRow("constraint: attribute and value, operator \"=\"")
        << QByteArray("constraint {\nattribute = \"${attr.kernel.name}\"\nvalue = \"linux\"\n}") << u"Constraints"_s
        << QByteArray(R"([{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}])");
    QTest::newRow("constraint: version")
        << QByteArray("constraint {\nattribute = \"${attr.x}\"\nversion = \">= 1.2\"\n}") << u"Constraints.0"_s
        << QByteArray(R"({"LTarget": "${attr.x}", "RTarget": ">= 1.2", "Operand": "version"})");
    QTest::newRow("constraint: semver") << QByteArray("constraint {\nattribute = \"${attr.x}\"\nsemver = \"~> 1.2\"\n}")
                                        << u"Constraints.0"_s
                                        << QByteArray(
                                               R"({"LTarget": "${attr.x}", "RTarget": "~> 1.2", "Operand": "semver"})");
    QTest::newRow("constraint: regexp") << QByteArray("constraint {\nattribute = \"${attr.x}\"\nregexp = \"^a\"\n}")
                                        << u"Constraints.0"_s
                                        << QByteArray(
                                               R"({"LTarget": "${attr.x}", "RTarget": "^a", "Operand": "regexp"})");
    QTest::newRow("constraint: set_contains")
        << QByteArray("constraint {\nattribute = \"${attr.x}\"\nset_contains = \"a,b\"\n}") << u"Constraints.0"_s
        << QByteArray(R"({"LTarget": "${attr.x}", "RTarget": "a,b", "Operand": "set_contains"})");
    QTest::newRow("constraint: operator as written")
        << QByteArray("constraint {\nattribute = \"${attr.x}\"\noperator = \"!=\"\nvalue = 3\n}") << u"Constraints.0"_s
        << QByteArray(R"({"LTarget": "${attr.x}", "RTarget": "3", "Operand": "!="})");
    QTest::newRow("constraint: distinct_hosts")
        << group + "constraint {\ndistinct_hosts = true\n}\n}" << u"TaskGroups.0.Constraints.0"_s
        << QByteArray(R"({"LTarget": "", "RTarget": "", "Operand": "distinct_hosts"})");
    QTest::newRow("constraint: distinct_property is LTarget")
        << QByteArray("constraint {\ndistinct_property = \"${meta.rack}\"\nvalue = \"2\"\n}") << u"Constraints.0"_s
        << QByteArray(R"({"LTarget": "${meta.rack}", "RTarget": "2", "Operand": "distinct_property"})");
    QTest::newRow("affinity with weight")
        << QByteArray("affinity {\nattribute = \"${node.class}\"\nvalue = \"big\"\nweight = -50\n}")
        << u"Affinities.0"_s
        << QByteArray(R"({"LTarget": "${node.class}", "RTarget": "big", "Operand": "=", "Weight": -50})");
    QTest::newRow("affinity: set_contains_any")
        << QByteArray("affinity {\nattribute = \"${meta.tags}\"\nset_contains_any = \"a\"\n}") << u"Affinities.0"_s
        << QByteArray(R"({"LTarget": "${meta.tags}", "RTarget": "a", "Operand": "set_contains_any"})");
    QTest::newRow("device constraint")
        << group + task
               + "resources {\ndevice \"nvidia/gpu\" {\ncount = 2\nconstraint {\nattribute = "
                 "\"${device.attr.memory}\"\noperator = \">=\"\nvalue = \"2 GiB\"\n}\n}\n}\n}\n}"
        << kTaskPath + u".Resources.Devices.0"_s
        << QByteArray(R"({"Name": "nvidia/gpu", "Count": 2, "Constraints": [{"LTarget": "${device.attr.memory}",
                          "RTarget": "2 GiB", "Operand": ">="}]})");
    QTest::newRow("template gets jobspec2's defaults")
        << group + task + "template {\ndata = \"x\"\ndestination = \"local/x\"\n}\n}\n}"
        << kTaskPath + u".Templates.0"_s
        << QByteArray(R"({"EmbeddedTmpl": "x", "DestPath": "local/x", "ChangeMode": "restart", "Perms": "0644",
                          "Splay": 5000000000, "ErrMissingKey": false})");
    QTest::newRow("template change_script gets jobspec2's defaults")
        << group + task
               + "template {\nchange_mode = \"script\"\nchange_script {\ncommand = \"/bin/r\"\n"
                 "fail_on_error = true\n}\n}\n}\n}"
        << kTaskPath + u".Templates.0.ChangeScript"_s
        << QByteArray(R"({"Command": "/bin/r", "FailOnError": true, "Args": [], "Timeout": 5000000000})");
    QTest::newRow("task vault gets Env and ChangeMode")
        << group + task + "vault {\npolicies = [\"p\"]\n}\n}\n}" << kTaskPath + u".Vault"_s
        << QByteArray(R"({"Policies": ["p"], "Env": true, "ChangeMode": "restart"})");
    QTest::newRow("a group's vault goes to its tasks without one")
        << group + "vault {\npolicies = [\"g\"]\n}\n" + task + "}\ntask \"u\" {\nvault {\npolicies = [\"own\"]\n}\n}\n}"
        << u"TaskGroups.0.Tasks"_s
        << QByteArray(
               R"([{"Name": "t", "Driver": "exec", "Vault": {"Policies": ["g"], "Env": true, "ChangeMode": "restart"}},
                          {"Name": "u", "Vault": {"Policies": ["own"], "Env": true, "ChangeMode": "restart"}}])");
    QTest::newRow("the job's vault goes to every task without one")
        << QByteArray("vault {\npolicies = [\"j\"]\nenv = false\n}\n") + group + task + "}\n}"
        << kTaskPath + u".Vault"_s << QByteArray(R"({"Policies": ["j"], "Env": false, "ChangeMode": "restart"})");
    QTest::newRow("periodic cron sets SpecType")
        << QByteArray("type = \"batch\"\nperiodic {\ncron = \"*/15 * * * *\"\nprohibit_overlap = true\n}")
        << u"Periodic"_s << QByteArray(R"({"Spec": "*/15 * * * *", "SpecType": "cron", "ProhibitOverlap": true})");
    QTest::newRow("group scaling is horizontal")
        << group + "scaling {\nmin = 1\nmax = 5\npolicy {\ncooldown = \"1m\"\n}\n}\n}" << u"TaskGroups.0.Scaling"_s
        << QByteArray(R"({"Min": 1, "Max": 5, "Type": "horizontal", "Policy": {"cooldown": "1m"}})");
    QTest::newRow("task scaling by resource")
        << group + task + "scaling \"cpu\" {\nmax = 500\n}\n}\n}" << kTaskPath + u".ScalingPolicies"_s
        << QByteArray(R"([{"Max": 500, "Type": "vertical_cpu"}])");
    QTest::newRow("volumes keyed by label, Name = label")
        << group + "volume \"data\" {\ntype = \"host\"\nsource = \"d\"\nread_only = true\n}\n}"
        << u"TaskGroups.0.Volumes"_s
        << QByteArray(R"({"data": {"Name": "data", "Type": "host", "Source": "d", "ReadOnly": true}})");
    QTest::newRow("spread targets by label")
        << QByteArray("spread {\nattribute = \"${node.datacenter}\"\ntarget \"dc1\" {\npercent = 70\n}\n}")
        << u"Spreads.0"_s
        << QByteArray(R"({"Attribute": "${node.datacenter}", "SpreadTarget": [{"Value": "dc1", "Percent": 70}]})");
    QTest::newRow("expose path blocks are Paths")
        << group
               + "service {\nconnect {\nsidecar_service {\nproxy {\nexpose {\npath {\npath = \"/h\"\n"
                 "protocol = \"http\"\nlocal_path_port = 8080\nlistener_port = \"hc\"\n}\n}\n}\n}\n}\n}\n}"
        << u"TaskGroups.0.Services.0.Connect.SidecarService.Proxy.Expose"_s
        << QByteArray(
               R"({"Paths": [{"Path": "/h", "Protocol": "http", "LocalPathPort": 8080, "ListenerPort": "hc"}]})");
    QTest::newRow("null leaves the field unset")
        << group + "count = null\n}" << u"TaskGroups.0"_s << QByteArray(R"({"Name": "g"})");
    QTest::newRow("dynamic blocks expand per element, the iterator named by type")
        << group
               + "dynamic \"task\" {\nfor_each = [\"a\", \"b\"]\nlabels = [task.value]\ncontent {\n"
                 "driver = \"exec\"\nenv {\nINDEX = task.key\n}\n}\n}\n}"
        << u"TaskGroups.0.Tasks"_s << QByteArray(R"([{"Name": "a", "Driver": "exec", "Env": {"INDEX": "0"}},
                          {"Name": "b", "Driver": "exec", "Env": {"INDEX": "1"}}])");
    QTest::newRow("dynamic over a map with an iterator, nested")
        << group
               + "service {\nconnect {\nsidecar_service {\nproxy {\ndynamic \"upstreams\" {\n"
                 "for_each = { db = 5432, api = 8080 }\niterator = u\ncontent {\ndestination_name = u.key\n"
                 "local_bind_port = u.value\n}\n}\n}\n}\n}\n}\n}"
        << u"TaskGroups.0.Services.0.Connect.SidecarService.Proxy.Upstreams"_s
        << QByteArray(
               R"([{"DestinationName": "api", "LocalBindPort": 8080}, {"DestinationName": "db", "LocalBindPort": 5432}])");
    QTest::newRow("dynamic ports, static ones reserved")
        << QByteArray("group \"g\" {\nnetwork {\ndynamic \"port\" {\nfor_each = { http = 0, admin = 9901 }\n"
                      "labels = [port.key]\ncontent {\nstatic = port.value\n}\n}\n}\n}")
        << u"TaskGroups.0.Networks.0"_s << QByteArray(R"({"ReservedPorts": [{"Label": "admin", "Value": 9901, "To": 0}],
                          "DynamicPorts": [{"Label": "http", "Value": 0, "To": 0}]})");
    QTest::newRow("dynamic over nothing is nothing") << group + "dynamic \"service\" {\nfor_each = []\ncontent {}\n}\n}"
                                                     << u"TaskGroups.0"_s << QByteArray(R"({"Name": "g"})");
    QTest::newRow("an ingress gateway")
        << group
               + "service {\nname = \"ingress\"\nport = \"8080\"\nconnect {\ngateway {\nproxy {\n"
                 "connect_timeout = \"3s\"\nenvoy_gateway_bind_addresses \"web\" {\naddress = \"0.0.0.0\"\n"
                 "port = 8080\n}\n}\ningress {\ntls {\nenabled = true\n}\nlistener {\nport = 8080\n"
                 "protocol = \"http\"\nservice {\nname = \"web\"\nhosts = [\"example.com\"]\n"
                 "request_headers {\nadd {\nX-A = \"1\"\n}\nremove = [\"X-B\"]\n}\n}\n}\n}\n}\n}\n}\n}"
        << u"TaskGroups.0.Services.0.Connect.Gateway"_s
        << QByteArray(R"({"Proxy": {"ConnectTimeout": 3000000000, "EnvoyGatewayBindAddresses": {"web": {"Name": "web",
                          "Address": "0.0.0.0", "Port": 8080}}},
                          "Ingress": {"TLS": {"Enabled": true}, "Listeners": [{"Port": 8080, "Protocol": "http",
                          "Services": [{"Name": "web", "Hosts": ["example.com"],
                          "RequestHeaders": {"Add": {"X-A": "1"}, "Remove": ["X-B"]}}]}]}})");
    QTest::newRow("a terminating gateway")
        << group
               + "service {\nconnect {\ngateway {\nterminating {\nservice {\nname = \"db\"\n"
                 "ca_file = \"/ca.pem\"\nsni = \"db.local\"\n}\n}\n}\n}\n}\n}"
        << u"TaskGroups.0.Services.0.Connect"_s
        << QByteArray(
               R"({"Gateway": {"Terminating": {"Services": [{"Name": "db", "CAFile": "/ca.pem", "SNI": "db.local"}]}}})");
    QTest::newRow("a mesh gateway") << group + "service {\nconnect {\ngateway {\nmesh {}\n}\n}\n}\n}"
                                    << u"TaskGroups.0.Services.0.Connect"_s
                                    << QByteArray(R"({"Gateway": {"Mesh": {}}})");
    QTest::newRow("functions are evaluated")
        << group + task + "env {\nA = upper(\"x\")\nB = join(\",\", [\"a\", \"b\"])\n}\n}\n}" << kTaskPath + u".Env"_s
        << QByteArray(R"({"A": "X", "B": "a,b"})");
}

// jobspec2's own rules beyond the table (hashicorp/nomad jobspec2/
// parse_job.go, hcl_conversions.go, hclutil/blockattrs.go).
void TestJobspecReader::jobspec2Rules()
{
    QFETCH(QByteArray, hcl);
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);
    const Read r = readJobspec(jobWith(hcl));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error + u"\n" + QString::fromUtf8(hcl)));
    QCOMPARE(pretty(at(r.job, path)), pretty(parseJson(expected)));
    const QStringList problems = m_checker->check(QJsonObject{{u"Job"_s, r.job}}, u"nomad-job");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

// ---- variables ------------------------------------------------------------------

void TestJobspecReader::variables_data()
{
    QTest::addColumn<QByteArray>("hcl");
    QTest::addColumn<QStringList>("flags"); // NAME=VALUE
    QTest::addColumn<QByteArray>("varFile");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray uses = "job \"j\" {\ndatacenters = var.dcs\ngroup \"g\" {\ncount = var.n\n"
                            "task \"t\" {\ndriver = var.driver\nenv {\nA = var.a\n}\n}\n}\n}\n";
    const QByteArray declared = "variable \"dcs\" {\ntype = list(string)\ndefault = [\"dc1\"]\n}\n"
                                "variable \"n\" {\ntype = number\ndefault = 1\n}\n"
                                "variable \"driver\" {\ndefault = \"exec\"\n}\n"
                                "variable \"a\" {\ntype = bool\ndefault = false\n}\n";
    const QByteArray all = declared + uses;

    QTest::newRow("defaults")
        << all << QStringList() << QByteArray() << u""_s
        << QByteArray(R"({"ID": "j", "Name": "j", "Datacenters": ["dc1"], "TaskGroups": [{"Name": "g", "Count": 1,
                          "Tasks": [{"Name": "t", "Driver": "exec", "Env": {"A": "false"}}]}]})");
    QTest::newRow("-var of a number variable is text converted")
        << all << QStringList{u"n=3"_s} << QByteArray() << u"TaskGroups.0.Count"_s << QByteArray("3");
    QTest::newRow("-var of a string variable is taken as written, quotes and all")
        << all << QStringList{u"driver=\"docker\""_s} << QByteArray() << kTaskPath + u".Driver"_s
        << QByteArray(R"("\"docker\"")");
    QTest::newRow("-var of a list variable is read as HCL")
        << all << QStringList{u"dcs=[\"a\", \"b\"]"_s} << QByteArray() << u"Datacenters"_s
        << QByteArray(R"(["a", "b"])");
    QTest::newRow("-var of a bool variable is read as HCL")
        << all << QStringList{u"a=true"_s} << QByteArray() << kTaskPath + u".Env.A"_s << QByteArray("\"true\"");
    QTest::newRow("the last -var of a name wins")
        << all << QStringList{u"n=3"_s, u"n=4"_s} << QByteArray() << u"TaskGroups.0.Count"_s << QByteArray("4");
    QTest::newRow("var-file values") << all << QStringList() << QByteArray("n = 5\ndcs = [\"x\"]\n") << u"Datacenters"_s
                                     << QByteArray(R"(["x"])");
    QTest::newRow("-var wins over the var-file")
        << all << QStringList{u"n=6"_s} << QByteArray("n = 5\n") << u"TaskGroups.0.Count"_s << QByteArray("6");
    QTest::newRow("a var-file string converts to the variable's type")
        << all << QStringList() << QByteArray("n = \"7\"\n") << u"TaskGroups.0.Count"_s << QByteArray("7");
    QTest::newRow("a variable without type takes its default's type")
        << QByteArray("variable \"n\" {\ndefault = 2\n}\njob \"j\" {\ngroup \"g\" {\ncount = var.n\n}\n}\n")
        << QStringList{u"n=8"_s} << QByteArray() << u"TaskGroups.0.Count"_s << QByteArray("8");
    QTest::newRow("a variable set only from outside") << QByteArray(
        "variable \"image\" {}\njob \"j\" {\ngroup \"g\" {\ntask \"t\" {\nconfig {\nimage = var.image\n}\n}\n}\n}\n")
                                                      << QStringList{u"image=nginx:1.25"_s} << QByteArray()
                                                      << kTaskPath + u".Config.image"_s << QByteArray("\"nginx:1.25\"");
    QTest::newRow("-var of an `any` variable is read as HCL")
        << QByteArray("variable \"x\" {\n  type = any\n  default = null\n}\njob \"j\" {\n  datacenters = var.x\n}\n")
        << QStringList{u"x=[\"a\", \"b\"]"_s} << QByteArray() << u"Datacenters"_s << QByteArray(R"(["a", "b"])");
    QTest::newRow("a variables block") << QByteArray(
        "variables {\nregion = \"eu\"\n}\njob \"j\" {\nregion = var.region\n}\n")
                                       << QStringList() << QByteArray() << u"Region"_s << QByteArray("\"eu\"");
    QTest::newRow("locals in dependency order, not file order")
        << QByteArray("locals {\nc = \"${local.b}-c\"\nb = \"${local.a}-b\"\na = var.base\n}\n"
                      "variable \"base\" {\ndefault = \"a\"\n}\njob \"j\" {\nname = local.c\n}\n")
        << QStringList() << QByteArray() << u"Name"_s << QByteArray("\"a-b-c\"");
    QTest::newRow("locals across blocks, with functions")
        << QByteArray("locals {\nx = upper(local.y)\n}\nlocals {\ny = \"low\"\n}\njob \"j\" {\nname = local.x\n}\n")
        << QStringList() << QByteArray() << u"Name"_s << QByteArray("\"LOW\"");
    QTest::newRow("an object variable") << QByteArray(
        "variable \"o\" {\ntype = object({cpu = number, tags = list(string)})\n"
        "default = { cpu = \"100\", tags = [\"a\"] }\n}\n"
        "job \"j\" {\ngroup \"g\" {\ntask \"t\" {\nresources {\ncpu = var.o.cpu\n}\n}\n}\n}\n")
                                        << QStringList() << QByteArray() << kTaskPath + u".Resources.CPU"_s
                                        << QByteArray("100");
    QTest::newRow("a validation that passes")
        << QByteArray("variable \"n\" {\ntype = number\ndefault = 2\nvalidation {\ncondition = var.n > 0\n"
                      "error_message = \"Must be positive.\"\n}\n}\njob \"j\" {\npriority = var.n\n}\n")
        << QStringList() << QByteArray() << u"Priority"_s << QByteArray("2");
}

void TestJobspecReader::variables()
{
    QFETCH(QByteArray, hcl);
    QFETCH(QStringList, flags);
    QFETCH(QByteArray, varFile);
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);
    JobspecReader::Options options;
    for (const QString &flag : flags)
        options.variables.append({flag.section(u'=', 0, 0), flag.section(u'=', 1)});
    options.variableFile = varFile;
    const Read r = readJobspec(hcl, options);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(pretty(path.isEmpty() ? QJsonValue(r.job) : at(r.job, path)), pretty(parseJson(expected)));
}

// ---- errors ---------------------------------------------------------------------

void TestJobspecReader::errors_data()
{
    QTest::addColumn<QByteArray>("hcl");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QByteArray>("varFile");
    QTest::addColumn<bool>("strict");
    // A regular expression the whole message must match; every line starts
    // with FILE:LINE:COLUMN unless it is about a -var flag.
    QTest::addColumn<QString>("message");

    const auto row = [](const char *name, const QByteArray &hcl, const QString &message) {
        QTest::newRow(name) << hcl << QStringList() << QByteArray() << true << message;
    };
    row("a block at the wrong level: port in a group", "job \"j\" {\n  group \"g\" {\n    port \"http\" {}\n  }\n}\n",
        uR"(^job\.nomad\.hcl:3:5: Unsupported block type; Blocks of type "port" are not expected here in group "g"; expected one of: .*network.*$)"_s);
    row("a block at the wrong level: service in network",
        "job \"j\" {\n  group \"g\" {\n    network {\n      service {}\n    }\n  }\n}\n",
        uR"(^job\.nomad\.hcl:4:7: Unsupported block type; Blocks of type "service" are not expected here in network in group "g"; expected one of: dns, reserved_ports, port, cni\.$)"_s);
    row("a group in a group", "job \"j\" {\ngroup \"a\" {\ngroup \"b\" {}\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:1: Unsupported block type; Blocks of type "group" are not expected here in group "a"; expected one of: .*$)"_s);
    row("a misspelled argument gets a suggestion", "job \"j\" {\ngroup \"g\" {\ncont = 3\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:1: Unsupported argument; An argument named "cont" is not expected here in group "g"\. Did you mean "count"\?$)"_s);
    row("an unknown argument lists the expected ones", "job \"j\" {\nfrobnicate = 1\n}\n",
        uR"(^job\.nomad\.hcl:2:1: Unsupported argument; An argument named "frobnicate" is not expected here in job "j"; expected one of: region, namespace, id, name, type, priority, .*\.$)"_s);
    row("a block written as an argument", "job \"j\" {\ngroup \"g\" {\nnetwork = {}\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:1: Unsupported argument; .*Did you mean to define a block of type "network"\?$)"_s);
    row("an argument written as a block", "job \"j\" {\ngroup \"g\" {\ncount {}\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:1: Unsupported block type; .*Did you mean to define argument "count"\? .*$)"_s);
    row("count is not a number", "job \"j\" {\n  group \"g\" {\n    count = \"x\"\n  }\n}\n",
        uR"(^job\.nomad\.hcl:3:13: Unsuitable value type; Unsuitable value for "count" in group "g": a number is required$)"_s);
    row("count is not whole", "job \"j\" {\ngroup \"g\" {\ncount = 1.5\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:9: Unsuitable value type; .*value must be a whole number, between .*$)"_s);
    row("datacenters is not a list", "job \"j\" {\ndatacenters = \"dc1\"\n}\n",
        uR"(^job\.nomad\.hcl:2:15: Unsuitable value type; .*list of string required$)"_s);
    row("a duration Go cannot read", "job \"j\" {\ngroup \"g\" {\nshutdown_delay = \"5 s\"\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:18: Unsuitable value type; Unsuitable duration value .*"5 s"$)"_s);
    row("a duration that is a bool", "job \"j\" {\ngroup \"g\" {\nshutdown_delay = true\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:18: Unsuitable value type; .*expected a string but found bool$)"_s);
    row("an undefined variable", "job \"j\" {\n  name = var.x\n}\n", uR"(^job\.nomad\.hcl:2:1[0-9]: .*"x".*$)"_s);
    row("an undefined local", "job \"j\" {\n  name = local.y\n}\n", uR"(^job\.nomad\.hcl:2:1[0-9]: .*"y".*$)"_s);
    row("a variable without a value", "variable \"image\" {\n  type = string\n}\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:1:1: Unset variable "image"; A used variable must be set or have a default value; see https://www\.nomadproject\.io/docs/job-specification/hcl2/variables for details\.$)"_s);
    row("a default of the wrong type", "variable \"n\" {\ntype = number\ndefault = \"many\"\n}\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:3:11: Invalid default value for variable; This default value is not compatible with the variable's type constraint: a number is required\.$)"_s);
    row("an invalid type", "variable \"n\" {\ntype = integer\n}\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:2:8: Invalid type specification; The keyword "integer" is not a valid type specification\.$)"_s);
    row("a duplicate variable", "variable \"a\" {\ndefault = 1\n}\nvariable \"a\" {\ndefault = 2\n}\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:4:1: Duplicate variable; Duplicate a variable definition found\.$)"_s);
    row("a failed validation",
        "variable \"n\" {\ndefault = -1\nvalidation {\ncondition = var.n > 0\nerror_message = \"Must be "
        "positive.\"\n}\n}\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:2:11: Invalid value for default variable; Must be positive\.\n\nThis was checked by the validation rule at job\.nomad\.hcl:3:1\.$)"_s);
    row("locals in a cycle", "locals {\n  a = local.b\n  b = local.a\n}\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:[23]:3: Cycle in locals; local\.[ab] refers to itself: local\.[ab] → local\.[ab] → local\.[ab]\.$)"_s);
    row("a local referring to itself", "locals {\n  a = \"${local.a}x\"\n}\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:2:3: Cycle in locals; local\.a refers to itself: local\.a → local\.a\.$)"_s);
    row("a duplicate update block", "job \"j\" {\nupdate {}\nupdate {}\n}\n",
        uR"(^job\.nomad\.hcl:3:1: Duplicate update block; Only one update block is allowed\. Another was defined at job\.nomad\.hcl:2:1\.$)"_s);
    row("env as a block and a map", "job \"j\" {\ngroup \"g\" {\ntask \"t\" {\nenv = {}\nenv {}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:5:1: Duplicate env block; env may not be defined more than once\. Another definition is defined at job\.nomad\.hcl:4:1\.$)"_s);
    row("a group without a name", "job \"j\" {\ngroup {}\n}\n",
        uR"(^job\.nomad\.hcl:2:1: Missing name for group; All group blocks must have 1 labels \(name\)\.$)"_s);
    row("a label on an unlabelled block", "job \"j\" {\nupdate \"x\" {}\n}\n",
        uR"(^job\.nomad\.hcl:2:8: Extraneous label for update; No labels are expected for update blocks\.$)"_s);
    row("a nested block in env", "job \"j\" {\ngroup \"g\" {\ntask \"t\" {\nenv {\nX {}\n}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:5:1: Unsuitable value type; .*string required.*$)"_s);
    row("a required argument missing",
        "job \"j\" {\ngroup \"g\" {\ntask \"t\" {\ntemplate {\nwait {\nmin = \"1s\"\n}\n}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:5:6: Missing required argument; The argument "max" is required, but no definition was found \(in wait in template in task "t"\)\.$)"_s);
    row("group scaling without max", "job \"j\" {\ngroup \"g\" {\nscaling {\nmin = 1\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:1: Missing required argument; The argument "max" is required, but no definition was found\.$)"_s);
    row("task scaling of an unknown resource",
        "job \"j\" {\ngroup \"g\" {\ntask \"t\" {\nscaling \"disk\" {}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:4:9: Invalid scaling policy name; scaling policy name must be "cpu" or "mem"$)"_s);
    row("dynamic: for_each is not a collection",
        "job \"j\" {\ngroup \"g\" {\ndynamic \"task\" {\nfor_each = \"abc\"\ncontent {}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:4:12: Invalid dynamic for_each value; Cannot use a string value in for_each\. An iterable collection is required\.$)"_s);
    row("dynamic: no content", "job \"j\" {\ngroup \"g\" {\ndynamic \"task\" {\nfor_each = []\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:16: Missing required block; A content block is required \(in dynamic "task" in group "g"\)\.$)"_s);
    row("dynamic: a block type the place does not take",
        "job \"j\" {\ngroup \"g\" {\ndynamic \"port\" {\nfor_each = [1]\ncontent {}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:3:9: Unsupported block type; Blocks of type "port" are not expected here in group "g"; .*$)"_s);
    row("dynamic: an error inside names the content",
        "job \"j\" {\ngroup \"g\" {\ndynamic \"task\" {\nfor_each = [1]\nlabels = [\"t\"]\ncontent {\ndriverr = "
        "1\n}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:7:1: Unsupported argument; An argument named "driverr" is not expected here in task "t"\. Did you mean "driver"\?$)"_s);
    row("a task secret is refused, not dropped", "job \"j\" {\ngroup \"g\" {\ntask \"t\" {\nsecret \"s\" {}\n}\n}\n}\n",
        uR"(^job\.nomad\.hcl:4:1: Unsupported block type; "secret" blocks \(in task "t"\) are valid in Nomad but not read by Meshpad's jobspec reader\.$)"_s);
    row("no job block", "variable \"a\" {\ndefault = 1\n}\n",
        uR"(^job\.nomad\.hcl:1:1: Missing job block; A job block is required$)"_s);
    row("two job blocks", "job \"a\" {}\njob \"b\" {}\n",
        uR"(^job\.nomad\.hcl:2:1: Duplicate job block; Only one block of type "job" is allowed\. Previous definition was at job\.nomad\.hcl:1:1\.$)"_s);
    row("an argument outside the job", "region = \"x\"\njob \"j\" {}\n",
        uR"(^job\.nomad\.hcl:1:1: Unsupported argument; An argument named "region" is not expected here; expected blocks: job, locals, variable, variables\.$)"_s);
    row("a syntax error", "job \"j\" {\n  group \"g\" {\n}\n", uR"(^job\.nomad\.hcl:\d+:\d+: .*$)"_s);
    row("HCL's JSON syntax", "{\"job\": {}}", uR"(^job\.nomad\.hcl:1:1: JSON jobspecs .*$)"_s);
    row("every error, one a line", "job \"j\" {\nfoo = 1\nbar {}\ngroup \"g\" {\ncount = \"x\"\n}\n}\n",
        uR"(^job\.nomad\.hcl:2:1: Unsupported argument; .*\njob\.nomad\.hcl:3:1: Unsupported block type; .*\njob\.nomad\.hcl:5:9: Unsuitable value type; .*$)"_s);

    const QByteArray typed = "variable \"n\" {\ntype = number\ndefault = 1\n}\njob \"j\" {}\n";
    QTest::newRow("-var of an undeclared variable")
        << typed << QStringList{u"m=1"_s} << QByteArray() << true
        << uR"(^Undefined -var variable; A "m" variable was passed in the command line but was not found in known variables\. To declare variable "m", place this block in your job file$)"_s;
    QTest::newRow("-var of an undeclared variable, not strict")
        << typed << QStringList{u"m=1"_s} << QByteArray() << false << QString();
    QTest::newRow("-var that does not convert")
        << typed << QStringList{u"n=many"_s} << QByteArray() << true
        << uR"(^<value for var\.n from arguments>:1:1: Invalid argument value for -var variable; The received arg value for n is not compatible with the variable's type constraint: a number is required\.$)"_s;
    QTest::newRow("var-file of an undeclared variable")
        << typed << QStringList() << QByteArray("\n m = 1\n") << true
        << uR"(^vars\.hcl:2:2: Undefined variable; A "m" variable was set but was not found in known variables\. To declare variable "m", place this block in your job files$)"_s;
    QTest::newRow("var-file value that does not convert")
        << typed << QStringList() << QByteArray("n = [1]\n") << true
        << uR"(^vars\.hcl:1:5: Invalid value for variable; The value for n is not compatible with the variable's type constraint: number required\.$)"_s;
    QTest::newRow("var-file declaring a variable")
        << typed << QStringList() << QByteArray("variable \"n\" {}\n") << true
        << uR"(^vars\.hcl:1:1: Variable declaration in a \.var file; .*)"_s;
}

// Errors name the place (FILE:LINE:COLUMN) and what was expected, and a
// file with an error gives no job.
void TestJobspecReader::errors()
{
    QFETCH(QByteArray, hcl);
    QFETCH(QStringList, flags);
    QFETCH(QByteArray, varFile);
    QFETCH(bool, strict);
    QFETCH(QString, message);
    JobspecReader::Options options;
    for (const QString &flag : flags)
        options.variables.append({flag.section(u'=', 0, 0), flag.section(u'=', 1)});
    options.variableFile = varFile;
    options.strict = strict;
    const Result<QJsonObject> r = JobspecReader::read(hcl, options);
    if (message.isEmpty()) {
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        return;
    }
    QVERIFY2(!r, qPrintable(pretty(r ? *r : QJsonObject())));
    const QRegularExpression expected(message, QRegularExpression::DotMatchesEverythingOption);
    QVERIFY(expected.isValid());
    QVERIFY2(expected.match(r.error().message).hasMatch(), qPrintable(r.error().message));
}

QTEST_MAIN(TestJobspecReader)
#include "tst_jobspecreader.moc"
