#include "validator.h"

#include "core/terminaltext.h"

#include <QHash>
#include <QHostAddress>
#include <QRegularExpression>

#include <QSet>
#include <algorithm>

namespace mesh::model {

namespace {

using Severity = Problem::Severity;

constexpr int kMaxPort = 65535;
// Nomad refuses tasks below 10 MB (structs.Resources.MinResources).
constexpr int kMinMemoryMb = 10;

class Collector
{
public:
    void service(Severity severity, const Service &s, QString field, QString code, QString message)
    {
        m_problems.append({severity, std::move(code), std::move(message), s.id, {}, std::move(field)});
    }
    void upstream(Severity severity, const Upstream &u, QString field, QString code, QString message)
    {
        m_problems.append({severity, std::move(code), std::move(message), u.downstream, u.id, std::move(field)});
    }
    void mesh(Severity severity, QString field, QString code, QString message)
    {
        m_problems.append({severity, std::move(code), std::move(message), {}, {}, std::move(field)});
    }
    Problems take() { return std::move(m_problems); }

private:
    Problems m_problems;
};

QString quoted(QStringView text)
{
    return u'"' + text.toString() + u'"';
}

// The first character of `text` no name, tag or path may hold: it would reach
// generated files and terminals and act there instead of being shown.
std::optional<char16_t> firstControl(QStringView text)
{
    for (const QChar c : text) {
        if (TerminalText::isControl(c.unicode()))
            return c.unicode();
    }
    return std::nullopt;
}

// A command word a POSIX shell would take for a variable assignment
// (NAME=value; bash also NAME+=value and NAME[i]=value) rather than the
// program to run: Shell Command Language §2.9.1
// (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html#tag_18_09_01).
bool isAssignmentWord(QStringView word)
{
    static const QRegularExpression re(QStringLiteral(R"(^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=)"));
    return re.match(word).hasMatch();
}

// The stem NomadJobGenerator::fileStem() makes of a job name for
// nomad/<stem>.nomad.hcl: ASCII letters, digits, '.', '_' and '-' kept,
// anything else '_'.
QString jobFileStem(QStringView job)
{
    QString stem;
    stem.reserve(job.size());
    for (const QChar c : job) {
        const char16_t u = c.unicode();
        const bool safe = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'.'
                          || u == u'_' || u == u'-';
        stem += safe ? c : QChar(u'_');
    }
    return stem;
}

// Character classes as loops, not regular expressions: they run for every
// port, env var and meta key of a design on each keystroke.
bool isAsciiLetter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

// Letters, digits, '_' and '-' only, at least one.
bool isWordOrDash(QStringView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) {
        return isAsciiLetter(c) || isAsciiDigit(c) || c == u'_' || c == u'-';
    });
}

bool isPortLabel(QStringView label)
{
    return isWordOrDash(label);
}

// Nomad job ids become file names (nomad/<job>.nomad.hcl) and URL path
// segments (/v1/job/<id>): no spaces, no slashes, nothing invisible.
bool isSafeNomadName(QStringView name)
{
    if (name.isEmpty() || name.size() > 128 || name == u"." || name == u"..")
        return false;
    for (const QChar c : name) {
        if (c.isSpace() || c == u'/' || c == u'\\' || c.unicode() < 0x20 || c == u'"')
            return false;
    }
    return true;
}

bool isEnvName(QStringView name)
{
    // Nomad passes any key through, but a shell (and the scripts we
    // generate) can only set POSIX names; dots are common in Java land and
    // Nomad keeps them, so they are allowed.
    if (name.isEmpty() || !(isAsciiLetter(name[0]) || name[0] == u'_'))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [](QChar c) { return isAsciiLetter(c) || isAsciiDigit(c) || c == u'_' || c == u'.'; });
}

bool isMetaKey(QStringView key)
{
    // Consul: letters, digits, '-' and '_', at most 128, no "consul-" prefix.
    return key.size() <= 128 && isWordOrDash(key) && !key.startsWith(u"consul-");
}

void validateSettings(const Topology &t, Collector &out)
{
    static const QRegularExpression dc(QStringLiteral("^[a-z0-9_-]+$"));
    if (t.settings.datacenter.isEmpty())
        out.mesh(Severity::Error, QStringLiteral("datacenter"), QStringLiteral("mesh.datacenter.empty"),
                 QStringLiteral("The datacenter is empty; Consul and Nomad use \"dc1\" unless told otherwise."));
    else if (!dc.match(t.settings.datacenter).hasMatch())
        out.mesh(Severity::Error, QStringLiteral("datacenter"), QStringLiteral("mesh.datacenter.invalid"),
                 QStringLiteral("Datacenter %1 may only use lowercase letters, digits, '-' and '_'.")
                     .arg(quoted(t.settings.datacenter)));
}

