#pragma once

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace mesh::lab {

// The Go structs Consul and Nomad decode bodies into, as data: the schemas of
// tests/data/api-schemas (consul.json, nomad.json for request bodies,
// consul-responses.json for what the servers answer: field names, JSON names
// and Go types). The lab's Consul API decodes request bodies with it exactly
// as Go's encoding/json does in Consul (DisallowUnknownFields, keys matched
// case-insensitively, the agent's snake_case aliases), and the tests check
// every body Meshpad writes or serves against it.
//
//   auto consul = GoStructSchema::load(MESHPAD_TEST_DATA "/api-schemas/consul.json");
//   QStringList problems = consul->check(body, u"consul-registration");
//   QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
//
// One readable message per problem, each starting with the JSON path
// (`$.Connect.SidecarService.Proxy.Upstreams[0].LocalBindPort: …`). Reported:
// - unknown keys. Keys match fields as Go does: exact JSON name first, then
//   case-insensitively; underscores count. The agent's snake_case aliases
//   (agent_aliases) apply to agent bodies, config_entry_aliases (matched
//   against Go field names, as mapstructure does) to config entries, none to
//   Nomad. Every unknown key is reported, also where the server would not
//   refuse it (inside Consul's `Connect`, anywhere in Nomad): there it is
//   silently dropped, which is worse. The message says which.
// - two keys that land in the same field ("Name" and "name");
// - wrong JSON types: string, int/uint (integral, in the Go type's range),
//   float, bool, any, Go duration strings, integer-nanosecond durations,
//   RFC 3339 times, base64 bytes, lists, maps, nested structs; null where the
//   Go field is not a pointer;
// - fields only Consul Enterprise decodes (enterprise_only);
// - what the endpoint itself refuses: a registration without Name, a config
//   entry without its Kind/Name, a Nomad job without Job/Job.ID.
// A body that passes has every key in a field of the right type.
class GoStructSchema final
{
public:
    // Loads consul.json, nomad.json or consul-responses.json; nullopt (and
    // *error) when the file is missing or not a schema.
    static std::optional<GoStructSchema> load(const QString &path, QString *error = nullptr);
    static std::optional<GoStructSchema> fromJson(const QByteArray &json, const QString &origin,
                                                  QString *error = nullptr);
    // The request-body schema of Consul compiled into meshlab (consul.json).
    static std::optional<GoStructSchema> consulRequests(QString *error = nullptr);

    QString product() const { return m_product; } // "consul" / "nomad"

    // `root` is a struct name ("AgentServiceRegistration"), a root of the
    // schema ("consul-registration", "nomad-job", "job") or a config entry
    // kind ("service-intentions", "service-defaults", "proxy-defaults").
    // Config entry roots decode as config entries; every other Consul root
    // as an agent body.
    QStringList check(const QJsonObject &body, QStringView root) const;
    // Same for JSON text; a parse error or a top level that is not an
    // object is a problem too.
    QStringList checkText(const QString &json, QStringView root) const;

    // `body` with every key that names a field renamed to the field's own
    // name (JSON name; Go name for config entries), e.g. the seed's
    // {"name": …, "connect": {"sidecar_service": {}}} becomes
    // {"Name": …, "Connect": {"SidecarService": {}}}. Two bodies mean the
    // same to the server when their canonical forms are equal. Unknown keys
    // are kept as they are.
    QJsonObject canonical(const QJsonObject &body, QStringView root) const;

    // What Go's encoding/json answers for the first problem that makes Consul
    // refuse the body (an unknown key where the agent disallows them, a
    // wrong type), worded as Go does: `json: unknown field "x"`, `json: cannot
    // unmarshal string into Go struct field .Port of type int`. Empty when Go
    // would decode it. Problems the endpoint itself reports (a missing Name)
    // are not decode errors and are not reported here.
    QString goDecodeError(const QJsonObject &body, QStringView root) const;

    // A response body as the Go client decodes it (plain encoding/json: keys
    // it does not know are ignored, a wrong type fails the call). `type` is a
    // type of this schema's notation: "AgentService", "list of ServiceEntry",
    // "map of string to AgentService", "bool"…; parenthesised remarks such as
    // "map of string (service ID) to AgentService" are ignored. One message
    // per value of a wrong type.
    QStringList checkResponse(const QJsonValue &value, QStringView type) const;

    // Type names the schema uses but does not define (a broken schema).
    QStringList unresolvedTypes() const;

private:
    enum class Mode { Agent, ConfigEntry, Nomad, Response };

    // What one check found: readable messages, and Go's own words for the
    // first problem that fails decoding.
    struct Problems
    {
        QStringList messages;
        QString goError;
    };

    struct Field
    {
        QString goName;
        QString json;
        QString type;
        QString intRange;
        bool nullable = false;
        bool enterpriseOnly = false;
        bool notDecoded = false;
    };
    struct Struct
    {
        QList<Field> fields;
        QHash<QString, QString> agentAliases;       // snake key -> json name
        QHash<QString, QString> configEntryAliases; // snake key -> Go name
        bool agentIgnoresUnknown = false;
    };

    struct Root
    {
        QString structName;
        Mode mode = Mode::Agent;
        QString configEntryKind; // for config entries: the Kind it must carry
    };
    std::optional<Root> resolveRoot(QStringView root) const;

    const Field *matchField(const Struct &s, const QString &key, Mode mode) const;
    void checkStruct(const QString &structName, const QJsonObject &object, const QString &path, Mode mode,
                     Problems &out) const;
    void checkValue(const QString &type, const QJsonValue &value, const QString &path, const QString &intRange,
                    Mode mode, Problems &out, const QString &goField = {}) const;
    void checkRootBody(const QJsonObject &body, QStringView rootName, Problems &out) const;

    QJsonValue canonicalValue(const QString &type, const QJsonValue &value, Mode mode) const;

    QString m_product;
    QHash<QString, Struct> m_structs;
    QHash<QString, QString> m_roots;            // root alias -> struct
    QHash<QString, QString> m_configEntryRoots; // kind -> struct
};

} // namespace mesh::lab
