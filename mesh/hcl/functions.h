#pragma once

#include "core/result.h"
#include "hcl/value.h"

#include <QList>
#include <QStringView>

namespace mesh::hcl {

// The functions a Nomad jobspec may call, as Nomad's jobspec2 offers them
// (hashicorp/nomad: jobspec2/functions.go — go-cty's stdlib plus
// hashicorp/go-cty-funcs), with go-cty's semantics: arguments convert as cty
// converts them (a number where a string is wanted becomes its decimal text,
// "12" where a number is wanted becomes 12, a tuple of strings and numbers
// where a list of strings is wanted becomes a list of strings), and results
// are what cty returns (lists, sets and tuples are tuples here, maps and
// objects are objects; sets come out deduplicated and, for primitive
// elements, sorted as cty iterates them).
//
// Not here: `can` and `try` (special forms: they take unevaluated
// expressions, so the evaluator implements them), `convert` (takes a type
// expression). Functions that read the local filesystem (`file`, `fileset`,
// `abspath`, …) are known but refused. A few Nomad offers that a jobspec
// for Meshpad does not need (`bcrypt`, `rsadecrypt`, `cidr*`, `formatdate`,
// `timeadd`, `yamlencode`, `yamldecode`) are known and refused as
// unsupported rather than reported as unknown.
//
// Error messages name the function and say what was expected
// ("upper: expected a string argument, got tuple"); they carry no position:
// the evaluator prefixes FILE:LINE:COLUMN.
class Functions final
{
public:
    // Whether `name` is a function Nomad's jobspec2 knows (including the
    // refused ones, so that the caller does not report them as unknown).
    static bool has(QStringView name);

    // Calls `name` with already evaluated arguments (a call's final `...`
    // argument already expanded). Fails with Error::Code::Invalid for bad
    // arguments and Error::Code::Unsupported for refused functions.
    static Result<Value> call(QStringView name, const QList<Value> &args);
};

} // namespace mesh::hcl