void validateDesignName(const Topology &t, Collector &out)
{
    // The name heads the README and sits in the Vagrantfile.
    if (const std::optional<char16_t> c = firstControl(t.name))
        out.mesh(Severity::Error, QStringLiteral("name"), QStringLiteral("mesh.name.control"),
                 QStringLiteral("The design name holds the control character %1, which would reach the generated "
                                "files and terminals as-is; remove it.")
                     .arg(TerminalText::codePoint(*c)));
}

void validateNames(const Service &s, Collector &out)
{
    if (s.name.isEmpty()) {
        out.service(Severity::Error, s, QStringLiteral("name"), QStringLiteral("service.name.empty"),
                    QStringLiteral("The service has no name; Consul needs one to register it."));
    } else if (!Validator::isDnsLabel(s.name)) {
        out.service(Severity::Error, s, QStringLiteral("name"), QStringLiteral("service.name.invalid"),
                    QStringLiteral("Service name %1 is not a DNS label: use 1–63 lowercase letters, digits "
                                   "and '-', starting and ending with a letter or digit (Consul DNS and "
                                   "Nomad's Connect validation require it).")
                        .arg(quoted(s.name)));
    }
    // An external service runs nowhere Meshpad deploys to: its Nomad names,
    // if any, are never used.
    if (s.external)
        return;
    const struct
    {
        QStringView field;
        const QString &value;
        QStringView what;
    } parts[] = {{u"job", s.job, u"job"}, {u"group", s.group, u"group"}, {u"task", s.task, u"task"}};
    for (const auto &part : parts) {
        if (part.value.isEmpty()) {
            out.service(Severity::Error, s, part.field.toString(), u"service." + part.field + u".empty",
                        QStringLiteral("Service %1 has no Nomad %2 name.").arg(quoted(s.name), part.what));
        } else if (const std::optional<char16_t> c = firstControl(part.value)) {
            out.service(Severity::Error, s, part.field.toString(), u"service." + part.field + u".control",
                        QStringLiteral("The Nomad %1 name holds the control character %2, which would reach file "
                                       "names, generated files and terminals as-is; remove it.")
                            .arg(part.what, TerminalText::codePoint(*c)));
        } else if (!isSafeNomadName(part.value)) {
            out.service(Severity::Error, s, part.field.toString(), u"service." + part.field + u".invalid",
                        QStringLiteral("Nomad %1 name %2 must have no spaces, slashes, quotes or control "
                                       "characters and at most 128 characters.")
                            .arg(part.what, quoted(part.value)));
        } else if (s.connectSidecar && part.field == u"group" && part.value != part.value.toLower()) {
            out.service(Severity::Error, s, part.field.toString(), QStringLiteral("service.group.uppercase"),
                        QStringLiteral("Group %1 has a Connect sidecar, and Nomad requires lowercase group "
                                       "names for those.")
                            .arg(quoted(part.value)));
        }
    }
}

