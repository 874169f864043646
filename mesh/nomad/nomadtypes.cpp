#include "nomadtypes.h"

#include "api/jsonfields.h"

using namespace Qt::StringLiterals;

namespace mesh::nomad {

using api::JsonFields;

Result<JobRegisterResponse> JobRegisterResponse::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    JobRegisterResponse r;
    r.evalID = f.string("EvalID"_L1);
    r.evalCreateIndex = f.unsignedInteger("EvalCreateIndex"_L1);
    r.jobModifyIndex = f.unsignedInteger("JobModifyIndex"_L1);
    r.warnings = f.string("Warnings"_L1);
    r.raw = f.raw();
    return f.finish(r);
}

Result<Deployment> Deployment::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    Deployment d;
    d.id = f.string("ID"_L1);
    d.jobID = f.string("JobID"_L1);
    d.jobVersion = f.unsignedInteger("JobVersion"_L1);
    d.status = f.string("Status"_L1);
    d.statusDescription = f.string("StatusDescription"_L1);
    d.modifyIndex = f.unsignedInteger("ModifyIndex"_L1);
    const QJsonObject groups = f.object("TaskGroups"_L1);
    for (auto it = groups.begin(); it != groups.end() && f.ok(); ++it) {
        JsonFields g(it.value(), u"TaskGroups."_s + it.key());
        DeploymentState s;
        s.desiredTotal = int(g.integer("DesiredTotal"_L1));
        s.desiredCanaries = int(g.integer("DesiredCanaries"_L1));
        s.placedAllocs = int(g.integer("PlacedAllocs"_L1));
        s.healthyAllocs = int(g.integer("HealthyAllocs"_L1));
        s.unhealthyAllocs = int(g.integer("UnhealthyAllocs"_L1));
        s.promoted = g.boolean("Promoted"_L1);
        s.autoRevert = g.boolean("AutoRevert"_L1);
        if (!g.ok())
            f.take(g.error());
        d.taskGroups.insert(it.key(), s);
    }
    d.raw = f.raw();
    return f.finish(d);
}

Result<Evaluation> Evaluation::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    Evaluation e;
    e.id = f.string("ID"_L1);
    e.jobID = f.string("JobID"_L1);
    e.status = f.string("Status"_L1);
    e.statusDescription = f.string("StatusDescription"_L1);
    e.deploymentID = f.string("DeploymentID"_L1);
    e.blockedEval = f.string("BlockedEval"_L1);
    e.failedTGAllocs = f.object("FailedTGAllocs"_L1);
    e.modifyIndex = f.unsignedInteger("ModifyIndex"_L1);
    e.raw = f.raw();
    return f.finish(e);
}

Result<AllocationListStub> AllocationListStub::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    AllocationListStub a;
    a.id = f.string("ID"_L1);
    a.name = f.string("Name"_L1);
    a.nodeID = f.string("NodeID"_L1);
    a.nodeName = f.string("NodeName"_L1);
    a.jobID = f.string("JobID"_L1);
    a.taskGroup = f.string("TaskGroup"_L1);
    a.desiredStatus = f.string("DesiredStatus"_L1);
    a.clientStatus = f.string("ClientStatus"_L1);
    a.clientDescription = f.string("ClientDescription"_L1);
    a.modifyIndex = f.unsignedInteger("ModifyIndex"_L1);
    const QJsonObject states = f.object("TaskStates"_L1);
    for (auto it = states.begin(); it != states.end() && f.ok(); ++it) {
        JsonFields t(it.value(), u"TaskStates."_s + it.key());
        TaskState s;
        s.state = t.string("State"_L1);
        s.failed = t.boolean("Failed"_L1);
        s.restarts = t.unsignedInteger("Restarts"_L1);
        const QJsonArray events = t.array("Events"_L1);
        if (!events.isEmpty())
            s.lastEventMessage = events.last().toObject().value("DisplayMessage"_L1).toString();
        if (!t.ok())
            f.take(t.error());
        a.taskStates.insert(it.key(), s);
    }
    if (f.has("DeploymentStatus"_L1)) {
        JsonFields ds(f.value("DeploymentStatus"_L1), u"DeploymentStatus"_s);
        if (ds.has("Healthy"_L1))
            a.deploymentHealthy = ds.boolean("Healthy"_L1);
        if (!ds.ok())
            f.take(ds.error());
    }
    a.raw = f.raw();
    return f.finish(a);
}

} // namespace mesh::nomad
