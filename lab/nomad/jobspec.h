#pragma once

#include "model/topology.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace mesh::lab::nomad {

// What the lab runs for one job: model::Service values (one per task group)
// and the arrows their Connect upstreams make. Ids: a service's id is its
// Consul service name (upstreams name their destination that way, across
// jobs, as Consul resolves them), an arrow's `<from>-to-<to>`.
struct RunModel
{
    QList<model::Service> services;
    QList<model::Upstream> upstreams;
};

// A Nomad job as the lab's server keeps it: the decoded api.Job
// (GoJsonDecoder) turned into what `GET /v1/job/:id` shows.
//
// - canonicalize(): the defaults api.Job.Canonicalize fills in and the
//   Connect admission mutator's injected sidecar task and port
//   (hashicorp/nomad: api/jobs.go, api/tasks.go, api/services.go,
//   nomad/job_endpoint_hook_connect.go). Idempotent: a job read back from
//   the server and registered again is unchanged.
// - validate(): Nomad's validation messages (nomad/structs/structs.go
//   Job.Validate, TaskGroup.Validate, Task.Validate) for what the lab can
//   check, as the list of top-level errors; multierrorText() renders them
//   the way hashicorp/go-multierror does (the body of the 500).
// - runModel(): the stored job as the lab's run model.
class JobSpec final
{
public:
    // What canonicalize() applies: Api is api.Job.Canonicalize alone (what
    // POST /v1/jobs/parse with Canonicalize answers); Registered adds the
    // server's admission mutators (the Connect sidecar task and port), as a
    // registered job is stored.
    enum class Stage { Api, Registered };
    static QJsonObject canonicalize(QJsonObject job, Stage stage = Stage::Registered);
    static QStringList validate(const QJsonObject &job);
    static QString multierrorText(const QStringList &errors);

    // The spec without the fields the server sets (Status, Version, indexes,
    // SubmitTime, Stable, ...): two jobs with equal specs need no new version
    // (nomad/structs/structs.go Job.SpecChanged).
    static QJsonObject specOf(const QJsonObject &job);

    // `job`'s groups as services, and one arrow per Connect upstream. An
    // upstream's destination may be another job's service: its id is the
    // destination's service name either way, so the arrow resolves whenever
    // that service runs.
    static RunModel runModel(const QJsonObject &job);

    // The injected Connect sidecar task of a group service (Kind
    // "connect-proxy:<service>"); the lab runs its own sidecar instead.
    static bool isConnectProxyTask(const QJsonObject &task);

    static constexpr qint64 kSecond = 1'000'000'000;
};

} // namespace mesh::lab::nomad
