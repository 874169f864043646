#include "nomadjobgenerator.h"

#include "core/jsonwriter.h"
#include "hclwriter.h"
#include "nomadjob.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace mesh::generate {

namespace {

using Body = HclWriter::Body;

// The seed's layout (and `nomad fmt`'s habit): attributes first, a blank
// line before every block that follows something and between blocks.
Body &section(Body &parent, QStringView type, const QStringList &labels = {})
{
    if (!parent.isEmpty())
        parent.blankLine();
    return parent.block(type, labels);
}

// `env { KEY = "v" }` as the seed writes it when every key is an HCL
// identifier; otherwise the map form `env = { "a.b" = "v" }`, which Nomad's
// docs give for keys such as `discovery.type` (a block body only takes
// identifiers). Empty maps are left out.
void keyValues(Body &parent, QStringView name, const QList<model::KeyValue> &entries)
{
    if (entries.isEmpty())
        return;
    const bool identifiers = std::all_of(entries.begin(), entries.end(),
                                         [](const model::KeyValue &e) { return HclWriter::isIdentifier(e.key); });
    if (identifiers) {
        Body &block = section(parent, name);
        for (const model::KeyValue &e : entries)
            block.attribute(e.key, HclWriter::string(e.value));
        return;
    }
    QList<std::pair<QString, QString>> object;
    object.reserve(entries.size());
    for (const model::KeyValue &e : entries)
        object.append({e.key, HclWriter::string(e.value)});
    if (!parent.isEmpty())
        parent.blankLine();
    parent.attribute(name, HclWriter::object(object));
}

void writeHclGroup(Body &job, const NomadJob::Group &g)
{
    Body &group = section(job, u"group", {g.name});
    // Count 1 is Nomad's default and the seed's dashboard leaves it out;
    // writing only a count that differs keeps the file as a person writes it.
    if (g.count != 1)
        group.attribute(u"count", HclWriter::number(g.count));

    Body &network = section(group, u"network");
    network.attribute(u"mode", HclWriter::string(g.networkMode));
    for (const NomadJob::Port &p : g.ports) {
        Body &port = section(network, u"port", {p.label});
        if (p.value != 0)
            port.attribute(u"static", HclWriter::number(p.value));
        if (p.to != 0)
            port.attribute(u"to", HclWriter::number(p.to));
    }

    const NomadJob::Service &s = g.service;
    Body &service = section(group, u"service");
    service.attribute(u"name", HclWriter::string(s.name));
    if (!s.portLabel.isEmpty())
        service.attribute(u"port", HclWriter::string(s.portLabel));
    if (!s.tags.isEmpty())
        service.attribute(u"tags", HclWriter::stringList(s.tags));
    keyValues(service, u"meta", s.meta);
    if (s.check) {
        Body &check = section(service, u"check");
        check.attribute(u"type", HclWriter::string(s.check->type));
        if (!s.check->path.isEmpty())
            check.attribute(u"path", HclWriter::string(s.check->path));
        check.attribute(u"interval", HclWriter::string(NomadJobGenerator::goDuration(s.check->intervalMs)));
        check.attribute(u"timeout", HclWriter::string(NomadJobGenerator::goDuration(s.check->timeoutMs)));
        if (s.check->expose)
            check.attribute(u"expose", HclWriter::boolean(true));
    }
    if (s.sidecar) {
        Body &sidecar = section(service, u"connect").block(u"sidecar_service");
        if (s.localServicePort != 0 || !s.upstreams.isEmpty()) {
            Body &proxy = sidecar.block(u"proxy");
            if (s.localServicePort != 0)
                proxy.attribute(u"local_service_port", HclWriter::number(s.localServicePort));
            for (const NomadJob::Upstream &u : s.upstreams) {
                Body &upstream = section(proxy, u"upstreams");
                upstream.attribute(u"destination_name", HclWriter::string(u.destinationName));
                upstream.attribute(u"local_bind_port", HclWriter::number(u.localBindPort));
                if (!u.localBindAddress.isEmpty())
                    upstream.attribute(u"local_bind_address", HclWriter::string(u.localBindAddress));
            }
        }
    }

    const NomadJob::Task &t = g.task;
    Body &task = section(group, u"task", {t.name});
    task.attribute(u"driver", HclWriter::string(t.driver));
    Body &config = section(task, u"config");
    if (!t.image.isEmpty())
        config.attribute(u"image", HclWriter::string(t.image));
    if (!t.command.isEmpty())
        config.attribute(u"command", HclWriter::string(t.command));
    if (!t.args.isEmpty())
        config.attribute(u"args", HclWriter::stringList(t.args));
    keyValues(task, u"env", t.env);
    if (t.cpu != 0 || t.memoryMb != 0) {
        Body &resources = section(task, u"resources");
        if (t.cpu != 0)
            resources.attribute(u"cpu", HclWriter::number(t.cpu));
        if (t.memoryMb != 0)
            resources.attribute(u"memory", HclWriter::number(t.memoryMb));
    }
}

void stringMap(JsonWriter &w, QStringView name, const QList<model::KeyValue> &entries)
{
    if (entries.isEmpty())
        return;
    w.key(name).beginObject();
    for (const model::KeyValue &e : entries)
        w.field(e.key, QStringView(e.value)); // always strings: Nomad 400s on numbers
    w.endObject();
}

void jsonPorts(JsonWriter &w, QStringView name, const QList<NomadJob::Port> &ports, bool reserved)
{
    const bool any
        = std::any_of(ports.begin(), ports.end(), [&](const NomadJob::Port &p) { return p.reserved() == reserved; });
    if (!any)
        return;
    w.key(name).beginArray();
    for (const NomadJob::Port &p : ports) {
        if (p.reserved() != reserved)
            continue;
        w.beginObject().field(u"Label", QStringView(p.label)).field(u"Value", p.value).field(u"To", p.to).endObject();
    }
    w.endArray();
}

constexpr qint64 kNanosPerMilli = 1'000'000;

void writeJsonGroup(JsonWriter &w, const NomadJob::Group &g)
{
    w.beginObject();
    w.field(u"Name", QStringView(g.name));
    w.field(u"Count", g.count);

    // jobspec2 moves every port with `static` into ReservedPorts with
    // Value = static; the rest are DynamicPorts (hashicorp/nomad:
    // jobspec2/parse_job.go, normalizeNetworkPorts).
    w.key(u"Networks").beginArray().beginObject();
    w.field(u"Mode", QStringView(g.networkMode));
    jsonPorts(w, u"ReservedPorts", g.ports, true);
    jsonPorts(w, u"DynamicPorts", g.ports, false);
    w.endObject().endArray();

    const NomadJob::Service &s = g.service;
    w.key(u"Services").beginArray().beginObject();
    w.field(u"Name", QStringView(s.name));
    if (!s.portLabel.isEmpty())
        w.field(u"PortLabel", QStringView(s.portLabel));
    if (!s.tags.isEmpty())
        w.key(u"Tags").stringArray(s.tags);
    stringMap(w, u"Meta", s.meta);
    if (s.check) {
        w.key(u"Checks").beginArray().beginObject();
        w.field(u"Type", QStringView(s.check->type));
        if (!s.check->path.isEmpty())
            w.field(u"Path", QStringView(s.check->path));
        w.field(u"Interval", s.check->intervalMs * kNanosPerMilli);
        w.field(u"Timeout", s.check->timeoutMs * kNanosPerMilli);
        if (s.check->expose)
            w.field(u"Expose", true);
        w.endObject().endArray();
    }
    if (s.sidecar) {
        // Must be a non-null object: an empty Connect is refused ("Consul
        // Connect must be native or use a sidecar service"; hashicorp/nomad:
        // nomad/structs/services.go, ConsulConnect.Validate).
        w.key(u"Connect").beginObject().key(u"SidecarService").beginObject();
        if (s.localServicePort != 0 || !s.upstreams.isEmpty()) {
            w.key(u"Proxy").beginObject();
            if (s.localServicePort != 0)
                w.field(u"LocalServicePort", s.localServicePort);
            if (!s.upstreams.isEmpty()) {
                w.key(u"Upstreams").beginArray();
                for (const NomadJob::Upstream &u : s.upstreams) {
                    w.beginObject();
                    w.field(u"DestinationName", QStringView(u.destinationName));
                    w.field(u"LocalBindPort", u.localBindPort);
                    if (!u.localBindAddress.isEmpty())
                        w.field(u"LocalBindAddress", QStringView(u.localBindAddress));
                    w.endObject();
                }
                w.endArray();
            }
            w.endObject();
        }
        w.endObject().endObject();
    }
    w.endObject().endArray();

    const NomadJob::Task &t = g.task;
    w.key(u"Tasks").beginArray().beginObject();
    w.field(u"Name", QStringView(t.name));
    w.field(u"Driver", QStringView(t.driver));
    // Driver config keeps the driver's own (jobspec) key names.
    w.key(u"Config").beginObject();
    if (!t.image.isEmpty())
        w.field(u"image", QStringView(t.image));
    if (!t.command.isEmpty())
        w.field(u"command", QStringView(t.command));
    if (!t.args.isEmpty())
        w.key(u"args").stringArray(t.args);
    w.endObject();
    stringMap(w, u"Env", t.env);
    if (t.cpu != 0 || t.memoryMb != 0) {
        w.key(u"Resources").beginObject();
        if (t.cpu != 0)
            w.field(u"CPU", t.cpu);
        if (t.memoryMb != 0)
            w.field(u"MemoryMB", t.memoryMb);
        w.endObject();
    }
    w.endObject().endArray();

    w.endObject();
}

} // namespace

