#pragma once

#include <QByteArray>
#include <QStringList>
#include <QTextStream>

#include <optional>

namespace meshpad::cli {

// `meshpad lab up [FILE] [-json]`, `meshpad lab status [-json]` and
// `meshpad lab env`: the embedded three-node lab (mesh::lab::Lab) without
// the editor.
//
// `up` first prints each node's Consul and Nomad API address
// (`node one consul http://127.0.1.1:8500 nomad http://127.0.1.1:4646`,
// or a JSON line), then — without FILE — waits as three empty nodes; with
// FILE it validates the design (problems on stderr as `meshpad validate` prints
// them), starts it and prints one line per published port on stdout,
// dashboards first: `<service> <alloc> http://ADDR:PORT`, or with -json one
// JSON object per line followed by the lab's events as JSON lines (without
// -json the events go to stderr). It runs until SIGINT/SIGTERM, then stops
// every instance and exits 0; 1 when the design has errors or the lab cannot
// start, 2 on usage or I/O errors.
//
// `status` asks a running `lab up` (LabStatusServer) for its snapshot and
// prints nodes, instances, arrows and the dashboard URL (-json: the snapshot
// as one JSON object); 1 when no lab runs. `env` prints node one's API
// addresses as `export CONSUL_HTTP_ADDR=… NOMAD_ADDR=…` for `eval`.
class LabCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

private:
    static int up(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int status(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int env(const QStringList &arguments, QTextStream &out, QTextStream &err);
    // The running `lab up`'s snapshot document; nullopt after saying why on err.
    static std::optional<QByteArray> fetchRunning(QStringView command, QTextStream &err);
};

} // namespace meshpad::cli
