// The HCL2 native-syntax reader (mesh/hcl/lexer, parser, hcl2jsonview):
// every expression form with hclsyntax's node types and ranges, operator
// precedence, templates and heredocs, comments and encodings, the messages
// of syntax errors with their positions, and agreement with HashiCorp's
// parser through hcl2json on the JSON view.

#include "hcl/hcl2jsonview.h"
#include "hcl/parser.h"

#include "hcl2json.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace mesh::hcl;
using mesh::Result;

namespace {

QString valueText(const Value &v)
{
    switch (v.type()) {
    case Value::Type::String: return u'"' + v.toString() + u'"';
    case Value::Type::Null: return u"null"_s;
    default: return v.convertToString().value_or(u"?"_s);
    }
}

QString stepsText(const QList<TraversalStep> &steps)
{
    QString out;
    for (const TraversalStep &s : steps)
        out += s.kind == TraversalStep::Kind::Attr ? QString(u'.' + s.name) : QString(u'[' + valueText(s.key) + u']');
    return out;
}

// The tree as an S-expression: node kinds, operators and nesting at a glance.
QString sexpr(const Expression &e)
{
    auto list = [](const QList<ExpressionPtr> &items) {
        QStringList parts;
        for (const ExpressionPtr &i : items)
            parts.append(sexpr(*i));
        return parts.join(u' ');
    };
    switch (e.kind) {
    case Expression::Kind::LiteralValue: return valueText(e.as<LiteralValue>()->value);
    case Expression::Kind::Template: return u"(tmpl "_s + list(e.as<Template>()->parts) + u')';
    case Expression::Kind::TemplateWrap: return u"(wrap "_s + sexpr(*e.as<TemplateWrap>()->wrapped) + u')';
    case Expression::Kind::TemplateJoin: return u"(join "_s + sexpr(*e.as<TemplateJoin>()->tuple) + u')';
    case Expression::Kind::ScopeTraversal: {
        const auto *t = e.as<ScopeTraversal>();
        return t->root + stepsText(t->steps);
    }
    case Expression::Kind::RelativeTraversal: {
        const auto *t = e.as<RelativeTraversal>();
        return u"(rel "_s + sexpr(*t->source) + u' ' + stepsText(t->steps) + u')';
    }
    case Expression::Kind::FunctionCall: {
        const auto *c = e.as<FunctionCall>();
        return u"(call "_s + c->name + (c->args.isEmpty() ? QString() : u' ' + list(c->args))
               + (c->expandFinal ? u" ..."_s : QString()) + u')';
    }
    case Expression::Kind::TupleCons: return u'[' + list(e.as<TupleCons>()->items) + u']';
    case Expression::Kind::ObjectCons: {
        QStringList items;
        for (const ObjectConsItem &i : e.as<ObjectCons>()->items)
            items.append(sexpr(*i.key) + u'=' + sexpr(*i.value));
        return u'{' + items.join(u' ') + u'}';
    }
    case Expression::Kind::ObjectConsKey: {
        const auto *k = e.as<ObjectConsKey>();
        return (k->forceNonLiteral ? u"(key! "_s : u"(key "_s) + sexpr(*k->wrapped) + u')';
    }
    case Expression::Kind::Index: {
        const auto *i = e.as<Index>();
        return u"(index "_s + sexpr(*i->collection) + u' ' + sexpr(*i->key) + u')';
    }
    case Expression::Kind::Splat: {
        const auto *s = e.as<Splat>();
        return (s->fullSplat ? u"(splat* "_s : u"(splat "_s) + sexpr(*s->source) + u' ' + sexpr(*s->each) + u')';
    }
    case Expression::Kind::AnonSymbol: return u"_"_s;
    case Expression::Kind::For: {
        const auto *f = e.as<For>();
        QString out = u"(for "_s + (f->keyVar.isEmpty() ? QString() : f->keyVar + u',') + f->valueVar + u' '
                      + sexpr(*f->collection);
        if (f->keyExpr)
            out += u' ' + sexpr(*f->keyExpr) + u" =>"_s;
        out += u' ' + sexpr(*f->valueExpr);
        if (f->group)
            out += u" ..."_s;
        if (f->condition)
            out += u" if "_s + sexpr(*f->condition);
        return out + u')';
    }
    case Expression::Kind::Conditional: {
        const auto *c = e.as<Conditional>();
        return u"(? "_s + sexpr(*c->condition) + u' ' + sexpr(*c->trueResult) + u' ' + sexpr(*c->falseResult) + u')';
    }
    case Expression::Kind::UnaryOp: {
        const auto *u = e.as<UnaryOp>();
        return u'(' + operatorSymbol(u->op) + u' ' + sexpr(*u->operand) + u')';
    }
    case Expression::Kind::BinaryOp: {
        const auto *b = e.as<BinaryOp>();
        return u'(' + operatorSymbol(b->op) + u' ' + sexpr(*b->lhs) + u' ' + sexpr(*b->rhs) + u')';
    }
    case Expression::Kind::Parentheses: return u"(paren "_s + sexpr(*e.as<Parentheses>()->expression) + u')';
    }
    return u"?"_s;
}

QByteArray rangeText(const QByteArray &source, const SourceRange &r)
{
    return source.mid(r.start.byte, r.end.byte - r.start.byte);
}

QString position(const SourcePos &p)
{
    return u"%1:%2@%3"_s.arg(p.line).arg(p.column).arg(p.byte);
}

} // namespace

class TestHclParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expressionTree_data();
    void expressionTree();
    void expressionRange_data();
    void expressionRange();
    void templateLiterals_data();
    void templateLiterals();
    void structure();
    void positionsCountCharactersAndSkipTheBom();
    void commentsEndLines();
    void syntaxError_data();
    void syntaxError();
    void invalidUtf8IsRejectedWithItsPosition();
    void deepNestingIsAnErrorNotACrash_data();
    void deepNestingIsAnErrorNotACrash();
    void standaloneExpressionRejectsTrailingText();
    void matchesHcl2Json_data();
    void matchesHcl2Json();
};

void TestHclParser::expressionTree_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("tree");

    QTest::newRow("number") << u"1.5e3"_s << u"1500"_s;
    QTest::newRow("number with a dot before its exponent") << u"1.e2"_s << u"100"_s;
    QTest::newRow("attribute of a number") << u"1.x"_s << u"(rel 1 .x)"_s;
    QTest::newRow("keywords") << u"[true, false, null]"_s << u"[true false null]"_s;
    QTest::newRow("multiplication binds tighter than addition") << u"1 + 2 * 3"_s << u"(+ 1 (* 2 3))"_s;
    QTest::newRow("same precedence is left-associative") << u"a - b - c"_s << u"(- (- a b) c)"_s;
    QTest::newRow("modulo and division") << u"a / b % c"_s << u"(% (/ a b) c)"_s;
    QTest::newRow("comparison below arithmetic") << u"a + 1 > b * 2"_s << u"(> (+ a 1) (* b 2))"_s;
    QTest::newRow("equality below comparison") << u"a < b == c >= d"_s << u"(== (< a b) (>= c d))"_s;
    QTest::newRow("and below equality, or loosest") << u"a || b && c != d"_s << u"(|| a (&& b (!= c d)))"_s;
    QTest::newRow("unary binds to the term with its traversal") << u"-a.b + 5"_s << u"(+ (- a.b) 5)"_s;
    QTest::newRow("not") << u"!a && !b"_s << u"(&& (! a) (! b))"_s;
    QTest::newRow("conditional is loosest") << u"a || b ? c + 1 : d"_s << u"(? (|| a b) (+ c 1) d)"_s;
    QTest::newRow("nested conditional in false branch") << u"a ? b : c ? d : e"_s << u"(? a b (? c d e))"_s;
    QTest::newRow("parentheses are a node") << u"(a + b) * c"_s << u"(* (paren (+ a b)) c)"_s;
    QTest::newRow("traversal with literal index steps") << u"a.b[0][\"k\"].c"_s << u"a.b[0][\"k\"].c"_s;
    QTest::newRow("legacy numeric index") << u"a.0.b"_s << u"a[0].b"_s;
    QTest::newRow("computed index") << u"a[b]"_s << u"(index a b)"_s;
    QTest::newRow("index on a tuple constructor") << u"[1, 2][0]"_s << u"(rel [1 2] [0])"_s;
    QTest::newRow("steps after a call") << u"f(x).y[1]"_s << u"(rel (call f x) .y[1])"_s;
    QTest::newRow("full splat") << u"a[*].b.c"_s << u"(splat* a (rel _ .b.c))"_s;
    QTest::newRow("full splat keeps indexes") << u"a[*].b[0]"_s << u"(splat* a (rel _ .b[0]))"_s;
    QTest::newRow("bare full splat") << u"a[*]"_s << u"(splat* a _)"_s;
    QTest::newRow("attribute-only splat stops at an index") << u"a.*.b[0]"_s << u"(rel (splat a (rel _ .b)) [0])"_s;
    QTest::newRow("function call") << u"f(1, \"x\", g())"_s << u"(call f 1 (tmpl \"x\") (call g))"_s;
    QTest::newRow("trailing comma and expansion") << u"f(a, b...)"_s << u"(call f a b ...)"_s;
    QTest::newRow("namespaced function") << u"provider::x::f(1)"_s << u"(call provider::x::f 1)"_s;
    QTest::newRow("tuple over lines") << u"[\n  1,\n  2,\n]"_s << u"[1 2]"_s;
    QTest::newRow("object keys") << u"{ a = 1, \"b\" = 2, (c) = 3, d: 4 }"_s
                                 << u"{(key a)=1 (key (tmpl \"b\"))=2 (key! (paren c))=3 (key d)=4}"_s;
    QTest::newRow("object over lines") << u"{\n  a = 1\n  b = 2\n}"_s << u"{(key a)=1 (key b)=2}"_s;
    QTest::newRow("tuple for") << u"[for i, v in xs : v if i > 0]"_s << u"(for i,v xs v if (> i 0))"_s;
    QTest::newRow("object for with grouping") << u"{for k, v in m : v => k...}"_s << u"(for k,v m v => k ...)"_s;
    QTest::newRow("string template") << u"\"a ${b} c\""_s << u"(tmpl \"a \" b \" c\")"_s;
    QTest::newRow("single interpolation is a TemplateWrap") << u"\"${a.b}\""_s << u"(wrap a.b)"_s;
    QTest::newRow("strip markers still wrap") << u"\"${~ a ~}\""_s << u"(wrap a)"_s;
    QTest::newRow("empty string is one empty literal") << u"\"\""_s << u"(tmpl \"\")"_s;
    QTest::newRow("if directive is a Conditional")
        << u"\"%{if a}x%{else}y%{endif}\""_s << u"(tmpl (? a (tmpl \"x\") (tmpl \"y\")))"_s;
    QTest::newRow("if without else gets an empty else")
        << u"\"%{if a}x%{endif}\""_s << u"(tmpl (? a (tmpl \"x\") (tmpl \"\")))"_s;
    QTest::newRow("for directive is a TemplateJoin")
        << u"\"%{for k, v in m}${k}%{endfor}\""_s << u"(tmpl (join (for k,v m (tmpl k))))"_s;
    QTest::newRow("escaped sequences are literal") << u"\"$${a} %%{b}\""_s << u"(tmpl \"${a} %{b}\")"_s;
    QTest::newRow("heredoc") << u"<<EOT\nhello ${name}\nEOT\n"_s << u"(tmpl \"hello \" name \"\n\")"_s;
    QTest::newRow("identifier with dashes") << u"a-b - c"_s << u"(- a-b c)"_s;
    QTest::newRow("unicode identifier") << u"größe.ñ"_s << u"größe.ñ"_s;
}

