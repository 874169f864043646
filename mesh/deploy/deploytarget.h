#pragma once

#include "consul/consulconfig.h"
#include "core/result.h"
#include "nomad/nomadconfig.h"

#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>

namespace mesh::deploy {

// A cluster to deploy to: where its Consul and Nomad agents are and how to
// speak to them, in the clients' own configuration types.
//
// Kinds: `environment` (CONSUL_HTTP_ADDR, NOMAD_ADDR and the rest, as the
// consul and nomad CLIs read them — the default), `lab` (the embedded lab;
// the caller finds its node-one addresses), `hashibox` (the generated
// Vagrantfile's node one, http://10.42.0.11:8500 and :4646) and named
// profiles (addresses, TLS files, namespace, region; never tokens: those
// live in the desktop keychain or the environment).
struct DeployTarget
{
    enum class Kind { Environment, Lab, Hashibox, Profile };

    Kind kind = Kind::Environment;
    QString name; // "environment", "lab", "hashibox" or the profile's name
    consul::ConsulConfig consul;
    nomad::NomadConfig nomad;

    static DeployTarget environment(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    // Tokens (and TLS, should the user have set any) still come from `env`.
    static DeployTarget lab(const QString &consulAddress, const QString &nomadAddress,
                            const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    static DeployTarget hashibox(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    // A profile as TargetProfiles stores it: {"name", "consul": {"address",
    // "caFile", "clientCert", "clientKey", "tlsServerName", "skipVerify",
    // "namespace", "partition", "datacenter"}, "nomad": {"address", "caFile",
    // "clientCert", "clientKey", "tlsServerName", "skipVerify", "region",
    // "namespace"}}. Invalid without a name or an address.
    static Result<DeployTarget> fromProfile(const QJsonObject &profile);
    QJsonObject toProfile() const; // no tokens, ever

    // "lab (Consul http://127.0.1.1:8500, Nomad http://127.0.1.1:4646)"
    QString describe() const;
};

QString toString(DeployTarget::Kind kind);

} // namespace mesh::deploy
