#include "gojsondecoder.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace mesh::lab::nomad {

namespace {

// Go's name for the type decoded into, as UnmarshalTypeError prints it: a
// pointer is followed (the decoder allocates and fills the element), api
// structs are package-qualified. "*Resources" -> "api.Resources",
// "[]*Task" -> "[]*api.Task", "*time.Duration" -> "time.Duration".
QString goTypeName(QString goType)
{
    while (goType.startsWith(u'*'))
        goType.remove(0, 1);
    QString out;
    qsizetype i = 0;
    while (i < goType.size()) {
        const QChar c = goType.at(i);
        if (c.isUpper()) {
            qsizetype j = i;
            while (j < goType.size() && (goType.at(j).isLetterOrNumber() || goType.at(j) == u'_'))
                ++j;
            const bool qualified = i > 0 && goType.at(i - 1) == u'.';
            if (!qualified)
                out += u"api.";
            out += goType.mid(i, j - i);
            i = j;
            continue;
        }
        if (c.isLower()) {
            qsizetype j = i;
            while (j < goType.size()
                   && (goType.at(j).isLetterOrNumber() || goType.at(j) == u'.' || goType.at(j) == u'_'))
                ++j;
            out += goType.mid(i, j - i);
            i = j;
            continue;
        }
        out += c;
        ++i;
    }
    return out;
}

// The element type of a Go slice or map type: "[]*Task" -> "*Task",
// "map[string]string" -> "string".
QString goElementType(const QString &goType)
{
    QString t = goType;
    while (t.startsWith(u'*'))
        t.remove(0, 1);
    if (t.startsWith(u"[]"))
        return t.mid(2);
    if (t.startsWith(u"map[")) {
        int depth = 0;
        for (qsizetype i = 3; i < t.size(); ++i) {
            if (t.at(i) == u'[')
                ++depth;
            else if (t.at(i) == u']' && --depth == 0)
                return t.mid(i + 1);
        }
    }
    return t;
}

// What UnmarshalTypeError.Value says about a JSON value.
QString jsonKind(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool: return QStringLiteral("bool");
    case QJsonValue::Double: {
        // Go names the literal when it cannot fit (a fraction into an int).
        return QStringLiteral("number");
    }
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    default: return QStringLiteral("null");
    }
}

QString numberText(double d)
{
    return QString::number(d, 'g', 17);
}

} // namespace

struct GoJsonDecoder::Context
{
    QStringList fieldStack; // JSON field names from the root, as Go's errorContext
    QString structName;     // the innermost struct type
    std::optional<QString> error;

    void fail(const QString &value, const QString &goType)
    {
        if (error)
            return; // Go reports the first type error and keeps decoding
        if (fieldStack.isEmpty()) {
            error = QStringLiteral("json: cannot unmarshal %1 into Go value of type %2").arg(value, goTypeName(goType));
            return;
        }
        error = QStringLiteral("json: cannot unmarshal %1 into Go struct field %2.%3 of type %4")
                    .arg(value, structName, fieldStack.join(u'.'), goTypeName(goType));
    }
};

const GoJsonDecoder &GoJsonDecoder::nomadApi()
{
    static const GoJsonDecoder decoder = [] {
        QFile file(QStringLiteral(":/meshlab/api-schemas/nomad.json"));
        QJsonObject schema;
        if (file.open(QIODevice::ReadOnly))
            schema = QJsonDocument::fromJson(file.readAll()).object();
        Q_ASSERT_X(!schema.isEmpty(), "GoJsonDecoder", "the Nomad api schema resource is missing");
        return GoJsonDecoder(schema);
    }();
    return decoder;
}

GoJsonDecoder::GoJsonDecoder(const QJsonObject &schema)
{
    const QJsonObject structs = schema.value(u"structs").toObject();
    for (auto it = structs.begin(); it != structs.end(); ++it) {
        Struct s;
        for (const QJsonValue &f : it.value().toObject().value(u"fields").toArray()) {
            const QJsonObject field = f.toObject();
            s.fields.append(
                {field.value(u"json").toString(), field.value(u"type").toString(), field.value(u"go_type").toString()});
        }
        m_structs.insert(it.key(), std::move(s));
    }
}

Result<QJsonObject> GoJsonDecoder::decodeBody(QByteArrayView body, const QString &rootStruct) const
{
    // An empty body: Nomad's decodeBody checks for it first.
    if (body.trimmed().isEmpty()) {
        Error e = Error::parse(QStringLiteral("Request body is empty"));
        e.httpStatus = 400;
        return std::unexpected(e);
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Go's json.Decoder says "unexpected EOF" for a truncated document
        // and "invalid character 'x' ..." for a wrong byte; Qt's error kinds
        // map onto those two.
        QString message;
        const qsizetype at = std::clamp<qsizetype>(parseError.offset, 0, body.size());
        if (at >= body.trimmed().size() || parseError.error == QJsonParseError::UnterminatedObject
            || parseError.error == QJsonParseError::UnterminatedArray
            || parseError.error == QJsonParseError::UnterminatedString)
            message = QStringLiteral("unexpected EOF");
        else
            message = QStringLiteral("invalid character '%1' looking for beginning of value")
                          .arg(QChar::fromLatin1(body.at(std::max<qsizetype>(0, at - 1))));
        Error e = Error::parse(message);
        e.httpStatus = 400;
        return std::unexpected(e);
    }
    if (!document.isObject()) {
        Error e = Error::parse(
            QStringLiteral("json: cannot unmarshal %1 into Go value of type api.%2")
                .arg(document.isArray() ? QStringLiteral("array") : QStringLiteral("string"), rootStruct));
        e.httpStatus = 400;
        return std::unexpected(e);
    }
    return decodeObject(document.object(), rootStruct);
}

