#include "functions.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTextBoundaryFinder>
#include <QUuid>

#include <algorithm>
#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;

namespace mesh::hcl {

namespace {

using Args = QList<Value>;

// ---------------------------------------------------------------- helpers

QString inQuotes(const QString &s)
{
    return u'"' + s + u'"';
}

// cty's string-to-number conversion (go-cty: cty/convert/
// conversion_primitive.go via cty.ParseNumberVal): a plain decimal, optionally
// signed, with an optional fraction and exponent; no spaces, no hex, no
// infinities.
std::optional<double> parseNumber(const QString &s)
{
    static const QRegularExpression decimal(u"\\A[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\z"_s);
    if (!decimal.match(s).hasMatch())
        return std::nullopt;
    bool ok = false;
    const double n = s.toDouble(&ok);
    if (!ok || !std::isfinite(n))
        return std::nullopt;
    return n;
}

// The user-perceived characters of a string, as cty counts them
// (apparentlymart/go-textseg's grapheme clusters).
QStringList graphemes(const QString &s)
{
    QStringList out;
    QTextBoundaryFinder finder(QTextBoundaryFinder::Grapheme, s);
    qsizetype start = 0;
    while (finder.toNextBoundary() != -1) {
        const qsizetype end = finder.position();
        if (end > start)
            out.append(s.mid(start, end - start));
        start = end;
    }
    return out;
}

qsizetype graphemeCount(const QString &s)
{
    return graphemes(s).size();
}

std::optional<QString> toStringValue(const Value &v)
{
    return v.convertToString();
}

std::optional<double> toNumberValue(const Value &v)
{
    if (v.type() == Value::Type::Number)
        return v.toNumber();
    if (v.type() == Value::Type::String)
        return parseNumber(v.toString());
    return std::nullopt;
}

std::optional<bool> toBoolValue(const Value &v)
{
    if (v.type() == Value::Type::Bool)
        return v.toBool();
    if (v.type() == Value::Type::String) {
        // go-cty: cty/convert/conversion_primitive.go accepts these four.
        const QString s = v.toString();
        if (s == "true"_L1 || s == "1"_L1)
            return true;
        if (s == "false"_L1 || s == "0"_L1)
            return false;
    }
    return std::nullopt;
}

bool isPrimitive(Value::Type t)
{
    return t == Value::Type::Bool || t == Value::Type::Number || t == Value::Type::String;
}

// cty's unification of element types (go-cty: cty/convert/unify.go), as far
// as Value tells types apart: equal types stay; primitives mixed with strings
// all become strings; anything else cannot be one list's elements.
std::optional<Value::Tuple> unify(const Value::Tuple &items)
{
    std::optional<Value::Type> common;
    bool mixed = false;
    bool anyString = false;
    bool allPrimitive = true;
    for (const Value &v : items) {
        if (v.isNull())
            continue;
        if (!isPrimitive(v.type()))
            allPrimitive = false;
        if (v.type() == Value::Type::String)
            anyString = true;
        if (!common)
            common = v.type();
        else if (*common != v.type())
            mixed = true;
    }
    if (!mixed)
        return items;
    if (!allPrimitive || !anyString)
        return std::nullopt;
    Value::Tuple out;
    out.reserve(items.size());
    for (const Value &v : items)
        out.append(v.isNull() ? v : Value::string(*v.convertToString()));
    return out;
}

// The order in which cty iterates a set of primitives
// (go-cty: cty/set_internals.go): numbers ascending, strings by their UTF-8
// bytes, false before true. Other sets keep insertion order here.
bool setLess(const Value &a, const Value &b)
{
    if (a.type() != b.type())
        return int(a.type()) < int(b.type());
    switch (a.type()) {
    case Value::Type::Number: return a.toNumber() < b.toNumber();
    case Value::Type::String: return a.toString().toUtf8() < b.toString().toUtf8();
    case Value::Type::Bool: return !a.toBool() && b.toBool();
    default: return false;
    }
}

Value::Tuple distinct(const Value::Tuple &items)
{
    Value::Tuple out;
    for (const Value &v : items) {
        if (!out.contains(v))
            out.append(v);
    }
    return out;
}

Value::Tuple asSet(const Value::Tuple &items)
{
    Value::Tuple out = distinct(items);
    const bool primitive = std::all_of(out.cbegin(), out.cend(), [](const Value &v) { return isPrimitive(v.type()); });
    if (primitive)
        std::stable_sort(out.begin(), out.end(), setLess);
    return out;
}

// Go's encoding/json string form, which cty's JSON marshalling uses
// (go-cty: cty/json/marshal.go): HTML-sensitive characters and the JS line
// separators are escaped.
void appendJsonString(QString &out, const QString &s)
{
    out += u'"';
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        switch (u) {
        case u'"': out += "\\\""_L1; break;
        case u'\\': out += "\\\\"_L1; break;
        case u'\n': out += "\\n"_L1; break;
        case u'\r': out += "\\r"_L1; break;
        case u'\t': out += "\\t"_L1; break;
        case u'\b': out += "\\b"_L1; break;
        case u'\f': out += "\\f"_L1; break;
        case u'<':
        case u'>':
        case u'&':
        case 0x2028:
        case 0x2029: out += "\\u"_L1 + QString::number(u, 16).rightJustified(4, u'0'); break;
        default:
            if (u < 0x20)
                out += "\\u"_L1 + QString::number(u, 16).rightJustified(4, u'0');
            else
                out += c;
        }
    }
    out += u'"';
}

void appendJson(QString &out, const Value &v)
{
    switch (v.type()) {
    case Value::Type::Null: out += "null"_L1; return;
    case Value::Type::Bool:
    case Value::Type::Number: out += *v.convertToString(); return;
    case Value::Type::String: appendJsonString(out, v.toString()); return;
    case Value::Type::Tuple: {
        out += u'[';
        bool first = true;
        for (const Value &item : v.toTuple()) {
            if (!first)
                out += u',';
            first = false;
            appendJson(out, item);
        }
        out += u']';
        return;
    }
    case Value::Type::Object: {
        out += u'{';
        const Value::Object &members = v.toObject();
        bool first = true;
        for (auto it = members.cbegin(); it != members.cend(); ++it) {
            if (!first)
                out += u',';
            first = false;
            appendJsonString(out, it.key());
            out += u':';
            appendJson(out, it.value());
        }
        out += u'}';
        return;
    }
    }
}

QString toJsonText(const Value &v)
{
    QString out;
    appendJson(out, v);
    return out;
}

// ---------------------------------------------------------------- format

// One `%…` verb of cty's format (go-cty: cty/function/stdlib/format.go and
// format_fsm.rl).
struct Verb
{
    QString raw;
    qsizetype offset = 0;
    int argNum = 0;
    char16_t mode = 0;
    bool zero = false, sharp = false, plus = false, minus = false, space = false;
    int width = -1; // -1: none
    int prec = -1;  // -1: none
};

QString padWidth(const Verb &verb, const QString &text)
{
    if (verb.width < 0)
        return text;
    const qsizetype have = graphemeCount(text);
    if (have >= verb.width)
        return text;
    const QString pad(verb.width - have, verb.zero ? u'0' : u' ');
    return verb.minus ? text + pad : pad + text;
}

// Go's %g with the shortest precision (math/big: ftoa.go, as
// big.Float.Text('g', -1)): exponent form when the exponent is below -4 or
// at least 6 ("1.5e+06"), the shortest fixed form otherwise.
QString shortestG(double n, bool upper)
{
    if (std::isinf(n))
        return n > 0 ? u"+Inf"_s : u"-Inf"_s;
    if (n == 0)
        return u"0"_s;
    char buffer[400];
    auto r = std::to_chars(buffer, buffer + sizeof buffer, n, std::chars_format::scientific);
    QString sci = QString::fromLatin1(buffer, r.ptr - buffer);
    const qsizetype e = sci.indexOf(u'e');
    const int exponent = sci.mid(e + 1).toInt();
    if (exponent < -4 || exponent >= 6)
        return upper ? sci.toUpper() : sci;
    r = std::to_chars(buffer, buffer + sizeof buffer, n, std::chars_format::fixed);
    return QString::fromLatin1(buffer, r.ptr - buffer);
}

// Go's big.Float formatting of %e %E %f %g %G (math/big: ftoa.go Format):
// the sign, then zero padding (which wins over '-'), or space padding.
QString formatFloat(const Verb &verb, double n)
{
    const bool negative = std::signbit(n) && n != 0;
    const double magnitude = std::fabs(n);
    QString body;
    const char16_t m = verb.mode;
    if ((m == u'g' || m == u'G') && verb.prec < 0) {
        body = shortestG(magnitude, m == u'G');
    } else if (std::isinf(magnitude)) {
        body = u"Inf"_s;
    } else {
        const int prec = verb.prec < 0 ? 6 : verb.prec;
        const char spec[] = {'%', '.', '*', char(m), '\0'};
        char buffer[512];
        const int len = std::snprintf(buffer, sizeof buffer, spec, prec, magnitude);
        body = QString::fromLatin1(buffer, std::clamp(len, 0, int(sizeof buffer) - 1));
    }
    if (body.startsWith(u'+'))
        body.remove(0, 1);
    QString sign;
    if (negative)
        sign = u"-"_s;
    else if (verb.plus)
        sign = u"+"_s;
    else if (verb.space)
        sign = u" "_s;
    const qsizetype padding = verb.width > sign.size() + body.size() ? verb.width - sign.size() - body.size() : 0;
    if (verb.zero && !std::isinf(n))
        return sign + QString(padding, u'0') + body;
    if (verb.minus)
        return sign + body + QString(padding, u' ');
    return QString(padding, u' ') + sign + body;
}

// Go's big.Int formatting of %b %d %o %x %X (math/big: intconv.go Format).
std::optional<QString> formatInteger(const Verb &verb, double n)
{
    const double magnitude = std::fabs(n);
    QString digits;
    int base = 10;
    switch (verb.mode) {
    case u'b': base = 2; break;
    case u'o': base = 8; break;
    case u'x':
    case u'X': base = 16; break;
    default: break;
    }
    if (base == 10) {
        char buffer[400];
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, magnitude, std::chars_format::fixed);
        digits = QString::fromLatin1(buffer, r.ptr - buffer);
    } else {
        if (magnitude >= 0x1p64)
            return std::nullopt;
        auto value = static_cast<quint64>(magnitude);
        do {
            const int d = int(value % unsigned(base));
            digits.prepend(QChar(d < 10 ? u'0' + d : u'a' + d - 10));
            value /= unsigned(base);
        } while (value != 0);
        if (verb.mode == u'X')
            digits = digits.toUpper();
    }
    QString sign;
    if (n < 0)
        sign = u"-"_s;
    else if (verb.plus)
        sign = u"+"_s;
    else if (verb.space)
        sign = u" "_s;
    QString prefix;
    if (verb.sharp) {
        switch (verb.mode) {
        case u'b': prefix = u"0b"_s; break;
        case u'o': prefix = u"0"_s; break;
        case u'x': prefix = u"0x"_s; break;
        case u'X': prefix = u"0X"_s; break;
        default: break;
        }
    }
    qsizetype zeros = 0, left = 0, right = 0;
    if (verb.prec >= 0) {
        if (digits.size() < verb.prec)
            zeros = verb.prec - digits.size();
        else if (digits == "0"_L1 && verb.prec == 0)
            return QString();
    }
    const qsizetype length = sign.size() + prefix.size() + zeros + digits.size();
    if (verb.width >= 0 && length < verb.width) {
        const qsizetype d = verb.width - length;
        if (verb.minus)
            right = d;
        else if (verb.zero && verb.prec < 0)
            zeros = d;
        else
            left = d;
    }
    return QString(left, u' ') + sign + prefix + QString(zeros, u'0') + digits + QString(right, u' ');
}

