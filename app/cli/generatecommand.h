#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad generate FILE -o DIR [--force]`: writes every artifact of the
// design under DIR and lists them on stdout. A design with errors is not
// written (exit 1) unless --force; warnings are printed and do not stop it.
class GenerateCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