void TestHclParser::expressionTree()
{
    QFETCH(QString, source);
    QFETCH(QString, tree);
    const Result<ExpressionPtr> expr = Parser::parseExpression(source.toUtf8(), u"expr.hcl"_s);
    QVERIFY2(expr, qPrintable(expr ? QString() : expr.error().message));
    QCOMPARE(sexpr(**expr), tree);
}

void TestHclParser::expressionRange_data()
{
    // What a view slices out of the source: each node's range as hclsyntax's
    // Range() gives it.
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("text");

    QTest::newRow("traversal") << u"a.b[0]"_s << u"a.b[0]"_s;
    QTest::newRow("binary op") << u"a + b"_s << u"a + b"_s;
    QTest::newRow("parentheses included") << u"(a)"_s << u"(a)"_s;
    QTest::newRow("quoted template includes its quotes") << u"\"x${y}\""_s << u"\"x${y}\""_s;
    QTest::newRow("template wrap includes its quotes") << u"\"${y}\""_s << u"\"${y}\""_s;
    QTest::newRow("function call to its parenthesis") << u"f(a, (b))"_s << u"f(a, (b))"_s;
    QTest::newRow("full splat") << u"a[*].b"_s << u"a[*].b"_s;
    QTest::newRow("attribute splat") << u"a.*.b"_s << u"a.*.b"_s;
    QTest::newRow("for") << u"[for x in y : x]"_s << u"[for x in y : x]"_s;
    QTest::newRow("conditional") << u"a ? b : c"_s << u"a ? b : c"_s;
    QTest::newRow("unary") << u"-a"_s << u"-a"_s;
    QTest::newRow("heredoc to its marker") << u"<<EOT\nx\nEOT\n"_s << u"<<EOT\nx\nEOT"_s;
}