Result<QString> appendVerb(Verb &verb, const Args &args, QString &out)
{
    const auto fail = [&](const QString &why) {
        return mesh::fail(Error::Code::Invalid,
                          u"unsupported value for %1 at %2: %3"_s.arg(inQuotes(verb.raw)).arg(verb.offset).arg(why));
    };
    if (verb.argNum - 1 >= args.size()) {
        return mesh::fail(Error::Code::Invalid, u"not enough arguments for %1 at %2: need index %3 but have %4 total"_s
                                                    .arg(inQuotes(verb.raw))
                                                    .arg(verb.offset)
                                                    .arg(verb.argNum)
                                                    .arg(args.size()));
    }
    const Value &arg = args.at(verb.argNum - 1);
    if (verb.mode != u'v' && arg.isNull())
        return fail(u"null value cannot be formatted"_s);

    switch (verb.mode) {
    case u'v':
        if (!verb.sharp && arg.type() == Value::Type::String)
            out += padWidth(verb, arg.toString());
        else if (!verb.sharp && arg.type() == Value::Type::Number)
            out += padWidth(verb, shortestG(arg.toNumber(), false));
        else
            out += padWidth(verb, toJsonText(arg));
        return out;
    case u't': {
        const auto b = toBoolValue(arg);
        if (!b)
            return fail(u"a bool is required"_s);
        out += *b ? u"true"_s : u"false"_s;
        return out;
    }
    case u'b':
    case u'd':
    case u'o':
    case u'x':
    case u'X': {
        const auto n = toNumberValue(arg);
        if (!n)
            return fail(u"a number is required"_s);
        if (std::trunc(*n) != *n)
            return fail(u"an integer is required"_s);
        const auto text = formatInteger(verb, *n);
        if (!text)
            return fail(u"the integer is too large"_s);
        out += *text;
        return out;
    }
    case u'e':
    case u'E':
    case u'f':
    case u'g':
    case u'G': {
        const auto n = toNumberValue(arg);
        if (!n)
            return fail(u"a number is required"_s);
        out += formatFloat(verb, *n);
        return out;
    }
    case u's':
    case u'q': {
        const auto s = toStringValue(arg);
        if (!s)
            return fail(u"a string is required"_s);
        QString text = *s;
        if (verb.prec > 0)
            text = graphemes(text).mid(0, verb.prec).join(QString());
        if (verb.mode == u'q') {
            QString json;
            appendJsonString(json, text);
            text = json;
        }
        out += padWidth(verb, text);
        return out;
    }
    default:
        return mesh::fail(Error::Code::Invalid,
                          u"unsupported format verb '%1' in %2 at offset %3"_s.arg(QChar(verb.mode))
                              .arg(inQuotes(verb.raw))
                              .arg(verb.offset));
    }
}

