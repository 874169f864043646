#include "nomadjob.h"

#include <QHash>

namespace mesh::generate {

namespace {

// Env and Meta are maps in Nomad: a repeated key is one entry, and both the
// HCL parser (an attribute defined twice is an error) and Go's JSON decoder
// (last one wins) need it once.
QList<model::KeyValue> uniqueKeys(const QList<model::KeyValue> &entries)
{
    QList<model::KeyValue> out;
    out.reserve(entries.size());
    QHash<QString, qsizetype> position; // key -> index in out
    for (const model::KeyValue &entry : entries) {
        if (const auto it = position.constFind(entry.key); it != position.constEnd()) {
            out[*it].value = entry.value;
        } else {
            position.insert(entry.key, out.size());
            out.append(entry);
        }
    }
    return out;
}

std::optional<NomadJob::Check> checkOf(const model::Service &service)
{
    if (service.check.kind == model::CheckKind::None)
        return std::nullopt;
    NomadJob::Check check;
    check.type = model::toString(service.check.kind);
    if (service.check.kind == model::CheckKind::Http)
        check.path = service.check.path;
    check.intervalMs = service.check.intervalMs;
    check.timeoutMs = service.check.timeoutMs;
    // Consul runs checks from its agent, outside the allocation's network
    // namespace, and a bridge-mode Connect service's own port is not
    // published on the host (hashicorp/nomad:
    // client/serviceregistration/address.go, GetAddress): a
    // plain HTTP check could never pass. `expose = true` makes Nomad add an
    // Envoy expose path for the check's path on a dynamic host port
    // (Nomad's expose-check hook; http and grpc checks only). TCP checks
    // cannot be exposed; they reach the app when `port` is a mapped label.
    check.expose = service.check.kind == model::CheckKind::Http && service.connectSidecar
                   && service.networkMode == model::NetworkMode::Bridge;
    return check;
}

} // namespace

NomadJob NomadJob::fromTopology(const model::TopologyIndex &design, QStringView job)
{
    NomadJob out;
    out.id = job.toString();
    out.datacenters = {design.topology().settings.datacenter};

    for (const model::Service *s : design.servicesOfJob(out.id)) {
        Group group;
        group.name = s->group;
        group.count = s->count;
        group.networkMode = model::toString(s->networkMode);
        for (const model::PortMapping &p : s->ports)
            group.ports.append({p.label, p.staticPort, p.to});

        Service &service = group.service;
        service.name = s->name;
        service.portLabel = s->port;
        service.tags = s->tags;
        service.meta = uniqueKeys(s->meta);
        service.check = checkOf(*s);
        service.sidecar = s->connectSidecar;
        if (service.sidecar) {
            // Consul points the sidecar at 127.0.0.1:<registered port>, and a
            // label registers the *host* port (hashicorp/nomad:
            // client/serviceregistration/address.go):
            // with a label mapped `to` another port, say where the app is.
            if (const model::PortMapping *mapping = s->portMapping(s->port);
                mapping && mapping->to > 0 && s->networkMode == model::NetworkMode::Bridge)
                service.localServicePort = mapping->to;
            for (const model::Upstream *u : design.upstreamsFrom(s->id)) {
                const model::Service *destination = design.service(u->destination);
                if (!destination)
                    continue;
                service.upstreams.append({destination->name, u->localBindPort, u->localBindAddress});
            }
        }

        Task &task = group.task;
        task.name = s->task;
        task.driver = model::toString(s->driver);
        if (s->driver == model::Driver::Docker)
            task.image = s->image;
        task.command = s->command;
        task.args = s->args;
        task.env = uniqueKeys(s->env);
        task.cpu = s->resources.cpuMhz;
        task.memoryMb = s->resources.memoryMb;

        out.groups.append(std::move(group));
    }
    return out;
}

} // namespace mesh::generate
