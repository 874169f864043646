// hcl::Printer: a parsed file printed and parsed again is the same tree
// (sameStructure), for every expression form of HCL's native syntax; the
// printed text is canonical (printing it again changes nothing) and looks
// like hclwrite's; sameStructure itself tells different trees apart.

#include "hcl/parser.h"
#include "hcl/printer.h"

#include <QTest>

using namespace mesh::hcl;
using namespace Qt::StringLiterals;

class TestHclPrinter : public QObject
{
    Q_OBJECT

    static SyntaxFile parse(const QByteArray &source)
    {
        auto file = Parser::parseFile(source, u"test.hcl"_s);
        if (!file)
            qFatal("does not parse: %s\n%s", qPrintable(file.error().message), source.constData());
        return *file;
    }

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("source");
        const auto row = [](const char *name, const char *source) { QTest::newRow(name) << QByteArray(source); };
        row("literals", "a = 1\nb = 1.5\nc = true\nd = false\ne = null\nf = 1e20\ng = 0.000001\n");
        row("strings with escapes", "a = \"tab\\there \\\"q\\\" back\\\\slash\\nnewline \\u00e9 \\U0001F600\"\n");
        row("escaped interpolation markers", "a = \"$${not} %%{not} 50% $5 $$${x} %%%{y}\"\n");
        row("a literal ending in $ before an interpolation", "a = \"cost: $${x}$\"\nb = \"a$${x}\"\n");
        row("interpolation", "a = \"hello ${name}!\"\n");
        // Found by fuzz_hcl: printed as `0.e82` this read back as a number.
        row("an attribute of a number", "a = 0. e82\nb = 1 .x[0]\n");
        row("a lone interpolation is a wrap", "a = \"${var.port}\"\n");
        row("a nested quoted string", "a = \"x${\"y${z}\"}\"\n");
        row("template if", "a = \"%{if x}yes%{else}no%{endif}\"\n");
        row("template if without else", "a = \"<%{if x}yes%{endif}>\"\n");
        row("empty template if", "a = \"%{if x}%{endif}\"\n");
        row("template for", "a = \"%{for i, v in list}${i}=${v},%{endfor}\"\n");
        row("template for without key", "a = \"%{for v in list}${v}%{endfor}\"\n");
        row("strip markers", "a = \"  ${~x~}  \"\nb = \"a ${x~} \"\nc = \" %{~if x} y %{~endif~} \"\n");
        row("heredoc", "a = <<EOF\nline one\n  ${x} two\n$${esc}\nEOF\n");
        row("indented heredoc", "a = <<-EOF\n    one\n      ${x}\n    two\n  EOF\n");
        row("heredoc with directives", "a = <<EOF\n%{ for x in xs ~}\n${x}\n%{ endfor ~}\nEOF\n");
        row("empty string and empty heredoc", "a = \"\"\nb = <<EOF\nEOF\n");
        row("traversals", "a = var.x.y[0][\"k\"][true]\nb = local.list.0\nc = x[\"\"]\n");
        row("relative traversals", "a = f(x).y[1]\nb = [1, 2][0]\nc = \"abc\"[0]\nd = (a).b\n");
        row("index with expressions", "a = x[y]\nb = x[i + 1][j].k\nc = x[-1]\n");
        row("splats", "a = x.*.y.z\nb = x[*].y[0].z\nc = x.*.y.0\nd = x[*]\ne = x.*\nf = x[*].y[*].z\ng = x.*.y[0]\n");
        row("function calls", "a = f()\nb = upper(\"x\")\nc = join(\",\", xs...)\nd = provider::x::f(1)\n");
        row("tuples", "a = []\nb = [1, \"two\", [3], { four = 4 }]\n");
        row("objects", "a = {}\nb = { x = 1, \"y z\" = 2, (k) = 3, (k).j = 4 }\nc = {\n  d = {\n    e = [1]\n  }\n}\n");
        row("objects with colons", "a = { x: 1, y: 2 }\n");
        row("for expressions", "a = [for v in xs : upper(v)]\nb = [for i, v in xs : v if i > 0]\n"
                               "c = {for k, v in m : k => v}\nd = {for k, v in m : v => k... if v != null}\n");
        row("conditionals", "a = x ? 1 : 2\nb = x ? y ? 1 : 2 : 3\nc = x ? 1 : y ? 2 : 3\nd = (x ? y : z) ? 1 : 2\n");
        row("operators by precedence", "a = 1 + 2 * 3 - 4 / 5 % 6\nb = a || b && c == d != e < f <= g > h >= i\n"
                                       "c = (1 + 2) * 3\nd = 1 - (2 - 3)\ne = 1 - 2 - 3\nf = !a && -b > 0\n");
        row("unary operators", "a = -1\nb = - -x\nc = !!x\nd = -x.y[0]\ne = -(x + 1)\nf = !(a || b)\n");
        row("parentheses are kept", "a = (1)\nb = ((x))\nc = (x).y\n");
        row("blocks", "job \"web\" {\n  group \"g\" {\n    count = 2\n    task \"t\" {}\n  }\n  meta {}\n}\n"
                      "locals {\n  a = 1\n}\nempty {\n}\nthree \"a\" b \"c\" {\n}\n");
        row("labels with escapes", "block \"a\\\"b\" \"$${x}\" \"tab\\t\" {\n}\n");
        row("attributes and blocks interleaved", "a = 1\nb {\n}\nc = 2\nd {\n  e = 3\n}\n");
        row("a jobspec", "\n"
                         "variable \"image\" {\n"
                         "  type    = string\n"
                         "  default = \"hashicorp/counter:${var.v}\"\n"
                         "}\n"
                         "job \"countdash\" {\n"
                         "  datacenters = [\"dc1\"]\n"
                         "  meta = {\n"
                         "    owner = \"ops\"\n"
                         "  }\n"
                         "  group \"api\" {\n"
                         "    network {\n"
                         "      mode = \"bridge\"\n"
                         "      port \"http\" { to = 9001 }\n"
                         "    }\n"
                         "    service {\n"
                         "      name = \"count-api\"\n"
                         "      port = \"9001\"\n"
                         "      connect {\n"
                         "        sidecar_service {}\n"
                         "      }\n"
                         "    }\n"
                         "    task \"web\" {\n"
                         "      driver = \"docker\"\n"
                         "      config {\n"
                         "        image = var.image\n"
                         "        args  = [for a in local.args : \"--${a}\"]\n"
                         "      }\n"
                         "      template {\n"
                         "        data        = <<-EOT\n"
                         "          PORT={{ env \"NOMAD_PORT_http\" }}\n"
                         "          ${jsonencode({ a = 1 })}\n"
                         "        EOT\n"
                         "        destination = \"local/env\"\n"
                         "      }\n"
                         "    }\n"
                         "  }\n"
                         "}\n");
    }

    void roundTrip()
    {
        QFETCH(QByteArray, source);
        const SyntaxFile original = parse(source);
        const QByteArray printed = Printer::print(original);
        auto again = Parser::parseFile(printed, u"printed.hcl"_s);
        QVERIFY2(again, qPrintable(u"the printed text does not parse: "_s + (again ? QString() : again.error().message)
                                   + u"\n"_s + QString::fromUtf8(printed)));
        QVERIFY2(Printer::sameStructure(original, *again), printed.constData());
        // Canonical: printing the printed file gives the same text.
        QCOMPARE(Printer::print(*again), printed);
    }

    void canonicalLayout_data()
    {
        QTest::addColumn<QByteArray>("source");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("equals signs aligned, blocks after attributes")
            << QByteArray("job \"j\" {\ngroup \"g\" {}\n    count=1\n    datacenters=[\"dc1\",\"dc2\"]\n}\n")
            << QByteArray(
                   "job \"j\" {\n  count       = 1\n  datacenters = [\"dc1\", \"dc2\"]\n\n  group \"g\" {\n  }\n}\n");
        QTest::newRow("a heredoc becomes a quoted string")
            << QByteArray("a = <<EOF\nx ${y}\nEOF\n") << QByteArray("a = \"x ${y}\\n\"\n");
        QTest::newRow("an object value on its own lines")
            << QByteArray("meta = {a = 1, b = \"x\"}\n") << QByteArray("meta = {\n  a = 1\n  b = \"x\"\n}\n");
        QTest::newRow("operators spaced, calls and tuples compact")
            << QByteArray("a = f( 1,2 )*(3+4)\n") << QByteArray("a = f(1, 2) * (3 + 4)\n");
        QTest::newRow("numbers in shortest form")
            << QByteArray("a = 1.50\nb = 1e3\n") << QByteArray("a = 1.5\nb = 1000\n");
    }

    void canonicalLayout()
    {
        QFETCH(QByteArray, source);
        QFETCH(QByteArray, expected);
        QCOMPARE(Printer::print(parse(source)), expected);
    }

    void sameStructureSeesDifferences_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("same");
        QTest::newRow("layout and ranges do not matter")
            << QByteArray("a   =   1") << QByteArray("\n\na = 1\n") << true;
        QTest::newRow("a heredoc is its quoted string")
            << QByteArray("a = <<E\nx\nE\n") << QByteArray("a = \"x\\n\"") << true;
        QTest::newRow("values differ") << QByteArray("a = 1") << QByteArray("a = 2") << false;
        QTest::newRow("parentheses count") << QByteArray("a = (x)") << QByteArray("a = x") << false;
        QTest::newRow("operators differ") << QByteArray("a = x + y") << QByteArray("a = x - y") << false;
        QTest::newRow("a wrap is not a template") << QByteArray("a = \"${x}\"") << QByteArray("a = \"${x} \"") << false;
        QTest::newRow("labels differ") << QByteArray("b \"x\" {}") << QByteArray("b \"y\" {}") << false;
        QTest::newRow("nested attribute differs")
            << QByteArray("b {\n c = [1, 2]\n}") << QByteArray("b {\n c = [1, 3]\n}") << false;
        QTest::newRow("splat kinds differ") << QByteArray("a = x.*.y") << QByteArray("a = x[*].y") << false;
        QTest::newRow("expansion differs") << QByteArray("a = f(x...)") << QByteArray("a = f(x)") << false;
        QTest::newRow("traversal steps differ") << QByteArray("a = x.y") << QByteArray("a = x.z") << false;
        QTest::newRow("every kind of expression, the same")
            << QByteArray("a = [f(x...), {k = -y[0], (z) = !w}, [for i, v in l : v if i > 0], c ? \"${d}\" : e[*].g, "
                          "\"%{for s in t}${s}%{endfor}\", f(1).h[2], (1 + 2) * 3]")
            << QByteArray("a = [\n  f(x...),\n  { k = -y[0], (z) = !w },\n  [for i, v in l : v if i > 0],\n"
                          "  c ? \"${d}\" : e[*].g,\n  \"%{for s in t}${s}%{endfor}\", f(1).h[2], (1 + 2) * 3,\n]")
            << true;
        QTest::newRow("function names differ") << QByteArray("a = f(x)") << QByteArray("a = g(x)") << false;
        QTest::newRow("tuple lengths differ") << QByteArray("a = [1, 2]") << QByteArray("a = [1, 2, 3]") << false;
        QTest::newRow("object keys differ") << QByteArray("a = {k = 1}") << QByteArray("a = {j = 1}") << false;
        QTest::newRow("object values differ") << QByteArray("a = {k = 1}") << QByteArray("a = {k = 2}") << false;
        QTest::newRow("object sizes differ") << QByteArray("a = {k = 1}") << QByteArray("a = {k = 1, j = 2}") << false;
        QTest::newRow("a parenthesized key is not a name")
            << QByteArray("a = {(k) = 1}") << QByteArray("a = {k = 1}") << false;
        QTest::newRow("index keys differ") << QByteArray("a = x[y]") << QByteArray("a = x[z]") << false;
        QTest::newRow("steps after a call differ") << QByteArray("a = f().x") << QByteArray("a = f().y") << false;
        QTest::newRow("for conditions differ")
            << QByteArray("a = [for v in l : v if v]") << QByteArray("a = [for v in l : v]") << false;
        QTest::newRow("for grouping differs")
            << QByteArray("a = {for v in l : v => v...}") << QByteArray("a = {for v in l : v => v}") << false;
        QTest::newRow("conditional results differ")
            << QByteArray("a = c ? 1 : 2") << QByteArray("a = c ? 1 : 3") << false;
        QTest::newRow("unary operators differ") << QByteArray("a = -x") << QByteArray("a = !x") << false;
        QTest::newRow("template for bodies differ") << QByteArray("a = \"%{for s in t}${s}%{endfor}\"")
                                                    << QByteArray("a = \"%{for s in t}x${s}%{endfor}\"") << false;
        QTest::newRow("splat continuations differ") << QByteArray("a = x[*].y") << QByteArray("a = x[*].z") << false;
    }

    void sameStructureSeesDifferences()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, same);
        QCOMPARE(Printer::sameStructure(parse(a), parse(b)), same);
    }

    void printExpression()
    {
        const auto e = Parser::parseExpression("a ? \"${b}\" : [for x in c : x * 2]", u"e"_s);
        QVERIFY(e);
        QCOMPARE(Printer::printExpression(**e), u"a ? \"${b}\" : [for x in c : x * 2]");
    }
};

QTEST_GUILESS_MAIN(TestHclPrinter)
#include "tst_hclprinter.moc"
