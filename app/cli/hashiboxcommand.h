#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad hashibox up|status|destroy [-dir DIR]`: the generated Hashibox
// (DIR/hashibox/Vagrantfile, written by `meshpad generate DESIGN -o DIR`)
// driven through `vagrant … --machine-readable` (mesh::hashibox::Vagrant).
//
// `up` runs `vagrant up --provider=libvirt`, printing its progress, then
// waits until Consul (node one's http://10.42.0.11:8500, or -consul-addr)
// has a leader and three alive members and Nomad (:4646, or -nomad-addr) a
// leader and three ready clients, printing each change. `status` prints the
// machines and their states, then the cluster's health when a machine runs
// (or an address is given). `destroy` runs `vagrant destroy -f`. -json: one
// JSON object per line (vagrant's events, progress, the result). -timeout:
// the whole command (default 30m for up, 2m for status, 10m for destroy).
// Exit status: 0 ok; 1 vagrant failed (not installed, no usable provider, a
// port clash, its own error) or the cluster did not come up in time; 2
// usage, or no Hashibox in DIR.
class HashiboxCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

private:
    static int up(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int status(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int destroy(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