void TestHclParser::expressionRange()
{
    QFETCH(QString, source);
    QFETCH(QString, text);
    const QByteArray bytes = source.toUtf8();
    const Result<ExpressionPtr> expr = Parser::parseExpression(bytes, u"expr.hcl"_s);
    QVERIFY2(expr, qPrintable(expr ? QString() : expr.error().message));
    QCOMPARE(QString::fromUtf8(rangeText(bytes, (*expr)->range)), text);
}

void TestHclParser::templateLiterals_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QStringList>("literals");

    QTest::newRow("escapes") << uR"("\n\r\t\"\\ \u00e9 \U0001F600")"_s << QStringList{u"\n\r\t\"\\ é 😀"_s};
    QTest::newRow("a lone dollar and percent stay") << u"\"5$ and 100% ${x}\""_s << QStringList{u"5$ and 100% "_s};
    QTest::newRow("strip markers trim around") << u"\"a  ${~ x ~}  b\""_s << QStringList{u"a"_s, u"b"_s};
    QTest::newRow("heredoc keeps indentation") << u"<<EOT\n  a\n    b\nEOT\n"_s << QStringList{u"  a\n    b\n"_s};
    QTest::newRow("flush heredoc removes the smallest indentation")
        << u"<<-EOT\n    a\n      b\n    c\n    EOT\n"_s << QStringList{u"a\n  b\nc\n"_s};
    QTest::newRow("flush heredoc ignores blank lines")
        << u"<<-EOT\n    a\n\n      b\n    EOT\n"_s << QStringList{u"a\n\n  b\n"_s};
    QTest::newRow("flush heredoc counts an interpolation's line")
        << u"<<-EOT\n  ${x}\n    y\n  EOT\n"_s << QStringList{u""_s, u"\n  y\n"_s};
    QTest::newRow("flush heredoc counts tabs as characters")
        << u"<<-EOT\n\t\ta\n\tb\n\tEOT\n"_s << QStringList{u"\ta\nb\n"_s};
    QTest::newRow("heredoc strip marker only trims its own line")
        << u"<<EOT\nx ${a ~}  \n  y\nEOT\n"_s << QStringList{u"x "_s, u"  y\n"_s};
    QTest::newRow("heredoc with CRLF keeps its line ends")
        << u"<<EOT\r\na\r\nb\r\nEOT\r\n"_s << QStringList{u"a\r\nb\r\n"_s};
    QTest::newRow("text is normalized to NFC as cty stores strings")
        << u"\"cafe\u0301 ${x} e\u0301\""_s << QStringList{u"caf\u00e9 "_s, u" \u00e9"_s};
    QTest::newRow("a byte order mark inside a string is text")
        << u"\"\ufeffa ${x}\\ufeff\""_s << QStringList{u"\ufeffa "_s, u"\ufeff"_s};
    QTest::newRow("heredoc marker may be indented") << u"<<EOT\nx\n   EOT\n"_s << QStringList{u"x\n"_s};
}

void TestHclParser::templateLiterals()
{
    QFETCH(QString, source);
    QFETCH(QStringList, literals);
    const Result<ExpressionPtr> expr = Parser::parseExpression(source.toUtf8(), u"t.hcl"_s);
    QVERIFY2(expr, qPrintable(expr ? QString() : expr.error().message));
    const auto *tmpl = (*expr)->as<Template>();
    QVERIFY(tmpl);
    QStringList found;
    for (const ExpressionPtr &part : tmpl->parts) {
        if (const auto *lit = part->as<LiteralValue>())
            found.append(lit->value.toString());
    }
    QCOMPARE(found, literals);
}

void TestHclParser::structure()
{
    const QByteArray source = "job \"web\" {\n"
                              "  count = 2\n"
                              "  group api \"x\" {\n"
                              "    a = 1\n"
                              "  }\n"
                              "  group \"b\" { c = \"d\" }\n"
                              "  meta {}\n"
                              "  z = 3\n"
                              "}\n";
    const Result<SyntaxFile> file = Parser::parseFile(source, u"job.hcl"_s);
    QVERIFY2(file, qPrintable(file ? QString() : file.error().message));
    QCOMPARE(file->fileName, u"job.hcl"_s);
    QCOMPARE(file->body.blocks.size(), 1);
    const Block &job = file->body.blocks.front();
    QCOMPARE(job.type, u"job"_s);
    QCOMPARE(job.labels, QStringList{u"web"_s});
    QCOMPARE(rangeText(source, job.labelRanges.front()), "\"web\"");
    QCOMPARE(rangeText(source, job.range), source.left(source.size() - 1));
    QCOMPARE(rangeText(source, job.openBraceRange), "{");
    QCOMPARE(rangeText(source, job.closeBraceRange), "}");

    QStringList attributes;
    for (const Attribute &a : job.body.attributes)
        attributes.append(a.name);
    QCOMPARE(attributes, (QStringList{u"count"_s, u"z"_s}));
    QCOMPARE(rangeText(source, job.body.attributes.front().range), "count = 2");
    QCOMPARE(rangeText(source, job.body.attributes.front().nameRange), "count");
    QVERIFY(job.body.attribute(u"z"));
    QVERIFY(!job.body.attribute(u"nope"));

    QCOMPARE(job.body.blocks.size(), 3);
    QCOMPARE(job.body.blocks[0].labels, (QStringList{u"api"_s, u"x"_s}));
    QCOMPARE(job.body.blocks[1].labels, QStringList{u"b"_s});
    QCOMPARE(job.body.blocks[1].body.attributes.front().name, u"c"_s);
    QCOMPARE(job.body.blocks[2].type, u"meta"_s);
    QVERIFY(job.body.blocks[2].body.attributes.isEmpty());
    QCOMPARE(position(job.body.blocks[0].typeRange.start), u"3:3@26"_s);
}