QString NomadJobGenerator::hcl(const NomadJob &job)
{
    HclWriter writer;
    Body &body = writer.root().block(u"job", {job.id});
    body.attribute(u"datacenters", HclWriter::stringList(job.datacenters));
    keyValues(body, u"meta", job.meta);
    for (const NomadJob::Group &group : job.groups)
        writeHclGroup(body, group);
    return writer.text();
}

QString NomadJobGenerator::json(const NomadJob &job)
{
    JsonWriter w;
    w.beginObject().key(u"Job").beginObject();
    w.field(u"ID", QStringView(job.id));
    w.field(u"Name", QStringView(job.id));
    w.field(u"Type", QStringView(u"service"));
    w.key(u"Datacenters").stringArray(job.datacenters);
    if (!job.meta.isEmpty())
        stringMap(w, u"Meta", job.meta);
    w.key(u"TaskGroups").beginArray();
    for (const NomadJob::Group &group : job.groups)
        writeJsonGroup(w, group);
    w.endArray();
    w.endObject().endObject();
    return w.text();
}

QString NomadJobGenerator::hcl(const model::TopologyIndex &design, QStringView job)
{
    return hcl(NomadJob::fromTopology(design, job));
}

QString NomadJobGenerator::json(const model::TopologyIndex &design, QStringView job)
{
    return json(NomadJob::fromTopology(design, job));
}

