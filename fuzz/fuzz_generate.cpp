// Generation of hostile but valid designs: the input picks a design of one
// to four services whose free text (env values, args, tags, meta values,
// check paths, commands, images and the design's name) is drawn from the
// characters that break quoting — `$ { } % " \ ' `` # : =`, newlines,
// tabs, non-ASCII — and, when the Validator accepts it, every artifact is
// generated and written. Checked besides not crashing:
// - every JSON artifact is JSON;
// - consul/<svc>.hcl, read as Consul reads it (HCL 1: a port of
//   hashicorp/hcl's hcl/scanner/scanner.go scanString and
//   hcl/strconv/quote.go Unquote), holds exactly the strings of its JSON
//   twin consul/<svc>.json — a swallowed block or a wrong escape changes
//   that multiset;
// - nomad/<job>.nomad.hcl, read as jobspec2 reads templates (HCL 2 native
//   syntax: hashicorp/hcl hclsyntax/spec.md "Template Expressions"), has no
//   interpolation or directive that Nomad would evaluate (only a plain
//   traversal of an undefined root passes through as text), and every free
//   text of the design reads back exactly from it and from nomad/<job>.json;
// - the Vagrantfile's leading comment section, where Ruby honours magic
//   comments, is the same whatever the design's name and commands are;
// - writing the set into DIR/out creates exactly the artifact paths there
//   and nothing anywhere else under DIR (for one input in four).

#include "fuzzcheck.h"

#include "generate/artifactgenerator.h"
#include "generate/artifactset.h"
#include "model/validator.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

using fuzz::require;
using namespace mesh::model;
using mesh::generate::Artifact;
using mesh::generate::ArtifactGenerator;
using mesh::generate::ArtifactSet;

namespace {

class Input
{
public:
    Input(const std::uint8_t *data, std::size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    int pick(int choices)
    {
        if (m_pos >= m_size || choices <= 1)
            return 0;
        return m_data[m_pos++] % choices;
    }

    // Text from the characters that matter to HCL 1, HCL 2, JSON, bash and
    // Ruby; the length comes from the input too. Newlines and tabs only
    // where the Validator allows them (env values and args).
    QString text(int maxLength = 12, bool lines = false)
    {
        static const QString alphabet = QStringLiteral("${}%\"\\'`#:=a-_./ Zé€😀*!u0024");
        static const QString withLines = alphabet + QStringLiteral("\n\t");
        const QString &chars = lines ? withLines : alphabet;
        const int length = pick(maxLength + 1);
        QString out;
        for (int i = 0; i < length; ++i) {
            const int c = pick(int(chars.size()) + 6);
            switch (c - int(chars.size())) {
            case 0: out += QStringLiteral("${"); break;
            case 1: out += QStringLiteral("%{"); break;
            case 2: out += QStringLiteral("$${"); break;
            case 3: out += QStringLiteral("${NOMAD_PORT_http}"); break;
            case 4: out += QStringLiteral("${true}"); break;
            case 5: out += QStringLiteral("\\u0024{"); break;
            default:
                // A surrogate pair is two QChars: keep it whole.
                if (chars[c].isHighSurrogate())
                    out += chars.mid(c, 2);
                else if (!chars[c].isLowSurrogate())
                    out += chars[c];
            }
        }
        return out;
    }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

Topology designFrom(Input &in)
{
    Topology t;
    t.name = in.text(20);
    const int services = 1 + in.pick(4);
    for (int i = 0; i < services; ++i) {
        Service s;
        s.id = ServiceId{QStringLiteral("s%1").arg(i)};
        s.name = QStringLiteral("svc-%1").arg(i);
        s.job = QStringLiteral("job-%1").arg(in.pick(2));
        s.group = QStringLiteral("g%1").arg(i);
        s.task = QStringLiteral("t");
        s.count = 1 + in.pick(3);
        if (in.pick(4) == 0) {
            s.driver = Driver::Docker;
            s.image = QStringLiteral("img/") + in.text();
        } else {
            s.driver = in.pick(2) ? Driver::Exec : Driver::RawExec;
            s.command = QStringLiteral("/bin/") + in.text();
        }
        for (int a = in.pick(3); a > 0; --a)
            s.args.append(in.text(12, true));
        for (int e = in.pick(3); e > 0; --e)
            s.env.append({QStringLiteral("E%1").arg(s.env.size()), in.text(12, true)});
        s.ports = {{QStringLiteral("http"), 9000, 0}};
        s.port = QStringLiteral("9000");
        s.connectSidecar = true;
        if (in.pick(2))
            s.check = {CheckKind::Http, QStringLiteral("/") + in.text(), 10000, 2000};
        for (int g = in.pick(3); g > 0; --g)
            s.tags.append(in.text());
        for (int m = in.pick(3); m > 0; --m)
            s.meta.append({QStringLiteral("k%1").arg(s.meta.size()), in.text()});
        t.services.append(s);
    }
    for (int u = in.pick(4); u > 0; --u) {
        const int from = in.pick(services);
        const int to = in.pick(services);
        if (from == to)
            continue;
        Upstream up;
        up.id = UpstreamId{QStringLiteral("u%1").arg(t.upstreams.size())};
        up.downstream = t.services[from].id;
        up.destination = t.services[to].id;
        up.localBindPort = 8000 + int(t.upstreams.size());
        up.action = in.pick(2) ? IntentionAction::Allow : IntentionAction::Deny;
        t.upstreams.append(up);
    }
    return t;
}

// ---- HCL 1, as hashicorp/hcl v1 reads a quoted string ----------------------

// hcl/scanner/scanner.go scanEscape: how many bytes an escape takes after
// the backslash, or nullopt for an illegal one.
std::optional<std::size_t> hcl1EscapeLength(const std::string &s, std::size_t at)
{
    if (at >= s.size())
        return std::nullopt;
    const auto hexDigits = [&](std::size_t from, std::size_t n) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < n; ++i) {
            if (from + i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[from + i])))
                return std::nullopt;
        }
        return n + 1;
    };
    switch (s[at]) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
    case '"': return 1;
    case 'x': return hexDigits(at + 1, 2);
    case 'u': return hexDigits(at + 1, 4);
    case 'U': return hexDigits(at + 1, 8);
    default:
        if (s[at] >= '0' && s[at] <= '7')
            return 3;
        return std::nullopt;
    }
}

