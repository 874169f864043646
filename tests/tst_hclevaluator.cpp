// The HCL evaluator (mesh/hcl/evaluator): HCL's semantics for constants —
// templates and directives, operators with cty's conversions, conditionals,
// for expressions, splats, indexing, function calls — and Nomad jobspec2's
// passthrough of references Nomad resolves at runtime.

#include "hcl/evaluator.h"
#include "hcl/parser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace mesh::hcl;

namespace {

// Variables for the tests: a small jobspec-like world.
EvalContext context()
{
    EvalContext ctx;
    ctx.variables.insert(u"var"_s, Value::fromJson(QJsonDocument::fromJson(R"({
        "name": "web", "count": 3, "enabled": true, "port": "8080",
        "tags": ["a", "b", "c"],
        "ports": {"http": 80, "https": 443},
        "services": [{"name": "api", "port": 1}, {"name": "db", "port": 2}],
        "empty": [], "nothing": null
    })")
                                                       .object()));
    ctx.variables.insert(u"local"_s, Value::object({{u"x"_s, Value::number(1)}}));
    return ctx;
}

QString json(const Value &v)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{v.toJson()}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

mesh::Result<Value> evaluate(const QString &source, const EvalContext &ctx, QString *error = nullptr)
{
    const QByteArray bytes = source.toUtf8();
    const mesh::Result<ExpressionPtr> expr = Parser::parseExpression(bytes, u"expr.hcl"_s);
    if (!expr) {
        if (error)
            *error = expr.error().message;
        return std::unexpected(expr.error());
    }
    SyntaxFile file;
    file.fileName = u"expr.hcl"_s;
    file.source = bytes;
    return Evaluator::evaluate(**expr, ctx, file);
}

} // namespace

class TestHclEvaluator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void value_data();
    void value();
    void unknownReferencesPassThrough_data();
    void unknownReferencesPassThrough();
    void unknownVariableIsAnErrorWithoutPassthrough();
    void error_data();
    void error();
    void functionsCanBeDisabled();
    void attributesOfAFile();
};

