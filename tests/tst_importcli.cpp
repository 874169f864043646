// `meshpad import` run as the real binary: the post's job files into the
// countdash design, generate → import → generate byte for byte, syntax
// errors with FILE:LINE:COLUMN and nothing written, variables, an existing
// output refused; and `import -target` against a running `meshpad lab up`
// (after `meshpad deploy`), a cluster that is down or stalls, and one that
// answers 500s, garbage or 403s. The child gets its own HOME and XDG
// directories.

#include "fakeagent.h"
#include "labup.h"

#include "model/projectfile.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using mesh::model::ProjectFile;
using mesh::model::Topology;

using meshtest::FakeAgent;
using meshtest::Reply;

namespace {

struct Run
{
    int status = -1;
    QString out;
    QString err;
};

QString source(const QString &relative)
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/") + relative;
}

QString example()
{
    return source(u"resources/examples/countdash.meshpad"_s);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QMap<QString, QByteArray> readTree(const QString &root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(root).relativeFilePath(path), readFile(path));
    }
    return files;
}

// A design as compared here: positions zeroed (the layout is Graphviz's
// business) and services and arrows in id order (the file order says
// nothing a user sees).
Topology normalized(Topology t)
{
    for (auto &s : t.services)
        s.position = {};
    std::sort(t.services.begin(), t.services.end(),
              [](const auto &a, const auto &b) { return a.id.value < b.id.value; });
    std::sort(t.upstreams.begin(), t.upstreams.end(),
              [](const auto &a, const auto &b) { return a.id.value < b.id.value; });
    return t;
}

// Both designs as project-file text, so a failure shows what differs.
bool sameDesign(const Topology &actual, const Topology &expected, QByteArray *why)
{
    if (normalized(actual) == normalized(expected))
        return true;
    *why = "imported:\n" + ProjectFile::toJson(normalized(actual)).toUtf8() + "\nexpected:\n"
           + ProjectFile::toJson(normalized(expected)).toUtf8();
    return false;
}

// A failed Result's message for QVERIFY2, which evaluates its message
// whether or not the check fails.
template<class T>
QByteArray errorOf(const mesh::Result<T> &result)
{
    return result ? QByteArray() : result.error().message.toUtf8();
}

// The countdash jobs' stubs and bodies as Nomad would list them.
QByteArray stubs()
{
    return R"([{"ID":"counter","Name":"counter","Type":"service","Status":"running","Stop":false}])";
}

} // namespace

class TestImportCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    QProcessEnvironment m_env;

    // `meshpad ARGUMENTS` in `directory` (else a temporary one) with its own
    // HOME; `extra` adds to the environment. Waits without blocking: a fake
    // agent it talks to runs on this thread.
    Run meshpad(const QStringList &arguments, const QString &directory = QString(),
                const QProcessEnvironment &extra = QProcessEnvironment())
    {
        QProcessEnvironment env = m_env;
        for (const QString &key : extra.keys())
            env.insert(key, extra.value(key));
        QProcess p;
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(directory.isEmpty() ? m_home.path() : directory);
        p.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"), arguments);
        if (!p.waitForStarted(10'000) || !QTest::qWaitFor([&p] { return p.state() == QProcess::NotRunning; }, 60'000)) {
            p.kill();
            p.waitForFinished(5'000);
            return {};
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    // The environment target pointing at `consul` and `nomad`.
    static QProcessEnvironment agents(const QString &consul, const QString &nomad)
    {
        QProcessEnvironment env;
        env.insert(u"CONSUL_HTTP_ADDR"_s, consul);
        env.insert(u"NOMAD_ADDR"_s, nomad);
        return env;
    }

    // `meshpad import -target environment -o OUTPUT` with both agents at
    // `url`, in OUTPUT's directory.
    Run importFrom(const QString &url, const QString &output, const QStringList &extra = {})
    {
        return meshpad(QStringList{u"import"_s, u"-target"_s, u"environment"_s, u"-o"_s, output} + extra,
                       QFileInfo(output).path(), agents(url, url));
    }

    static Topology exampleDesign()
    {
        auto t = ProjectFile::load(example());
        return t ? *t : Topology();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad")),
                 "build the meshpad target: this test runs the real binary");
        QVERIFY(m_home.isValid());
        const QString runtime = m_home.filePath(u"run"_s);
        QVERIFY(QDir().mkpath(runtime));
        // Qt insists on a private runtime directory, as XDG says it is.
        QVERIFY(QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        m_env = QProcessEnvironment::systemEnvironment();
        for (const QString &key : m_env.keys()) {
            if (key.startsWith(u"CONSUL_") || key.startsWith(u"NOMAD_") || key.startsWith(u"XDG_"))
                m_env.remove(key);
        }
        m_env.insert(u"HOME"_s, m_home.path());
        m_env.insert(u"XDG_DATA_HOME"_s, m_home.filePath(u"data"_s));
        m_env.insert(u"XDG_CONFIG_HOME"_s, m_home.filePath(u"config"_s));
        m_env.insert(u"XDG_CACHE_HOME"_s, m_home.filePath(u"cache"_s));
        m_env.insert(u"XDG_RUNTIME_DIR"_s, runtime);
    }

    void help()
    {
        const Run top = meshpad({u"--help"_s});
        QCOMPARE(top.status, 0);
        QVERIFY2(top.out.contains(u"import JOB.hcl…"), qPrintable(top.out));
        QVERIFY2(top.out.contains(u"import -target T"), qPrintable(top.out));
        const Run sub = meshpad({u"import"_s, u"-help"_s});
        QCOMPARE(sub.status, 0);
        QVERIFY2(sub.out.startsWith(u"Usage: meshpad import [options]"), qPrintable(sub.out));
        for (const QString &flag : {u"-var"_s, u"-var-file"_s, u"-target"_s, u"-job"_s, u"--force"_s, u"--name"_s})
            QVERIFY2(sub.out.contains(flag), qPrintable(flag));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString counter = source(u"jobs/counter.nomad.hcl"_s);
        QTest::newRow("nothing to import") << QStringList{u"import"_s} << u"expected JOB.hcl files or -target T"_s;
        QTest::newRow("files and a target")
            << QStringList{u"import"_s, counter, u"-target"_s, u"lab"_s} << u"not both"_s;
        QTest::newRow("-var with a target") << QStringList{u"import"_s, u"-target"_s, u"lab"_s, u"-var"_s, u"a=1"_s}
                                            << u"-var and -var-file are for job files"_s;
        QTest::newRow("-job without a target")
            << QStringList{u"import"_s, counter, u"-job"_s, u"counter"_s} << u"-job picks jobs of a cluster"_s;
        QTest::newRow("-var without =") << QStringList{u"import"_s, counter, u"-var"_s, u"count"_s}
                                        << u"-var \"count\": expected NAME=VALUE"_s;
        QTest::newRow("-var without a name")
            << QStringList{u"import"_s, counter, u"-var"_s, u"=3"_s} << u"the NAME before '=' is empty"_s;
        QTest::newRow("bad -timeout") << QStringList{u"import"_s, u"-target"_s, u"lab"_s, u"-timeout"_s, u"soon"_s}
                                      << u"-timeout: \"soon\" is not a duration"_s;
        QTest::newRow("unknown flag") << QStringList{u"import"_s, counter, u"-bogus"_s} << u"bogus"_s;
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QTemporaryDir cwd;
        const Run r = meshpad(arguments, cwd.path());
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
        QVERIFY(QDir(cwd.path()).isEmpty());
    }

    // The post's two job files are the countdash drawing: the same design
    // as the example, named after -o, nothing reported lost, and laid out
    // left to right along the arrow.
    void importsThePostsJobsAsTheExample()
    {
        QTemporaryDir dir;
        const QString output = dir.filePath(u"countdash.meshpad"_s);
        const Run r = meshpad(
            {u"import"_s, source(u"jobs/dashboard.nomad.hcl"_s), source(u"jobs/counter.nomad.hcl"_s), u"-o"_s, output});
        QVERIFY2(r.status == 0, qPrintable(r.err));
        QCOMPARE(r.out, output + u'\n');
        QVERIFY2(!r.err.contains(u"warning"), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"imported 2 jobs: 2 services, 1 arrow, 0 external\n"), qPrintable(r.err));
        auto imported = ProjectFile::load(output);
        QVERIFY2(imported, errorOf(imported).constData());
        QByteArray why;
        QVERIFY2(sameDesign(*imported, exampleDesign(), &why), why.constData());

        const auto *dashboard = imported->serviceByName(u"count-dashboard");
        const auto *counter = imported->serviceByName(u"count-api");
        QVERIFY(dashboard && counter);
        QVERIFY2(dashboard->position.x() + 220 <= counter->position.x(),
                 "the caller sits left of what it calls, the cards apart");
    }

    // Every job file Meshpad writes reads back into the design it came
    // from: generate → import → generate writes the same files, byte for
    // byte.
    void generateImportGenerateIsByteIdentical()
    {
        QTemporaryDir dir;
        const QString first = dir.filePath(u"first"_s);
        const QString second = dir.filePath(u"second"_s);
        const QString design = dir.filePath(u"countdash.meshpad"_s);
        QCOMPARE(meshpad({u"generate"_s, example(), u"-o"_s, first}).status, 0);
        // In the design's order, so that every listing (README, Vagrantfile)
        // comes out in the same order too.
        QStringList jobs;
        for (const QString &name : exampleDesign().jobNames())
            jobs.append(first + u"/nomad/"_s + name + u".nomad.hcl"_s);
        QCOMPARE(QDir(first + u"/nomad"_s).entryList({u"*.nomad.hcl"_s}, QDir::Files).size(), jobs.size());
        const Run imported = meshpad(QStringList{u"import"_s} + jobs + QStringList{u"-o"_s, design});
        QVERIFY2(imported.status == 0, qPrintable(imported.err));
        QCOMPARE(meshpad({u"generate"_s, design, u"-o"_s, second}).status, 0);

        const auto before = readTree(first);
        const auto after = readTree(second);
        QCOMPARE(after.keys(), before.keys());
        for (auto it = before.constBegin(); it != before.constEnd(); ++it)
            QVERIFY2(after.value(it.key()) == it.value(), qPrintable(it.key()));
        // And the jobs are the ones under jobs/.
        for (const QString &name : {u"counter.nomad.hcl"_s, u"dashboard.nomad.hcl"_s})
            QCOMPARE(after.value(u"nomad/"_s + name), readFile(source(u"jobs/"_s + name)));
    }

    // A file that is not a job stops the import: an exit status of 2, the
    // place on stderr, and no design written, not even for the good files.
    void refusesBrokenInput_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message"); // a regular expression; FILE stands for the broken file
        QTest::newRow("truncated file") << QByteArray("job \"x\" {\n  group \"g\" {\n    count = 1\n")
                                        << uR"(^meshpad import: FILE:\d+:\d+: )"_s;
        QTest::newRow("unbalanced braces")
            << QByteArray("job \"x\" {\n  group \"g\" {\n  }\n}\n}\n") << uR"(^meshpad import: FILE:5:\d+: )"_s;
        QTest::newRow("bad escape") << QByteArray("job \"x\" {\n  meta {\n    a = \"\\q\"\n  }\n}\n")
                                    << uR"(^meshpad import: FILE:3:\d+: )"_s;
        QTest::newRow("block at the wrong level")
            << QByteArray("job \"x\" {\n  group \"g\" {\n    sidecar_service {}\n  }\n}\n")
            << uR"(^meshpad import: FILE:3:\d+: )"_s;
        QTest::newRow("same job twice") << readFile(source(u"jobs/counter.nomad.hcl"_s))
                                        << uR"(job "counter" is also defined in )"_s;
        QTest::newRow("missing file") << QByteArray() << uR"(^meshpad import: cannot read FILE: )"_s;
        QTest::newRow("a directory") << QByteArray("DIRECTORY")
                                     << uR"(^meshpad import: cannot read FILE: it is a directory)"_s;
        QTest::newRow("over the project file's 16 MB")
            << QByteArray("HUGE") << uR"(^meshpad import: FILE is 16 MB; a job file is read up to 16 MB)"_s;
    }

    void refusesBrokenInput()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString broken = dir.filePath(u"broken.nomad.hcl"_s);
        if (content == "DIRECTORY") {
            QVERIFY(QDir().mkdir(broken));
        } else if (content == "HUGE") {
            // Sparse: a byte over the limit costs no disk.
            QFile huge(broken);
            QVERIFY(huge.open(QIODevice::WriteOnly) && huge.resize(ProjectFile::kMaxFileBytes + 1));
        } else if (!content.isEmpty()) {
            QVERIFY(writeFile(broken, content));
        }
        const QString output = dir.filePath(u"out.meshpad"_s);
        const Run r = meshpad({u"import"_s, source(u"jobs/counter.nomad.hcl"_s), broken, u"-o"_s, output});
        QCOMPARE(r.status, 2);
        const QRegularExpression expected(QString(message).replace(u"FILE"_s, QRegularExpression::escape(broken)),
                                          QRegularExpression::MultilineOption);
        QVERIFY2(expected.match(r.err).hasMatch(), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"nothing was written"), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(output));
    }

    // Jobs with nothing Meshpad draws: said, exit 1, no file.
    void nothingToImport()
    {
        QTemporaryDir dir;
        const QString job = dir.filePath(u"batch.nomad.hcl"_s);
        QVERIFY(writeFile(job, "job \"cleanup\" {\n  type = \"batch\"\n\n  group \"run\" {\n    task \"run\" {\n"
                               "      driver = \"exec\"\n\n      config {\n        command = \"/bin/true\"\n      }\n"
                               "    }\n  }\n}\n"));
        const QString output = dir.filePath(u"out.meshpad"_s);
        const Run r = meshpad({u"import"_s, job, u"-o"_s, output});
        QCOMPARE(r.status, 1);
        QVERIFY2(r.err.contains(u"warning: job cleanup: "), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"nothing to import"), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(output));
    }

    // Variables as `nomad job run` takes them: the default, -var-file,
    // -var, and -var over -var-file.
    void variables_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("command");
        QTest::newRow("defaults") << QStringList() << 1 << u"/opt/web"_s;
        QTest::newRow("-var") << QStringList{u"-var"_s, u"instances=4"_s} << 4 << u"/opt/web"_s;
        QTest::newRow("-var with = in the value") << QStringList{u"-var"_s, u"binary=/opt/a=b"_s} << 1 << u"/opt/a=b"_s;
        QTest::newRow("-var-file") << QStringList{u"-var-file"_s, u"VARFILE"_s} << 2 << u"/srv/web"_s;
        QTest::newRow("-var wins over -var-file")
            << QStringList{u"-var"_s, u"instances=5"_s, u"-var-file"_s, u"VARFILE"_s} << 5 << u"/srv/web"_s;
        QTest::newRow("the later -var wins")
            << QStringList{u"-var"_s, u"instances=5"_s, u"-var"_s, u"instances=6"_s} << 6 << u"/opt/web"_s;
    }

    void variables()
    {
        QFETCH(QStringList, flags);
        QFETCH(int, count);
        QFETCH(QString, command);
        QTemporaryDir dir;
        const QString job = dir.filePath(u"web.nomad.hcl"_s);
        QVERIFY(writeFile(job, R"(variable "instances" {
  type    = number
  default = 1
}

variable "binary" {
  type    = string
  default = "/opt/web"
}

job "web" {
  group "web" {
    count = var.instances

    network {
      mode = "bridge"
    }

    service {
      name = "web"
      port = "8080"

      connect {
        sidecar_service {}
      }
    }

    task "web" {
      driver = "exec"

      config {
        command = var.binary
      }
    }
  }
}
)"));
        const QString varFile = dir.filePath(u"web.vars.hcl"_s);
        QVERIFY(writeFile(varFile, "instances = 2\nbinary    = \"/srv/web\"\n"));
        flags.replaceInStrings(u"VARFILE"_s, varFile);
        const QString output = dir.filePath(u"web.meshpad"_s);
        const Run r = meshpad(QStringList{u"import"_s, job, u"-o"_s, output} + flags);
        QVERIFY2(r.status == 0, qPrintable(r.err));
        auto design = ProjectFile::load(output);
        QVERIFY2(design, errorOf(design).constData());
        QCOMPARE(design->name, u"web"_s);
        QCOMPARE(design->services.size(), 1);
        QCOMPARE(design->services.constFirst().count, count);
        QCOMPARE(design->services.constFirst().command, command);
    }

    // A variable no job file declares is a mistake, as for `nomad job run`:
    // with several files, one that some file declares is fine.
    void undeclaredVariables_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("message");
        QTest::newRow("-var") << QStringList{u"-var"_s, u"nosuch=1"_s}
                              << u"-var nosuch: none of the job files declares a variable \"nosuch\""_s;
        QTest::newRow("-var-file") << QStringList{u"-var-file"_s, u"VARFILE"_s}
                                   << u"VARFILE:2:1: none of the job files declares a variable \"nosuch\""_s;
    }

    void undeclaredVariables()
    {
        QFETCH(QStringList, flags);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString varFile = dir.filePath(u"vars.hcl"_s);
        QVERIFY(writeFile(varFile, "# comment\nnosuch = 1\n"));
        flags.replaceInStrings(u"VARFILE"_s, varFile);
        const QString output = dir.filePath(u"out.meshpad"_s);
        const Run r = meshpad(QStringList{u"import"_s, source(u"jobs/counter.nomad.hcl"_s),
                                          source(u"jobs/dashboard.nomad.hcl"_s), u"-o"_s, output}
                              + flags);
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(QString(message).replace(u"VARFILE"_s, varFile)), qPrintable(r.err));
        QVERIFY(!QFile::exists(output));
    }

    // An existing file is never replaced without --force; with it, it is.
    void refusesToOverwrite()
    {
        QTemporaryDir dir;
        const QString output = dir.filePath(u"mine.meshpad"_s);
        QVERIFY(writeFile(output, "my work\n"));
        const QStringList arguments{u"import"_s, source(u"jobs/counter.nomad.hcl"_s), u"-o"_s, output};
        const Run refused = meshpad(arguments);
        QCOMPARE(refused.status, 2);
        QVERIFY2(refused.err.contains(output + u" exists; pass --force to replace it"), qPrintable(refused.err));
        QCOMPARE(readFile(output), QByteArray("my work\n"));

        const Run forced = meshpad(arguments + QStringList{u"--force"_s, u"--name"_s, u"replaced"_s});
        QVERIFY2(forced.status == 0, qPrintable(forced.err));
        auto design = ProjectFile::load(output);
        QVERIFY2(design, errorOf(design).constData());
        QCOMPARE(design->name, u"replaced"_s);
    }

    // Without -o: <first job>.meshpad in the current directory, once.
    void defaultOutputInTheCurrentDirectory()
    {
        QTemporaryDir cwd;
        const QStringList arguments{u"import"_s, source(u"jobs/counter.nomad.hcl"_s),
                                    source(u"jobs/dashboard.nomad.hcl"_s)};
        const Run r = meshpad(arguments, cwd.path());
        QVERIFY2(r.status == 0, qPrintable(r.err));
        QCOMPARE(r.out, u"counter.meshpad\n"_s);
        auto design = ProjectFile::load(cwd.filePath(u"counter.meshpad"_s));
        QVERIFY2(design, errorOf(design).constData());
        QCOMPARE(design->name, u"counter"_s);
        QCOMPARE(design->services.size(), 2);

        const Run again = meshpad(arguments, cwd.path());
        QCOMPARE(again.status, 2);
        QVERIFY2(again.err.contains(u"counter.meshpad exists"), qPrintable(again.err));
    }

    // `-o -`: the design on stdout, messages on stderr, no file.
    void designOnStdout()
    {
        QTemporaryDir cwd;
        const Run r = meshpad({u"import"_s, source(u"jobs/dashboard.nomad.hcl"_s), source(u"jobs/counter.nomad.hcl"_s),
                               u"-o"_s, u"-"_s, u"--name"_s, u"countdash"_s},
                              cwd.path());
        QVERIFY2(r.status == 0, qPrintable(r.err));
        auto design = ProjectFile::fromJson(r.out.toUtf8());
        QVERIFY2(design, errorOf(design).constData());
        QByteArray why;
        QVERIFY2(sameDesign(*design, exampleDesign(), &why), why.constData());
        QVERIFY(QDir(cwd.path()).isEmpty());
    }

    // A cluster that is not there: refused at once, or accepting and never
    // answering — either way a message naming the target, well within the
    // test's own wait, and no file.
    void clusterDown_data()
    {
        QTest::addColumn<bool>("stall");
        QTest::addColumn<QString>("timeout");
        QTest::addColumn<QString>("message");
        // Refused connections are retried with back-off (about 2 s in all)
        // before the error: a deadline well above that.
        QTest::newRow("nothing listening")
            << false << u"30s"_s << u"cannot reach Nomad at http://127.0.0.1:%1: connection refused"_s;
        QTest::newRow("listening, never answering") << true << u"3s"_s << u"no complete answer within 3 s"_s;
    }

    void clusterDown()
    {
        QFETCH(bool, stall);
        QFETCH(QString, timeout);
        QFETCH(QString, message);
        FakeAgent agent;
        QString url;
        quint16 port = 0;
        if (stall) {
            agent.handler = [](const QByteArray &) { return Reply{200, {}, true}; };
            QVERIFY(agent.listen());
            url = agent.url();
            port = QUrl(url).port();
        } else {
            QTcpServer closed;
            QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
            port = closed.serverPort();
            url = u"http://127.0.0.1:%1"_s.arg(port);
        }
        QTemporaryDir dir;
        const QString output = dir.filePath(u"x.meshpad"_s);
        const Run r = importFrom(url, output, {u"-timeout"_s, timeout});
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(u"importing from environment (Consul %1, Nomad %1): "_s.arg(url)), qPrintable(r.err));
        QVERIFY2(r.err.contains(message.contains(u"%1") ? message.arg(port) : message), qPrintable(r.err));
        QVERIFY(!QFile::exists(output));
    }

    // A cluster that answers, wrongly: each a clear error, nothing written.
    void misbehavingCluster_data()
    {
        QTest::addColumn<QByteArray>("failingPath");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("500 on the job list") << QByteArray("/v1/jobs") << 500 << QByteArray("rpc error: no leader")
                                             << u"Nomad failed GET /v1/jobs with HTTP 500: rpc error: no leader"_s;
        QTest::newRow("garbage for the job list") << QByteArray("/v1/jobs") << 200 << QByteArray("[{\"ID\": \"coun")
                                                  << u"Nomad answered GET /v1/jobs with JSON that does not parse"_s;
        QTest::newRow("a job of the wrong shape") << QByteArray("/v1/job/counter") << 200 << QByteArray("[1, 2]")
                                                  << u"Nomad answered GET /v1/job/counter with JSON of an unexpected "
                                                     "shape"_s;
        QTest::newRow("Nomad token without read-job")
            << QByteArray("/v1/job/counter") << 403 << QByteArray("Permission denied")
            << u"Nomad refused GET /v1/job/counter: Permission denied — the Nomad token (NOMAD_TOKEN) needs the "
               "list-jobs and read-job capabilities"_s;
        QTest::newRow("Consul token without intentions:read")
            << QByteArray("/v1/config/service-intentions") << 403 << QByteArray("Permission denied")
            << u"Consul refused GET /v1/config/service-intentions: Permission denied — the Consul token "
               "(CONSUL_HTTP_TOKEN) needs intentions:read"_s;
    }

    void misbehavingCluster()
    {
        QFETCH(QByteArray, failingPath);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        const QByteArray job = readFile(source(u"jobs/counter.json"_s));
        FakeAgent agent;
        agent.handler = [&](const QByteArray &path) -> Reply {
            if (path == failingPath)
                return {status, body};
            if (path == "/v1/jobs")
                return {200, stubs()};
            if (path == "/v1/job/counter")
                return {200, QJsonDocument(QJsonDocument::fromJson(job).object().value(u"Job").toObject()).toJson()};
            if (path == "/v1/config/service-intentions")
                return {200, "[]"};
            return {404, "no such thing"};
        };
        QVERIFY(agent.listen());
        QTemporaryDir dir;
        const QString output = dir.filePath(u"x.meshpad"_s);
        const Run r = importFrom(agent.url(), output);
        QCOMPARE(r.status, 2);
        QVERIFY2(
            r.err.contains(u"meshpad import: importing from environment (Consul %1, Nomad %1): "_s.arg(agent.url())),
            qPrintable(r.err));
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"nothing was written"), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(output));
        QVERIFY(agent.seen.contains(failingPath));
    }

    // A cluster's job keeps its env as a map (sorted); the HCL Nomad keeps
    // with the job version (GET /v1/job/:id/submission) gives the written
    // order back. Without one, the sorted order is all there is.
    void envOrderFromTheSubmittedSource_data()
    {
        QTest::addColumn<bool>("submission");
        QTest::addColumn<QStringList>("env");
        QTest::newRow("with the submitted HCL") << true << QStringList{u"PORT"_s, u"COUNTING_SERVICE_URL"_s};
        QTest::newRow("without (404 job source not found)")
            << false << QStringList{u"COUNTING_SERVICE_URL"_s, u"PORT"_s};
    }

    void envOrderFromTheSubmittedSource()
    {
        QFETCH(bool, submission);
        QFETCH(QStringList, env);
        QJsonObject job
            = QJsonDocument::fromJson(readFile(source(u"jobs/dashboard.json"_s))).object().value(u"Job").toObject();
        job.insert(u"Version"_s, 4);
        const QByteArray hcl = readFile(source(u"jobs/dashboard.nomad.hcl"_s));
        FakeAgent agent;
        agent.handler = [&](const QByteArray &path) -> Reply {
            if (path == "/v1/jobs")
                return {200, R"([{"ID":"dashboard","Type":"service","Status":"running","Stop":false}])"};
            if (path == "/v1/job/dashboard")
                return {200, QJsonDocument(job).toJson()};
            if (path == "/v1/job/dashboard/submission" && submission) {
                return {200, QJsonDocument(QJsonObject{{u"JobID"_s, u"dashboard"_s},
                                                       {u"Version"_s, 4},
                                                       {u"Format"_s, u"hcl2"_s},
                                                       {u"Source"_s, QString::fromUtf8(hcl)}})
                                 .toJson()};
            }
            if (path == "/v1/config/service-intentions")
                return {200, "[]"};
            return {404, "job source not found"};
        };
        QVERIFY(agent.listen());
        QTemporaryDir dir;
        const QString output = dir.filePath(u"x.meshpad"_s);
        const Run r = importFrom(agent.url(), output);
        QVERIFY2(r.status == 0, qPrintable(r.err));
        auto design = ProjectFile::load(output);
        QVERIFY2(design, errorOf(design).constData());
        const auto *dashboard = design->serviceByName(u"count-dashboard");
        QVERIFY(dashboard);
        QStringList names;
        for (const auto &kv : dashboard->env)
            names.append(kv.key);
        QCOMPARE(names, env);
        QVERIFY(agent.targets.contains("/v1/job/dashboard/submission?version=4"));
    }

    // The whole cluster path on one `meshpad lab up`: the example deployed
    // with `meshpad deploy -target lab` reads back as the example with
    // nothing lost; an intention flipped in Consul comes back as a deny
    // arrow; -job picks jobs and an unknown one is an error; a batch job
    // and a stopped job are left out, each with a note.
    void importFromLab()
    {
        meshtest::LabUp lab(m_env, {});
        QVERIFY2(lab.waitForNodes(60'000), qPrintable(lab.err()));
        const Run env = meshpad({u"lab"_s, u"env"_s});
        QCOMPARE(env.status, 0);
        const QRegularExpression exports(uR"(CONSUL_HTTP_ADDR=(\S+) NOMAD_ADDR=(\S+))"_s);
        const QRegularExpressionMatch addresses = exports.match(env.out);
        QVERIFY2(addresses.hasMatch(), qPrintable(env.out));
        const QUrl consul(addresses.captured(1));
        const QUrl nomad(addresses.captured(2));

        const Run deployed
            = meshpad({u"deploy"_s, example(), u"-target"_s, u"lab"_s, u"-auto-approve"_s, u"-detach"_s});
        QVERIFY2(deployed.status == 0, qPrintable(deployed.err));

        QTemporaryDir dir;
        const QString output = dir.filePath(u"fromlab.meshpad"_s);
        const Run r = meshpad({u"import"_s, u"-target"_s, u"lab"_s, u"-o"_s, output});
        QVERIFY2(r.status == 0, qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"warning"), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"imported 2 jobs: 2 services, 1 arrow, 0 external\n"), qPrintable(r.err));
        auto imported = ProjectFile::load(output);
        QVERIFY2(imported, errorOf(imported).constData());
        // Named after the design the jobs were deployed from, not after -o;
        // env in the written order, which the lab's
        // /v1/job/:id/submission gives back (deploy sends the HCL).
        const Topology expected = exampleDesign();
        QByteArray why;
        QVERIFY2(sameDesign(*imported, expected, &why), why.constData());

        QNetworkAccessManager http;
        const auto send = [&http](const QByteArray &verb, const QUrl &url, const QByteArray &body) {
            QNetworkRequest request(url);
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
            std::unique_ptr<QNetworkReply> reply(http.sendCustomRequest(request, verb, body));
            if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 30'000))
                return QByteArray("timeout");
            return reply->error() == QNetworkReply::NoError ? reply->readAll()
                                                            : QByteArray("error: ") + reply->readAll();
        };
        const auto at = [](QUrl base, const QString &path) {
            base.setPath(path);
            return base;
        };

        // The intention flipped to deny in Consul, as the Consul UI would.
        QJsonObject entry
            = QJsonDocument::fromJson(send("GET", at(consul, u"/v1/config/service-intentions/count-api"_s), {}))
                  .object();
        QJsonArray sources = entry.value(u"Sources").toArray();
        QCOMPARE(sources.size(), 1);
        QJsonObject sourceEntry = sources.at(0).toObject();
        sourceEntry.insert(u"Action"_s, u"deny"_s);
        sources.replace(0, sourceEntry);
        entry.insert(u"Sources"_s, sources);
        QCOMPARE(send("PUT", at(consul, u"/v1/config"_s), QJsonDocument(entry).toJson()).trimmed(), QByteArray("true"));
        const QString denied = dir.filePath(u"denied.meshpad"_s);
        const Run deny = meshpad(
            {u"import"_s, u"-target"_s, u"lab"_s, u"-job"_s, u"dashboard"_s, u"-job"_s, u"counter"_s, u"-o"_s, denied});
        QVERIFY2(deny.status == 0, qPrintable(deny.err));
        auto withDeny = ProjectFile::load(denied);
        QVERIFY(withDeny);
        QCOMPARE(withDeny->upstreams.size(), 1);
        QCOMPARE(mesh::model::toString(withDeny->upstreams.constFirst().action), u"deny"_s);

        // -job: only that job; an unknown one stops everything.
        const QString onlyCounter = dir.filePath(u"counter.meshpad"_s);
        const Run one = meshpad({u"import"_s, u"-target"_s, u"lab"_s, u"-job"_s, u"counter"_s, u"-o"_s, onlyCounter});
        QVERIFY2(one.status == 0, qPrintable(one.err));
        auto counterOnly = ProjectFile::load(onlyCounter);
        QVERIFY(counterOnly);
        QCOMPARE(counterOnly->jobNames().filter(u"dashboard"_s).size(), 0);
        QVERIFY(counterOnly->serviceByName(u"count-api"));
        const QString nothing = dir.filePath(u"nothing.meshpad"_s);
        const Run unknown = meshpad({u"import"_s, u"-target"_s, u"lab"_s, u"-job"_s, u"nosuch"_s, u"-o"_s, nothing});
        QCOMPARE(unknown.status, 2);
        QVERIFY2(unknown.err.contains(u"Nomad has no job \"nosuch\""), qPrintable(unknown.err));
        QVERIFY(!QFile::exists(nothing));

        // A batch job and a stopped service job: left out, each said.
        const QJsonObject batch{
            {u"ID"_s, u"nightly"_s},
            {u"Type"_s, u"batch"_s},
            {u"TaskGroups"_s,
             QJsonArray{QJsonObject{
                 {u"Name"_s, u"run"_s},
                 {u"Tasks"_s, QJsonArray{QJsonObject{{u"Name"_s, u"run"_s},
                                                     {u"Driver"_s, u"raw_exec"_s},
                                                     {u"Config"_s, QJsonObject{{u"command"_s, u"/bin/true"_s}}}}}}}}}};
        QVERIFY(!send("POST", at(nomad, u"/v1/jobs"_s), QJsonDocument(QJsonObject{{u"Job"_s, batch}}).toJson())
                     .startsWith("error"));
        QVERIFY(!send("DELETE", at(nomad, u"/v1/job/dashboard"_s), {}).startsWith("error"));
        const QString partial = dir.filePath(u"partial.meshpad"_s);
        const Run skipped = meshpad({u"import"_s, u"-target"_s, u"lab"_s, u"-o"_s, partial});
        QVERIFY2(skipped.status == 0, qPrintable(skipped.err));
        QVERIFY2(skipped.err.contains(u"warning: job nightly: not imported: a batch job"), qPrintable(skipped.err));
        QVERIFY2(skipped.err.contains(u"warning: job dashboard: not imported: stopped (nomad job stop)"),
                 qPrintable(skipped.err));
        // The third: the intention from the dashboard, whose arrow is gone.
        QVERIFY2(skipped.err.contains(u"imported 1 job: 1 service, 0 arrows, 0 external; 3 things not imported\n"),
                 qPrintable(skipped.err));
        auto partialDesign = ProjectFile::load(partial);
        QVERIFY(partialDesign);
        QVERIFY(partialDesign->serviceByName(u"count-api"));
        QVERIFY(!partialDesign->serviceByName(u"count-dashboard"));
    }
};

QTEST_GUILESS_MAIN(TestImportCli)
#include "tst_importcli.moc"
