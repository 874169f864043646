#include "projectfile.h"

#include "core/atomicfile.h"
#include "core/jsonwriter.h"
#include "core/terminaltext.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace mesh::model {

namespace {

constexpr QStringView kFormatName = u"meshpad";

// Upper bounds for numbers a design could plausibly hold. Beyond them the
// file is damaged or hostile, and we say so instead of loading nonsense.
constexpr qint64 kMaxCount = 10000;
constexpr qint64 kMaxPortNumber = 1000000; // the Validator flags > 65535
constexpr qint64 kMaxDurationMs = 24LL * 3600 * 1000;
constexpr qint64 kMaxResource = 10000000;
constexpr double kMaxCoordinate = 1e7;

// Reads one JSON object field by field, remembering its path for messages,
// and refuses keys it was not asked about (typos would otherwise vanish).
class ObjectReader
{
public:
    ObjectReader(const QJsonObject &object, QString path)
        : m_object(object)
        , m_path(std::move(path))
    {
    }

    const QString &path() const { return m_path; }
    QString fieldPath(QStringView key) const { return m_path.isEmpty() ? key.toString() : m_path + u'.' + key; }

    Result<QString> string(QStringView key, const QString &fallback = {})
    {
        m_known.insert(key.toString());
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return fallback;
        if (!v.isString())
            return typeError(key, u"a string", v);
        return v.toString();
    }

    Result<qint64> integer(QStringView key, qint64 fallback, qint64 min, qint64 max)
    {
        m_known.insert(key.toString());
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return fallback;
        if (!v.isDouble())
            return typeError(key, u"a number", v);
        const double d = v.toDouble();
        if (!std::isfinite(d) || d != std::floor(d))
            return fail(Error::Code::Invalid,
                        QStringLiteral("%1: expected a whole number, got %2").arg(fieldPath(key)).arg(d));
        if (d < double(min) || d > double(max))
            return fail(
                Error::Code::Invalid,
                QStringLiteral("%1: %2 is out of the range %3..%4").arg(fieldPath(key)).arg(d).arg(min).arg(max));
        return qint64(d);
    }

    Result<double> real(QStringView key, double limit)
    {
        m_known.insert(key.toString());
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return 0.0;
        if (!v.isDouble())
            return typeError(key, u"a number", v);
        const double d = v.toDouble();
        if (!std::isfinite(d) || std::abs(d) > limit)
            return fail(Error::Code::Invalid,
                        QStringLiteral("%1: %2 is out of the range -%3..%3").arg(fieldPath(key)).arg(d).arg(limit));
        return d;
    }

    Result<bool> boolean(QStringView key, bool fallback)
    {
        m_known.insert(key.toString());
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return fallback;
        if (!v.isBool())
            return typeError(key, u"true or false", v);
        return v.toBool();
    }

    Result<QJsonArray> array(QStringView key)
    {
        m_known.insert(key.toString());
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return QJsonArray();
        if (!v.isArray())
            return typeError(key, u"a list", v);
        return v.toArray();
    }

    // Absent → an empty object (all defaults).
    Result<QJsonObject> object(QStringView key)
    {
        m_known.insert(key.toString());
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return QJsonObject();
        if (!v.isObject())
            return typeError(key, u"an object", v);
        return v.toObject();
    }

    Result<QStringList> stringList(QStringView key)
    {
        auto items = array(key);
        if (!items)
            return std::unexpected(items.error());
        QStringList out;
        for (qsizetype i = 0; i < items->size(); ++i) {
            const QJsonValue v = items->at(i);
            if (!v.isString())
                return fail(
                    Error::Code::Invalid,
                    QStringLiteral("%1[%2]: expected a string, got %3").arg(fieldPath(key)).arg(i).arg(typeName(v)));
            out.append(v.toString());
        }
        return out;
    }

    template<class Enum>
    Result<Enum> word(QStringView key, Enum fallback, std::optional<Enum> (*parse)(QStringView), QStringView allowed)
    {
        auto text = string(key, toString(fallback));
        if (!text)
            return std::unexpected(text.error());
        const std::optional<Enum> value = parse(*text);
        if (!value)
            return fail(Error::Code::Invalid,
                        QStringLiteral("%1: \"%2\" is not one of %3").arg(fieldPath(key), *text, allowed));
        return *value;
    }

