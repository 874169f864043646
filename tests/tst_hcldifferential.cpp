// Our HCL2 reader against HashiCorp's, file by file: every file of
// tests/data/hcl/corpus/ is read by mesh::hcl::Parser and turned into JSON by
// Hcl2JsonView, and read by hashicorp/hcl itself through hcl2json
// (tmccombs/hcl2json's convert package in @cdktf/hcl2json, support/hcl2json.h);
// the two JSON documents must be equal value for value. The corpus covers the
// native syntax specification (hashicorp/hcl: hclsyntax/spec.md) and
// real-world jobspecs; a difference is a bug in the reader, never a skip.
// The files of tests/data/hcl/errors/ must be refused by both, ours naming
// the place ("FILE:LINE:COLUMN: …", where hashicorp/hcl's first diagnostic
// points) and saying what is wrong.
#include "hcl/hcl2jsonview.h"
#include "hcl/parser.h"
#include "hcl2json.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using mesh::hcl::Hcl2JsonView;
using mesh::hcl::Parser;
using meshtest::Hcl2Json;
using namespace Qt::StringLiterals;

namespace {

QString corpusDir()
{
    return QStringLiteral(MESHPAD_TEST_DATA "/hcl/corpus");
}

QString errorsDir()
{
    return QStringLiteral(MESHPAD_TEST_DATA "/hcl/errors");
}

QStringList hclFiles(const QString &dir)
{
    return QDir(dir).entryList({QStringLiteral("*.hcl")}, QDir::Files, QDir::Name);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// The text hcl2json gets for a file's bytes. QString::fromUtf8 drops a
// leading byte order mark; keep it, so that HashiCorp's parser sees the
// bytes ours does.
QString textOf(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    return bytes.startsWith("\xEF\xBB\xBF") ? QChar(0xFEFF) + text : text;
}

// A refused file of the error corpus: where hashicorp/hcl's first diagnostic
// points, and a pattern (case-insensitive) for the words a person needs.
struct ErrorCase
{
    const char *file;
    const char *position;
    const char *words;
    // hcl2json gets text as a JavaScript string (its WebAssembly bridge takes
    // nothing else), so Node has already replaced invalid UTF-8 by U+FFFD
    // and HashiCorp's parser cannot see the bad bytes.
    bool hashicorpSees = true;
};

// Positions and words as hashicorp/hcl (through hcl2json) reports them.
const ErrorCase kErrorCases[] = {
    {"truncated-block.hcl", "2:13", "unclosed|no closing brace"},
    {"truncated-expression.hcl", "2:10", "expression"},
    {"truncated-tuple.hcl", "2:1", "expression|end of (the )?file"},
    {"unbalanced-close-brace.hcl", "2:1", "argument or block|unexpected"},
    {"unbalanced-open-brace.hcl", "1:9", "unclosed|no closing brace"},
    {"unbalanced-bracket.hcl", "2:1", "comma|separator"},
    {"unclosed-call.hcl", "1:5", "closing parenthesis|unterminated|unclosed"},
    {"bad-escape.hcl", "2:9", "escape"},
    {"short-unicode-escape.hcl", "1:6", "escape|hexadecimal"},
    {"unterminated-string.hcl", "1:9", "multi-line|newline|line break|unterminated"},
    {"unterminated-interpolation.hcl", "1:10", "multi-line|newline|line break|unterminated|unclosed"},
    {"unterminated-heredoc.hcl", "5:1", "unterminated|heredoc|closing marker"},
    // The close marker must end its line: at the end of the file it does not.
    {"heredoc-marker-at-eof.hcl", "4:4", "unterminated|heredoc|closing marker"},
    {"missing-equals.hcl", "2:3", "equals|argument"},
    {"missing-value.hcl", "1:4", "expression"},
    {"unknown-token.hcl", "1:7", "character|unexpected"},
    {"unknown-token-caret.hcl", "2:5", "operator|character|unexpected"},
    {"invalid-utf8.hcl", "1:12", "utf-8|encoding", false},
    {"attribute-redefined.hcl", "3:1", "redefined|already"},
    {"attribute-redefined-nested.hcl", "4:5", "redefined|already"},
    {"missing-endif.hcl", "1:14", "endif"},
    {"else-without-if.hcl", "1:6", "else"},
    {"label-interpolation.hcl", "1:6", "template|interpolation"},
    {"unterminated-comment.hcl", "2:1", "comment|argument or block"},
    {"extra-token.hcl", "1:7", "newline"},
    {"for-without-colon.hcl", "1:18", "colon"},
    {"one-line-block-two-attributes.hcl", "1:10", "single|one argument"},
    {"number-trailing-dot.hcl", "1:7", "attribute name|after a dot"},
    {"number-two-dots.hcl", "2:7", "number"},
    {"block-content-same-line.hcl", "1:17", "single|same line"},
    {"newline-in-string.hcl", "1:7", "multi-line|newline|line break|unterminated"},
};

// Texts that parse but that hcl2json refuses to convert, and so must
// Hcl2JsonView: its JSON cannot hold a block type both with and without
// labels (tmccombs/hcl2json: convert/convert.go, convertBlock).
struct RefusedConversion
{
    const char *name;
    const char *text;
};

const RefusedConversion kRefusedConversions[] = {
    {"unlabelled block, then labelled", "x {}\nx \"l\" {}\n"},
    {"labelled block, then unlabelled", "x \"l\" {}\nx {}\n"},
    {"labels nested under a labelled type", "x \"a\" {}\nx \"a\" \"b\" {}\n"},
};

// How a path into a JSON document reads: job.countdash[0].group["a b"].
QString pathStep(const QString &key)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_-]*$"));
    if (plain.match(key).hasMatch())
        return u'.' + key;
    return u"[\""_s + key + u"\"]"_s;
}

