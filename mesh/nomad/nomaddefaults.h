#pragma once

#include <QJsonObject>

namespace mesh::nomad {

// The defaults Nomad's api.Job.Canonicalize fills into a job, in the API's
// JSON form (durations in nanoseconds): one table for the lab, which fills
// them in as the server does, and for import, which must not report a value
// equal to them as lost.
class NomadDefaults final
{
public:
    static constexpr qint64 kSecond = 1'000'000'000;
    static constexpr qint64 kMinute = 60 * kSecond;

    // hashicorp/nomad: api/jobs.go DefaultUpdateStrategy.
    static QJsonObject updateStrategy();
    // api/tasks.go NewRestartPolicy: service jobs restart twice in 30
    // minutes, others 3 times in 24 hours; 15 s apart, then fail.
    static QJsonObject restartPolicy(bool serviceJob);
    // api/tasks.go NewDefaultReschedulePolicy for service jobs: forever,
    // exponential backoff from 30 s to 1 h.
    static QJsonObject reschedulePolicy();
    // api/tasks.go DefaultMigrateStrategy.
    static QJsonObject migrateStrategy();
};

} // namespace mesh::nomad