    // Call last: any key nobody asked for is an error.
    Result<> finish() const
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it) {
            if (!m_known.contains(it.key()))
                return fail(Error::Code::Invalid,
                            QStringLiteral("%1: unknown field (a typo, or a file from a newer Meshpad?)")
                                .arg(fieldPath(it.key())));
        }
        return {};
    }

    static QString typeName(const QJsonValue &v)
    {
        switch (v.type()) {
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

private:
    std::unexpected<Error> typeError(QStringView key, QStringView expected, const QJsonValue &got) const
    {
        return fail(Error::Code::Invalid,
                    QStringLiteral("%1: expected %2, got %3").arg(fieldPath(key), expected, typeName(got)));
    }

    QJsonObject m_object;
    QString m_path;
    QSet<QString> m_known;
};

Result<QJsonObject> objectAt(const QJsonArray &array, qsizetype i, const QString &path)
{
    const QJsonValue v = array.at(i);
    if (!v.isObject())
        return fail(
            Error::Code::Invalid,
            QStringLiteral("%1[%2]: expected an object, got %3").arg(path).arg(i).arg(ObjectReader::typeName(v)));
    return v.toObject();
}

// Env and meta are lists of {"name", "value"} so their order survives.
Result<QList<KeyValue>> readKeyValues(ObjectReader &parent, QStringView key)
{
    auto itemsResult = parent.array(key);
    if (!itemsResult)
        return std::unexpected(itemsResult.error());
    auto items = std::move(*itemsResult);
    QList<KeyValue> out;
    const QString path = parent.fieldPath(key);
    for (qsizetype i = 0; i < items.size(); ++i) {
        auto objectResult = objectAt(items, i, path);
        if (!objectResult)
            return std::unexpected(objectResult.error());
        auto object = std::move(*objectResult);
        ObjectReader r(object, QStringLiteral("%1[%2]").arg(path).arg(i));
        auto nameResult = r.string(u"name");
        if (!nameResult)
            return std::unexpected(nameResult.error());
        auto name = std::move(*nameResult);
        auto valueResult = r.string(u"value");
        if (!valueResult)
            return std::unexpected(valueResult.error());
        auto value = std::move(*valueResult);
        if (auto ok = r.finish(); !ok)
            return std::unexpected(ok.error());
        out.append({name, value});
    }
    return out;
}

Result<Service> readService(const QJsonObject &object, const QString &path)
{
    ObjectReader r(object, path);
    Service s;
    auto idResult = r.string(u"id");
    if (!idResult)
        return std::unexpected(idResult.error());
    auto id = std::move(*idResult);
    if (id.isEmpty())
        return fail(Error::Code::Invalid, QStringLiteral("%1: a service needs a non-empty id").arg(r.fieldPath(u"id")));
    s.id = ServiceId{id};
    auto templResult = r.word(u"template", ServiceTemplate::Generic, &serviceTemplateFromString,
                              u"generic, counter, dashboard, docker");
    if (!templResult)
        return std::unexpected(templResult.error());
    auto templ = std::move(*templResult);
    s.templateKind = templ;
    auto nameResult = r.string(u"name");
    if (!nameResult)
        return std::unexpected(nameResult.error());
    auto name = std::move(*nameResult);
    s.name = name;
    auto jobResult = r.string(u"job");
    if (!jobResult)
        return std::unexpected(jobResult.error());
    auto job = std::move(*jobResult);
    s.job = job;
    auto groupResult = r.string(u"group");
    if (!groupResult)
        return std::unexpected(groupResult.error());
    auto group = std::move(*groupResult);
    s.group = group;
    auto taskResult = r.string(u"task");
    if (!taskResult)
        return std::unexpected(taskResult.error());
    auto task = std::move(*taskResult);
    s.task = task;
    auto countResult = r.integer(u"count", 1, 0, kMaxCount);
    if (!countResult)
        return std::unexpected(countResult.error());
    auto count = std::move(*countResult);
    s.count = int(count);
    auto driverResult = r.word(u"driver", Driver::Exec, &driverFromString, u"exec, raw_exec, docker");
    if (!driverResult)
        return std::unexpected(driverResult.error());
    auto driver = std::move(*driverResult);
    s.driver = driver;
    auto commandResult = r.string(u"command");
    if (!commandResult)
        return std::unexpected(commandResult.error());
    auto command = std::move(*commandResult);
    s.command = command;
    auto argsResult = r.stringList(u"args");
    if (!argsResult)
        return std::unexpected(argsResult.error());
    auto args = std::move(*argsResult);
    s.args = args;
    auto imageResult = r.string(u"image");
    if (!imageResult)
        return std::unexpected(imageResult.error());
    auto image = std::move(*imageResult);
    s.image = image;
    auto envResult = readKeyValues(r, u"env");
    if (!envResult)
        return std::unexpected(envResult.error());
    auto env = std::move(*envResult);
    s.env = env;

    auto networkResult = r.object(u"network");
    if (!networkResult)
        return std::unexpected(networkResult.error());
    auto network = std::move(*networkResult);
    {
        ObjectReader n(network, r.fieldPath(u"network"));
        auto modeResult = n.word(u"mode", NetworkMode::Bridge, &networkModeFromString, u"bridge, host");
        if (!modeResult)
            return std::unexpected(modeResult.error());
        auto mode = std::move(*modeResult);
        s.networkMode = mode;
        auto portsResult = n.array(u"ports");
        if (!portsResult)
            return std::unexpected(portsResult.error());
        auto ports = std::move(*portsResult);
        const QString portsPath = n.fieldPath(u"ports");
        for (qsizetype i = 0; i < ports.size(); ++i) {
            auto portObjectResult = objectAt(ports, i, portsPath);
            if (!portObjectResult)
                return std::unexpected(portObjectResult.error());
            auto portObject = std::move(*portObjectResult);
            ObjectReader p(portObject, QStringLiteral("%1[%2]").arg(portsPath).arg(i));
            PortMapping mapping;
            auto labelResult = p.string(u"label");
            if (!labelResult)
                return std::unexpected(labelResult.error());
            auto label = std::move(*labelResult);
            mapping.label = label;
            auto toResult = p.integer(u"to", 0, 0, kMaxPortNumber);
            if (!toResult)
                return std::unexpected(toResult.error());
            auto to = std::move(*toResult);
            mapping.to = int(to);
            auto staticPortResult = p.integer(u"static", 0, 0, kMaxPortNumber);
            if (!staticPortResult)
                return std::unexpected(staticPortResult.error());
            auto staticPort = std::move(*staticPortResult);
            mapping.staticPort = int(staticPort);
            if (auto ok = p.finish(); !ok)
                return std::unexpected(ok.error());
            s.ports.append(mapping);
        }
        if (auto ok = n.finish(); !ok)
            return std::unexpected(ok.error());
    }
    auto portResult = r.string(u"port");
    if (!portResult)
        return std::unexpected(portResult.error());
    auto port = std::move(*portResult);
    s.port = port;
    auto sidecarResult = r.boolean(u"sidecar", true);
    if (!sidecarResult)
        return std::unexpected(sidecarResult.error());
    auto sidecar = std::move(*sidecarResult);
    s.connectSidecar = sidecar;
    auto externalResult = r.boolean(u"external", false);
    if (!externalResult)
        return std::unexpected(externalResult.error());
    auto external = std::move(*externalResult);
    s.external = external;

    auto checkResult = r.object(u"check");
    if (!checkResult)
        return std::unexpected(checkResult.error());
    auto check = std::move(*checkResult);
    {
        ObjectReader c(check, r.fieldPath(u"check"));
        auto kindResult = c.word(u"type", CheckKind::None, &checkKindFromString, u"none, http, tcp");
        if (!kindResult)
            return std::unexpected(kindResult.error());
        auto kind = std::move(*kindResult);
        s.check.kind = kind;
        auto checkPathResult = c.string(u"path", s.check.path);
        if (!checkPathResult)
            return std::unexpected(checkPathResult.error());
        auto checkPath = std::move(*checkPathResult);
        s.check.path = checkPath;
        auto intervalResult = c.integer(u"intervalMs", s.check.intervalMs, 0, kMaxDurationMs);
        if (!intervalResult)
            return std::unexpected(intervalResult.error());
        auto interval = std::move(*intervalResult);
        s.check.intervalMs = int(interval);
        auto timeoutResult = c.integer(u"timeoutMs", s.check.timeoutMs, 0, kMaxDurationMs);
        if (!timeoutResult)
            return std::unexpected(timeoutResult.error());
        auto timeout = std::move(*timeoutResult);
        s.check.timeoutMs = int(timeout);
        if (auto ok = c.finish(); !ok)
            return std::unexpected(ok.error());
    }
    auto tagsResult = r.stringList(u"tags");
    if (!tagsResult)
        return std::unexpected(tagsResult.error());
    auto tags = std::move(*tagsResult);
    s.tags = tags;
    auto metaResult = readKeyValues(r, u"meta");
    if (!metaResult)
        return std::unexpected(metaResult.error());
    auto meta = std::move(*metaResult);
    s.meta = meta;
    auto resourcesResult = r.object(u"resources");
    if (!resourcesResult)
        return std::unexpected(resourcesResult.error());
    auto resources = std::move(*resourcesResult);
    {
        ObjectReader res(resources, r.fieldPath(u"resources"));
        auto cpuResult = res.integer(u"cpuMhz", 0, 0, kMaxResource);
        if (!cpuResult)
            return std::unexpected(cpuResult.error());
        auto cpu = std::move(*cpuResult);
        s.resources.cpuMhz = int(cpu);
        auto memoryResult = res.integer(u"memoryMb", 0, 0, kMaxResource);
        if (!memoryResult)
            return std::unexpected(memoryResult.error());
        auto memory = std::move(*memoryResult);
        s.resources.memoryMb = int(memory);
        if (auto ok = res.finish(); !ok)
            return std::unexpected(ok.error());
    }
    auto positionResult = r.object(u"position");
    if (!positionResult)
        return std::unexpected(positionResult.error());
    auto position = std::move(*positionResult);
    {
        ObjectReader pos(position, r.fieldPath(u"position"));
        auto xResult = pos.real(u"x", kMaxCoordinate);
        if (!xResult)
            return std::unexpected(xResult.error());
        auto x = std::move(*xResult);
        auto yResult = pos.real(u"y", kMaxCoordinate);
        if (!yResult)
            return std::unexpected(yResult.error());
        auto y = std::move(*yResult);
        s.position = QPointF(x, y);
        if (auto ok = pos.finish(); !ok)
            return std::unexpected(ok.error());
    }
    if (auto ok = r.finish(); !ok)
        return std::unexpected(ok.error());
    return s;
}

Result<Upstream> readUpstream(const QJsonObject &object, const QString &path)
{
    ObjectReader r(object, path);
    Upstream u;
    auto idResult = r.string(u"id");
    if (!idResult)
        return std::unexpected(idResult.error());
    auto id = std::move(*idResult);
    if (id.isEmpty())
        return fail(Error::Code::Invalid,
                    QStringLiteral("%1: an upstream needs a non-empty id").arg(r.fieldPath(u"id")));
    u.id = UpstreamId{id};
    auto fromResult = r.string(u"from");
    if (!fromResult)
        return std::unexpected(fromResult.error());
    auto from = std::move(*fromResult);
    u.downstream = ServiceId{from};
    auto toResult = r.string(u"to");
    if (!toResult)
        return std::unexpected(toResult.error());
    auto to = std::move(*toResult);
    u.destination = ServiceId{to};
    auto addressResult = r.string(u"localBindAddress");
    if (!addressResult)
        return std::unexpected(addressResult.error());
    auto address = std::move(*addressResult);
    u.localBindAddress = address;
    auto portResult = r.integer(u"localBindPort", 0, 0, kMaxPortNumber);
    if (!portResult)
        return std::unexpected(portResult.error());
    auto port = std::move(*portResult);
    u.localBindPort = int(port);
    auto actionResult = r.word(u"action", IntentionAction::Allow, &intentionActionFromString, u"allow, deny");
    if (!actionResult)
        return std::unexpected(actionResult.error());
    auto action = std::move(*actionResult);
    u.action = action;
    if (auto ok = r.finish(); !ok)
        return std::unexpected(ok.error());
    return u;
}

// Parsers give a byte offset; people want line and column. Columns count
// UTF-16 units (characters; one outside the BMP counts two), not bytes.
QString describeOffset(const QByteArray &json, qsizetype byteOffset)
{
    const qsizetype offset = std::clamp<qsizetype>(byteOffset, 0, json.size());
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (json[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    const int column = int(QString::fromUtf8(json.mid(lineStart, offset - lineStart)).size()) + 1;
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

// Something strict JSON refuses that QJsonDocument lets through, at a byte
// offset.
struct TextProblem
{
    qsizetype offset = -1;
    QString message;
};

QString hexByte(uchar b)
{
    return QStringLiteral("0x%1").arg(QString::number(b, 16).toUpper().rightJustified(2, u'0'));
}

QString controlName(uchar c)
{
    static const char *const names[]
        = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS",  "TAB", "LF",  "VT",  "FF", "CR", "SO", "SI",
           "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",  "SUB", "ESC", "FS", "GS", "RS", "US"};
    return QLatin1StringView(names[c & 0x1f]);
}

QString rawControlMessage(uchar c)
{
    QString spelled = QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
    switch (c) {
    case '\t': spelled = QStringLiteral("\\t"); break;
    case '\n': spelled = QStringLiteral("\\n"); break;
    case '\r': spelled = QStringLiteral("\\r"); break;
    default: break;
    }
    return QStringLiteral("raw control character %1 (%2) inside a string; write it as %3 or remove it")
        .arg(TerminalText::codePoint(c), controlName(c), spelled);
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The four hex digits of a \uXXXX escape at `at` (the backslash), or -1.
int unicodeEscape(const char *data, qsizetype size, qsizetype at)
{
    if (at + 6 > size || data[at] != '\\' || data[at + 1] != 'u')
        return -1;
    int value = 0;
    for (int k = 2; k < 6; ++k) {
        const int digit = hexValue(data[at + k]);
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

// The length of the valid UTF-8 sequence starting at `at`, or 0. Strict as
// RFC 3629 §4 (https://www.rfc-editor.org/rfc/rfc3629#section-4): no
// overlong forms (C0, C1, E0 80–9F, F0 80–8F), no encoded surrogates
// (ED A0–BF), nothing above U+10FFFF (F4 90–, F5–FF).
qsizetype utf8SequenceLength(const uchar *data, qsizetype size, qsizetype at)
{
    const uchar lead = data[at];
    qsizetype length = 0;
    uchar low = 0x80, high = 0xbf; // the allowed range of the second byte
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0)
            low = 0xa0;
        else if (lead == 0xed)
            high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0)
            low = 0x90;
        else if (lead == 0xf4)
            high = 0x8f;
    } else {
        return 0;
    }
    if (at + length > size)
        return 0;
    if (data[at + 1] < low || data[at + 1] > high)
        return 0;
    for (qsizetype k = 2; k < length; ++k) {
        if ((data[at + k] & 0xc0) != 0x80)
            return 0;
    }
    return length;
}

QString invalidUtf8Message(const uchar *data, qsizetype size, qsizetype at)
{
    // Show the lead byte and the continuation bytes after it, then why.
    const uchar lead = data[at];
    QStringList bytes{hexByte(lead)};
    for (qsizetype k = at + 1; k < size && k < at + 4 && (data[k] & 0xc0) == 0x80; ++k)
        bytes.append(hexByte(data[k]));
    const qsizetype expected = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    const qsizetype next = at + bytes.size();
    QString why;
    if (lead >= 0x80 && lead <= 0xbf)
        why = u", a continuation byte without a lead byte"_s;
    else if (lead == 0xc0 || lead == 0xc1)
        why = u", an overlong form"_s;
    else if (lead >= 0xf5)
        why = u", not a UTF-8 lead byte"_s;
    else if (bytes.size() < expected && next >= size)
        why = u", cut off at the end of the file"_s;
    else if (bytes.size() < expected)
        why = u", then "_s + hexByte(data[next]);
    else
        why = u", an overlong form, a surrogate or beyond U+10FFFF"_s;
    return QStringLiteral("invalid UTF-8 (bytes %1%2); a Meshpad project is UTF-8 text — save it as UTF-8")
        .arg(bytes.join(u' '), why);
}

// One pass over the bytes for what RFC 8259 refuses but QJsonDocument
// accepts: raw control characters inside strings (§7: U+0000–U+001F "MUST be
// escaped"), escapes naming a lone surrogate (§8.2: "unpaired surrogates"
// would turn into U+FFFD downstream) and invalid UTF-8 (§8.1). Control
// characters between tokens other than JSON's whitespace (§2) are refused
// here too, with a clearer message than the parser's.
// https://www.rfc-editor.org/rfc/rfc8259
TextProblem checkText(const QByteArray &json)
{
    const auto *data = reinterpret_cast<const uchar *>(json.constData());
    const qsizetype size = json.size();
    bool inString = false;
    qsizetype i = 0;
    while (i < size) {
        const uchar c = data[i];
        if (c >= 0x80) {
            const qsizetype length = utf8SequenceLength(data, size, i);
            if (length == 0)
                return {i, invalidUtf8Message(data, size, i)};
            i += length;
            continue;
        }
        if (!inString) {
            if (c == '"')
                inString = true;
            else if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return {i, QStringLiteral("control character %1 (%2) outside a string; between values JSON "
                                          "allows only spaces, tabs and line breaks")
                               .arg(TerminalText::codePoint(c), controlName(c))};
            ++i;
            continue;
        }
        if (c == '"') {
            inString = false;
            ++i;
        } else if (c < 0x20) {
            return {i, rawControlMessage(c)};
        } else if (c != '\\') {
            ++i;
        } else if (i + 1 < size && data[i + 1] == 'u') {
            const int unit = unicodeEscape(json.constData(), size, i);
            if (unit < 0) {
                i += 2; // not four hex digits: the parser says so
            } else if (unit >= 0xd800 && unit <= 0xdbff) {
                const int next = unicodeEscape(json.constData(), size, i + 6);
                if (next < 0xdc00 || next > 0xdfff)
                    return {i, QStringLiteral("lone surrogate \\u%1: a high surrogate must be followed by a low "
                                              "one (\\udc00–\\udfff) to make one character")
                                   .arg(unit, 4, 16, QLatin1Char('0'))};
                i += 12;
            } else if (unit >= 0xdc00 && unit <= 0xdfff) {
                return {i, QStringLiteral("lone surrogate \\u%1: a low surrogate must follow a high one "
                                          "(\\ud800–\\udbff) to make one character")
                               .arg(unit, 4, 16, QLatin1Char('0'))};
            } else {
                i += 6;
            }
        } else {
            i += 2; // \" \\ \/ \b … — the escaped byte never ends the string
        }
    }
    return {};
}

} // namespace

Result<Topology> ProjectFile::fromJson(const QByteArray &json)
{
    if (json.size() > kMaxFileBytes)
        return fail(Error::Code::TooLarge, QStringLiteral("the file is %1 MB; a Meshpad project is at most %2 MB")
                                               .arg(json.size() / (1024 * 1024))
                                               .arg(kMaxFileBytes / (1024 * 1024)));
    // Both checks run; the user hears of the first problem in the file.
    const TextProblem textProblem = checkText(json);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    const bool parsed = parseError.error == QJsonParseError::NoError;
    if (textProblem.offset >= 0 && (parsed || textProblem.offset <= parseError.offset))
        return fail(Error::Code::Parse, describeOffset(json, textProblem.offset) + u": " + textProblem.message);
    if (!parsed)
        return fail(Error::Code::Parse, describeOffset(json, parseError.offset) + u": " + parseError.errorString());
    if (!document.isObject())
        return fail(Error::Code::Invalid, QStringLiteral("the file must hold a JSON object"));

    ObjectReader root(document.object(), QString());
    auto formatResult = root.string(u"format");
    if (!formatResult)
        return std::unexpected(formatResult.error());
    auto format = std::move(*formatResult);
    if (format != kFormatName)
        return fail(Error::Code::Invalid,
                    QStringLiteral("format: expected \"meshpad\"; this is not a Meshpad project file"));
    auto versionResult = root.integer(u"version", 0, 0, std::numeric_limits<int>::max());
    if (!versionResult)
        return std::unexpected(versionResult.error());
    auto version = std::move(*versionResult);
    if (version > kFormatVersion)
        return fail(Error::Code::Unsupported,
                    QStringLiteral("version: the file has format version %1, made by a newer Meshpad; "
                                   "this Meshpad reads version %2 — update Meshpad to open it")
                        .arg(version)
                        .arg(kFormatVersion));
    if (version < 1)
        return fail(Error::Code::Invalid, QStringLiteral("version: missing or not a valid format version"));

    Topology topology;
    auto nameResult = root.string(u"name");
    if (!nameResult)
        return std::unexpected(nameResult.error());
    auto name = std::move(*nameResult);
    topology.name = name;

    auto settingsResult = root.object(u"settings");
    if (!settingsResult)
        return std::unexpected(settingsResult.error());
    auto settings = std::move(*settingsResult);
    {
        ObjectReader s(settings, QStringLiteral("settings"));
        auto dcResult = s.string(u"datacenter", topology.settings.datacenter);
        if (!dcResult)
            return std::unexpected(dcResult.error());
        auto dc = std::move(*dcResult);
        topology.settings.datacenter = dc;
        auto policyResult
            = s.word(u"defaultIntention", IntentionAction::Allow, &intentionActionFromString, u"allow, deny");
        if (!policyResult)
            return std::unexpected(policyResult.error());
        auto policy = std::move(*policyResult);
        topology.settings.defaultPolicy = policy;
        auto scriptProxyResult
            = s.word(u"scriptProxy", ScriptProxy::Consul, &scriptProxyFromString, u"consul, meshpad");
        if (!scriptProxyResult)
            return std::unexpected(scriptProxyResult.error());
        auto scriptProxy = std::move(*scriptProxyResult);
        topology.settings.scriptProxy = scriptProxy;
        auto labResult = s.object(u"lab");
        if (!labResult)
            return std::unexpected(labResult.error());
        auto lab = std::move(*labResult);
        ObjectReader l(lab, QStringLiteral("settings.lab"));
        LabSettings &ls = topology.settings.lab;
        auto ttlResult = l.integer(u"leafTtlHours", ls.leafTtlHours, 1, 8760);
        if (!ttlResult)
            return std::unexpected(ttlResult.error());
        auto ttl = std::move(*ttlResult);
        ls.leafTtlHours = int(ttl);
        auto refreshResult = l.integer(u"dashboardRefreshMs", ls.dashboardRefreshMs, 50, kMaxDurationMs);
        if (!refreshResult)
            return std::unexpected(refreshResult.error());
        auto refresh = std::move(*refreshResult);
        ls.dashboardRefreshMs = int(refresh);
        auto healthResult = l.integer(u"healthIntervalMs", ls.healthIntervalMs, 50, kMaxDurationMs);
        if (!healthResult)
            return std::unexpected(healthResult.error());
        auto health = std::move(*healthResult);
        ls.healthIntervalMs = int(health);
        if (auto ok = l.finish(); !ok)
            return std::unexpected(ok.error());
        if (auto ok = s.finish(); !ok)
            return std::unexpected(ok.error());
    }

    auto servicesResult = root.array(u"services");
    if (!servicesResult)
        return std::unexpected(servicesResult.error());
    auto services = std::move(*servicesResult);
    QSet<QString> serviceIds;
    for (qsizetype i = 0; i < services.size(); ++i) {
        const QString path = QStringLiteral("services[%1]").arg(i);
        auto objectResult = objectAt(services, i, QStringLiteral("services"));
        if (!objectResult)
            return std::unexpected(objectResult.error());
        auto object = std::move(*objectResult);
        auto serviceResult = readService(object, path);
        if (!serviceResult)
            return std::unexpected(serviceResult.error());
        auto service = std::move(*serviceResult);
        if (serviceIds.contains(service.id.value))
            return fail(Error::Code::Invalid,
                        QStringLiteral("%1.id: \"%2\" is used by another service; ids must be unique")
                            .arg(path, service.id.value));
        serviceIds.insert(service.id.value);
        topology.services.append(std::move(service));
    }

    auto upstreamsResult = root.array(u"upstreams");
    if (!upstreamsResult)
        return std::unexpected(upstreamsResult.error());
    auto upstreams = std::move(*upstreamsResult);
    QSet<QString> upstreamIds;
    for (qsizetype i = 0; i < upstreams.size(); ++i) {
        const QString path = QStringLiteral("upstreams[%1]").arg(i);
        auto objectResult = objectAt(upstreams, i, QStringLiteral("upstreams"));
        if (!objectResult)
            return std::unexpected(objectResult.error());
        auto object = std::move(*objectResult);
        auto upstreamResult = readUpstream(object, path);
        if (!upstreamResult)
            return std::unexpected(upstreamResult.error());
        auto upstream = std::move(*upstreamResult);
        if (upstreamIds.contains(upstream.id.value))
            return fail(Error::Code::Invalid,
                        QStringLiteral("%1.id: \"%2\" is used by another upstream; ids must be unique")
                            .arg(path, upstream.id.value));
        upstreamIds.insert(upstream.id.value);
        topology.upstreams.append(std::move(upstream));
    }
    if (auto ok = root.finish(); !ok)
        return std::unexpected(ok.error());
    return topology;
}

Result<Topology> ProjectFile::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Code::Io, QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    if (file.size() > kMaxFileBytes)
        return fail(Error::Code::TooLarge, QStringLiteral("%1 is %2 MB; a Meshpad project is at most %3 MB")
                                               .arg(path)
                                               .arg(file.size() / (1024 * 1024))
                                               .arg(kMaxFileBytes / (1024 * 1024)));
    // Read at most one byte past the limit: a file that grows while we read
    // (or a device that lies about its size) is still refused.
    const QByteArray data = file.read(kMaxFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return fail(Error::Code::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    auto topology = fromJson(data);
    if (!topology)
        return fail(topology.error().code, path + u": " + topology.error().message);
    return topology;
}

namespace {

void writeKeyValues(JsonWriter &w, QStringView key, const QList<KeyValue> &items)
{
    w.key(key).beginArray();
    for (const KeyValue &kv : items) {
        w.beginObject().field(u"name", kv.key).field(u"value", kv.value).endObject();
    }
    w.endArray();
}

} // namespace

QString ProjectFile::toJson(const Topology &t)
{
    JsonWriter w;
    w.beginObject();
    w.field(u"format", kFormatName).field(u"version", kFormatVersion);
    w.field(u"name", t.name);
    w.key(u"settings").beginObject();
    w.field(u"datacenter", t.settings.datacenter);
    w.field(u"defaultIntention", toString(t.settings.defaultPolicy));
    w.field(u"scriptProxy", toString(t.settings.scriptProxy));
    w.key(u"lab")
        .beginObject()
        .field(u"leafTtlHours", t.settings.lab.leafTtlHours)
        .field(u"dashboardRefreshMs", t.settings.lab.dashboardRefreshMs)
        .field(u"healthIntervalMs", t.settings.lab.healthIntervalMs)
        .endObject();
    w.endObject();

    w.key(u"services").beginArray();
    for (const Service &s : t.services) {
        w.beginObject();
        w.field(u"id", s.id.value);
        w.field(u"template", toString(s.templateKind));
        w.field(u"name", s.name).field(u"job", s.job).field(u"group", s.group).field(u"task", s.task);
        w.field(u"count", s.count);
        w.field(u"driver", toString(s.driver));
        w.field(u"command", s.command);
        w.key(u"args").stringArray(s.args);
        w.field(u"image", s.image);
        writeKeyValues(w, u"env", s.env);
        w.key(u"network").beginObject().field(u"mode", toString(s.networkMode));
        w.key(u"ports").beginArray();
        for (const PortMapping &p : s.ports)
            w.beginObject().field(u"label", p.label).field(u"to", p.to).field(u"static", p.staticPort).endObject();
        w.endArray().endObject();
        w.field(u"port", s.port);
        w.field(u"sidecar", s.connectSidecar);
        // Only when set: every design without external services keeps the
        // bytes it always had.
        if (s.external)
            w.field(u"external", true);
        w.key(u"check")
            .beginObject()
            .field(u"type", toString(s.check.kind))
            .field(u"path", s.check.path)
            .field(u"intervalMs", s.check.intervalMs)
            .field(u"timeoutMs", s.check.timeoutMs)
            .endObject();
        w.key(u"tags").stringArray(s.tags);
        writeKeyValues(w, u"meta", s.meta);
        w.key(u"resources")
            .beginObject()
            .field(u"cpuMhz", s.resources.cpuMhz)
            .field(u"memoryMb", s.resources.memoryMb)
            .endObject();
        w.key(u"position").beginObject().field(u"x", s.position.x()).field(u"y", s.position.y()).endObject();
        w.endObject();
    }
    w.endArray();

    w.key(u"upstreams").beginArray();
    for (const Upstream &u : t.upstreams) {
        w.beginObject()
            .field(u"id", u.id.value)
            .field(u"from", u.downstream.value)
            .field(u"to", u.destination.value)
            .field(u"localBindAddress", u.localBindAddress)
            .field(u"localBindPort", u.localBindPort)
            .field(u"action", toString(u.action))
            .endObject();
    }
    w.endArray();
    w.endObject();
    return w.text();
}

Result<> ProjectFile::save(const Topology &topology, const QString &path)
{
    if (Result<> written = AtomicFile::write(path, toJson(topology).toUtf8()); !written)
        return fail(Error::Code::Io,
                    QStringLiteral("cannot save %1 (the previous file is unchanged)").arg(written.error().message));
    return {};
}

} // namespace mesh::model