void TestHclParser::positionsCountCharactersAndSkipTheBom()
{
    // Columns count characters, not bytes; a BOM counts in bytes only; CRLF
    // is one line break.
    const QByteArray source = "\xEF\xBB\xBF"
                              "é = \"ü\"\r\n"
                              "b = x\r\n";
    const Result<SyntaxFile> file = Parser::parseFile(source, u"bom.hcl"_s);
    QVERIFY2(file, qPrintable(file ? QString() : file.error().message));
    const Attribute &first = file->body.attributes.at(0);
    QCOMPARE(first.name, u"é"_s);
    QCOMPARE(position(first.nameRange.start), u"1:1@3"_s);
    QCOMPARE(position(first.expr->range.start), u"1:5@8"_s);
    QCOMPARE(position(first.expr->range.end), u"1:8@12"_s);
    const Attribute &second = file->body.attributes.at(1);
    QCOMPARE(position(second.expr->range.start), u"2:5@18"_s);
    QCOMPARE(rangeText(source, second.expr->range), "x");
}

void TestHclParser::commentsEndLines()
{
    const QByteArray source = "# leading\n"
                              "a = 1 # ends the line\n"
                              "b = 2 // so does this\n"
                              "/* a block\n comment */ c = [ # inside brackets\n"
                              "  3, /* inline */ 4\n"
                              "]\n"
                              "d = 5 // last line without newline";
    const Result<SyntaxFile> file = Parser::parseFile(source, u"c.hcl"_s);
    QVERIFY2(file, qPrintable(file ? QString() : file.error().message));
    QStringList names;
    for (const Attribute &a : file->body.attributes)
        names.append(a.name + u'=' + sexpr(*a.expr));
    QCOMPARE(names, (QStringList{u"a=1"_s, u"b=2"_s, u"c=[3 4]"_s, u"d=5"_s}));
}