void validateRuntime(const Service &s, Collector &out)
{
    if (s.count == 0)
        out.service(Severity::Warning, s, QStringLiteral("count"), QStringLiteral("service.count.zero"),
                    QStringLiteral("Count is 0: Nomad will run no instance of %1, and every arrow to it will "
                                   "fail. Set a count of 1 or more.")
                        .arg(quoted(s.name)));
    // The generated scripts put the image after `docker run`'s options and
    // the command where a shell expects a program; each must be read as
    // that, never as an option or (the command) an assignment. Args are the
    // program's own arguments: options and NAME=value are meant there.
    if (s.driver == Driver::Docker) {
        if (s.image.trimmed().isEmpty())
            out.service(Severity::Error, s, QStringLiteral("image"), QStringLiteral("service.image.empty"),
                        QStringLiteral("The docker driver needs an image to run."));
        else if (const std::optional<char16_t> c = firstControl(s.image))
            out.service(Severity::Error, s, QStringLiteral("image"), QStringLiteral("service.image.control"),
                        QStringLiteral("The image holds the control character %1; no image reference does, "
                                       "remove it.")
                            .arg(TerminalText::codePoint(*c)));
        else if (s.image.startsWith(u'-'))
            out.service(Severity::Error, s, QStringLiteral("image"), QStringLiteral("service.image.option"),
                        QStringLiteral("Image %1 starts with '-', so `docker run` would read it as an option "
                                       "rather than the image to run; name an image such as \"redis:7\".")
                            .arg(quoted(s.image)));
    } else if (s.command.trimmed().isEmpty()) {
        out.service(Severity::Error, s, QStringLiteral("command"), QStringLiteral("service.command.empty"),
                    QStringLiteral("The %1 driver needs a command to run.").arg(toString(s.driver)));
    } else if (const std::optional<char16_t> c = firstControl(s.command)) {
        out.service(Severity::Error, s, QStringLiteral("command"), QStringLiteral("service.command.control"),
                    QStringLiteral("The command holds the control character %1, which would reach the generated "
                                   "scripts and terminals as-is; remove it.")
                        .arg(TerminalText::codePoint(*c)));
    } else if (s.command.startsWith(u'-')) {
        out.service(Severity::Error, s, QStringLiteral("command"), QStringLiteral("service.command.option"),
                    QStringLiteral("Command %1 starts with '-', so it would be read as an option rather than the "
                                   "program to run; give the program's path and put options in args.")
                        .arg(quoted(s.command)));
    } else if (isAssignmentWord(s.command)) {
        out.service(Severity::Error, s, QStringLiteral("command"), QStringLiteral("service.command.assignment"),
                    QStringLiteral("Command %1 has the form NAME=value, which a shell reads as a variable "
                                   "assignment rather than the program to run; set the variable under env and "
                                   "give the program's path as the command.")
                        .arg(quoted(s.command)));
    }
    if (s.resources.memoryMb > 0 && s.resources.memoryMb < kMinMemoryMb)
        out.service(Severity::Error, s, QStringLiteral("resources.memoryMb"), QStringLiteral("service.memory.small"),
                    QStringLiteral("Memory %1 MB is below Nomad's minimum of %2 MB.")
                        .arg(s.resources.memoryMb)
                        .arg(kMinMemoryMb));
}

void validatePorts(const Service &s, Collector &out)
{
    QSet<QString> labels;
    for (qsizetype i = 0; i < s.ports.size(); ++i) {
        const PortMapping &p = s.ports[i];
        const QString field = QStringLiteral("ports[%1]").arg(i);
        if (!isPortLabel(p.label)) {
            out.service(Severity::Error, s, field + u".label", QStringLiteral("port.label.invalid"),
                        QStringLiteral("Port label %1 must be letters, digits, '_' or '-' (it becomes "
                                       "NOMAD_PORT_<label>).")
                            .arg(quoted(p.label)));
        } else if (labels.contains(p.label)) {
            out.service(Severity::Error, s, field + u".label", QStringLiteral("port.label.duplicate"),
                        QStringLiteral("Port label %1 is defined twice.").arg(quoted(p.label)));
        }
        labels.insert(p.label);
        if (p.to < 0 || p.to > kMaxPort)
            out.service(Severity::Error, s, field + u".to", QStringLiteral("port.to.range"),
                        QStringLiteral("Port %1: `to` %2 is outside 0–65535.").arg(quoted(p.label)).arg(p.to));
        if (p.staticPort < 0 || p.staticPort > kMaxPort)
            out.service(
                Severity::Error, s, field + u".static", QStringLiteral("port.static.range"),
                QStringLiteral("Port %1: static port %2 is outside 1–65535.").arg(quoted(p.label)).arg(p.staticPort));
    }

    if (s.port.isEmpty()) {
        if (s.connectSidecar)
            out.service(Severity::Error, s, QStringLiteral("port"), QStringLiteral("service.port.empty"),
                        QStringLiteral("A Connect service needs a port: the number the application listens "
                                       "on inside the allocation (e.g. 9001)."));
        return;
    }
    bool isNumber = false;
    const int number = s.port.toInt(&isNumber);
    if (isNumber) {
        if (number < 1 || number > kMaxPort)
            out.service(Severity::Error, s, QStringLiteral("port"), QStringLiteral("service.port.range"),
                        QStringLiteral("Service port %1 is outside 1–65535.").arg(number));
        return;
    }
    const PortMapping *mapping = s.portMapping(s.port);
    if (!mapping) {
        out.service(Severity::Error, s, QStringLiteral("port"), QStringLiteral("service.port.unknown-label"),
                    QStringLiteral("Service port %1 is neither a number nor one of the group's port labels.")
                        .arg(quoted(s.port)));
    } else if (s.connectSidecar && s.networkMode == NetworkMode::Bridge && mapping->to > 0) {
        // Nomad registers a label's *host* port with Consul (hashicorp/nomad:
        // client/serviceregistration/address.go, GetAddress), and
        // the sidecar then forwards to that port inside the netns, where
        // the app listens on `to` instead.
        out.service(Severity::Warning, s, QStringLiteral("port"), QStringLiteral("service.port.label-with-sidecar"),
                    QStringLiteral("Port label %1 makes Consul register the dynamic host port, so the sidecar "
                                   "would forward to the wrong port inside the allocation. Use the number %2 "
                                   "(the port the app listens on) as the service port.")
                        .arg(quoted(s.port))
                        .arg(mapping->to));
    }
}

