// Deploy tokens with no keychain to hold them (issue 16, fault F13): no
// Secret Service, no KWallet, or no D-Bus session bus at all. Storing a
// token fails with an error the caller gets (and the Deploy dialog shows);
// no file under the test's HOME and XDG folders holds the token in any
// encoding afterwards (QtKeychain's insecure QSettings fallback stays off);
// a session that did not type the token reads it back as an error, not as
// an empty success; the answers come asynchronously, never while write()
// or read() hold the GUI thread.
//
// QtKeychain picks its backend once per process from the desktop variables
// and what answers on the session bus (frankosterfeld/qtkeychain:
// qtkeychain/keychain_unix.cpp, detectKeyringBackend). So main() isolates
// the process before QApplication exists: HOME and XDG_* in a temporary
// folder, DBUS_SESSION_BUS_ADDRESS at a socket that does not exist, no
// desktop. Other desktops and a session bus without any keychain on it (a
// private dbus-daemon with no service directories, so nothing can be
// activated: dbus-daemon(1)) run the same test functions in a child process
// of this executable (otherSessionsFailTheSameWay).
//
// Test hooks read by main() (for those children): MESHPAD_TOKENSTORE_ROOT
// (use this folder, do not make one), MESHPAD_TOKENSTORE_BUS (the session
// bus address), MESHPAD_TOKENSTORE_DESKTOP / _KDE_VERSION
// (XDG_CURRENT_DESKTOP / KDE_SESSION_VERSION), MESHPAD_TOKENSTORE_PROFILE
// (the profile readWithoutAKeychainFailsAndSaysSo reads).

#include "deploy/deploydialog.h"
#include "deploy/tokenstore.h"
#include "mainwindow.h"
#include "support/windowlookup.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <optional>

using meshpad::gui::DeployDialog;
using meshpad::gui::MainWindow;
using meshpad::gui::TokenStore;
using meshtest::windowAction;

namespace {

// Above TokenStore's own 8 s keychain timeout, with room for a loaded machine.
constexpr int kTimeoutMs = 30'000;

QString example()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

// A token nobody else has: what the file scan looks for.
QString uniqueToken(QStringView kind)
{
    return kind + u"-secret-"_qs + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// The forms a token could take on disk: UTF-8 (QSettings, JSON), UTF-16
// (a QDataStream'd QString) and base64 (QtKeychain's binary entries).
QList<QByteArray> encodings(const QString &token)
{
    const QByteArray utf8 = token.toUtf8();
    return {utf8, QByteArray(reinterpret_cast<const char *>(token.utf16()), token.size() * 2), utf8.toBase64()};
}

// Every regular file under `root` (hidden ones too) holding one of the
// tokens in one of its encodings.
QStringList filesContaining(const QString &root, const QStringList &tokens)
{
    QList<QByteArray> needles;
    for (const QString &token : tokens)
        needles += encodings(token);
    QStringList found;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!it.fileInfo().isFile() || it.fileInfo().isSymLink())
            continue;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray content = file.readAll();
        for (const QByteArray &needle : std::as_const(needles)) {
            if (content.contains(needle)) {
                found.append(path);
                break;
            }
        }
    }
    return found;
}

// The folder this process's HOME and XDG_* point into, set up by main().
QString g_root;

} // namespace

class TestTokenStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(!g_root.isEmpty());
        QCOMPARE(qEnvironmentVariable("HOME"), QDir(g_root).filePath(u"home"_qs));
        QVERIFY(qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS").startsWith(u"unix:path="));
        // The scan finds a token where there is one, in each encoding.
        const QString token = uniqueToken(u"probe");
        QTemporaryDir probe(QDir(g_root).filePath(u"probe-XXXXXX"_qs));
        for (const QByteArray &bytes : encodings(token)) {
            QFile file(probe.filePath(u"nested/.hidden"_qs));
            QDir().mkpath(probe.filePath(u"nested"_qs));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("prefix" + bytes + "suffix");
            file.close();
            QCOMPARE(filesContaining(g_root, {token}), QStringList{file.fileName()});
        }
    }

    void writeWithoutAKeychainFailsAndSaysSo_data()
    {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<bool>("withNomad");
        QTest::newRow("Consul and Nomad tokens") << u"staging"_qs << true;
        QTest::newRow("a Consul token only (Nomad's entry removed)") << u"production"_qs << false;
    }

    void writeWithoutAKeychainFailsAndSaysSo()
    {
        QFETCH(QString, profile);
        QFETCH(bool, withNomad);
        const TokenStore::Tokens tokens{uniqueToken(u"consul"), withNomad ? uniqueToken(u"nomad") : QString()};
        TokenStore store;
        QSignalSpy written(&store, &TokenStore::tokensWritten);
        store.write(profile, tokens);
        // The keychain is asked and answers later: write() returned without
        // holding the GUI thread for it.
        QCOMPARE(written.count(), 0);
        QVERIFY(written.wait(kTimeoutMs));
        QCOMPARE(written.count(), 1);
        QCOMPARE(written.at(0).at(0).toString(), profile);
        const QString error = written.at(0).at(1).toString();
        QVERIFY2(!error.isEmpty(), "a token with no keychain to take it was reported as saved");
        QVERIFY2(error.contains(u"keychain"), qPrintable(error));
        QVERIFY2(!error.contains(tokens.consul) && (!withNomad || !error.contains(tokens.nomad)), qPrintable(error));

        // Nowhere on disk, in no encoding.
        const QStringList found = filesContaining(g_root, {tokens.consul, tokens.nomad});
        QVERIFY2(found.isEmpty(), qPrintable(found.join(u", ")));
        // This session keeps it in memory only (what the Deploy dialog
        // tells the user).
        bool known = false;
        QCOMPARE(TokenStore::sessionTokens(profile, &known).consul, tokens.consul);
        QVERIFY(known);
    }

    // A profile whose token this session never typed: what a session after
    // a restart sees. The keychain cannot be read, and that is an error —
    // not "no token" with success.
    void readWithoutAKeychainFailsAndSaysSo()
    {
        const QString profile = qEnvironmentVariableIsSet("MESHPAD_TOKENSTORE_PROFILE")
                                    ? qEnvironmentVariable("MESHPAD_TOKENSTORE_PROFILE")
                                    : u"never-typed"_qs;
        bool known = true;
        TokenStore::sessionTokens(profile, &known);
        QVERIFY(!known);
        TokenStore store;
        QSignalSpy read(&store, &TokenStore::tokensRead);
        store.read(profile);
        QCOMPARE(read.count(), 0);
        QVERIFY(read.wait(kTimeoutMs));
        QCOMPARE(read.count(), 1);
        QCOMPARE(read.at(0).at(0).toString(), profile);
        const auto tokens = read.at(0).at(1).value<TokenStore::Tokens>();
        QVERIFY(tokens.isEmpty());
        const QString error = read.at(0).at(2).toString();
        QVERIFY2(!error.isEmpty(), "an unreadable keychain was reported as an empty one");
        QVERIFY2(error.contains(u"keychain"), qPrintable(error));
    }

    // New… in the Deploy dialog with tokens typed: the target is saved, the
    // tokens are not, and the dialog says so and what happens instead.
    void deployDialogSaysTheTokenWasNotSaved()
    {
        MainWindow window;
        QVERIFY(window.openFile(example()));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction *deploy = windowAction(window, u"actionDeploy"_qs);
        QVERIFY(deploy);
        deploy->trigger();
        DeployDialog *dialog = window.deployDialog();
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));

        QTest::mouseClick(dialog->findChild<QPushButton *>(u"newTargetButton"_qs), Qt::LeftButton);
        QDialog *editor = nullptr;
        QTRY_VERIFY((editor = dialog->findChild<QDialog *>(u"targetEditor"_qs)) && editor->isVisible());
        const auto type = [editor](const QString &field, const QString &text) {
            auto *edit = editor->findChild<QLineEdit *>(field);
            QVERIFY2(edit, qPrintable(field));
            edit->setFocus();
            QTest::keyClicks(edit, text);
        };
        const QString consulToken = uniqueToken(u"consul");
        const QString nomadToken = uniqueToken(u"nomad");
        type(u"targetName"_qs, u"dialog-target"_qs);
        type(u"consulAddress"_qs, u"http://127.0.0.1:8500"_qs);
        type(u"nomadAddress"_qs, u"http://127.0.0.1:4646"_qs);
        type(u"consulToken"_qs, consulToken);
        type(u"nomadToken"_qs, nomadToken);
        QTest::mouseClick(editor->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);

        QTRY_VERIFY_WITH_TIMEOUT(dialog->statusLabel()->text().contains(u"Token of \"dialog-target\" not saved"),
                                 kTimeoutMs);
        const QString status = dialog->statusLabel()->text();
        QVERIFY2(status.contains(u"keychain"), qPrintable(status));
        QVERIFY2(status.contains(u"kept until Meshpad quits"), qPrintable(status));
        QVERIFY2(!status.contains(consulToken) && !status.contains(nomadToken), qPrintable(status));
        QCOMPARE(dialog->currentTarget(), u"dialog-target"_qs);
        // The profile reached targets.json; the tokens reached no file.
        QVERIFY(!filesContaining(g_root, {u"http://127.0.0.1:4646"_qs}).isEmpty());
        const QStringList found = filesContaining(g_root, {consulToken, nomadToken});
        QVERIFY2(found.isEmpty(), qPrintable(found.join(u", ")));

        dialog->close();
        QTRY_VERIFY(!window.deployDialog());
    }

    void otherSessionsFailTheSameWay_data()
    {
        QTest::addColumn<QString>("desktop");
        QTest::addColumn<QString>("kdeVersion");
        QTest::addColumn<bool>("emptyBus");
        QTest::addColumn<bool>("sameFolders");
        QTest::newRow("a restart, same folders, no session bus") << QString() << QString() << false << true;
        QTest::newRow("KDE Plasma 5, no session bus") << u"KDE"_qs << u"5"_qs << false << false;
        QTest::newRow("KDE Plasma 5, a session bus without KWallet") << u"KDE"_qs << u"5"_qs << true << false;
        QTest::newRow("GNOME, a session bus without a Secret Service") << u"GNOME"_qs << QString() << true << false;
        QTest::newRow("no desktop, a session bus without any keychain") << QString() << QString() << true << false;
    }

    // This executable again, as another session: the write and read tests
    // above in a process of their own. "A restart" reads back the profile
    // this process wrote, in the same folders.
    void otherSessionsFailTheSameWay()
    {
        QFETCH(QString, desktop);
        QFETCH(QString, kdeVersion);
        QFETCH(bool, emptyBus);
        QFETCH(bool, sameFolders);

        QTemporaryDir busDir;
        QVERIFY(busDir.isValid());
        QProcess bus;
        QString busAddress;
        if (emptyBus) {
            // A session bus with no service directories: nothing answers as
            // org.freedesktop.secrets or org.kde.kwalletd*, and nothing can
            // be activated to (dbus-daemon(1), "servicedir").
            QFile config(busDir.filePath(u"session.conf"_qs));
            QVERIFY(config.open(QIODevice::WriteOnly));
            config.write("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                         " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                         "<busconfig>\n  <type>session</type>\n  <listen>unix:path="
                         + busDir.filePath(u"bus"_qs).toUtf8()
                         + "</listen>\n  <auth>EXTERNAL</auth>\n  <policy context=\"default\">\n"
                           "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n    <allow eavesdrop=\"true\"/>\n"
                           "    <allow own=\"*\"/>\n  </policy>\n</busconfig>\n");
            config.close();
            const QString daemon = QStandardPaths::findExecutable(u"dbus-daemon"_qs);
            QVERIFY2(!daemon.isEmpty(), "dbus-daemon is missing: apt-get install dbus-daemon");
            bus.start(daemon, {u"--config-file"_qs, config.fileName(), u"--nofork"_qs, u"--print-address"_qs});
            QVERIFY2(bus.waitForStarted(kTimeoutMs), qPrintable(bus.errorString()));
            QTRY_VERIFY_WITH_TIMEOUT(bus.canReadLine() || bus.state() != QProcess::Running, kTimeoutMs);
            busAddress = QString::fromUtf8(bus.readLine()).trimmed();
            QVERIFY2(busAddress.startsWith(u"unix:"),
                     qPrintable(busAddress + QString::fromUtf8(bus.readAllStandardError())));
        }

        QStringList functions{u"writeWithoutAKeychainFailsAndSaysSo"_qs, u"readWithoutAKeychainFailsAndSaysSo"_qs};
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"MESHPAD_TOKENSTORE_ROOT", "MESHPAD_TOKENSTORE_BUS", "MESHPAD_TOKENSTORE_DESKTOP",
                                 "MESHPAD_TOKENSTORE_KDE_VERSION", "MESHPAD_TOKENSTORE_PROFILE"})
            env.remove(QString::fromLatin1(name));
        if (sameFolders) {
            // What this process stored (and failed to) under "restarted".
            TokenStore store;
            QSignalSpy written(&store, &TokenStore::tokensWritten);
            const QString token = uniqueToken(u"consul");
            store.write(u"restarted"_qs, {token, token});
            QVERIFY(written.wait(kTimeoutMs));
            QVERIFY(!written.at(0).at(1).toString().isEmpty());
            env.insert(u"MESHPAD_TOKENSTORE_ROOT"_qs, g_root);
            env.insert(u"MESHPAD_TOKENSTORE_PROFILE"_qs, u"restarted"_qs);
            functions = {u"readWithoutAKeychainFailsAndSaysSo"_qs};
        }
        if (!busAddress.isEmpty())
            env.insert(u"MESHPAD_TOKENSTORE_BUS"_qs, busAddress);
        if (!desktop.isEmpty())
            env.insert(u"MESHPAD_TOKENSTORE_DESKTOP"_qs, desktop);
        if (!kdeVersion.isEmpty())
            env.insert(u"MESHPAD_TOKENSTORE_KDE_VERSION"_qs, kdeVersion);

        QProcess child;
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QCoreApplication::applicationFilePath(), functions);
        QVERIFY(child.waitForFinished(4 * kTimeoutMs));
        const QString out = QString::fromUtf8(child.readAll());
        QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, qPrintable(out));
        // Every function ran and passed (the data rows count too).
        const qsizetype runs = functions.size() == 1 ? 1 : 3;
        QVERIFY2(out.contains(u"Totals: %1 passed, 0 failed, 0 skipped"_qs.arg(runs + 2)), qPrintable(out));

        if (bus.state() == QProcess::Running) {
            bus.terminate();
            QVERIFY(bus.waitForFinished(kTimeoutMs));
        }
    }
};

