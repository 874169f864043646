#include "hcl/lexer.h"

#include <QChar>

#include <vector>

using namespace Qt::StringLiterals;

namespace mesh::hcl {

namespace {

// Length of the UTF-8 sequence a lead byte starts (input is validated first).
int utf8Length(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    return 4;
}

char32_t decodeAt(const char *d, int p)
{
    const auto c = static_cast<unsigned char>(d[p]);
    switch (utf8Length(c)) {
    case 1: return c;
    case 2: return (char32_t(c & 0x1F) << 6) | (d[p + 1] & 0x3F);
    case 3: return (char32_t(c & 0x0F) << 12) | (char32_t(d[p + 1] & 0x3F) << 6) | (d[p + 2] & 0x3F);
    default:
        return (char32_t(c & 0x07) << 18) | (char32_t(d[p + 1] & 0x3F) << 12) | (char32_t(d[p + 2] & 0x3F) << 6)
               | (d[p + 3] & 0x3F);
    }
}

// Offset of the first byte that is not well-formed UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF included), or -1.
int firstInvalidUtf8(const char *d, int n, int from)
{
    int p = from;
    while (p < n) {
        const auto c = static_cast<unsigned char>(d[p]);
        if (c < 0x80) {
            ++p;
            continue;
        }
        auto cont = [&](int i) { return p + i < n && (static_cast<unsigned char>(d[p + i]) & 0xC0) == 0x80; };
        if (c >= 0xC2 && c <= 0xDF) {
            if (!cont(1))
                return p;
            p += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (!cont(1) || !cont(2))
                return p;
            const auto c1 = static_cast<unsigned char>(d[p + 1]);
            if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))
                return p;
            p += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (!cont(1) || !cont(2) || !cont(3))
                return p;
            const auto c1 = static_cast<unsigned char>(d[p + 1]);
            if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
                return p;
            p += 4;
        } else {
            return p;
        }
    }
    return -1;
}

// Unicode ID_Start / ID_Continue (UAX #31) from the general categories Qt
// knows, plus the Other_ID_Start / Other_ID_Continue code points.
bool isIdStart(char32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    switch (QChar::category(c)) {
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
    case QChar::Number_Letter: return true;
    default: return c == 0x1885 || c == 0x1886 || c == 0x2118 || c == 0x212E || c == 0x309B || c == 0x309C;
    }
}

bool isIdContinue(char32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (isIdStart(c))
        return true;
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Number_DecimalDigit:
    case QChar::Punctuation_Connector: return true;
    default: return c == 0x00B7 || c == 0x0387 || (c >= 0x1369 && c <= 0x1371) || c == 0x19DA;
    }
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

class Scanner
{
public:
    Scanner(const QByteArray &source, const QString &fileName)
        : m_source(source)
        , m_d(source.constData())
        , m_n(int(source.size()))
        , m_fileName(fileName)
    {
    }

    Result<QList<Token>> run();

private:
    enum class Mode { Main, String, Heredoc };
    struct Heredoc
    {
        QByteArrayView marker;
        bool startOfLine = true;
    };

    SourcePos posAt(int byte);
    void emitToken(TokenType type, int start, int end)
    {
        const SourcePos s = posAt(start);
        m_tokens.append(Token{type, {s, posAt(end)}});
    }
    void fail(int byte, const QString &message)
    {
        if (!m_error)
            m_error = Error::parse(describe(m_fileName, posAt(byte)) + u": "_s + message);
    }
    char at(int p) const { return p < m_n ? m_d[p] : '\0'; }
    int identEnd(int p) const;

    int lexMain(int p);
    int lexString(int p);
    int lexHeredoc(int p);
    int openSequence(int p, TokenType type);
    int closeBrace(int p, int len, bool tilde);

    const QByteArray &m_source;
    const char *m_d;
    int m_n;
    QString m_fileName;
    QList<Token> m_tokens;
    std::optional<Error> m_error;
    SourcePos m_cursor;

    std::vector<Mode> m_modes{Mode::Main};
    int m_braces = 0;
    std::vector<int> m_retBraces;
    std::vector<Heredoc> m_heredocs;
};

