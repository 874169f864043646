#pragma once

#include "apps/http/httptypes.h"
#include "lab/blockingqueries.h"
#include "nomadstate.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>

#include <chrono>
#include <memory>

class QTimer;

namespace mesh::lab::nomad {

// Nomad's HTTP API over a NomadState, for one lab node's agent on
// ADDR:4646 (plug handle() into that node's apps::http::HttpServer, with
// Limits::bufferBodyBytes > 0 so job bodies arrive). Same thread as the
// state and the server.
//
// Endpoints (hashicorp/nomad command/agent/*_endpoint.go):
//   GET  /v1/status/leader, /v1/agent/self, /v1/nodes, /v1/node/:id
//   GET  /v1/jobs[?prefix=]                      [JobListStub]
//   PUT|POST /v1/jobs, /v1/job/:id               register (JobRegisterRequest)
//   PUT|POST /v1/jobs/parse                      HCL2 jobspec → the bare Job
//   GET  /v1/job/:id        DELETE /v1/job/:id[?purge=true]
//   PUT|POST /v1/job/:id/plan                    JobPlanResponse (+ Diff)
//   GET  /v1/job/:id/allocations | /evaluations | /deployment (null if none)
//   GET  /v1/deployment/:id, /v1/deployment/allocations/:id
//   GET  /v1/allocations[?resources=true&prefix=], /v1/allocation/:id
//   GET  /v1/evaluation/:id
// Errors are plain text with Nomad's status codes: 400 for bad input
// (decoder text, "Job must be specified", "Invalid index", ...), 404
// "<thing> not found", 405 "Invalid method", 500 for validation failures
// (go-multierror text) and a lost check-and-set.
//
// Every GET is a blocking query: `?index=N&wait=D` defers the response
// (Request::defer()) until the index of what it reads passes N or the wait
// (default and cap 300 s, plus up to wait/16 jitter) runs out. Responses
// carry X-Nomad-Index, X-Nomad-KnownLeader and X-Nomad-LastContact.
class NomadApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NomadApi)

public:
    // `nodeName` is the agent this API speaks for (agent/self).
    NomadApi(NomadState *state, const QString &nodeName, QObject *parent = nullptr);
    ~NomadApi() override;

    void handle(const apps::http::Request &request, apps::http::Response &response);

    // POST /v1/jobs without a socket: the editor's Run and `lab up FILE`
    // submit a design's jobs through it, so they take the same decoding,
    // validation and scheduling as a job sent with curl or `nomad job run`.
    // Returns the HTTP status Nomad would answer; `answer` gets the body.
    int submit(const QByteArray &body, QByteArray *answer = nullptr) const;

    int pendingQueries() const { return m_blocking->size(); }

private:
    struct Call
    {
        QByteArray method;
        QByteArray path;
        QByteArray query;
        QByteArray body;
    };
    struct Reply
    {
        int status = 200;
        QByteArray body;
        bool json = true;
        std::optional<NomadState::Table> table; // what a GET read (its index)
    };

    Reply dispatch(const Call &call) const;
    // Which table a GET reads, without answering it; nullopt for writes and
    // unknown paths.
    std::optional<NomadState::Table> readTable(const Call &call) const;
    apps::http::Response render(const Call &call, const Reply &reply) const;

    Reply registerJob(const Call &call, const QString &pathJobId) const;
    Reply planJob(const Call &call, const QString &jobId) const;
    Reply parseJob(const Call &call) const;
    Reply agentSelf() const;

    QPointer<NomadState> m_state;
    QString m_nodeName;
    // The cap on ?wait= (Nomad's MaxBlockingRPCQueryTime, 300 s).
    std::chrono::milliseconds m_maxWait{300'000};
    BlockingQueries *m_blocking; // child
};

} // namespace mesh::lab::nomad