void validateConnect(const Service &s, Collector &out)
{
    if (s.connectSidecar && s.networkMode != NetworkMode::Bridge)
        out.service(Severity::Error, s, QStringLiteral("networkMode"), QStringLiteral("service.network.host-sidecar"),
                    QStringLiteral("Nomad runs Connect sidecars only in bridge network mode; switch %1 to "
                                   "bridge or turn its sidecar off.")
                        .arg(quoted(s.name)));
}

void validateCheck(const Service &s, Collector &out)
{
    const HealthCheck &c = s.check;
    if (c.kind == CheckKind::None)
        return;
    if (c.kind == CheckKind::Http) {
        if (!c.path.startsWith(u'/'))
            out.service(Severity::Error, s, QStringLiteral("check.path"), QStringLiteral("check.path.invalid"),
                        QStringLiteral("The HTTP check path %1 must start with '/'.").arg(quoted(c.path)));
        else if (const std::optional<char16_t> ch = firstControl(c.path))
            out.service(Severity::Error, s, QStringLiteral("check.path"), QStringLiteral("check.path.control"),
                        QStringLiteral("The HTTP check path holds the control character %1; remove it or "
                                       "percent-encode it.")
                            .arg(TerminalText::codePoint(*ch)));
    }
    bool numericPort = false;
    s.port.toInt(&numericPort);
    if (c.kind == CheckKind::Tcp && s.connectSidecar && s.networkMode == NetworkMode::Bridge && numericPort)
        // Consul checks from outside the allocation, and a
        // numeric port of a bridge-mode Connect service is not published on
        // the host (hashicorp/nomad: client/serviceregistration/address.go).
        // Nomad can expose HTTP checks through the sidecar, not TCP.
        out.service(Severity::Warning, s, QStringLiteral("check.type"), QStringLiteral("check.tcp.unreachable"),
                    QStringLiteral("Consul cannot reach port %1 inside the allocation for a TCP check; use an "
                                   "HTTP check (Nomad exposes it through the sidecar) or a mapped port label.")
                        .arg(s.port));
    if (c.intervalMs <= 0)
        out.service(Severity::Error, s, QStringLiteral("check.intervalMs"), QStringLiteral("check.interval.zero"),
                    QStringLiteral("The check interval must be above zero."));
    if (c.timeoutMs <= 0)
        out.service(Severity::Error, s, QStringLiteral("check.timeoutMs"), QStringLiteral("check.timeout.zero"),
                    QStringLiteral("The check timeout must be above zero."));
    else if (c.intervalMs > 0 && c.timeoutMs > c.intervalMs)
        out.service(Severity::Warning, s, QStringLiteral("check.timeoutMs"), QStringLiteral("check.timeout.long"),
                    QStringLiteral("The check timeout (%1 ms) is longer than its interval (%2 ms); checks "
                                   "would overlap.")
                        .arg(c.timeoutMs)
                        .arg(c.intervalMs));
}

