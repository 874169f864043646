// HclWriter: layout as `nomad fmt` leaves it, and strings that HashiCorp's
// HCL2 parser (tests/tools/hcl2json.mjs) reads back as exactly what we meant;
// plainString() also through HCL 1 as Consul reads it (tests/tools/hcl1json).
#include "generate/hclwriter.h"
#include "hcl1json.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
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
    void plainStringSource_data();
    void plainStringSource();
    void plainStringsRoundTripInHcl1AndHcl2();
};

static QString countdashLikeText()
{
    return QStringLiteral("job \"x\" {\n"
                          "  datacenters = [\"dc1\"]\n"
                          "}\n");
}

void TestHclWriter::layout_data()
{
    QTest::addColumn<int>("scenario");
    QTest::addColumn<QString>("expected");

    QTest::newRow("a run of attributes aligns its =")
        << 0 << QStringLiteral("a {\n  name   = \"x\"\n  port   = 9\n  static = true\n}\n");
    QTest::newRow("a blank line ends the run") << 1 << QStringLiteral("a {\n  name = \"x\"\n\n  static = 1\n}\n");
    QTest::newRow("a block ends the run") << 2 << QStringLiteral("a {\n  long_name = 1\n  b {}\n  x = 2\n}\n");
    QTest::newRow("a multi-line object is outside any run, its keys align")
        << 3
        << QStringLiteral(
               "a {\n  driver = \"exec\"\n  env = {\n    \"a.b\" = \"1\"\n    PORT  = \"2\"\n  }\n  z = 3\n}\n");
    QTest::newRow("empty blocks close on their line, labels are quoted")
        << 4
        << QStringLiteral(
               "job \"x\" {\n  group \"a\\\"b\" {\n    connect {\n      sidecar_service {}\n    }\n  }\n}\n");
    QTest::newRow("quoted keys align by grapheme clusters")
        << 5 << QStringLiteral("a = {\n  \"é.x\"  = 1\n  \"e\u0301.x\"  = 2\n  abcdef = 3\n}\n");
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
        a.attribute(u"env",
                    HclWriter::object({{u"a.b"_s, HclWriter::string(u"1")}, {u"PORT"_s, HclWriter::string(u"2")}}));
        a.attribute(u"z", u"3"_s);
        break;
    }
    case 4:
        root.block(u"job", {u"x"_s}).block(u"group", {u"a\"b"_s}).block(u"connect").block(u"sidecar_service");
        break;
    case 5:
        root.attribute(u"a", HclWriter::object({{u"é.x"_s, u"1"_s}, {u"e\u0301.x"_s, u"2"_s}, {u"abcdef"_s, u"3"_s}}));
        break;
    case 6: root.block(u"job", {u"x"_s}).attribute(u"datacenters", HclWriter::stringList({u"dc1"_s})); break;
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
    QTest::newRow("runtime variable kept")
        << u"http://${NOMAD_UPSTREAM_ADDR_count_api}"_s << u"\"http://${NOMAD_UPSTREAM_ADDR_count_api}\""_s;
    QTest::newRow("dotted runtime variable kept")
        << u"${meta.connect.log_level}"_s << u"\"${meta.connect.log_level}\""_s;
    QTest::newRow("expression in ${} escaped") << u"${a + 1}"_s << u"\"$${a + 1}\""_s;
    // HCL2 evaluates these as values (`${true}` is the bool true), and
    // jobspec2 defines var and local: none is passed through as text.
    QTest::newRow("${true} escaped") << u"${true}"_s << u"\"$${true}\""_s;
    QTest::newRow("${false} escaped") << u"x=${false}"_s << u"\"x=$${false}\""_s;
    QTest::newRow("${null} escaped") << u"${null}"_s << u"\"$${null}\""_s;
    QTest::newRow("${true.x} escaped") << u"${true.x}"_s << u"\"$${true.x}\""_s;
    QTest::newRow("${var.x} escaped") << u"${var.x}"_s << u"\"$${var.x}\""_s;
    QTest::newRow("${local.y} escaped") << u"${local.y}"_s << u"\"$${local.y}\""_s;
    QTest::newRow("${var} escaped") << u"${var}"_s << u"\"$${var}\""_s;
    QTest::newRow("function call escaped") << u"${upper(x)}"_s << u"\"$${upper(x)}\""_s;
    QTest::newRow("root only looks like a keyword: kept")
        << u"${trueish} ${variable} ${x.true}"_s << u"\"${trueish} ${variable} ${x.true}\""_s;
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
        u"/vagrant/apps/bin/counter"_s,
        u"a\"b\\c"_s,
        u"a\nb\tc\rd"_s,
        u"a\u0001b\u007f"_s,
        u"http://${NOMAD_UPSTREAM_ADDR_count_api}"_s,
        u"${meta.connect.log_level}"_s,
        u"${a + 1}"_s,
        u"cost ${5"_s,
        u"%{if x}"_s,
        u"$${x} %%{y}"_s,
        u"$$${x}"_s,
        u"%%%{"_s,
        u"$${NOMAD_PORT_http}"_s,
        u"100% $5 $"_s,
        u"grüße ✓ 𝄞"_s,
        QString(),
        u"${NOMAD_PORT_http}${NOMAD_PORT_http}"_s,
        u"}${"_s,
        u"${}"_s,
        u"${ x }"_s,
        u"${true}"_s,
        u"${false}"_s,
        u"${null}"_s,
        u"${var.x}"_s,
        u"${local.y}"_s,
        u"${trueish}"_s,
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
    // Quoted as plainString(): keys go to HCL 1 (Consul) as well as HCL 2.
    QTest::newRow("template in a key is literal") << u"${x}"_s << u"\"\\u0024{x}\""_s;
    QTest::newRow("directive in a key is literal") << u"%{x}"_s << u"\"\\u0025{x}\""_s;
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
    const QStringList keys
        = {u"PORT"_s, u"count-api"_s, u"discovery.type"_s, u"1x"_s,      u"for"_s,  u"null"_s, u"true"_s,
           QString(), u"${x}"_s,      u"größe"_s,          u"a\"b\\c"_s, u"%{y}"_s, u"$${z}"_s};
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

