#include "projectobjectreader.h"

#include <cmath>

namespace mesh::model {

ProjectObjectReader::ProjectObjectReader(const QJsonObject &object, QString path)
    : m_object(object)
    , m_path(std::move(path))
    , m_firstError(&m_ownFirstError)
{
}

ProjectObjectReader::ProjectObjectReader(const QJsonObject &object, QString path, std::optional<Error> *firstError)
    : m_object(object)
    , m_path(std::move(path))
    , m_firstError(firstError)
{
}

QString ProjectObjectReader::fieldPath(QStringView key) const
{
    return m_path.isEmpty() ? key.toString() : m_path + u'.' + key;
}

QString ProjectObjectReader::string(QStringView key, const QString &fallback)
{
    const std::optional<QJsonValue> v = member(key, QJsonValue::String, u"a string");
    return v ? v->toString() : fallback;
}

qint64 ProjectObjectReader::integer(QStringView key, qint64 fallback, qint64 min, qint64 max)
{
    const std::optional<QJsonValue> v = member(key, QJsonValue::Double, u"a number");
    if (!v)
        return fallback;
    const double d = v->toDouble();
    if (!std::isfinite(d) || d != std::floor(d)) {
        reject(key, QStringLiteral("expected a whole number, got %1").arg(d));
        return fallback;
    }
    if (d < double(min) || d > double(max)) {
        reject(key, QStringLiteral("%1 is out of the range %2..%3").arg(d).arg(min).arg(max));
        return fallback;
    }
    return qint64(d);
}

double ProjectObjectReader::real(QStringView key, double limit)
{
    const std::optional<QJsonValue> v = member(key, QJsonValue::Double, u"a number");
    if (!v)
        return 0.0;
    const double d = v->toDouble();
    if (!std::isfinite(d) || std::abs(d) > limit) {
        reject(key, QStringLiteral("%1 is out of the range -%2..%2").arg(d).arg(limit));
        return 0.0;
    }
    return d;
}

bool ProjectObjectReader::boolean(QStringView key, bool fallback)
{
    const std::optional<QJsonValue> v = member(key, QJsonValue::Bool, u"true or false");
    return v ? v->toBool() : fallback;
}

QStringList ProjectObjectReader::stringList(QStringView key)
{
    const QJsonArray items = array(key);
    QStringList out;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonValue v = items.at(i);
        if (!v.isString()) {
            record(Error::Code::Invalid,
                   QStringLiteral("%1[%2]: expected a string, got %3").arg(fieldPath(key)).arg(i).arg(typeName(v)));
            return {};
        }
        out.append(v.toString());
    }
    return out;
}

ProjectObjectReader ProjectObjectReader::object(QStringView key)
{
    const std::optional<QJsonValue> v = member(key, QJsonValue::Object, u"an object");
    return ProjectObjectReader(v ? v->toObject() : QJsonObject(), fieldPath(key), m_firstError);
}

void ProjectObjectReader::reject(QStringView key, const QString &problem, Error::Code code)
{
    record(code, fieldPath(key) + u": " + problem);
}

void ProjectObjectReader::refuseUnknownFields()
{
    for (auto it = m_object.begin(); it != m_object.end(); ++it) {
        if (!m_known.contains(it.key())) {
            reject(it.key(), QStringLiteral("unknown field (a typo, or a file from a newer Meshpad?)"));
            return;
        }
    }
}

std::optional<QJsonValue> ProjectObjectReader::member(QStringView key, QJsonValue::Type type, QStringView expected)
{
    m_known.insert(key.toString());
    const QJsonValue v = m_object.value(key);
    if (v.type() == type)
        return v;
    if (!v.isUndefined())
        reject(key, QStringLiteral("expected %1, got %2").arg(expected, typeName(v)));
    return std::nullopt;
}

QJsonArray ProjectObjectReader::array(QStringView key)
{
    const std::optional<QJsonValue> v = member(key, QJsonValue::Array, u"a list");
    return v ? v->toArray() : QJsonArray();
}

std::optional<QJsonObject> ProjectObjectReader::elementObject(const QJsonArray &items, qsizetype i,
                                                              const QString &listPath)
{
    const QJsonValue v = items.at(i);
    if (v.isObject())
        return v.toObject();
    record(Error::Code::Invalid,
           QStringLiteral("%1[%2]: expected an object, got %3").arg(listPath).arg(i).arg(typeName(v)));
    return std::nullopt;
}

void ProjectObjectReader::record(Error::Code code, QString message)
{
    // The first problem is the one to fix first; later ones often follow
    // from it.
    if (!m_firstError->has_value())
        *m_firstError = Error{code, std::move(message)};
}

QString ProjectObjectReader::typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("a list");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

} // namespace mesh::model