// Positions are asked for in increasing order, so one cursor walks the
// source once.
SourcePos Scanner::posAt(int byte)
{
    if (byte > m_cursor.byte)
        m_cursor = Lexer::advance(m_source, m_cursor, byte);
    return m_cursor;
}

int Scanner::identEnd(int p) const
{
    if (p >= m_n)
        return p;
    const auto c = static_cast<unsigned char>(m_d[p]);
    if (c < 0x80) {
        if (!(c == '_' || isIdStart(c)))
            return p;
        ++p;
    } else {
        if (!isIdStart(decodeAt(m_d, p)))
            return p;
        p += utf8Length(c);
    }
    while (p < m_n) {
        const auto d = static_cast<unsigned char>(m_d[p]);
        if (d < 0x80) {
            if (!(d == '-' || isIdContinue(d)))
                break;
            ++p;
        } else {
            if (!isIdContinue(decodeAt(m_d, p)))
                break;
            p += utf8Length(d);
        }
    }
    return p;
}

Result<QList<Token>> Scanner::run()
{
    int p = 0;
    if (m_n >= 3 && m_d[0] == '\xEF' && m_d[1] == '\xBB' && m_d[2] == '\xBF') {
        p = 3;
        m_cursor.byte = 3; // hcl.Pos counts the BOM's bytes but not a column
    }
    if (const int bad = firstInvalidUtf8(m_d, m_n, p); bad >= 0) {
        fail(bad,
             u"Invalid character encoding: byte 0x%1 is not valid UTF-8; all input files must be UTF-8 encoded"_s.arg(
                 static_cast<unsigned char>(m_d[bad]), 2, 16, QLatin1Char('0')));
        return std::unexpected(*m_error);
    }
    m_tokens.reserve(m_n / 4 + 16);
    while (p < m_n && !m_error) {
        switch (m_modes.back()) {
        case Mode::Main: p = lexMain(p); break;
        case Mode::String: p = lexString(p); break;
        case Mode::Heredoc: p = lexHeredoc(p); break;
        }
    }
    if (m_error)
        return std::unexpected(*m_error);
    emitToken(TokenType::Eof, m_n, m_n);
    return std::move(m_tokens);
}

int Scanner::openSequence(int p, TokenType type)
{
    const int len = at(p + 2) == '~' ? 3 : 2;
    emitToken(type, p, p + len);
    ++m_braces;
    m_retBraces.push_back(m_braces);
    if (!m_heredocs.empty())
        m_heredocs.back().startOfLine = false;
    m_modes.push_back(Mode::Main);
    return p + len;
}

int Scanner::closeBrace(int p, int len, bool tilde)
{
    if (!m_retBraces.empty() && m_retBraces.back() == m_braces) {
        emitToken(TokenType::TemplateSeqEnd, p, p + len);
        --m_braces;
        m_retBraces.pop_back();
        m_modes.pop_back();
    } else {
        // A stray `~}` still ends a "sequence", so that the parser reports
        // it (hclsyntax: closeTemplateSeqEatWhitespace).
        emitToken(tilde ? TokenType::TemplateSeqEnd : TokenType::CBrace, p, p + len);
        --m_braces;
    }
    return p + len;
}

