#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>

namespace mesh::api {

// Reads the fields of one JSON object as Go's encoding/json decodes them
// into a struct: a missing key or null is the zero value, a value of
// another JSON type is an error (the first is kept, with its path, e.g.
// "Proxy.Upstreams[0].LocalBindPort: expected a number, got a string").
// Used by the Consul and Nomad response decoders.
class JsonFields final
{
public:
    // `path` prefixes messages ("Proxy.Upstreams[0]"); empty at the top.
    JsonFields(const QJsonValue &value, QString path);

    QString string(QLatin1StringView key);
    qint64 integer(QLatin1StringView key);
    quint64 unsignedInteger(QLatin1StringView key);
    bool boolean(QLatin1StringView key);
    QJsonObject object(QLatin1StringView key);
    QJsonArray array(QLatin1StringView key);
    QStringList strings(QLatin1StringView key);
    QMap<QString, QString> stringMap(QLatin1StringView key);
    QDateTime time(QLatin1StringView key); // RFC 3339
    QJsonValue value(QLatin1StringView key) const { return m_object.value(key); }
    bool has(QLatin1StringView key) const; // present and not null

    // "Proxy.Upstreams[0]" style path of a member.
    QString pathOf(QLatin1StringView key) const;
    QString pathOf(QLatin1StringView key, qsizetype index) const;

    // Records a nested decoder's error (keeps the first).
    void take(const Error &error);
    template<class T>
    T take(Result<T> result)
    {
        if (!result) {
            take(result.error());
            return T{};
        }
        return std::move(*result);
    }

    const QJsonObject &raw() const { return m_object; }
    bool ok() const { return m_error.message.isEmpty(); }
    Error error() const { return m_error; }
    // `value` when every read went well, else the first error.
    template<class T>
    Result<T> finish(T value) const
    {
        if (!ok())
            return std::unexpected(m_error);
        return value;
    }

    static QString typeName(const QJsonValue &value);

private:
    bool check(QLatin1StringView key, QJsonValue::Type type, const char *expected);

    QJsonObject m_object;
    QString m_path;
    Error m_error;
};

// A JSON array decoded element by element with T::fromJson (null is an
// empty list, as encoding/json decodes it); an element's error names its
// index ("[2].Port: …").
template<class T>
Result<QList<T>> listFrom(const QJsonValue &json)
{
    if (json.isNull())
        return QList<T>{};
    if (!json.isArray())
        return fail(Error::Code::Parse, QStringLiteral("expected an array"));
    QList<T> out;
    const QJsonArray a = json.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        auto item = T::fromJson(a.at(i));
        if (!item) {
            Error e = item.error();
            e.message = u'[' + QString::number(i) + QStringLiteral("].") + e.message;
            return std::unexpected(e);
        }
        out << std::move(*item);
    }
    return out;
}

Result<QJsonObject> objectFrom(const QJsonValue &json);
// A bare JSON string, as /v1/status/leader answers on Consul and Nomad.
Result<QString> stringFrom(const QJsonValue &json);
QByteArray compactJson(const QJsonObject &object);

} // namespace mesh::api
