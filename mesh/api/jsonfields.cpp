#include "jsonfields.h"

#include <QJsonDocument>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace mesh::api {

JsonFields::JsonFields(const QJsonValue &value, QString path)
    : m_path(std::move(path))
{
    m_error.code = Error::Code::Parse;
    if (value.isObject())
        m_object = value.toObject();
    else if (!value.isNull() && !value.isUndefined())
        m_error.message
            = (m_path.isEmpty() ? u"the answer"_s : m_path) + u": expected an object, got "_s + typeName(value);
}

QString JsonFields::typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return u"null"_s;
    case QJsonValue::Bool: return u"a boolean"_s;
    case QJsonValue::Double: return u"a number"_s;
    case QJsonValue::String: return u"a string"_s;
    case QJsonValue::Array: return u"an array"_s;
    case QJsonValue::Object: return u"an object"_s;
    case QJsonValue::Undefined: break;
    }
    return u"nothing"_s;
}

QString JsonFields::pathOf(QLatin1StringView key) const
{
    return m_path.isEmpty() ? QString(key) : m_path + u'.' + key;
}

QString JsonFields::pathOf(QLatin1StringView key, qsizetype index) const
{
    return pathOf(key) + u'[' + QString::number(index) + u']';
}

bool JsonFields::has(QLatin1StringView key) const
{
    const QJsonValue v = m_object.value(key);
    return !v.isUndefined() && !v.isNull();
}

void JsonFields::take(const Error &error)
{
    if (ok() && !error.message.isEmpty())
        m_error = error;
}

bool JsonFields::check(QLatin1StringView key, QJsonValue::Type type, const char *expected)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() || v.isNull())
        return false;
    if (v.type() == type)
        return true;
    if (ok())
        m_error.message = pathOf(key) + u": expected "_s + QLatin1StringView(expected) + u", got "_s + typeName(v);
    return false;
}

QString JsonFields::string(QLatin1StringView key)
{
    return check(key, QJsonValue::String, "a string") ? m_object.value(key).toString() : QString();
}

qint64 JsonFields::integer(QLatin1StringView key)
{
    if (!check(key, QJsonValue::Double, "a number"))
        return 0;
    const double d = m_object.value(key).toDouble();
    if (d != std::floor(d) || std::abs(d) > 9.007199254740992e15) {
        if (ok())
            m_error.message = pathOf(key) + u": expected an integer, got "_s + QString::number(d);
        return 0;
    }
    return m_object.value(key).toInteger();
}

quint64 JsonFields::unsignedInteger(QLatin1StringView key)
{
    const qint64 v = integer(key);
    if (v < 0) {
        if (ok())
            m_error.message = pathOf(key) + u": expected a non-negative integer, got "_s + QString::number(v);
        return 0;
    }
    return quint64(v);
}

bool JsonFields::boolean(QLatin1StringView key)
{
    return check(key, QJsonValue::Bool, "true or false") && m_object.value(key).toBool();
}

QJsonObject JsonFields::object(QLatin1StringView key)
{
    return check(key, QJsonValue::Object, "an object") ? m_object.value(key).toObject() : QJsonObject();
}

QJsonArray JsonFields::array(QLatin1StringView key)
{
    return check(key, QJsonValue::Array, "an array") ? m_object.value(key).toArray() : QJsonArray();
}

QStringList JsonFields::strings(QLatin1StringView key)
{
    QStringList out;
    const QJsonArray a = array(key);
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a.at(i).isString()) {
            if (ok())
                m_error.message = pathOf(key, i) + u": expected a string, got "_s + typeName(a.at(i));
            return {};
        }
        out << a.at(i).toString();
    }
    return out;
}

QMap<QString, QString> JsonFields::stringMap(QLatin1StringView key)
{
    QMap<QString, QString> out;
    const QJsonObject o = object(key);
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString()) {
            if (ok())
                m_error.message = pathOf(key) + u'.' + it.key() + u": expected a string, got "_s + typeName(it.value());
            return {};
        }
        out.insert(it.key(), it.value().toString());
    }
    return out;
}

QDateTime JsonFields::time(QLatin1StringView key)
{
    const QString text = string(key);
    if (text.isEmpty())
        return {};
    // Go writes up to nine fractional digits; Qt reads at most three.
    QString trimmed = text;
    if (const qsizetype dot = trimmed.indexOf(u'.'); dot >= 0) {
        qsizetype end = dot + 1;
        while (end < trimmed.size() && trimmed.at(end).isDigit())
            ++end;
        trimmed = trimmed.left(std::min(end, dot + 4)) + trimmed.mid(end);
    }
    QDateTime t = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!t.isValid() && ok())
        m_error.message = pathOf(key) + u": expected an RFC 3339 time, got \""_s + text + u'"';
    return t;
}

Result<QJsonObject> objectFrom(const QJsonValue &json)
{
    if (!json.isObject())
        return fail(Error::Code::Parse, QStringLiteral("expected an object"));
    return json.toObject();
}

Result<QString> stringFrom(const QJsonValue &json)
{
    if (!json.isString())
        return fail(Error::Code::Parse, QStringLiteral("expected a string"));
    return json.toString();
}

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace mesh::api
