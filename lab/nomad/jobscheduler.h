#pragma once

#include "model/topology.h"

#include <QList>
#include <QString>

namespace mesh::lab::nomad {

// What the lab's Nomad server (NomadState) asks of the runtime that really
// runs allocations (LabRuntime, or a fake in tests). Called on NomadState's
// thread; implementations must not call back into NomadState from inside
// these calls (queue the reports instead).
//
// The contract, both ways:
//   1. NomadState calls placeJob() after a register whose spec changed (a
//      new job version). `services` are the job's task groups as the lab's
//      run model (JobSpec::runModel); a group that cannot be placed (see
//      NomadState::plan) is left out, and a group whose count only partly
//      fits comes with the count that fits. `upstreams` are the arrows out
//      of these services; a destination id is a Consul service name, which
//      may belong to another job. An earlier version of the job is replaced:
//      stop its allocations and report them stopped.
//   2. The runtime places each instance and reports back on NomadState,
//      with its own allocation ids (LabRuntime's Placement already makes a
//      UUID per allocation; NomadState never invents alloc ids):
//        allocationPlaced()  once, with node and host ports;
//        taskEvent()         Received, Task Setup, Started, Terminated,
//                            Restarting, Not Restarting, Driver Failure,
//                            Killing, Killed — as Nomad's task runner emits;
//        allocationHealth()  healthy / unhealthy (what Nomad's health
//                            watcher decides from the checks);
//        allocationStopped() when the allocation is gone.
//   3. stopJob() after a deregister (with or without purge): stop every
//      allocation of the job and report each stopped.
class JobScheduler
{
public:
    virtual ~JobScheduler() = default;

    virtual void placeJob(const QString &jobId, quint64 version, const QList<model::Service> &services,
                          const QList<model::Upstream> &upstreams)
        = 0;
    virtual void stopJob(const QString &jobId) = 0;
};

} // namespace mesh::lab::nomad
