#include "gostructschema.h"

#include <QByteArray>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

namespace mesh::lab {

namespace {

constexpr QStringView kListOf = u"list of ";
constexpr QStringView kMapOf = u"map of string to ";

// Go's encoding/json matches a key to a field name with bytes.EqualFold
// (Unicode simple folding); Qt's case-insensitive compare folds the same way
// for everything a JSON key of ours can hold.
bool sameFolded(QStringView a, QStringView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// time.ParseDuration: "0", or one or more <number><unit> with an optional
// sign in front; a number needs a digit before or after its dot.
bool isGoDuration(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^[-+]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$"));
    const QStringView body = QStringView(text).mid(text.startsWith(u'-') || text.startsWith(u'+') ? 1 : 0);
    return body == u"0" || re.match(text).hasMatch();
}

bool isRfc3339(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:\\d{2})$"));
    return re.match(text).hasMatch() && QDateTime::fromString(text, Qt::ISODateWithMs).isValid();
}

bool isBase64(const QString &text)
{
    const auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    return text.isEmpty() || (decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok && text.size() % 4 == 0);
}

QString describe(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QStringLiteral("number %1").arg(value.toDouble(), 0, 'g', 17);
    case QJsonValue::String: {
        QString s = value.toString();
        if (s.size() > 40)
            s = s.left(37) + u"...";
        return QStringLiteral("string \"%1\"").arg(s);
    }
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

// The range of the Go integer type a field decodes into. `int`/`uint`
// without a sized type are Go's 64-bit int/uint.
std::pair<double, double> intRange(const QString &range, bool isUnsigned)
{
    if (range == u"int8")
        return {-128, 127};
    if (range == u"int16")
        return {-32768, 32767};
    if (range == u"int32")
        return {-2147483648.0, 2147483647.0};
    if (range == u"uint8")
        return {0, 255};
    if (range == u"uint16")
        return {0, 65535};
    if (range == u"uint32")
        return {0, 4294967295.0};
    if (range == u"uint64" || isUnsigned)
        return {0, 18446744073709551615.0};
    return {-9223372036854775808.0, 9223372036854775807.0};
}

// "list of HealthCheck (HealthChecks)", "string (ServiceKind)": the remark in
// brackets names the Go type and does not change the JSON.
QString plainType(QString type)
{
    static const QRegularExpression remark(QStringLiteral("\\s*\\([^)]*\\)"));
    type.remove(remark);
    return type.trimmed();
}

// encoding/json's words for a JSON value in an UnmarshalTypeError.
QString goValueKind(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool: return QStringLiteral("bool");
    case QJsonValue::Double: return QStringLiteral("number");
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    default: break;
    }
    return QStringLiteral("null");
}

// The Go type as reflect.Type.String() prints it, near enough for messages.
QString goTypeName(const QString &type, const QString &range)
{
    if (type.startsWith(kListOf))
        return u"[]" + goTypeName(type.mid(kListOf.size()), {});
    if (type.startsWith(kMapOf))
        return u"map[string]" + goTypeName(type.mid(kMapOf.size()), {});
    if (!range.isEmpty())
        return range;
    if (type == u"uint")
        return QStringLiteral("uint64");
    if (type == u"float")
        return QStringLiteral("float64");
    if (type == u"any")
        return QStringLiteral("interface {}");
    if (type.startsWith(u"duration"))
        return QStringLiteral("time.Duration");
    if (type == u"time-rfc3339")
        return QStringLiteral("time.Time");
    if (type == u"bytes-base64")
        return QStringLiteral("[]uint8");
    if (type == u"string" || type == u"int" || type == u"bool")
        return type;
    return u"structs." + type;
}

QString childPath(const QString &path, const QString &key)
{
    // Keys that are not plain identifiers are quoted so the path stays readable.
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (plain.match(key).hasMatch())
        return path + u'.' + key;
    return path + u'['
           + QString::fromUtf8(QJsonDocument(QJsonArray{key}).toJson(QJsonDocument::Compact)).mid(1).chopped(1) + u']';
}

} // namespace

std::optional<GoStructSchema> GoStructSchema::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return fromJson(file.readAll(), path, error);
}

std::optional<GoStructSchema> GoStructSchema::consulRequests(QString *error)
{
    // Parsed once (44 KB of JSON); every lab run and every test reuses it.
    // Thread-safe: a function-local static is initialised once.
    static QString loadError;
    static const std::optional<GoStructSchema> schema
        = load(QStringLiteral(":/meshlab/api-schemas/consul.json"), &loadError);
    if (!schema && error)
        *error = loadError;
    return schema;
}