void NomadJobGenerator::addArtifacts(const model::TopologyIndex &design, ArtifactSet &artifacts)
{
    // Stems compared lowercased: "Web" and "web" would be one file on a
    // case-insensitive file system (a Vagrant synced folder on macOS).
    QSet<QString> used;
    QHash<QString, int> nextSuffix; // numbering resumes per base: one probe per name
    for (const QString &name : design.jobNames()) {
        // Two names can share a stem ("a/b", "a_b"); number the later ones.
        const QString base = fileStem(name);
        QString stem = base;
        int &next = nextSuffix[base.toLower()];
        for (int n = std::max(next, 2); used.contains(stem.toLower()); ++n) {
            stem = base + u'-' + QString::number(n);
            next = n + 1;
        }
        used.insert(stem.toLower());

        const NomadJob job = NomadJob::fromTopology(design, name);
        artifacts.add({u"nomad/" + stem + u".nomad.hcl", ArtifactKind::Hcl, hcl(job), false});
        artifacts.add({u"nomad/" + stem + u".json", ArtifactKind::Json, json(job), false});
    }
}

QString NomadJobGenerator::fileStem(QStringView job)
{
    if (job.isEmpty())
        return QStringLiteral("job");
    QString stem;
    stem.reserve(job.size());
    for (QChar c : job) {
        const char16_t u = c.unicode();
        const bool safe = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'.'
                          || u == u'_' || u == u'-';
        stem += safe ? c : QChar(u'_');
    }
    return stem;
}

QString NomadJobGenerator::goDuration(qint64 milliseconds)
{
    if (milliseconds % 1000 == 0)
        return QString::number(milliseconds / 1000) + u's';
    return QString::number(milliseconds) + u"ms";
}

} // namespace mesh::generate
