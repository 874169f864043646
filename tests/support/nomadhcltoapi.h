#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <expected>

namespace meshtest {

// Nomad jobspec files as HashiCorp's jobspec2 decodes them for the API
// (tests/tools/nomad-hcl-to-api.mjs under node, with the npm packages of
// `npm ci --prefix tests/tools`): the script's JSON object, each file's job
// under its path. One node run for all `files`: starting node and the
// parser's WebAssembly is the slow part. The error says what is missing or
// what the script printed on failure (tests QFAIL with it, never skip).
std::expected<QJsonObject, QString> nomadHclToApi(const QStringList &files);

} // namespace meshtest
