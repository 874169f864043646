#include "jsonkeyorder.h"

#include <QSet>

#include <charconv>

namespace mesh::importer {

namespace {

class Scanner
{
public:
    explicit Scanner(QByteArrayView text)
        : m_text(text)
    {
    }

    QHash<QString, QStringList> run()
    {
        value(QString(), 0);
        return std::move(m_order);
    }

private:
    // Deeper than any job; QJsonDocument refuses deeper nesting anyway, and
    // the recursion must stay bounded.
    static constexpr int kMaxDepth = 512;

    void skipSpace()
    {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return;
            ++m_pos;
        }
    }

    // Past the spaces, takes `c` if it comes next.
    bool take(char c)
    {
        skipSpace();
        if (m_pos >= m_text.size() || m_text[m_pos] != c)
            return false;
        ++m_pos;
        return true;
    }

    bool value(const QString &pointer, int depth)
    {
        if (depth > kMaxDepth)
            return false;
        skipSpace();
        if (m_pos >= m_text.size())
            return false;
        switch (m_text[m_pos]) {
        case '{': return object(pointer, depth);
        case '[': return array(pointer, depth);
        case '"': return string().has_value();
        default:
            // A number, true, false or null: up to the next delimiter.
            while (m_pos < m_text.size()) {
                const char c = m_text[m_pos];
                if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r')
                    break;
                ++m_pos;
            }
            return true;
        }
    }

    bool object(const QString &pointer, int depth)
    {
        ++m_pos; // '{'
        // Not a reference: nested objects insert into m_order meanwhile.
        m_order.insert(pointer, {});
        QSet<QString> seen;
        if (take('}'))
            return true;
        for (;;) {
            skipSpace();
            const std::optional<QString> key = string();
            if (!key || !take(':'))
                return false;
            if (!seen.contains(*key)) {
                seen.insert(*key);
                m_order[pointer].append(*key);
            }
            if (!value(pointer + u'/' + JsonKeyOrder::pointerSegment(*key), depth + 1))
                return false;
            if (take(','))
                continue;
            return take('}');
        }
    }

    bool array(const QString &pointer, int depth)
    {
        ++m_pos; // '['
        if (take(']'))
            return true;
        for (int index = 0;; ++index) {
            if (!value(pointer + u'/' + QString::number(index), depth + 1))
                return false;
            if (take(','))
                continue;
            return take(']');
        }
    }

    // A JSON string at m_pos (RFC 8259 §7), decoded.
    std::optional<QString> string()
    {
        if (m_pos >= m_text.size() || m_text[m_pos] != '"')
            return std::nullopt;
        ++m_pos;
        QString out;
        qsizetype runStart = m_pos;
        const auto flushRun = [&] { out += QString::fromUtf8(m_text.sliced(runStart, m_pos - runStart)); };
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == '"') {
                flushRun();
                ++m_pos;
                return out;
            }
            if (c != '\\') {
                ++m_pos;
                continue;
            }
            flushRun();
            if (m_pos + 1 >= m_text.size())
                return std::nullopt;
            const char escape = m_text[m_pos + 1];
            m_pos += 2;
            switch (escape) {
            case '"': out += u'"'; break;
            case '\\': out += u'\\'; break;
            case '/': out += u'/'; break;
            case 'b': out += u'\b'; break;
            case 'f': out += u'\f'; break;
            case 'n': out += u'\n'; break;
            case 'r': out += u'\r'; break;
            case 't': out += u'\t'; break;
            case 'u': {
                if (m_pos + 4 > m_text.size())
                    return std::nullopt;
                // For an unsigned type std::from_chars takes no sign, space
                // or "0x": exactly four hex digits of either case, or an error.
                const char *digits = m_text.data() + m_pos;
                ushort unit = 0;
                const auto [end, error] = std::from_chars(digits, digits + 4, unit, 16);
                if (error != std::errc() || end != digits + 4)
                    return std::nullopt;
                m_pos += 4;
                // Surrogate pairs arrive as two escapes; UTF-16 units
                // appended one by one make the pair.
                out += QChar(unit);
                break;
            }
            default: return std::nullopt;
            }
            runStart = m_pos;
        }
        return std::nullopt;
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
    QHash<QString, QStringList> m_order;
};

} // namespace

QHash<QString, QStringList> JsonKeyOrder::scan(QByteArrayView json)
{
    return Scanner(json).run();
}

QString JsonKeyOrder::pointerSegment(const QString &key)
{
    if (!key.contains(u'~') && !key.contains(u'/'))
        return key;
    QString out = key;
    out.replace(u'~', QStringLiteral("~0"));
    out.replace(u'/', QStringLiteral("~1"));
    return out;
}

} // namespace mesh::importer