void TestHclEvaluator::value_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("expected"); // the value as JSON

    // literals and templates
    QTest::newRow("number") << u"1.5e3"_s << u"1500"_s;
    QTest::newRow("template converts numbers and bools")
        << u"\"n=${var.count} b=${var.enabled}\""_s << u"\"n=3 b=true\""_s;
    QTest::newRow("single interpolation keeps its type") << u"\"${var.count}\""_s << u"3"_s;
    QTest::newRow("single interpolation keeps a tuple") << u"\"${var.tags}\""_s << u"[\"a\",\"b\",\"c\"]"_s;
    QTest::newRow("fractions print shortest") << u"\"${1/4} ${0.1 + 0.2}\""_s << u"\"0.25 0.30000000000000004\""_s;
    QTest::newRow("joined text is normalized to NFC") << u"\"e${\"\u0301\"}\" == \"\u00e9\""_s << u"true"_s;
    QTest::newRow("escaped sequences") << u"\"$${x} %%{y}\""_s << u"\"${x} %{y}\""_s;
    QTest::newRow("if directive") << u"\"%{ if var.enabled }on%{ else }off%{ endif }\""_s << u"\"on\""_s;
    QTest::newRow("if directive without else") << u"\"[%{ if !var.enabled }x%{ endif }]\""_s << u"\"[]\""_s;
    QTest::newRow("for directive over a tuple")
        << u"\"%{ for t in var.tags }<${t}>%{ endfor }\""_s << u"\"<a><b><c>\""_s;
    QTest::newRow("for directive with key over an object")
        << u"\"%{ for k, v in var.ports }${k}=${v};%{ endfor }\""_s << u"\"http=80;https=443;\""_s;
    QTest::newRow("strip markers") << u"\"a  ${~ var.name ~}  b\""_s << u"\"awebb\""_s;
    // As in hashicorp/hcl, strip markers run before `<<-` unindenting: the
    // `~}` eats the line break, so the next line no longer starts a line
    // and keeps its indentation.
    QTest::newRow("heredoc with directives")
        << u"<<-EOT\n  %{~ for s in var.services ~}\n  ${s.name}:${s.port}\n  %{~ endfor ~}\n  EOT\n"_s
        << u"\"  api:1\\n  db:2\\n\""_s;
    QTest::newRow("flush heredoc") << u"<<-EOT\n    a\n      b\n    EOT\n"_s << u"\"a\\n  b\\n\""_s;
    // operators
    QTest::newRow("precedence") << u"1 + 2 * 3 - 4 / 2"_s << u"5"_s;
    QTest::newRow("modulo") << u"7 % 3"_s << u"1"_s;
    QTest::newRow("numbers from strings") << u"var.port + 1"_s << u"8081"_s;
    QTest::newRow("comparison") << u"var.count >= 3 && var.count < \"4\""_s << u"true"_s;
    QTest::newRow("equality does not convert") << u"[1 == \"1\", 1 == 1, \"a\" != \"b\"]"_s << u"[false,true,true]"_s;
    QTest::newRow("structural equality") << u"[1, {a = 2}] == [1, {a = 2}]"_s << u"true"_s;
    QTest::newRow("null equality") << u"var.nothing == null"_s << u"true"_s;
    QTest::newRow("logic short-circuits") << u"var.nothing != null && var.nothing.x"_s << u"false"_s;
    QTest::newRow("negation and not") << u"[-var.count, !var.enabled]"_s << u"[-3,false]"_s;
    QTest::newRow("conditional") << u"var.count > 2 ? \"many\" : \"few\""_s << u"\"many\""_s;
    QTest::newRow("conditional unifies number and string") << u"true ? 1 : \"x\""_s << u"\"1\""_s;
    QTest::newRow("bool from string") << u"\"true\" ? 1 : 2"_s << u"1"_s;
    // collections
    QTest::newRow("tuple and object") << u"[1, \"a\", { b = true }]"_s << u"[1,\"a\",{\"b\":true}]"_s;
    QTest::newRow("object keys: names, strings, expressions")
        << u"{ a = 1, \"b c\" = 2, (var.name) = 3, true = 4, (1 + 1) = 5 }"_s
        << u"{\"2\":5,\"a\":1,\"b c\":2,\"true\":4,\"web\":3}"_s;
    QTest::newRow("index by number and by numeric string") << u"[var.tags[1], var.tags[\"2\"]]"_s << u"[\"b\",\"c\"]"_s;
    QTest::newRow("computed index") << u"var.ports[\"ht${\"tp\"}\"]"_s << u"80"_s;
    QTest::newRow("legacy index") << u"var.services.0.name"_s << u"\"api\""_s;
    QTest::newRow("index after a call") << u"[[1, 2], [3]][0][1]"_s << u"2"_s;
    QTest::newRow("full splat") << u"var.services[*].name"_s << u"[\"api\",\"db\"]"_s;
    QTest::newRow("attribute splat") << u"var.services.*.port"_s << u"[1,2]"_s;
    QTest::newRow("splat of a non-list wraps it") << u"var.ports[*].http"_s << u"[80]"_s;
    QTest::newRow("splat of null is empty") << u"var.nothing[*]"_s << u"[]"_s;
    QTest::newRow("tuple for with condition")
        << u"[for i, t in var.tags : \"${i}${t}\" if t != \"b\"]"_s << u"[\"0a\",\"2c\"]"_s;
    QTest::newRow("object for") << u"{for s in var.services : s.name => s.port}"_s << u"{\"api\":1,\"db\":2}"_s;
    QTest::newRow("object for with grouping")
        << u"{for t in [\"a\", \"b\", \"a\"] : t => t...}"_s << u"{\"a\":[\"a\",\"a\"],\"b\":[\"b\"]}"_s;
    QTest::newRow("for over an object") << u"[for k, v in var.ports : k]"_s << u"[\"http\",\"https\"]"_s;
    QTest::newRow("nested for sees outer variables")
        << u"[for a in [1, 2] : [for b in [10, 20] : a + b]]"_s << u"[[11,21],[12,22]]"_s;
    QTest::newRow("parentheses") << u"(1 + 2) * 3"_s << u"9"_s;
    // functions
    QTest::newRow("function call") << u"upper(var.name)"_s << u"\"WEB\""_s;
    QTest::newRow("function with expanded arguments") << u"max(var.count, [7, 2]...)"_s << u"7"_s;
    QTest::newRow("join") << u"join(\",\", var.tags)"_s << u"\"a,b,c\""_s;
    QTest::newRow("try takes the first that works")
        << u"try(var.nothing.x, var.missing_attr, \"fallback\")"_s << u"\"fallback\""_s;
    QTest::newRow("can") << u"[can(var.tags[5]), can(var.tags[0])]"_s << u"[false,true]"_s;
}

