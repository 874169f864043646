#include "consulgenerator.h"

#include "artifactset.h"
#include "core/jsonwriter.h"
#include "hclwriter.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace mesh::generate {

using model::Service;
using model::Topology;
using model::TopologyIndex;
using model::Upstream;

namespace {

// Meta keys given twice keep the last value at the first key's place, as a
// map would; JSON and HCL must not carry one key twice (HCL refuses it).
QList<model::KeyValue> uniqueMeta(const QList<model::KeyValue> &meta)
{
    QList<model::KeyValue> out;
    QHash<QString, qsizetype> position; // key -> index in out
    for (const model::KeyValue &kv : meta) {
        if (const auto it = position.constFind(kv.key); it != position.constEnd()) {
            out[*it].value = kv.value;
        } else {
            position.insert(kv.key, out.size());
            out.append(kv);
        }
    }
    return out;
}

// The check, as the manual path runs it: the app listens on the node itself,
// so Consul's agent reaches it on localhost at the application port.
struct CheckTarget
{
    bool http = false;
    QString target; // URL or host:port; empty = no check
};

CheckTarget checkTarget(const Service &service)
{
    const std::optional<int> port = service.servicePortNumber();
    if (!port || *port <= 0 || service.check.kind == model::CheckKind::None)
        return {};
    if (service.check.kind == model::CheckKind::Tcp)
        return {false, QStringLiteral("localhost:%1").arg(*port)};
    QString path = service.check.path;
    if (!path.startsWith(u'/'))
        path.prepend(u'/');
    return {true, QStringLiteral("http://localhost:%1%2").arg(*port).arg(path)};
}

// Arrows out of `service` whose destination exists. A denied arrow is still
// an upstream: the sidecar opens its local listener either way, and the
// destination's intention refuses the connection (hashicorp/consul:
// agent/connect_auth.go) — which is
// what a user testing a deny expects to see, rather than "connection
// refused" from a listener that was never there.
QList<std::pair<const Upstream *, const Service *>> upstreamsOf(const TopologyIndex &design, const Service &service)
{
    QList<std::pair<const Upstream *, const Service *>> out;
    for (const Upstream *u : design.upstreamsFrom(service.id)) {
        if (const Service *destination = design.service(u->destination))
            out.append({u, destination});
    }
    return out;
}

} // namespace

QString ConsulGenerator::goDuration(int milliseconds)
{
    if (milliseconds <= 0)
        return {};
    if (milliseconds % 1000 == 0)
        return QStringLiteral("%1s").arg(milliseconds / 1000);
    return QStringLiteral("%1ms").arg(milliseconds);
}

QStringList ConsulGenerator::fileStems(const Topology &topology)
{
    QStringList stems;
    stems.reserve(topology.services.size());
    QSet<QString> used;
    QHash<QString, int> nextSuffix;
    for (const Service &service : topology.services) {
        QString base;
        base.reserve(service.name.size());
        for (const QChar c : service.name) {
            const char16_t u = c.unicode();
            const bool safe = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
                              || u == u'-' || u == u'_' || u == u'.';
            base += safe ? c : QChar(u'_');
        }
        // "." and ".." would be directories, a leading dot a hidden file.
        if (base.isEmpty() || base.startsWith(u'.'))
            base.prepend(QStringLiteral("service"));
        // Numbering resumes where this base left off, so many names sharing
        // one base cost one probe each, not one per earlier sibling.
        QString stem = base;
        int &next = nextSuffix[base.toLower()];
        for (int n = std::max(next, 2); used.contains(stem.toLower()); ++n) {
            stem = QStringLiteral("%1-%2").arg(base).arg(n);
            next = n + 1;
        }
        // Compared case-insensitively: the output may land on a
        // case-insensitive file system (a Vagrant synced folder on macOS).
        used.insert(stem.toLower());
        stems.append(stem);
    }
    return stems;
}

