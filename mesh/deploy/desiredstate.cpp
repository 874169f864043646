#include "desiredstate.h"

#include "deploy/ownership.h"
#include "generate/consulgenerator.h"
#include "generate/nomadjob.h"
#include "generate/nomadjobgenerator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace Qt::StringLiterals;

namespace mesh::deploy {

DesiredState DesiredState::fromTopology(const model::Topology &topology, const QString &design)
{
    DesiredState out;
    out.design = design;

    const QJsonObject owner = Ownership::meta(design);
    const model::TopologyIndex index(topology);
    for (const QString &name : index.jobNames()) {
        generate::NomadJob nomadJob = generate::NomadJob::fromTopology(index, name);
        for (auto it = owner.begin(); it != owner.end(); ++it)
            nomadJob.meta.append({it.key(), it.value().toString()});
        const QJsonObject job = QJsonDocument::fromJson(generate::NomadJobGenerator::json(nomadJob).toUtf8())
                                    .object()
                                    .value(u"Job"_s)
                                    .toObject();
        out.jobHcl.insert(nomadJob.id, generate::NomadJobGenerator::hcl(nomadJob));
        out.jobs.append(job);
    }

    for (const model::Service &service : topology.services) {
        if (service.name.isEmpty() || out.intentions.contains(service.name)
            || !generate::ConsulGenerator::needsIntentions(index, service))
            continue;
        const QJsonObject entry
            = QJsonDocument::fromJson(generate::ConsulGenerator::intentionsJson(index, service).toUtf8()).object();
        QList<IntentionSource> sources;
        for (const QJsonValue &s : entry.value(u"Sources"_s).toArray())
            sources.append({s.toObject().value(u"Name"_s).toString(), s.toObject().value(u"Action"_s).toString()});
        out.intentions.insert(service.name, sources);
    }

    QSet<model::ServiceId> called;
    for (const model::Upstream &upstream : topology.upstreams)
        called.insert(upstream.destination);
    for (const model::Service &service : topology.services) {
        if (service.external || called.contains(service.id) || service.port.isEmpty() || service.job.isEmpty())
            continue;
        // The published port: the group network's port of that label, or
        // the one mapped to that number inside the allocation (the seed's
        // dashboard: `port = "9002"` served through `port "http" { to = 9002 }`).
        QString label;
        if (service.portMapping(service.port)) {
            label = service.port;
        } else {
            bool isNumber = false;
            const int number = service.port.toInt(&isNumber);
            for (const model::PortMapping &mapping : service.ports) {
                if (isNumber && label.isEmpty()
                    && (mapping.to == number || (mapping.to == 0 && mapping.staticPort == number)))
                    label = mapping.label;
            }
        }
        if (!label.isEmpty())
            out.entrypoints.append({service.name, service.job, service.group, label});
    }
    return out;
}

DesiredState DesiredState::nothing(const QString &design)
{
    DesiredState out;
    out.design = design;
    return out;
}

QJsonObject DesiredState::job(const QString &id) const
{
    for (const QJsonObject &job : jobs) {
        if (job.value(u"ID"_s).toString() == id)
            return job;
    }
    return {};
}

} // namespace mesh::deploy