std::optional<GoStructSchema> GoStructSchema::fromJson(const QByteArray &json, const QString &path, QString *error)
{
    auto failWith = [error](QString message) -> std::optional<GoStructSchema> {
        if (error)
            *error = std::move(message);
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return failWith(QStringLiteral("%1 is not a JSON object: %2").arg(path, parseError.errorString()));
    const QJsonObject top = doc.object();
    const QJsonObject structs = top.value(u"structs").toObject();
    if (structs.isEmpty())
        return failWith(QStringLiteral("%1 has no \"structs\"").arg(path));

    GoStructSchema checker;
    checker.m_product = top.value(u"product").toString();
    for (auto it = structs.begin(); it != structs.end(); ++it) {
        const QJsonObject s = it.value().toObject();
        Struct st;
        for (const QJsonValue &fv : s.value(u"fields").toArray()) {
            const QJsonObject f = fv.toObject();
            Field field;
            field.goName = f.value(u"go_name").toString();
            field.json = f.value(u"json").toString();
            field.type = plainType(f.value(u"type").toString());
            field.intRange = f.value(u"int_range").toString();
            field.nullable = f.value(u"nullable").toBool();
            field.enterpriseOnly = f.value(u"enterprise_only").toBool();
            // A json:"-" field is never decoded: its key is unknown.
            field.notDecoded = f.value(u"not_decoded").toBool() || field.json == u"-";
            st.fields.append(field);
        }
        const QJsonObject agent = s.value(u"agent_aliases").toObject();
        for (auto a = agent.begin(); a != agent.end(); ++a)
            st.agentAliases.insert(a.key(), a.value().toString());
        const QJsonObject config = s.value(u"config_entry_aliases").toObject();
        for (auto a = config.begin(); a != config.end(); ++a)
            st.configEntryAliases.insert(a.key(), a.value().toString());
        st.agentIgnoresUnknown = s.value(u"agent_unknown_keys").toString() == u"ignore";
        checker.m_structs.insert(it.key(), st);
    }
    const QJsonObject roots = top.value(u"roots").toObject();
    for (auto it = roots.begin(); it != roots.end(); ++it) {
        if (it.value().isString()) {
            checker.m_roots.insert(it.key(), plainType(it.value().toString()));
        } else {
            const QJsonObject kinds = it.value().toObject();
            for (auto k = kinds.begin(); k != kinds.end(); ++k)
                checker.m_configEntryRoots.insert(k.key(), k.value().toString());
        }
    }
    return checker;
}

QStringList GoStructSchema::unresolvedTypes() const
{
    static const QStringList primitives = {QStringLiteral("string"),       QStringLiteral("int"),
                                           QStringLiteral("uint"),         QStringLiteral("bool"),
                                           QStringLiteral("float"),        QStringLiteral("any"),
                                           QStringLiteral("duration"),     QStringLiteral("duration-string"),
                                           QStringLiteral("duration-ns"),  QStringLiteral("time-rfc3339"),
                                           QStringLiteral("bytes-base64"), QStringLiteral("ReadableDuration")};
    QStringList out;
    for (auto it = m_structs.begin(); it != m_structs.end(); ++it) {
        for (const Field &f : it->fields) {
            QStringView t = f.type;
            while (true) {
                if (t.startsWith(kListOf))
                    t = t.mid(kListOf.size());
                else if (t.startsWith(kMapOf))
                    t = t.mid(kMapOf.size());
                else
                    break;
            }
            if (!primitives.contains(t) && !m_structs.contains(t.toString()))
                out.append(QStringLiteral("%1.%2: %3").arg(it.key(), f.goName, f.type));
        }
    }
    out.sort();
    return out;
}

std::optional<GoStructSchema::Root> GoStructSchema::resolveRoot(QStringView root) const
{
    const Mode bodyMode = m_product == u"nomad" ? Mode::Nomad : Mode::Agent;
    const QString name = root.toString();
    if (m_configEntryRoots.contains(name))
        return Root{m_configEntryRoots.value(name), Mode::ConfigEntry, name};
    QString structName = m_roots.value(name);
    if (structName.isEmpty() && m_structs.contains(name))
        structName = name;
    if (structName.isEmpty())
        return std::nullopt;
    // A config entry struct named directly still decodes as a config entry.
    for (auto it = m_configEntryRoots.begin(); it != m_configEntryRoots.end(); ++it) {
        if (it.value() == structName)
            return Root{structName, Mode::ConfigEntry, it.key()};
    }
    return Root{structName, bodyMode, {}};
}

const GoStructSchema::Field *GoStructSchema::matchField(const Struct &s, const QString &key, Mode mode) const
{
    // Config entries are decoded by mapstructure, which matches Go field
    // names; the agent and Nomad use encoding/json, which matches JSON tags.
    auto nameOf = [mode](const Field &f) -> const QString & { return mode == Mode::ConfigEntry ? f.goName : f.json; };
    for (const Field &f : s.fields) {
        if (!f.notDecoded && nameOf(f) == key)
            return &f;
    }
    for (const Field &f : s.fields) {
        if (!f.notDecoded && sameFolded(nameOf(f), key))
            return &f;
    }
    const QHash<QString, QString> *aliases = nullptr;
    if (mode == Mode::Agent)
        aliases = &s.agentAliases;
    else if (mode == Mode::ConfigEntry)
        aliases = &s.configEntryAliases;
    if (aliases) {
        for (auto it = aliases->begin(); it != aliases->end(); ++it) {
            if (!sameFolded(it.key(), key))
                continue;
            for (const Field &f : s.fields) {
                if (nameOf(f) == it.value() || f.json == it.value() || f.goName == it.value())
                    return &f;
            }
        }
    }
    return nullptr;
}

void GoStructSchema::checkStruct(const QString &structName, const QJsonObject &object, const QString &path, Mode mode,
                                 Problems &out) const
{
    const auto found = m_structs.constFind(structName);
    if (found == m_structs.cend()) {
        out.messages.append(QStringLiteral("%1: the schema has no struct %2").arg(path, structName));
        return;
    }
    const Struct &s = *found;
    QHash<const Field *, QString> seen;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QString here = childPath(path, key);
        const Field *field = matchField(s, key, mode);
        if (!field) {
            if (mode == Mode::Response)
                continue; // the Go client ignores keys it does not know
            QString consequence;
            if (mode == Mode::Nomad)
                consequence = QStringLiteral("Nomad silently ignores it, so the setting is lost");
            else if (mode == Mode::Agent && s.agentIgnoresUnknown)
                consequence = QStringLiteral("Consul silently ignores it here, so the setting is lost");
            else if (mode == Mode::Agent)
                consequence = QStringLiteral("Consul rejects the body (HTTP 400, unknown field)");
            else
                consequence = QStringLiteral("Consul rejects the config entry (HTTP 400, invalid config key)");
            out.messages.append(
                QStringLiteral("%1: unknown key \"%2\" in %3: %4").arg(here, key, structName, consequence));
            if (out.goError.isEmpty() && mode == Mode::Agent && !s.agentIgnoresUnknown)
                out.goError = QStringLiteral("json: unknown field \"%1\"").arg(key);
            else if (out.goError.isEmpty() && mode == Mode::ConfigEntry)
                out.goError = QStringLiteral("invalid config key \"%1\"").arg(key);
            continue;
        }
        if (seen.contains(field) && mode != Mode::Response) {
            out.messages.append(QStringLiteral("%1: \"%2\" and \"%3\" both set %4.%5; only one survives decoding")
                                    .arg(here, seen.value(field), key, structName, field->goName));
        }
        seen.insert(field, key);
        if (field->enterpriseOnly && mode != Mode::Response) {
            out.messages.append(QStringLiteral("%1: %2.%3 is Consul Enterprise only; Consul CE rejects it")
                                    .arg(here, structName, field->goName));
            continue;
        }
        if (it.value().isNull()) {
            // encoding/json leaves a non-pointer field alone on null; only
            // the request checks flag it (the key means nothing there).
            if (!field->nullable && mode != Mode::Response)
                out.messages.append(QStringLiteral("%1: null for %2.%3, which is not a pointer in Go; "
                                                   "leave the key out or give a %4")
                                        .arg(here, structName, field->goName, field->type));
            continue;
        }
        checkValue(field->type, it.value(), here, field->intRange, mode, out,
                   mode == Mode::ConfigEntry ? field->goName : field->json);
    }
}