void validateTagsAndMeta(const Service &s, Collector &out)
{
    for (qsizetype i = 0; i < s.tags.size(); ++i) {
        if (const std::optional<char16_t> c = firstControl(s.tags[i]))
            out.service(Severity::Error, s, QStringLiteral("tags[%1]").arg(i), QStringLiteral("tag.control"),
                        QStringLiteral("Tag %1 holds the control character %2, which would reach the generated "
                                       "files and terminals as-is; remove it.")
                            .arg(i + 1)
                            .arg(TerminalText::codePoint(*c)));
        else if (s.tags[i].trimmed().isEmpty())
            out.service(Severity::Warning, s, QStringLiteral("tags[%1]").arg(i), QStringLiteral("tag.empty"),
                        QStringLiteral("An empty tag is registered as-is; remove it."));
    }
    QSet<QString> keys;
    for (qsizetype i = 0; i < s.meta.size(); ++i) {
        const QString &key = s.meta[i].key;
        const QString field = QStringLiteral("meta.%1").arg(key);
        if (!isMetaKey(key))
            out.service(Severity::Error, s, field, QStringLiteral("meta.key.invalid"),
                        QStringLiteral("Meta key %1 must be 1–128 letters, digits, '-' or '_' and must not "
                                       "start with \"consul-\" (Consul refuses it).")
                            .arg(quoted(key)));
        else if (keys.contains(key))
            out.service(Severity::Error, s, field, QStringLiteral("meta.key.duplicate"),
                        QStringLiteral("Meta key %1 is set twice.").arg(quoted(key)));
        keys.insert(key);
        if (const std::optional<char16_t> c = firstControl(s.meta[i].value))
            out.service(Severity::Error, s, field, QStringLiteral("meta.value.control"),
                        QStringLiteral("The value of meta key %1 holds the control character %2, which would "
                                       "reach the generated files and terminals as-is; remove it.")
                            .arg(quoted(key), TerminalText::codePoint(*c)));
    }
}

// Jobs whose files would be one file on a case-insensitive file system
// (macOS, Windows, a Vagrant synced folder there): names that differ only in
// case (Web, web), or whose file stems do (éweb and _Web: nomad/_web… and
// nomad/_Web…). Stems equal outright do not clash: the generator numbers
// them. The later service of each pair is refused, naming the first.
void validateJobFiles(const Topology &t, Collector &out)
{
    QHash<QString, const Service *> byFolded; // case-folded name
    QHash<QString, const Service *> byStem;   // lower-cased file stem
    for (const Service &s : t.services) {
        if (s.external || s.job.isEmpty() || firstControl(s.job))
            continue; // refused already, or no job file
        const QString folded = s.job.toCaseFolded();
        const QString stem = jobFileStem(s.job);
        const Service *first = byFolded.value(folded);
        const Service *sameStem = byStem.value(stem.toLower());
        if (!first && sameStem && jobFileStem(sameStem->job) != stem)
            first = sameStem;
        if (first && first->job != s.job) {
            out.service(Severity::Error, s, QStringLiteral("job"), QStringLiteral("service.job.case"),
                        QStringLiteral("Job %1 and job %2 (service %3) differ only in case as file names, so their "
                                       "files in nomad/ would overwrite each other on a case-insensitive file "
                                       "system (macOS, Windows); rename one.")
                            .arg(quoted(s.job), quoted(first->job), quoted(first->name)));
            continue;
        }
        if (!byFolded.contains(folded))
            byFolded.insert(folded, &s);
        if (!byStem.contains(stem.toLower()))
            byStem.insert(stem.toLower(), &s);
    }
}

// The design's view of one service's upstream variables, keyed by the name
// that follows NOMAD_UPSTREAM_ADDR_ (raw and cleaned forms, as Nomad sets both).
struct UpstreamNames
{
    QHash<QString, const Upstream *> byName;
};

// The names a task's ${NOMAD_<KIND>_<name>} variables can carry, in the form
// Nomad sets each kind (hashicorp/nomad: client/taskenv/env.go, addPorts,
// addNomadAllocNetwork and buildUpstreamsEnv). buildEnv
// re-cleans the keys starting with NOMAD_ADDR_, NOMAD_IP_, NOMAD_PORT_ and
// NOMAD_HOST_PORT_ (its prefixesToClean), so those exist only as
// NOMAD_PORT_web_ui for port "web-ui"; NOMAD_HOST_ADDR_, NOMAD_HOST_IP_
// and NOMAD_ALLOC_* keep the label as written (NOMAD_ALLOC_IP_web-ui).
struct TaskVariables
{
    const UpstreamNames &upstreams;
    QHash<QString, QString> cleanedLabels; // cleaned form → label
    QHash<QString, QString> rawLabels;     // label → label
};

TaskVariables taskVariables(const Service &s, const UpstreamNames &upstreams)
{
    TaskVariables vars{upstreams, {}, {}};
    auto add = [&vars](const QString &label) {
        // Cleaned as the tail of the whole key, so a leading digit stays
        // (NOMAD_PORT_8080x), unlike a name cleaned on its own.
        vars.cleanedLabels.insert(cleanEnvVarName(QString(u'_' + label)).mid(1), label);
        vars.rawLabels.insert(label, label);
    };
    for (const PortMapping &p : s.ports)
        add(p.label);
    if (s.connectSidecar)
        add(QString(u"connect-proxy-" + s.name)); // the sidecar's port label
    return vars;
}

