// hcl::Functions: each function a Nomad jobspec may call, with the results
// go-cty gives (go-cty: cty/function/stdlib/*_test.go, Terraform's function
// documentation for the examples), its refusals, and the messages a user
// reads when an argument is wrong.
//
// Rows give the arguments and the expected result as JSON (a JSON array is a
// tuple, an object an object); `error` is a part of the expected message.

#include "hcl/functions.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace mesh::hcl;
using namespace Qt::StringLiterals;

namespace {

Value json(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text.toUtf8() + "]", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in a test row: %s", qPrintable(text));
    return Value::fromJson(doc.array().at(0));
}

QString show(const Value &v)
{
    const QJsonValue j = v.toJson();
    if (j.isArray())
        return QString::fromUtf8(QJsonDocument(j.toArray()).toJson(QJsonDocument::Compact));
    if (j.isObject())
        return QString::fromUtf8(QJsonDocument(j.toObject()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(QJsonArray{j}).toJson(QJsonDocument::Compact));
}

} // namespace

class TestHclFunctions : public QObject
{
    Q_OBJECT

    static void row(const char *scenario, const QString &function, const QString &args, const QString &result)
    {
        QTest::newRow(scenario) << function << args << result << QString();
    }

    static void failing(const char *scenario, const QString &function, const QString &args, const QString &error)
    {
        QTest::newRow(scenario) << function << args << QString() << error;
    }

private Q_SLOTS:
    void call_data()
    {
        QTest::addColumn<QString>("function");
        QTest::addColumn<QString>("args");
        QTest::addColumn<QString>("result");
        QTest::addColumn<QString>("error");

        // numbers
        row("abs of a negative", u"abs"_s, u"[-12.4]"_s, u"12.4"_s);
        row("abs of a numeric string", u"abs"_s, u"[\"-3\"]"_s, u"3"_s);
        failing("abs of a word", u"abs"_s, u"[\"x\"]"_s, u"abs: expected a number argument, got string \"x\""_s);
        row("ceil rounds up", u"ceil"_s, u"[5.1]"_s, u"6"_s);
        row("floor rounds down", u"floor"_s, u"[-5.1]"_s, u"-6"_s);
        row("log base 2", u"log"_s, u"[16, 2]"_s, u"4"_s);
        row("max of several", u"max"_s, u"[12, 54, 3]"_s, u"54"_s);
        row("min of several", u"min"_s, u"[12, 54, 3]"_s, u"3"_s);
        failing("max of nothing", u"max"_s, u"[]"_s, u"must pass at least one number"_s);
        row("parseint decimal", u"parseint"_s, u"[\"100\", 10]"_s, u"100"_s);
        row("parseint hex, upper case", u"parseint"_s, u"[\"FF\", 16]"_s, u"255"_s);
        row("parseint negative binary", u"parseint"_s, u"[\"-10\", 2]"_s, u"-2"_s);
        row("parseint base 36", u"parseint"_s, u"[\"zz\", 36]"_s, u"1295"_s);
        failing("parseint a digit beyond the base", u"parseint"_s, u"[\"12\", 2]"_s,
                u"cannot parse \"12\" as a base 2 integer"_s);
        failing("parseint base 1", u"parseint"_s, u"[\"1\", 1]"_s, u"base must be a whole number between 2 and 62"_s);
        failing("parseint of a number", u"parseint"_s, u"[1, 10]"_s, u"first argument must be a string, not number"_s);
        row("pow", u"pow"_s, u"[3, 2]"_s, u"9"_s);
        row("pow to zero", u"pow"_s, u"[4, 0]"_s, u"1"_s);
        row("signum negative", u"signum"_s, u"[-13]"_s, u"-1"_s);
        row("signum zero", u"signum"_s, u"[0]"_s, u"0"_s);
        row("signum positive", u"signum"_s, u"[344]"_s, u"1"_s);

        // strings
        row("chomp one newline", u"chomp"_s, u"[\"hello\\n\"]"_s, u"\"hello\""_s);
        row("chomp CRLF", u"chomp"_s, u"[\"hello\\r\\n\"]"_s, u"\"hello\""_s);
        row("chomp several newlines", u"chomp"_s, u"[\"hello\\n\\n\"]"_s, u"\"hello\""_s);
        row("chomp keeps inner newlines", u"chomp"_s, u"[\"a\\nb\"]"_s, u"\"a\\nb\""_s);
        row("indent all but the first line", u"indent"_s, u"[2, \"a\\nb\\nc\"]"_s, u"\"a\\n  b\\n  c\""_s);
        row("join", u"join"_s, u"[\", \", [\"foo\", \"bar\", \"baz\"]]"_s, u"\"foo, bar, baz\""_s);
        row("join converts numbers and bools", u"join"_s, u"[\",\", [1, true]]"_s, u"\"1,true\""_s);
        row("join several lists", u"join"_s, u"[\"-\", [\"a\"], [\"b\", \"c\"]]"_s, u"\"a-b-c\""_s);
        failing("join without a list", u"join"_s, u"[\",\"]"_s, u"at least one list is required"_s);
        failing("join with a null element", u"join"_s, u"[\",\", [\"a\", null]]"_s,
                u"element 1 is null; cannot concatenate null values"_s);
        failing("join of a string", u"join"_s, u"[\",\", \"a\"]"_s,
                u"join: expected a list of strings as argument 2, got string"_s);
        row("lower", u"lower"_s, u"[\"HELLO Ünï\"]"_s, u"\"hello ünï\""_s);
        row("upper", u"upper"_s, u"[\"hello ünï\"]"_s, u"\"HELLO ÜNÏ\""_s);
        row("upper of a number converts it", u"upper"_s, u"[5]"_s, u"\"5\""_s);
        failing("upper of a list", u"upper"_s, u"[[1]]"_s, u"upper: expected a string argument, got tuple"_s);
        failing("upper of null", u"upper"_s, u"[null]"_s, u"must not be null"_s);
        row("regex_replace", u"regex_replace"_s, u"[\"hello world\", \"o\", \"0\"]"_s, u"\"hell0 w0rld\""_s);
        row("regex_replace with a group", u"regex_replace"_s, u"[\"abc\", \"(b)\", \"[$1]\"]"_s, u"\"a[b]c\""_s);
        row("regex_replace with a named group", u"regex_replace"_s,
            u"[\"k=v\", \"(?P<key>\\\\w+)=(?P<val>\\\\w+)\", \"${val}=${key}\"]"_s, u"\"v=k\""_s);
        row("regex_replace skips empty matches after a match, as Go", u"regex_replace"_s,
            u"[\"baaac\", \"a*\", \"-\"]"_s, u"\"-b-c-\""_s);
        failing("regex_replace with a broken pattern", u"regex_replace"_s, u"[\"a\", \"(\", \"\"]"_s,
                u"invalid regular expression pattern"_s);
        row("replace is literal", u"replace"_s, u"[\"1 + 2 + 3\", \"+\", \"-\"]"_s, u"\"1 - 2 - 3\""_s);
        row("replace of the empty string", u"replace"_s, u"[\"abc\", \"\", \"-\"]"_s, u"\"-a-b-c-\""_s);
        row("split", u"split"_s, u"[\",\", \"foo,bar,baz\"]"_s, u"[\"foo\",\"bar\",\"baz\"]"_s);
        row("split without the separator", u"split"_s, u"[\",\", \"foo\"]"_s, u"[\"foo\"]"_s);
        row("split of the empty string", u"split"_s, u"[\",\", \"\"]"_s, u"[\"\"]"_s);
        row("strrev", u"strrev"_s, u"[\"hello\"]"_s, u"\"olleh\""_s);
        row("strrev keeps combining marks on their letter", u"strrev"_s, u"[\"e\\u0301x\"]"_s, u"\"xe\\u0301\""_s);
        row("reverse is strrev in Nomad", u"reverse"_s, u"[\"abc\"]"_s, u"\"cba\""_s);
        failing("reverse of a list, as Nomad refuses it", u"reverse"_s, u"[[1, 2]]"_s,
                u"reverse: expected a string argument, got tuple"_s);
        row("strlen counts characters", u"strlen"_s, u"[\"h\\u00e9\\ud83e\\udd14\"]"_s, u"3"_s);
        row("substr", u"substr"_s, u"[\"hello world\", 1, 4]"_s, u"\"ello\""_s);
        row("substr of emoji", u"substr"_s, u"[\"\\ud83e\\udd14\\ud83e\\udd37\", 0, 1]"_s, u"\"\\ud83e\\udd14\""_s);
        row("substr from the end", u"substr"_s, u"[\"hello world\", -5, -1]"_s, u"\"world\""_s);
        row("substr past the end", u"substr"_s, u"[\"hello\", 10, 2]"_s, u"\"\""_s);
        row("substr with length 0 from the end takes the rest", u"substr"_s, u"[\"hello\", -1, 0]"_s, u"\"o\""_s);
        failing("substr with a fractional offset", u"substr"_s, u"[\"hello\", 1.5, 1]"_s,
                u"expected a whole number as argument 2, got 1.5"_s);
        row("title", u"title"_s, u"[\"hello world\"]"_s, u"\"Hello World\""_s);
        row("title splits at punctuation, not at underscores", u"title"_s, u"[\"hello-world_x\"]"_s,
            u"\"Hello-World_x\""_s);
        row("trim", u"trim"_s, u"[\"?!hello?!\", \"!?\"]"_s, u"\"hello\""_s);
        row("trimprefix", u"trimprefix"_s, u"[\"helloworld\", \"hello\"]"_s, u"\"world\""_s);
        row("trimprefix without the prefix", u"trimprefix"_s, u"[\"helloworld\", \"cat\"]"_s, u"\"helloworld\""_s);
        row("trimsuffix", u"trimsuffix"_s, u"[\"helloworld\", \"world\"]"_s, u"\"hello\""_s);
        row("trimspace", u"trimspace"_s, u"[\"  hello\\n\\n\"]"_s, u"\"hello\""_s);

        // format
        row("format %s", u"format"_s, u"[\"Hello, %s!\", \"Ander\"]"_s, u"\"Hello, Ander!\""_s);
        row("format %d", u"format"_s, u"[\"There are %d lights\", 4]"_s, u"\"There are 4 lights\""_s);
        row("format %d of a numeric string", u"format"_s, u"[\"%d\", \"12\"]"_s, u"\"12\""_s);
        row("format %s of a number", u"format"_s, u"[\"%s\", 1.5]"_s, u"\"1.5\""_s);
        row("format %q escapes as Go's JSON", u"format"_s, u"[\"%q\", \"a\\\"b<\"]"_s,
            u"\"\\\"a\\\\\\\"b\\\\u003c\\\"\""_s);
        row("format %v of a large number uses an exponent", u"format"_s, u"[\"%v\", 1500000]"_s, u"\"1.5e+06\""_s);
        row("format %v of a port", u"format"_s, u"[\"%v\", 8080]"_s, u"\"8080\""_s);
        row("format %v of a list is JSON", u"format"_s, u"[\"%v\", [1, \"a\"]]"_s, u"\"[1,\\\"a\\\"]\""_s);
        row("format %v of null", u"format"_s, u"[\"%v\", null]"_s, u"\"null\""_s);
        row("format %v of a bool", u"format"_s, u"[\"%v\", true]"_s, u"\"true\""_s);
        row("format %#v of a string is JSON", u"format"_s, u"[\"%#v\", \"a\"]"_s, u"\"\\\"a\\\"\""_s);
        row("format %5.2f", u"format"_s, u"[\"%5.2f\", 3.14159]"_s, u"\" 3.14\""_s);
        row("format %f defaults to 6 places", u"format"_s, u"[\"%f\", 2]"_s, u"\"2.000000\""_s);
        row("format %e", u"format"_s, u"[\"%e\", 1234.5678]"_s, u"\"1.234568e+03\""_s);
        row("format %g of a small number", u"format"_s, u"[\"%g\", 0.00001]"_s, u"\"1e-05\""_s);
        row("format %-5s pads on the right", u"format"_s, u"[\"%-5s|\", \"ab\"]"_s, u"\"ab   |\""_s);
        row("format %5s pads on the left", u"format"_s, u"[\"%5s|\", \"ab\"]"_s, u"\"   ab|\""_s);
        row("format %.3s truncates", u"format"_s, u"[\"%.3s\", \"abcdef\"]"_s, u"\"abc\""_s);
        row("format %05d", u"format"_s, u"[\"%05d\", 42]"_s, u"\"00042\""_s);
        row("format %05d negative", u"format"_s, u"[\"%05d\", -42]"_s, u"\"-0042\""_s);
        row("format %+d", u"format"_s, u"[\"%+d\", 5]"_s, u"\"+5\""_s);
        row("format %x", u"format"_s, u"[\"%x\", 255]"_s, u"\"ff\""_s);
        row("format %#X", u"format"_s, u"[\"%#X\", 255]"_s, u"\"0XFF\""_s);
        row("format %x of a negative number", u"format"_s, u"[\"%x\", -255]"_s, u"\"-ff\""_s);
        row("format %b", u"format"_s, u"[\"%b\", 5]"_s, u"\"101\""_s);
        row("format %o", u"format"_s, u"[\"%o\", 8]"_s, u"\"10\""_s);
        row("format %t", u"format"_s, u"[\"%t\", true]"_s, u"\"true\""_s);
        row("format with explicit indexes", u"format"_s, u"[\"%[2]s %[1]s %s\", \"a\", \"b\"]"_s, u"\"b a b\""_s);
        row("format %%", u"format"_s, u"[\"100%%\"]"_s, u"\"100%\""_s);
        failing("format %s of null", u"format"_s, u"[\"%s\", null]"_s, u"null value cannot be formatted"_s);
        failing("format %d of a fraction", u"format"_s, u"[\"%d\", 1.5]"_s, u"an integer is required"_s);
        failing("format %s of a list", u"format"_s, u"[\"%s\", [1]]"_s, u"a string is required"_s);
        failing("format with too few arguments", u"format"_s, u"[\"%s %s\", \"a\"]"_s,
                u"not enough arguments for \"%s\" at 3: need index 2 but have 1 total"_s);
        failing("format with an unknown verb", u"format"_s, u"[\"%z\", 1]"_s, u"unsupported format verb 'z'"_s);
        failing("format with a dangling percent", u"format"_s, u"[\"50%\"]"_s,
                u"invalid format string starting at offset 2"_s);
        row("formatlist", u"formatlist"_s, u"[\"Hello, %s!\", [\"Valentina\", \"Ander\"]]"_s,
            u"[\"Hello, Valentina!\",\"Hello, Ander!\"]"_s);
        row("formatlist repeats a single value", u"formatlist"_s, u"[\"%s=%s\", [\"a\", \"b\"], \"x\"]"_s,
            u"[\"a=x\",\"b=x\"]"_s);
        row("formatlist of an empty list", u"formatlist"_s, u"[\"%s\", []]"_s, u"[]"_s);
        row("formatlist of scalars only", u"formatlist"_s, u"[\"%s\", \"a\"]"_s, u"[\"a\"]"_s);
        failing("formatlist with lists of different lengths", u"formatlist"_s, u"[\"%s%s\", [\"a\"], [\"b\", \"c\"]]"_s,
                u"argument 2 has length 2, which is inconsistent with argument 1 of length 1"_s);

        // collections
        row("chunklist", u"chunklist"_s, u"[[\"a\", \"b\", \"c\", \"d\", \"e\"], 2]"_s,
            u"[[\"a\",\"b\"],[\"c\",\"d\"],[\"e\"]]"_s);
        row("chunklist of size 0 is one chunk", u"chunklist"_s, u"[[\"a\", \"b\"], 0]"_s, u"[[\"a\",\"b\"]]"_s);
        failing("chunklist of a negative size", u"chunklist"_s, u"[[\"a\"], -1]"_s,
                u"the size argument must be positive"_s);
        row("coalesce skips empty strings", u"coalesce"_s, u"[\"\", \"b\"]"_s, u"\"b\""_s);
        row("coalesce skips nulls", u"coalesce"_s, u"[null, \"\", \"c\"]"_s, u"\"c\""_s);
        row("coalesce of numbers", u"coalesce"_s, u"[1, 2]"_s, u"1"_s);
        row("coalesce unifies to string", u"coalesce"_s, u"[1, \"a\"]"_s, u"\"1\""_s);
        failing("coalesce of nothing usable", u"coalesce"_s, u"[null, \"\"]"_s,
                u"no non-null, non-empty-string arguments"_s);
        failing("coalesce of a list and a number", u"coalesce"_s, u"[[1], 1]"_s,
                u"all arguments must have the same type"_s);
        row("coalescelist", u"coalescelist"_s, u"[[], [\"a\"]]"_s, u"[\"a\"]"_s);
        failing("coalescelist of a string", u"coalescelist"_s, u"[\"a\"]"_s,
                u"coalescelist arguments must be lists or tuples"_s);
        row("compact", u"compact"_s, u"[[\"a\", \"\", \"b\", null]]"_s, u"[\"a\",\"b\"]"_s);
        row("concat", u"concat"_s, u"[[\"a\"], [\"b\", \"c\"]]"_s, u"[\"a\",\"b\",\"c\"]"_s);
        failing("concat of a string", u"concat"_s, u"[\"a\"]"_s,
                u"all arguments must be lists or tuples; got string"_s);
        row("contains", u"contains"_s, u"[[\"a\", \"b\"], \"b\"]"_s, u"true"_s);
        row("contains compares types", u"contains"_s, u"[[1], \"1\"]"_s, u"false"_s);
        failing("contains of a string", u"contains"_s, u"[\"a\", \"a\"]"_s, u"argument must be list, tuple, or set"_s);
        row("distinct keeps the first of each", u"distinct"_s, u"[[\"a\", \"b\", \"a\", \"c\", \"d\", \"b\"]]"_s,
            u"[\"a\",\"b\",\"c\",\"d\"]"_s);
        row("element", u"element"_s, u"[[\"a\", \"b\", \"c\"], 1]"_s, u"\"b\""_s);
        row("element wraps around", u"element"_s, u"[[\"a\", \"b\", \"c\"], 3]"_s, u"\"a\""_s);
        failing("element of an empty list", u"element"_s, u"[[], 0]"_s,
                u"cannot use element function with an empty list"_s);
        failing("element with a negative index", u"element"_s, u"[[\"a\"], -1]"_s, u"with a negative index"_s);
        row("flatten", u"flatten"_s, u"[[[\"a\", \"b\"], [], [\"c\"]]]"_s, u"[\"a\",\"b\",\"c\"]"_s);
        row("flatten deeply", u"flatten"_s, u"[[[[\"a\"]], \"b\"]]"_s, u"[\"a\",\"b\"]"_s);
        failing("flatten of a string", u"flatten"_s, u"[\"a\"]"_s, u"can only flatten lists, sets and tuples"_s);
        row("index reads an element, as cty's IndexFunc", u"index"_s, u"[[\"a\", \"b\"], 1]"_s, u"\"b\""_s);
        row("index of a map", u"index"_s, u"[{\"a\": 1}, \"a\"]"_s, u"1"_s);
        failing("index out of range", u"index"_s, u"[[\"a\"], 5]"_s, u"key must be between 0 and 1 inclusive"_s);
        failing("index of a missing key", u"index"_s, u"[{\"a\": 1}, \"b\"]"_s, u"invalid index"_s);
        row("keys are sorted", u"keys"_s, u"[{\"a\": 1, \"c\": 2, \"b\": 3}]"_s, u"[\"a\",\"b\",\"c\"]"_s);
        row("values in key order", u"values"_s, u"[{\"a\": 3, \"c\": 2, \"d\": 1}]"_s, u"[3,2,1]"_s);
        failing("keys of a list", u"keys"_s, u"[[1]]"_s, u"keys: expected a map or object argument, got tuple"_s);
        row("length of an empty list", u"length"_s, u"[[]]"_s, u"0"_s);
        row("length of a list", u"length"_s, u"[[\"a\", \"b\"]]"_s, u"2"_s);
        row("length of a map", u"length"_s, u"[{\"a\": \"b\"}]"_s, u"1"_s);
        failing("length of a string, refused as cty's LengthFunc does", u"length"_s, u"[\"hello\"]"_s,
                u"collection must be a list, a map or a tuple"_s);
        row("lookup finds", u"lookup"_s, u"[{\"a\": \"ay\", \"b\": \"bee\"}, \"a\", \"what?\"]"_s, u"\"ay\""_s);
        row("lookup falls back", u"lookup"_s, u"[{\"a\": \"ay\"}, \"c\", \"what?\"]"_s, u"\"what?\""_s);
        failing("lookup without a default", u"lookup"_s, u"[{\"a\": \"ay\"}, \"a\"]"_s,
                u"lookup: expected 3 argument(s), got 2"_s);
        row("merge: later wins", u"merge"_s, u"[{\"a\": \"b\", \"c\": \"d\"}, {\"e\": \"f\", \"c\": \"z\"}]"_s,
            u"{\"a\":\"b\",\"c\":\"z\",\"e\":\"f\"}"_s);
        row("merge of nothing", u"merge"_s, u"[]"_s, u"{}"_s);
        row("merge of nulls is null", u"merge"_s, u"[null]"_s, u"null"_s);
        failing("merge of a list", u"merge"_s, u"[[1]]"_s, u"arguments must be maps or objects"_s);
        row("range to 3", u"range"_s, u"[3]"_s, u"[0,1,2]"_s);
        row("range 1 to 4", u"range"_s, u"[1, 4]"_s, u"[1,2,3]"_s);
        row("range with a step", u"range"_s, u"[1, 8, 2]"_s, u"[1,3,5,7]"_s);
        row("range with a fractional step", u"range"_s, u"[1, 3, 0.5]"_s, u"[1,1.5,2,2.5]"_s);
        row("range down", u"range"_s, u"[4, 1]"_s, u"[4,3,2]"_s);
        row("range down with a step", u"range"_s, u"[10, 5, -2]"_s, u"[10,8,6]"_s);
        row("range to 0 is empty", u"range"_s, u"[0]"_s, u"[]"_s);
        failing("range with step 0", u"range"_s, u"[0, 1, 0]"_s, u"step must not be zero"_s);
        failing("range up with a negative step", u"range"_s, u"[1, 4, -1]"_s,
                u"end must be less than start when step is negative"_s);
        failing("range beyond 1024 values", u"range"_s, u"[2000]"_s, u"more than 1024 values were generated"_s);
        row("setunion", u"setunion"_s, u"[[\"a\", \"b\"], [\"b\", \"c\"], [\"d\"]]"_s, u"[\"a\",\"b\",\"c\",\"d\"]"_s);
        row("setunion sorts as cty's sets", u"setunion"_s, u"[[\"b\"], [\"a\"]]"_s, u"[\"a\",\"b\"]"_s);
        row("setintersection", u"setintersection"_s, u"[[\"a\", \"b\"], [\"b\", \"c\"], [\"b\", \"d\"]]"_s,
            u"[\"b\"]"_s);
        row("setproduct", u"setproduct"_s, u"[[\"a\", \"b\"], [1, 2]]"_s,
            u"[[\"a\",1],[\"a\",2],[\"b\",1],[\"b\",2]]"_s);
        row("slice", u"slice"_s, u"[[\"a\", \"b\", \"c\", \"d\"], 1, 3]"_s, u"[\"b\",\"c\"]"_s);
        failing("slice beyond the end", u"slice"_s, u"[[\"a\"], 0, 3]"_s,
                u"end index must not be greater than the length of the list"_s);
        failing("slice backwards", u"slice"_s, u"[[\"a\", \"b\"], 1, 0]"_s,
                u"start index must not be greater than end index"_s);
        row("sort", u"sort"_s, u"[[\"e\", \"d\", \"a\", \"x\"]]"_s, u"[\"a\",\"d\",\"e\",\"x\"]"_s);
        row("sort numbers as strings", u"sort"_s, u"[[3, 10, 2]]"_s, u"[\"10\",\"2\",\"3\"]"_s);
        row("zipmap", u"zipmap"_s, u"[[\"a\", \"b\"], [1, 2]]"_s, u"{\"a\":1,\"b\":2}"_s);
        failing("zipmap of different lengths", u"zipmap"_s, u"[[\"a\"], [1, 2]]"_s,
                u"number of keys (1) does not match number of values (2)"_s);

        // encoding
        row("base64encode", u"base64encode"_s, u"[\"Hello World\"]"_s, u"\"SGVsbG8gV29ybGQ=\""_s);
        row("base64decode", u"base64decode"_s, u"[\"SGVsbG8gV29ybGQ=\"]"_s, u"\"Hello World\""_s);
        failing("base64decode without padding", u"base64decode"_s, u"[\"abc\"]"_s, u"failed to decode base64 data"_s);
        failing("base64decode of binary", u"base64decode"_s, u"[\"/w==\"]"_s, u"not valid UTF-8"_s);
        row("jsonencode of an object", u"jsonencode"_s, u"[{\"hello\": \"world\"}]"_s,
            u"\"{\\\"hello\\\":\\\"world\\\"}\""_s);
        row("jsonencode escapes HTML characters as Go does", u"jsonencode"_s, u"[\"<a&b>\"]"_s,
            u"\"\\\"\\\\u003ca\\\\u0026b\\\\u003e\\\"\""_s);
        row("jsonencode of numbers without exponent", u"jsonencode"_s, u"[[1, 1e20, 0.5, true, null]]"_s,
            u"\"[1,100000000000000000000,0.5,true,null]\""_s);
        row("jsondecode of an object", u"jsondecode"_s, u"[\"{\\\"hello\\\": \\\"world\\\"}\"]"_s,
            u"{\"hello\":\"world\"}"_s);
        row("jsondecode of a scalar", u"jsondecode"_s, u"[\"true\"]"_s, u"true"_s);
        failing("jsondecode of broken JSON", u"jsondecode"_s, u"[\"[1,\"]"_s, u"jsondecode: invalid JSON"_s);
        row("csvdecode", u"csvdecode"_s, u"[\"a,b\\n1,2\\n3,4\\n\"]"_s,
            u"[{\"a\":\"1\",\"b\":\"2\"},{\"a\":\"3\",\"b\":\"4\"}]"_s);
        row("csvdecode with quotes", u"csvdecode"_s, u"[\"a,\\\"b \\\"\\\"q\\\"\\\"\\\"\\r\\n1,\\\"x,y\\\"\"]"_s,
            u"[{\"a\":\"1\",\"b \\\"q\\\"\":\"x,y\"}]"_s);
        failing("csvdecode with a short row", u"csvdecode"_s, u"[\"a,b\\n1\\n\"]"_s, u"wrong number of fields"_s);
        failing("csvdecode of nothing", u"csvdecode"_s, u"[\"\"]"_s, u"missing header line"_s);
        row("urlencode", u"urlencode"_s, u"[\"Hello World!\"]"_s, u"\"Hello+World%21\""_s);
        row("urlencode of reserved characters", u"urlencode"_s, u"[\"a/b?c=d&e\"]"_s, u"\"a%2Fb%3Fc%3Dd%26e\""_s);
        row("urlencode of UTF-8", u"urlencode"_s, u"[\"\\u2603\"]"_s, u"\"%E2%98%83\""_s);

        // hashes and UUIDs
        row("md5", u"md5"_s, u"[\"hello world\"]"_s, u"\"5eb63bbbe01eeed093cb22bb8f5acdc3\""_s);
        row("sha1", u"sha1"_s, u"[\"hello world\"]"_s, u"\"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed\""_s);
        row("sha256", u"sha256"_s, u"[\"hello world\"]"_s,
            u"\"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9\""_s);
        row("uuidv5 in the dns namespace", u"uuidv5"_s, u"[\"dns\", \"www.terraform.io\"]"_s,
            u"\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\""_s);
        row("uuidv5 in the url namespace", u"uuidv5"_s, u"[\"url\", \"https://www.terraform.io/\"]"_s,
            u"\"9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5\""_s);

        // refusals and arity
        failing("file is refused", u"file"_s, u"[\"x\"]"_s,
                u"function file reads the local filesystem; Meshpad does not evaluate it"_s);
        failing("fileset is refused", u"fileset"_s, u"[\".\", \"*\"]"_s, u"reads the local filesystem"_s);
        failing("yamldecode is unsupported", u"yamldecode"_s, u"[\"a: 1\"]"_s, u"not supported"_s);
        failing("too few arguments", u"upper"_s, u"[]"_s, u"upper: expected 1 argument(s), got 0"_s);
        failing("too many arguments", u"upper"_s, u"[\"a\", \"b\"]"_s, u"upper: expected 1 argument(s), got 2"_s);
        failing("an unknown function", u"nosuch"_s, u"[]"_s, u"there is no function named \"nosuch\""_s);
    }

