#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QString>
#include <QStringList>

namespace mesh::importer {

// The order of every JSON object's keys in a text, which QJsonObject (it
// iterates sorted) forgets. Keys are JSON pointers (RFC 6901) from the
// root: "" for the root object, "/Job/TaskGroups/0/Tasks/0/Env" for a
// nested one. A key given twice is listed once, at its first position (Go's
// decoder keeps the last value; the position is ours to choose, and
// NomadJob keeps a repeated key's first position too).
// Expects text QJsonDocument accepted; on anything else it returns what it
// found before the first surprise.
class JsonKeyOrder final
{
public:
    static QHash<QString, QStringList> scan(QByteArrayView json);

    // `key` escaped for a JSON pointer segment ("a/b" → "a~1b").
    static QString pointerSegment(const QString &key);
};

} // namespace mesh::importer