// hcl/strconv/quote.go Unquote (double quotes), on the token's inside.
std::optional<std::string> hcl1Unquote(const std::string &s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
            // Copied as-is up to the matching brace.
            int braces = 1;
            out += "${";
            i += 2;
            while (i < s.size() && braces > 0) {
                if (s[i] == '{')
                    ++braces;
                else if (s[i] == '}')
                    --braces;
                out += s[i++];
            }
            if (braces != 0)
                return std::nullopt;
            continue;
        }
        if (s[i] == '\n')
            return std::nullopt;
        if (s[i] != '\\') {
            out += s[i++];
            continue;
        }
        if (i + 1 >= s.size())
            return std::nullopt;
        const char c = s[i + 1];
        i += 2;
        const auto hex = [&](std::size_t n) -> std::optional<std::uint32_t> {
            if (i + n > s.size())
                return std::nullopt;
            std::uint32_t v = 0;
            for (std::size_t k = 0; k < n; ++k) {
                const char h = s[i + k];
                if (!std::isxdigit(static_cast<unsigned char>(h)))
                    return std::nullopt;
                v = v * 16
                    + std::uint32_t(std::isdigit(static_cast<unsigned char>(h)) ? h - '0'
                                                                                : (std::tolower(h) - 'a' + 10));
            }
            i += n;
            return v;
        };
        std::optional<std::uint32_t> rune;
        switch (c) {
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case 'x':
            if (const auto v = hex(2))
                out += char(*v);
            else
                return std::nullopt;
            break;
        case 'u':
            rune = hex(4);
            if (!rune)
                return std::nullopt;
            break;
        case 'U':
            rune = hex(8);
            if (!rune)
                return std::nullopt;
            break;
        default: return std::nullopt; // octal is never written by us
        }
        if (rune)
            out += QString::fromUcs4(reinterpret_cast<const char32_t *>(&*rune), 1).toStdString();
    }
    return out;
}

