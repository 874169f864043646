#include "hclwriter.h"

namespace mesh::generate {

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
    out.reserve(4096);
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
        case Body::Item::Kind::Blank:
            out += u'\n';
            break;
        case Body::Item::Kind::Attribute: {
            // hclwrite aligns `=` across a run of single-line attributes with
            // nothing (no blank line, no block) between them. A multi-line
            // value ends the run after itself.
            size_t runEnd = i;
            qsizetype width = 0;
            for (size_t j = i; j < items.size() && items[j].kind == Body::Item::Kind::Attribute; ++j) {
                width = std::max(width, items[j].name.size());
                runEnd = j;
                if (items[j].expression.contains(u'\n'))
                    break;
            }
            for (size_t j = i; j <= runEnd; ++j) {
                const Body::Item &a = items[j];
                QString expression = a.expression;
                expression.replace(u'\n', u'\n' + indent);
                out += indent + a.name.leftJustified(width, u' ') + u" = " + expression + u'\n';
            }
            i = runEnd;
            break;
        }
        case Body::Item::Kind::Block: {
            out += indent + item.name;
            for (const QString &label : item.labels)
                out += u' ' + string(label);
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

QString HclWriter::string(QStringView text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'"';
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        switch (c.unicode()) {
        case u'"': out += u"\\\""; break;
        case u'\\': out += u"\\\\"; break;
        case u'\n': out += u"\\n"; break;
        case u'\r': out += u"\\r"; break;
        case u'\t': out += u"\\t"; break;
        case u'%':
            // `%{` opens a template directive; users mean a literal percent.
            out += (i + 1 < text.size() && text[i + 1] == u'{') ? QStringView(u"%%") : QStringView(u"%");
            break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c; // `${…}` stays: Nomad interpolates it at run time
        }
    }
    out += u'"';
    return out;
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
    QStringList quoted;
    quoted.reserve(texts.size());
    for (const QString &t : texts)
        quoted.append(string(t));
    return list(quoted);
}

bool HclWriter::isIdentifier(QStringView name)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
        const bool rest = (c >= u'0' && c <= u'9') || c == u'-';
        if (!(letter || (i > 0 && rest)))
            return false;
    }
    return true;
}

QString HclWriter::objectKey(QStringView key)
{
    return isIdentifier(key) ? key.toString() : string(key);
}

QString HclWriter::object(const QList<std::pair<QString, QString>> &entries)
{
    if (entries.isEmpty())
        return QStringLiteral("{}");
    qsizetype width = 0;
    for (const auto &[k, v] : entries)
        width = std::max(width, objectKey(k).size());
    QString out = QStringLiteral("{\n");
    for (const auto &[k, v] : entries)
        out += u"  " + objectKey(k).leftJustified(width, u' ') + u" = " + v + u'\n';
    out += u'}';
    return out;
}

} // namespace mesh::generate
