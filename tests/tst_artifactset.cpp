// ArtifactSet: add() and find() on a large set in a stable order, and
// writeTo()'s refusals — paths that could leave the folder, paths that are
// one file on a case-insensitive file system, and what already lies in the
// folder (links, a directory where a file goes) — each before anything is
// written. `meshpad generate` over planted links is tst_cli's.

#include "filetree.h"
#include "generate/artifactset.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

using namespace mesh::generate;

namespace {

Artifact file(const QString &path, const QString &text = QStringLiteral("text\n"), bool executable = false)
{
    return {path, executable ? ArtifactKind::Shell : ArtifactKind::Json, text, executable};
}

// Like a generated design: files at the top, two and three levels down, and
// executables among them.
ArtifactSet smallSet(const QString &version = QStringLiteral("1"))
{
    ArtifactSet set;
    set.add(file(u"README.md"_qs, u"readme "_qs + version));
    set.add(file(u"consul/web.json"_qs, u"{\"v\": "_qs + version + u'}'));
    set.add(file(u"consul/intentions/web.json"_qs, u"{}"_qs));
    set.add(file(u"scripts/start.sh"_qs, u"#!/bin/sh\necho "_qs + version + u'\n', true));
    set.add(file(u"hashibox/provision/install.sh"_qs, u"#!/bin/sh\n"_qs, true));
    return set;
}

QByteArray contentOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestArtifactSet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void largeSetKeepsOrderAndFindsEveryPath();
    void refusesPathsBeforeWriting_data();
    void refusesPathsBeforeWriting();
    void refusesWhatIsInTheFolder_data();
    void refusesWhatIsInTheFolder();
    void writesExactModesUnderAStrictUmask();
    void rewriteReplacesFilesNotWhatTheyLinkTo();
    void rootMayBeALinkTheUserChose();
};

// 60,000 artifacts: with a linear find() in add() this is 1.8 billion
// string comparisons; with the index it is immediate.
void TestArtifactSet::largeSetKeepsOrderAndFindsEveryPath()
{
    constexpr int kCount = 60000;
    ArtifactSet set;
    QStringList expected;
    for (int i = 0; i < kCount; ++i) {
        // Not in sorted order, so a sorted container would show.
        const int n = (i * 7919) % kCount;
        const QString path = u"dir"_qs + QString::number(n % 5) + u"/svc-"_qs + QString::number(n) + u".json"_qs;
        expected << path;
        set.add(file(path, QString::number(n)));
    }
    QCOMPARE(set.paths(), expected);
    QCOMPARE(set.artifacts().size(), qsizetype(kCount));
    for (int i = 0; i < kCount; ++i) {
        const Artifact *a = set.find(expected[i]);
        QVERIFY2(a, qPrintable(expected[i]));
        QCOMPARE(a->path, expected[i]);
        QCOMPARE(a, &set.artifacts()[i]);
    }
    QVERIFY(!set.find(u"dir0/missing.json"));
    QVERIFY(!set.find(u"DIR0/svc-0.json")); // find is exact, case included
}

void TestArtifactSet::refusesPathsBeforeWriting_data()
{
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<QString>("message");
    QTest::newRow("absolute path") << QStringList{u"/tmp/meshpad-absolute.json"_qs} << u"absolute"_qs;
    QTest::newRow("dot-dot leaves the folder") << QStringList{u"../outside.json"_qs} << u"\"..\""_qs;
    QTest::newRow("dot-dot in the middle") << QStringList{u"consul/../../outside.json"_qs} << u"\"..\""_qs;
    QTest::newRow("empty component") << QStringList{u"consul//web.json"_qs} << u"empty component"_qs;
    QTest::newRow("trailing slash") << QStringList{u"consul/"_qs} << u"empty component"_qs;
    QTest::newRow("empty path") << QStringList{QString()} << u"empty"_qs;
    QTest::newRow("dot component") << QStringList{u"./web.json"_qs} << u"\".\""_qs;
    QTest::newRow("NUL character") << QStringList{u"web.json"_qs + QChar(0) + u".sh"_qs} << u"NUL"_qs;
    QTest::newRow("file names differ only in case")
        << QStringList{u"consul/Web.json"_qs, u"consul/web.json"_qs} << u"differ only in case"_qs;
    QTest::newRow("directory names differ only in case")
        << QStringList{u"Consul/web.json"_qs, u"consul/WEB.json"_qs} << u"differ only in case"_qs;
    QTest::newRow("composed and decomposed é")
        << QStringList{u"consul/caf\u00e9.json"_qs, u"consul/cafe\u0301.json"_qs} << u"differ only in case"_qs;
    QTest::newRow("upper and lower case umlaut")
        << QStringList{u"consul/\u00c4.json"_qs, u"consul/\u00e4.json"_qs} << u"differ only in case"_qs;
    QTest::newRow("a file is another file's directory")
        << QStringList{u"consul"_qs, u"consul/web.json"_qs} << u"would also be the directory of \"consul/web.json\""_qs;
    QTest::newRow("a file is another file's directory, by case")
        << QStringList{u"scripts/Start"_qs, u"scripts/start/run.sh"_qs} << u"would also be the directory"_qs;
}

