#pragma once

#include "model/topology.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace mesh::deploy {

// One source of a `service-intentions` entry as a design wants it.
struct IntentionSource
{
    QString name;   // the calling service (or `*` under default deny)
    QString action; // "allow" / "deny"
    friend bool operator==(const IntentionSource &, const IntentionSource &) = default;
};

// A service a person opens in a browser: one nothing in the design calls
// (the dashboard of countdash), with the Nomad job, group and port label its
// allocations publish it on.
struct Entrypoint
{
    QString service;
    QString job;
    QString group;
    QString portLabel;
};

// What a design means on a cluster, rendered by the generators so that a
// deploy sends exactly what `meshpad generate` writes:
// - jobs: api.Job objects as `nomad/<job>.json` holds them (the "Job" of
//   NomadJobGenerator::json), each with the ownership Meta, plus the HCL
//   form as the job's Submission (the Nomad UI shows it as the definition);
// - intentions: per destination, the sources ConsulGenerator writes into
//   `consul/intentions/<svc>.json` (one per arrow in, `*` deny under a
//   default-deny mesh).
struct DesiredState
{
    QString design;
    QList<QJsonObject> jobs;                          // in Topology::jobNames() order
    QMap<QString, QString> jobHcl;                    // job ID → jobspec
    QMap<QString, QList<IntentionSource>> intentions; // destination → sources
    QList<Entrypoint> entrypoints;

    static DesiredState fromTopology(const model::Topology &topology, const QString &design);
    // Nothing at all: what a teardown of `design` wants.
    static DesiredState nothing(const QString &design);

    QJsonObject job(const QString &id) const; // empty when there is none
};

} // namespace mesh::deploy