void GoStructSchema::checkValue(const QString &type, const QJsonValue &value, const QString &path, const QString &range,
                                Mode mode, Problems &out, const QString &goField) const
{
    auto wrong = [&](const QString &expected) {
        out.messages.append(QStringLiteral("%1: expected %2, got %3").arg(path, expected, describe(value)));
        // The agent decodes through UnmarshalJSON methods on anonymous alias
        // structs, so Go names no struct: "Go struct field .Port".
        if (out.goError.isEmpty()) {
            // Go names a number it could not fit by its text ("number 1.5").
            QString kind = goValueKind(value);
            if (value.isDouble() && std::floor(value.toDouble()) != value.toDouble())
                kind += QStringLiteral(" %1").arg(value.toDouble(), 0, 'g', 17);
            out.goError = QStringLiteral("json: cannot unmarshal %1 into Go struct field .%2 of type %3")
                              .arg(kind, goField.isEmpty() ? path.section(u'.', -1) : goField, goTypeName(type, range));
        }
    };
    auto integral = [&](bool isUnsigned) {
        const QString name = range.isEmpty() ? type : range;
        if (!value.isDouble()) {
            wrong(name);
            return;
        }
        const double d = value.toDouble();
        if (std::floor(d) != d) {
            wrong(QStringLiteral("%1 (a whole number)").arg(name));
            return;
        }
        const auto [low, high] = intRange(range, isUnsigned);
        if (d < low || d > high)
            out.messages.append(
                QStringLiteral("%1: %2 is out of range for a Go %3").arg(path).arg(d, 0, 'g', 17).arg(name));
    };

    if (type == u"any")
        return;
    if (type == u"string") {
        if (!value.isString())
            wrong(type);
    } else if (type == u"int") {
        integral(false);
    } else if (type == u"uint") {
        integral(true);
    } else if (type == u"float") {
        if (!value.isDouble())
            wrong(type);
    } else if (type == u"bool") {
        if (!value.isBool())
            wrong(type);
    } else if (type == u"duration-string" || type == u"duration" || type == u"ReadableDuration") {
        // The agent parses a string with time.ParseDuration and takes a
        // number as nanoseconds; mapstructure's StringToTimeDuration the same.
        if (value.isString()) {
            if (!isGoDuration(value.toString()))
                out.messages.append(QStringLiteral("%1: \"%2\" is not a Go duration (like \"10s\", \"1m30s\")")
                                        .arg(path, value.toString()));
        } else if (value.isDouble()) {
            if (std::floor(value.toDouble()) != value.toDouble())
                wrong(QStringLiteral("a duration string or whole nanoseconds"));
        } else {
            wrong(QStringLiteral("a duration string (\"10s\")"));
        }
    } else if (type == u"duration-ns") {
        // Nomad decodes time.Duration with encoding/json: only an integer.
        if (value.isString())
            out.messages.append(QStringLiteral("%1: expected a duration as integer nanoseconds, got %2 "
                                               "(Nomad's JSON API does not parse duration strings)")
                                    .arg(path, describe(value)));
        else
            integral(false);
    } else if (type == u"time-rfc3339") {
        if (!value.isString() || !isRfc3339(value.toString()))
            wrong(QStringLiteral("an RFC 3339 time"));
    } else if (type == u"bytes-base64") {
        if (!value.isString() || !isBase64(value.toString()))
            wrong(QStringLiteral("base64 bytes"));
    } else if (type.startsWith(kListOf)) {
        if (!value.isArray()) {
            wrong(type);
            return;
        }
        const QString element = type.mid(kListOf.size());
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString here = QStringLiteral("%1[%2]").arg(path).arg(i);
            if (array.at(i).isNull())
                out.messages.append(QStringLiteral("%1: null element in a %2").arg(here, type));
            else
                checkValue(element, array.at(i), here, {}, mode, out, goField);
        }
    } else if (type.startsWith(kMapOf)) {
        if (!value.isObject()) {
            wrong(type);
            return;
        }
        const QString element = type.mid(kMapOf.size());
        const QJsonObject map = value.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString here = childPath(path, it.key());
            if (it.value().isNull() && element != u"any")
                out.messages.append(QStringLiteral("%1: null value in a %2").arg(here, type));
            else
                checkValue(element, it.value(), here, {}, mode, out, goField);
        }
    } else if (m_structs.contains(type)) {
        if (!value.isObject()) {
            wrong(QStringLiteral("an object (%1)").arg(type));
            return;
        }
        checkStruct(type, value.toObject(), path, mode, out);
    } else {
        out.messages.append(QStringLiteral("%1: the schema names an unknown type %2").arg(path, type));
    }
}

