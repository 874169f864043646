// Saving a design when the disk fails or the process dies mid-save (issue 16,
// fault F12): the file under the design's name is the old one byte for byte
// and still loads, the failed save says which file and why, and a failed
// save leaves no temporary file behind.
//
// The faults are real: a full disk is the kernel refusing writes past
// RLIMIT_FSIZE (write(2) fails with EFBIG once SIGXFSZ is ignored — see
// setrlimit(2) and write(2)), set in tests/tools/savechild (the library's
// ProjectFile::save in a process of its own) or, for the editor's message,
// around one MainWindow::saveTo call; a crash is SIGKILL of savechild while
// its QSaveFile's temporary file is half written. Crash *recovery* on the next start
// is tst_mainwindow's crashedSessionIsRestored and
// crashRecoveryIsOfferedOnTheNextStart.

#include "mainwindow.h"
#include "model/projectfile.h"
#include "support/modaldialogs.h"
#include "support/privatesettings.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoCommand>

#include <cerrno>
#include <cstring>

#include <signal.h>
#include <sys/resource.h>

using mesh::model::ProjectFile;
using meshpad::gui::MainWindow;

namespace {

constexpr int kTimeoutMs = 120'000;
// A design of a few megabytes, so the save killed half way through its
// first write leaves a partial file that is clearly not the old one.
constexpr int kBigDesignServices = 5'000;

QString example()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad");
}

QString saveChild()
{
    return QStringLiteral(MESHPAD_SAVECHILD);
}

// The example as a user's own file: a writable copy at `path`.
bool copyExample(const QString &path)
{
    return QFile::copy(example(), path) && QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Everything in the folder, hidden files included.
QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

// The text of EFBIG as the C library words it ("File too large" in glibc):
// what Qt's QFileDevice::errorString() carries for the failed write.
QString fileTooLarge()
{
    return QString::fromLocal8Bit(std::strerror(EFBIG));
}

// The calling process may not write past `bytes` into any regular file
// until the guard ends: RLIMIT_FSIZE with SIGXFSZ ignored, so write(2)
// fails with EFBIG instead of the process being killed (setrlimit(2)).
// Only the soft limit moves; it goes back to what it was.
class FileSizeLimit
{
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        m_ok = getrlimit(RLIMIT_FSIZE, &m_old) == 0;
        struct sigaction ignore = {};
        ignore.sa_handler = SIG_IGN;
        m_ok = m_ok && sigaction(SIGXFSZ, &ignore, &m_oldAction) == 0;
        rlimit limited = m_old;
        limited.rlim_cur = bytes;
        m_ok = m_ok && setrlimit(RLIMIT_FSIZE, &limited) == 0;
    }
    ~FileSizeLimit()
    {
        setrlimit(RLIMIT_FSIZE, &m_old);
        sigaction(SIGXFSZ, &m_oldAction, nullptr);
    }
    Q_DISABLE_COPY_MOVE(FileSizeLimit)
    bool ok() const { return m_ok; }

private:
    rlimit m_old = {};
    struct sigaction m_oldAction = {};
    bool m_ok = false;
};

// What process `pid` has open in `dir`: the targets of its descriptors
// under /proc/<pid>/fd (proc(5)); an unlinked or O_TMPFILE file reads as
// "<dir>/#<inode> (deleted)".
QStringList openFilesIn(pid_t pid, const QString &dir)
{
    QStringList open;
    const QString fds = u"/proc/%1/fd"_qs.arg(pid);
    const QString prefix = QFileInfo(dir).canonicalFilePath() + u'/';
    for (const QString &fd : QDir(fds).entryList(QDir::Files | QDir::System)) {
        const QString target = QFile::symLinkTarget(fds + u'/' + fd);
        if (target.startsWith(prefix))
            open.append(target);
    }
    return open;
}

