#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace mesh::deploy {

// One step of applying a plan and watching it, as the CLI prints it (a line,
// or one JSON object per line with -json) and the Deploy dialog shows it.
struct DeployEvent
{
    enum class Kind {
        IntentionWritten, // job: empty; text: the destination's sources
        IntentionDeleted,
        JobRegistered, // text: evaluation ID
        JobStopped,
        Evaluated,         // the scheduler finished the job's evaluation
        PlacementFailed,   // group could not be placed; text: the reasons
        Progress,          // group: desired / placed / healthy / unhealthy
        AllocationProblem, // alloc (+ task): what Nomad recorded
        JobSucceeded,
        JobFailed, // text: why
        Endpoint,  // service, url
        ServiceDeregistered,
        Detached, // stopped watching; the cluster goes on
    };

    Kind kind = Kind::Progress;
    QString job;
    QString group;
    QString service;
    QString alloc; // "<short id> (<alloc name>)"
    QString task;
    QString text;
    QString url;
    int desired = 0;
    int placed = 0;
    int healthy = 0;
    int unhealthy = 0;

    // {"event": "<kind>", "job", ... } with empty fields left out.
    QJsonObject toJson() const;
    // One line for a person, e.g.
    // `countdash/api: 2 of 3 healthy (3 placed, 0 unhealthy)`.
    QString toText() const;
};

QString toString(DeployEvent::Kind kind); // "intention-written", "progress", …

} // namespace mesh::deploy

Q_DECLARE_METATYPE(mesh::deploy::DeployEvent)
