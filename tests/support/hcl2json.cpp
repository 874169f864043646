#include "hcl2json.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QStandardPaths>

namespace meshtest {

namespace {

QString toolsDir()
{
    return QStringLiteral(MESHPAD_SOURCE_DIR "/tests/tools");
}

// The same parse() call as tests/tools/hcl2json.mjs, for many files in one
// process. Prints a JSON array of {"json": …} or {"error": "…"}.
constexpr const char *kScript = R"JS(
import { parse } from "@cdktf/hcl2json";
import { readFileSync } from "node:fs";
const out = [];
for (const file of process.argv.slice(1)) {
    try {
        out.push({ json: await parse(file, readFileSync(file, "utf8")) });
    } catch (e) {
        out.push({ error: String(e && e.message ? e.message : e) });
    }
}
process.stdout.write(JSON.stringify(out));
)JS";

QJsonValue unwrap(const QJsonValue &value, const QStringList &blockTypes, bool isBlock)
{
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (isBlock && array.size() == 1 && array.first().isObject())
            return unwrap(array.first(), blockTypes, false);
        QJsonArray out;
        for (const QJsonValue &v : array)
            out.append(unwrap(v, blockTypes, false));
        return out;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QJsonObject out;
        for (auto it = object.begin(); it != object.end(); ++it)
            out.insert(it.key(), unwrap(it.value(), blockTypes, blockTypes.contains(it.key())));
        return out;
    }
    return value;
}

} // namespace

QString Hcl2Json::missing()
{
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
        return QStringLiteral("node is not on PATH: run packaging/install-deps.sh, then npm ci --prefix tests/tools");
    if (!QFileInfo::exists(toolsDir() + QStringLiteral("/node_modules/@cdktf/hcl2json/package.json")))
        return QStringLiteral("@cdktf/hcl2json is not installed: run npm ci --prefix tests/tools");
    return {};
}

QList<Hcl2Json::Parsed> Hcl2Json::parse(const QStringList &allTexts)
{
    // Results of successful runs, per text, for the life of the test process.
    static QHash<QString, Parsed> cache;
    QStringList texts;
    for (const QString &t : allTexts) {
        if (!cache.contains(t) && !texts.contains(t))
            texts.append(t);
    }
    bool ran = false;
    const QList<Parsed> fresh = parseUncached(texts, &ran);
    for (qsizetype i = 0; ran && i < texts.size(); ++i)
        cache.insert(texts[i], fresh[i]);
    QList<Parsed> out;
    out.reserve(allTexts.size());
    for (const QString &t : allTexts) {
        const qsizetype i = texts.indexOf(t);
        out.append(i >= 0 ? fresh[i] : cache.value(t));
    }
    return out;
}

QList<Hcl2Json::Parsed> Hcl2Json::parseUncached(const QStringList &texts, bool *ran)
{
    *ran = false;
    if (const QString why = missing(); !why.isEmpty() && !texts.isEmpty())
        return QList<Parsed>(texts.size(), Parsed{std::nullopt, why});
    // Bare "@cdktf/hcl2json" resolves from the working directory's
    // node_modules for an --eval'd module.
    return ParserBatch::run(
        QStringLiteral("node hcl2json"), QStringLiteral("node"),
        {QStringLiteral("--input-type=module"), QStringLiteral("--eval"), QString::fromUtf8(kScript)}, toolsDir(),
        texts, 120000, ran);
}

Hcl2Json::Parsed Hcl2Json::parse(const QString &text)
{
    return parse(QStringList{text}).first();
}

QJsonObject Hcl2Json::unwrapBlocks(const QJsonObject &json, const QStringList &blockTypes)
{
    return unwrap(json, blockTypes, false).toObject();
}

} // namespace meshtest
