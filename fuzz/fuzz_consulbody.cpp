// Request bodies of the lab's Consul agents, fed as a client would PUT them:
// to /v1/agent/service/register (decoded with GoStructSchema as Go's
// encoding/json with DisallowUnknownFields and the agent's snake_case
// aliases, then ConsulState::registerService) or to /v1/config (decoded as
// the entry's kind, then ConsulState::writeConfigEntry). Each input goes
// through ConsulApi::handle, the agents' own request handler, on a fresh
// ConsulState with three nodes. Checked besides not crashing:
// - the API refuses exactly what the schema refuses, in Consul's words
//   ("Request decode failed: …" for a registration, hashicorp/consul:
//   agent/agent_endpoint.go AgentRegisterService; "Request decoding failed:
//   …" for a config entry, agent/config_endpoint.go ConfigApply), never with
//   an empty message;
// - an accepted body's canonical() form is accepted again and canonicalizes
//   to itself, and renaming keys to their fields adds no problem (check());
// - what was accepted registers (or is written) again identically: the
//   second PUT leaves the same services, checks and entry.
//
// The first input byte picks the endpoint and its options, the rest is the
// body: bit 0 clear a registration, set a config entry (the seeds use 'R'
// and 'C'); bits 1–2 the agent's node (one, two, three, three); bit 3
// ?replace-existing-checks (registration) or ?cas=0 (config entry).

#include "fuzzcheck.h"

#include "lab/api/consulapi.h"
#include "lab/api/consulstate.h"
#include "lab/api/gostructschema.h"

#include "httptypes.h"

#include <QCoreApplication>
#include <QEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

using fuzz::require;
using mesh::lab::ConsulApi;
using mesh::lab::ConsulState;
using mesh::lab::GoStructSchema;

// A registration's TCP and HTTP checks run for real (ConsulState starts a
// HealthChecker for each), so a fuzzed address would make the fuzzer open
// connections to it. Interposed over libc's connect() (QtNetwork calls it
// through the PLT): loopback and Unix sockets connect, anything else fails
// as an unreachable network would, which the checker reports like any
// other failed check.
extern "C" int connect(int fd, const sockaddr *address, socklen_t length)
{
    bool local = false;
    if (address && length >= sizeof(sa_family_t)) {
        if (address->sa_family == AF_UNIX) {
            local = true;
        } else if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
            sockaddr_in in;
            std::memcpy(&in, address, sizeof in);
            local = (ntohl(in.sin_addr.s_addr) >> 24) == 127;
        } else if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
            sockaddr_in6 in6;
            std::memcpy(&in6, address, sizeof in6);
            const bool mapped4 = IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr) && in6.sin6_addr.s6_addr[12] == 127;
            local = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr) || mapped4;
        }
    }
    if (!local) {
        errno = ENETUNREACH;
        return -1;
    }
    return int(::syscall(SYS_connect, fd, address, length));
}

