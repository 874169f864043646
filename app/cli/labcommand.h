#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad lab up FILE [-json]` and `meshpad lab status [-json]`: the
// embedded three-node lab (mesh::lab::Lab) without the editor.
//
// `up` validates the design (problems on stderr as `meshpad validate` prints
// them), starts it and prints one line per published port on stdout,
// dashboards first: `<service> <alloc> http://ADDR:PORT`, or with -json one
// JSON object per line followed by the lab's events as JSON lines (without
// -json the events go to stderr). It runs until SIGINT/SIGTERM, then stops
// every instance and exits 0; 1 when the design has errors or the lab cannot
// start, 2 on usage or I/O errors.
//
// `status` asks a running `lab up` (LabStatusServer) for its snapshot and
// prints nodes, instances, arrows and the dashboard URL (-json: the snapshot
// as one JSON object); 1 when no lab runs.
class LabCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

private:
    static int up(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int status(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