Result<QString> formatString(const QString &format, const Args &args)
{
    QString out;
    int nextArg = 1;
    const qsizetype n = format.size();
    qsizetype p = 0;
    while (p < n) {
        const QChar c = format.at(p);
        if (c != u'%') {
            out += c;
            ++p;
            continue;
        }
        if (p + 1 < n && format.at(p + 1) == u'%') {
            out += u'%';
            p += 2;
            continue;
        }
        Verb verb;
        verb.offset = p;
        verb.argNum = nextArg;
        const qsizetype start = p++;
        const auto invalid = [&] {
            return mesh::fail(Error::Code::Invalid, u"invalid format string starting at offset %1"_s.arg(start));
        };
        const auto unrecognized = [&] {
            if (p >= n)
                return invalid();
            return mesh::fail(Error::Code::Invalid,
                              u"unrecognized format character '%1' at offset %2"_s.arg(format.at(p)).arg(p));
        };
        for (; p < n; ++p) {
            const QChar f = format.at(p);
            if (f == u'0')
                verb.zero = true;
            else if (f == u'#')
                verb.sharp = true;
            else if (f == u'-')
                verb.minus = true;
            else if (f == u'+')
                verb.plus = true;
            else if (f == u' ')
                verb.space = true;
            else
                break;
        }
        const auto readNumber = [&]() -> int {
            qint64 value = 0;
            while (p < n && format.at(p).isDigit() && format.at(p).unicode() < 128) {
                value = std::min<qint64>(value * 10 + (format.at(p).unicode() - u'0'), 1'000'000);
                ++p;
            }
            return int(value);
        };
        if (p < n && format.at(p) == u'[') {
            ++p;
            if (p >= n || format.at(p) < u'1' || format.at(p) > u'9')
                return unrecognized();
            verb.argNum = readNumber();
            if (p >= n || format.at(p) != u']')
                return unrecognized();
            ++p;
        }
        if (p < n && format.at(p) >= u'1' && format.at(p) <= u'9')
            verb.width = readNumber();
        else if (p < n && format.at(p) == u'*')
            return mesh::fail(Error::Code::Invalid,
                              u"width from an argument (\"*\") is not supported, at offset %1"_s.arg(p));
        if (p < n && format.at(p) == u'.') {
            ++p;
            if (p < n && format.at(p) == u'*')
                return mesh::fail(Error::Code::Invalid,
                                  u"precision from an argument (\"*\") is not supported, at offset %1"_s.arg(p));
            verb.prec = readNumber();
        }
        if (p >= n)
            return invalid();
        const QChar m = format.at(p);
        if (!((m >= u'a' && m <= u'z') || (m >= u'A' && m <= u'Z')))
            return unrecognized();
        verb.mode = m.unicode();
        ++p;
        verb.raw = format.mid(start, p - start);
        const auto appended = appendVerb(verb, args, out);
        if (!appended)
            return std::unexpected(appended.error());
        nextArg = verb.argNum + 1;
    }
    return out;
}

// ---------------------------------------------------------------- calls

// One call's arguments and the readers that convert them as cty converts a
// function's parameters. A function reads its arguments in a row and checks
// once:
//
//     const QString s = c.string(0);
//     const qint64 offset = c.integer(1);
//     if (c.failed())
//         return c.failure();
//
// The first argument that does not convert is the one reported; once a read
// has failed, the readers convert nothing more and return empty values.
class Call final
{
public:
    Call(QString functionName, const Args &arguments)
        : name(std::move(functionName))
        , args(arguments)
    {
    }

    const QString name;
    const Args &args;

    std::unexpected<Error> fail(const QString &what) const
    {
        return mesh::fail(Error::Code::Invalid, name + u": "_s + what);
    }

    bool failed() const { return m_error.has_value(); }
    // The first failed read's error (only after failed()).
    std::unexpected<Error> failure() const { return std::unexpected(*m_error); }

    QString string(qsizetype i) { return keep(&Call::toStringArg, i); }
    double number(qsizetype i) { return keep(&Call::toNumberArg, i); }
    qint64 integer(qsizetype i) { return keep(&Call::toIntegerArg, i); }
    Value::Tuple sequence(qsizetype i) { return keep(&Call::toSequenceArg, i); }
    Value::Tuple list(qsizetype i) { return keep(&Call::toListArg, i); }
    Value::Tuple stringList(qsizetype i) { return keep(&Call::toStringListArg, i); }
    Value::Object object(qsizetype i) { return keep(&Call::toObjectArg, i); }

    // gocty.FromCtyValue into a Go int: a whole number.
    Result<qint64> toIntegerArg(qsizetype i) const
    {
        const auto n = toNumberArg(i);
        if (!n)
            return std::unexpected(n.error());
        if (std::trunc(*n) != *n || std::fabs(*n) > 0x1p53)
            return expected(i, u"a whole number"_s, *Value::number(*n).convertToString());
        return qint64(*n);
    }

private:
    template<class T>
    T keep(Result<T> (Call::*convert)(qsizetype) const, qsizetype i)
    {
        if (m_error)
            return T();
        Result<T> value = (this->*convert)(i);
        if (!value) {
            m_error = value.error();
            return T();
        }
        return std::move(*value);
    }

    // "join: expected a list of strings as argument 2, got string"
    std::unexpected<Error> expected(qsizetype i, const QString &what, const QString &got) const
    {
        if (args.size() > 1)
            return fail(u"expected %1 as argument %2, got %3"_s.arg(what).arg(i + 1).arg(got));
        return fail(u"expected %1 argument, got %2"_s.arg(what, got));
    }

    static QString describe(const Value &v)
    {
        if (v.type() == Value::Type::String)
            return u"string "_s + toJsonText(v);
        return v.typeName();
    }

    Result<QString> toStringArg(qsizetype i) const
    {
        const auto s = toStringValue(args.at(i));
        if (!s)
            return expected(i, u"a string"_s, args.at(i).typeName());
        return *s;
    }

    Result<double> toNumberArg(qsizetype i) const
    {
        const auto n = toNumberValue(args.at(i));
        if (!n)
            return expected(i, u"a number"_s, describe(args.at(i)));
        return *n;
    }

    Result<Value::Tuple> toSequenceArg(qsizetype i) const { return toSequenceArg(i, u"a list"_s); }

    Result<Value::Tuple> toSequenceArg(qsizetype i, const QString &what) const
    {
        if (args.at(i).type() != Value::Type::Tuple)
            return expected(i, what, args.at(i).typeName());
        return args.at(i).toTuple();
    }

    // cty's conversion to list(T): a sequence whose elements unify.
    Result<Value::Tuple> toListArg(qsizetype i) const
    {
        const auto items = toSequenceArg(i);
        if (!items)
            return std::unexpected(items.error());
        const auto unified = unify(*items);
        if (!unified)
            return expected(i, u"a list whose elements have one type"_s, u"a tuple of mixed types"_s);
        return *unified;
    }

    // cty's conversion to list(string); null elements stay null.
    Result<Value::Tuple> toStringListArg(qsizetype i) const
    {
        const auto items = toSequenceArg(i, u"a list of strings"_s);
        if (!items)
            return std::unexpected(items.error());
        Value::Tuple out;
        out.reserve(items->size());
        for (const Value &v : *items) {
            if (v.isNull()) {
                out.append(v);
                continue;
            }
            const auto s = v.convertToString();
            if (!s)
                return expected(i, u"a list of strings"_s, u"a list holding a "_s + v.typeName());
            out.append(Value::string(*s));
        }
        return out;
    }

    Result<Value::Object> toObjectArg(qsizetype i) const
    {
        if (args.at(i).type() != Value::Type::Object)
            return expected(i, u"a map or object"_s, args.at(i).typeName());
        return args.at(i).toObject();
    }

    std::optional<Error> m_error;
};

using Impl = Result<Value> (*)(Call &);

Value stringTuple(const QStringList &items)
{
    Value::Tuple out;
    out.reserve(items.size());
    for (const QString &s : items)
        out.append(Value::string(s));
    return Value::tuple(std::move(out));
}

QString mapCodePoints(const QString &s, char32_t (*f)(char32_t))
{
    QList<uint> ucs = s.toUcs4();
    for (uint &u : ucs)
        u = f(u);
    return QString::fromUcs4(reinterpret_cast<const char32_t *>(ucs.constData()), ucs.size());
}

// ---- numbers (go-cty: cty/function/stdlib/number.go)

// A function of one number whose result is a number.
Result<Value> numberToNumber(Call &c, double (*f)(double))
{
    const double n = c.number(0);
    if (c.failed())
        return c.failure();
    return Value::number(f(n));
}

Result<Value> fnAbs(Call &c)
{
    return numberToNumber(c, [](double n) -> double { return std::fabs(n); });
}

Result<Value> fnCeil(Call &c)
{
    return numberToNumber(c, [](double n) -> double { return std::ceil(n); });
}

Result<Value> fnFloor(Call &c)
{
    return numberToNumber(c, [](double n) -> double { return std::floor(n); });
}

Result<Value> fnLog(Call &c)
{
    const double n = c.number(0);
    const double base = c.number(1);
    if (c.failed())
        return c.failure();
    return Value::number(std::log(n) / std::log(base));
}