QString ConsulGenerator::registrationJson(const TopologyIndex &design, const Service &service)
{
    JsonWriter w;
    w.beginObject();
    w.field(u"Name", service.name);
    if (const std::optional<int> port = service.servicePortNumber(); port && *port > 0)
        w.field(u"Port", *port);
    if (!service.tags.isEmpty())
        w.key(u"Tags").stringArray(service.tags);
    if (const QList<model::KeyValue> meta = uniqueMeta(service.meta); !meta.isEmpty()) {
        w.key(u"Meta").beginObject();
        for (const model::KeyValue &kv : meta)
            w.field(kv.key, kv.value);
        w.endObject();
    }
    if (const CheckTarget check = checkTarget(service); !check.target.isEmpty()) {
        w.key(u"Check").beginObject();
        w.field(check.http ? u"HTTP" : u"TCP", check.target);
        if (const QString interval = goDuration(service.check.intervalMs); !interval.isEmpty())
            w.field(u"Interval", interval);
        if (const QString timeout = goDuration(service.check.timeoutMs); !timeout.isEmpty())
            w.field(u"Timeout", timeout);
        w.endObject();
    }
    if (service.connectSidecar) {
        // Upstreams live on the sidecar; a service without one has none.
        w.key(u"Connect").beginObject().key(u"SidecarService").beginObject();
        const auto upstreams = upstreamsOf(design, service);
        if (!upstreams.isEmpty()) {
            w.key(u"Proxy").beginObject().key(u"Upstreams").beginArray();
            for (const auto &[u, destination] : upstreams) {
                w.beginObject();
                w.field(u"DestinationName", destination->name);
                if (u->localBindPort > 0)
                    w.field(u"LocalBindPort", u->localBindPort);
                if (!u->localBindAddress.isEmpty())
                    w.field(u"LocalBindAddress", u->localBindAddress);
                w.endObject();
            }
            w.endArray().endObject();
        }
        w.endObject().endObject();
    }
    w.endObject();
    return w.text();
}

QString ConsulGenerator::serviceDefinitionHcl(const TopologyIndex &design, const Service &service)
{
    // Agent config format (hashicorp/consul: command/services/config.go):
    // `consul services register` loads
    // it with the agent's config loader, which takes snake_case keys.
    HclWriter w;
    HclWriter::Body &s = w.root().block(u"service");
    s.attribute(u"name", HclWriter::plainString(service.name));
    if (const std::optional<int> port = service.servicePortNumber(); port && *port > 0)
        s.attribute(u"port", HclWriter::number(*port));
    if (!service.tags.isEmpty())
        s.attribute(u"tags", HclWriter::plainStringList(service.tags));
    if (const QList<model::KeyValue> meta = uniqueMeta(service.meta); !meta.isEmpty()) {
        QList<std::pair<QString, QString>> entries;
        for (const model::KeyValue &kv : meta)
            entries.append({kv.key, HclWriter::plainString(kv.value)});
        s.attribute(u"meta", HclWriter::object(entries));
    }
    if (const CheckTarget check = checkTarget(service); !check.target.isEmpty()) {
        HclWriter::Body &c = s.blankLine().block(u"check");
        c.attribute(check.http ? u"http" : u"tcp", HclWriter::plainString(check.target));
        if (const QString interval = goDuration(service.check.intervalMs); !interval.isEmpty())
            c.attribute(u"interval", HclWriter::plainString(interval));
        if (const QString timeout = goDuration(service.check.timeoutMs); !timeout.isEmpty())
            c.attribute(u"timeout", HclWriter::plainString(timeout));
    }
    if (service.connectSidecar) {
        HclWriter::Body &sidecar = s.blankLine().block(u"connect").block(u"sidecar_service");
        const auto upstreams = upstreamsOf(design, service);
        if (!upstreams.isEmpty()) {
            QStringList items;
            for (const auto &[u, destination] : upstreams) {
                QList<std::pair<QString, QString>> fields;
                fields.append({QStringLiteral("destination_name"), HclWriter::plainString(destination->name)});
                if (u->localBindPort > 0)
                    fields.append({QStringLiteral("local_bind_port"), HclWriter::number(u->localBindPort)});
                if (!u->localBindAddress.isEmpty())
                    fields.append({QStringLiteral("local_bind_address"), HclWriter::plainString(u->localBindAddress)});
                items.append(HclWriter::object(fields));
            }
            sidecar.block(u"proxy").attribute(u"upstreams", HclWriter::list(items));
        }
    }
    return w.text();
}