QString show(const QJsonValue &value)
{
    QString text;
    if (value.isObject())
        text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    else if (value.isArray())
        text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    else if (value.isUndefined())
        text = QStringLiteral("(absent)");
    else
        text = QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
    return text.size() > 300 ? text.left(300) + u"…"_s : text;
}

// The first place where the two documents differ ("" when they are equal),
// numbers compared as doubles (JSON has no integers).
QString firstDifference(const QJsonValue &ours, const QJsonValue &theirs, const QString &path)
{
    const auto differ = [&] {
        return QStringLiteral("at %1:\n  ours:     %2\n  hcl2json: %3")
            .arg(path.isEmpty() ? QStringLiteral("(top)") : path, show(ours), show(theirs));
    };
    if (ours.type() != theirs.type())
        return differ();
    switch (ours.type()) {
    case QJsonValue::Object: {
        const QJsonObject a = ours.toObject();
        const QJsonObject b = theirs.toObject();
        QStringList keys = a.keys() + b.keys();
        keys.sort();
        keys.removeDuplicates();
        for (const QString &key : keys) {
            const QString d = firstDifference(a.value(key), b.value(key), path + pathStep(key));
            if (!d.isEmpty())
                return d;
        }
        return {};
    }
    case QJsonValue::Array: {
        const QJsonArray a = ours.toArray();
        const QJsonArray b = theirs.toArray();
        for (qsizetype i = 0; i < std::min(a.size(), b.size()); ++i) {
            const QString d = firstDifference(a.at(i), b.at(i), path + u'[' + QString::number(i) + u']');
            if (!d.isEmpty())
                return d;
        }
        return a.size() == b.size() ? QString() : differ();
    }
    case QJsonValue::Double: return ours.toDouble() == theirs.toDouble() ? QString() : differ();
    case QJsonValue::String: {
        // Strings that differ only in what a terminal cannot show (Unicode
        // normalisation, a CR) need the first differing code point named.
        const QString a = ours.toString();
        const QString b = theirs.toString();
        if (a == b)
            return {};
        qsizetype i = 0;
        while (i < a.size() && i < b.size() && a[i] == b[i])
            ++i;
        const auto codePoint = [](const QString &s, qsizetype at) {
            return at < s.size() ? u"U+%1"_s.arg(uint(s[at].unicode()), 4, 16, QLatin1Char('0')).toUpper() : u"(end)"_s;
        };
        return differ()
               + u"\n  first difference at character %1: %2 vs %3"_s.arg(i).arg(codePoint(a, i), codePoint(b, i));
    }
    default: return ours == theirs ? QString() : differ();
    }
}

} // namespace