Result<Value> fnPow(Call &c)
{
    const double n = c.number(0);
    const double power = c.number(1);
    if (c.failed())
        return c.failure();
    return Value::number(std::pow(n, power));
}

Result<Value> fnSignum(Call &c)
{
    return numberToNumber(c, [](double n) -> double { return n > 0 ? 1 : n < 0 ? -1 : 0; });
}

Result<Value> minMax(Call &c, bool max)
{
    if (c.args.isEmpty())
        return c.fail(u"must pass at least one number"_s);
    double best = max ? -INFINITY : INFINITY;
    for (qsizetype i = 0; i < c.args.size(); ++i) {
        const double n = c.number(i);
        best = max ? std::max(best, n) : std::min(best, n);
    }
    if (c.failed())
        return c.failure();
    return Value::number(best);
}

Result<Value> fnMax(Call &c)
{
    return minMax(c, true);
}

Result<Value> fnMin(Call &c)
{
    return minMax(c, false);
}

// math/big's Int.SetString with an explicit base: an optional sign, then
// digits 0-9a-z (A-Z the same up to base 36, then 36-61 above).
Result<Value> fnParseInt(Call &c)
{
    if (c.args.at(0).type() != Value::Type::String)
        return c.fail(u"first argument must be a string, not %1"_s.arg(c.args.at(0).typeName()));
    const QString text = c.args.at(0).toString();
    const auto base = c.toIntegerArg(1);
    if (!base || *base < 2 || *base > 62)
        return c.fail(u"base must be a whole number between 2 and 62 inclusive"_s);
    const auto cannot
        = [&] { return c.fail(u"cannot parse %1 as a base %2 integer"_s.arg(toJsonText(c.args.at(0))).arg(*base)); };
    qsizetype i = 0;
    bool negative = false;
    if (i < text.size() && (text.at(i) == u'+' || text.at(i) == u'-')) {
        negative = text.at(i) == u'-';
        ++i;
    }
    if (i >= text.size())
        return cannot();
    double value = 0;
    for (; i < text.size(); ++i) {
        const char16_t ch = text.at(i).unicode();
        int digit = -1;
        if (ch >= u'0' && ch <= u'9')
            digit = ch - u'0';
        else if (ch >= u'a' && ch <= u'z')
            digit = ch - u'a' + 10;
        else if (ch >= u'A' && ch <= u'Z')
            digit = *base <= 36 ? ch - u'A' + 10 : ch - u'A' + 36;
        if (digit < 0 || digit >= *base)
            return cannot();
        value = value * double(*base) + digit;
    }
    return Value::number(negative ? -value : value);
}

// ---- strings (go-cty: cty/function/stdlib/string.go, string_replace.go)

Result<Value> fnUpper(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    // Go's strings.ToUpper maps each code point on its own (no "ß" → "SS").
    return Value::string(mapCodePoints(s, [](char32_t u) { return QChar::toUpper(u); }));
}

Result<Value> fnLower(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    return Value::string(mapCodePoints(s, [](char32_t u) { return QChar::toLower(u); }));
}

Result<Value> fnStrRev(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    QStringList clusters = graphemes(s);
    std::reverse(clusters.begin(), clusters.end());
    return Value::string(clusters.join(QString()));
}

Result<Value> fnStrLen(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    return Value::number(double(graphemeCount(s)));
}

Result<Value> fnSubstr(Call &c)
{
    const QString s = c.string(0);
    qint64 offset = c.integer(1);
    const qint64 length = c.integer(2);
    if (c.failed())
        return c.failure();
    const QStringList clusters = graphemes(s);
    // As cty's SubstrFunc: a negative offset counts from the end, and then a
    // length of 0 means "the rest".
    if (offset < 0)
        offset += clusters.size();
    else if (length == 0)
        return Value::string(QString());
    const qsizetype start = std::max<qint64>(offset, 0);
    if (start >= clusters.size())
        return Value::string(QString());
    const QStringList rest = clusters.mid(start);
    if (length < 0 || length == 0)
        return Value::string(rest.join(QString()));
    return Value::string(rest.mid(0, length).join(QString()));
}

Result<Value> fnJoin(Call &c)
{
    const QString separator = c.string(0);
    if (c.failed())
        return c.failure();
    if (c.args.size() < 2)
        return c.fail(u"at least one list is required"_s);
    QStringList parts;
    for (qsizetype i = 1; i < c.args.size(); ++i) {
        const Value::Tuple items = c.stringList(i);
        if (c.failed())
            return c.failure();
        for (qsizetype e = 0; e < items.size(); ++e) {
            if (items.at(e).isNull()) {
                if (c.args.size() > 2)
                    return c.fail(u"element %1 of list %2 is null; cannot concatenate null values"_s.arg(e).arg(i));
                return c.fail(u"element %1 is null; cannot concatenate null values"_s.arg(e));
            }
            parts.append(items.at(e).toString());
        }
    }
    return Value::string(parts.join(separator));
}

Result<Value> fnSort(Call &c)
{
    const Value::Tuple items = c.stringList(0);
    if (c.failed())
        return c.failure();
    QList<QByteArray> utf8;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (items.at(i).isNull())
            return c.fail(u"given list element %1 is null; a null string cannot be sorted"_s.arg(i));
        utf8.append(items.at(i).toString().toUtf8());
    }
    // Go's sort.Strings compares bytes.
    std::sort(utf8.begin(), utf8.end());
    QStringList sorted;
    for (const QByteArray &s : std::as_const(utf8))
        sorted.append(QString::fromUtf8(s));
    return stringTuple(sorted);
}

Result<Value> fnSplit(Call &c)
{
    const QString separator = c.string(0);
    const QString s = c.string(1);
    if (c.failed())
        return c.failure();
    QStringList parts;
    if (separator.isEmpty()) {
        // Go's strings.Split with an empty separator splits after each code
        // point.
        for (const char32_t u : s.toUcs4())
            parts.append(QString::fromUcs4(&u, 1));
    } else {
        parts = s.split(separator);
    }
    return stringTuple(parts);
}

Result<Value> fnChomp(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    qsizetype end = s.size();
    while (end > 0 && (s.at(end - 1) == u'\n' || s.at(end - 1) == u'\r'))
        --end;
    return Value::string(s.left(end));
}

Result<Value> fnIndent(Call &c)
{
    const qint64 spaces = c.integer(0);
    const QString s = c.string(1);
    if (c.failed())
        return c.failure();
    QString copy = s;
    return Value::string(copy.replace(u'\n', u'\n' + QString(std::max<qint64>(spaces, 0), u' ')));
}

bool goIsSpace(char32_t u)
{
    return QChar::isSpace(u);
}

// Go's strings.Title: the first letter of each word (words separated by
// anything but letters, digits and '_') in title case.
Result<Value> fnTitle(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    const auto isSeparator = [](char32_t r) {
        if (r <= 0x7F) {
            return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_');
        }
        if (QChar::isLetter(r) || QChar::isDigit(r))
            return false;
        return goIsSpace(r);
    };
    QList<char32_t> out;
    char32_t prev = U' ';
    for (const char32_t r : s.toUcs4()) {
        out.append(isSeparator(prev) ? QChar::toTitleCase(r) : r);
        prev = r;
    }
    return Value::string(QString::fromUcs4(out.constData(), out.size()));
}

// s without the code points at either end for which `trimmed` holds.
template<class Predicate>
QString trimCodePoints(const QString &s, Predicate trimmed)
{
    const QList<uint> ucs = s.toUcs4();
    qsizetype b = 0, e = ucs.size();
    while (b < e && trimmed(ucs.at(b)))
        ++b;
    while (e > b && trimmed(ucs.at(e - 1)))
        --e;
    return QString::fromUcs4(reinterpret_cast<const char32_t *>(ucs.constData()) + b, e - b);
}

Result<Value> fnTrimSpace(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    return Value::string(trimCodePoints(s, [](uint u) { return goIsSpace(u); }));
}

