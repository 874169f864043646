// HclWriter: layout as `nomad fmt` leaves it, and strings that HashiCorp's
// HCL2 parser (tests/tools/hcl2json.mjs) reads back as exactly what we meant.
#include "generate/hclwriter.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using mesh::generate::HclWriter;
using namespace Qt::StringLiterals;

namespace {

// What a string in hcl2json's output means: it prints HCL's JSON syntax,
// where `$${` and `%%{` stand for literal `${` and `%{` (and `${…}` stays).
QString untemplate(const QString &s)
{
    QString out;
    for (qsizetype i = 0; i < s.size();) {
        if (s.mid(i, 3) == u"$${" || s.mid(i, 3) == u"%%{") {
            out += s[i] + u'{';
            i += 3;
        } else {
            out += s[i++];
        }
    }
    return out;
}

// Runs tests/tools/hcl2json.mjs on `text`; fails the test (never skips) when
// node or the parser is missing, as the README's test command installs both.
bool parseHcl(const QString &text, QJsonObject *json, QString *error)
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    const QString tools = QStringLiteral(MESHPAD_SOURCE_DIR "/tests/tools");
    if (node.isEmpty() || !QDir(tools + u"/node_modules/@cdktf/hcl2json").exists()) {
        *error = QStringLiteral("node or tests/tools/node_modules is missing: run `npm ci --prefix tests/tools`");
        return false;
    }
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("t.hcl")));
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0) {
        *error = QStringLiteral("cannot write a temporary file");
        return false;
    }
    file.close();
    QProcess process;
    process.start(node, {tools + u"/hcl2json.mjs", file.fileName()});
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        *error = QString::fromUtf8(process.readAllStandardError()) + u"\n--- in ---\n" + text;
        return false;
    }
    *json = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    return true;
}

} // namespace

class TestHclWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layout_data();
    void layout();
    void layoutParses();
    void stringSource_data();
    void stringSource();
    void stringsRoundTrip();
    void objectKeys_data();
    void objectKeys();
    void keysAndLabelsRoundTrip();
};

static QString countdashLikeText()
{
    return QStringLiteral(
        "job \"x\" {\n"
        "  datacenters = [\"dc1\"]\n"
        "}\n");
}

void TestHclWriter::layout_data()
{
    QTest::addColumn<int>("scenario");
    QTest::addColumn<QString>("expected");

    QTest::newRow("a run of attributes aligns its =") << 0
        << QStringLiteral("a {\n  name   = \"x\"\n  port   = 9\n  static = true\n}\n");
    QTest::newRow("a blank line ends the run") << 1
        << QStringLiteral("a {\n  name = \"x\"\n\n  static = 1\n}\n");
    QTest::newRow("a block ends the run") << 2
        << QStringLiteral("a {\n  long_name = 1\n  b {}\n  x = 2\n}\n");
    QTest::newRow("a multi-line object is outside any run, its keys align") << 3
        << QStringLiteral("a {\n  driver = \"exec\"\n  env = {\n    \"a.b\" = \"1\"\n    PORT  = \"2\"\n  }\n  z = 3\n}\n");
    QTest::newRow("empty blocks close on their line, labels are quoted") << 4
        << QStringLiteral("job \"x\" {\n  group \"a\\\"b\" {\n    connect {\n      sidecar_service {}\n    }\n  }\n}\n");
    QTest::newRow("quoted keys align by grapheme clusters") << 5
        << QStringLiteral("a = {\n  \"é.x\"  = 1\n  \"e\u0301.x\"  = 2\n  abcdef = 3\n}\n");
    QTest::newRow("the seed's layout") << 6 << countdashLikeText();
}

