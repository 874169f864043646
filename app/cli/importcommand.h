#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad import JOB.hcl… [-var NAME=VALUE]… [-var-file FILE]` and
// `meshpad import -target T [-job ID]… [-timeout D]`, both with
// `[-o DESIGN.meshpad] [--name NAME] [--force]`: Nomad jobs — files
// (mesh::importer::FileImport) or what a cluster runs
// (mesh::importer::ClusterImport, targets as `meshpad deploy -target`
// takes them) — into a design, laid out with the editor's auto-layout and
// saved atomically.
//
// The design's name: --name, else the design the cluster's jobs were
// deployed from, else -o's file name without .meshpad, else the first job.
// Output: -o FILE, `-o -` for stdout, else `<name>.meshpad` in the current
// directory; an existing file is refused unless --force.
// Every thing not imported is a warning line on stderr, then a summary
// ("imported 2 jobs: 2 services, 1 arrow, 0 external; 1 thing not
// imported"); the written path on stdout.
// Exit status: 0 written, 1 nothing to import (or the design has errors:
// written, problems listed), 2 usage, unreadable input, a syntax error
// (FILE:LINE:COLUMN), an unreachable or refusing cluster, an unwritable
// output — and then nothing is written.
class ImportCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