Result<Value> fnTrim(Call &c)
{
    const QString s = c.string(0);
    const QString cutset = c.string(1);
    if (c.failed())
        return c.failure();
    const QList<uint> cut = cutset.toUcs4();
    return Value::string(trimCodePoints(s, [&](uint u) { return cut.contains(u); }));
}

Result<Value> fnTrimPrefix(Call &c)
{
    const QString s = c.string(0);
    const QString prefix = c.string(1);
    if (c.failed())
        return c.failure();
    return Value::string(s.startsWith(prefix) ? s.mid(prefix.size()) : s);
}

Result<Value> fnTrimSuffix(Call &c)
{
    const QString s = c.string(0);
    const QString suffix = c.string(1);
    if (c.failed())
        return c.failure();
    return Value::string(s.endsWith(suffix) ? s.left(s.size() - suffix.size()) : s);
}

Result<Value> fnReplace(Call &c)
{
    const QString s = c.string(0);
    const QString substr = c.string(1);
    const QString replacement = c.string(2);
    if (c.failed())
        return c.failure();
    if (substr.isEmpty()) {
        // Go's strings.Replace with an empty old string inserts the
        // replacement before every code point and at the end.
        QString out = replacement;
        for (const char32_t u : s.toUcs4())
            out += QString::fromUcs4(&u, 1) + replacement;
        return Value::string(out);
    }
    QString copy = s;
    return Value::string(copy.replace(substr, replacement));
}

// Go's regexp.Expand template syntax: $name or ${name}, where a name of
// digits is a group number; a missing group expands to nothing; $$ is "$".
QString expandReplacement(const QString &tmpl, const QRegularExpressionMatch &match)
{
    QString out;
    const auto isNameChar = [](QChar ch) { return ch.unicode() < 128 && (ch.isLetterOrNumber() || ch == u'_'); };
    for (qsizetype i = 0; i < tmpl.size(); ++i) {
        const QChar ch = tmpl.at(i);
        if (ch != u'$' || i + 1 >= tmpl.size()) {
            out += ch;
            continue;
        }
        if (tmpl.at(i + 1) == u'$') {
            out += u'$';
            ++i;
            continue;
        }
        QString name;
        qsizetype next = i + 1;
        if (tmpl.at(next) == u'{') {
            const qsizetype close = tmpl.indexOf(u'}', next);
            if (close < 0) {
                out += ch;
                continue;
            }
            name = tmpl.mid(next + 1, close - next - 1);
            if (name.isEmpty() || !std::all_of(name.cbegin(), name.cend(), isNameChar)) {
                out += ch;
                continue;
            }
            next = close + 1;
        } else {
            while (next < tmpl.size() && isNameChar(tmpl.at(next)))
                name += tmpl.at(next++);
            if (name.isEmpty()) {
                out += ch;
                continue;
            }
        }
        bool numeric = false;
        const int group = name.toInt(&numeric);
        out += numeric ? match.captured(group) : match.captured(name);
        i = next - 1;
    }
    return out;
}

Result<Value> fnRegexReplace(Call &c)
{
    const QString s = c.string(0);
    const QString pattern = c.string(1);
    const QString replacement = c.string(2);
    if (c.failed())
        return c.failure();
    const QRegularExpression re(pattern);
    if (!re.isValid())
        return c.fail(u"invalid regular expression pattern: %1"_s.arg(re.errorString()));
    // Go's ReplaceAllString skips an empty match right after a match.
    QString out;
    qsizetype last = 0;
    qsizetype previousEnd = -1;
    auto it = re.globalMatch(s);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedLength() == 0 && m.capturedStart() == previousEnd)
            continue;
        out += s.mid(last, m.capturedStart() - last);
        out += expandReplacement(replacement, m);
        last = m.capturedEnd();
        previousEnd = m.capturedEnd();
    }
    out += s.mid(last);
    return Value::string(out);
}

Result<Value> fnFormat(Call &c)
{
    const QString format = c.string(0);
    if (c.failed())
        return c.failure();
    const auto text = formatString(format, c.args.mid(1));
    if (!text)
        return c.fail(text.error().message);
    return Value::string(*text);
}

Result<Value> fnFormatList(Call &c)
{
    const QString format = c.string(0);
    if (c.failed())
        return c.failure();
    const Args args = c.args.mid(1);
    qsizetype iterations = -1;
    qsizetype chooser = -1;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args.at(i).type() != Value::Type::Tuple)
            continue;
        const qsizetype length = args.at(i).toTuple().size();
        if (iterations == -1) {
            iterations = length;
            chooser = i;
        } else if (length != iterations) {
            return c.fail(u"argument %1 has length %2, which is inconsistent with argument %3 of length %4"_s.arg(i + 1)
                              .arg(length)
                              .arg(chooser + 1)
                              .arg(iterations));
        }
    }
    if (iterations == -1)
        iterations = 1;
    Value::Tuple out;
    for (qsizetype n = 0; n < iterations; ++n) {
        Args one;
        for (const Value &arg : args)
            one.append(arg.type() == Value::Type::Tuple ? arg.toTuple().at(n) : arg);
        const auto text = formatString(format, one);
        if (!text)
            return c.fail(u"error on format iteration %1: %2"_s.arg(n).arg(text.error().message));
        out.append(Value::string(*text));
    }
    return Value::tuple(out);
}

// ---- collections (go-cty: cty/function/stdlib/collection.go, sequence.go,
// set.go, general.go)

Result<Value> fnChunkList(Call &c)
{
    const Value::Tuple items = c.list(0);
    const qint64 size = c.integer(1);
    if (c.failed())
        return c.failure();
    if (items.isEmpty())
        return Value::tuple({});
    if (size < 0)
        return c.fail(u"the size argument must be positive"_s);
    if (size == 0)
        return Value::tuple({Value::tuple(items)});
    Value::Tuple out;
    for (qsizetype i = 0; i < items.size(); i += size)
        out.append(Value::tuple(items.mid(i, size)));
    return Value::tuple(out);
}

Result<Value> fnCoalesce(Call &c)
{
    if (c.args.isEmpty())
        return c.fail(u"at least one argument is required"_s);
    const auto unified = unify(c.args);
    if (!unified)
        return c.fail(u"all arguments must have the same type"_s);
    for (const Value &v : *unified) {
        if (v.isNull())
            continue;
        if (v.type() == Value::Type::String && v.toString().isEmpty())
            continue;
        return v;
    }
    return c.fail(u"no non-null, non-empty-string arguments"_s);
}

Result<Value> fnCoalesceList(Call &c)
{
    if (c.args.isEmpty())
        return c.fail(u"at least one argument is required"_s);
    for (const Value &v : c.args) {
        if (v.type() != Value::Type::Tuple)
            return c.fail(u"coalescelist arguments must be lists or tuples, got %1"_s.arg(v.typeName()));
    }
    for (const Value &v : c.args) {
        if (!v.toTuple().isEmpty())
            return v;
    }
    return c.fail(u"no non-null arguments"_s);
}

Result<Value> fnCompact(Call &c)
{
    const Value::Tuple items = c.stringList(0);
    if (c.failed())
        return c.failure();
    Value::Tuple out;
    for (const Value &v : items) {
        if (!v.isNull() && !v.toString().isEmpty())
            out.append(v);
    }
    return Value::tuple(out);
}

Result<Value> fnConcat(Call &c)
{
    if (c.args.isEmpty())
        return c.fail(u"at least one argument is required"_s);
    Value::Tuple out;
    for (const Value &v : c.args) {
        if (v.type() != Value::Type::Tuple)
            return c.fail(u"all arguments must be lists or tuples; got %1"_s.arg(v.typeName()));
        out.append(v.toTuple());
    }
    return Value::tuple(out);
}

Result<Value> fnContains(Call &c)
{
    const Value &list = c.args.at(0);
    if (list.type() != Value::Type::Tuple)
        return c.fail(u"argument must be list, tuple, or set"_s);
    return Value::boolean(list.toTuple().contains(c.args.at(1)));
}