void TestArtifactSet::refusesPathsBeforeWriting()
{
    QFETCH(QStringList, paths);
    QFETCH(QString, message);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"out"_qs);
    ArtifactSet set;
    set.add(file(u"README.md"_qs)); // valid, and first: must not be written either
    for (const QString &path : paths)
        set.add(file(path));

    const auto written = set.writeTo(out);
    QVERIFY(!written);
    QVERIFY2(written.error().message.contains(message), qPrintable(written.error().message));
    QVERIFY2(written.error().message.contains(u"refusing to write"), qPrintable(written.error().message));
    // Refused before anything was created: not even the folder.
    QVERIFY(!QFileInfo::exists(out));
    QCOMPARE(meshtest::fileTreeSnapshot(tmp.path()), QStringList());
    QVERIFY(!QFileInfo::exists(u"/tmp/meshpad-absolute.json"_qs));
}

void TestArtifactSet::refusesWhatIsInTheFolder_data()
{
    // What to plant in the folder before writing smallSet() into it, and the
    // path the refusal must name.
    QTest::addColumn<QString>("plant");
    QTest::addColumn<QString>("refused");
    QTest::addColumn<QString>("message");
    QTest::newRow("a link two directories down") << u"hashibox/provision -> elsewhere"_qs << u"hashibox/provision"_qs
                                                 << u"refusing to write through the symbolic link"_qs;
    QTest::newRow("a relative link to the parent folder")
        << u"consul -> .."_qs << u"consul"_qs << u"refusing to write through the symbolic link"_qs;
    QTest::newRow("a link to a victim as a file") << u"README.md -> elsewhere/victim"_qs << u"README.md"_qs
                                                  << u"is a symbolic link; remove it or choose another folder"_qs;
    QTest::newRow("a directory where a file goes")
        << u"consul/web.json/"_qs << u"consul/web.json"_qs << u"is a directory"_qs;
    QTest::newRow("a file where a directory goes") << u"scripts"_qs << u"scripts"_qs << u"is not a directory"_qs;
    QTest::newRow("a FIFO where a file goes") << u"README.md|"_qs << u"README.md"_qs << u"not a regular file"_qs;
}

void TestArtifactSet::refusesWhatIsInTheFolder()
{
    QFETCH(QString, plant);
    QFETCH(QString, refused);
    QFETCH(QString, message);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"out"_qs), elsewhere = tmp.filePath(u"elsewhere"_qs);
    QVERIFY(QDir().mkpath(out));
    QVERIFY(QDir().mkpath(elsewhere));
    QVERIFY(writeBytes(elsewhere + u"/victim"_qs, "victim\n"));
    QVERIFY(QFile::setPermissions(elsewhere + u"/victim"_qs, QFile::ReadOwner | QFile::WriteOwner));

    const QString at = out + u'/' + plant.section(u" -> "_qs, 0, 0);
    QVERIFY(QDir().mkpath(QFileInfo(at).absolutePath()));
    if (plant.contains(u" -> ")) {
        const QString target = plant.section(u" -> "_qs, 1);
        const QString absolute = target == u".." ? target : tmp.filePath(target);
        QVERIFY(::symlink(QFile::encodeName(absolute).constData(), QFile::encodeName(at).constData()) == 0);
    } else if (plant.endsWith(u'/')) {
        QVERIFY(QDir().mkpath(at));
    } else if (plant.endsWith(u'|')) {
        QVERIFY(::mkfifo(QFile::encodeName(at.chopped(1)).constData(), 0644) == 0);
    } else {
        QVERIFY(writeBytes(at, "mine\n"));
    }
    const QStringList before = meshtest::fileTreeSnapshot(tmp.path());

    const auto written = smallSet().writeTo(out);
    QVERIFY(!written);
    const QString shown = out + u'/' + refused;
    QVERIFY2(written.error().message.contains(shown), qPrintable(written.error().message));
    QVERIFY2(written.error().message.contains(message), qPrintable(written.error().message));
    // Known up front, so nothing at all was written: not in the folder, not
    // where the link points.
    QCOMPARE(meshtest::fileTreeSnapshot(tmp.path()), before);
}

