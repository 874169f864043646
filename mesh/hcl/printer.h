#pragma once

#include "hcl/syntaxtree.h"

#include <QByteArray>
#include <QString>

namespace mesh::hcl {

// Prints a parsed file back as HCL native syntax in a canonical layout
// (hclwrite's: two-space indentation, `name = expr` with the `=` of
// consecutive one-line attributes aligned, `type "label" {` blocks, a body's
// attributes before its blocks). Expressions are printed from the tree, not
// sliced from the source: heredocs become quoted strings, templates are
// re-escaped, and parentheses appear where the tree has Parentheses nodes or
// where precedence needs them.
//
// The contract (the fuzz target checks it): for any file the Parser accepts,
// parsing print(file) gives a tree sameStructure() as file's.
class Printer final
{
public:
    static QByteArray print(const SyntaxFile &file);
    static QString printBody(const Body &body, int indent = 0);
    static QString printExpression(const Expression &expr);

    // Equality of trees ignoring ranges and the source text: the same nodes
    // with the same names, values, operators and flags, in the same order.
    static bool sameStructure(const SyntaxFile &a, const SyntaxFile &b);
    static bool sameStructure(const Body &a, const Body &b);
    static bool sameExpression(const ExpressionPtr &a, const ExpressionPtr &b);
};

} // namespace mesh::hcl