int main(int argc, char **argv)
{
    // Before QApplication and QtKeychain look at the environment.
    std::optional<QTemporaryDir> own;
    if (qEnvironmentVariableIsSet("MESHPAD_TOKENSTORE_ROOT")) {
        g_root = qEnvironmentVariable("MESHPAD_TOKENSTORE_ROOT");
    } else {
        own.emplace();
        if (!own->isValid())
            return 1;
        g_root = own->path();
    }
    const QDir root(g_root);
    const auto dirVariable = [&root](const char *name, const QString &dir) {
        root.mkpath(dir);
        qputenv(name, root.filePath(dir).toUtf8());
    };
    dirVariable("HOME", u"home"_qs);
    dirVariable("XDG_CONFIG_HOME", u"config"_qs);
    dirVariable("XDG_DATA_HOME", u"data"_qs);
    dirVariable("XDG_CACHE_HOME", u"cache"_qs);
    dirVariable("XDG_STATE_HOME", u"state"_qs);
    dirVariable("XDG_RUNTIME_DIR", u"runtime"_qs);
    QFile::setPermissions(root.filePath(u"runtime"_qs), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QByteArray bus = qgetenv("MESHPAD_TOKENSTORE_BUS");
    qputenv("DBUS_SESSION_BUS_ADDRESS", bus.isEmpty() ? "unix:path=" + root.filePath(u"no-bus"_qs).toUtf8() : bus);
    for (const char *name :
         {"XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_SESSION_VERSION", "KDE_FULL_SESSION",
          "GNOME_DESKTOP_SESSION_ID", "DISPLAY", "WAYLAND_DISPLAY", "CONSUL_HTTP_TOKEN", "NOMAD_TOKEN"})
        qunsetenv(name);
    if (qEnvironmentVariableIsSet("MESHPAD_TOKENSTORE_DESKTOP"))
        qputenv("XDG_CURRENT_DESKTOP", qgetenv("MESHPAD_TOKENSTORE_DESKTOP"));
    if (qEnvironmentVariableIsSet("MESHPAD_TOKENSTORE_KDE_VERSION"))
        qputenv("KDE_SESSION_VERSION", qgetenv("MESHPAD_TOKENSTORE_KDE_VERSION"));

    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"meshpad"_qs);
    TestTokenStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_tokenstore.moc"
