#pragma once

#include "deploy/deployplan.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace mesh::deploy {

// A DeployPlan for people and for scripts.
//
// text(): per job what `nomad job plan` prints (hashicorp/nomad:
// command/job_plan.go formatJobDiff, formatDryRun): `+` added, `-` removed,
// `+/-` edited, each edited field as `"old" => "new"` with Nomad's
// annotation ("forces create", "forces create/destroy update"), the groups'
// update counts, the scheduler dry run ("All tasks successfully allocated."
// or the placement failures with their reason) and the Job Modify Index the
// apply enforces; then the intentions per destination, the conflicts, and a
// summary line ("No changes." when there is nothing to do).
//
// json(): the same as one object (jobs with their action, diff, dry run and
// index; intentions; conflicts; hasChanges).
class PlanText final
{
public:
    static QString text(const DeployPlan &plan);
    static QJsonObject json(const DeployPlan &plan);

    // The lines of one job's diff (no trailing newline), as text() shows it.
    static QStringList jobDiffLines(const QJsonObject &jobDiff);
    // "All tasks successfully allocated." or one line per failed group and
    // reason, from FailedTGAllocs (group → AllocationMetric).
    static QStringList dryRunLines(const QJsonObject &failedTGAllocs);
    // One failed group's reasons, e.g. `constraint "missing drivers"
    // filtered 3 nodes`, from an AllocationMetric.
    static QStringList placementReasons(const QJsonObject &metric);
    static QString summary(const DeployPlan &plan);
};

} // namespace mesh::deploy