class TestHclDifferential : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void corpusIsComplete();
    void sameJsonAsHashicorp_data();
    void sameJsonAsHashicorp();
    void errorsRefusedByBoth_data();
    void errorsRefusedByBoth();
    void conversionRefusedByBoth_data();
    void conversionRefusedByBoth();

private:
    QStringList m_corpus;
    QStringList m_errors;
    // hcl2json's reading of each text we sent, by text.
    QHash<QString, Hcl2Json::Parsed> m_hashicorp;
};

void TestHclDifferential::initTestCase()
{
    if (const QString missing = Hcl2Json::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    m_corpus = hclFiles(corpusDir());
    m_errors = hclFiles(errorsDir());
    QStringList texts;
    for (const QString &f : std::as_const(m_corpus))
        texts.append(textOf(readFile(corpusDir() + u'/' + f)));
    for (const QString &f : std::as_const(m_errors))
        texts.append(textOf(readFile(errorsDir() + u'/' + f)));
    for (const RefusedConversion &r : kRefusedConversions)
        texts.append(QString::fromUtf8(r.text));
    // One node process for everything: starting it is the slow part.
    const QList<Hcl2Json::Parsed> parsed = Hcl2Json::parse(texts);
    QCOMPARE(parsed.size(), texts.size());
    for (qsizetype i = 0; i < texts.size(); ++i)
        m_hashicorp.insert(texts[i], parsed[i]);
}

void TestHclDifferential::corpusIsComplete()
{
    QVERIFY2(m_corpus.size() >= 60, qPrintable(u"only %1 corpus files"_s.arg(m_corpus.size())));
    QStringList refused;
    for (const QString &f : std::as_const(m_corpus)) {
        const Hcl2Json::Parsed p = m_hashicorp.value(textOf(readFile(corpusDir() + u'/' + f)));
        if (!p.json)
            refused.append(f + u": " + p.error);
    }
    QVERIFY2(refused.isEmpty(), qPrintable(u"hcl2json refuses corpus files (a corpus bug):\n"_s + refused.join(u'\n')));

    // The files whose point is their bytes must keep them (an editor or a
    // checkout normalising line endings would make them test nothing).
    QVERIFY(readFile(corpusDir() + u"/35-crlf.hcl"_s).contains("}\r\n"));
    QVERIFY(!readFile(corpusDir() + u"/35-crlf.hcl"_s).replace("\r\n", "").contains('\n'));
    QVERIFY(readFile(corpusDir() + u"/36-bom.hcl"_s).startsWith("\xEF\xBB\xBF"));
    QVERIFY(textOf(readFile(corpusDir() + u"/36-bom.hcl"_s)).toUtf8().startsWith("\xEF\xBB\xBF"));

    // Every error file has its row below, and every row its file.
    QStringList rows;
    for (const ErrorCase &c : kErrorCases)
        rows.append(QString::fromLatin1(c.file));
    rows.sort();
    QCOMPARE(rows, m_errors);
}

void TestHclDifferential::sameJsonAsHashicorp_data()
{
    QTest::addColumn<QString>("file");
    for (const QString &f : std::as_const(m_corpus))
        QTest::newRow(qPrintable(f)) << f;
}

void TestHclDifferential::sameJsonAsHashicorp()
{
    QFETCH(QString, file);
    const QByteArray source = readFile(corpusDir() + u'/' + file);
    QVERIFY(!source.isEmpty() || file.contains(u"empty"));

    const Hcl2Json::Parsed theirs = m_hashicorp.value(textOf(source));
    QVERIFY2(theirs.json, qPrintable(u"hcl2json refuses this corpus file (a corpus bug): "_s + theirs.error));

    const auto syntax = Parser::parseFile(source, file);
    // (QVERIFY2 builds its message even when the check holds: error() only
    // where there is one.)
    if (!syntax)
        QFAIL(qPrintable(u"our parser refuses what hashicorp/hcl reads: "_s + syntax.error().message));
    const auto ours = Hcl2JsonView::convert(*syntax);
    if (!ours)
        QFAIL(qPrintable(u"Hcl2JsonView refuses what hcl2json converts: "_s + ours.error().message));

    const QString difference = firstDifference(*ours, *theirs.json, QString());
    QVERIFY2(difference.isEmpty(), qPrintable(file + u" differs from hcl2json "_s + difference));
}

void TestHclDifferential::errorsRefusedByBoth_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("position");
    QTest::addColumn<QString>("words");
    QTest::addColumn<bool>("hashicorpSees");
    for (const ErrorCase &c : kErrorCases) {
        QTest::newRow(c.file) << QString::fromLatin1(c.file) << QString::fromLatin1(c.position)
                              << QString::fromLatin1(c.words) << c.hashicorpSees;
    }
}

