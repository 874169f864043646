#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad validate FILE [--json]`: prints the design's problems on stderr
// (with --json, as JSON lines on stdout). Exit 0 when there is no error
// (warnings allowed), 1 when there is one, 2 on a usage or I/O error.
class ValidateCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