bool ConsulGenerator::needsIntentions(const TopologyIndex &design, const Service &destination)
{
    if (design.topology().settings.defaultPolicy == model::IntentionAction::Deny)
        return true;
    for (const Upstream *u : design.upstreamsTo(destination.id)) {
        if (design.service(u->downstream))
            return true;
    }
    return false;
}

QString ConsulGenerator::intentionsJson(const TopologyIndex &design, const Service &destination)
{
    JsonWriter w;
    w.beginObject();
    w.field(u"Kind", QStringView(u"service-intentions"));
    w.field(u"Name", destination.name);
    w.key(u"Sources").beginArray();
    // Consul refuses an entry naming one source twice; the first arrow of a
    // pair wins (the Validator reports the duplicate).
    QSet<QString> named;
    for (const Upstream *u : design.upstreamsTo(destination.id)) {
        const Service *source = design.service(u->downstream);
        if (!source || named.contains(source->name))
            continue;
        named.insert(source->name);
        const bool allow = u->action == model::IntentionAction::Allow;
        w.beginObject();
        w.field(u"Name", source->name);
        w.field(u"Action", model::toString(u->action));
        w.field(u"Type", QStringView(u"consul"));
        w.field(u"Description",
                allow ? QStringLiteral("Meshpad: %1 may call %2").arg(source->name, destination.name)
                      : QStringLiteral("Meshpad: %1 may not call %2").arg(source->name, destination.name));
        w.endObject();
    }
    // Without an intention that matches, Consul falls back to its ACL
    // default: with ACLs off (Hashibox, a dev agent) that is allow
    // (hashicorp/consul: agent/connect_auth.go). So "default deny" only holds if every destination
    // carries a `*` deny. Exact source names take precedence over `*`, so the
    // allows above still win. Under default allow nothing is added: Consul's
    // own default is the design's.
    if (design.topology().settings.defaultPolicy == model::IntentionAction::Deny
        && !named.contains(QStringLiteral("*"))) {
        w.beginObject();
        w.field(u"Name", QStringView(u"*"));
        w.field(u"Action", QStringView(u"deny"));
        w.field(u"Type", QStringView(u"consul"));
        w.field(u"Description",
                QStringLiteral("Meshpad: default deny; only the sources above may call %1").arg(destination.name));
        w.endObject();
    }
    w.endArray();
    w.endObject();
    return w.text();
}

void ConsulGenerator::addArtifacts(const TopologyIndex &design, ArtifactSet &out)
{
    const Topology &topology = design.topology();
    const QStringList stems = fileStems(topology);
    for (qsizetype i = 0; i < topology.services.size(); ++i) {
        const Service &service = topology.services.at(i);
        // An external service registers itself wherever it runs; its
        // intentions below are still the design's to write.
        if (service.external)
            continue;
        out.add({QStringLiteral("consul/%1.json").arg(stems.at(i)), ArtifactKind::Json,
                 registrationJson(design, service), false});
        out.add({QStringLiteral("consul/%1.hcl").arg(stems.at(i)), ArtifactKind::Hcl,
                 serviceDefinitionHcl(design, service), false});
    }
    for (qsizetype i = 0; i < topology.services.size(); ++i) {
        const Service &service = topology.services.at(i);
        if (needsIntentions(design, service))
            out.add({QStringLiteral("consul/intentions/%1.json").arg(stems.at(i)), ArtifactKind::Json,
                     intentionsJson(design, service), false});
    }
}

} // namespace mesh::generate
