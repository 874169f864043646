#include "projectfile.h"

#include "core/atomicfile.h"
#include "core/jsonwriter.h"
#include "core/terminaltext.h"
#include "projectobjectreader.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <charconv>

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

// Env and meta are lists of {"name", "value"} so their order survives.
QList<KeyValue> readProjectKeyValues(ProjectObjectReader &parent, QStringView key)
{
    QList<KeyValue> out;
    parent.forEachObject(key, [&out](ProjectObjectReader &item) {
        const QString name = item.string(u"name");
        const QString value = item.string(u"value");
        item.refuseUnknownFields();
        out.append({name, value});
    });
    return out;
}

PortMapping readProjectPort(ProjectObjectReader &r)
{
    PortMapping mapping;
    mapping.label = r.string(u"label");
    mapping.to = int(r.integer(u"to", 0, 0, kMaxPortNumber));
    mapping.staticPort = int(r.integer(u"static", 0, 0, kMaxPortNumber));
    r.refuseUnknownFields();
    return mapping;
}

// Services and upstreams start with an id, which must not be empty
// (`what`: "a service").
QString readProjectId(ProjectObjectReader &r, QStringView what)
{
    const QString id = r.string(u"id");
    if (id.isEmpty())
        r.reject(u"id", what + u" needs a non-empty id");
    return id;
}

Service readProjectService(ProjectObjectReader &r)
{
    Service s;
    s.id = ServiceId{readProjectId(r, u"a service")};
    s.templateKind = r.word(u"template", ServiceTemplate::Generic, &serviceTemplateFromString,
                            u"generic, counter, dashboard, docker");
    s.name = r.string(u"name");
    s.job = r.string(u"job");
    s.group = r.string(u"group");
    s.task = r.string(u"task");
    s.count = int(r.integer(u"count", 1, 0, kMaxCount));
    s.driver = r.word(u"driver", Driver::Exec, &driverFromString, u"exec, raw_exec, docker");
    s.command = r.string(u"command");
    s.args = r.stringList(u"args");
    s.image = r.string(u"image");
    s.env = readProjectKeyValues(r, u"env");
    {
        ProjectObjectReader network = r.object(u"network");
        s.networkMode = network.word(u"mode", NetworkMode::Bridge, &networkModeFromString, u"bridge, host");
        network.forEachObject(u"ports", [&s](ProjectObjectReader &port) { s.ports.append(readProjectPort(port)); });
        network.refuseUnknownFields();
    }
    s.port = r.string(u"port");
    s.connectSidecar = r.boolean(u"sidecar", true);
    s.external = r.boolean(u"external", false);
    {
        ProjectObjectReader check = r.object(u"check");
        s.check.kind = check.word(u"type", CheckKind::None, &checkKindFromString, u"none, http, tcp");
        s.check.path = check.string(u"path", s.check.path);
        s.check.intervalMs = int(check.integer(u"intervalMs", s.check.intervalMs, 0, kMaxDurationMs));
        s.check.timeoutMs = int(check.integer(u"timeoutMs", s.check.timeoutMs, 0, kMaxDurationMs));
        check.refuseUnknownFields();
    }
    s.tags = r.stringList(u"tags");
    s.meta = readProjectKeyValues(r, u"meta");
    {
        ProjectObjectReader resources = r.object(u"resources");
        s.resources.cpuMhz = int(resources.integer(u"cpuMhz", 0, 0, kMaxResource));
        s.resources.memoryMb = int(resources.integer(u"memoryMb", 0, 0, kMaxResource));
        resources.refuseUnknownFields();
    }
    {
        ProjectObjectReader position = r.object(u"position");
        const double x = position.real(u"x", kMaxCoordinate);
        const double y = position.real(u"y", kMaxCoordinate);
        s.position = QPointF(x, y);
        position.refuseUnknownFields();
    }
    r.refuseUnknownFields();
    return s;
}

Upstream readProjectUpstream(ProjectObjectReader &r)
{
    Upstream u;
    u.id = UpstreamId{readProjectId(r, u"an upstream")};
    u.downstream = ServiceId{r.string(u"from")};
    u.destination = ServiceId{r.string(u"to")};
    u.localBindAddress = r.string(u"localBindAddress");
    u.localBindPort = int(r.integer(u"localBindPort", 0, 0, kMaxPortNumber));
    u.action = r.word(u"action", IntentionAction::Allow, &intentionActionFromString, u"allow, deny");
    r.refuseUnknownFields();
    return u;
}