void TestHclParser::syntaxError_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QString>("message");

    QTest::newRow("truncated file leaves a block open")
        << QByteArray("job \"x\" {\n  group \"api\" {\n    count = 1\n")
        << u"job.hcl:2:15: Unclosed configuration block: the `{` of `group \"api\"` has no `}` before the end of "
           u"the file (line 4); this may be caused by incorrect brace nesting elsewhere in this file"_s;
    QTest::newRow("extra closing brace")
        << QByteArray("a = 1\n}\n")
        << u"job.hcl:2:1: Argument or block definition required: an argument or block definition is required "
           u"here, found `}`"_s;
    QTest::newRow("bad escape")
        << QByteArray("a = \"x\\qy\"\n")
        << u"job.hcl:1:7: Invalid escape sequence: \\q is not a valid escape sequence in a quoted string; use "
           u"\\n, \\r, \\t, \\\", \\\\, \\uNNNN or \\UNNNNNNNN"_s;
    QTest::newRow("short unicode escape")
        << QByteArray("a = \"\\u12\"\n")
        << u"job.hcl:1:6: Invalid escape sequence: the \\u escape sequence must be followed by four hexadecimal "
           u"digits"_s;
    QTest::newRow("unterminated string at end of line")
        << QByteArray("a = \"abc\nb = 1\n")
        << u"job.hcl:1:9: Invalid multi-line string: quoted strings may not be split over multiple lines; use "
           u"the \\n escape for a line break or a heredoc (<<EOT) for a multi-line string"_s;
    QTest::newRow("unterminated string at end of file")
        << QByteArray("a = \"abc")
        << u"job.hcl:1:9: Unterminated template string: the string opened at 1:5 has no closing quote mark before "
           u"the end of the file"_s;
    QTest::newRow("unterminated heredoc")
        << QByteArray("a = <<EOT\nabc\nEO\n")
        << u"job.hcl:4:1: Unterminated template string: the heredoc opened at 1:5 has no closing marker `EOT` on a "
           u"line of its own (a marker must be followed by a line break)"_s;
    QTest::newRow("attribute redefined")
        << QByteArray("x {\n  count = 1\n  count = 2\n}\n")
        << u"job.hcl:3:3: Attribute redefined: `count` was already set at 2:3; each argument may be set only "
           u"once"_s;
    QTest::newRow("missing value") << QByteArray(
        "a =\n") << u"job.hcl:1:4: Invalid expression: expected the start of an expression, but found a line break"_s;
    QTest::newRow("missing newline after argument")
        << QByteArray("a = 1 b = 2\n")
        << u"job.hcl:1:7: Missing newline after argument: an argument definition must end with a newline, found "
           u"`b`"_s;
    QTest::newRow("comma between arguments")
        << QByteArray("a = 1, b = 2\n")
        << u"job.hcl:1:6: Unexpected comma after argument: argument definitions must be separated by newlines, "
           u"not commas"_s;
    QTest::newRow("unbalanced parentheses")
        << QByteArray("a = (1 + 2\n")
        << u"job.hcl:2:1: Unbalanced parentheses: expected a closing parenthesis to terminate the expression "
           u"opened at 1:5, found the end of the file"_s;
    QTest::newRow("unclosed tuple")
        << QByteArray("a = [1, 2\n")
        << u"job.hcl:2:1: Unterminated tuple constructor expression: the `[` opened at 1:5 has no corresponding "
           u"`]` before the end of the file"_s;
    QTest::newRow("unclosed interpolation")
        << QByteArray("a = \"${b")
        << u"job.hcl:1:6: Unclosed template interpolation sequence: the `${` at 1:6 has no closing `}`; this might "
           u"be caused by incorrect nesting inside the given expression"_s;
    QTest::newRow("if without endif")
        << QByteArray("a = \"%{if x}y\"\n")
        << u"job.hcl:1:14: Unexpected end of template: the if directive at 1:6 is missing its corresponding "
           u"endif directive"_s;
    QTest::newRow("unknown directive")
        << QByteArray("a = \"%{ fi x }\"\n")
        << u"job.hcl:1:9: Invalid template control keyword: \"fi\" is not a valid template control keyword; "
           u"expected if, else, endif, for or endfor"_s;
    QTest::newRow("semicolon")
        << QByteArray("a = 1;\n")
        << u"job.hcl:1:6: Invalid character: the \";\" character is not valid. Use newlines to separate arguments "
           u"and blocks, and commas to separate items in collection values."_s;
    QTest::newRow("single quotes")
        << QByteArray("a = 'x'\n")
        << u"job.hcl:1:5: Invalid character: single quotes are not valid. Use double quotes (\") to enclose "
           u"strings."_s;
    QTest::newRow("bitwise operator")
        << QByteArray("a = b & c\n")
        << u"job.hcl:1:7: Unsupported operator: bitwise operators are not supported. Did you mean boolean AND "
           u"(\"&&\")?"_s;
    QTest::newRow("block header over two lines")
        << QByteArray("a \"x\"\n{\n}\n")
        << u"job.hcl:1:6: Invalid block definition: a block definition must have block content delimited by "
           u"\"{\" and \"}\", starting on the same line as the block header"_s;
    QTest::newRow("quoted argument name")
        << QByteArray("\"a\" = 1\n") << u"job.hcl:1:1: Invalid argument name: argument names must not be quoted"_s;
    QTest::newRow("interpolation in a block label")
        << QByteArray("a \"${x}\" {}\n")
        << u"job.hcl:1:4: Invalid string literal: template sequences are not allowed in this string; to include "
           u"a literal \"$\", double it (as \"$$\") to escape it"_s;
    QTest::newRow("chained legacy index")
        << QByteArray("a = x.0.1\n")
        << u"job.hcl:1:7: Invalid legacy index syntax: when using the legacy index syntax, chaining two indexes "
           u"together is not permitted; use the proper index syntax instead, like [0][1]"_s;
    QTest::newRow("key in a tuple for")
        << QByteArray("a = [for k, v in x : k => v]\n")
        << u"job.hcl:1:22: Invalid 'for' expression: key expression is not valid when building a tuple"_s;
    QTest::newRow("two arguments in a single-line block")
        << QByteArray("a { b = 1, c = 2 }\n")
        << u"job.hcl:1:10: Invalid single-argument block definition: single-line block syntax can include only "
           u"one argument definition; to define multiple arguments, use the multi-line block syntax with one "
           u"argument definition per line"_s;
    QTest::newRow("unterminated comment")
        << QByteArray("a = 1 /* x\n") << u"job.hcl:1:7: Unterminated comment: this `/*` has no closing `*/`"_s;
    QTest::newRow("curly quotes")
        << QByteArray("a = \xE2\x80\x9Cx\xE2\x80\x9D\n")
        << u"job.hcl:1:5: Invalid character: \"curly quotes\" are not valid here; replace them with straight "
           u"quotes (\")"_s;
    QTest::newRow("columns count user-perceived characters")
        << QByteArray("a = \"e\xCC\x81 \xF0\x9F\x87\xA9\xF0\x9F\x87\xAA \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD\" x\n")
        << u"job.hcl:1:13: Missing newline after argument: an argument definition must end with a newline, found "
           u"`x`"_s;
    QTest::newRow("position after multibyte characters")
        << QByteArray("ä = \"ö\" x\n")
        << u"job.hcl:1:9: Missing newline after argument: an argument definition must end with a newline, found "
           u"`x`"_s;
}

