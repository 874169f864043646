#include "hcl/hcl2jsonview.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace mesh::hcl {

namespace {

// Literal text in the JSON form escapes what would read as a template
// sequence there: "${" becomes "$${", "%{" becomes "%%{" (hcl2json v0.6's
// escapeLiteral, which the npm package's WebAssembly build uses).
QString escapeLiteral(QString s)
{
    if (!s.contains(u'{'))
        return s;
    s.replace(u"${"_s, u"$${"_s);
    s.replace(u"%{"_s, u"%%{"_s);
    return s;
}

class Converter
{
public:
    explicit Converter(const SyntaxFile &file)
        : m_file(file)
    {
    }

    Result<QJsonObject> body(const Body &body);

private:
    Result<void> block(const Block &block, QJsonObject &out);
    Result<QJsonValue> expression(const Expression &e);
    Result<QString> templateString(const Template &t);
    Result<QString> stringPart(const Expression &e);
    Result<QString> key(const ObjectConsKey &k);

    std::unexpected<Error> fail(const SourceRange &r, const QString &message) const
    {
        return std::unexpected(Error::parse(describe(m_file.fileName, r.start) + u": "_s + message));
    }

    // convert.go's rangeSource: the range's bytes, plus the next byte when
    // it is ')'.
    QString rangeSource(const SourceRange &r) const
    {
        int end = r.end.byte;
        if (end < m_file.source.size() && m_file.source.at(end) == ')')
            ++end;
        return QString::fromUtf8(m_file.source.constData() + r.start.byte, end - r.start.byte);
    }
    QString wrap(const Expression &e) const { return u"${"_s + rangeSource(e.range) + u'}'; }