Result<Value> fnDistinct(Call &c)
{
    const Value::Tuple items = c.list(0);
    if (c.failed())
        return c.failure();
    return Value::tuple(distinct(items));
}

Result<Value> fnElement(Call &c)
{
    const Value::Tuple items = c.sequence(0);
    const qint64 index = c.integer(1);
    if (c.failed())
        return c.failure();
    if (index < 0)
        return c.fail(u"cannot use element function with a negative index"_s);
    if (items.isEmpty())
        return c.fail(u"cannot use element function with an empty list"_s);
    return items.at(index % items.size());
}

void flattenInto(Value::Tuple &out, const Value::Tuple &items)
{
    for (const Value &v : items) {
        if (v.type() == Value::Type::Tuple)
            flattenInto(out, v.toTuple());
        else
            out.append(v);
    }
}

Result<Value> fnFlatten(Call &c)
{
    if (c.args.at(0).type() != Value::Type::Tuple)
        return c.fail(u"can only flatten lists, sets and tuples"_s);
    Value::Tuple out;
    flattenInto(out, c.args.at(0).toTuple());
    return Value::tuple(out);
}

// cty's IndexFunc: index(collection, key), the element at key — not
// Terraform's index(list, value). Nomad's jobspec2 maps "index" to it.
Result<Value> fnIndex(Call &c)
{
    const Value &collection = c.args.at(0);
    const Value &key = c.args.at(1);
    if (collection.type() == Value::Type::Tuple) {
        const auto n = toNumberValue(key);
        if (key.type() != Value::Type::Number || !n)
            return c.fail(u"key for tuple must be number"_s);
        const Value::Tuple &items = collection.toTuple();
        if (std::trunc(*n) != *n || *n < 0 || *n >= items.size())
            return c.fail(u"key must be between 0 and %1 inclusive"_s.arg(items.size()));
        return items.at(qsizetype(*n));
    }
    if (collection.type() == Value::Type::Object) {
        if (key.type() != Value::Type::String)
            return c.fail(u"key for map must be string"_s);
        const Value::Object &members = collection.toObject();
        const auto it = members.constFind(key.toString());
        if (it == members.cend())
            return c.fail(u"invalid index"_s);
        return *it;
    }
    return c.fail(u"collection must be a list, a map or a tuple"_s);
}

Result<Value> fnKeys(Call &c)
{
    const Value::Object members = c.object(0);
    if (c.failed())
        return c.failure();
    return stringTuple(members.keys());
}

Result<Value> fnValues(Call &c)
{
    if (c.args.at(0).type() != Value::Type::Object)
        return c.fail(u"values() requires a map as the first argument"_s);
    return Value::tuple(c.args.at(0).toObject().values());
}

// cty's LengthFunc takes collections only; strings are strlen's (Terraform's
// own length() takes strings too, Nomad's does not).
Result<Value> fnLength(Call &c)
{
    const Value &v = c.args.at(0);
    if (v.type() == Value::Type::Tuple)
        return Value::number(double(v.toTuple().size()));
    if (v.type() == Value::Type::Object)
        return Value::number(double(v.toObject().size()));
    return c.fail(u"collection must be a list, a map or a tuple, got %1"_s.arg(v.typeName()));
}

Result<Value> fnLookup(Call &c)
{
    if (c.args.at(0).type() != Value::Type::Object)
        return c.fail(u"lookup() requires a map as the first argument"_s);
    const QString key = c.string(1);
    if (c.failed())
        return c.failure();
    const Value::Object &members = c.args.at(0).toObject();
    const auto it = members.constFind(key);
    return it != members.cend() ? *it : c.args.at(2);
}

Result<Value> fnMerge(Call &c)
{
    Value::Object out;
    bool allNull = !c.args.isEmpty();
    for (const Value &v : c.args) {
        if (v.isNull())
            continue;
        allNull = false;
        if (v.type() != Value::Type::Object)
            return c.fail(u"arguments must be maps or objects, got \"%1\""_s.arg(v.typeName()));
        const Value::Object &members = v.toObject();
        for (auto it = members.cbegin(); it != members.cend(); ++it)
            out.insert(it.key(), it.value());
    }
    if (allNull)
        return Value::null();
    return Value::object(out);
}

Result<Value> fnRange(Call &c)
{
    if (c.args.isEmpty() || c.args.size() > 3)
        return c.fail(u"must have one, two, or three arguments"_s);
    double numbers[3] = {};
    for (qsizetype i = 0; i < c.args.size(); ++i)
        numbers[i] = c.number(i);
    if (c.failed())
        return c.failure();
    double start = 0, end = 0, step = 1;
    switch (c.args.size()) {
    case 1:
        end = numbers[0];
        step = end < 0 ? -1 : 1;
        break;
    case 2:
        start = numbers[0];
        end = numbers[1];
        step = end < start ? -1 : 1;
        break;
    default:
        start = numbers[0];
        end = numbers[1];
        step = numbers[2];
        break;
    }
    if (step == 0)
        return c.fail(u"step must not be zero"_s);
    const bool down = step < 0;
    if (down && end > start)
        return c.fail(u"end must be less than start when step is negative"_s);
    if (!down && end < start)
        return c.fail(u"end must be greater than start when step is positive"_s);
    Value::Tuple out;
    for (double n = start; down ? n > end : n < end; n += step) {
        // cty's artificial limit against runaway arguments.
        if (out.size() >= 1024)
            return c.fail(
                u"more than 1024 values were generated; either decrease the difference between start and end or use a smaller step"_s);
        out.append(Value::number(n));
    }
    return Value::tuple(out);
}

Result<Value> fnSlice(Call &c)
{
    const Value::Tuple items = c.sequence(0);
    const qint64 start = c.integer(1);
    const qint64 end = c.integer(2);
    if (c.failed())
        return c.failure();
    if (start < 0)
        return c.fail(u"start index must not be less than zero"_s);
    if (start > items.size())
        return c.fail(u"start index must not be greater than the length of the list"_s);
    if (end < 0)
        return c.fail(u"end index must not be less than zero"_s);
    if (end > items.size())
        return c.fail(u"end index must not be greater than the length of the list"_s);
    if (start > end)
        return c.fail(u"start index must not be greater than end index"_s);
    return Value::tuple(items.mid(start, end - start));
}

Result<Value> setArgs(Call &c, qsizetype minimum, QList<Value::Tuple> &sets)
{
    if (c.args.size() < minimum)
        return c.fail(minimum == 1 ? u"at least one argument is required"_s : u"at least two arguments are required"_s);
    for (qsizetype i = 0; i < c.args.size(); ++i)
        sets.append(c.list(i));
    if (c.failed())
        return c.failure();
    return Value();
}

Result<Value> fnSetUnion(Call &c)
{
    QList<Value::Tuple> sets;
    if (const auto ok = setArgs(c, 1, sets); !ok)
        return ok;
    Value::Tuple all;
    for (const Value::Tuple &s : std::as_const(sets))
        all.append(s);
    const auto unified = unify(all);
    if (!unified)
        return c.fail(u"given sets must all have compatible element types"_s);
    return Value::tuple(asSet(*unified));
}

Result<Value> fnSetIntersection(Call &c)
{
    QList<Value::Tuple> sets;
    if (const auto ok = setArgs(c, 1, sets); !ok)
        return ok;
    Value::Tuple out;
    for (const Value &v : asSet(sets.first())) {
        if (std::all_of(sets.cbegin() + 1, sets.cend(), [&](const Value::Tuple &s) { return s.contains(v); }))
            out.append(v);
    }
    return Value::tuple(out);
}