void TestHclParser::syntaxError()
{
    QFETCH(QByteArray, source);
    QFETCH(QString, message);
    const Result<SyntaxFile> file = Parser::parseFile(source, u"job.hcl"_s);
    QVERIFY(!file);
    QCOMPARE(file.error().code, mesh::Error::Code::Parse);
    QCOMPARE(file.error().message, message);
}

void TestHclParser::invalidUtf8IsRejectedWithItsPosition()
{
    const QList<QByteArray> sources{
        QByteArray("a = 1\nb = \"x\xFFy\"\n"),        // not a lead byte
        QByteArray("a = 1\nb = \"x\xC3"),             // truncated sequence at the end
        QByteArray("a = 1\nb = \"x\xC0\xAF\"\n"),     // overlong "/"
        QByteArray("a = 1\nb = \"x\xED\xA0\x80\"\n"), // a surrogate
    };
    for (const QByteArray &source : sources) {
        const Result<SyntaxFile> file = Parser::parseFile(source, u"u.hcl"_s);
        QVERIFY(!file);
        QVERIFY2(file.error().message.startsWith(u"u.hcl:2:7: Invalid character encoding: byte 0x"_s),
                 qPrintable(file.error().message));
    }
}

void TestHclParser::deepNestingIsAnErrorNotACrash_data()
{
    QTest::addColumn<QByteArray>("source");
    const int n = 100000;
    QTest::newRow("brackets") << "a = " + QByteArray(n, '[') + QByteArray(n, ']') + '\n';
    QTest::newRow("parentheses") << "a = " + QByteArray(n, '(') + '1' + QByteArray(n, ')') + '\n';
    QTest::newRow("unary operators") << "a = " + QByteArray(n, '-') + "1\n";
    QTest::newRow("objects") << "a = " + QByteArray("{b=").repeated(n) + '1' + QByteArray(n, '}') + '\n';
    QTest::newRow("blocks") << QByteArray("b {\n").repeated(n) + QByteArray("}\n").repeated(n);
    QTest::newRow("interpolations") << "a = " + QByteArray("\"${").repeated(n) + 'x' + QByteArray("}\"").repeated(n)
                                           + '\n';
    QTest::newRow("template ifs") << "a = \"" + QByteArray("%{if x}").repeated(n) + QByteArray("%{endif}").repeated(n)
                                         + "\"\n";
    QTest::newRow("full splats") << "a = x" + QByteArray("[*]").repeated(n) + '\n';
    QTest::newRow("unclosed brackets") << "a = " + QByteArray(n, '[');
    QTest::newRow("conditional chain") << "a = " + QByteArray("x ? 1 : ").repeated(n) + "2\n";
    QTest::newRow("nested index keys") << "a = x" + QByteArray("[y").repeated(n) + QByteArray(n, ']') + '\n';
    QTest::newRow("index chain") << "a = f()" + QByteArray("[y]").repeated(n) + '\n';
    // Left-nested: the tree is as deep as the chain is long.
    QTest::newRow("operator chain") << "a = " + QByteArray("1 + ").repeated(n) + "1\n";
}

void TestHclParser::deepNestingIsAnErrorNotACrash()
{
    QFETCH(QByteArray, source);
    const Result<SyntaxFile> file = Parser::parseFile(source, u"deep.hcl"_s);
    QVERIFY(!file);
    QVERIFY2(file.error().message.contains(u"Nesting too deep: "_s), qPrintable(file.error().message));

    // Just below the limit is fine.
    const int ok = Parser::maxNesting - 10;
    QVERIFY(Parser::parseFile("a = " + QByteArray(ok, '[') + QByteArray(ok, ']') + '\n', u"ok.hcl"_s));
}

