#pragma once

#include "model/topology.h"

#include <QString>
#include <QStringList>

namespace mesh::generate {

class ArtifactSet;

// A three-node Consul + Nomad cluster under Vagrant/libvirt to run the
// design's jobs in — the seed's Hashibox setup with the pieces it lacked
// (no Nomad start-up, no Consul gRPC port):
//
//   hashibox/Vagrantfile               nodes one, two, three (10.42.0.11-13)
//   hashibox/provision/install.sh      run on each node as root
//   hashibox/provision/consul.hcl      -> /etc/consul.d/consul.hcl
//   hashibox/provision/nomad.hcl       -> /etc/nomad.d/nomad.hcl
//
// Box: the public `generic/debian12` (systemd), not Pondidum's
// `local/hashibox`, which a user would first have to build from 2020
// sources (Alpine 3.10, Consul 1.6). Debian 12 is also what Meshpad builds
// on, so the apps built on the host (Qt 6.4, dynamically linked) run in the
// VMs with Debian's own Qt packages. Consul and Nomad come pinned from
// releases.hashicorp.com (checked against their SHA256SUMS), Docker and the
// CNI plugins from Debian.
//
// The output directory (the parent of hashibox/) is synced to /vagrant, so
// the jobs' /vagrant/apps/bin/… and the scripts' /vagrant/scripts/… exist on
// every node. The datacenter is the design's.
class HashiboxGenerator final
{
public:
    static void addArtifacts(const model::Topology &topology, ArtifactSet &out);

    static QString vagrantfile(const model::Topology &topology);
    static QString installScript(const model::Topology &topology);
    static QString consulConfig(const model::Topology &topology);
    static QString nomadConfig(const model::Topology &topology);

    static QStringList nodeNames();     // one, two, three
    static QStringList nodeAddresses(); // 10.42.0.11, .12, .13
    static QString nodeNetwork();       // 10.42.0.0/24
    static QString consulVersion();
    static QString nomadVersion();
};

} // namespace mesh::generate
