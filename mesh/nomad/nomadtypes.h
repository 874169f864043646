#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>

// The parts of Nomad's responses that deploy reads, with Nomad's JSON names
// (hashicorp/nomad: api/jobs.go, api/allocations.go, api/evaluations.go,
// api/deployments.go). `raw` keeps the whole object as received.
namespace mesh::nomad {

// The optional fields of POST /v1/jobs besides the job.
struct JobRegisterOptions
{
    bool enforceIndex = false;  // check-and-set on jobModifyIndex
    quint64 jobModifyIndex = 0; // 0 with enforceIndex: the job must not exist yet
    QJsonObject submission;     // {"Source", "Format", "Variables", "VariableFlags"}; empty: none
};

struct JobRegisterResponse
{
    QString evalID;
    quint64 evalCreateIndex = 0;
    quint64 jobModifyIndex = 0;
    QString warnings;
    QJsonObject raw;

    static Result<JobRegisterResponse> fromJson(const QJsonValue &json);
};

struct DeploymentState
{
    int desiredTotal = 0;
    int desiredCanaries = 0;
    int placedAllocs = 0;
    int healthyAllocs = 0;
    int unhealthyAllocs = 0;
    bool promoted = false;
    bool autoRevert = false;
};

struct Deployment
{
    QString id;
    QString jobID;
    quint64 jobVersion = 0;
    QString status; // running, successful, failed, cancelled, paused, blocked…
    QString statusDescription;
    QMap<QString, DeploymentState> taskGroups;
    quint64 modifyIndex = 0;
    QJsonObject raw;

    static Result<Deployment> fromJson(const QJsonValue &json);
};

struct Evaluation
{
    QString id;
    QString jobID;
    QString status; // pending, complete, failed, blocked, canceled
    QString statusDescription;
    QString deploymentID;
    QString blockedEval;
    QJsonObject failedTGAllocs; // task group → AllocationMetric
    quint64 modifyIndex = 0;
    QJsonObject raw;

    static Result<Evaluation> fromJson(const QJsonValue &json);
};

struct TaskState
{
    QString state; // pending, running, dead
    bool failed = false;
    quint64 restarts = 0;
    QString lastEventMessage; // DisplayMessage of the last event
};

struct AllocationListStub
{
    QString id;
    QString name;
    QString nodeID;
    QString nodeName;
    QString jobID;
    QString taskGroup;
    QString desiredStatus;
    QString clientStatus; // pending, running, complete, failed, lost
    QString clientDescription;
    QMap<QString, TaskState> taskStates;
    std::optional<bool> deploymentHealthy; // DeploymentStatus.Healthy
    quint64 modifyIndex = 0;
    QJsonObject raw;

    static Result<AllocationListStub> fromJson(const QJsonValue &json);
};

} // namespace mesh::nomad