void TestHclParser::standaloneExpressionRejectsTrailingText()
{
    const Result<ExpressionPtr> ok = Parser::parseExpression("a +\n b", u"e"_s);
    QVERIFY(ok);
    QCOMPARE(sexpr(**ok), u"(+ a b)"_s);
    const Result<ExpressionPtr> bad = Parser::parseExpression("a b", u"e"_s);
    QVERIFY(!bad);
    QCOMPARE(bad.error().message,
             u"e:1:3: Extra characters after expression: an expression was successfully parsed, but `b` follows "
             u"it"_s);
}

void TestHclParser::matchesHcl2Json_data()
{
    QTest::addColumn<QString>("source");
    // One node run for every row (starting node and its WebAssembly parser
    // is the slow part), then each row reads its answer from the cache.
    QStringList sources;
    const auto row = [&sources](const char *name, const QString &source) {
        QTest::newRow(name) << source;
        sources.append(source);
    };
    row("jobspec", uR"(job "example" {
  datacenters = ["dc1"]
  group "api" {
    count = 3
    network {
      mode = "bridge"
      port "http" { to = 8080 }
    }
    service {
      name = "api"
      tags = ["a", "b-${count}"]
      meta = { version = "1.0", x = 5, "quoted key" = true }
    }
    task "server" {
      env {
        UPSTREAM = "http://${NOMAD_UPSTREAM_ADDR_count_api}"
        NEG      = -5
        NOT      = !true
        EXPR     = 1 + 2 * 3
        COND     = var.x ? "a" : "b"
        CALL     = upper("x")
        TYPEISH  = string(5)
        SPLAT    = a[*].b
        FOR      = [for x in y : x if x != ""]
      }
      template {
        data = <<-EOT
          hello ${NOMAD_ALLOC_ID} $${literal}
            %{ if true }yes%{ else }no%{ endif }
          %{ for k, v in meta }${k}=${v}
          %{ endfor }
        EOT
      }
    }
  }
}
locals { a = 1 }
locals { b = 2 }
)"_s);
    row("templates", uR"(a = "x ${y} z"
b = "${y}"
c = "%{if c}y%{endif}"
d = "%{ for k, v in m }${k}=${v},%{ endfor }"
e = "a %{if x}b%{else}c%{endif} d"
f = "$${not} %%{not}"
g = "${ "nested ${q}" }"
h = "x  ${~ y ~}  z"
)"_s);
    row("objects and keys", uR"(a = {
  b = 1
  c = "d", e = [f]
  "g h" = i
  (j) = k
  l: m
  1 = 2
  n.o = 3
}
)"_s);
    row("comments, CRLF and unicode",
        u"# c\r\nnaïve = \"héllo ☃ \\u2603\" // x\r\nδ = [ünïcode]\r\nx \"y\" { z = 1 }\r\n"_s);
    row("heredoc strip markers",
        u"a = <<EOT\n%{ for v in xs ~}\n  ${v}\n%{ endfor ~}\nEOT\nb = <<EOT\n  x   ${~ y ~}   \n   z\nEOT\n"_s);
    row("attribute replaces block", u"a {}\na = 1\nb \"x\" \"y\" {}\nb \"x\" \"z\" {}\n"_s);
    meshtest::Hcl2Json::prefetch(sources);
}

void TestHclParser::matchesHcl2Json()
{
    QFETCH(QString, source);
    if (const QString missing = meshtest::Hcl2Json::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    const meshtest::Hcl2Json::Parsed theirs = meshtest::Hcl2Json::parse(source);
    QVERIFY2(theirs.json, qPrintable(theirs.error));
    const Result<SyntaxFile> file = Parser::parseFile(source.toUtf8(), u"x.hcl"_s);
    QVERIFY2(file, qPrintable(file ? QString() : file.error().message));
    const Result<QJsonObject> ours = Hcl2JsonView::convert(*file);
    QVERIFY2(ours, qPrintable(ours ? QString() : ours.error().message));
    if (*ours != *theirs.json) {
        qWarning().noquote() << "ours:  " << QJsonDocument(*ours).toJson(QJsonDocument::Compact);
        qWarning().noquote() << "theirs:" << QJsonDocument(*theirs.json).toJson(QJsonDocument::Compact);
    }
    QCOMPARE(*ours, *theirs.json);
}

QTEST_GUILESS_MAIN(TestHclParser)
#include "tst_hclparser.moc"
