#pragma once

#include <QJsonObject>
#include <QString>

namespace mesh::lab::nomad {

// The plan endpoint's job diff, as nomad/structs/diff.go computes it with
// contextual = true (what Job.Plan asks for), over the stored JSON form:
// - a job, group or task's own primitive fields are flattened (maps such as
//   Env and Meta as `Env[PORT]`) and compared, reporting only changes;
// - nested blocks become ObjectDiffs named as Nomad names them (Network,
//   Dynamic Port, Static Port, Service, Check, ConsulConnect,
//   SidecarService, ConsulProxy, ConsulUpstreams, Resources, LogConfig,
//   RestartPolicy, Update, Config, ...), listing all their fields once any
//   changed (contextual); list elements pair up by Name/Label/
//   DestinationName; Datacenters and Tags compare as string sets;
// - groups and tasks pair by name; Type is Added/Deleted/Edited/None, and a
//   job whose spec is unchanged diffs to Type None with no field diffs.
// Fields, objects, groups and tasks are sorted by name, as Nomad sorts them.
// Not every corner of diff.go is reproduced (e.g. networks pair by position,
// not by hash); the fields the lab's jobs use are.
class JobDiff final
{
public:
    // `oldJob` empty: the job is new (Added). Both are job specs
    // (JobSpec::specOf), so server-set fields do not show.
    static QJsonObject diff(const QJsonObject &oldJob, const QJsonObject &newJob, const QString &jobId);

    // Whether a TaskGroupDiff replaces allocations (a task, network or
    // service changed) or updates them in place (anything else but Count).
    static bool isDestructive(const QJsonObject &groupDiff);
    static bool isInPlace(const QJsonObject &groupDiff);
};

} // namespace mesh::lab::nomad
