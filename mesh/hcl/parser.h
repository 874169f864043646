#pragma once

#include "core/result.h"
#include "hcl/syntaxtree.h"

#include <QByteArray>
#include <QString>

namespace mesh::hcl {

// HCL's native syntax reader, following hashicorp/hcl's hclsyntax parser
// (hclsyntax/parser.go, parser_template.go; the grammar in
// hclsyntax/spec.md): the same tree, the same ranges, the same acceptance.
//
// Unlike hclsyntax it does not recover: the first syntax error is the
// result, as Error::Code::Parse with a message
// "FILE:LINE:COLUMN: <summary>: <what is wrong and what was expected>".
// Nesting deeper than maxNesting (blocks, brackets, templates, operators'
// operands) is such an error too, so hostile input cannot exhaust the stack.
class Parser final
{
public:
    static constexpr int maxNesting = 256;

    // A whole configuration file (hclsyntax.ParseConfig). `source` is UTF-8,
    // optionally with a BOM; `fileName` is only used in messages.
    static Result<SyntaxFile> parseFile(QByteArray source, QString fileName);

    // A standalone expression (hclsyntax.ParseExpression): newlines are
    // insignificant and nothing may follow the expression.
    static Result<ExpressionPtr> parseExpression(QByteArray source, QString fileName);
};

} // namespace mesh::hcl
