#pragma once

#include "core/result.h"
#include "model/topology.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace mesh::importer {

// One problem or loss found while importing, for a person: `where` names the
// path inside the job ("group \"api\" › task \"counter\" › Templates"),
// `message` what happened ("not imported").
struct ImportNote
{
    QString job; // the job's ID; empty for a note about intentions
    QString where;
    QString message;
    // "job counter: group \"api\" › task \"counter\" › Templates: not imported"
    QString text() const;
    friend bool operator==(const ImportNote &, const ImportNote &) = default;
};

// A job and the order its maps' keys had in the text it came from.
// QJsonObject iterates keys sorted, but Meshpad keeps env and meta in the
// order the user gave them and writes them that way (NomadJobGenerator), so
// a job read with readJob() keeps that order where a bare QJsonObject
// cannot. Nomad itself keeps no order (Go maps): a job read from a cluster
// has its keys sorted either way.
struct JobSource
{
    QJsonObject job;
    // Keys of the job's objects in text order, by JSON pointer from the job
    // ("/TaskGroups/0/Tasks/0/Env" → {"PORT", "COUNTING_SERVICE_URL"}).
    // Objects without an entry iterate in QJsonObject's (sorted) order.
    QHash<QString, QStringList> keyOrder;
};

// Nomad jobs (in the HTTP API's JSON form: what GET /v1/job/:id returns and
// what /v1/jobs/parse makes of a jobspec) and Consul intentions (the
// `service-intentions` config entries) → a design.
//
// - One service per task group that has a group service: its job, group and
//   task names kept, id = the Consul service name. Meshpad draws one service
//   per group, so a group's first Connect service (else its first service)
//   is imported and any other is reported; a group without services is
//   reported and left out. Non-Connect services import with the sidecar off.
// - The task is the service's TaskName, else the group's first task that is
//   not Nomad's injected Connect proxy; other tasks are reported.
// - Drivers exec, raw_exec and docker import as such; any other driver is
//   reported and imported as exec, keeping command and args.
// - An arrow per `sidecar_service.proxy.upstreams` entry, id
//   "<from>-to-<to>" as TopologyModel makes them; a destination no imported
//   job defines becomes an external service (drawn and given intentions, no
//   job).
// - Everything Meshpad does not model is an ImportNote, never silently
//   dropped; values equal to Nomad's defaults (as a canonicalized job from a
//   cluster carries them), server-managed fields, what Nomad's Connect and
//   expose-check hooks inject, and Meshpad's own ownership marks are not
//   losses.
// - Resources: a task with CPU 100 / MemoryMB 300 imports as 0 ("Nomad's
//   default", which the generators leave out) when the job is canonicalized
//   (it carries a Priority: the server and /v1/jobs/parse with Canonicalize
//   fill one in, Meshpad never writes one); an explicit 100/300 in a job
//   Meshpad generated stays as written.
// - Keys are matched as Nomad writes them (its Go field names, "PortLabel");
//   Nomad's decoder also takes other cases ("portlabel"), this does not.
// - The template (Counter, Dashboard, Docker, Generic) follows the palette's
//   presets: see templateOf().
// Positions are left at (0, 0) and the design name empty: the caller lays
// the design out and names it. Never fails: a job missing what Meshpad needs
// imports what it has and says what it lacked.
class JobImporter final
{
public:
    struct Result
    {
        model::Topology design;
        QList<ImportNote> notes;
    };

    // `jobs`: API-form Job objects (not wrapped in {"Job": …}), imported in
    // this order. `intentions`: service-intentions config entries (Kind,
    // Name, Sources [{Name, Action}]); an arrow whose source/destination pair
    // an entry names takes its Action; other arrows are allow. `*` sources
    // set the design's default policy when they say one thing for every
    // service (or in a `*` → `*` entry), and are reported otherwise.
    static Result importJobs(const QList<JobSource> &jobs, const QList<QJsonObject> &intentions = {});
    static Result importJobs(const QList<QJsonObject> &jobs, const QList<QJsonObject> &intentions = {});

    // A job from JSON text: a bare Job (GET /v1/job/:id, /v1/jobs/parse) or
    // a register body {"Job": …} (Meshpad's nomad/<job>.json), with the key
    // order of its objects. Fails on text that is not a JSON object.
    static mesh::Result<JobSource> readJob(const QByteArray &json);

    // Which palette template a service looks like: the demo counter or
    // dashboard when an exec/raw_exec task runs a program named `counter` /
    // `dashboard` (the presets run /vagrant/apps/bin/<name>), Docker for the
    // docker driver, else Generic. Mirrors app/gui/canvas/servicetemplates.cpp,
    // which `mesh` cannot depend on.
    static model::ServiceTemplate templateOf(const model::Service &service);
};

} // namespace mesh::importer