void GoStructSchema::checkRootBody(const QJsonObject &body, QStringView rootName, Problems &out) const
{
    const std::optional<Root> root = resolveRoot(rootName);
    if (!root) {
        out.messages.append(QStringLiteral("$: %1 is neither a root nor a struct of the %2 schema")
                                .arg(rootName.toString(), m_product));
        return;
    }
    checkStruct(root->structName, body, QStringLiteral("$"), root->mode, out);

    // What the endpoints refuse beyond decoding.
    auto stringAt = [](const QJsonObject &o, QStringView key) -> QString {
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (sameFolded(it.key(), key) && it.value().isString())
                return it.value().toString();
        }
        return {};
    };
    if (root->mode == Mode::ConfigEntry) {
        // structs.DecodeConfigEntry reads "Kind" or "kind" first.
        const QString kind = stringAt(body, u"Kind");
        if (kind.isEmpty())
            out.messages.append(QStringLiteral("$: a config entry needs a string \"Kind\""));
        else if (kind != root->configEntryKind)
            out.messages.append(
                QStringLiteral("$.Kind: \"%1\", but this is a %2 entry").arg(kind, root->configEntryKind));
        if (stringAt(body, u"Name").isEmpty())
            out.messages.append(QStringLiteral("$: a config entry needs a Name"));
    } else if (root->structName == u"AgentServiceRegistration") {
        if (stringAt(body, u"Name").isEmpty())
            out.messages.append(QStringLiteral("$: no Name; the agent answers 400 \"Missing service name\""));
        const QString address = stringAt(body, u"Address");
        if (address == u"0.0.0.0" || address == u"::")
            out.messages.append(
                QStringLiteral("$.Address: %1; the agent answers 400 \"Invalid service address\"").arg(address));
    } else if (root->structName == u"JobRegisterRequest") {
        QJsonObject job;
        for (auto it = body.begin(); it != body.end(); ++it) {
            if (sameFolded(it.key(), u"Job"))
                job = it.value().toObject();
        }
        if (job.isEmpty())
            out.messages.append(QStringLiteral("$: no Job; Nomad answers 400 \"Job must be specified\""));
        else if (stringAt(job, u"ID").isEmpty())
            out.messages.append(QStringLiteral("$.Job: no ID; Nomad answers 400 \"Job ID hasn't been provided\""));
    } else if (root->structName == u"Job") {
        if (stringAt(body, u"ID").isEmpty())
            out.messages.append(QStringLiteral("$: no ID; Nomad answers 400 \"Job ID hasn't been provided\""));
    }
}

