#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringView>

namespace mesh {

// Makes text from a design or a peer safe to print on a terminal.
//
// A name is data, but a terminal reads some characters as commands: ESC [ 2 J
// clears the screen, OSC 8 plants a hyperlink, OSC 52 writes the clipboard,
// and the bidi overrides reorder what the reader sees (Trojan Source,
// CVE-2021-42574). escaped() writes those characters visibly instead:
//   - C0 controls U+0000–U+001F: \t, \n, \r, else \xHH ("\x1b")
//   - DEL U+007F and the C1 controls U+0080–U+009F: \xHH ("\x9b")
//   - bidi embeddings/overrides/isolates U+202A–U+202E, U+2066–U+2069: \uHHHH
//   - lone surrogates (not valid Unicode; would print as U+FFFD): \uHHHH
// Everything else — non-ASCII letters, emoji, a backslash — is unchanged, so
// ordinary names print as they are. The result is one line: a newline inside
// a name is shown as \n, it does not start a new line.
class TerminalText final
{
public:
    static QString escaped(QStringView text);
    // Multi-line text (a plan, a table): each line escaped, the line breaks
    // ('\n') kept. Every other control is escaped as in escaped().
    static QString escapedLines(QStringView text);
    // `object` as one line of JSON for a terminal: QJsonDocument's compact
    // form, which escapes only C0, with the rest of isControl() (DEL, C1,
    // bidi) written as \uXXXX too — the same JSON value, nothing raw.
    static QString compactJson(const QJsonObject &object);
    // Whether escaped() would change `text`.
    static bool needsEscaping(QStringView text);
    // The characters escaped() writes visibly, lone surrogates aside: C0,
    // DEL, C1 and the bidi embeddings, overrides and isolates. The Validator
    // refuses them in names and the generators never write them raw.
    static bool isControl(char16_t c);
    // "U+001B": how a message names a character it must not print (four
    // or more upper-case hex digits, as the Unicode standard writes them).
    static QString codePoint(char32_t c);
};

} // namespace mesh