// The list at `key`, each element read by `read`; an id used twice is an
// error (`noun` names what the id is of).
template<class Item>
QList<Item> readProjectList(ProjectObjectReader &root, QStringView key, Item (*read)(ProjectObjectReader &),
                            QStringView noun)
{
    QList<Item> items;
    QSet<QString> ids;
    root.forEachObject(key, [&](ProjectObjectReader &element) {
        Item item = read(element);
        if (ids.contains(item.id.value))
            element.reject(u"id",
                           QStringLiteral("\"%1\" is used by another %2; ids must be unique").arg(item.id.value, noun));
        ids.insert(item.id.value);
        items.append(std::move(item));
    });
    return items;
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

// The four hex digits of a \uXXXX escape at `at` (the backslash), or -1.
int unicodeEscape(const char *data, qsizetype size, qsizetype at)
{
    if (at + 6 > size || data[at] != '\\' || data[at + 1] != 'u')
        return -1;
    // For an unsigned type std::from_chars takes no sign, space or "0x":
    // exactly four hex digits of either case, or an error.
    const char *digits = data + at + 2;
    ushort value = 0;
    const auto [end, error] = std::from_chars(digits, digits + 4, value, 16);
    if (error != std::errc() || end != digits + 4)
        return -1;
    return value;
}

// The length of the valid UTF-8 sequence starting at `at`, or 0. Strict as
// RFC 3629 §4 (https://www.rfc-editor.org/rfc/rfc3629#section-4): no
// overlong forms (C0, C1, E0 80–9F, F0 80–8F), no encoded surrogates
// (ED A0–BF), nothing above U+10FFFF (F4 90–, F5–FF).
qsizetype utf8SequenceLength(const uchar *data, qsizetype size, qsizetype at)
{
    // The RFC's UTF8-2, UTF8-3 and UTF8-4 rules, one row per alternative:
    // the lead bytes, the sequence's length and the allowed second bytes;
    // the bytes after the second are UTF8-tail (80–BF).
    struct Utf8Lead
    {
        uchar first, last;
        qsizetype length;
        uchar low, high;
    };
    static constexpr Utf8Lead kUtf8Leads[] = {
        {0xc2, 0xdf, 2, 0x80, 0xbf}, // %xC2-DF UTF8-tail
        {0xe0, 0xe0, 3, 0xa0, 0xbf}, // %xE0 %xA0-BF UTF8-tail
        {0xe1, 0xec, 3, 0x80, 0xbf}, // %xE1-EC 2( UTF8-tail )
        {0xed, 0xed, 3, 0x80, 0x9f}, // %xED %x80-9F UTF8-tail
        {0xee, 0xef, 3, 0x80, 0xbf}, // %xEE-EF 2( UTF8-tail )
        {0xf0, 0xf0, 4, 0x90, 0xbf}, // %xF0 %x90-BF 2( UTF8-tail )
        {0xf1, 0xf3, 4, 0x80, 0xbf}, // %xF1-F3 3( UTF8-tail )
        {0xf4, 0xf4, 4, 0x80, 0x8f}, // %xF4 %x80-8F 2( UTF8-tail )
    };
    const uchar lead = data[at];
    const auto row = std::find_if(std::begin(kUtf8Leads), std::end(kUtf8Leads),
                                  [lead](const Utf8Lead &l) { return lead >= l.first && lead <= l.last; });
    if (row == std::end(kUtf8Leads) || at + row->length > size)
        return 0;
    if (data[at + 1] < row->low || data[at + 1] > row->high)
        return 0;
    for (qsizetype k = 2; k < row->length; ++k) {
        if ((data[at + k] & 0xc0) != 0x80)
            return 0;
    }
    return row->length;
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

    ProjectObjectReader root(document.object(), QString());
    if (root.string(u"format") != kFormatName)
        root.reject(u"format", u"expected \"meshpad\"; this is not a Meshpad project file"_s);
    const qint64 version = root.integer(u"version", 0, 0, std::numeric_limits<int>::max());
    if (version > kFormatVersion)
        root.reject(u"version",
                    QStringLiteral("the file has format version %1, made by a newer Meshpad; "
                                   "this Meshpad reads version %2 — update Meshpad to open it")
                        .arg(version)
                        .arg(kFormatVersion),
                    Error::Code::Unsupported);
    else if (version < 1)
        root.reject(u"version", u"missing or not a valid format version"_s);

    Topology topology;
    topology.name = root.string(u"name");
    {
        ProjectObjectReader settings = root.object(u"settings");
        topology.settings.datacenter = settings.string(u"datacenter", topology.settings.datacenter);
        topology.settings.defaultPolicy
            = settings.word(u"defaultIntention", IntentionAction::Allow, &intentionActionFromString, u"allow, deny");
        topology.settings.scriptProxy
            = settings.word(u"scriptProxy", ScriptProxy::Consul, &scriptProxyFromString, u"consul, meshpad");
        ProjectObjectReader lab = settings.object(u"lab");
        LabSettings &ls = topology.settings.lab;
        ls.leafTtlHours = int(lab.integer(u"leafTtlHours", ls.leafTtlHours, 1, 8760));
        ls.dashboardRefreshMs = int(lab.integer(u"dashboardRefreshMs", ls.dashboardRefreshMs, 50, kMaxDurationMs));
        ls.healthIntervalMs = int(lab.integer(u"healthIntervalMs", ls.healthIntervalMs, 50, kMaxDurationMs));
        lab.refuseUnknownFields();
        settings.refuseUnknownFields();
    }
    topology.services = readProjectList(root, u"services", &readProjectService, u"service");
    topology.upstreams = readProjectList(root, u"upstreams", &readProjectUpstream, u"upstream");
    root.refuseUnknownFields();
    return root.finish(std::move(topology));
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