static QString buildLayout(int scenario)
{
    HclWriter w;
    auto &root = w.root();
    switch (scenario) {
    case 0: {
        auto &a = root.block(u"a");
        a.attribute(u"name", HclWriter::string(u"x"));
        a.attribute(u"port", HclWriter::number(9));
        a.attribute(u"static", HclWriter::boolean(true));
        break;
    }
    case 1:
        root.block(u"a").attribute(u"name", HclWriter::string(u"x")).blankLine().attribute(u"static", u"1"_s);
        break;
    case 2: {
        auto &a = root.block(u"a");
        a.attribute(u"long_name", u"1"_s);
        a.block(u"b");
        a.attribute(u"x", u"2"_s);
        break;
    }
    case 3: {
        auto &a = root.block(u"a");
        a.attribute(u"driver", HclWriter::string(u"exec"));
        a.attribute(u"env", HclWriter::object({{u"a.b"_s, HclWriter::string(u"1")}, {u"PORT"_s, HclWriter::string(u"2")}}));
        a.attribute(u"z", u"3"_s);
        break;
    }
    case 4:
        root.block(u"job", {u"x"_s}).block(u"group", {u"a\"b"_s}).block(u"connect").block(u"sidecar_service");
        break;
    case 5:
        root.attribute(u"a", HclWriter::object({{u"é.x"_s, u"1"_s}, {u"e\u0301.x"_s, u"2"_s}, {u"abcdef"_s, u"3"_s}}));
        break;
    case 6:
        root.block(u"job", {u"x"_s}).attribute(u"datacenters", HclWriter::stringList({u"dc1"_s}));
        break;
    }
    return w.text();
}

void TestHclWriter::layout()
{
    QFETCH(int, scenario);
    QFETCH(QString, expected);
    QCOMPARE(buildLayout(scenario), expected);
}

// Every layout above is HCL the parser accepts (one file: starting the
// parser is the slow part).
void TestHclWriter::layoutParses()
{
    QString text;
    for (int scenario = 0; scenario <= 6; ++scenario)
        text += buildLayout(scenario);
    QJsonObject json;
    QString error;
    QVERIFY2(parseHcl(text, &json, &error), qPrintable(error));
}

void TestHclWriter::stringSource_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("source");

    QTest::newRow("plain") << u"/vagrant/apps/bin/counter"_s << u"\"/vagrant/apps/bin/counter\""_s;
    QTest::newRow("quote and backslash") << u"a\"b\\c"_s << u"\"a\\\"b\\\\c\""_s;
    QTest::newRow("newline, tab, return") << u"a\nb\tc\rd"_s << u"\"a\\nb\\tc\\rd\""_s;
    QTest::newRow("other control characters") << u"a\u0001b\u007f"_s << u"\"a\\u0001b\\u007f\""_s;
    QTest::newRow("runtime variable kept") << u"http://${NOMAD_UPSTREAM_ADDR_count_api}"_s
                                           << u"\"http://${NOMAD_UPSTREAM_ADDR_count_api}\""_s;
    QTest::newRow("dotted runtime variable kept") << u"${meta.connect.log_level}"_s << u"\"${meta.connect.log_level}\""_s;
    QTest::newRow("expression in ${} escaped") << u"${a + 1}"_s << u"\"$${a + 1}\""_s;
    QTest::newRow("unclosed ${ escaped") << u"cost ${5"_s << u"\"cost $${5\""_s;
    QTest::newRow("directive %{ escaped") << u"%{if x}"_s << u"\"%%{if x}\""_s;
    QTest::newRow("escape sequence itself") << u"$${x} %%{y}"_s << u"\"$$${x} %%%{y}\""_s;
    QTest::newRow("lone $ and %") << u"100% $5 $"_s << u"\"100% $5 $\""_s;
    QTest::newRow("unicode") << u"grüße ✓ 𝄞"_s << u"\"grüße ✓ 𝄞\""_s;
    QTest::newRow("empty") << QString() << u"\"\""_s;
}

void TestHclWriter::stringSource()
{
    QFETCH(QString, value);
    QFETCH(QString, source);
    QCOMPARE(HclWriter::string(value), source);
}