// Where a value that Nomad interpolates sits: its field ("env.PORT",
// "args[3]", "command"), the family of its codes and how a message names it.
struct InterpolatedValue
{
    QString field;
    QString codeFamily; // "env" or "args"
    QString subject;    // "PORT", "Argument 3", "The command"
};

// Reports each ${NOMAD_<KIND>_<name>} in `value` that names an upstream or a
// port label the task will not have: Nomad accepts the job and the task
// fails only at run time (an unknown name is left as written:
// hashicorp/nomad: helper/args/args.go, ReplaceEnv). Others (NOMAD_ALLOC_ID,
// …) are not checked.
void checkNomadReferences(const Service &s, const TaskVariables &vars, const QString &value,
                          const InterpolatedValue &where, Collector &out)
{
    if (!value.contains(u"${NOMAD_"))
        return; // the common case, without running the expression
    // The label-keyed kinds are those env.go sets from a port: addPorts
    // (NOMAD_{,HOST_,ALLOC_}PORT_, NOMAD_{,HOST_}ADDR_, NOMAD_{,HOST_}IP_)
    // and addNomadAllocNetwork (NOMAD_ALLOC_{IP,ADDR,INTERFACE}_).
    // NOMAD_IPv4_/IPv6_ come only from task-level networks, which Meshpad
    // does not write, so they are left alone.
    static const QRegularExpression ref(QStringLiteral(
        R"(\$\{(NOMAD_UPSTREAM_(?:ADDR|IP|PORT)|NOMAD_(?:HOST_|ALLOC_)?(?:PORT|ADDR|IP)|NOMAD_ALLOC_INTERFACE)_([^}]*)\})"));
    auto it = ref.globalMatch(value);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        const QString kind = m.captured(1);
        const QString name = m.captured(2);
        if (kind.startsWith(u"NOMAD_UPSTREAM_")) {
            const Upstream *u = vars.upstreams.byName.value(name);
            if (!u) {
                out.service(Severity::Error, s, where.field, where.codeFamily + u".upstream.unknown",
                            QStringLiteral("%1 refers to ${%2_%3}, but %4 has no upstream named %5; draw "
                                           "an arrow to that service or fix the name.")
                                .arg(where.subject, kind, name, quoted(s.name), quoted(name)));
            } else if (u->action == IntentionAction::Deny) {
                out.upstream(Severity::Warning, *u, where.field, where.codeFamily + u".upstream.denied",
                             QStringLiteral("%1 still points at upstream %2, but that arrow is denied: "
                                            "every call will be refused.")
                                 .arg(where.subject, quoted(name)));
            }
            continue;
        }
        const bool cleaned
            = kind == u"NOMAD_PORT" || kind == u"NOMAD_HOST_PORT" || kind == u"NOMAD_ADDR" || kind == u"NOMAD_IP";
        const QHash<QString, QString> &labels = cleaned ? vars.cleanedLabels : vars.rawLabels;
        if (labels.contains(name))
            continue;
        const QHash<QString, QString> &otherForm = cleaned ? vars.rawLabels : vars.cleanedLabels;
        if (const auto label = otherForm.constFind(name); label != otherForm.cend()) {
            // The label exists, written in the form another kind uses.
            const QString right = cleaned ? cleanEnvVarName(QString(u'_' + *label)).mid(1) : *label;
            out.service(Severity::Error, s, where.field, where.codeFamily + u".port.unknown",
                        QStringLiteral("%1 refers to ${%2_%3}, but Nomad sets that variable for port %4 as "
                                       "${%2_%5}.")
                            .arg(where.subject, kind, name, quoted(*label), right));
        } else {
            out.service(Severity::Error, s, where.field, where.codeFamily + u".port.unknown",
                        QStringLiteral("%1 refers to ${%2_%3}, but the group has no port labelled %4.")
                            .arg(where.subject, kind, name, quoted(name)));
        }
    }
}