// The state letter of /proc/<pid>/stat (proc(5)): 'T' once stopped.
char processState(pid_t pid)
{
    QFile stat(u"/proc/%1/stat"_qs.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return '?';
    // "pid (comm) S ...": comm may hold spaces and parentheses.
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close >= 0 && close + 2 < line.size() ? line.at(close + 2) : '?';
}

using meshtest::visibleMessageBox;

} // namespace

class TestProjectFileSave : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        // The editor's settings and recovery files in this test's folder.
        QVERIFY(meshtest::usePrivateSettings(m_home));
        QCoreApplication::setApplicationName(u"meshpad"_qs);
        QVERIFY2(QFile::exists(saveChild()), qPrintable(saveChild()));
    }

    void fullDiskLeavesTheOldFileAndSaysWhy_data()
    {
        QTest::addColumn<int>("services");
        QTest::addColumn<int>("limitBytes");
        // ~2 MB of design: written past QIODevice's buffer, straight to the
        // file; the small one fits the buffer and reaches the disk only
        // when it is flushed.
        QTest::newRow("disk full before the first byte") << 2000 << 0;
        QTest::newRow("disk fills half way through the file") << 2000 << 64 * 1024;
        QTest::newRow("disk full, a small design") << 2 << 0;
    }

    // ProjectFile::save (what Save and the autosaver call) in a process
    // that may not write past `limitBytes`, over a design already on disk.
    void fullDiskLeavesTheOldFileAndSaysWhy()
    {
        QFETCH(int, services);
        QFETCH(int, limitBytes);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"design.meshpad"_qs);
        QVERIFY(copyExample(path));
        const QByteArray before = readAll(path);
        QVERIFY(!before.isEmpty());

        QProcess child;
        child.setChildProcessModifier([limitBytes] {
            // Between fork and exec: only async-signal-safe calls. The limit
            // and the ignored SIGXFSZ survive execve(2).
            struct sigaction ignore = {};
            ignore.sa_handler = SIG_IGN;
            sigaction(SIGXFSZ, &ignore, nullptr);
            rlimit limit = {};
            getrlimit(RLIMIT_FSIZE, &limit);
            limit.rlim_cur = static_cast<rlim_t>(limitBytes);
            setrlimit(RLIMIT_FSIZE, &limit);
        });
        child.start(saveChild(), {path, QString::number(services)});
        QVERIFY2(child.waitForFinished(kTimeoutMs), qPrintable(child.errorString()));
        const QString err = QString::fromLocal8Bit(child.readAllStandardError());
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QVERIFY2(child.exitCode() == 1, qPrintable(err));

        // The message names the file and the reason, and says the old
        // file stands.
        QVERIFY2(err.contains(path), qPrintable(err));
        QVERIFY2(err.contains(fileTooLarge()), qPrintable(err));
        QVERIFY2(err.contains(u"the previous file is unchanged"), qPrintable(err));
        // The old design, byte for byte, and nothing else in the folder:
        // QSaveFile removed its temporary file.
        QCOMPARE(readAll(path), before);
        QCOMPARE(entries(dir.path()), QStringList{u"design.meshpad"_qs});
        const mesh::Result<mesh::model::Topology> reloaded = ProjectFile::load(path);
        QVERIFY2(reloaded, qPrintable(reloaded ? QString() : reloaded.error().message));
        QCOMPARE(*reloaded, *ProjectFile::load(example()));

        // The same process without the limit saves: the failure was the disk.
        QProcess unlimited;
        unlimited.start(saveChild(), {path, QString::number(services)});
        QVERIFY(unlimited.waitForFinished(kTimeoutMs));
        QCOMPARE(unlimited.exitCode(), 0);
        QVERIFY(readAll(path) != before);
    }

    // kill -9 of a process while it saves a big design over an existing
    // one. QSaveFile writes to a temporary file in the target's folder —
    // on Linux an unnamed O_TMPFILE one (open(2)) linked in at commit(),
    // elsewhere `<name>.XXXXXX`. The child stops itself half way through
    // its first write there (savechild --stop-mid-save), is checked to
    // hold that file open and not to have committed, then killed: the kill
    // lands mid-save for certain.
    void killDuringSaveLeavesTheOldFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString name = u"design.meshpad"_qs;
        const QString path = dir.filePath(name);
        QVERIFY(copyExample(path));
        const QByteArray before = readAll(path);

        QProcess child;
        child.start(saveChild(), {u"--stop-mid-save"_qs, path, QString::number(kBigDesignServices)});
        QVERIFY2(child.waitForStarted(kTimeoutMs), qPrintable(child.errorString()));
        const auto pid = static_cast<pid_t>(child.processId());
        QTRY_VERIFY_WITH_TIMEOUT(processState(pid) == 'T' || child.state() != QProcess::Running, kTimeoutMs);
        QVERIFY2(
            child.state() == QProcess::Running,
            qPrintable(u"the save ended without stopping: "_qs + QString::fromLocal8Bit(child.readAllStandardError())));
        // Stopped with the temporary file open: not committed yet.
        const QStringList open = openFilesIn(pid, dir.path());
        QVERIFY2(!open.isEmpty() && !open.contains(path), qPrintable(open.join(u", ")));
        QCOMPARE(readAll(path), before);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QVERIFY(child.waitForFinished(kTimeoutMs));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        // The old design under its name, byte for byte, and it loads.
        QCOMPARE(readAll(path), before);
        const mesh::Result<mesh::model::Topology> reloaded = ProjectFile::load(path);
        QVERIFY2(reloaded, qPrintable(reloaded ? QString() : reloaded.error().message));
        QCOMPARE(*reloaded, *ProjectFile::load(example()));
        // Nothing partial under the real name nor another *.meshpad name.
        // An unnamed temporary file vanishes with the process; a named one
        // (no O_TMPFILE) stays, as nobody is left to remove it, under a name
        // the editor's *.meshpad filter does not list.
        const QStringList after = entries(dir.path());
        QVERIFY2(after.size() <= 2 && after.contains(name), qPrintable(after.join(u", ")));
        QCOMPARE(QDir(dir.path()).entryList({u"*.meshpad"_qs}, QDir::Files | QDir::Hidden), QStringList{name});
    }

    // The editor's Save on a full disk: saveTo() fails, a message box names
    // the file and the reason, the design stays modified (the user can
    // still save elsewhere) and the file on disk is the old one.
    void fullDiskSaveTellsTheUser()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"design.meshpad"_qs);
        QVERIFY(copyExample(path));
        const QByteArray before = readAll(path);

        MainWindow window;
        QVERIFY(window.openFile(path));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // An edit not yet on disk.
        window.undoStack().push(new QUndoCommand(u"edit"_qs));
        QVERIFY(window.isWindowModified());

        bool saved = true;
        {
            // Nothing else in this process writes files during the call:
            // the autosaver's interval is 30 s.
            FileSizeLimit full(0);
            QVERIFY(full.ok());
            saved = window.saveTo(path);
        }
        QVERIFY(!saved);
        QVERIFY(window.isWindowModified());
        QCOMPARE(window.filePath(), QFileInfo(path).absoluteFilePath());
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = visibleMessageBox(&window)), kTimeoutMs);
        QCOMPARE(box->windowTitle(), u"Cannot save"_qs);
        QVERIFY2(box->text().contains(path), qPrintable(box->text()));
        QVERIFY2(box->text().contains(fileTooLarge()), qPrintable(box->text()));
        QCOMPARE(readAll(path), before);
        QCOMPARE(entries(dir.path()), QStringList{u"design.meshpad"_qs});
        box->close();

        // With room again, the same Save works and the design is clean.
        QVERIFY(window.saveTo(path));
        QVERIFY(!window.isWindowModified());
        window.undoStack().setClean();
    }
};

QTEST_MAIN(TestProjectFileSave)
#include "tst_projectfilesave.moc"