void TestHclWriter::plainStringSource_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("source");

    QTest::newRow("plain") << u"/health"_s << u"\"/health\""_s;
    QTest::newRow("quote and backslash") << u"a\"b\\c"_s << u"\"a\\\"b\\\\c\""_s;
    QTest::newRow("newline, tab, return") << u"a\nb\tc\rd"_s << u"\"a\\nb\\tc\\rd\""_s;
    QTest::newRow("other control characters") << u"a\u0001b\u007f"_s << u"\"a\\u0001b\\u007f\""_s;
    QTest::newRow("${ as \\u0024{") << u"team-${{"_s << u"\"team-\\u0024{{\""_s;
    QTest::newRow("runtime variable is text too") << u"${NOMAD_PORT_http}"_s << u"\"\\u0024{NOMAD_PORT_http}\""_s;
    QTest::newRow("%{ as \\u0025{") << u"%{if x}"_s << u"\"\\u0025{if x}\""_s;
    QTest::newRow("HCL2 escapes are plain text") << u"$${x} %%{y}"_s << u"\"$\\u0024{x} %\\u0025{y}\""_s;
    QTest::newRow("braces alone untouched") << u"}} {{ { }"_s << u"\"}} {{ { }\""_s;
    QTest::newRow("lone $ and %") << u"100% $5 $"_s << u"\"100% $5 $\""_s;
    QTest::newRow("text that looks like the escape") << u"\\u0024{x}"_s << u"\"\\\\u0024{x}\""_s;
    QTest::newRow("unicode as is") << u"grüße ✓ 𝄞"_s << u"\"grüße ✓ 𝄞\""_s;
    QTest::newRow("empty") << QString() << u"\"\""_s;
}

