#include "problemprinter.h"

#include "core/jsonwriter.h"

namespace meshpad::cli {

using namespace mesh::model;

QString ProblemPrinter::itemName(const Topology &topology, const Problem &problem)
{
    if (!problem.upstream.isNull()) {
        const Upstream *u = topology.upstream(problem.upstream);
        const Service *from = u ? topology.service(u->downstream) : nullptr;
        const Service *to = u ? topology.service(u->destination) : nullptr;
        return QStringLiteral("upstream %1 → %2")
            .arg(from ? from->name : (u ? u->downstream.value : QString()),
                 to ? to->name : (u ? u->destination.value : QString()));
    }
    if (!problem.service.isNull()) {
        const Service *s = topology.service(problem.service);
        return QStringLiteral("service \"%1\"").arg(s && !s->name.isEmpty() ? s->name : problem.service.value);
    }
    return QStringLiteral("mesh settings");
}

void ProblemPrinter::print(QTextStream &out, const QString &file, const Topology &topology, const Problems &problems)
{
    for (const Problem &p : problems) {
        out << file << ": " << (p.isError() ? "error" : "warning") << ": " << itemName(topology, p);
        if (!p.field.isEmpty())
            out << " (" << p.field << ")";
        out << ": " << p.message << '\n';
    }
}

void ProblemPrinter::printJson(QTextStream &out, const Topology &topology, const Problems &problems)
{
    for (const Problem &p : problems) {
        mesh::JsonWriter w(mesh::JsonWriter::Style::Compact);
        w.beginObject()
            .field(u"severity", p.isError() ? QStringView(u"error") : QStringView(u"warning"))
            .field(u"code", p.code)
            .field(u"item", itemName(topology, p))
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
