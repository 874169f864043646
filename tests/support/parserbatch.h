#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace meshtest {

// Runs one of HashiCorp's parsers (through a helper program) over many texts
// in one process: starting the helper is the slow part. Each text goes to a
// file of its own; the helper gets the files as arguments and prints one
// JSON array, an element per file: {"json": {…}} or {"error": "…"}.
// Test-only code, shared by Hcl1Json and Hcl2Json.
class ParserBatch final
{
public:
    struct Parsed
    {
        std::optional<QJsonObject> json; // nullopt: the parser refused the text
        QString error;                   // its diagnostics
    };

    // `name` is for messages ("hcl1json"). When the helper cannot run or
    // answers out of shape, every entry carries that error and *ran (if
    // given) is false.
    static QList<Parsed> run(const QString &name, const QString &program, const QStringList &arguments,
                             const QString &workingDirectory, const QStringList &texts, int timeoutMs,
                             bool *ran = nullptr);
};

} // namespace meshtest