// The task's env, and the command and args Nomad interpolates from it
// (https://developer.hashicorp.com/nomad/docs/runtime/interpolation).
void validateEnv(const Service &s, const UpstreamNames &upstreams, Collector &out)
{
    const TaskVariables vars = taskVariables(s, upstreams);
    QSet<QString> names;
    for (const KeyValue &kv : s.env) {
        const QString field = u"env." + kv.key;
        if (kv.key.isEmpty() || !isEnvName(kv.key))
            out.service(Severity::Error, s, field, QStringLiteral("env.name.invalid"),
                        QStringLiteral("Environment variable name %1 must start with a letter or '_' and "
                                       "hold only letters, digits, '_' and '.'.")
                            .arg(quoted(kv.key)));
        else if (names.contains(kv.key))
            out.service(Severity::Error, s, field, QStringLiteral("env.name.duplicate"),
                        QStringLiteral("Environment variable %1 is set twice.").arg(quoted(kv.key)));
        names.insert(kv.key);
        checkNomadReferences(s, vars, kv.value, {field, QStringLiteral("env"), kv.key}, out);
    }
    checkNomadReferences(s, vars, s.command,
                         {QStringLiteral("command"), QStringLiteral("args"), QStringLiteral("The command")}, out);
    for (qsizetype i = 0; i < s.args.size(); ++i)
        checkNomadReferences(
            s, vars, s.args[i],
            {QStringLiteral("args[%1]").arg(i), QStringLiteral("args"), QStringLiteral("Argument %1").arg(i)}, out);
}

void validateUpstreams(const Topology &t, const QHash<ServiceId, const Service *> &services,
                       QHash<ServiceId, UpstreamNames> &namesByService, Collector &out)
{
    // (downstream, address:port) → first arrow using it
    QHash<QString, const Upstream *> listeners;
    QSet<QString> pairs;
    for (const Upstream &u : t.upstreams) {
        const Service *down = services.value(u.downstream);
        const Service *dest = services.value(u.destination);
        if (!down)
            out.upstream(Severity::Error, u, QStringLiteral("from"), QStringLiteral("upstream.from.missing"),
                         QStringLiteral("This arrow starts at a service that does not exist (id %1); delete it.")
                             .arg(quoted(u.downstream.value)));
        if (!dest)
            out.upstream(Severity::Error, u, QStringLiteral("to"), QStringLiteral("upstream.to.missing"),
                         QStringLiteral("This arrow points at a service that does not exist (id %1); retarget "
                                        "or delete it.")
                             .arg(quoted(u.destination.value)));
        if (u.downstream == u.destination)
            out.upstream(Severity::Error, u, QStringLiteral("to"), QStringLiteral("upstream.self"),
                         QStringLiteral("A service cannot be its own upstream; point the arrow at another service."));
        if (u.localBindPort < 1 || u.localBindPort > kMaxPort)
            out.upstream(Severity::Error, u, QStringLiteral("localBindPort"), QStringLiteral("upstream.port.range"),
                         QStringLiteral("Local bind port %1 is outside 1–65535.").arg(u.localBindPort));
        if (!u.localBindAddress.isEmpty() && QHostAddress(u.localBindAddress).isNull())
            out.upstream(Severity::Error, u, QStringLiteral("localBindAddress"),
                         QStringLiteral("upstream.address.invalid"),
                         QStringLiteral("Local bind address %1 is not an IP address.").arg(quoted(u.localBindAddress)));
        if (!down)
            continue;

        // An external caller's listener is configured where it runs; an
        // external destination is in the mesh by definition (its sidecar is
        // not Meshpad's to see).
        if (!down->connectSidecar && !down->external)
            out.upstream(Severity::Error, u, QStringLiteral("from"), QStringLiteral("upstream.from.no-sidecar"),
                         QStringLiteral("%1 has no Connect sidecar, so nothing listens on its upstream port; "
                                        "turn its sidecar on.")
                             .arg(quoted(down->name)));
        if (dest && !dest->connectSidecar && !dest->external && dest != down)
            out.upstream(Severity::Error, u, QStringLiteral("to"), QStringLiteral("upstream.to.no-sidecar"),
                         QStringLiteral("%1 has no Connect sidecar, so it cannot accept mesh traffic; turn its "
                                        "sidecar on.")
                             .arg(quoted(dest->name)));

        const QString address = u.localBindAddress.isEmpty() ? QStringLiteral("127.0.0.1") : u.localBindAddress;
        const QString listenerKey = u.downstream.value + u'\n' + address + u':' + QString::number(u.localBindPort);
        if (const Upstream *first = listeners.value(listenerKey)) {
            const Service *firstDest = services.value(first->destination);
            out.upstream(Severity::Error, u, QStringLiteral("localBindPort"), QStringLiteral("upstream.port.duplicate"),
                         QStringLiteral("%1 already listens on %2:%3 for %4; give this upstream another local port.")
                             .arg(quoted(down->name), address)
                             .arg(u.localBindPort)
                             .arg(quoted(firstDest ? firstDest->name : first->destination.value)));
        } else {
            listeners.insert(listenerKey, &u);
        }

        // The app itself listens on its service port (and the `to` of its
        // labels) inside the same network namespace as the upstream listener.
        QList<int> ownPorts;
        if (const std::optional<int> p = down->servicePortNumber())
            ownPorts.append(*p);
        for (const PortMapping &p : down->ports) {
            if (p.to > 0)
                ownPorts.append(p.to);
        }
        if (ownPorts.contains(u.localBindPort))
            out.upstream(Severity::Error, u, QStringLiteral("localBindPort"), QStringLiteral("upstream.port.own"),
                         QStringLiteral("Local bind port %1 is a port %2 itself listens on; pick another one.")
                             .arg(u.localBindPort)
                             .arg(quoted(down->name)));

        if (dest) {
            const QString pairKey = u.downstream.value + u'\n' + u.destination.value;
            if (pairs.contains(pairKey))
                out.upstream(Severity::Warning, u, QStringLiteral("to"), QStringLiteral("upstream.duplicate"),
                             QStringLiteral("%1 has two arrows to %2; NOMAD_UPSTREAM_ADDR_%3 can name only one.")
                                 .arg(quoted(down->name), quoted(dest->name), cleanEnvVarName(dest->name)));
            pairs.insert(pairKey);
            UpstreamNames &names = namesByService[u.downstream];
            if (!names.byName.contains(dest->name))
                names.byName.insert(dest->name, &u);
            const QString clean = cleanEnvVarName(dest->name);
            if (!names.byName.contains(clean))
                names.byName.insert(clean, &u);
        }
    }
}

} // namespace

