#pragma once

#include "deploy/desiredstate.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace mesh::deploy {

// What a deploy (or a teardown) would change on one cluster, and the indexes
// it will enforce so that nothing changed by someone else since is
// overwritten. Made by Planner, shown by PlanText, carried out by Deployer.
struct JobChange
{
    enum class Action {
        Create, // no such job yet: registered with EnforceIndex 0
        Update, // the plan's diff is not None: registered, enforcing jobModifyIndex
        None,   // the cluster runs exactly this: nothing is sent
        Stop,   // the design no longer has it: stopped (deregistered)
        Purge,  // teardown: stopped and purged
    };

    QString id;
    Action action = Action::None;
    QJsonObject job;            // Create/Update: the api.Job to register
    QString hcl;                // Create/Update: its jobspec, sent as the Submission
    quint64 jobModifyIndex = 0; // the index the plan saw (0: no job)
    // From POST /v1/job/:id/plan (Create/Update only).
    QJsonObject diff;           // JobDiff
    QJsonObject desiredUpdates; // Annotations.DesiredTGUpdates: group → DesiredUpdates
    QJsonObject failedTGAllocs; // group → AllocationMetric
    QString warnings;
};

// One destination's `service-intentions` entry.
struct IntentionChange
{
    struct Source
    {
        QString name;
        QString oldAction; // empty: added
        QString newAction; // empty: removed
    };

    QString destination;
    QList<Source> sources;    // the design's sources that change (none: unchanged)
    bool exists = false;      // the entry exists now
    quint64 modifyIndex = 0;  // its ModifyIndex (the cas of the write)
    QJsonObject entry;        // the entry to write; empty with deleteEntry
    bool deleteEntry = false; // nothing would remain in it: delete it

    bool changes() const { return !sources.isEmpty(); }
};

struct DeployPlan
{
    QString design;
    QString target; // DeployTarget::describe()
    bool teardown = false;
    QList<JobChange> jobs; // the design's jobs in order, then those to stop
    QList<IntentionChange> intentions;
    // Things the plan will not overwrite: a job or intention source of the
    // same name that this design does not own. A plan with conflicts cannot
    // be applied.
    QStringList conflicts;
    QList<Entrypoint> entrypoints;

    bool hasChanges() const;
    bool hasConflicts() const { return !conflicts.isEmpty(); }
    // Groups Nomad could not place in the dry run, as "job/group".
    QStringList placementFailures() const;
};

QString toString(JobChange::Action action); // "create", "update", "none", "stop", "purge"

} // namespace mesh::deploy
