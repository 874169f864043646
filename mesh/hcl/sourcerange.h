#pragma once

#include <QString>

namespace mesh::hcl {

// A place in a source file, as hashicorp/hcl's hcl.Pos: line and column
// count from 1 (columns in characters, i.e. Unicode code points, as HCL's
// diagnostics count them), byte from 0 into the UTF-8 source.
struct SourcePos
{
    int line = 1;
    int column = 1;
    int byte = 0;
    friend bool operator==(const SourcePos &, const SourcePos &) = default;
};

// [start, end) of a construct, as hcl.Range.
struct SourceRange
{
    SourcePos start;
    SourcePos end;
    friend bool operator==(const SourceRange &, const SourceRange &) = default;
};

// "FILE:LINE:COLUMN" — how every diagnostic of the reader begins.
inline QString describe(const QString &fileName, const SourcePos &pos)
{
    return QStringLiteral("%1:%2:%3").arg(fileName).arg(pos.line).arg(pos.column);
}

} // namespace mesh::hcl