bool Validator::isDnsLabel(QStringView name)
{
    if (name.isEmpty() || name.size() > 63)
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        const bool alnum = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        if (alnum)
            continue;
        if (c == u'-' && i > 0 && i < name.size() - 1)
            continue;
        return false;
    }
    return true;
}

bool Validator::hasErrors(const Problems &problems)
{
    return std::any_of(problems.begin(), problems.end(), [](const Problem &p) { return p.isError(); });
}

Problems Validator::validate(const Topology &t)
{
    Collector out;
    validateDesignName(t, out);
    validateSettings(t, out);

    QHash<ServiceId, const Service *> services;
    services.reserve(t.services.size());
    QHash<QString, const Service *> byName;
    QHash<QString, const Service *> byGroup;
    for (const Service &s : t.services) {
        services.insert(s.id, &s);
        if (!s.name.isEmpty()) {
            if (const Service *first = byName.value(s.name))
                out.service(Severity::Error, s, QStringLiteral("name"), QStringLiteral("service.name.duplicate"),
                            QStringLiteral("Another service is already named %1; service names must be unique "
                                           "in the mesh.")
                                .arg(quoted(first->name)));
            else
                byName.insert(s.name, &s);
        }
        validateNames(s, out);
        // An external service has no job, no task and no registration of
        // Meshpad's: only its name (which arrows and intentions use) matters.
        if (s.external)
            continue;
        const QString groupKey = s.job + u'\n' + s.group;
        if (!s.job.isEmpty() && !s.group.isEmpty()) {
            if (byGroup.contains(groupKey))
                out.service(Severity::Error, s, QStringLiteral("group"), QStringLiteral("service.group.duplicate"),
                            QStringLiteral("Job %1 already has a group %2 (service %3); give this one another "
                                           "group name.")
                                .arg(quoted(s.job), quoted(s.group), quoted(byGroup.value(groupKey)->name)));
            else
                byGroup.insert(groupKey, &s);
        }
        validateRuntime(s, out);
        validatePorts(s, out);
        validateConnect(s, out);
        validateCheck(s, out);
        validateTagsAndMeta(s, out);
    }
    validateJobFiles(t, out);

    QHash<ServiceId, UpstreamNames> upstreamNames;
    validateUpstreams(t, services, upstreamNames, out);
    for (const Service &s : t.services) {
        if (!s.external)
            validateEnv(s, upstreamNames.value(s.id), out);
    }
    return out.take();
}

} // namespace mesh::model
