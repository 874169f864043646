#pragma once

#include "core/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace mesh::model {

// Reads one object of a `*.meshpad` file field by field and keeps the FIRST
// problem it meets, with its path ("services[1].count: expected a number, got
// a string"), so a decoder reads many fields in a row and checks once at the
// end instead of after every field. After a problem, reads still return a
// value (the fallback) and later problems are dropped: the user hears of the
// first one in reading order, as if reading had stopped there.
//
// Stricter than api::JsonFields (Go's encoding/json rules): a missing key is
// the fallback but null is a wrong type, numbers are range-checked, and a key
// nobody asked about is refused — a typo would otherwise vanish silently.
//
// A reader of a nested object (object(), forEachObject()) shares its
// parent's first problem and must not outlive it.
class ProjectObjectReader final
{
public:
    // The root object; `path` prefixes messages (empty at the top).
    ProjectObjectReader(const QJsonObject &object, QString path);
    ProjectObjectReader(const ProjectObjectReader &) = delete;
    ProjectObjectReader &operator=(const ProjectObjectReader &) = delete;

    QString fieldPath(QStringView key) const;

    // Each returns the key's value, or `fallback` when the key is missing —
    // or wrong, which records the problem.
    QString string(QStringView key, const QString &fallback = {});
    qint64 integer(QStringView key, qint64 fallback, qint64 min, qint64 max); // whole numbers in min..max
    double real(QStringView key, double limit);                               // -limit..limit, 0 when missing
    bool boolean(QStringView key, bool fallback);
    QStringList stringList(QStringView key);

    // A string naming an enum value: `parse` reads it, toString(Enum) spells
    // the fallback, `allowed` lists the spellings for the message.
    template<class Enum>
    Enum word(QStringView key, Enum fallback, std::optional<Enum> (*parse)(QStringView), QStringView allowed)
    {
        const QString text = string(key, toString(fallback));
        if (const std::optional<Enum> value = parse(text))
            return *value;
        reject(key, QStringLiteral("\"%1\" is not one of %2").arg(text, allowed));
        return fallback;
    }

    // The object at `key` (missing: an empty one, so all its fields take
    // their fallbacks). Call refuseUnknownFields() on it when done.
    ProjectObjectReader object(QStringView key);

    // Calls `read(item)` for each element of the list at `key`, in order,
    // `item` reading the element at path "key[i]". An element that is not an
    // object is a problem; once there is one, the remaining elements are
    // skipped. `read` calls refuseUnknownFields() on the item when done.
    template<class Read>
    void forEachObject(QStringView key, Read &&read)
    {
        const QJsonArray items = array(key);
        const QString listPath = fieldPath(key);
        for (qsizetype i = 0; i < items.size() && ok(); ++i) {
            if (std::optional<QJsonObject> element = elementObject(items, i, listPath)) {
                ProjectObjectReader item(*element, QStringLiteral("%1[%2]").arg(listPath).arg(i), m_firstError);
                read(item);
            }
        }
    }

    // Records "<path of key>: <problem>" unless an earlier problem was.
    void reject(QStringView key, const QString &problem, Error::Code code = Error::Code::Invalid);

    // Call after the last read: any key nobody asked about is a problem.
    void refuseUnknownFields();

    bool ok() const { return !m_firstError->has_value(); }
    // `value` when every read went well, else the first problem.
    template<class T>
    Result<T> finish(T value) const
    {
        if (!ok())
            return std::unexpected(**m_firstError);
        return value;
    }

private:
    ProjectObjectReader(const QJsonObject &object, QString path, std::optional<Error> *firstError);

    // The value at `key` when it is of `type`; nullopt when it is missing,
    // or of another type (a problem, `expected` naming the type wanted).
    std::optional<QJsonValue> member(QStringView key, QJsonValue::Type type, QStringView expected);
    QJsonArray array(QStringView key);
    std::optional<QJsonObject> elementObject(const QJsonArray &items, qsizetype i, const QString &listPath);
    void record(Error::Code code, QString message);
    static QString typeName(const QJsonValue &value);

    QJsonObject m_object;
    QString m_path;
    QSet<QString> m_known;
    std::optional<Error> m_ownFirstError; // used by a root reader only
    std::optional<Error> *m_firstError;   // the root's
};

} // namespace mesh::model