    const SyntaxFile &m_file;
};

// Inserts `value` at out[keys[0]][keys[1]]…[keys[n-1]], the last level
// being an array appended to (convert.go's convertBlock). On a collision
// returns what hcl2json says about it.
std::optional<QString> insertBlock(QJsonObject &out, const QStringList &keys, qsizetype i, const QJsonObject &value)
{
    const QString &key = keys.at(i);
    const auto existing = out.constFind(key);
    if (i == keys.size() - 1) {
        if (existing == out.constEnd()) {
            out.insert(key, QJsonArray{value});
            return std::nullopt;
        }
        if (!existing->isArray())
            return u"invalid HCL detected for \"%1\" block, cannot have blocks with and without labels"_s.arg(key);
        QJsonArray array = existing->toArray();
        array.append(value);
        out.insert(key, array);
        return std::nullopt;
    }
    QJsonObject nested;
    if (existing != out.constEnd()) {
        if (!existing->isObject())
            return u"Unable to convert Block to JSON: %1"_s.arg(keys.join(u'.'));
        nested = existing->toObject();
    }
    if (std::optional<QString> failure = insertBlock(nested, keys, i + 1, value))
        return failure;
    out.insert(key, nested);
    return std::nullopt;
}

Result<QJsonObject> Converter::body(const Body &body)
{
    QJsonObject out;
    for (const Block &b : body.blocks) {
        if (Result<void> r = block(b, out); !r)
            return std::unexpected(r.error());
    }
    for (const Attribute &a : body.attributes) {
        Result<QJsonValue> v = expression(*a.expr);
        if (!v)
            return std::unexpected(v.error());
        out.insert(a.name, *v);
    }
    return out;
}

Result<void> Converter::block(const Block &b, QJsonObject &out)
{
    Result<QJsonObject> value = body(b.body);
    if (!value)
        return std::unexpected(value.error());
    QStringList keys{b.type};
    keys += b.labels;
    if (const std::optional<QString> failure = insertBlock(out, keys, 0, *value))
        return fail(b.typeRange, *failure);
    return {};
}

Result<QJsonValue> Converter::expression(const Expression &e)
{
    switch (e.kind) {
    case Expression::Kind::LiteralValue: return static_cast<const LiteralValue &>(e).value.toJson();
    case Expression::Kind::UnaryOp: {
        const auto &u = static_cast<const UnaryOp &>(e);
        const auto *lit = u.operand->as<LiteralValue>();
        if (!lit)
            return QJsonValue(wrap(e));
        const Value &v = lit->value;
        if (u.op == Operator::Negate && v.type() == Value::Type::Number)
            return QJsonValue(-v.toNumber());
        if (u.op == Operator::Not && v.type() == Value::Type::Bool)
            return QJsonValue(!v.toBool());
        return fail(e.range, u"Invalid operand: unsuitable value for unary operand %1"_s.arg(v.typeName()));
    }
    case Expression::Kind::Template: {
        Result<QString> s = templateString(static_cast<const Template &>(e));
        if (!s)
            return std::unexpected(s.error());
        return QJsonValue(*s);
    }
    case Expression::Kind::TemplateWrap: return expression(*static_cast<const TemplateWrap &>(e).wrapped);
    case Expression::Kind::TupleCons: {
        QJsonArray array;
        for (const ExpressionPtr &item : static_cast<const TupleCons &>(e).items) {
            Result<QJsonValue> v = expression(*item);
            if (!v)
                return std::unexpected(v.error());
            array.append(*v);
        }
        return QJsonValue(array);
    }
    case Expression::Kind::ObjectCons: {
        QJsonObject object;
        for (const ObjectConsItem &item : static_cast<const ObjectCons &>(e).items) {
            Result<QString> k = key(static_cast<const ObjectConsKey &>(*item.key));
            if (!k)
                return std::unexpected(k.error());
            Result<QJsonValue> v = expression(*item.value);
            if (!v)
                return std::unexpected(v.error());
            object.insert(*k, *v);
        }
        return QJsonValue(object);
    }
    default: return QJsonValue(wrap(e));
    }
}

Result<QString> Converter::templateString(const Template &t)
{
    if (t.parts.size() == 1) {
        // IsStringLiteral: convert.go takes the template's value, which
        // fails for a null (`%{if a}${null}%{endif}`).
        if (const auto *lit = t.parts.front()->as<LiteralValue>()) {
            if (lit->value.isNull())
                return fail(lit->range, u"Invalid template interpolation value: the expression result is null"_s);
            return escapeLiteral(*lit->value.convertToString());
        }
    }
    QString out;
    for (const ExpressionPtr &part : t.parts) {
        Result<QString> s = stringPart(*part);
        if (!s)
            return std::unexpected(s.error());
        out += *s;
    }
    return out;
}

Result<QString> Converter::stringPart(const Expression &e)
{
    switch (e.kind) {
    case Expression::Kind::LiteralValue: {
        const Value &v = static_cast<const LiteralValue &>(e).value;
        if (v.isNull())
            return u"null"_s; // what hcl2json prints for "${null}" inside text and for a `null` key
        const std::optional<QString> s = v.convertToString();
        if (!s)
            return fail(e.range, u"a %1 value cannot be converted to a string"_s.arg(v.typeName()));
        return escapeLiteral(*s);
    }
    case Expression::Kind::Template: return templateString(static_cast<const Template &>(e));
    case Expression::Kind::TemplateWrap: return stringPart(*static_cast<const TemplateWrap &>(e).wrapped);
    case Expression::Kind::Conditional: {
        const auto &c = static_cast<const Conditional &>(e);
        QString out = u"%{if "_s + rangeSource(c.condition->range) + u'}';
        // convert.go's convertTemplateConditional swallows errors: a true
        // branch that fails makes the whole directive "", a false branch
        // that fails is left out.
        Result<QString> t = stringPart(*c.trueResult);
        if (!t)
            return QString();
        out += *t;
        Result<QString> f = stringPart(*c.falseResult);
        if (f && !f->isEmpty())
            out += u"%{else}"_s + *f;
        return out + u"%{endif}"_s;
    }
    case Expression::Kind::TemplateJoin: {
        const auto *f = static_cast<const TemplateJoin &>(e).tuple->as<For>();
        if (!f)
            return wrap(e);
        QString out = u"%{for "_s;
        if (!f->keyVar.isEmpty())
            out += f->keyVar + u", "_s;
        out += f->valueVar + u" in "_s + rangeSource(f->collection->range) + u'}';
        Result<QString> body = stringPart(*f->valueExpr);
        if (!body)
            return std::unexpected(body.error());
        return out + *body + u"%{endfor}"_s;
    }
    default: return wrap(e);
    }
}

Result<QString> Converter::key(const ObjectConsKey &k)
{
    if (k.wrapped->kind == Expression::Kind::ScopeTraversal)
        return rangeSource(k.wrapped->range);
    return stringPart(*k.wrapped);
}

} // namespace

Result<QJsonObject> Hcl2JsonView::convert(const SyntaxFile &file)
{
    return Converter(file).body(file.body);
}

} // namespace mesh::hcl
