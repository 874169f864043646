#pragma once

#include "core/result.h"
#include "deploy/deploytarget.h"

#include <QList>
#include <QString>

namespace mesh::deploy {

// The user's named deploy targets, in one JSON file
// (`~/.config/meshpad/targets.json`: {"targets": [profile, …]}, see
// DeployTarget::fromProfile) that the editor and `meshpad deploy -target
// NAME` share. Tokens are never written here.
class TargetProfiles final
{
public:
    static QString defaultPath();

    // A missing file is no profiles; a broken one is Parse naming the file,
    // and nothing is lost: save() is not called on it by anyone who failed
    // to load it.
    static Result<QList<DeployTarget>> load(const QString &path = defaultPath());
    // Written to a temporary file and renamed over the old one.
    static Result<> save(const QList<DeployTarget> &targets, const QString &path = defaultPath());
    static std::optional<DeployTarget> find(const QList<DeployTarget> &targets, const QString &name);
};

} // namespace mesh::deploy