    void call()
    {
        QFETCH(QString, function);
        QFETCH(QString, args);
        QFETCH(QString, result);
        QFETCH(QString, error);
        const auto value = Functions::call(function, json(args).toTuple());
        if (error.isEmpty()) {
            QVERIFY2(value, qPrintable(value ? QString() : value.error().message));
            QCOMPARE(show(*value), show(json(result)));
        } else {
            QVERIFY2(!value, qPrintable(u"unexpectedly succeeded: "_s + (value ? show(*value) : QString())));
            QVERIFY2(value.error().message.contains(error), qPrintable(value.error().message));
            QVERIFY2(!value.error().message.contains(u".hcl:"_s), "messages carry no position");
        }
    }

    void refusalsAreUnsupported()
    {
        QCOMPARE(Functions::call(u"file", {Value::string(u"/etc/passwd"_s)}).error().code,
                 mesh::Error::Code::Unsupported);
        QCOMPARE(Functions::call(u"upper", {Value::tuple({})}).error().code, mesh::Error::Code::Invalid);
    }

    void has_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("known");
        QTest::newRow("a string function") << u"upper"_s << true;
        QTest::newRow("a refused file function is still known") << u"file"_s << true;
        QTest::newRow("can is a special form") << u"can"_s << false;
        QTest::newRow("try is a special form") << u"try"_s << false;
        QTest::newRow("Terraform's templatefile is not Nomad's") << u"templatefile"_s << false;
        // jobspec2/functions.go has no type conversion functions: a jobspec
        // calling one is refused, by Nomad and by us.
        QTest::newRow("Terraform's tostring is not Nomad's") << u"tostring"_s << false;
        QTest::newRow("Terraform's tonumber is not Nomad's") << u"tonumber"_s << false;
        QTest::newRow("case matters") << u"Upper"_s << false;
        QTest::newRow("empty") << QString() << false;
    }

    void has()
    {
        QFETCH(QString, name);
        QFETCH(bool, known);
        QCOMPARE(Functions::has(name), known);
    }

    void uuidv4IsRandomAndWellFormed()
    {
        const auto a = Functions::call(u"uuidv4", {});
        const auto b = Functions::call(u"uuidv4", {});
        QVERIFY(a && b);
        QVERIFY(*a != *b);
        QVERIFY(QRegularExpression(u"\\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\z"_s)
                    .match(a->toString())
                    .hasMatch());
    }
};

QTEST_GUILESS_MAIN(TestHclFunctions)
#include "tst_hclfunctions.moc"
