// The HCL2 reader (mesh/hcl) on arbitrary bytes, as `meshpad` reads any
// jobspec a user opens: Parser::parseFile, then what reads its tree —
// Hcl2JsonView and the printer — and JobspecReader on the same bytes.
// Checked besides not crashing:
// - a refusal is "FILE:LINE:COLUMN: message" with the place inside the input
//   (line at most one past the last newline, column at most one past the
//   line's end), so an editor can always jump to it;
// - what parses prints to text that parses again to the same structure
//   (Printer::sameStructure);
// - a jobspec the reader refuses says where, in the same form.

#include "fuzzcheck.h"

#include "hcl/hcl2jsonview.h"
#include "hcl/parser.h"
#include "hcl/printer.h"
#include "nomad/jobspecreader.h"

#include <QByteArray>
#include <QRegularExpression>
#include <QString>

#include <cstddef>
#include <cstdint>

using fuzz::require;
using mesh::hcl::Hcl2JsonView;
using mesh::hcl::Parser;
using mesh::hcl::Printer;
using mesh::nomad::JobspecReader;

namespace {

const QString kFileName = QStringLiteral("fuzz.nomad.hcl");

// Whether `message` begins "fuzz.nomad.hcl:LINE:COLUMN: " with LINE:COLUMN
// a place in `source` (or just past its end). Columns count characters,
// never more than the line's bytes.
bool placedInside(const QString &message, const QByteArray &source)
{
    static const QRegularExpression prefix(QStringLiteral("^fuzz\\.nomad\\.hcl:(\\d+):(\\d+): \\S"));
    const QRegularExpressionMatch m = prefix.match(message);
    if (!m.hasMatch())
        return false;
    bool ok = false;
    const qsizetype line = m.captured(1).toLongLong(&ok);
    if (!ok || line < 1)
        return false;
    const qsizetype column = m.captured(2).toLongLong(&ok);
    if (!ok || column < 1)
        return false;
    // The bytes of line `line` (1-based), without its '\n'.
    qsizetype start = 0;
    for (qsizetype l = 1; l < line; ++l) {
        const qsizetype nl = source.indexOf('\n', start);
        if (nl < 0)
            return false;
        start = nl + 1;
    }
    qsizetype end = source.indexOf('\n', start);
    if (end < 0)
        end = source.size();
    return column <= end - start + 1;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // Not copied: a read past the input is the sanitizer's to see.
    const QByteArray source = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));

    const auto file = Parser::parseFile(source, kFileName);
    if (!file) {
        require(file.error().code == mesh::Error::Code::Parse, "a syntax error is Error::Code::Parse");
        require(placedInside(file.error().message, source), "a syntax error begins FILE:LINE:COLUMN: inside the input");
        return 0;
    }

    // Refusing is allowed (a block type with and without labels cannot be
    // JSON); crashing is not.
    const auto json = Hcl2JsonView::convert(*file);
    if (!json)
        require(!json.error().message.isEmpty(), "a refused conversion says why");

    const QByteArray printed = Printer::print(*file);
    const auto reread = Parser::parseFile(printed, kFileName);
    require(reread.has_value(), "what parses prints to text that parses");
    require(Printer::sameStructure(*file, *reread), "and that text has the same structure");

    const auto job = JobspecReader::read(source, JobspecReader::Options{kFileName, {}, {}});
    if (!job)
        require(job.error().message.startsWith(kFileName + u':'), "a refused jobspec names the file and place");
    return 0;
}