Result<Value> fnSetProduct(Call &c)
{
    QList<Value::Tuple> sets;
    if (const auto ok = setArgs(c, 2, sets); !ok)
        return ok;
    Value::Tuple product{Value::tuple({})};
    for (const Value::Tuple &s : std::as_const(sets)) {
        Value::Tuple next;
        for (const Value &prefix : std::as_const(product)) {
            for (const Value &v : s) {
                Value::Tuple row = prefix.toTuple();
                row.append(v);
                next.append(Value::tuple(row));
            }
        }
        if (next.size() > 100'000)
            return c.fail(u"the product has more than 100000 elements"_s);
        product = next;
    }
    return Value::tuple(product);
}

Result<Value> fnZipMap(Call &c)
{
    const Value::Tuple keys = c.stringList(0);
    const Value::Tuple values = c.sequence(1);
    if (c.failed())
        return c.failure();
    if (keys.size() != values.size())
        return c.fail(
            u"number of keys (%1) does not match number of values (%2)"_s.arg(keys.size()).arg(values.size()));
    Value::Object out;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (keys.at(i).isNull())
            return c.fail(u"keys list has null value at index %1"_s.arg(i));
        out.insert(keys.at(i).toString(), values.at(i));
    }
    return Value::object(out);
}

// Nomad maps both "reverse" and "strrev" to cty's string ReverseFunc
// (hashicorp/nomad: jobspec2/functions.go), so reverse() reverses a string
// and rejects a list there.
Result<Value> fnReverse(Call &c)
{
    return fnStrRev(c);
}

// ---- encoding (hashicorp/go-cty-funcs: encoding/*.go; go-cty: json.go,
// csv.go)

Result<Value> fnBase64Encode(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    return Value::string(QString::fromLatin1(s.toUtf8().toBase64()));
}

Result<Value> fnBase64Decode(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    // Go's base64.StdEncoding: the standard alphabet with padding, strictly.
    static const QRegularExpression strict(u"\\A([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\\z"_s);
    if (!strict.match(s).hasMatch())
        return c.fail(u"failed to decode base64 data %1"_s.arg(toJsonText(Value::string(s))));
    const QByteArray bytes = QByteArray::fromBase64(s.toLatin1());
    QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() != bytes)
        return c.fail(u"the result of decoding the provided string is not valid UTF-8"_s);
    return Value::string(text);
}

Result<Value> fnUrlEncode(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    // Go's url.QueryEscape: unreserved characters stay, a space becomes '+'.
    QString out;
    for (const char byte : s.toUtf8()) {
        const auto b = static_cast<unsigned char>(byte);
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_'
            || b == '.' || b == '~')
            out += QLatin1Char(char(b));
        else if (b == ' ')
            out += u'+';
        else
            out += u'%' + QString::number(b, 16).toUpper().rightJustified(2, u'0');
    }
    return Value::string(out);
}

Result<Value> fnJsonEncode(Call &c)
{
    return Value::string(toJsonText(c.args.at(0)));
}

Result<Value> fnJsonDecode(Call &c)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    // QJsonDocument parses only arrays and objects at the top: wrap the text
    // in an array so that a scalar document parses too.
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(u"["_s.toUtf8() + s.toUtf8() + "]", &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
        return c.fail(u"invalid JSON: %1"_s.arg(error.error != QJsonParseError::NoError ? error.errorString()
                                                                                        : u"not a single value"_s));
    return Value::fromJson(doc.array().at(0));
}

