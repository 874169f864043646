// The `meshpad` command line, run as a real child process: exit statuses,
// where messages go, and what `generate` writes.

#include "model/projectfile.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int status = -1;
    QString out;
    QString err;
};

Run meshpad(const QStringList &arguments, const QString &home = QString())
{
    QProcess p;
    if (!home.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + u"/.local/share");
        p.setProcessEnvironment(env);
    }
    p.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"), arguments);
    if (!p.waitForFinished(30000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString example()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

QMap<QString, QByteArray> readTree(const QString &root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            files.insert(QDir(root).relativeFilePath(path), f.readAll());
    }
    return files;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndVersion()
    {
        const Run help = meshpad({u"--help"_qs});
        QCOMPARE(help.status, 0);
        QVERIFY(help.out.contains(u"validate FILE"));
        QVERIFY(help.out.contains(u"generate FILE -o DIR"));
        const Run version = meshpad({u"--version"_qs});
        QCOMPARE(version.status, 0);
        QVERIFY(version.out.startsWith(u"meshpad " MESHPAD_VERSION));
        const Run sub = meshpad({u"generate"_qs, u"--help"_qs});
        QCOMPARE(sub.status, 0);
        QVERIFY(sub.out.contains(u"--output"));
        QVERIFY2(sub.out.startsWith(u"Usage: meshpad generate [options] FILE"), qPrintable(sub.out));
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown command") << QStringList{u"valdate"_qs} << u"no such file or command \"valdate\""_qs;
        QTest::newRow("validate without file") << QStringList{u"validate"_qs} << u"exactly one FILE"_qs;
        QTest::newRow("validate unknown flag") << QStringList{u"validate"_qs, u"--bogus"_qs, example()} << u"bogus"_qs;
        QTest::newRow("generate without -o") << QStringList{u"generate"_qs, example()} << u"-o DIR"_qs;
        QTest::newRow("missing file") << QStringList{u"validate"_qs, u"/nonexistent.meshpad"_qs} << u"/nonexistent.meshpad"_qs;
        QTest::newRow("unwritable output")
            << QStringList{u"generate"_qs, example(), u"-o"_qs, u"/proc/meshpad-cannot-write-here"_qs} << u"cannot"_qs;
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Run r = meshpad(arguments);
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out));  // messages go to stderr
    }

    void validateExample()
    {
        const Run r = meshpad({u"validate"_qs, example()});
        QCOMPARE(r.status, 0);
        QVERIFY(r.err.contains(u"no problems"));
    }

    void validateReportsErrorsAndWarnings()
    {
        QTemporaryDir dir;
        auto t = mesh::model::ProjectFile::load(example());
        QVERIFY(t);
        t->services[1].command.clear();
        t->upstreams[0].action = mesh::model::IntentionAction::Deny;
        const QString path = dir.filePath(u"broken.meshpad"_qs);
        QVERIFY(mesh::model::ProjectFile::save(*t, path));

        const Run r = meshpad({u"validate"_qs, path});
        QCOMPARE(r.status, 1);
        QVERIFY2(r.err.contains(path + u": error: service \"count-api\" (command): The exec driver needs a command to run."),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(u"warning: upstream count-dashboard → count-api (env.COUNTING_SERVICE_URL)"), qPrintable(r.err));

        const Run json = meshpad({u"validate"_qs, u"--json"_qs, path});
        QCOMPARE(json.status, 1);
        const QStringList lines = json.out.split(u'\n', Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 2);
        for (const QString &line : lines) {
            QJsonParseError e;
            const QJsonDocument d = QJsonDocument::fromJson(line.toUtf8(), &e);
            QVERIFY2(e.error == QJsonParseError::NoError && d.isObject(), qPrintable(line));
            QVERIFY(!d.object().value(u"code").toString().isEmpty());
        }

        // A design with errors is not written unless forced.
        const QString out = dir.filePath(u"out"_qs);
        const Run gen = meshpad({u"generate"_qs, path, u"-o"_qs, out});
        QCOMPARE(gen.status, 1);
        QVERIFY(gen.err.contains(u"nothing written"));
        QVERIFY(!QDir(out).exists());
        const Run forced = meshpad({u"generate"_qs, path, u"-o"_qs, out, u"--force"_qs});
        QCOMPARE(forced.status, 1);
        QVERIFY(QFile::exists(out + u"/nomad/counter.nomad.hcl"));
    }

    void generateWritesEveryArtifactDeterministically()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(u"a"_qs), b = dir.filePath(u"b/nested"_qs);
        const Run first = meshpad({u"generate"_qs, example(), u"-o"_qs, a});
        QCOMPARE(first.status, 0);
        const Run second = meshpad({u"generate"_qs, example(), u"--output"_qs, b});
        QCOMPARE(second.status, 0);
        const auto treeA = readTree(a), treeB = readTree(b);
        QCOMPARE(treeA, treeB);
        for (const char *expected : {"consul/count-api.json", "consul/count-api.hcl", "consul/count-dashboard.json",
                                     "consul/intentions/count-api.json", "nomad/counter.nomad.hcl", "nomad/counter.json",
                                     "nomad/dashboard.nomad.hcl", "nomad/dashboard.json"}) {
            QVERIFY2(treeA.contains(QString::fromLatin1(expected)), expected);
        }
        // stdout lists exactly the files written.
        QCOMPARE(first.out.split(u'\n', Qt::SkipEmptyParts).size(), treeA.size());
    }

    // Without a command, meshpad is the editor: on a first start (empty
    // settings) it opens the bundled countdash example. --quit-after-load
    // (hidden, for tests and scripts) prints what the window shows and exits.
    void noCommandOpensTheExampleInTheEditor()
    {
        QTemporaryDir home;
        const Run r = meshpad({u"-platform"_qs, u"offscreen"_qs, u"--quit-after-load"_qs}, home.path());
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.contains(u"title: countdash.meshpad — Meshpad\n"_qs), qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(u"services: count-dashboard, count-api\n"_qs), qPrintable(r.out + r.err));
    }

    void fileArgumentOpensItInTheEditor()
    {
        QTemporaryDir home;
        const Run r = meshpad({u"-platform"_qs, u"offscreen"_qs, u"--quit-after-load"_qs, example()}, home.path());
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.contains(u"file: "_qs + example() + u'\n'), qPrintable(r.out + r.err));
    }

    void unknownWordIsAUsageError()
    {
        QTemporaryDir home;
        const Run r = meshpad({u"-platform"_qs, u"offscreen"_qs, u"genrate"_qs}, home.path());
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(u"no such file or command \"genrate\""_qs), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