// Every quoted string of an HCL 1 file, decoded, in order; nullopt when
// HCL 1 would refuse one.
std::optional<QStringList> hcl1Strings(const QString &text)
{
    const std::string s = text.toStdString();
    QStringList out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '#' || (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '/')) {
            while (i < s.size() && s[i] != '\n')
                ++i;
            continue;
        }
        if (s[i] != '"')
            continue;
        // scanString: a `${` makes quotes and newlines ordinary until its
        // braces balance.
        const std::size_t start = ++i;
        int braces = 0;
        for (;; ++i) {
            if (i >= s.size() || (s[i] == '\n' && braces == 0))
                return std::nullopt;
            if (s[i] == '"' && braces == 0)
                break;
            if (braces == 0 && s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
                ++braces;
                ++i;
            } else if (braces > 0 && s[i] == '{') {
                ++braces;
            }
            if (braces > 0 && s[i] == '}')
                --braces;
            if (s[i] == '\\') {
                const auto length = hcl1EscapeLength(s, i + 1);
                if (!length)
                    return std::nullopt;
                i += *length;
            }
        }
        const auto value = hcl1Unquote(s.substr(start, i - start));
        if (!value)
            return std::nullopt;
        out.append(QString::fromStdString(*value));
    }
    return out;
}

// ---- HCL 2 templates, as jobspec2 leaves them --------------------------------

bool isPassThroughTraversal(QStringView inside)
{
    // jobspec2 keeps `${a.b}` when `a` is no variable it defines
    // (hashicorp/nomad jobspec2/types.config.go); keywords are values.
    if (inside.isEmpty())
        return false;
    const QString root = inside.toString().section(u'.', 0, 0);
    static const QSet<QString> evaluated = {QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("null"),
                                            QStringLiteral("var"), QStringLiteral("local")};
    if (evaluated.contains(root))
        return false;
    for (qsizetype i = 0; i < inside.size(); ++i) {
        const QChar c = inside[i];
        const bool ok = (c.unicode() < 0x80 && (c.isLetterOrNumber() || c == u'_' || c == u'-'))
                        || (c == u'.' && i > 0 && i + 1 < inside.size());
        if (!ok || (i == 0 && c.isDigit()))
            return false;
    }
    return true;
}

// Every quoted template of an HCL 2 file with the meaning Nomad gets;
// nullopt if one would be evaluated or is malformed.
std::optional<QStringList> hcl2Strings(const QString &text)
{
    QStringList out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == u'#') {
            while (i < text.size() && text[i] != u'\n')
                ++i;
            continue;
        }
        if (text[i] != u'"')
            continue;
        QString value;
        for (++i;; ++i) {
            if (i >= text.size() || text[i] == u'\n')
                return std::nullopt;
            const QChar c = text[i];
            if (c == u'"')
                break;
            const QStringView rest = QStringView(text).mid(i);
            if (rest.startsWith(u"$${") || rest.startsWith(u"%%{")) {
                value += c;
                value += u'{';
                i += 2;
            } else if (rest.startsWith(u"${")) {
                const qsizetype close = text.indexOf(u'}', i);
                if (close < 0 || !isPassThroughTraversal(QStringView(text).mid(i + 2, close - i - 2)))
                    return std::nullopt;
                value += QStringView(text).mid(i, close - i + 1);
                i = close;
            } else if (rest.startsWith(u"%{")) {
                return std::nullopt; // a directive
            } else if (c == u'\\') {
                if (i + 1 >= text.size())
                    return std::nullopt;
                const QChar e = text[++i];
                if (e == u'n')
                    value += u'\n';
                else if (e == u'r')
                    value += u'\r';
                else if (e == u't')
                    value += u'\t';
                else if (e == u'"')
                    value += u'"';
                else if (e == u'\\')
                    value += u'\\';
                else if (e == u'u' || e == u'U') {
                    const int n = e == u'u' ? 4 : 8;
                    bool ok = false;
                    const char32_t code = text.mid(i + 1, n).toUInt(&ok, 16);
                    if (!ok || text.mid(i + 1, n).size() != n)
                        return std::nullopt;
                    value += QString::fromUcs4(&code, 1);
                    i += n;
                } else {
                    return std::nullopt;
                }
            } else {
                value += c;
            }
        }
        out.append(value);
    }
    return out;
}

