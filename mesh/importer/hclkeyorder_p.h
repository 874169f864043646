#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

namespace mesh::importer {

// The order a jobspec (HCL2 source) writes each task's env and each group
// service's meta in, as JobImporter wants it (JobSource::keyOrder: JSON
// pointers such as "/TaskGroups/0/Tasks/0/Env"). Nomad decodes both into Go
// maps (hashicorp/nomad: api/tasks.go Task.Env, api/services.go
// Service.Meta), so the JSON job cannot carry the order, but Meshpad keeps
// and writes them in the user's order: without it generate → import →
// generate would sort them. Used for job files and for the source a
// cluster keeps with a job (GET /v1/job/:id/submission). Empty when the
// source does not parse; maps whose keys are computed are left out.
QHash<QString, QStringList> hclKeyOrder(const QByteArray &source, const QString &fileName);

} // namespace mesh::importer
