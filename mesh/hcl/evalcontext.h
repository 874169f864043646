#pragma once

#include "hcl/value.h"

#include <QHash>
#include <QString>

namespace mesh::hcl {

// What an expression may refer to while the Evaluator evaluates it
// (hcl.EvalContext as Nomad's jobspec2 fills it).
struct EvalContext
{
    // Root variables by name (`var`, `local`, … as objects).
    QHash<QString, Value> variables;

    // Whether function calls are allowed (the Functions library, plus the
    // special forms `can` and `try`). Off: any call is an error.
    bool functionsEnabled = true;

    // Nomad's jobspec2 hook for references Nomad resolves at runtime
    // (hashicorp/nomad: jobspec2/types.config.go, EvalContext's
    // UnknownVariable): a reference whose root variable is not defined —
    // NOMAD_PORT_http, attr.unique.hostname, meta.foo, node.region — evaluates
    // to the string "${" + its source text + "}", so that
    // "http://${NOMAD_UPSTREAM_ADDR_api}" stays exactly that text. Off: such a
    // reference is the error `Unknown variable: There is no variable named "x"`.
    bool keepUnknownReferences = true;
};

} // namespace mesh::hcl
