#include "terminaltext.h"

#include <QJsonDocument>

namespace mesh {

namespace {

// C0, DEL and C1: ECMA-48 §5 (https://ecma-international.org/publications-and-standards/standards/ecma-48/)
// gives C1 the 8-bit forms 0x80–0x9F; some terminals act on them even
// UTF-8-encoded (e.g. U+009B as CSI), so they are escaped like C0.
bool isC0C1(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

// The explicit embeddings, overrides and isolates of Unicode's bidi algorithm
// (https://www.unicode.org/reports/tr9/#Explicit_Directional_Embeddings):
// what Trojan Source uses (https://trojansource.codes/, CVE-2021-42574).
bool isBidiControl(char16_t c)
{
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

bool isHighSurrogate(char16_t c)
{
    return c >= 0xd800 && c <= 0xdbff;
}

bool isLowSurrogate(char16_t c)
{
    return c >= 0xdc00 && c <= 0xdfff;
}

// How many UTF-16 units at `i` form a valid pair (2), one safe unit (1), or
// 0 when the unit at `i` must be escaped.
qsizetype safeUnits(QStringView text, qsizetype i)
{
    const char16_t c = text[i].unicode();
    if (TerminalText::isControl(c))
        return 0;
    if (isHighSurrogate(c))
        return i + 1 < text.size() && isLowSurrogate(text[i + 1].unicode()) ? 2 : 0;
    if (isLowSurrogate(c))
        return 0; // a low surrogate after a high one is consumed with it
    return 1;
}

void appendEscape(QString &out, char16_t c)
{
    static constexpr char16_t hex[] = u"0123456789abcdef";
    switch (c) {
    case u'\t': out += u"\\t"; return;
    case u'\n': out += u"\\n"; return;
    case u'\r': out += u"\\r"; return;
    default: break;
    }
    if (c <= 0xff) {
        out += u"\\x";
    } else {
        out += u"\\u";
        out += QChar(hex[(c >> 12) & 0xf]);
        out += QChar(hex[(c >> 8) & 0xf]);
    }
    out += QChar(hex[(c >> 4) & 0xf]);
    out += QChar(hex[c & 0xf]);
}

void appendEscaped(QString &out, QStringView text)
{
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype n = safeUnits(text, i);
        if (n == 0) {
            appendEscape(out, text[i].unicode());
            ++i;
        } else {
            out += text.mid(i, n);
            i += n;
        }
    }
}

} // namespace

bool TerminalText::needsEscaping(QStringView text)
{
    for (qsizetype i = 0; i < text.size();) {
        const qsizetype n = safeUnits(text, i);
        if (n == 0)
            return true;
        i += n;
    }
    return false;
}

QString TerminalText::escaped(QStringView text)
{
    if (!needsEscaping(text))
        return text.toString();
    QString out;
    out.reserve(text.size() + 16);
    appendEscaped(out, text);
    return out;
}

QString TerminalText::escapedLines(QStringView text)
{
    if (!needsEscaping(text))
        return text.toString();
    QString out;
    out.reserve(text.size() + 16);
    qsizetype start = 0;
    while (true) {
        const qsizetype end = text.indexOf(u'\n', start);
        appendEscaped(out, text.mid(start, end < 0 ? text.size() - start : end - start));
        if (end < 0)
            break;
        out += u'\n';
        start = end + 1;
    }
    return out;
}

bool TerminalText::isControl(char16_t c)
{
    return isC0C1(c) || isBidiControl(c);
}

QString TerminalText::codePoint(char32_t c)
{
    return QStringLiteral("U+%1").arg(uint(c), 4, 16, QLatin1Char('0')).toUpper();
}

QString TerminalText::compactJson(const QJsonObject &object)
{
    // Outside strings compact JSON holds only ASCII punctuation, digits and
    // letters, so every such character found is inside a string, where
    // \uXXXX means the same (RFC 8259 §7).
    const QString json = QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    QString out;
    out.reserve(json.size());
    for (const QChar c : json) {
        if (c.unicode() >= 0x7f && isControl(c.unicode()))
            out += QStringLiteral("\\u%1").arg(uint(c.unicode()), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

} // namespace mesh
