#include "jsonkeyorder.h"

#include <QSet>

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

    bool peek(char c)
    {
        skipSpace();
        return m_pos < m_text.size() && m_text[m_pos] == c;
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
        if (peek('}')) {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipSpace();
            const std::optional<QString> key = string();
            if (!key || !peek(':'))
                return false;
            ++m_pos;
            if (!seen.contains(*key)) {
                seen.insert(*key);
                m_order[pointer].append(*key);
            }
            if (!value(pointer + u'/' + JsonKeyOrder::pointerSegment(*key), depth + 1))
                return false;
            if (peek(',')) {
                ++m_pos;
                continue;
            }
            if (peek('}')) {
                ++m_pos;
                return true;
            }
            return false;
        }
    }

    bool array(const QString &pointer, int depth)
    {
        ++m_pos; // '['
        if (peek(']')) {
            ++m_pos;
            return true;
        }
        for (int index = 0;; ++index) {
            if (!value(pointer + u'/' + QString::number(index), depth + 1))
                return false;
            if (peek(',')) {
                ++m_pos;
                continue;
            }
            if (peek(']')) {
                ++m_pos;
                return true;
            }
            return false;
        }
    }

    static int hexDigit(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
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
                char16_t unit = 0;
                for (int i = 0; i < 4; ++i) {
                    const int d = hexDigit(m_text[m_pos + i]);
                    if (d < 0)
                        return std::nullopt;
                    unit = char16_t(unit * 16 + d);
                }
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
