#include "value.h"

#include <QJsonArray>
#include <QJsonObject>

#include <charconv>
#include <cmath>

namespace mesh::hcl {

namespace {

const Value::Tuple &emptyTuple()
{
    static const Value::Tuple empty;
    return empty;
}

const Value::Object &emptyObject()
{
    static const Value::Object empty;
    return empty;
}

// cty prints numbers with big.Float's Text('f', -1) (go-cty: cty/convert/
// conversion_primitive.go): the shortest decimal that reads back as the same
// number, never with an exponent. std::to_chars in fixed format without a
// precision is exactly that for a double.
QString numberToString(double n)
{
    if (std::isnan(n))
        return QStringLiteral("NaN");
    if (std::isinf(n))
        return n > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (n == 0)
        return QStringLiteral("0"); // also -0: a jobspec never means the sign
    char buffer[400];               // DBL_MAX in fixed notation has 309 digits
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n, std::chars_format::fixed);
    if (ec != std::errc())
        return QString::number(n, 'g', 17);
    return QString::fromLatin1(buffer, end - buffer);
}

} // namespace

Value Value::boolean(bool b)
{
    Value v;
    v.m_data = b;
    return v;
}

Value Value::number(double n)
{
    Value v;
    v.m_data = n;
    return v;
}

Value Value::normalizedString(QString s)
{
    for (const QChar c : std::as_const(s)) {
        if (c.unicode() >= 0x300) // below U+0300 nothing composes or decomposes
            return string(s.normalized(QString::NormalizationForm_C));
    }
    return string(std::move(s));
}

Value Value::string(QString s)
{
    Value v;
    v.m_data = std::move(s);
    return v;
}

Value Value::tuple(Tuple items)
{
    Value v;
    v.m_data = std::make_shared<const Tuple>(std::move(items));
    return v;
}

Value Value::object(Object members)
{
    Value v;
    v.m_data = std::make_shared<const Object>(std::move(members));
    return v;
}

Value::Type Value::type() const
{
    switch (m_data.index()) {
    case 1: return Type::Bool;
    case 2: return Type::Number;
    case 3: return Type::String;
    case 4: return Type::Tuple;
    case 5: return Type::Object;
    default: return Type::Null;
    }
}

bool Value::toBool() const
{
    const bool *b = std::get_if<bool>(&m_data);
    return b && *b;
}

double Value::toNumber() const
{
    const double *n = std::get_if<double>(&m_data);
    return n ? *n : 0.0;
}

QString Value::toString() const
{
    const QString *s = std::get_if<QString>(&m_data);
    return s ? *s : QString();
}

const Value::Tuple &Value::toTuple() const
{
    const auto *t = std::get_if<std::shared_ptr<const Tuple>>(&m_data);
    return t && *t ? **t : emptyTuple();
}

const Value::Object &Value::toObject() const
{
    const auto *o = std::get_if<std::shared_ptr<const Object>>(&m_data);
    return o && *o ? **o : emptyObject();
}

QString Value::typeName() const
{
    switch (type()) {
    case Type::Null: return QStringLiteral("null");
    case Type::Bool: return QStringLiteral("bool");
    case Type::Number: return QStringLiteral("number");
    case Type::String: return QStringLiteral("string");
    case Type::Tuple: return QStringLiteral("tuple");
    case Type::Object: return QStringLiteral("object");
    }
    return {};
}

std::optional<QString> Value::convertToString() const
{
    switch (type()) {
    case Type::Bool: return toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case Type::Number: return numberToString(toNumber());
    case Type::String: return toString();
    case Type::Null:
    case Type::Tuple:
    case Type::Object: break;
    }
    return std::nullopt;
}

QJsonValue Value::toJson() const
{
    switch (type()) {
    case Type::Null: return QJsonValue(QJsonValue::Null);
    case Type::Bool: return toBool();
    case Type::Number: return toNumber();
    case Type::String: return toString();
    case Type::Tuple: {
        QJsonArray array;
        for (const Value &item : toTuple())
            array.append(item.toJson());
        return array;
    }
    case Type::Object: {
        QJsonObject object;
        const Object &members = toObject();
        for (auto it = members.cbegin(); it != members.cend(); ++it)
            object.insert(it.key(), it.value().toJson());
        return object;
    }
    }
    return {};
}

Value Value::fromJson(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::Bool: return boolean(json.toBool());
    case QJsonValue::Double: return number(json.toDouble());
    case QJsonValue::String: return string(json.toString());
    case QJsonValue::Array: {
        Tuple items;
        const QJsonArray array = json.toArray();
        items.reserve(array.size());
        for (const auto &item : array)
            items.append(fromJson(item));
        return tuple(std::move(items));
    }
    case QJsonValue::Object: {
        Object members;
        const QJsonObject object = json.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            members.insert(it.key(), fromJson(it.value()));
        return Value::object(std::move(members));
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined: break;
    }
    return {};
}

bool operator==(const Value &a, const Value &b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case Value::Type::Null: return true;
    case Value::Type::Bool: return a.toBool() == b.toBool();
    case Value::Type::Number: return a.toNumber() == b.toNumber();
    case Value::Type::String: return a.toString() == b.toString();
    case Value::Type::Tuple: {
        const Value::Tuple &x = a.toTuple();
        const Value::Tuple &y = b.toTuple();
        return &x == &y || x == y;
    }
    case Value::Type::Object: {
        const Value::Object &x = a.toObject();
        const Value::Object &y = b.toObject();
        return &x == &y || x == y;
    }
    }
    return false;
}

} // namespace mesh::hcl