void TestArtifactSet::writesExactModesUnderAStrictUmask()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const mode_t previous = ::umask(077);
    const auto written = smallSet().writeTo(tmp.path());
    ::umask(previous);
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    QCOMPARE(meshtest::fileMode(tmp.filePath(u"README.md"_qs)), mode_t(0644));
    QCOMPARE(meshtest::fileMode(tmp.filePath(u"consul/intentions/web.json"_qs)), mode_t(0644));
    QCOMPARE(meshtest::fileMode(tmp.filePath(u"scripts/start.sh"_qs)), mode_t(0755));
    QCOMPARE(meshtest::fileMode(tmp.filePath(u"hashibox/provision/install.sh"_qs)), mode_t(0755));
    QCOMPARE(contentOf(tmp.filePath(u"consul/web.json"_qs)), QByteArray("{\"v\": 1}"));
    // No temporary file is left behind.
    for (const QString &entry : meshtest::fileTreeSnapshot(tmp.path()))
        QVERIFY2(!entry.contains(u".meshpad-tmp-"), qPrintable(entry));
}

// A rename replaces the directory entry: a file hard-linked to the old one
// (a backup, or a victim's name for it) keeps the old content and mode.
void TestArtifactSet::rewriteReplacesFilesNotWhatTheyLinkTo()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"out"_qs);
    QVERIFY(smallSet(u"1"_qs).writeTo(out));
    const QString script = out + u"/scripts/start.sh"_qs, kept = tmp.filePath(u"kept.sh"_qs);
    QVERIFY(::link(QFile::encodeName(script).constData(), QFile::encodeName(kept).constData()) == 0);
    QVERIFY(QFile::setPermissions(script, QFile::ReadOwner | QFile::WriteOwner));
    QVERIFY(writeBytes(out + u"/user-notes.txt"_qs, "mine\n"));

    const auto written = smallSet(u"2"_qs).writeTo(out);
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    QCOMPARE(contentOf(script), QByteArray("#!/bin/sh\necho 2\n"));
    QCOMPARE(meshtest::fileMode(script), mode_t(0755));
    QCOMPARE(contentOf(kept), QByteArray("#!/bin/sh\necho 1\n"));
    QCOMPARE(meshtest::fileMode(kept), mode_t(0600));
    QCOMPARE(contentOf(out + u"/README.md"_qs), QByteArray("readme 2"));
    QCOMPARE(contentOf(out + u"/user-notes.txt"_qs), QByteArray("mine\n")); // not ours, left alone
}

// The folder itself is the user's choice (`-o` may name a link to a bigger
// disk): it is followed; only links below it are refused.
void TestArtifactSet::rootMayBeALinkTheUserChose()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString real = tmp.filePath(u"real"_qs), link = tmp.filePath(u"link"_qs);
    QVERIFY(QDir().mkpath(real));
    QVERIFY(QFile::link(real, link));
    const auto written = smallSet().writeTo(link + u"/out"_qs);
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    QCOMPARE(contentOf(real + u"/out/README.md"_qs), QByteArray("readme 1"));
    const auto direct = smallSet().writeTo(link);
    QVERIFY2(direct, direct ? "" : qPrintable(direct.error().message));
    QVERIFY(QFileInfo(real + u"/scripts/start.sh"_qs).isFile());
}

QTEST_GUILESS_MAIN(TestArtifactSet)
#include "tst_artifactset.moc"
