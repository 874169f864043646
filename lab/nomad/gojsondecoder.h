#pragma once

#include "core/result.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace mesh::lab::nomad {

// Decodes a request body as Nomad's HTTP agent does: Go's encoding/json into
// the `api` structs (hashicorp/nomad: command/agent/http.go decodeBody, a
// plain json.Decoder without DisallowUnknownFields). What that means, and
// what this class does:
// - keys match fields by exact JSON name first, then case-insensitively;
// - unknown keys are dropped silently (the server never refuses them);
// - a value of the wrong JSON type fails with Go's UnmarshalTypeError text,
//   `json: cannot unmarshal number into Go struct field Task.Job.TaskGroups.Tasks.Env of type string`;
// - null leaves a field unset; durations are integer nanoseconds.
// The output has every key spelled as the struct's own JSON name, so later
// code reads `"TaskGroups"` and never `"taskgroups"`.
//
// The struct table is the schema of the api structs (tests/data/api-schemas/
// nomad.json, read from hashicorp/nomad api/*.go), compiled in as the
// resource :/meshlab/api-schemas/nomad.json.
//
// Known gap: QJsonDocument does not keep a number's spelling, so `3.0` is
// accepted where Go refuses a fraction into an int (`3.5` is refused).
class GoJsonDecoder final
{
public:
    // The decoder over the built-in Nomad api schema (loaded once).
    static const GoJsonDecoder &nomadApi();

    // Parses `body` and decodes it into `rootStruct` (e.g.
    // "JobRegisterRequest"). Errors carry httpStatus 400 and Go's text.
    Result<QJsonObject> decodeBody(QByteArrayView body, const QString &rootStruct) const;
    // Decodes an already parsed object.
    Result<QJsonObject> decodeObject(const QJsonObject &object, const QString &rootStruct) const;

private:
    struct Field
    {
        QString json;
        QString type;   // schema notation: "string", "list of Task", ...
        QString goType; // "*string", "[]*Task", "map[string]string"
    };
    struct Struct
    {
        QList<Field> fields;
    };

    explicit GoJsonDecoder(const QJsonObject &schema);

    struct Context;
    std::optional<QJsonValue> decodeValue(const QJsonValue &value, const QString &type, const QString &goType,
                                          Context &context) const;
    std::optional<QJsonObject> decodeStruct(const QJsonObject &object, const QString &name, Context &context) const;

    QHash<QString, Struct> m_structs;
};

} // namespace mesh::lab::nomad
