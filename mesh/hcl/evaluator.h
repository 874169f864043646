#pragma once

#include "core/result.h"
#include "hcl/evalcontext.h"
#include "hcl/syntaxtree.h"
#include "hcl/value.h"

namespace mesh::hcl {

// Evaluates a parsed expression to a Value with HCL's semantics for
// constants (hashicorp/hcl: hclsyntax/expression*.go over go-cty):
// templates and their directives and strip markers, operators with cty's
// conversions ("5" + 1 is 6; == compares without converting), conditionals,
// `for` expressions with `if` and grouping `...`, splats, index and attribute
// access, and function calls through Functions (with `...` expansion; `can`
// and `try` are evaluated here, as the special forms they are).
//
// `file` supplies the name and the source text for messages and for
// jobspec2's unknown-reference passthrough (see EvalContext); for an
// expression from Parser::parseExpression pass a SyntaxFile holding just its
// fileName and source. Errors are Error::Code::Invalid (or the function's
// code) with "FILE:LINE:COLUMN: <summary>: <detail>".
class Evaluator final
{
public:
    static Result<Value> evaluate(const Expression &expr, const EvalContext &ctx, const SyntaxFile &file);
};

} // namespace mesh::hcl