int Scanner::lexMain(int p)
{
    const char c = m_d[p];
    auto one = [&](TokenType t) {
        emitToken(t, p, p + 1);
        return p + 1;
    };
    auto two = [&](TokenType t) {
        emitToken(t, p, p + 2);
        return p + 2;
    };
    auto bitwise = [&](const QString &suggestion) {
        fail(p, u"Unsupported operator: bitwise operators are not supported."_s + suggestion);
        return m_n;
    };
    switch (c) {
    case ' ':
    case '\t': {
        int q = p + 1;
        while (q < m_n && (m_d[q] == ' ' || m_d[q] == '\t'))
            ++q;
        return q;
    }
    case '\n': return one(TokenType::Newline);
    case '\r':
        if (at(p + 1) == '\n')
            return two(TokenType::Newline);
        break;
    case '#':
    case '/': {
        if (c == '/' && at(p + 1) == '*') {
            const int close = QByteArrayView(m_d, m_n).indexOf("*/", p + 2);
            if (close < 0) {
                fail(p, u"Unterminated comment: this `/*` has no closing `*/`"_s);
                return m_n;
            }
            return close + 2;
        }
        if (c == '/' && at(p + 1) != '/')
            return one(TokenType::Slash);
        // A line comment takes its line break with it; the peeker turns it
        // back into a newline (hclsyntax/peeker.go nextToken).
        const int nl = QByteArrayView(m_d, m_n).indexOf('\n', p);
        if (nl < 0)
            return m_n;
        emitToken(TokenType::Newline, p, nl + 1);
        return nl + 1;
    }
    case '{': ++m_braces; return one(TokenType::OBrace);
    case '}': return closeBrace(p, 1, false);
    case '~':
        if (at(p + 1) == '}')
            return closeBrace(p, 2, true);
        return bitwise(u" Did you mean boolean NOT (\"!\")?"_s);
    case '"':
        emitToken(TokenType::OQuote, p, p + 1);
        m_modes.push_back(Mode::String);
        return p + 1;
    case '<': {
        if (at(p + 1) == '<') {
            int q = p + 2;
            if (at(q) == '-')
                ++q;
            const int markerStart = q;
            const int markerEnd = identEnd(q);
            if (markerEnd > markerStart) {
                int e = markerEnd;
                if (at(e) == '\r' && at(e + 1) == '\n')
                    e += 2;
                else if (at(e) == '\n')
                    e += 1;
                if (e > markerEnd) {
                    emitToken(TokenType::OHeredoc, p, e);
                    m_heredocs.push_back({QByteArrayView(m_d + markerStart, markerEnd - markerStart), true});
                    m_modes.push_back(Mode::Heredoc);
                    return e;
                }
            }
        }
        if (at(p + 1) == '=')
            return two(TokenType::LessThanEq);
        return one(TokenType::LessThan);
    }
    case '=':
        if (at(p + 1) == '=')
            return two(TokenType::EqualOp);
        if (at(p + 1) == '>')
            return two(TokenType::FatArrow);
        return one(TokenType::Equal);
    case '!': return at(p + 1) == '=' ? two(TokenType::NotEqual) : one(TokenType::Bang);
    case '>': return at(p + 1) == '=' ? two(TokenType::GreaterThanEq) : one(TokenType::GreaterThan);
    case '&':
        if (at(p + 1) == '&')
            return two(TokenType::And);
        return bitwise(u" Did you mean boolean AND (\"&&\")?"_s);
    case '|':
        if (at(p + 1) == '|')
            return two(TokenType::Or);
        return bitwise(u" Did you mean boolean OR (\"||\")?"_s);
    case '^': return bitwise(QString());
    case ':': return at(p + 1) == ':' ? two(TokenType::DoubleColon) : one(TokenType::Colon);
    case '.':
        if (at(p + 1) == '.' && at(p + 2) == '.') {
            emitToken(TokenType::Ellipsis, p, p + 3);
            return p + 3;
        }
        return one(TokenType::Dot);
    case '[': return one(TokenType::OBrack);
    case ']': return one(TokenType::CBrack);
    case '(': return one(TokenType::OParen);
    case ')': return one(TokenType::CParen);
    case ',': return one(TokenType::Comma);
    case '*': return one(TokenType::Star);
    case '+': return one(TokenType::Plus);
    case '-': return one(TokenType::Minus);
    case '%': return one(TokenType::Percent);
    case '?': return one(TokenType::Question);
    case ';':
        fail(p, u"Invalid character: the \";\" character is not valid. Use newlines to separate arguments and "
                u"blocks, and commas to separate items in collection values."_s);
        return m_n;
    case '\'':
        fail(p, u"Invalid character: single quotes are not valid. Use double quotes (\") to enclose strings."_s);
        return m_n;
    case '`':
        fail(p, u"Invalid character: the \"`\" character is not valid. To create a multi-line string, use the "
                u"\"heredoc\" syntax, like \"<<EOT\"."_s);
        return m_n;
    default: break;
    }
    if (isDigit(c)) {
        // digit (digit | '.' | [eE][+-]?digit)*, not ending with '.'
        int q = p + 1;
        int good = q;
        while (q < m_n) {
            const char d = m_d[q];
            if (isDigit(d)) {
                good = ++q;
            } else if (d == '.') {
                ++q;
            } else if ((d == 'e' || d == 'E')
                       && (isDigit(at(q + 1)) || ((at(q + 1) == '+' || at(q + 1) == '-') && isDigit(at(q + 2))))) {
                q += isDigit(at(q + 1)) ? 2 : 3;
                good = q;
            } else {
                break;
            }
        }
        emitToken(TokenType::NumberLit, p, good);
        return good;
    }
    if (const int e = identEnd(p); e > p) {
        emitToken(TokenType::Ident, p, e);
        return e;
    }
    const char32_t ch = decodeAt(m_d, p);
    if (ch == 0x201C || ch == 0x201D)
        fail(p, u"Invalid character: \"curly quotes\" are not valid here; replace them with straight quotes (\")"_s);
    else
        fail(p, u"Invalid character: %1 is not used within the language"_s.arg(
                    ch < 0x20 || ch == 0x7F ? u"U+%1"_s.arg(uint(ch), 4, 16, QLatin1Char('0')).toUpper()
                                            : u"`"_s + QString::fromUcs4(&ch, 1) + u'`'));
    return m_n;
}