namespace {

const GoStructSchema *schema;

const QString kNodes[]
    = {QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three"), QStringLiteral("three")};

QList<ConsulState::NodeInfo> threeNodes()
{
    // As LabRuntime sets them: a loopback address per node, all up.
    return {{QStringLiteral("one"), QHostAddress(QStringLiteral("127.77.1.1")),
             QStringLiteral("3f4c5a0e-0000-4000-8000-000000000001"), true},
            {QStringLiteral("two"), QHostAddress(QStringLiteral("127.77.2.1")),
             QStringLiteral("3f4c5a0e-0000-4000-8000-000000000002"), true},
            {QStringLiteral("three"), QHostAddress(QStringLiteral("127.77.3.1")),
             QStringLiteral("3f4c5a0e-0000-4000-8000-000000000003"), true}};
}

struct Answer
{
    int status = 0;
    QByteArray body;
};

Answer put(ConsulApi &api, const QString &node, const QByteArray &target, QByteArrayView body)
{
    apps::http::Request request;
    request.method = "PUT";
    request.target = target;
    const qsizetype question = target.indexOf('?');
    request.path = question < 0 ? QByteArrayView(target) : QByteArrayView(target).first(question);
    request.body = body;
    apps::http::Response response;
    api.handle(node, request, response);
    return {response.status, response.body};
}

// What the catalog holds, field by field (ConsulState::Service has no ==),
// with every service's checks; modify indexes left out, which a second
// registration moves on.
QJsonArray catalogOf(const ConsulState &state)
{
    QJsonArray out;
    for (const ConsulState::Service *s : state.services()) {
        QJsonArray checks;
        for (const ConsulState::Check &c : state.healthChecks(*s)) {
            checks.append(QJsonObject{{QStringLiteral("node"), c.node},
                                      {QStringLiteral("id"), c.checkId},
                                      {QStringLiteral("name"), c.name},
                                      {QStringLiteral("status"), c.status},
                                      {QStringLiteral("type"), c.type},
                                      {QStringLiteral("alias"), c.aliasService},
                                      {QStringLiteral("definition"), c.definition},
                                      {QStringLiteral("create"), double(c.createIndex)}});
        }
        out.append(QJsonObject{{QStringLiteral("node"), s->node},
                               {QStringLiteral("id"), s->id},
                               {QStringLiteral("name"), s->name},
                               {QStringLiteral("kind"), s->kind},
                               {QStringLiteral("tags"), QJsonArray::fromStringList(s->tags)},
                               {QStringLiteral("address"), s->address},
                               {QStringLiteral("port"), s->port},
                               {QStringLiteral("meta"), s->meta},
                               {QStringLiteral("taggedAddresses"), s->taggedAddresses},
                               {QStringLiteral("weights"), s->weights},
                               {QStringLiteral("enableTagOverride"), s->enableTagOverride},
                               {QStringLiteral("proxy"), s->proxy},
                               {QStringLiteral("connectNative"), s->connectNative},
                               {QStringLiteral("sidecarOf"), s->sidecarOf},
                               {QStringLiteral("create"), double(s->createIndex)},
                               {QStringLiteral("checks"), checks}});
    }
    return out;
}

// The properties of the schema alone for a body it accepts as `root`.
QJsonObject checkCanonical(const QJsonObject &body, QStringView root)
{
    const QJsonObject canonical = schema->canonical(body, root);
    require(schema->goDecodeError(canonical, root).isEmpty(), "the canonical form of an accepted body is accepted");
    require(schema->canonical(canonical, root) == canonical, "canonical() is idempotent");
    if (schema->check(body, root).isEmpty())
        require(schema->check(canonical, root).isEmpty(), "renaming keys to their fields adds no problem");
    return canonical;
}

void registration(ConsulApi &api, const ConsulState &state, const QString &node, bool replace, QByteArrayView body)
{
    const QByteArray target = replace ? QByteArrayLiteral("/v1/agent/service/register?replace-existing-checks")
                                      : QByteArrayLiteral("/v1/agent/service/register");
    const Answer first = put(api, node, target, body);
    require(first.status == 200 || first.status == 400, "a registration is answered 200 or 400");
    require(first.status == 200 || !first.body.isEmpty(), "a refusal says why");

    // ConsulApi::agentRegister's decode, redone with the schema.
    const QJsonDocument document = QJsonDocument::fromJson(body.toByteArray());
    if (!document.isObject()) {
        require(first.status == 400 && first.body.startsWith("Request decode failed: "),
                "a body that is no JSON object is refused as Go's decoder refuses it");
        return;
    }
    const QJsonObject object = document.object();
    const QString decodeError = schema->goDecodeError(object, u"consul-registration");
    if (!decodeError.isEmpty()) {
        require(schema->check(object, u"consul-registration").size() > 0, "what Go refuses check() reports");
        const QByteArray expected = "Request decode failed: " + decodeError.toUtf8();
        require(first.status == 400 && first.body == expected,
                "what the schema refuses the agent refuses in Go's words");
        return;
    }
    checkCanonical(object, u"consul-registration");
    if (first.status != 200) {
        // The endpoint's own refusals (no Name, 0.0.0.0, a proxy without
        // its destination) come after decoding and are worded otherwise.
        require(!first.body.startsWith("Request decode failed"), "a decoded body is not refused as undecodable");
        return;
    }
    const QJsonArray before = catalogOf(state);
    require(!before.isEmpty(), "an accepted registration registers a service");
    const Answer second = put(api, node, target, body);
    require(second.status == 200, "an accepted registration is accepted again");
    const QJsonArray after = catalogOf(state);
    if (after != before) {
        // What differs is the first thing a report needs.
        std::fprintf(stderr, "before: %s\nafter:  %s\n",
                     QJsonDocument(before).toJson(QJsonDocument::Compact).constData(),
                     QJsonDocument(after).toJson(QJsonDocument::Compact).constData());
    }
    require(after == before, "registering the same body again leaves the same services and checks");
}

void configEntry(ConsulApi &api, const ConsulState &state, const QString &node, bool cas, QByteArrayView body)
{
    const QByteArray target = cas ? QByteArrayLiteral("/v1/config?cas=0") : QByteArrayLiteral("/v1/config");
    const Answer first = put(api, node, target, body);
    require(first.status == 200 || first.status == 400 || first.status == 500,
            "a config entry is answered 200, 400 or 500");
    if (first.status == 400) {
        require(first.body.startsWith("Request decoding failed: ") && first.body.size() > 25,
                "a refused entry is refused as ConfigApply's decoder refuses it");
    } else if (first.status == 500) {
        require(first.body.startsWith("Sources[*]."), "a 500 is an intention source's validation error");
    } else {
        require(first.body == "true" || first.body == "false", "a written entry answers true or false");
    }

    // ConsulApi::configApply's decode, redone with the schema.
    const QJsonDocument document = QJsonDocument::fromJson(body.toByteArray());
    if (!document.isObject())
        return;
    const QJsonObject object = document.object();
    QString kind;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key().compare(u"Kind", Qt::CaseInsensitive) == 0)
            kind = it.value().toString();
    }
    if (kind != u"service-intentions" && kind != u"service-defaults" && kind != u"proxy-defaults") {
        require(first.status == 400, "an entry of no kind the lab knows is refused");
        return;
    }
    const QString decodeError = schema->goDecodeError(object, kind);
    if (!decodeError.isEmpty()) {
        require(first.status == 400 && first.body.contains(decodeError.toUtf8()),
                "what the schema refuses the agent refuses in Go's words");
        return;
    }
    const QJsonObject canonical = checkCanonical(object, kind);
    if (first.status != 200)
        return;
    const QString name = canonical.value(u"Name").toString();
    const QJsonObject written = state.configEntry(kind, name);
    require(first.body == "false" || !written.isEmpty(), "an entry answered true is stored under its kind and name");
    if (written.isEmpty())
        return;
    // With ?cas=0 the second write finds the entry and is refused.
    const Answer second = put(api, node, target, body);
    require(second.status == 200 && second.body == (cas ? "false" : "true"), "the same entry is written again");
    QJsonObject again = state.configEntry(kind, name);
    require(again.value(u"CreateIndex") == written.value(u"CreateIndex"), "rewriting an entry keeps its CreateIndex");
    QJsonObject stripped = written;
    stripped.remove(QStringLiteral("ModifyIndex"));
    again.remove(QStringLiteral("ModifyIndex"));
    require(again == stripped, "writing the same entry again stores the same entry");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // Health checkers' sockets and timers need the application object.
    static int argc = 1;
    static char program[] = "fuzz_consulbody";
    static char *argv[] = {program, nullptr};
    new QCoreApplication(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("meshpad.*.debug=false\nmeshpad.*.info=false"));
    QString error;
    static std::optional<GoStructSchema> consul = GoStructSchema::consulRequests(&error);
    require(consul.has_value(), "the compiled-in Consul schema loads");
    schema = &*consul;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::uint8_t knobs = data[0];
    // Not copied: a read past the input is the sanitizer's to see.
    const QByteArrayView body(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const QString &node = kNodes[(knobs >> 1) & 3];
    {
        ConsulState state;
        state.setIdentity(QStringLiteral("11111111-2222-3333-4444-555555555555.consul"), QStringLiteral("dc1"));
        state.setNodes(threeNodes());
        ConsulApi api(&state, nullptr, std::chrono::hours(72));
        if (knobs & 1)
            configEntry(api, state, node, knobs & 8, body);
        else
            registration(api, state, node, knobs & 8, body);
    }
    // The checkers' sockets, closed with deleteLater().
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return 0;
}