void TestHclWriter::plainStringSource()
{
    QFETCH(QString, value);
    QFETCH(QString, source);
    QCOMPARE(HclWriter::plainString(value), source);
    QCOMPARE(HclWriter::plainStringList({value, value}), u'[' + source + u", " + source + u']');
}

// Every plainString() comes back as the text itself from HCL 1 (as Consul
// decodes it, no interpolation: HCL 1 would keep a `${…}` as text, so a
// stray one would show) and from HCL 2 (no template left: hcl2json prints
// literal text with `${` / `%{` escaped, so untemplate() gives the text).
void TestHclWriter::plainStringsRoundTripInHcl1AndHcl2()
{
    if (const QString missing = meshtest::Hcl1Json::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    const QStringList values = {
        u"team-${{"_s,    u"/health}}"_s,  u"${NOMAD_PORT_http}"_s,
        u"cost ${5"_s,    u"${ \"a\" }"_s, u"%{if x}y%{endif}"_s,
        u"$${x} %%{y}"_s, u"$$${x}"_s,     u"}} {{ { }"_s,
        u"a\"b\\c"_s,     u"a\nb\tc\rd"_s, u"a\u0001b\u007f"_s,
        u"\\u0024{x}"_s,  u"\\${x}"_s,     u"$"_s,
        u"%"_s,           u"${"_s,         u"grüße ✓ 𝄞"_s,
        QString(),        u"${true}"_s,    u"x$"_s,
    };
    HclWriter w;
    auto &block = w.root().block(u"values");
    for (qsizetype i = 0; i < values.size(); ++i)
        block.attribute(QString(u"v" + QString::number(i)), HclWriter::plainString(values[i]));
    QList<std::pair<QString, QString>> keyed;
    for (qsizetype i = 0; i < values.size(); ++i)
        keyed.append({values[i], HclWriter::number(i)});
    block.attribute(u"keys", HclWriter::object(keyed));
    block.attribute(u"list", HclWriter::plainStringList(values));
    const QString text = w.text();

    const meshtest::Hcl1Json::Parsed hcl1 = meshtest::Hcl1Json::parse(text);
    QVERIFY2(hcl1.json, qPrintable(hcl1.error + u"\n--- in ---\n" + text));
    QJsonObject hcl2;
    QString error;
    QVERIFY2(parseHcl(text, &hcl2, &error), qPrintable(error));

    // HCL 1: blocks and objects are lists of objects.
    const QJsonObject one = hcl1.json->value(u"values").toArray().at(0).toObject();
    const QJsonObject two = hcl2.value(u"values").toArray().at(0).toObject();
    const QJsonObject oneKeys = one.value(u"keys").toArray().at(0).toObject();
    const QJsonObject twoKeys = two.value(u"keys").toObject();
    QCOMPARE(one.value(u"list").toArray().size(), values.size());
    QCOMPARE(oneKeys.size(), values.size());
    QCOMPARE(twoKeys.size(), values.size());
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QString name = u"v" + QString::number(i);
        QCOMPARE(one.value(name).toString(), values[i]);
        QCOMPARE(untemplate(two.value(name).toString()), values[i]);
        QCOMPARE(one.value(u"list").toArray().at(i).toString(), values[i]);
        QCOMPARE(untemplate(two.value(u"list").toArray().at(i).toString()), values[i]);
        QCOMPARE(oneKeys.value(values[i]).toInt(-1), int(i));
    }
    for (auto it = twoKeys.begin(); it != twoKeys.end(); ++it)
        QCOMPARE(untemplate(it.key()), values[it.value().toInt()]);
}

QTEST_GUILESS_MAIN(TestHclWriter)
#include "tst_hclwriter.moc"
