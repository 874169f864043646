#pragma once

#include "model/problem.h"
#include "model/topology.h"
#include "model/topologyindex.h"

#include <QTextStream>

namespace meshpad::cli {

// Prints validator problems the way compilers print diagnostics, one per
// line, so editors and CI logs can point at them:
//   countdash.meshpad: error: service "count-api" (name): Service name …
class ProblemPrinter final
{
public:
    static void print(QTextStream &out, const QString &file, const mesh::model::Topology &topology,
                      const mesh::model::Problems &problems);
    // One JSON object per problem, one per line (for scripts).
    static void printJson(QTextStream &out, const mesh::model::Topology &topology,
                          const mesh::model::Problems &problems);
    // "1 error, 2 warnings" / "no problems"
    static QString summary(const mesh::model::Problems &problems);

private:
    static QString itemName(const mesh::model::TopologyIndex &design, const mesh::model::Problem &problem);
};

} // namespace meshpad::cli
