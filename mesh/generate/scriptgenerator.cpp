#include "scriptgenerator.h"

#include "artifactset.h"
#include "consulgenerator.h"
#include "core/terminaltext.h"

#include <QUrl>

#include <algorithm>

namespace mesh::generate {

using model::Service;
using model::Topology;
using model::TopologyIndex;

namespace {

bool isAsciiAlnum(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
}

bool isShellIdentifier(QStringView name)
{
    if (name.isEmpty() || (name[0] >= u'0' && name[0] <= u'9'))
        return false;
    return std::all_of(name.begin(), name.end(), [](QChar c) { return isAsciiAlnum(c) || c == u'_'; });
}

// A word bash reads as itself, unquoted: no glob, expansion, quote,
// separator or redirection character (and not a leading '=').
bool isPlainShellWord(QStringView word)
{
    static constexpr QStringView punctuation = u"_./:@%+,=-";
    return !word.isEmpty() && !word.startsWith(u'=')
           && std::all_of(word.begin(), word.end(), [](QChar c) { return isAsciiAlnum(c) || punctuation.contains(c); });
}

QString portOf(const model::PortMapping &p)
{
    if (p.to > 0)
        return QString::number(p.to);
    if (p.staticPort > 0)
        return QString::number(p.staticPort);
    return {};
}

// The app's command line, as the Nomad task would run it. *literals is set
// when a quoted word holds a `$` or a backquote that is meant literally.
QString commandLine(const TopologyIndex &design, const Service &service, QStringList *unresolved, QString *problem,
                    bool *literals)
{
    auto note = [literals](const QString &text) {
        if (text.contains(u'$') || text.contains(u'`'))
            *literals = true;
        return text;
    };
    QList<std::pair<QString, QString>> env;
    bool plainNames = true;
    for (const model::KeyValue &kv : service.env) {
        env.append({kv.key, note(ScriptGenerator::resolveNomadVariables(design, service, kv.value, unresolved))});
        plainNames = plainNames && isShellIdentifier(kv.key);
    }
    QStringList words;
    if (service.driver == model::Driver::Docker) {
        if (service.image.isEmpty()) {
            *problem = QStringLiteral("has no image to run");
            return {};
        }
        // Host networking: the app listens on the node, as in the post.
        words << QStringLiteral("docker") << QStringLiteral("run") << QStringLiteral("--rm")
              << QStringLiteral("--network") << QStringLiteral("host");
        for (const auto &[key, value] : env)
            words << QStringLiteral("--env") << ScriptGenerator::shellQuote(QString(key + u'=' + value));
        // `--` ends docker's options (its CLI parses them with spf13/pflag,
        // flag.go: `"--" terminates the flags`), so the image is the image
        // even when it reads "--volume=/:/host".
        words << QStringLiteral("--") << ScriptGenerator::shellQuote(note(service.image));
    } else {
        if (service.command.isEmpty()) {
            *problem = QStringLiteral("has no command to run");
            return {};
        }
        // The command must arrive as the program, whatever it reads like
        // (`PATH=/x`, `-i`). A shell takes NAME=value words for assignments
        // only before the command name (Shell Command Language §2.9.1,
        // https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html#tag_18_09_01);
        // in `NAME=value command -- CMD` the command name is `command`, CMD
        // its operand, and `--` ends its options. The `command` builtin
        // execs CMD in the background job itself, so $! is still the app.
        // env(1), needed for names bash cannot assign (a dot, a dash), takes
        // any operand holding '=' for one more assignment, CMD included; so
        // it starts bash, which execs CMD passed as "$0": a word that comes
        // from an expansion is never an assignment, and `exec --` reads no
        // option from it.
        if (!env.isEmpty() && !plainNames)
            words << QStringLiteral("env") << QStringLiteral("--");
        for (const auto &[key, value] : env) {
            words << (plainNames ? key + u'=' + ScriptGenerator::shellQuote(value)
                                 : ScriptGenerator::shellQuote(QString(key + u'=' + value)));
        }
        if (!env.isEmpty() && !plainNames) {
            words << QStringLiteral("\"$BASH\" -c 'exec -- \"$0\" \"$@\"'");
            *literals = true;
        } else {
            words << QStringLiteral("command") << QStringLiteral("--");
        }
        words << ScriptGenerator::shellQuote(note(service.command));
    }
    for (const QString &arg : service.args)
        words << ScriptGenerator::shellQuote(
            note(ScriptGenerator::resolveNomadVariables(design, service, arg, unresolved)));
    return words.join(u' ');
}

} // namespace

QString ScriptGenerator::commentText(QStringView text)
{
    QString out = text.toString();
    out.replace(u'\n', u' ').replace(u'\r', u' ');
    for (QChar &c : out) {
        if (TerminalText::isControl(c.unicode()))
            c = QChar::ReplacementCharacter;
    }
    return out;
}

QString ScriptGenerator::shellQuote(QStringView text)
{
    // Bash strings cannot hold NUL at all; U+FFFD marks where one was.
    QString clean = text.toString();
    clean.replace(QChar(u'\0'), QChar(QChar::ReplacementCharacter));
    if (isPlainShellWord(clean))
        return clean;
    const auto isControl = [](QChar c) { return TerminalText::isControl(c.unicode()); };
    if (std::none_of(clean.cbegin(), clean.cend(), isControl)) {
        clean.replace(u'\'', QStringLiteral("'\\''"));
        return u'\'' + clean + u'\'';
    }
    // ANSI-C quoting (bash manual, §3.1.2.4): control characters as the
    // \xHH escapes of their UTF-8 bytes, exact in any locale, so the
    // script holds none raw to act on an editor or a terminal.
    QString out = QStringLiteral("$'");
    for (const QChar c : std::as_const(clean)) {
        switch (c.unicode()) {
        case u'\\': out += u"\\\\"; break;
        case u'\'': out += u"\\'"; break;
        case u'\n': out += u"\\n"; break;
        case u'\t': out += u"\\t"; break;
        case u'\r': out += u"\\r"; break;
        default:
            if (isControl(c)) {
                for (const char byte : QString(c).toUtf8())
                    out += QStringLiteral("\\x%1").arg(uint(uchar(byte)), 2, 16, QLatin1Char('0'));
            } else {
                out += c;
            }
        }
    }
    return out + u'\'';
}

QString ScriptGenerator::resolveNomadVariables(const TopologyIndex &design, const Service &service, QStringView value,
                                               QStringList *unresolved)
{
    auto lookup = [&](const QString &name) -> std::optional<QString> {
        auto suffix = [&](QStringView prefix) -> std::optional<QString> {
            if (!name.startsWith(prefix) || name.size() == prefix.size())
                return std::nullopt;
            return name.mid(prefix.size());
        };
        for (QStringView prefix : {QStringView(u"NOMAD_UPSTREAM_ADDR_"), QStringView(u"NOMAD_UPSTREAM_IP_"),
                                   QStringView(u"NOMAD_UPSTREAM_PORT_")}) {
            const std::optional<QString> dest = suffix(prefix);
            if (!dest)
                continue;
            for (const model::Upstream *u : design.upstreamsFrom(service.id)) {
                const Service *d = design.service(u->destination);
                if (!d || u->localBindPort <= 0 || (d->name != *dest && model::cleanEnvVarName(d->name) != *dest))
                    continue;
                // The built-in proxy binds LocalBindAddress, default
                // 127.0.0.1 (hashicorp/consul: connect/proxy/config.go).
                const QString ip = u->localBindAddress.isEmpty() ? QStringLiteral("127.0.0.1") : u->localBindAddress;
                const QString port = QString::number(u->localBindPort);
                if (prefix == u"NOMAD_UPSTREAM_ADDR_")
                    return ip.contains(u':') ? QString(u'[' + ip + u"]:" + port) : QString(ip + u':' + port);
                return prefix == u"NOMAD_UPSTREAM_IP_" ? ip : port;
            }
        }
        for (QStringView prefix :
             {QStringView(u"NOMAD_PORT_"), QStringView(u"NOMAD_ALLOC_PORT_"), QStringView(u"NOMAD_HOST_PORT_")}) {
            const std::optional<QString> label = suffix(prefix);
            if (!label)
                continue;
            for (const model::PortMapping &p : service.ports) {
                if ((p.label == *label || model::cleanEnvVarName(p.label) == *label) && !portOf(p).isEmpty())
                    return portOf(p);
            }
        }
        if (name == u"NOMAD_DC")
            return design.topology().settings.datacenter;
        if (name == u"NOMAD_JOB_ID" || name == u"NOMAD_JOB_NAME")
            return service.job;
        if (name == u"NOMAD_GROUP_NAME")
            return service.group;
        if (name == u"NOMAD_TASK_NAME")
            return service.task;
        if (name == u"NOMAD_ALLOC_INDEX")
            return QStringLiteral("0");
        return std::nullopt;
    };

    QString out;
    out.reserve(value.size());
    qsizetype i = 0;
    while (i < value.size()) {
        const qsizetype open = value.indexOf(u"${", i);
        if (open < 0) {
            out += value.mid(i);
            break;
        }
        out += value.mid(i, open - i);
        const qsizetype close = value.indexOf(u'}', open + 2);
        if (close < 0) {
            out += value.mid(open);
            break;
        }
        const QString name = value.mid(open + 2, close - open - 2).toString();
        if (const std::optional<QString> resolved = lookup(name)) {
            out += *resolved;
        } else {
            out += value.mid(open, close - open + 1);
            if (unresolved && !unresolved->contains(name))
                unresolved->append(name);
        }
        i = close + 1;
    }
    return out;
}

QString ScriptGenerator::script(const TopologyIndex &design, const Service &service)
{
    const Topology &topology = design.topology();
    const QString id = ConsulGenerator::serviceId(service);
    // The deregister endpoint takes the ID in the path.
    const QString idPath = QString::fromLatin1(QUrl::toPercentEncoding(id));
    QStringList unresolved;
    QString problem;
    bool literals = id.contains(u'$') || id.contains(u'`');
    const QString command = commandLine(design, service, &unresolved, &problem, &literals);
    const bool sidecar = service.connectSidecar;
    const bool meshpadProxy = topology.settings.scriptProxy == model::ScriptProxy::Meshpad;

    QString s;
    s.reserve(4096);
    s += u"#!/usr/bin/env bash\n";
    s += QStringLiteral("# Runs the service %1 without Nomad: the seed post's manual path, done so\n"
                        "# it always cleans up. Generated by Meshpad.\n")
             .arg(commentText(id.isEmpty() ? QStringLiteral("(unnamed)") : id));
    s += u"#   1. registers it with the local Consul agent (the body below is\n"
         u"#      consul/<service>.json),\n"
         u"#   2. starts the app,\n";
    if (sidecar && meshpadProxy)
        s += u"#   3. runs Meshpad's sidecar proxy for it (`meshpad proxy -sidecar-for`;\n"
             u"#      MESHPAD names the binary, default: meshpad on PATH),\n";
    else if (sidecar)
        s += u"#   3. runs Consul's built-in sidecar proxy for it,\n";
    s += u"# and on exit, Ctrl-C, SIGTERM, or when the app or the proxy stops (also on\n"
         u"# an error), stops both and deregisters the service, which also removes its\n"
         u"# sidecar registration.\n"
         u"#\n"
         u"# Run it on a node with a Consul agent, e.g. in the Hashibox:\n"
         u"#   vagrant ssh one -c /vagrant/scripts/<this file>\n"
         u"# CONSUL_HTTP_ADDR selects another agent (default http://127.0.0.1:8500).\n";
    for (const QString &name : std::as_const(unresolved))
        s += QStringLiteral("# Note: ${%1} means nothing outside Nomad; it is passed on as written.\n")
                 .arg(commentText(name));
    if (literals)
        s += u"# shellcheck disable=SC2016  # a $ or ` in single quotes is meant literally\n";
    s += u"set -euo pipefail\n\n";

    if (!problem.isEmpty()) {
        // Nothing to run: fail before registering anything.
        s += QStringLiteral("echo %1 >&2\nexit 1\n")
                 .arg(shellQuote(QStringLiteral("==> %1 %2; set it in Meshpad and generate again").arg(id, problem)));
        return s;
    }

    s += u"consul_addr=\"${CONSUL_HTTP_ADDR:-http://127.0.0.1:8500}\"\n"
         u"# The consul CLI also takes host:port; curl needs the scheme.\n"
         u"case \"$consul_addr\" in\n"
         u"    http://* | https://*) ;;\n"
         u"    *) consul_addr=\"http://$consul_addr\" ;;\n"
         u"esac\n"
         u"export CONSUL_HTTP_ADDR=\"$consul_addr\"\n\n";
    s += QStringLiteral("service_id=%1\n").arg(shellQuote(id));
    s += u"app_pid=\n"
         u"proxy_pid=\n"
         u"registered=false\n\n";
    // The BASHPID guard: bash forks a child for each `&` job and restores
    // the default signal dispositions only just before exec, so a TERM from
    // cleanup that lands in that window runs this script's traps in the
    // child — `exit 143`, then the EXIT trap — and deregisters twice (seen in
    // CI as a third request at the fake agent; `bash -c 'trap "echo \$BASHPID"
    // EXIT; trap "exit 143" TERM; sleep 5 & kill $!; wait'` shows both PIDs).
    // BASHPID is the current (sub)shell's PID, $$ the script's
    // (https://www.gnu.org/software/bash/manual/bash.html#index-BASHPID).
    s += u"# shellcheck disable=SC2317  # reached through the EXIT trap\n"
         u"cleanup() {\n"
         u"    local status=$?\n"
         u"    # Only the script itself: a child forked for the app or the proxy\n"
         u"    # that the TERM below reaches before it has exec'd still has these\n"
         u"    # traps, and would clean up (and deregister) a second time.\n"
         u"    [[ $BASHPID == \"$$\" ]] || exit \"$status\"\n"
         u"    trap - EXIT INT TERM\n"
         u"    echo \"==> Cleaning up $service_id\" >&2\n"
         u"    local pid\n"
         u"    for pid in $proxy_pid $app_pid; do\n"
         u"        kill \"$pid\" 2>/dev/null || true\n"
         u"    done\n"
         u"    for pid in $proxy_pid $app_pid; do\n"
         u"        wait \"$pid\" 2>/dev/null || true\n"
         u"    done\n"
         u"    if $registered; then\n"
         u"        curl --silent --show-error --fail --request PUT \\\n";
    s += QStringLiteral("            \"$consul_addr/v1/agent/service/deregister/%1\" >/dev/null \\\n")
             .arg(idPath); // percent-encoded: safe in double quotes
    s += u"            || echo \"==> Could not deregister $service_id; try: consul services deregister "
         u"-id=$service_id\" >&2\n"
         u"    fi\n"
         u"    echo \"==> Done\" >&2\n"
         u"    exit \"$status\"\n"
         u"}\n"
         u"# EXIT covers errors (set -e) and normal ends; a trapped INT or TERM exits\n"
         u"# with the usual status and so runs the EXIT trap too.\n"
         u"trap cleanup EXIT\n"
         u"trap 'exit 130' INT\n"
         u"trap 'exit 143' TERM\n\n";
    s += u"echo \"==> Registering $service_id with $consul_addr\" >&2\n"
         u"curl --silent --show-error --fail --request PUT --header 'Content-Type: application/json' \\\n"
         u"    --data-binary @- \"$consul_addr/v1/agent/service/register\" <<'MESHPAD_JSON'\n";
    // A quoted heredoc passes the JSON through untouched; no JSON line can
    // be the bare delimiter (JsonWriter indents everything but braces).
    s += ConsulGenerator::registrationJson(design, service);
    s += u"MESHPAD_JSON\n"
         u"registered=true\n\n";
    s += u"echo \"==> Starting the app\" >&2\n";
    s += command + u" &\n";
    s += u"app_pid=$!\n\n";
    if (sidecar) {
        s += u"echo \"==> Starting the sidecar proxy for $service_id\" >&2\n";
        // Both read the agent from CONSUL_HTTP_ADDR, exported above.
        if (meshpadProxy)
            s += QStringLiteral("\"${MESHPAD:-meshpad}\" proxy -sidecar-for %1 &\n").arg(shellQuote(id));
        else
            s += QStringLiteral("consul connect proxy -sidecar-for %1 &\n").arg(shellQuote(id));
        s += u"proxy_pid=$!\n\n";
    }
    // Background jobs plus `wait`: a trapped signal interrupts `wait` at
    // once, where a foreground child would delay the trap until it exits.
    s += u"# Whichever stops first ends the script; the EXIT trap stops the other.\n"
         u"status=0\n"
         u"wait -n || status=$?\n"
         u"echo \"==> The app or the proxy stopped (status $status)\" >&2\n"
         u"exit \"$status\"\n";
    return s;
}

void ScriptGenerator::addArtifacts(const TopologyIndex &design, ArtifactSet &out)
{
    const Topology &topology = design.topology();
    const QStringList stems = ConsulGenerator::fileStems(topology);
    for (qsizetype i = 0; i < topology.services.size(); ++i) {
        if (topology.services.at(i).external)
            continue; // runs elsewhere: nothing of Meshpad's to start
        out.add({QStringLiteral("scripts/%1.sh").arg(stems.at(i)), ArtifactKind::Shell,
                 script(design, topology.services.at(i)), true});
    }
}

} // namespace mesh::generate