int Scanner::lexString(int p)
{
    const char c = m_d[p];
    if ((c == '$' || c == '%') && at(p + 1) == '{')
        return openSequence(p, c == '$' ? TokenType::TemplateInterp : TokenType::TemplateControl);
    if (c == '"') {
        emitToken(TokenType::CQuote, p, p + 1);
        m_modes.pop_back();
        return p + 1;
    }
    if (c == '\r' || c == '\n') {
        fail(p, u"Invalid multi-line string: quoted strings may not be split over multiple lines; use the \\n "
                u"escape for a line break or a heredoc (<<EOT) for a multi-line string"_s);
        return m_n;
    }
    int q = p;
    while (q < m_n) {
        const char d = m_d[q];
        if (d == '"' || d == '\r' || d == '\n')
            break;
        if (d == '$' || d == '%') {
            if (at(q + 1) == d && at(q + 2) == '{') {
                q += 3; // $${ and %%{ are literal
                continue;
            }
            if (at(q + 1) == '{')
                break;
            ++q;
            continue;
        }
        if (d == '\\') {
            const char e = at(q + 1);
            if (q + 1 >= m_n || e == '\r' || e == '\n') {
                ++q;
                continue;
            }
            q += 1 + utf8Length(static_cast<unsigned char>(e));
            continue;
        }
        q += utf8Length(static_cast<unsigned char>(d));
    }
    emitToken(TokenType::QuotedLit, p, q);
    return q;
}

int Scanner::lexHeredoc(int p)
{
    const char c = m_d[p];
    if ((c == '$' || c == '%') && at(p + 1) == '{')
        return openSequence(p, c == '$' ? TokenType::TemplateInterp : TokenType::TemplateControl);
    // One literal token per line, or up to an interpolation: the heredoc's
    // `<<-` indentation rule and the strip markers work on these pieces.
    int q = p;
    bool eol = false;
    while (q < m_n) {
        const char d = m_d[q];
        if (d == '\n') {
            ++q;
            eol = true;
            break;
        }
        if (d == '\r') {
            if (at(q + 1) == '\n') {
                q += 2;
                eol = true;
                break;
            }
            fail(q, u"Invalid character: a carriage return must be followed by a line feed"_s);
            return m_n;
        }
        if (d == '$' || d == '%') {
            if (at(q + 1) == d && at(q + 2) == '{') {
                q += 3;
                continue;
            }
            if (at(q + 1) == '{')
                break;
            ++q;
            continue;
        }
        q += utf8Length(static_cast<unsigned char>(d));
    }
    Heredoc &doc = m_heredocs.back();
    if (eol && doc.startOfLine) {
        QByteArrayView line(m_d + p, q - p);
        if (line.trimmed() == doc.marker) {
            int nls = q - 1;
            if (nls > p && m_d[nls - 1] == '\r')
                --nls;
            emitToken(TokenType::CHeredoc, p, nls);
            emitToken(TokenType::Newline, nls, q);
            m_heredocs.pop_back();
            m_modes.pop_back();
            return q;
        }
    }
    doc.startOfLine = eol;
    emitToken(TokenType::StringLit, p, q);
    return q;
}

