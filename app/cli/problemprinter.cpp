#include "problemprinter.h"

#include "core/jsonwriter.h"
#include "core/terminaltext.h"

namespace meshpad::cli {

using mesh::TerminalText;
using namespace mesh::model;

QString ProblemPrinter::itemName(const TopologyIndex &design, const Problem &problem)
{
    if (!problem.upstream.isNull()) {
        const Upstream *u = design.upstream(problem.upstream);
        const Service *from = u ? design.service(u->downstream) : nullptr;
        const Service *to = u ? design.service(u->destination) : nullptr;
        return QStringLiteral("upstream %1 → %2")
            .arg(from ? from->name : (u ? u->downstream.value : QString()),
                 to ? to->name : (u ? u->destination.value : QString()));
    }
    if (!problem.service.isNull()) {
        const Service *s = design.service(problem.service);
        return QStringLiteral("service \"%1\"").arg(s && !s->name.isEmpty() ? s->name : problem.service.value);
    }
    return QStringLiteral("mesh settings");
}

void ProblemPrinter::print(QTextStream &out, const QString &file, const Topology &topology, const Problems &problems)
{
    const TopologyIndex design(topology); // one pass, then a lookup per problem
    // Names, fields and messages (which quote names) come from the design:
    // escaped, so a name cannot drive the terminal or split the line.
    const QString where = TerminalText::escaped(file);
    for (const Problem &p : problems) {
        out << where << ": " << (p.isError() ? "error" : "warning") << ": "
            << TerminalText::escaped(itemName(design, p));
        if (!p.field.isEmpty())
            out << " (" << TerminalText::escaped(p.field) << ")";
        out << ": " << TerminalText::escaped(p.message) << '\n';
    }
}

void ProblemPrinter::printJson(QTextStream &out, const Topology &topology, const Problems &problems)
{
    const TopologyIndex design(topology);
    for (const Problem &p : problems) {
        mesh::JsonWriter w(mesh::JsonWriter::Style::Compact);
        w.beginObject()
            .field(u"severity", p.isError() ? QStringView(u"error") : QStringView(u"warning"))
            .field(u"code", p.code)
            .field(u"item", itemName(design, p))
            .field(u"service", p.service.value)
            .field(u"upstream", p.upstream.value)
            .field(u"field", p.field)
            .field(u"message", p.message)
            .endObject();
        out << w.text() << '\n';
    }
}

QString ProblemPrinter::summary(const Problems &problems)
{
    const auto errors = std::count_if(problems.begin(), problems.end(), [](const Problem &p) { return p.isError(); });
    const auto warnings = problems.size() - errors;
    if (problems.isEmpty())
        return QStringLiteral("no problems");
    auto plural = [](qsizetype n, const char *word) {
        return QStringLiteral("%1 %2%3").arg(n).arg(QLatin1StringView(word), n == 1 ? QString() : QStringLiteral("s"));
    };
    if (errors && warnings)
        return plural(errors, "error") + u", " + plural(warnings, "warning");
    return errors ? plural(errors, "error") : plural(warnings, "warning");
}

} // namespace meshpad::cli
