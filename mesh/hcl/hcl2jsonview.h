#pragma once

#include "core/result.h"
#include "hcl/syntaxtree.h"

#include <QJsonObject>

namespace mesh::hcl {

// The JSON form of a parsed file exactly as hcl2json prints it: the npm
// package @cdktf/hcl2json, whose WebAssembly build is tmccombs/hcl2json
// v0.6.5 (convert/convert.go) over hashicorp/hcl v2.23. So that our reader
// can be compared with HashiCorp's value for value:
//  - blocks nest by type and labels and are wrapped in arrays, appending in
//    file order; an attribute replaces a block of the same name;
//  - literals become JSON, `-1`/`!true` on a literal is evaluated;
//  - templates become strings: literal text with "${" and "%{" escaped as
//    "$${" and "%%{", `${expr}` as its source (`${null}` inside text as
//    "null"), `%{if}`/`%{for}` directives rebuilt from their
//    condition/collection source (an `%{if}` whose branch cannot convert
//    turns into "", as convert.go swallows that error); a template that is
//    exactly one `${expr}` converts expr;
//  - tuples and objects convert element by element (a bare-name key is its
//    source text);
//  - anything else is "${" + its source text + "}", where the source text
//    is the node's range plus a directly following ')' (convert.go's
//    rangeSource quirk).
// The "bare source for expressions starting with a type name" quirk of
// later hcl2json versions is NOT in v0.6.5 (`x = string` prints "${string}"),
// so it is not here either.
// Fails where hcl2json fails: a block whose labels collide with an
// unlabelled block of the same type (or the reverse).
class Hcl2JsonView final
{
public:
    static Result<QJsonObject> convert(const SyntaxFile &file);
};

} // namespace mesh::hcl