Result<QJsonObject> GoJsonDecoder::decodeObject(const QJsonObject &object, const QString &rootStruct) const
{
    Context context;
    context.structName = rootStruct;
    std::optional<QJsonObject> out = decodeStruct(object, rootStruct, context);
    if (context.error || !out) {
        Error e = Error::invalid(context.error.value_or(QStringLiteral("json: cannot decode")));
        e.httpStatus = 400;
        return std::unexpected(e);
    }
    return *out;
}

std::optional<QJsonObject> GoJsonDecoder::decodeStruct(const QJsonObject &object, const QString &name,
                                                       Context &context) const
{
    const auto structIt = m_structs.constFind(name);
    if (structIt == m_structs.constEnd())
        return object; // not described: keep as is (never happens for the api schema)
    const Struct &s = *structIt;

    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        // encoding/json: the exact name wins, else the first field whose
        // name folds equal (bytes.EqualFold; underscores are significant).
        const Field *field = nullptr;
        for (const Field &f : s.fields) {
            if (f.json == it.key()) {
                field = &f;
                break;
            }
        }
        if (!field) {
            for (const Field &f : s.fields) {
                if (f.json.compare(it.key(), Qt::CaseInsensitive) == 0) {
                    field = &f;
                    break;
                }
            }
        }
        if (!field || field->json.startsWith(u'('))
            continue; // unknown keys are ignored, as Go does
        if (it.value().isNull())
            continue; // null: pointer stays nil, value stays zero

        const QString savedStruct = context.structName;
        context.structName = name;
        context.fieldStack.append(field->json);
        std::optional<QJsonValue> value = decodeValue(it.value(), field->type, field->goType, context);
        context.fieldStack.removeLast();
        context.structName = savedStruct;
        if (value)
            out.insert(field->json, *value);
    }
    return out;
}

std::optional<QJsonValue> GoJsonDecoder::decodeValue(const QJsonValue &value, const QString &type,
                                                     const QString &goType, Context &context) const
{
    if (value.isNull())
        return std::nullopt;

    if (type == u"any")
        return value;
    if (type == u"string" || type == u"time-rfc3339" || type == u"bytes-base64") {
        if (!value.isString()) {
            context.fail(jsonKind(value), goType);
            return std::nullopt;
        }
        return value;
    }
    if (type == u"bool") {
        if (!value.isBool()) {
            context.fail(jsonKind(value), goType);
            return std::nullopt;
        }
        return value;
    }
    if (type == u"float") {
        if (!value.isDouble()) {
            context.fail(jsonKind(value), goType);
            return std::nullopt;
        }
        return value;
    }
    if (type == u"int" || type == u"uint" || type == u"duration-ns") {
        if (!value.isDouble()) {
            context.fail(jsonKind(value), goType);
            return std::nullopt;
        }
        const double d = value.toDouble();
        const bool integral = std::isfinite(d) && std::trunc(d) == d;
        if (!integral || (type == u"uint" && d < 0) || std::fabs(d) > 9.2e18) {
            context.fail(QStringLiteral("number ") + numberText(d), goType);
            return std::nullopt;
        }
        return QJsonValue(qint64(d));
    }
    if (type.startsWith(u"list of ")) {
        if (!value.isArray()) {
            context.fail(jsonKind(value), goType);
            return std::nullopt;
        }
        const QString elementType = type.mid(8);
        const QString elementGoType = goElementType(goType);
        QJsonArray out;
        for (const QJsonValue &element : value.toArray()) {
            if (element.isNull()) {
                out.append(QJsonValue::Null);
                continue;
            }
            std::optional<QJsonValue> decoded = decodeValue(element, elementType, elementGoType, context);
            if (!decoded)
                return std::nullopt;
            out.append(*decoded);
        }
        return out;
    }
    if (type.startsWith(u"map of string to ")) {
        if (!value.isObject()) {
            context.fail(jsonKind(value), goType);
            return std::nullopt;
        }
        const QString elementType = type.mid(17);
        const QString elementGoType = goElementType(goType);
        QJsonObject out;
        const QJsonObject in = value.toObject();
        for (auto it = in.begin(); it != in.end(); ++it) {
            if (it.value().isNull()) {
                out.insert(it.key(), QJsonValue::Null);
                continue;
            }
            std::optional<QJsonValue> decoded = decodeValue(it.value(), elementType, elementGoType, context);
            if (!decoded)
                return std::nullopt;
            out.insert(it.key(), *decoded);
        }
        return out;
    }
    // A struct.
    if (!value.isObject()) {
        context.fail(jsonKind(value), goType);
        return std::nullopt;
    }
    std::optional<QJsonObject> decoded = decodeStruct(value.toObject(), type, context);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

} // namespace mesh::lab::nomad