void TestHclDifferential::errorsRefusedByBoth()
{
    QFETCH(QString, file);
    QFETCH(QString, position);
    QFETCH(QString, words);
    QFETCH(bool, hashicorpSees);
    const QByteArray source = readFile(errorsDir() + u'/' + file);
    QVERIFY2(!source.isEmpty(), qPrintable(u"missing file "_s + file));

    if (hashicorpSees) {
        const Hcl2Json::Parsed theirs = m_hashicorp.value(textOf(source));
        QVERIFY2(!theirs.json, "hcl2json accepts this file: it belongs in the corpus, not among the errors");
        // "parse config: [/tmp/…/f7.hcl:2,9-11: Invalid escape sequence; …]"
        static const QRegularExpression first(QStringLiteral("\\.hcl:(\\d+),(\\d+)-"));
        const QRegularExpressionMatch m = first.match(theirs.error);
        QVERIFY2(m.hasMatch() && m.captured(1) + u':' + m.captured(2) == position,
                 qPrintable(u"hashicorp/hcl points elsewhere: "_s + theirs.error));
    }

    const auto syntax = Parser::parseFile(source, file);
    QVERIFY2(!syntax, "our parser accepts a file hashicorp/hcl refuses");
    QVERIFY2(syntax.error().code == mesh::Error::Code::Parse, qPrintable(syntax.error().message));
    const QString message = syntax.error().message;
    const QString where = file + u':' + position + u": "_s;
    QVERIFY2(message.startsWith(where), qPrintable(u"expected \""_s + where + u"…\", got: "_s + message));
    QVERIFY2(message.contains(QRegularExpression(words, QRegularExpression::CaseInsensitiveOption)),
             qPrintable(u"the message does not say /"_s + words + u"/: "_s + message));
}

void TestHclDifferential::conversionRefusedByBoth_data()
{
    QTest::addColumn<QByteArray>("text");
    for (const RefusedConversion &r : kRefusedConversions)
        QTest::newRow(r.name) << QByteArray(r.text);
}

void TestHclDifferential::conversionRefusedByBoth()
{
    QFETCH(QByteArray, text);
    const Hcl2Json::Parsed theirs = m_hashicorp.value(QString::fromUtf8(text));
    QVERIFY2(!theirs.json, "hcl2json converts this text");
    QVERIFY2(!theirs.error.contains(u"parse config"),
             qPrintable(u"hashicorp/hcl refuses to parse it: "_s + theirs.error));

    const auto syntax = Parser::parseFile(text, u"mixed.hcl"_s);
    if (!syntax)
        QFAIL(qPrintable(syntax.error().message));
    const auto ours = Hcl2JsonView::convert(*syntax);
    if (ours)
        QFAIL(qPrintable(u"Hcl2JsonView converts it: "_s + show(*ours)));
    QVERIFY2(ours.error().message.contains(u"x"), qPrintable(ours.error().message));
}

QTEST_GUILESS_MAIN(TestHclDifferential)
#include "tst_hcldifferential.moc"
