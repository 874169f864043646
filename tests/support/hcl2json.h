#pragma once

#include "parserbatch.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace meshtest {

// Parses HCL2 text with HashiCorp's own parser (hashicorp/hcl compiled to
// WebAssembly in the npm package @cdktf/hcl2json, installed in tests/tools by
// `npm ci --prefix tests/tools`) and returns its JSON form: blocks become
// arrays of objects keyed by label, attributes keep their values, and
// template expressions are kept as "${…}" text. Test-only code.
class Hcl2Json final
{
public:
    using Parsed = ParserBatch::Parsed;

    // Empty when node and the npm package are present; else what is missing
    // and the command that installs it (tests QFAIL with it, never skip).
    static QString missing();

    // One node process for all texts not parsed before (starting node and
    // its WebAssembly parser costs 0.5–3 s, so batch: prefetch() every text
    // a test will need in initTestCase). The result is parallel to `texts`.
    // If node itself cannot run, every entry carries that error.
    static QList<Parsed> parse(const QStringList &texts);
    static void prefetch(const QStringList &texts) { parse(texts); }
    static Parsed parse(const QString &text);

    // Undoes the block wrapping for the named block types: an array holding
    // one object becomes that object, recursively; everything else is kept.
    static QJsonObject unwrapBlocks(const QJsonObject &json, const QStringList &blockTypes);

private:
    static QList<Parsed> parseUncached(const QStringList &texts, bool *ran);
};

} // namespace meshtest
