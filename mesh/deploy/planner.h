#pragma once

#include "core/result.h"
#include "deploy/deployplan.h"
#include "deploy/desiredstate.h"

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <QCoro/QCoroTask>

namespace mesh::api {
class CancelToken;
}
namespace mesh::consul {
class ConsulClient;
}
namespace mesh::nomad {
class NomadClient;
}

namespace mesh::deploy {

// Compares what a design wants (DesiredState) with what a cluster has and
// says what a deploy would change — without changing anything:
// - per job of the design, Nomad's own plan (POST /v1/job/:id/plan with
//   Diff, as `nomad job plan` does): the diff, the scheduler's dry run and
//   the JobModifyIndex to enforce; a job Nomad shows as Type "None" needs
//   nothing, so a plan right after a deploy shows no changes;
// - jobs this design owns (Ownership) that it no longer has: to stop; for a
//   teardown every job it owns: to stop and purge;
// - per destination, the intention sources added, removed or flipped,
//   leaving sources of other owners exactly as they are;
// - conflicts: a job or intention source of the same name that another
//   owner (or no Meshpad design) wrote.
// The clients are not owned and must outlive the plan.
class Planner final
{
public:
    Planner(consul::ConsulClient *consul, nomad::NomadClient *nomad);

    QCoro::Task<Result<DeployPlan>> plan(DesiredState desired, bool teardown = false,
                                         QPointer<api::CancelToken> cancel = {});

    // The intentions half, from the cluster's `service-intentions` entries
    // (GET /v1/config/service-intentions); pure, so it is tested on its own.
    static QList<IntentionChange> planIntentions(const DesiredState &desired, const QList<QJsonObject> &entries,
                                                 QStringList *conflicts);

private:
    consul::ConsulClient *m_consul;
    nomad::NomadClient *m_nomad;
};

} // namespace mesh::deploy
