#include "jsonwriter.h"

#include "terminaltext.h"

#include <QLocale>

#include <cmath>

namespace mesh {

JsonWriter::JsonWriter(Style style)
    : m_style(style)
{
    m_out.reserve(4096);
}

void JsonWriter::newline()
{
    if (m_style == Style::Compact)
        return;
    m_out += u'\n';
    m_out.resize(m_out.size() + m_stack.size() * 2, u' ');
}

void JsonWriter::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (m_stack.isEmpty())
        return;
    Level &level = m_stack.last();
    Q_ASSERT_X(!level.isObject, "JsonWriter", "value in an object without a key");
    if (!level.empty)
        m_out += u',';
    level.empty = false;
    newline();
}

JsonWriter &JsonWriter::beginObject()
{
    beforeValue();
    m_out += u'{';
    m_stack.append({true, true});
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    Q_ASSERT(!m_stack.isEmpty() && m_stack.last().isObject);
    const bool empty = m_stack.takeLast().empty;
    if (!empty)
        newline();
    m_out += u'}';
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    beforeValue();
    m_out += u'[';
    m_stack.append({false, true});
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    Q_ASSERT(!m_stack.isEmpty() && !m_stack.last().isObject);
    const bool empty = m_stack.takeLast().empty;
    if (!empty)
        newline();
    m_out += u']';
    return *this;
}

JsonWriter &JsonWriter::key(QStringView name)
{
    Q_ASSERT(!m_stack.isEmpty() && m_stack.last().isObject && !m_afterKey);
    Level &level = m_stack.last();
    if (!level.empty)
        m_out += u',';
    level.empty = false;
    newline();
    appendQuoted(m_out, name);
    m_out += m_style == Style::Compact ? QStringView(u":") : QStringView(u": ");
    m_afterKey = true;
    return *this;
}

JsonWriter &JsonWriter::value(QStringView text)
{
    beforeValue();
    appendQuoted(m_out, text);
    return *this;
}

JsonWriter &JsonWriter::value(qint64 number)
{
    beforeValue();
    m_out += QString::number(number);
    return *this;
}

JsonWriter &JsonWriter::value(double number)
{
    beforeValue();
    // JSON has no NaN or infinity; callers never pass them, but a file must
    // stay loadable whatever happens.
    if (!std::isfinite(number))
        number = 0;
    // Shortest text that reads back as the same double.
    m_out += QString::number(number, 'g', QLocale::FloatingPointShortest);
    return *this;
}

JsonWriter &JsonWriter::value(bool flag)
{
    beforeValue();
    m_out += flag ? QStringView(u"true") : QStringView(u"false");
    return *this;
}

JsonWriter &JsonWriter::nullValue()
{
    beforeValue();
    m_out += u"null";
    return *this;
}

JsonWriter &JsonWriter::stringArray(const QStringList &items)
{
    beginArray();
    for (const QString &item : items)
        value(item);
    return endArray();
}

QString JsonWriter::text() const
{
    Q_ASSERT(m_stack.isEmpty());
    return m_style == Style::Indented ? m_out + u'\n' : m_out;
}

QString JsonWriter::quote(QStringView text)
{
    QString out;
    out.reserve(text.size() + 2);
    appendQuoted(out, text);
    return out;
}

void JsonWriter::appendQuoted(QString &out, QStringView text)
{
    out += u'"';
    qsizetype plainFrom = 0; // start of the run of characters copied as they are
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\' && c != 0x2028 && c != 0x2029 && !TerminalText::isControl(c))
            continue;
        out += text.sliced(plainFrom, i - plainFrom);
        plainFrom = i + 1;
        switch (c) {
        case u'"': out += u"\\\""; break;
        case u'\\': out += u"\\\\"; break;
        case u'\n': out += u"\\n"; break;
        case u'\r': out += u"\\r"; break;
        case u'\t': out += u"\\t"; break;
        case u'\b': out += u"\\b"; break;
        case u'\f': out += u"\\f"; break;
        default:
            // C0 must be escaped (RFC 8259 §7); U+2028/9 are legal JSON but
            // break JavaScript consumers and some editors; DEL, C1 and the
            // bidi controls are legal too, but a terminal acts on them when
            // the file is shown (TerminalText), so none is written raw.
            out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
        }
    }
    out += text.sliced(plainFrom);
    out += u'"';
}

} // namespace mesh