void TestHclEvaluator::value()
{
    QFETCH(QString, source);
    QFETCH(QString, expected);
    EvalContext ctx = context();
    ctx.keepUnknownReferences = false;
    QString parseError;
    const mesh::Result<Value> v = evaluate(source, ctx, &parseError);
    QVERIFY2(v, qPrintable(v ? QString() : parseError.isEmpty() ? v.error().message : parseError));
    QCOMPARE(json(*v), expected);
}

void TestHclEvaluator::unknownReferencesPassThrough_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("expected");
    QTest::newRow("in a template") << u"\"http://${NOMAD_UPSTREAM_ADDR_count_api}\""_s
                                   << u"http://${NOMAD_UPSTREAM_ADDR_count_api}"_s;
    QTest::newRow("whole attribute reference") << u"\"${attr.unique.hostname}\""_s << u"${attr.unique.hostname}"_s;
    QTest::newRow("node and meta") << u"\"${node.region}-${meta.foo}\""_s << u"${node.region}-${meta.foo}"_s;
    QTest::newRow("with an index, as written") << u"\"${NOMAD_META_x[\"a\"]}\""_s << u"${NOMAD_META_x[\"a\"]}"_s;
    QTest::newRow("next to known variables") << u"\"${var.name}:${NOMAD_PORT_http}\""_s << u"web:${NOMAD_PORT_http}"_s;
    QTest::newRow("in a heredoc") << u"<<EOT\nport=${NOMAD_PORT_http}\nEOT\n"_s << u"port=${NOMAD_PORT_http}\n"_s;
}

void TestHclEvaluator::unknownReferencesPassThrough()
{
    QFETCH(QString, source);
    QFETCH(QString, expected);
    const mesh::Result<Value> v = evaluate(source, context());
    QVERIFY2(v, qPrintable(v ? QString() : v.error().message));
    QCOMPARE(v->type(), Value::Type::String);
    QCOMPARE(v->toString(), expected);
}

void TestHclEvaluator::unknownVariableIsAnErrorWithoutPassthrough()
{
    EvalContext ctx = context();
    ctx.keepUnknownReferences = false;
    const mesh::Result<Value> v = evaluate(u"\"x ${NOMAD_PORT_http}\""_s, ctx);
    QVERIFY(!v);
    QCOMPARE(v.error().message, u"expr.hcl:1:6: Unknown variable: There is no variable named \"NOMAD_PORT_http\"."_s);
}