void collectStrings(const QJsonValue &v, QStringList &out)
{
    if (v.isString()) {
        out.append(v.toString());
    } else if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            collectStrings(e, out);
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            collectStrings(it.value(), out);
    }
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QString leadingComments(const QString &ruby)
{
    QString out;
    for (const QString &line : ruby.split(u'\n')) {
        if (!line.startsWith(u'#'))
            break;
        out += line + u'\n';
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Input in(data, size);
    const Topology design = designFrom(in);
    if (Validator::hasErrors(Validator::validate(design)))
        return 0; // only valid designs are promised exact artifacts
    const ArtifactSet set = ArtifactGenerator::generate(design);

    QStringList freeText; // what must read back from the Nomad twins
    for (const Service &s : design.services) {
        freeText += s.args;
        for (const KeyValue &kv : s.env)
            freeText.append(kv.value);
    }

    for (const Artifact &a : set.artifacts()) {
        if (a.path.endsWith(u".json")) {
            QJsonParseError error{};
            QJsonDocument::fromJson(a.text.toUtf8(), &error);
            require(error.error == QJsonParseError::NoError, "every JSON artifact is JSON");
        }
        if (a.path.startsWith(u"consul/") && a.path.endsWith(u".hcl")) {
            const Artifact *twin = set.find(QString(a.path.chopped(4) + u".json"));
            require(twin != nullptr, "a Consul service file has a JSON twin");
            const auto hcl = hcl1Strings(a.text);
            require(hcl.has_value(), "HCL 1 reads every string of consul/*.hcl");
            QStringList json;
            collectStrings(QJsonDocument::fromJson(twin->text.toUtf8()).object(), json);
            require(sorted(*hcl) == sorted(json), "consul/*.hcl under HCL 1 holds exactly its JSON twin's strings");
        }
        if (a.path.startsWith(u"nomad/") && a.path.endsWith(u".nomad.hcl")) {
            const Artifact *twin = set.find(QString(a.path.chopped(10) + u".json"));
            require(twin != nullptr, "a jobspec has a JSON twin");
            const auto hcl = hcl2Strings(a.text);
            require(hcl.has_value(), "jobspec2 evaluates nothing in nomad/*.nomad.hcl");
            QStringList json;
            collectStrings(QJsonDocument::fromJson(twin->text.toUtf8()).object(), json);
            const QSet<QString> inHcl(hcl->begin(), hcl->end());
            const QSet<QString> inJson(json.begin(), json.end());
            // Each job's file holds its own services' text; look only at
            // values that appear in one of the twins.
            for (const QString &value : freeText) {
                require(inHcl.contains(value) == inJson.contains(value),
                        "a value of the design reads back from both Nomad twins or from neither");
            }
        }
    }
    QStringList allNomadJson;
    QSet<QString> nomadJsonValues;
    for (const Artifact &a : set.artifacts()) {
        if (a.path.startsWith(u"nomad/") && a.path.endsWith(u".json"))
            collectStrings(QJsonDocument::fromJson(a.text.toUtf8()).object(), allNomadJson);
    }
    nomadJsonValues = QSet<QString>(allNomadJson.begin(), allNomadJson.end());
    for (const QString &value : freeText)
        require(nomadJsonValues.contains(value), "every env value and arg reaches the Nomad JSON exactly");

    // Ruby's magic comments live in the leading comment section: nothing
    // of the design may reach it.
    Topology plain = design;
    plain.name.clear();
    for (Service &s : plain.services) {
        s.command = QStringLiteral("/bin/x");
        s.image = QStringLiteral("img/x");
    }
    const Artifact *vagrantfile = set.find(u"hashibox/Vagrantfile");
    require(vagrantfile != nullptr, "a Vagrantfile is generated");
    const ArtifactSet plainSet = ArtifactGenerator::generate(plain);
    require(leadingComments(vagrantfile->text) == leadingComments(plainSet.find(u"hashibox/Vagrantfile")->text),
            "the Vagrantfile's leading comments do not depend on the design");

    // Written: exactly the artifacts, under out/, nothing else. One input in
    // four: writing (and the one syncfs) costs more than all of the above.
    if (size % 4 != 0)
        return 0;
    QTemporaryDir scratch;
    require(scratch.isValid(), "a scratch directory");
    const auto written = set.writeTo(scratch.filePath(QStringLiteral("out")));
    require(written.has_value(), "a valid design's artifacts are written");
    QSet<QString> expected;
    for (const Artifact &a : set.artifacts())
        expected.insert(QStringLiteral("out/") + a.path);
    QSet<QString> found;
    QDirIterator it(scratch.path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        found.insert(QDir(scratch.path()).relativeFilePath(it.next()));
    require(found == expected, "writing creates exactly the artifact paths under out/ and nothing else");
    return 0;
}