// Every row of stringSource_data, read back by the parser, is the value.
void TestHclWriter::stringsRoundTrip()
{
    const QStringList values = {
        u"/vagrant/apps/bin/counter"_s, u"a\"b\\c"_s, u"a\nb\tc\rd"_s, u"a\u0001b\u007f"_s,
        u"http://${NOMAD_UPSTREAM_ADDR_count_api}"_s, u"${meta.connect.log_level}"_s,
        u"${a + 1}"_s, u"cost ${5"_s, u"%{if x}"_s, u"$${x} %%{y}"_s, u"$$${x}"_s,
        u"%%%{"_s, u"$${NOMAD_PORT_http}"_s, u"100% $5 $"_s, u"grüße ✓ 𝄞"_s, QString(),
        u"${NOMAD_PORT_http}${NOMAD_PORT_http}"_s, u"}${"_s, u"${}"_s, u"${ x }"_s,
    };
    HclWriter w;
    for (qsizetype i = 0; i < values.size(); ++i)
        w.root().attribute(QString(u"v" + QString::number(i)), HclWriter::string(values[i]));
    QJsonObject json;
    QString error;
    QVERIFY2(parseHcl(w.text(), &json, &error), qPrintable(error));
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QString read = untemplate(json.value(QString(u"v" + QString::number(i))).toString());
        QVERIFY2(read == values[i], qPrintable(u"wrote " + values[i] + u", read " + read));
    }
}

void TestHclWriter::objectKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("written");

    QTest::newRow("identifier bare") << u"PORT"_s << u"PORT"_s;
    QTest::newRow("dashes are identifier characters") << u"count-api"_s << u"count-api"_s;
    QTest::newRow("dots are quoted") << u"discovery.type"_s << u"\"discovery.type\""_s;
    QTest::newRow("leading digit quoted") << u"1x"_s << u"\"1x\""_s;
    QTest::newRow("keyword quoted") << u"for"_s << u"\"for\""_s;
    QTest::newRow("null quoted") << u"null"_s << u"\"null\""_s;
    QTest::newRow("empty quoted") << QString() << u"\"\""_s;
    QTest::newRow("template in a key is literal") << u"${x}"_s << u"\"$${x}\""_s;
    QTest::newRow("non-ASCII quoted") << u"größe"_s << u"\"größe\""_s;
}

void TestHclWriter::objectKeys()
{
    QFETCH(QString, key);
    QFETCH(QString, written);
    QCOMPARE(HclWriter::objectKey(key), written);
}

// Object keys and block labels come back from the parser as written.
void TestHclWriter::keysAndLabelsRoundTrip()
{
    const QStringList keys = {u"PORT"_s, u"count-api"_s, u"discovery.type"_s, u"1x"_s, u"for"_s,
                              u"null"_s, u"true"_s, QString(), u"${x}"_s, u"größe"_s, u"a\"b\\c"_s,
                              u"%{y}"_s, u"$${z}"_s};
    QList<std::pair<QString, QString>> entries;
    for (qsizetype i = 0; i < keys.size(); ++i)
        entries.append({keys[i], HclWriter::number(i)});
    HclWriter w;
    w.root().attribute(u"m", HclWriter::object(entries));
    const QStringList labels = {u"a\"b"_s, u"${x}"_s, u"%{y}"_s, u"$${z}"_s, u"é"_s};
    for (const QString &label : labels)
        w.root().block(u"l", {label});

    QJsonObject json;
    QString error;
    QVERIFY2(parseHcl(w.text(), &json, &error), qPrintable(error));
    const QJsonObject m = json.value(u"m").toObject();
    QCOMPARE(m.size(), keys.size());
    for (auto it = m.begin(); it != m.end(); ++it) {
        const qsizetype index = it.value().toInt();
        QCOMPARE(untemplate(it.key()), keys[index]);
    }
    // hcl2json gives labels decoded (labels are plain literals, no templates).
    QStringList read = json.value(u"l").toObject().keys();
    QStringList expected = labels;
    read.sort();
    expected.sort();
    QCOMPARE(read, expected);
}

QTEST_GUILESS_MAIN(TestHclWriter)
#include "tst_hclwriter.moc"
