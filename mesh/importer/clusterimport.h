#pragma once

#include "core/result.h"
#include "importer/jobimporter.h"

#include <QPointer>
#include <QString>
#include <QStringList>

#include <QCoro/QCoroTask>

#include <chrono>

namespace mesh::api {
class CancelToken;
}
namespace mesh::consul {
class ConsulClient;
}
namespace mesh::nomad {
class NomadClient;
}

namespace mesh::importer {

// A running cluster → a design, as `meshpad import -target T` and File ›
// Import from Cluster… do it: the jobs Nomad lists (GET /v1/jobs), each read
// whole (GET /v1/job/:id) with the HCL it was submitted with, if Nomad kept
// it (GET /v1/job/:id/submission, Nomad 1.6+: only for the order of env and
// meta, which the JSON job has lost), the intentions Consul has (GET
// /v1/config/service-intentions), all imported together with JobImporter.
//
// Which jobs:
// - service jobs only — batch, sysbatch and system jobs are left out with a
//   note each (Meshpad designs long-running mesh services; a job it
//   generates is a service job); children of periodic or parameterized
//   jobs (ParentID set) are left out without one, their parent's note says
//   it;
// - stopped jobs (`nomad job stop`: Stop is true) are left out with a note,
//   since the design would otherwise bring back what someone took down;
//   a job stopped on its own (Status "dead" with Stop false: all its
//   allocations failed or finished) is still wanted and is imported;
// - with Options::jobIds, exactly those jobs, whatever their type or state
//   (a person who names a job wants it): an ID Nomad does not have is an
//   error.
// Meshpad's own ownership marks (Meta meshpad.design / meshpad.version on
// jobs and entries, the Description of intention sources it wrote) are not
// design content and are taken out before importing; the design is named
// after the one design they name, if all imported jobs name the same one.
//
// Errors stop everything (no design): the cluster unreachable, a refusal
// (403: which token lacks which permission), a body that is not what the
// API promises, the whole import taking longer than Options::timeout. Each
// message names the target. The clients are not owned and must outlive the
// import; it runs on their thread.
class ClusterImport final
{
public:
    struct Options
    {
        QStringList jobIds; // empty: every service job
        // The whole import, every request and retry included.
        std::chrono::milliseconds timeout{std::chrono::seconds(60)};
        QPointer<api::CancelToken> cancel; // optional: the caller gives up
        // For messages: "lab (Consul http://…, Nomad http://…)".
        QString targetName;
    };

    ClusterImport(consul::ConsulClient *consul, nomad::NomadClient *nomad);

    QCoro::Task<Result<JobImporter::Result>> run(Options options);

private:
    consul::ConsulClient *m_consul;
    nomad::NomadClient *m_nomad;
};

} // namespace mesh::importer