// Go's encoding/csv reader as cty's CSVDecodeFunc configures it: quoted
// fields with "" escapes, \r\n read as \n, blank lines skipped, every record
// as long as the header.
Result<Value> fnCsvDecode(Call &c)
{
    const QString text = c.string(0);
    if (c.failed())
        return c.failure();
    QList<QStringList> records;
    QStringList record;
    QString field;
    qsizetype line = 1;
    qsizetype i = 0;
    const qsizetype n = text.size();
    const auto at = [&](qsizetype k) { return k < n ? text.at(k) : QChar(); };
    while (i < n) {
        // the start of a record: skip empty lines
        if (record.isEmpty() && field.isEmpty() && (at(i) == u'\n' || (at(i) == u'\r' && at(i + 1) == u'\n'))) {
            i += at(i) == u'\r' ? 2 : 1;
            ++line;
            continue;
        }
        field.clear();
        if (at(i) == u'"') {
            ++i;
            for (;;) {
                if (i >= n)
                    return c.fail(u"record on line %1: extraneous or missing \" in quoted-field"_s.arg(line));
                if (at(i) == u'"') {
                    if (at(i + 1) == u'"') {
                        field += u'"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (at(i) == u'\r' && at(i + 1) == u'\n')
                    ++i;
                if (at(i) == u'\n')
                    ++line;
                field += at(i++);
            }
            if (i < n && at(i) != u',' && at(i) != u'\n' && !(at(i) == u'\r' && at(i + 1) == u'\n'))
                return c.fail(u"record on line %1: extraneous or missing \" in quoted-field"_s.arg(line));
        } else {
            while (i < n && at(i) != u',' && at(i) != u'\n' && !(at(i) == u'\r' && at(i + 1) == u'\n')) {
                if (at(i) == u'"')
                    return c.fail(u"record on line %1: bare \" in non-quoted-field"_s.arg(line));
                field += at(i++);
            }
        }
        record.append(field);
        if (i < n && at(i) == u',') {
            ++i;
            if (i >= n)
                record.append(QString());
            else
                continue;
        }
        if (i < n) {
            i += at(i) == u'\r' ? 2 : 1;
            ++line;
        }
        records.append(record);
        record.clear();
        field.clear();
    }
    if (!record.isEmpty())
        records.append(record);
    if (records.isEmpty())
        return c.fail(u"missing header line"_s);
    const QStringList headers = records.takeFirst();
    for (qsizetype h = 0; h < headers.size(); ++h) {
        if (headers.indexOf(headers.at(h)) != h)
            return c.fail(u"duplicate column name %1"_s.arg(toJsonText(Value::string(headers.at(h)))));
    }
    Value::Tuple rows;
    for (qsizetype r = 0; r < records.size(); ++r) {
        if (records.at(r).size() != headers.size())
            return c.fail(u"record %1: wrong number of fields (%2, the header has %3)"_s.arg(r + 2)
                              .arg(records.at(r).size())
                              .arg(headers.size()));
        Value::Object row;
        for (qsizetype f = 0; f < headers.size(); ++f)
            row.insert(headers.at(f), Value::string(records.at(r).at(f)));
        rows.append(Value::object(row));
    }
    return Value::tuple(rows);
}

// ---- hashes and UUIDs (hashicorp/go-cty-funcs: crypto, uuid)

Result<Value> hash(Call &c, QCryptographicHash::Algorithm algorithm)
{
    const QString s = c.string(0);
    if (c.failed())
        return c.failure();
    return Value::string(QString::fromLatin1(QCryptographicHash::hash(s.toUtf8(), algorithm).toHex()));
}

Result<Value> fnMd5(Call &c)
{
    return hash(c, QCryptographicHash::Md5);
}

Result<Value> fnSha1(Call &c)
{
    return hash(c, QCryptographicHash::Sha1);
}

Result<Value> fnSha256(Call &c)
{
    return hash(c, QCryptographicHash::Sha256);
}

Result<Value> fnSha512(Call &c)
{
    return hash(c, QCryptographicHash::Sha512);
}

Result<Value> fnUuidV4(Call &)
{
    return Value::string(QUuid::createUuid().toString(QUuid::WithoutBraces));
}

Result<Value> fnUuidV5(Call &c)
{
    const QString ns = c.string(0);
    const QString name = c.string(1);
    if (c.failed())
        return c.failure();
    // The namespaces of RFC 4122 appendix C, by go-cty-funcs' names.
    QUuid space;
    if (ns == "dns"_L1)
        space = QUuid(u"6ba7b810-9dad-11d1-80b4-00c04fd430c8"_s);
    else if (ns == "url"_L1)
        space = QUuid(u"6ba7b811-9dad-11d1-80b4-00c04fd430c8"_s);
    else if (ns == "oid"_L1)
        space = QUuid(u"6ba7b812-9dad-11d1-80b4-00c04fd430c8"_s);
    else if (ns == "x500"_L1)
        space = QUuid(u"6ba7b814-9dad-11d1-80b4-00c04fd430c8"_s);
    else
        space = QUuid::fromString(ns);
    if (space.isNull())
        return c.fail(u"uuidv5() doesn't support namespace %1"_s.arg(ns));
    return Value::string(QUuid::createUuidV5(space, name.toUtf8()).toString(QUuid::WithoutBraces));
}

// ---------------------------------------------------------------- table

enum class Kind { Pure, ReadsFiles, Unsupported };

struct Entry
{
    QStringView name;
    int minArgs;
    int maxArgs; // -1: any number
    Impl impl;
    Kind kind = Kind::Pure;
};

// Sorted by name (looked up by binary search).
const Entry table[] = {
    {u"abs", 1, 1, fnAbs},
    {u"abspath", 1, 1, nullptr, Kind::ReadsFiles},
    {u"base64decode", 1, 1, fnBase64Decode},
    {u"base64encode", 1, 1, fnBase64Encode},
    {u"basename", 1, 1, nullptr, Kind::ReadsFiles},
    {u"bcrypt", 1, 2, nullptr, Kind::Unsupported},
    {u"ceil", 1, 1, fnCeil},
    {u"chomp", 1, 1, fnChomp},
    {u"chunklist", 2, 2, fnChunkList},
    {u"cidrhost", 2, 2, nullptr, Kind::Unsupported},
    {u"cidrnetmask", 1, 1, nullptr, Kind::Unsupported},
    {u"cidrsubnet", 3, 3, nullptr, Kind::Unsupported},
    {u"cidrsubnets", 1, -1, nullptr, Kind::Unsupported},
    {u"coalesce", 0, -1, fnCoalesce},
    {u"coalescelist", 0, -1, fnCoalesceList},
    {u"compact", 1, 1, fnCompact},
    {u"concat", 0, -1, fnConcat},
    {u"contains", 2, 2, fnContains},
    {u"csvdecode", 1, 1, fnCsvDecode},
    {u"dirname", 1, 1, nullptr, Kind::ReadsFiles},
    {u"distinct", 1, 1, fnDistinct},
    {u"element", 2, 2, fnElement},
    {u"file", 1, 1, nullptr, Kind::ReadsFiles},
    {u"filebase64", 1, 1, nullptr, Kind::ReadsFiles},
    {u"fileexists", 1, 1, nullptr, Kind::ReadsFiles},
    {u"fileset", 2, 2, nullptr, Kind::ReadsFiles},
    {u"flatten", 1, 1, fnFlatten},
    {u"floor", 1, 1, fnFloor},
    {u"format", 1, -1, fnFormat},
    {u"formatdate", 2, 2, nullptr, Kind::Unsupported},
    {u"formatlist", 1, -1, fnFormatList},
    {u"indent", 2, 2, fnIndent},
    {u"index", 2, 2, fnIndex},
    {u"join", 1, -1, fnJoin},
    {u"jsondecode", 1, 1, fnJsonDecode},
    {u"jsonencode", 1, 1, fnJsonEncode},
    {u"keys", 1, 1, fnKeys},
    {u"length", 1, 1, fnLength},
    {u"log", 2, 2, fnLog},
    {u"lookup", 3, 3, fnLookup},
    {u"lower", 1, 1, fnLower},
    {u"max", 0, -1, fnMax},
    {u"md5", 1, 1, fnMd5},
    {u"merge", 0, -1, fnMerge},
    {u"min", 0, -1, fnMin},
    {u"parseint", 2, 2, fnParseInt},
    {u"pathexpand", 1, 1, nullptr, Kind::ReadsFiles},
    {u"pow", 2, 2, fnPow},
    {u"range", 0, -1, fnRange},
    {u"regex_replace", 3, 3, fnRegexReplace},
    {u"replace", 3, 3, fnReplace},
    {u"reverse", 1, 1, fnReverse},
    {u"rsadecrypt", 2, 2, nullptr, Kind::Unsupported},
    {u"setintersection", 0, -1, fnSetIntersection},
    {u"setproduct", 0, -1, fnSetProduct},
    {u"setunion", 0, -1, fnSetUnion},
    {u"sha1", 1, 1, fnSha1},
    {u"sha256", 1, 1, fnSha256},
    {u"sha512", 1, 1, fnSha512},
    {u"signum", 1, 1, fnSignum},
    {u"slice", 3, 3, fnSlice},
    {u"sort", 1, 1, fnSort},
    {u"split", 2, 2, fnSplit},
    {u"strlen", 1, 1, fnStrLen},
    {u"strrev", 1, 1, fnStrRev},
    {u"substr", 3, 3, fnSubstr},
    {u"timeadd", 2, 2, nullptr, Kind::Unsupported},
    {u"title", 1, 1, fnTitle},
    {u"trim", 2, 2, fnTrim},
    {u"trimprefix", 2, 2, fnTrimPrefix},
    {u"trimspace", 1, 1, fnTrimSpace},
    {u"trimsuffix", 2, 2, fnTrimSuffix},
    {u"upper", 1, 1, fnUpper},
    {u"urlencode", 1, 1, fnUrlEncode},
    {u"uuidv4", 0, 0, fnUuidV4},
    {u"uuidv5", 2, 2, fnUuidV5},
    {u"values", 1, 1, fnValues},
    {u"yamldecode", 1, 1, nullptr, Kind::Unsupported},
    {u"yamlencode", 1, 1, nullptr, Kind::Unsupported},
    {u"zipmap", 2, 2, fnZipMap},
};

const Entry *find(QStringView name)
{
    const auto it = std::lower_bound(std::begin(table), std::end(table), name,
                                     [](const Entry &e, QStringView n) { return e.name < n; });
    return it != std::end(table) && it->name == name ? it : nullptr;
}

} // namespace

bool Functions::has(QStringView name)
{
    return find(name) != nullptr;
}

Result<Value> Functions::call(QStringView name, const QList<Value> &args)
{
    const Entry *entry = find(name);
    if (!entry)
        return fail(Error::Code::Invalid, u"there is no function named \"%1\""_s.arg(name));
    if (entry->kind == Kind::ReadsFiles)
        return fail(Error::Code::Unsupported,
                    u"function %1 reads the local filesystem; Meshpad does not evaluate it"_s.arg(name));
    if (entry->kind == Kind::Unsupported)
        return fail(Error::Code::Unsupported, u"function %1 is not supported by Meshpad's HCL reader"_s.arg(name));
    const qsizetype n = args.size();
    if (n < entry->minArgs || (entry->maxArgs >= 0 && n > entry->maxArgs)) {
        QString expected;
        if (entry->maxArgs < 0)
            expected = u"at least %1 argument(s)"_s.arg(entry->minArgs);
        else if (entry->minArgs == entry->maxArgs)
            expected = u"%1 argument(s)"_s.arg(entry->minArgs);
        else
            expected = u"%1 to %2 arguments"_s.arg(entry->minArgs).arg(entry->maxArgs);
        return fail(Error::Code::Invalid, u"%1: expected %2, got %3"_s.arg(name).arg(expected).arg(n));
    }
    // cty rejects null arguments unless a parameter allows them; these are
    // the functions whose parameters do (go-cty's AllowNull).
    static const QStringView nullable[]
        = {u"coalesce", u"coalescelist", u"format", u"formatlist", u"jsonencode", u"lookup", u"merge"};
    if (std::find(std::begin(nullable), std::end(nullable), name) == std::end(nullable)) {
        for (qsizetype i = 0; i < n; ++i) {
            if (args.at(i).isNull()) {
                if (n > 1)
                    return fail(Error::Code::Invalid, u"%1: argument %2 must not be null"_s.arg(name).arg(i + 1));
                return fail(Error::Code::Invalid, u"%1: the argument must not be null"_s.arg(name));
            }
        }
    }
    Call c(name.toString(), args);
    return entry->impl(c);
}

} // namespace mesh::hcl
