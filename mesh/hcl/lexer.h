#pragma once

#include "core/result.h"
#include "hcl/sourcerange.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace mesh::hcl {

enum class TokenType : quint8 {
    OBrace,          // {
    CBrace,          // }
    OBrack,          // [
    CBrack,          // ]
    OParen,          // (
    CParen,          // )
    OQuote,          // " opening a quoted template
    CQuote,          // " closing it
    OHeredoc,        // <<EOT or <<-EOT and its newline
    CHeredoc,        // the closing marker line (without its newline)
    Star,            // *
    Slash,           // /
    Plus,            // +
    Minus,           // -
    Percent,         // %
    Equal,           // =
    EqualOp,         // ==
    NotEqual,        // !=
    LessThan,        // <
    LessThanEq,      // <=
    GreaterThan,     // >
    GreaterThanEq,   // >=
    And,             // &&
    Or,              // ||
    Bang,            // !
    Dot,             // .
    Comma,           // ,
    Ellipsis,        // ...
    FatArrow,        // =>
    Question,        // ?
    Colon,           // :
    DoubleColon,     // ::
    TemplateInterp,  // ${ or ${~
    TemplateControl, // %{ or %{~
    TemplateSeqEnd,  // } or ~} closing a template sequence
    QuotedLit,       // literal text of a quoted template (escapes undecoded)
    StringLit,       // literal text of a heredoc ($${ undecoded)
    NumberLit,
    Ident,
    Newline,
    Eof,
};

// A token: its type and where it is. Its text is
// source.mid(range.start.byte, range.end.byte - range.start.byte).
struct Token
{
    TokenType type = TokenType::Eof;
    SourceRange range;
};

// HCL's native-syntax scanner (hashicorp/hcl: hclsyntax/scan_tokens.rl) on
// the UTF-8 bytes: the same tokens, modes (expressions, quoted templates,
// heredocs) and brace bookkeeping, so that the parser sees what hclsyntax's
// parser sees. Comments are dropped; a `#` or `//` comment that ends a line
// yields a Newline token covering the comment, as hclsyntax's peeker does
// (hclsyntax/peeker.go). A leading UTF-8 BOM is skipped (positions still
// count its bytes, as hcl.Pos does).
class Lexer final
{
public:
    // The tokens of `source`, ending with an Eof token; or the first
    // character hclsyntax rejects (invalid UTF-8 anywhere — hclsyntax only
    // checks outside comments —, `;`, `'`, a backtick, `&`, `|`, `^`, `~`, a
    // line break inside a quoted string, an unterminated `/*` comment), as
    // "FILE:LINE:COLUMN: message".
    static Result<QList<Token>> tokenize(const QByteArray &source, const QString &fileName);

    // How a message names a token type: "`{`", "a newline", "the end of the
    // file", "a name", …
    static QString describe(TokenType type);

    // Where `byte` is, counting from `from` (a position at or before it) in
    // valid UTF-8 `source`: as hcl.Pos counts, a line break is "\n" or
    // "\r\n", and a column is a user-perceived character (a grapheme
    // cluster, approximated: combining marks, joiners and emoji modifiers
    // do not start a new column).
    static SourcePos advance(const QByteArray &source, SourcePos from, int byte);
};

} // namespace mesh::hcl