// Whether `c` continues the user-perceived character before it (`prev`):
// the common cases of Unicode's extended grapheme clusters (UAX #29).
bool continuesCluster(char32_t c, char32_t prev)
{
    if (c == 0x200D || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F))
        return true; // zero-width joiner, emoji modifiers, tag characters
    if (prev == 0x200D && (c >= 0x1F000 || (c >= 0x2600 && c <= 0x27BF)))
        return true; // the pictograph after a joiner
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing: return true;
    default: return false;
    }
}

} // namespace

SourcePos Lexer::advance(const QByteArray &source, SourcePos pos, int byte)
{
    const char *d = source.constData();
    const int n = int(source.size());
    char32_t prev = 0;
    bool oddRegionalIndicator = false;
    for (int i = pos.byte; i < byte && i < n;) {
        const auto c = static_cast<unsigned char>(d[i]);
        if (c < 0x80) {
            if (c == '\n') {
                ++pos.line;
                pos.column = 1;
            } else if (!(c == '\r' && i + 1 < n && d[i + 1] == '\n')) {
                ++pos.column;
            }
            prev = c;
            oddRegionalIndicator = false;
            ++i;
            continue;
        }
        const char32_t cp = decodeAt(d, i);
        const bool regionalIndicator = cp >= 0x1F1E6 && cp <= 0x1F1FF;
        if (regionalIndicator && oddRegionalIndicator) {
            oddRegionalIndicator = false; // the second of a flag's pair
        } else {
            oddRegionalIndicator = regionalIndicator;
            if (!continuesCluster(cp, prev))
                ++pos.column;
        }
        prev = cp;
        i += utf8Length(c);
    }
    pos.byte = byte;
    return pos;
}

Result<QList<Token>> Lexer::tokenize(const QByteArray &source, const QString &fileName)
{
    return Scanner(source, fileName).run();
}

QString Lexer::describe(TokenType type)
{
    switch (type) {
    case TokenType::OBrace: return u"`{`"_s;
    case TokenType::CBrace: return u"`}`"_s;
    case TokenType::OBrack: return u"`[`"_s;
    case TokenType::CBrack: return u"`]`"_s;
    case TokenType::OParen: return u"`(`"_s;
    case TokenType::CParen: return u"`)`"_s;
    case TokenType::OQuote:
    case TokenType::CQuote: return u"a quote `\"`"_s;
    case TokenType::OHeredoc: return u"a heredoc"_s;
    case TokenType::CHeredoc: return u"the end of a heredoc"_s;
    case TokenType::Star: return u"`*`"_s;
    case TokenType::Slash: return u"`/`"_s;
    case TokenType::Plus: return u"`+`"_s;
    case TokenType::Minus: return u"`-`"_s;
    case TokenType::Percent: return u"`%`"_s;
    case TokenType::Equal: return u"`=`"_s;
    case TokenType::EqualOp: return u"`==`"_s;
    case TokenType::NotEqual: return u"`!=`"_s;
    case TokenType::LessThan: return u"`<`"_s;
    case TokenType::LessThanEq: return u"`<=`"_s;
    case TokenType::GreaterThan: return u"`>`"_s;
    case TokenType::GreaterThanEq: return u"`>=`"_s;
    case TokenType::And: return u"`&&`"_s;
    case TokenType::Or: return u"`||`"_s;
    case TokenType::Bang: return u"`!`"_s;
    case TokenType::Dot: return u"`.`"_s;
    case TokenType::Comma: return u"`,`"_s;
    case TokenType::Ellipsis: return u"`...`"_s;
    case TokenType::FatArrow: return u"`=>`"_s;
    case TokenType::Question: return u"`?`"_s;
    case TokenType::Colon: return u"`:`"_s;
    case TokenType::DoubleColon: return u"`::`"_s;
    case TokenType::TemplateInterp: return u"`${`"_s;
    case TokenType::TemplateControl: return u"`%{`"_s;
    case TokenType::TemplateSeqEnd: return u"the `}` ending a template sequence"_s;
    case TokenType::QuotedLit:
    case TokenType::StringLit: return u"text"_s;
    case TokenType::NumberLit: return u"a number"_s;
    case TokenType::Ident: return u"a name"_s;
    case TokenType::Newline: return u"a line break"_s;
    case TokenType::Eof: return u"the end of the file"_s;
    }
    return {};
}

} // namespace mesh::hcl