void TestHclEvaluator::error_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("message");

    QTest::newRow("missing attribute")
        << u"var.ports.ftp"_s
        << u"expr.hcl:1:10: Unsupported attribute: this object does not have an attribute named \"ftp\""_s;
    QTest::newRow("index out of range")
        << u"var.tags[3]"_s
        << u"expr.hcl:1:9: Invalid index: the given key does not identify an element in this collection value: index "
           u"3 is out of range for 3 elements"_s;
    QTest::newRow("attribute of null")
        << u"var.nothing.x"_s
        << u"expr.hcl:1:12: Attempt to get attribute from null value: this value is null, so it does not have any "
           u"attributes"_s;
    QTest::newRow("arithmetic on a word")
        << u"var.name * 2"_s
        << u"expr.hcl:1:1: Invalid operand: unsuitable value for left operand: a number is required, and \"web\" is "
           u"not a number"_s;
    QTest::newRow("null in a template")
        << u"\"x${var.nothing}\""_s
        << u"expr.hcl:1:5: Invalid template interpolation value: the expression result is null; cannot include a "
           u"null value in a string template"_s;
    QTest::newRow("tuple in a template")
        << u"\"x${var.tags}\""_s
        << u"expr.hcl:1:5: Invalid template interpolation value: cannot include the given value in a string "
           u"template: string required, not tuple"_s;
    QTest::newRow("for over a number")
        << u"[for x in 5 : x]"_s
        << u"expr.hcl:1:11: Iteration over non-iterable value: a value of type number cannot be used as the "
           u"collection in a 'for' expression"_s;
    QTest::newRow("duplicate key in for")
        << u"{for t in [\"a\", \"a\"] : t => 1}"_s
        << u"expr.hcl:1:24: Duplicate object key: two different items produced the key \"a\" in this 'for' "
           u"expression; if duplicates are expected, use the ellipsis (...) after the value expression to enable "
           u"grouping by key"_s;
    QTest::newRow("division by zero")
        << u"1 / 0"_s << u"expr.hcl:1:1: Operation failed: error during / operation: can't divide by zero"_s;
    QTest::newRow("unknown function")
        << u"nosuch(1)"_s << u"expr.hcl:1:1: Call to unknown function: there is no function named \"nosuch\""_s;
    QTest::newRow("null condition")
        << u"var.nothing ? 1 : 2"_s
        << u"expr.hcl:1:1: Null condition: the condition value is null; conditions must either be true or false"_s;
    QTest::newRow("for over null")
        << u"[for x in var.nothing : x]"_s
        << u"expr.hcl:1:11: Iteration over null value: a null value cannot be used as the collection in a 'for' "
           u"expression"_s;
    QTest::newRow("null if clause")
        << u"[for t in var.tags : t if var.nothing]"_s
        << u"expr.hcl:1:27: Condition is null: the value of the 'if' clause must not be null"_s;
    QTest::newRow("if clause that is a word")
        << u"[for t in var.tags : t if t]"_s
        << u"expr.hcl:1:27: Invalid operand: unsuitable value for the 'if' clause: a bool is required, and \"a\" is "
           u"not a bool"_s;
    QTest::newRow("null key in an object for")
        << u"{for t in var.tags : var.nothing => t}"_s
        << u"expr.hcl:1:22: Invalid object key: key expression in 'for' expression must not produce a null value"_s;
    QTest::newRow("not of a word")
        << u"!var.name"_s
        << u"expr.hcl:1:2: Invalid operand: unsuitable value for unary operand: a bool is required, and \"web\" is "
           u"not a bool"_s;
    QTest::newRow("logic on a tuple")
        << u"var.tags && true"_s
        << u"expr.hcl:1:1: Invalid operand: unsuitable value for left operand: a bool is required, not tuple"_s;
    QTest::newRow("arithmetic on a tuple")
        << u"1 + var.tags"_s
        << u"expr.hcl:1:5: Invalid operand: unsuitable value for right operand: a number is required, not tuple"_s;
    QTest::newRow("negating null")
        << u"-var.nothing"_s
        << u"expr.hcl:1:2: Invalid operand: unsuitable value for unary operand: argument must not be null"_s;
    QTest::newRow("error inside a for body has its position")
        << u"[for s in var.services : s.nope]"_s
        << u"expr.hcl:1:27: Unsupported attribute: this object does not have an attribute named \"nope\""_s;
}

void TestHclEvaluator::error()
{
    QFETCH(QString, source);
    QFETCH(QString, message);
    EvalContext ctx = context();
    ctx.keepUnknownReferences = false;
    const mesh::Result<Value> v = evaluate(source, ctx);
    QVERIFY(!v);
    QCOMPARE(v.error().message, message);
}

void TestHclEvaluator::functionsCanBeDisabled()
{
    EvalContext ctx = context();
    ctx.functionsEnabled = false;
    const mesh::Result<Value> v = evaluate(u"upper(\"x\")"_s, ctx);
    QVERIFY(!v);
    QCOMPARE(v.error().message, u"expr.hcl:1:1: Function calls not allowed: functions may not be called here"_s);

    // A failing function names itself and where it was called.
    const mesh::Result<Value> bad = evaluate(u"  upper([1])"_s, context());
    QVERIFY(!bad);
    QVERIFY2(
        bad.error().message.startsWith(u"expr.hcl:1:3: Error in function call: call to function \"upper\" failed: "_s),
        qPrintable(bad.error().message));
}

void TestHclEvaluator::attributesOfAFile()
{
    const QByteArray source = "job \"web\" {\n"
                              "  group \"g\" {\n"
                              "    count = var.count * 2\n"
                              "    env = { URL = \"http://${NOMAD_UPSTREAM_ADDR_api}/x\" }\n"
                              "  }\n"
                              "}\n";
    const mesh::Result<SyntaxFile> file = Parser::parseFile(source, u"job.hcl"_s);
    QVERIFY(file);
    const Body &group = file->body.blocks.front().body.blocks.front().body;
    const mesh::Result<Value> count = Evaluator::evaluate(*group.attribute(u"count")->expr, context(), *file);
    QVERIFY(count);
    QCOMPARE(count->toNumber(), 6.0);
    const mesh::Result<Value> env = Evaluator::evaluate(*group.attribute(u"env")->expr, context(), *file);
    QVERIFY(env);
    QCOMPARE(json(*env), u"{\"URL\":\"http://${NOMAD_UPSTREAM_ADDR_api}/x\"}"_s);
}

QTEST_GUILESS_MAIN(TestHclEvaluator)
#include "tst_hclevaluator.moc"
