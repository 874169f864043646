#include "hclwriter.h"

#include <QTextBoundaryFinder>

#include <algorithm>

namespace mesh::generate {

namespace {

bool isAsciiLetter(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

bool isIdentifierChar(char16_t c)
{
    return isAsciiLetter(c) || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
}

// Roots of a traversal that jobspec2 evaluates instead of passing through:
// HCL2 reads `true`, `false` and `null` as literal values (hashicorp/hcl:
// hclsyntax/parser.go, parseExpressionTerm), so `${true}` is the bool true;
// `var` and `local` are the two variables jobspec2 defines, so `${var.x}` is
// an error or a value (hashicorp/nomad: jobspec2/types.config.go, EvalContext
// — every other root goes to its UnknownVariable hook, which gives back
// "${" + expr + "}").
bool isEvaluatedRoot(QStringView name)
{
    static const QStringList roots = {
        QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("null"),
        QStringLiteral("var"),  QStringLiteral("local"),
    };
    return roots.contains(name);
}

// Length of a plain traversal (`NOMAD_PORT_http`, `meta.connect.log_level`)
// starting at `from` and closed by `}`, or 0. Only these survive jobspec2 as
// literal text; anything else inside `${…}` is an expression it evaluates.
qsizetype traversalLength(QStringView text, qsizetype from)
{
    qsizetype i = from;
    bool expectName = true;
    while (i < text.size()) {
        const char16_t c = text[i].unicode();
        if (expectName) {
            if (!(isAsciiLetter(c) || c == u'_'))
                return 0;
            const qsizetype start = i;
            while (i < text.size() && isIdentifierChar(text[i].unicode()))
                ++i;
            if (start == from && isEvaluatedRoot(text.sliced(start, i - start)))
                return 0;
            expectName = false;
        } else if (c == u'.') {
            expectName = true;
            ++i;
        } else if (c == u'}') {
            return i - from;
        } else {
            return 0;
        }
    }
    return 0;
}

// An attribute value whose text opens a bracket on its first line: hclwrite
// leaves such a line out of the `=` alignment (formatCells' netBrackets).
bool opensMultiLine(const QString &expression)
{
    return expression.contains(u'\n');
}

} // namespace

HclWriter::HclWriter()
    : m_root(std::make_unique<Body>())
{
}

HclWriter::Body &HclWriter::Body::attribute(QStringView name, QString expression)
{
    m_items.push_back({Item::Kind::Attribute, name.toString(), std::move(expression), {}, nullptr});
    return *this;
}

HclWriter::Body &HclWriter::Body::block(QStringView type, const QStringList &labels)
{
    m_items.push_back({Item::Kind::Block, type.toString(), {}, labels, std::make_unique<Body>()});
    return *m_items.back().body;
}

HclWriter::Body &HclWriter::Body::blankLine()
{
    m_items.push_back({Item::Kind::Blank, {}, {}, {}, nullptr});
    return *this;
}

QString HclWriter::text() const
{
    QString out;
    out.reserve(512); // a service definition is ~300 characters; a job grows by doubling
    render(*m_root, 0, out);
    return out;
}

void HclWriter::render(const Body &body, int depth, QString &out)
{
    const QString indent(depth * 2, u' ');
    const auto &items = body.m_items;
    for (size_t i = 0; i < items.size(); ++i) {
        const Body::Item &item = items[i];
        switch (item.kind) {
        case Body::Item::Kind::Blank: out += u'\n'; break;
        case Body::Item::Kind::Attribute: {
            if (opensMultiLine(item.expression)) {
                // Not part of any alignment run: one space before `=`.
                QString expression = item.expression;
                expression.replace(u'\n', u'\n' + indent);
                out += indent + item.name + u" = " + expression + u'\n';
                break;
            }
            // A run of one-line attributes with nothing between them.
            size_t runEnd = i;
            qsizetype width = 0;
            for (size_t j = i; j < items.size() && items[j].kind == Body::Item::Kind::Attribute
                               && !opensMultiLine(items[j].expression);
                 ++j) {
                width = std::max(width, columns(items[j].name));
                runEnd = j;
            }
            for (size_t j = i; j <= runEnd; ++j) {
                const Body::Item &a = items[j];
                out += indent + a.name + QString(width - columns(a.name), u' ') + u" = " + a.expression + u'\n';
            }
            i = runEnd;
            break;
        }
        case Body::Item::Kind::Block: {
            out += indent + item.name;
            for (const QString &label : item.labels)
                out += u' ' + literal(label);
            if (item.body->isEmpty()) {
                out += u" {}\n";
            } else {
                out += u" {\n";
                render(*item.body, depth + 1, out);
                out += indent + u"}\n";
            }
            break;
        }
        }
    }
}

QString HclWriter::quote(QStringView text, Quoting quoting)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'"';
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        const bool opensBrace = i + 1 < text.size() && text[i + 1] == u'{';
        switch (c.unicode()) {
        case u'"': out += u"\\\""; break;
        case u'\\': out += u"\\\\"; break;
        case u'\n': out += u"\\n"; break;
        case u'\r': out += u"\\r"; break;
        case u'\t': out += u"\\t"; break;
        case u'%':
            // `%{` opens a template directive; the user means a literal.
            if (!opensBrace)
                out += c;
            else
                out += quoting == Quoting::Plain ? QStringView(u"\\u0025") : QStringView(u"%%");
            break;
        case u'$': {
            if (!opensBrace) {
                out += c;
                break;
            }
            if (quoting == Quoting::Plain) {
                // HCL 1 has no `$${` escape: it would keep both dollars and
                // copy what follows verbatim up to the matching brace.
                out += u"\\u0024";
                break;
            }
            // A `$` right before `${` would turn the pair into the `$${`
            // escape, so a kept traversal must not follow one.
            const bool afterDollar = i > 0 && text[i - 1] == u'$';
            const qsizetype length
                = quoting == Quoting::KeepTraversals && !afterDollar ? traversalLength(text, i + 2) : 0;
            if (length > 0) {
                out += text.mid(i, length + 3); // `${` name `}`
                i += length + 2;
            } else {
                out += u"$$";
            }
            break;
        }
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += u'"';
    return out;
}

QString HclWriter::string(QStringView text)
{
    return quote(text, Quoting::KeepTraversals);
}

QString HclWriter::literal(QStringView text)
{
    return quote(text, Quoting::EscapeTemplates);
}

// HCL 1 (hashicorp/hcl v1, with which Consul loads service definitions:
// hcl.Decode in hashicorp/consul: agent/config/config.go) treats `${` as the
// start of an interpolation in two places: its scanner (hcl/scanner/scanner.go, scanString) stops honouring `"` until
// the braces balance again, and hcl/strconv/quote.go (Unquote) copies the
// region unescaped. It knows no `$${` / `%%{` escapes. Its unquoteChar does
// decode `\u` and four hex digits, and HCL2 decodes escapes only after its
// scanner has split the template into literals and interpolations
// (hashicorp/hcl v2: hclsyntax/scan_tokens.rl, then ParseStringLiteralToken
// in hclsyntax/parser.go), so `\u0024{` is a literal `${` in both. The other
// escapes we write (\" \\ \n \r \t \u00XX) mean the same in both.
QString HclWriter::plainString(QStringView text)
{
    return quote(text, Quoting::Plain);
}

QString HclWriter::plainStringList(const QStringList &texts)
{
    return quotedList(texts, Quoting::Plain);
}

QString HclWriter::number(qint64 value)
{
    return QString::number(value);
}

QString HclWriter::boolean(bool value)
{
    return value ? QStringLiteral("true") : QStringLiteral("false");
}

QString HclWriter::list(const QStringList &expressions)
{
    return u'[' + expressions.join(u", ") + u']';
}

QString HclWriter::stringList(const QStringList &texts)
{
    return quotedList(texts, Quoting::KeepTraversals);
}

QString HclWriter::quotedList(const QStringList &texts, Quoting quoting)
{
    QStringList quoted;
    quoted.reserve(texts.size());
    for (const QString &t : texts)
        quoted.append(quote(t, quoting));
    return list(quoted);
}

bool HclWriter::isIdentifier(QStringView name)
{
    if (name.isEmpty() || !(isAsciiLetter(name[0].unicode()) || name[0] == u'_'))
        return false;
    for (QChar c : name) {
        if (!isIdentifierChar(c.unicode()))
            return false;
    }
    static const QStringList keywords = {
        QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("null"),
        QStringLiteral("for"),  QStringLiteral("in"),    QStringLiteral("if"),
    };
    return !keywords.contains(name);
}

QString HclWriter::objectKey(QStringView key)
{
    return isIdentifier(key) ? key.toString() : plainString(key);
}

qsizetype HclWriter::columns(QStringView text)
{
    bool ascii = true;
    for (QChar c : text)
        ascii = ascii && c.unicode() < 0x80;
    if (ascii)
        return text.size();
    QTextBoundaryFinder finder(QTextBoundaryFinder::Grapheme, text.toString());
    qsizetype count = 0;
    while (finder.toNextBoundary() > 0)
        ++count;
    return count;
}

QString HclWriter::object(const QList<std::pair<QString, QString>> &entries)
{
    if (entries.isEmpty())
        return QStringLiteral("{}");
    QStringList keys;
    qsizetype width = 0;
    for (const auto &entry : entries) {
        keys.append(objectKey(entry.first));
        width = std::max(width, columns(keys.last()));
    }
    QString out = QStringLiteral("{\n");
    for (qsizetype i = 0; i < entries.size(); ++i)
        out += u"  " + keys[i] + QString(width - columns(keys[i]), u' ') + u" = " + entries[i].second + u'\n';
    out += u'}';
    return out;
}

} // namespace mesh::generate