QStringList GoStructSchema::check(const QJsonObject &body, QStringView rootName) const
{
    Problems out;
    checkRootBody(body, rootName, out);
    return out.messages;
}

QString GoStructSchema::goDecodeError(const QJsonObject &body, QStringView rootName) const
{
    Problems out;
    checkRootBody(body, rootName, out);
    return out.goError;
}

QStringList GoStructSchema::checkResponse(const QJsonValue &value, QStringView type) const
{
    Problems out;
    const QString plain = plainType(type.toString());
    const QString structName = m_roots.value(plain, plain);
    checkValue(structName, value, QStringLiteral("$"), {}, Mode::Response, out);
    return out.messages;
}

QJsonValue GoStructSchema::canonicalValue(const QString &type, const QJsonValue &value, Mode mode) const
{
    if (type.startsWith(kListOf) && value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(canonicalValue(type.mid(kListOf.size()), v, mode));
        return out;
    }
    if (type.startsWith(kMapOf) && value.isObject()) {
        const QJsonObject map = value.toObject();
        QJsonObject out;
        for (auto it = map.begin(); it != map.end(); ++it)
            out.insert(it.key(), canonicalValue(type.mid(kMapOf.size()), it.value(), mode));
        return out;
    }
    const auto found = m_structs.constFind(type);
    if (found == m_structs.cend() || !value.isObject())
        return value;
    const QJsonObject object = value.toObject();
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const Field *field = matchField(*found, it.key(), mode);
        if (!field)
            out.insert(it.key(), it.value());
        else
            out.insert(mode == Mode::ConfigEntry ? field->goName : field->json,
                       canonicalValue(field->type, it.value(), mode));
    }
    return out;
}

QJsonObject GoStructSchema::canonical(const QJsonObject &body, QStringView rootName) const
{
    const std::optional<Root> root = resolveRoot(rootName);
    if (!root)
        return body;
    return canonicalValue(root->structName, body, root->mode).toObject();
}

QStringList GoStructSchema::checkText(const QString &json, QStringView root) const
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return {QStringLiteral("not JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)};
    if (!doc.isObject())
        return {QStringLiteral("$: the body must be a JSON object")};
    return check(doc.object(), root);
}

} // namespace mesh::lab
