#include "hcl/parser.h"

#include "hcl/lexer.h"

#include <charconv>
#include <climits>
#include <limits>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace mesh::hcl {

namespace {

// Nodes are mutable while the parser builds them (a traversal grows step by
// step, as hclsyntax's makeRelativeTraversal extends it in place) and
// immutable once handed out.
using Node = std::shared_ptr<Expression>;

SourceRange between(const SourceRange &a, const SourceRange &b)
{
    return {a.start, b.end};
}

QString where(const SourcePos &pos)
{
    return u"%1:%2"_s.arg(pos.line).arg(pos.column);
}

QString trimLeft(const QString &s)
{
    qsizetype i = 0;
    while (i < s.size() && s.at(i).isSpace())
        ++i;
    return i == 0 ? s : s.mid(i);
}

QString trimRight(const QString &s)
{
    qsizetype i = s.size();
    while (i > 0 && s.at(i - 1).isSpace())
        --i;
    return i == s.size() ? s : s.left(i);
}

// QString::fromUtf8 drops a leading byte order mark; in a string literal
// U+FEFF is text like any other (hcl2json keeps it).
QString textFromUtf8(QByteArrayView utf8)
{
    if (utf8.startsWith("\xEF\xBB\xBF"))
        return QChar(0xFEFF) + QString::fromUtf8(utf8.sliced(3));
    return QString::fromUtf8(utf8);
}

// Decimal literal as the scanner delivers it, checked as cty.ParseNumberVal
// would read it: digits, an optional fraction, an optional exponent.
std::optional<double> parseNumber(QByteArrayView text)
{
    qsizetype i = 0;
    const qsizetype n = text.size();
    auto digits = [&] {
        const qsizetype from = i;
        while (i < n && text[i] >= '0' && text[i] <= '9')
            ++i;
        return i > from;
    };
    if (!digits())
        return std::nullopt;
    if (i < n && text[i] == '.') {
        ++i;
        digits(); // "1.e5" is a number to big.Float, as cty.ParseNumberVal reads it
    }
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < n && (text[i] == '+' || text[i] == '-'))
            ++i;
        if (!digits())
            return std::nullopt;
    }
    if (i != n)
        return std::nullopt;
    // std::from_chars: locale-independent. Beyond a double's range a number
    // reads as infinity (or 0 for a tiny one): no jobspec needs cty's
    // arbitrary precision.
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + n, v);
    if (ec == std::errc::result_out_of_range) {
        const qsizetype e = std::max(text.indexOf('e'), text.indexOf('E'));
        return e >= 0 && e + 1 < n && text[e + 1] == '-' ? 0.0 : std::numeric_limits<double>::infinity();
    }
    return v;
}

// One item of a template before its directives are paired up
// (hclsyntax's templateToken kinds).
struct TemplatePart
{
    enum class Kind { Literal, Interp, If, For, Else, EndIf, EndFor, End };
    Kind kind = Kind::Literal;
    QString value; // Literal
    SourceRange range;
    Node expr; // Interp: the expression; If: the condition; For: the collection
    QString keyVar, valueVar;
};

class ParserImpl
{
public:
    ParserImpl(const QByteArray &source, const QString &fileName, QList<Token> tokens)
        : m_source(source)
        , m_fileName(fileName)
        , m_tokens(std::move(tokens))
    {
    }

    std::optional<Body> parseRootBody();
    Node parseStandaloneExpression();
    const std::optional<Error> &error() const { return m_error; }

private:
    // ---- token stream (hclsyntax/peeker.go) ----
    const Token &peek()
    {
        qsizetype i = m_next;
        if (!m_newlines.back()) {
            while (i < m_tokens.size() - 1 && m_tokens[i].type == TokenType::Newline)
                ++i;
        }
        if (i >= m_tokens.size())
            i = m_tokens.size() - 1;
        m_peeked = i;
        return m_tokens[i];
    }
    const Token &read()
    {
        const Token &t = peek();
        if (m_peeked < m_tokens.size() - 1)
            m_next = m_peeked + 1;
        else
            m_next = m_peeked;
        m_prev = m_peeked;
        return t;
    }
    SourceRange prevRange()
    {
        if (m_prev < 0)
            return peek().range;
        return m_tokens[m_prev].range;
    }
    SourceRange nextRange() { return peek().range; }
    void pushNewlines(bool include) { m_newlines.push_back(include); }
    void popNewlines() { m_newlines.pop_back(); }
    QByteArrayView text(const Token &t) const
    {
        return QByteArrayView(m_source.constData() + t.range.start.byte, t.range.end.byte - t.range.start.byte);
    }
    QString textString(const Token &t) const { return QString::fromUtf8(text(t)); }
    bool isKeyword(const Token &t, QByteArrayView word) const { return t.type == TokenType::Ident && text(t) == word; }

    // ---- errors ----
    std::nullptr_t fail(const SourcePos &pos, const QString &summary, const QString &detail)
    {
        if (!m_error)
            m_error = Error::parse(describe(m_fileName, pos) + u": "_s + summary + u": "_s + detail);
        return nullptr;
    }
    std::nullptr_t fail(const SourceRange &range, const QString &summary, const QString &detail)
    {
        return fail(range.start, summary, detail);
    }
    // fail() for the parse steps that return whether they succeeded.
    bool rejected(const SourcePos &pos, const QString &summary, const QString &detail)
    {
        fail(pos, summary, detail);
        return false;
    }
    bool rejected(const SourceRange &range, const QString &summary, const QString &detail)
    {
        return rejected(range.start, summary, detail);
    }
    QString found(const Token &t) const
    {
        switch (t.type) {
        case TokenType::Ident:
        case TokenType::NumberLit: return u"`"_s + textString(t) + u'`';
        default: return Lexer::describe(t.type);
        }
    }
    // Depth guard: every construct that recurses enters one.
    struct Nest
    {
        explicit Nest(ParserImpl *p)
            : m_p(p)
        {
            ++p->m_depth;
        }
        ~Nest() { --m_p->m_depth; }
        ParserImpl *m_p;
    };
    // For left-nested chains built in a loop (binary operators, index and
    // splat steps): each link is one more level until the chain is done.
    struct Chain
    {
        explicit Chain(ParserImpl *p)
            : m_p(p)
        {
        }
        ~Chain() { m_p->m_depth -= m_links; }
        bool deeper(const SourcePos &pos)
        {
            ++m_links;
            ++m_p->m_depth;
            return !m_p->tooDeep(pos);
        }
        ParserImpl *m_p;
        int m_links = 0;
    };
    bool tooDeep(const SourcePos &pos)
    {
        if (m_depth <= Parser::maxNesting)
            return false;
        fail(pos, u"Nesting too deep"_s,
             u"blocks, brackets, templates and operands are nested more than %1 levels deep here"_s.arg(
                 Parser::maxNesting));
        return true;
    }

    // ---- structure ----
    bool parseBody(Body &body, TokenType end, const QString &blockName);
    bool parseBodyItem(Body &body);
    bool finishAttribute(const Token &ident, bool singleLine, Attribute &attr);
    bool finishBlock(const Token &ident, Block &block);
    bool addAttribute(Body &body, Attribute attr);
    std::optional<QString> parseQuotedStringLiteral(SourceRange &range);

    // ---- expressions ----
    // The recursive descent keeps the frames on its recursive paths small
    // (a deep input recurses through them hundreds of times, and sanitizer
    // builds multiply frame sizes): what only some branches need lives in
    // functions of its own that are never inlined.
    Node parseExpression();
    Node parseTernary();
    Node parseBinaryOps(int minPrecedence);
    Node parseWithTraversals();
    Node parseTraversals(Node from);
    Q_NEVER_INLINE Node parseDotStep(Node ret, const SourcePos &start);
    Q_NEVER_INLINE Node parseBracketStep(Node ret, const SourcePos &start);
    Node parseTerm();
    Q_NEVER_INLINE Node parseParentheses();
    Q_NEVER_INLINE Node parseNumberTerm();
    Q_NEVER_INLINE Node parseIdentTerm();
    Q_NEVER_INLINE Node parseUnary();
    Q_NEVER_INLINE Node failTerm(const Token &start);
    Q_NEVER_INLINE Node parseFunctionCall(const Token &name);
    Q_NEVER_INLINE Node parseTupleCons();
    Q_NEVER_INLINE Node parseObjectCons();
    Q_NEVER_INLINE Node finishFor(const Token &open);

    // ---- templates ----
    Q_NEVER_INLINE Node parseTemplate(const Token &open);
    bool parseTemplateParts(TokenType end, const Token &open, std::vector<TemplatePart> &parts, SourceRange &range);
    std::optional<QString> decodeLiteral(const Token &t, bool quoted);
    Node parseTemplateExpr(const std::vector<TemplatePart> &parts, size_t &i);
    Q_NEVER_INLINE Node failTemplatePart(const TemplatePart &part);
    Node parseTemplateIf(const std::vector<TemplatePart> &parts, size_t &i);
    Node parseTemplateFor(const std::vector<TemplatePart> &parts, size_t &i);
    SourcePos posInToken(const Token &t, int byte) const;

    const QByteArray &m_source;
    QString m_fileName;
    QList<Token> m_tokens;
    qsizetype m_next = 0;
    qsizetype m_peeked = 0;
    qsizetype m_prev = -1;
    std::vector<bool> m_newlines{true};
    std::optional<Error> m_error;
    int m_depth = 0;
};

// ---------------------------------------------------------------- structure

std::optional<Body> ParserImpl::parseRootBody()
{
    Body body;
    if (!parseBody(body, TokenType::Eof, QString()))
        return std::nullopt;
    return body;
}

bool ParserImpl::parseBody(Body &body, TokenType end, const QString &blockName)
{
    const SourceRange startRange = prevRange();
    SourceRange endRange;
    for (;;) {
        const Token &next = peek();
        if (next.type == end) {
            endRange = next.range;
            read();
            break;
        }
        switch (next.type) {
        case TokenType::Newline: read(); continue;
        case TokenType::Ident:
            if (!parseBodyItem(body))
                return false;
            continue;
        case TokenType::OQuote:
            return rejected(next.range, u"Invalid argument name"_s, u"argument names must not be quoted"_s);
        case TokenType::Eof:
            // Where hclsyntax points: the opening brace.
            return rejected(startRange, u"Unclosed configuration block"_s,
                            u"the `{` of %1 has no `}` before the end of the file (line %2); this may be caused by "
                            u"incorrect brace nesting elsewhere in this file"_s.arg(blockName)
                                .arg(next.range.start.line));
        default:
            return rejected(next.range, u"Argument or block definition required"_s,
                            u"an argument or block definition is required here, found %1"_s.arg(found(next)));
        }
    }
    body.range = between(startRange, endRange);
    return true;
}

bool ParserImpl::addAttribute(Body &body, Attribute attr)
{
    for (const Attribute &existing : std::as_const(body.attributes)) {
        if (existing.name == attr.name) {
            return rejected(attr.nameRange, u"Attribute redefined"_s,
                            u"`%1` was already set at %2; each argument may be set only once"_s.arg(
                                attr.name, where(existing.nameRange.start)));
        }
    }
    body.attributes.append(std::move(attr));
    return true;
}

bool ParserImpl::parseBodyItem(Body &body)
{
    const Token ident = read();
    const Token &next = peek();
    switch (next.type) {
    case TokenType::Equal: {
        Attribute attr;
        if (!finishAttribute(ident, false, attr))
            return false;
        return addAttribute(body, std::move(attr));
    }
    case TokenType::OQuote:
    case TokenType::OBrace:
    case TokenType::Ident: {
        Block block;
        if (!finishBlock(ident, block))
            return false;
        body.blocks.append(std::move(block));
        return true;
    }
    default:
        return rejected(
            ident.range, u"Argument or block definition required"_s,
            u"`%1` must be followed by `=` and a value (an argument) or by labels and `{` (a block), found %2"_s.arg(
                textString(ident), found(next)));
    }
}

bool ParserImpl::finishAttribute(const Token &ident, bool singleLine, Attribute &attr)
{
    read(); // =
    Node expr = parseExpression();
    if (!expr)
        return false;
    const SourceRange endRange = prevRange();
    if (!singleLine) {
        const Token &end = peek();
        if (end.type != TokenType::Newline && end.type != TokenType::Eof) {
            if (end.type == TokenType::Comma)
                fail(end.range, u"Unexpected comma after argument"_s,
                     u"argument definitions must be separated by newlines, not commas"_s);
            else
                fail(end.range, u"Missing newline after argument"_s,
                     u"an argument definition must end with a newline, found %1"_s.arg(found(end)));
            return false;
        }
        read();
    }
    attr.name = textString(ident);
    attr.expr = std::move(expr);
    attr.range = between(ident.range, endRange);
    attr.nameRange = ident.range;
    return true;
}

bool ParserImpl::finishBlock(const Token &ident, Block &block)
{
    const Nest nest(this);
    if (tooDeep(ident.range.start))
        return false;
    block.type = textString(ident);
    block.typeRange = ident.range;
    Token oBrace;
    for (bool done = false; !done;) {
        const Token &tok = peek();
        switch (tok.type) {
        case TokenType::OBrace:
            oBrace = read();
            done = true;
            break;
        case TokenType::OQuote: {
            SourceRange range;
            std::optional<QString> label = parseQuotedStringLiteral(range);
            if (!label)
                return false;
            block.labels.append(*label);
            block.labelRanges.append(range);
            break;
        }
        case TokenType::Ident: {
            const Token t = read();
            block.labels.append(textString(t));
            block.labelRanges.append(t.range);
            break;
        }
        case TokenType::Equal:
            return rejected(
                tok.range, u"Invalid block definition"_s,
                u"the equals sign \"=\" indicates an argument definition, and must not be used when defining a "
                u"block"_s);
        case TokenType::Newline:
            return rejected(
                tok.range, u"Invalid block definition"_s,
                u"a block definition must have block content delimited by \"{\" and \"}\", starting on the same "
                u"line as the block header"_s);
        default:
            return rejected(
                tok.range, u"Invalid block definition"_s,
                u"either a quoted string block label or an opening brace (\"{\") is expected here, found %1"_s.arg(
                    found(tok)));
        }
    }
    block.openBraceRange = oBrace.range;

    QString name = block.type;
    for (const QString &label : std::as_const(block.labels))
        name += u" \""_s + label + u'"';
    name = u"`"_s + name + u'`';

    switch (peek().type) {
    case TokenType::Newline:
    case TokenType::Eof:
    case TokenType::CBrace:
        if (!parseBody(block.body, TokenType::CBrace, name))
            return false;
        break;
    default: {
        // Single-line block: `name { attr = value }` (hclsyntax's
        // parseSingleAttrBody).
        const Token attrName = read();
        if (attrName.type != TokenType::Ident) {
            return rejected(attrName.range, u"Argument or block definition required"_s,
                            u"an argument or block definition is required here, found %1"_s.arg(found(attrName)));
        }
        const Token &next = peek();
        if (next.type == TokenType::OQuote || next.type == TokenType::OBrace || next.type == TokenType::Ident) {
            return rejected(
                attrName.range, u"Argument definition required"_s,
                u"a single-line block definition can contain only a single argument; to define a nested block, "
                u"place it on a line of its own within its parent block"_s);
        }
        if (next.type != TokenType::Equal) {
            return rejected(
                attrName.range, u"Argument or block definition required"_s,
                u"`%1` must be followed by `=` and a value, found %2"_s.arg(textString(attrName), found(next)));
        }
        Attribute attr;
        if (!finishAttribute(attrName, true, attr))
            return false;
        block.body.range = attr.range;
        block.body.attributes.append(std::move(attr));
        const Token &close = peek();
        switch (close.type) {
        case TokenType::CBrace: read(); break;
        case TokenType::Comma:
            return rejected(close.range, u"Invalid single-argument block definition"_s,
                            u"single-line block syntax can include only one argument definition; to define multiple "
                            u"arguments, use the multi-line block syntax with one argument definition per line"_s);
        case TokenType::Newline:
            return rejected(
                close.range, u"Invalid single-argument block definition"_s,
                u"an argument definition on the same line as its containing block creates a single-line block "
                u"definition, which must also be closed on the same line"_s);
        case TokenType::Eof:
            return rejected(oBrace.range, u"Unclosed configuration block"_s,
                            u"the `{` of %1 has no `}` before the end of the file (line %2)"_s.arg(name).arg(
                                close.range.start.line));
        default:
            return rejected(
                close.range, u"Invalid single-argument block definition"_s,
                u"a single-line block definition must end with a closing brace immediately after its single "
                u"argument definition, found %1"_s.arg(found(close)));
        }
        break;
    }
    }
    block.closeBraceRange = prevRange();
    block.range = between(block.typeRange, block.closeBraceRange);

    const Token &eol = peek();
    if (eol.type != TokenType::Newline && eol.type != TokenType::Eof) {
        return rejected(eol.range, u"Missing newline after block definition"_s,
                        u"a block definition must end with a newline, found %1"_s.arg(found(eol)));
    }
    read();
    return true;
}

std::optional<QString> ParserImpl::parseQuotedStringLiteral(SourceRange &range)
{
    const Token oQuote = read();
    QString result;
    for (;;) {
        const Token tok = read();
        switch (tok.type) {
        case TokenType::CQuote: range = between(oQuote.range, tok.range); return result;
        case TokenType::QuotedLit: {
            std::optional<QString> s = decodeLiteral(tok, true);
            if (!s)
                return std::nullopt;
            result += *s;
            break;
        }
        case TokenType::TemplateInterp:
        case TokenType::TemplateControl: {
            const QString which = tok.type == TokenType::TemplateInterp ? u"$"_s : u"%"_s;
            fail(tok.range, u"Invalid string literal"_s,
                 u"template sequences are not allowed in this string; to include a literal \"%1\", double it (as "
                 u"\"%1%1\") to escape it"_s.arg(which));
            return std::nullopt;
        }
        case TokenType::Eof:
            fail(tok.range, u"Unterminated string literal"_s,
                 u"the string opened at %1 has no closing quote mark before the end of the file"_s.arg(
                     where(oQuote.range.start)));
            return std::nullopt;
        default:
            fail(tok.range, u"Invalid string literal"_s, u"this item is not valid in a string literal"_s);
            return std::nullopt;
        }
    }
}

// ---------------------------------------------------------------- expressions

Node ParserImpl::parseStandaloneExpression()
{
    pushNewlines(false);
    Node expr = parseExpression();
    if (!expr)
        return nullptr;
    const Token &next = peek();
    if (next.type != TokenType::Eof)
        return fail(next.range, u"Extra characters after expression"_s,
                    u"an expression was successfully parsed, but %1 follows it"_s.arg(found(next)));
    popNewlines();
    return expr;
}

Node ParserImpl::parseExpression()
{
    const Nest nest(this);
    if (tooDeep(peek().range.start))
        return nullptr;
    return parseTernary();
}

Node ParserImpl::parseTernary()
{
    const SourceRange startRange = nextRange();
    Node cond = parseBinaryOps(0);
    if (!cond)
        return nullptr;
    if (peek().type != TokenType::Question)
        return cond;
    read();
    Node trueExpr = parseExpression();
    if (!trueExpr)
        return nullptr;
    const Token &colon = peek();
    if (colon.type != TokenType::Colon)
        return fail(colon.range, u"Missing false expression in conditional"_s,
                    u"the conditional operator (...?...:...) requires a false expression, delimited by a colon; "
                    u"found %1"_s.arg(found(colon)));
    read();
    Node falseExpr = parseExpression();
    if (!falseExpr)
        return nullptr;
    auto c = std::make_shared<Conditional>();
    c->condition = std::move(cond);
    c->trueResult = std::move(trueExpr);
    c->range = between(startRange, falseExpr->range);
    c->falseResult = std::move(falseExpr);
    return c;
}

// hclsyntax/operation.go binaryOps: the precedence of a binary operator
// token (0 loosest: ||; 5 tightest: * / %), or -1.
int binaryPrecedence(TokenType t, Operator *op)
{
    switch (t) {
    case TokenType::Or: *op = Operator::Or; return 0;
    case TokenType::And: *op = Operator::And; return 1;
    case TokenType::EqualOp: *op = Operator::Equal; return 2;
    case TokenType::NotEqual: *op = Operator::NotEqual; return 2;
    case TokenType::GreaterThan: *op = Operator::GreaterThan; return 3;
    case TokenType::GreaterThanEq: *op = Operator::GreaterThanOrEqual; return 3;
    case TokenType::LessThan: *op = Operator::LessThan; return 3;
    case TokenType::LessThanEq: *op = Operator::LessThanOrEqual; return 3;
    case TokenType::Plus: *op = Operator::Add; return 4;
    case TokenType::Minus: *op = Operator::Subtract; return 4;
    case TokenType::Star: *op = Operator::Multiply; return 5;
    case TokenType::Slash: *op = Operator::Divide; return 5;
    case TokenType::Percent: *op = Operator::Modulo; return 5;
    default: return -1;
    }
}

Q_NEVER_INLINE Node makeBinary(Operator op, Node lhs, Node rhs)
{
    auto b = std::make_shared<BinaryOp>();
    b->op = op;
    b->range = between(lhs->range, rhs->range);
    b->lhs = std::move(lhs);
    b->rhs = std::move(rhs);
    return b;
}

// Precedence climbing; the same left-associative trees as hclsyntax's
// level-by-level parseBinaryOps.
Node ParserImpl::parseBinaryOps(int minPrecedence)
{
    Node lhs = parseWithTraversals();
    if (!lhs)
        return nullptr;
    // A chain `a + b + c …` nests to the left: each operator is a level of
    // the tree that evaluating it will recurse through.
    Chain chain(this);
    for (;;) {
        Operator op = Operator::Add;
        const int precedence = binaryPrecedence(peek().type, &op);
        if (precedence < minPrecedence)
            return lhs;
        if (!chain.deeper(read().range.start))
            return nullptr;
        Node rhs = parseBinaryOps(precedence + 1);
        if (!rhs)
            return nullptr;
        lhs = makeBinary(op, std::move(lhs), std::move(rhs));
    }
}

Node ParserImpl::parseWithTraversals()
{
    Node term = parseTerm();
    if (!term)
        return nullptr;
    return parseTraversals(std::move(term));
}

// Appends a step to a traversal, or starts a RelativeTraversal
// (hclsyntax's makeRelativeTraversal).
Node makeRelativeTraversal(Node expr, TraversalStep step)
{
    if (expr->kind == Expression::Kind::ScopeTraversal) {
        auto *t = static_cast<ScopeTraversal *>(expr.get());
        t->range.end = step.range.end;
        t->steps.append(std::move(step));
        return expr;
    }
    if (expr->kind == Expression::Kind::RelativeTraversal) {
        auto *t = static_cast<RelativeTraversal *>(expr.get());
        t->range.end = step.range.end;
        t->steps.append(std::move(step));
        return expr;
    }
    auto t = std::make_shared<RelativeTraversal>();
    t->range = between(expr->range, step.range);
    t->source = std::move(expr);
    t->steps.append(std::move(step));
    return t;
}

Node ParserImpl::parseTraversals(Node from)
{
    Node ret = std::move(from);
    const SourcePos start = ret->range.start;
    Chain chain(this);
    for (;;) {
        const TokenType next = peek().type;
        if (next != TokenType::Dot && next != TokenType::OBrack)
            return ret;
        // Steps that wrap the expression so far (splats, computed indexes,
        // steps after a non-traversal) nest it one level deeper.
        if (ret->kind != Expression::Kind::ScopeTraversal && ret->kind != Expression::Kind::RelativeTraversal) {
            if (!chain.deeper(peek().range.start))
                return nullptr;
        }
        ret = next == TokenType::Dot ? parseDotStep(std::move(ret), start) : parseBracketStep(std::move(ret), start);
        if (!ret)
            return nullptr;
    }
}

Node ParserImpl::parseDotStep(Node ret, const SourcePos &start)
{
    const Token dot = read();
    const Token &attrTok = peek();
    if (attrTok.type == TokenType::Ident) {
        const Token a = read();
        return makeRelativeTraversal(std::move(ret),
                                     {TraversalStep::Kind::Attr, textString(a), Value(), between(dot.range, a.range)});
    }
    if (attrTok.type == TokenType::NumberLit) {
        // HIL's legacy `foo.0` index.
        const Token num = read();
        const QByteArrayView t = text(num);
        if (const qsizetype dotAt = t.indexOf('.'); dotAt >= 0)
            return fail(num.range, u"Invalid legacy index syntax"_s,
                        u"when using the legacy index syntax, chaining two indexes together is not permitted; use "
                        u"the proper index syntax instead, like [%1][%2]"_s.arg(
                            QString::fromUtf8(t.first(dotAt)), QString::fromUtf8(t.sliced(dotAt + 1))));
        const std::optional<double> v = parseNumber(t);
        if (!v)
            return fail(num.range, u"Invalid number literal"_s,
                        u"failed to recognize the value of this number literal"_s);
        return makeRelativeTraversal(
            std::move(ret), {TraversalStep::Kind::Index, QString(), Value::number(*v), between(dot.range, num.range)});
    }
    if (attrTok.type != TokenType::Star)
        return fail(attrTok.range, u"Invalid attribute name"_s,
                    u"an attribute name is required after a dot, found %1"_s.arg(found(attrTok)));

    // Attribute-only splat: `.*` followed by attribute steps only.
    const Token marker = read();
    QList<TraversalStep> steps;
    const SourceRange firstRange = nextRange();
    SourceRange lastRange = marker.range;
    while (peek().type == TokenType::Dot) {
        const Token d = read();
        const Token &n = peek();
        if (n.type == TokenType::NumberLit) {
            const Token num = read();
            if (text(num).contains('.'))
                // hclsyntax points at the splat's `*` here.
                return fail(marker.range, u"Invalid legacy index syntax"_s,
                            u"when using the legacy index syntax, chaining two indexes together is not permitted; "
                            u"use a full splat expression [*] with proper indexes instead"_s);
            const std::optional<double> v = parseNumber(text(num));
            if (!v)
                return fail(num.range, u"Invalid number literal"_s,
                            u"failed to recognize the value of this number literal"_s);
            steps.append({TraversalStep::Kind::Index, QString(), Value::number(*v), between(d.range, num.range)});
            lastRange = num.range;
            continue;
        }
        if (n.type != TokenType::Ident) {
            if (n.type == TokenType::Star)
                return fail(n.range, u"Nested splat expression not allowed"_s,
                            u"a splat expression (*) cannot be used inside another attribute-only splat "
                            u"expression"_s);
            return fail(n.range, u"Invalid attribute name"_s,
                        u"an attribute name is required after a dot, found %1"_s.arg(found(n)));
        }
        const Token a = read();
        steps.append({TraversalStep::Kind::Attr, textString(a), Value(), between(d.range, a.range)});
        lastRange = a.range;
    }
    auto item = std::make_shared<AnonSymbol>();
    item->range = between(dot.range, marker.range);
    Node each;
    if (steps.isEmpty()) {
        each = item;
    } else {
        auto t = std::make_shared<RelativeTraversal>();
        t->source = item;
        t->steps = std::move(steps);
        t->range = between(firstRange, lastRange);
        each = std::move(t);
    }
    auto splat = std::make_shared<Splat>();
    splat->source = std::move(ret);
    splat->each = std::move(each);
    splat->item = item;
    splat->fullSplat = false;
    splat->range = {start, lastRange.end};
    splat->markerRange = between(dot.range, marker.range);
    return splat;
}

Node ParserImpl::parseBracketStep(Node ret, const SourcePos &start)
{
    const Token open = read();
    if (peek().type == TokenType::Star) {
        read();
        const Token close = read();
        if (close.type != TokenType::CBrack)
            return fail(close.range, u"Missing close bracket on splat index"_s,
                        u"the star for a full splat operator must be immediately followed by a closing bracket "
                        u"(\"]\")"_s);
        auto item = std::make_shared<AnonSymbol>();
        item->range = between(open.range, close.range);
        const Nest nest(this);
        if (tooDeep(open.range.start))
            return nullptr;
        Node each = parseTraversals(item);
        if (!each)
            return nullptr;
        auto splat = std::make_shared<Splat>();
        splat->range = {start, each->range.end};
        splat->source = std::move(ret);
        splat->each = std::move(each);
        splat->item = item;
        splat->fullSplat = true;
        splat->markerRange = between(open.range, close.range);
        return splat;
    }
    pushNewlines(false);
    Node key = parseExpression();
    if (!key)
        return nullptr;
    const Token close = read();
    if (close.type != TokenType::CBrack)
        return fail(close.range, u"Missing close bracket on index"_s,
                    u"the index operator must end with a closing bracket (\"]\"), found %1"_s.arg(found(close)));
    popNewlines();
    const SourceRange rng = between(open.range, close.range);
    if (const auto *lit = key->as<LiteralValue>())
        return makeRelativeTraversal(std::move(ret), {TraversalStep::Kind::Index, QString(), lit->value, rng});
    if (const auto *tmpl = key->as<Template>();
        tmpl && tmpl->parts.size() == 1 && tmpl->parts.front()->kind == Expression::Kind::LiteralValue) {
        return makeRelativeTraversal(std::move(ret), {TraversalStep::Kind::Index, QString(),
                                                      tmpl->parts.front()->as<LiteralValue>()->value, rng});
    }
    auto index = std::make_shared<Index>();
    index->range = {start, rng.end};
    index->collection = std::move(ret);
    index->key = std::move(key);
    index->bracketRange = rng;
    return index;
}

Node ParserImpl::parseTerm()
{
    switch (peek().type) {
    case TokenType::OParen: return parseParentheses();
    case TokenType::NumberLit: return parseNumberTerm();
    case TokenType::Ident: return parseIdentTerm();
    case TokenType::OQuote:
    case TokenType::OHeredoc: return parseTemplate(read());
    case TokenType::Minus:
    case TokenType::Bang: return parseUnary();
    case TokenType::OBrack: return parseTupleCons();
    case TokenType::OBrace: return parseObjectCons();
    default: return failTerm(peek());
    }
}

Node ParserImpl::failTerm(const Token &start)
{
    if (start.type == TokenType::Eof)
        return fail(start.range, u"Missing expression"_s,
                    u"expected the start of an expression, but found the end of the file"_s);
    return fail(start.range, u"Invalid expression"_s,
                u"expected the start of an expression, but found %1"_s.arg(found(start)));
}

Node ParserImpl::parseParentheses()
{
    const Token open = read();
    pushNewlines(false);
    Node expr = parseExpression();
    if (!expr)
        return nullptr;
    const Token &close = peek();
    if (close.type != TokenType::CParen)
        return fail(close.range, u"Unbalanced parentheses"_s,
                    u"expected a closing parenthesis to terminate the expression opened at %1, found %2"_s.arg(
                        where(open.range.start), found(close)));
    const Token c = read();
    popNewlines();
    auto p = std::make_shared<Parentheses>();
    p->expression = std::move(expr);
    p->range = between(open.range, c.range);
    return p;
}

Node ParserImpl::parseNumberTerm()
{
    const Token tok = read();
    const std::optional<double> v = parseNumber(text(tok));
    if (!v)
        return fail(tok.range, u"Invalid number literal"_s,
                    u"failed to recognize the value of `%1` as a number"_s.arg(textString(tok)));
    auto lit = std::make_shared<LiteralValue>();
    lit->value = Value::number(*v);
    lit->range = tok.range;
    return lit;
}

Node ParserImpl::parseIdentTerm()
{
    const Token tok = read();
    const TokenType after = peek().type;
    if (after == TokenType::OParen || after == TokenType::DoubleColon)
        return parseFunctionCall(tok);
    const QByteArrayView name = text(tok);
    if (name == "true" || name == "false" || name == "null") {
        auto lit = std::make_shared<LiteralValue>();
        lit->value = name == "null" ? Value() : Value::boolean(name == "true");
        lit->range = tok.range;
        return lit;
    }
    auto t = std::make_shared<ScopeTraversal>();
    t->root = QString::fromUtf8(name);
    t->rootRange = tok.range;
    t->range = tok.range;
    return t;
}

Node ParserImpl::parseUnary()
{
    const Nest nest(this);
    if (tooDeep(peek().range.start))
        return nullptr;
    const Token tok = read();
    Node operand = parseWithTraversals();
    if (!operand)
        return nullptr;
    auto u = std::make_shared<UnaryOp>();
    u->op = tok.type == TokenType::Minus ? Operator::Negate : Operator::Not;
    u->range = between(tok.range, operand->range);
    u->symbolRange = tok.range;
    u->operand = std::move(operand);
    return u;
}

Node ParserImpl::parseFunctionCall(const Token &name)
{
    Token open = read();
    QString fullName = textString(name);
    SourcePos nameEnd = name.range.end;
    while (open.type == TokenType::DoubleColon) {
        const Token next = read();
        if (next.type != TokenType::Ident)
            return fail(next.range, u"Missing function name"_s,
                        u"function scope resolution symbol :: must be followed by a function name in this scope"_s);
        fullName += u"::"_s + textString(next);
        nameEnd = next.range.end;
        open = read();
    }
    if (open.type != TokenType::OParen)
        return fail(open.range, u"Missing open parenthesis"_s,
                    u"function selector must be followed by an open parenthesis to begin the function call"_s);

    auto call = std::make_shared<FunctionCall>();
    call->name = fullName;
    call->nameRange = {name.range.start, nameEnd};
    call->openParenRange = open.range;
    pushNewlines(false);
    Token close;
    for (;;) {
        if (peek().type == TokenType::CParen) {
            close = read();
            break;
        }
        Node arg = parseExpression();
        if (!arg)
            return nullptr;
        call->args.append(std::move(arg));
        const Token sep = read();
        if (sep.type == TokenType::CParen) {
            close = sep;
            break;
        }
        if (sep.type == TokenType::Ellipsis) {
            call->expandFinal = true;
            if (peek().type != TokenType::CParen)
                return fail(sep.range, u"Missing closing parenthesis"_s,
                            u"an expanded function argument (with ...) must be immediately followed by closing "
                            u"parentheses"_s);
            close = read();
            break;
        }
        if (sep.type != TokenType::Comma) {
            if (sep.type == TokenType::Eof)
                return fail(
                    name.range, u"Unterminated function call"_s,
                    u"there is no closing parenthesis for this call of %1 before the end of the file"_s.arg(fullName));
            return fail(
                sep.range, u"Missing argument separator"_s,
                u"a comma is required to separate each function argument from the next, found %1"_s.arg(found(sep)));
        }
        if (peek().type == TokenType::CParen) {
            close = read();
            break;
        }
    }
    popNewlines();
    call->closeParenRange = close.range;
    call->range = between(call->nameRange, close.range);
    return call;
}

Node ParserImpl::parseTupleCons()
{
    const Token open = read();
    pushNewlines(false);
    if (isKeyword(peek(), "for")) {
        Node f = finishFor(open);
        if (f)
            popNewlines();
        return f;
    }
    auto tuple = std::make_shared<TupleCons>();
    tuple->openRange = open.range;
    Token close;
    for (;;) {
        if (peek().type == TokenType::CBrack) {
            close = read();
            break;
        }
        Node item = parseExpression();
        if (!item)
            return nullptr;
        tuple->items.append(std::move(item));
        const Token &next = peek();
        if (next.type == TokenType::CBrack) {
            close = read();
            break;
        }
        if (next.type != TokenType::Comma) {
            if (next.type == TokenType::Eof)
                return fail(next.range, u"Unterminated tuple constructor expression"_s,
                            u"the `[` opened at %1 has no corresponding `]` before the end of the file"_s.arg(
                                where(open.range.start)));
            return fail(next.range, u"Missing item separator"_s,
                        u"expected a comma to mark the beginning of the next item, found %1"_s.arg(found(next)));
        }
        read();
    }
    popNewlines();
    tuple->range = between(open.range, close.range);
    return tuple;
}

Node ParserImpl::parseObjectCons()
{
    const Token open = read();
    pushNewlines(false);
    const bool isFor = isKeyword(peek(), "for");
    popNewlines();
    if (isFor) {
        pushNewlines(false);
        Node f = finishFor(open);
        if (f)
            popNewlines();
        return f;
    }
    pushNewlines(true);
    auto object = std::make_shared<ObjectCons>();
    object->openRange = open.range;
    Token close;
    for (;;) {
        const Token &next = peek();
        if (next.type == TokenType::Newline) {
            read();
            continue;
        }
        if (next.type == TokenType::CBrace) {
            close = read();
            break;
        }
        const bool forceNonLiteral = next.type == TokenType::OParen;
        Node keyExpr = parseExpression();
        if (!keyExpr)
            return nullptr;
        auto key = std::make_shared<ObjectConsKey>();
        key->range = keyExpr->range;
        key->wrapped = std::move(keyExpr);
        key->forceNonLiteral = forceNonLiteral;

        const Token &sep = peek();
        if (sep.type != TokenType::Equal && sep.type != TokenType::Colon) {
            switch (sep.type) {
            case TokenType::Newline:
            case TokenType::Comma:
                return fail(sep.range, u"Missing attribute value"_s,
                            u"expected an attribute value, introduced by an equals sign (\"=\")"_s);
            case TokenType::Ident:
                return fail(sep.range, u"Missing key/value separator"_s,
                            u"expected an equals sign (\"=\") to mark the beginning of the attribute value; if you "
                            u"intended to give an attribute name containing periods or spaces, write the name in "
                            u"quotes to create a string literal"_s);
            case TokenType::Eof:
                return fail(sep.range, u"Unterminated object constructor expression"_s,
                            u"the `{` opened at %1 has no corresponding `}` before the end of the file"_s.arg(
                                where(open.range.start)));
            default:
                return fail(sep.range, u"Missing key/value separator"_s,
                            u"expected an equals sign (\"=\") to mark the beginning of the attribute value, found "
                            u"%1"_s.arg(found(sep)));
            }
        }
        read();
        Node value = parseExpression();
        if (!value)
            return nullptr;
        object->items.append({std::move(key), std::move(value)});

        const Token &after = peek();
        if (after.type == TokenType::CBrace) {
            close = read();
            break;
        }
        if (after.type != TokenType::Comma && after.type != TokenType::Newline) {
            if (after.type == TokenType::Eof)
                return fail(after.range, u"Unterminated object constructor expression"_s,
                            u"the `{` opened at %1 has no corresponding `}` before the end of the file"_s.arg(
                                where(open.range.start)));
            return fail(after.range, u"Missing attribute separator"_s,
                        u"expected a newline or comma to mark the beginning of the next attribute, found %1"_s.arg(
                            found(after)));
        }
        read();
    }
    popNewlines();
    object->range = between(open.range, close.range);
    return object;
}

Node ParserImpl::finishFor(const Token &open)
{
    pushNewlines(false);
    read(); // for
    const bool makeObject = open.type == TokenType::OBrace;
    const TokenType closeType = makeObject ? TokenType::CBrace : TokenType::CBrack;
    auto f = std::make_shared<For>();
    f->openRange = open.range;

    if (peek().type != TokenType::Ident)
        return fail(peek().range, u"Invalid 'for' expression"_s,
                    u"for expression requires variable name after 'for'"_s);
    f->valueVar = textString(read());
    if (peek().type == TokenType::Comma) {
        f->keyVar = f->valueVar;
        read();
        if (peek().type != TokenType::Ident)
            return fail(peek().range, u"Invalid 'for' expression"_s,
                        u"for expression requires value variable name after comma"_s);
        f->valueVar = textString(read());
    }
    if (!isKeyword(peek(), "in"))
        return fail(
            peek().range, u"Invalid 'for' expression"_s,
            u"for expression requires the 'in' keyword after its name declarations, found %1"_s.arg(found(peek())));
    read();
    f->collection = parseExpression();
    if (!f->collection)
        return nullptr;
    if (peek().type != TokenType::Colon)
        return fail(peek().range, u"Invalid 'for' expression"_s,
                    u"for expression requires a colon after the collection expression, found %1"_s.arg(found(peek())));
    read();
    Node valueExpr = parseExpression();
    if (!valueExpr)
        return nullptr;
    Node keyExpr;
    if (peek().type == TokenType::FatArrow) {
        read();
        keyExpr = std::move(valueExpr);
        valueExpr = parseExpression();
        if (!valueExpr)
            return nullptr;
    }
    Token ellipsis;
    if (peek().type == TokenType::Ellipsis) {
        ellipsis = read();
        f->group = true;
    }
    if (isKeyword(peek(), "if")) {
        read();
        f->condition = parseExpression();
        if (!f->condition)
            return nullptr;
    }
    if (peek().type != closeType)
        return fail(peek().range, u"Invalid 'for' expression"_s,
                    u"extra characters after the end of the 'for' expression: found %1"_s.arg(found(peek())));
    const Token close = read();
    if (!makeObject) {
        if (keyExpr)
            return fail(keyExpr->range, u"Invalid 'for' expression"_s,
                        u"key expression is not valid when building a tuple"_s);
        if (f->group)
            return fail(ellipsis.range, u"Invalid 'for' expression"_s,
                        u"grouping ellipsis (...) cannot be used when building a tuple"_s);
    } else if (!keyExpr) {
        return fail(valueExpr->range, u"Invalid 'for' expression"_s,
                    u"key expression is required when building an object"_s);
    }
    f->keyExpr = std::move(keyExpr);
    f->valueExpr = std::move(valueExpr);
    f->closeRange = close.range;
    f->range = between(open.range, close.range);
    popNewlines();
    return f;
}

// ---------------------------------------------------------------- templates

SourcePos ParserImpl::posInToken(const Token &t, int byte) const
{
    return Lexer::advance(m_source, t.range.start, byte);
}

// A literal token's text: escapes decoded in quoted templates
// (hclsyntax's ParseStringLiteralToken), `$${`/`%%{` in both kinds.
std::optional<QString> ParserImpl::decodeLiteral(const Token &t, bool quoted)
{
    const char *d = m_source.constData();
    const int s = t.range.start.byte;
    const int e = t.range.end.byte;
    const QByteArrayView view(d + s, e - s);
    if (!view.contains('\\') && !view.contains('$') && !view.contains('%'))
        return textFromUtf8(view);
    QByteArray out;
    out.reserve(view.size());
    int i = s;
    auto hexValue = [&](int from, int count) -> std::optional<uint> {
        if (from + count > e)
            return std::nullopt;
        uint v = 0;
        for (int k = from; k < from + count; ++k) {
            const char c = d[k];
            int h;
            if (c >= '0' && c <= '9')
                h = c - '0';
            else if (c >= 'a' && c <= 'f')
                h = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                h = c - 'A' + 10;
            else
                return std::nullopt;
            v = v * 16 + uint(h);
        }
        return v;
    };
    while (i < e) {
        const char c = d[i];
        if (c == '\\' && quoted) {
            if (i + 1 >= e) {
                fail(posInToken(t, i), u"Invalid escape sequence"_s,
                     u"backslash must be followed by an escape sequence selector character"_s);
                return std::nullopt;
            }
            const char sel = d[i + 1];
            switch (sel) {
            case 'n':
                out += '\n';
                i += 2;
                continue;
            case 'r':
                out += '\r';
                i += 2;
                continue;
            case 't':
                out += '\t';
                i += 2;
                continue;
            case '"':
                out += '"';
                i += 2;
                continue;
            case '\\':
                out += '\\';
                i += 2;
                continue;
            case 'u':
            case 'U': {
                const int count = sel == 'u' ? 4 : 8;
                const std::optional<uint> v = hexValue(i + 2, count);
                if (!v) {
                    fail(posInToken(t, i), u"Invalid escape sequence"_s,
                         u"the \\%1 escape sequence must be followed by %2 hexadecimal digits"_s.arg(
                             QChar::fromLatin1(sel), sel == 'u' ? u"four"_s : u"eight"_s));
                    return std::nullopt;
                }
                if (*v > 0x10FFFF || (*v >= 0xD800 && *v <= 0xDFFF)) {
                    fail(posInToken(t, i), u"Invalid escape sequence"_s,
                         u"cannot encode character U+%1 in UTF-8"_s.arg(*v, 4, 16, QLatin1Char('0')));
                    return std::nullopt;
                }
                // Encoded by hand: QString::fromUcs4 would drop U+FEFF as a
                // byte order mark.
                const uint cp = *v;
                if (cp < 0x80) {
                    out += char(cp);
                } else if (cp < 0x800) {
                    out += char(0xC0 | (cp >> 6));
                    out += char(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    out += char(0xE0 | (cp >> 12));
                    out += char(0x80 | ((cp >> 6) & 0x3F));
                    out += char(0x80 | (cp & 0x3F));
                } else {
                    out += char(0xF0 | (cp >> 18));
                    out += char(0x80 | ((cp >> 12) & 0x3F));
                    out += char(0x80 | ((cp >> 6) & 0x3F));
                    out += char(0x80 | (cp & 0x3F));
                }
                i += 2 + count;
                continue;
            }
            default: {
                const int len = (static_cast<unsigned char>(sel) & 0x80) == 0      ? 1
                                : (static_cast<unsigned char>(sel) & 0xE0) == 0xC0 ? 2
                                : (static_cast<unsigned char>(sel) & 0xF0) == 0xE0 ? 3
                                                                                   : 4;
                fail(posInToken(t, i), u"Invalid escape sequence"_s,
                     u"\\%1 is not a valid escape sequence in a quoted string; use \\n, \\r, \\t, \\\", \\\\, "
                     u"\\uNNNN or \\UNNNNNNNN"_s.arg(QString::fromUtf8(d + i + 1, len)));
                return std::nullopt;
            }
            }
        }
        if ((c == '$' || c == '%') && i + 2 < e && d[i + 1] == c && d[i + 2] == '{') {
            out += c;
            out += '{';
            i += 3;
            continue;
        }
        out += c;
        ++i;
    }
    return textFromUtf8(out);
}

// `<<-`: removes the smallest indentation of all lines from each line
// (hclsyntax's flushHeredocTemplateParts: counted on literal pieces that
// begin a line; an all-blank line does not count).
Q_NEVER_INLINE void flushHeredoc(std::vector<TemplatePart> &parts)
{
    int minSpaces = INT_MAX;
    bool newline = true;
    std::vector<TemplatePart *> adjust;
    for (TemplatePart &part : parts) {
        if (newline) {
            newline = false;
            int spaces = 0;
            if (part.kind == TemplatePart::Kind::Literal) {
                const QString trimmed = trimLeft(part.value);
                if (trimmed.isEmpty() && part.value.endsWith(u'\n')) {
                    spaces = INT_MAX;
                } else {
                    spaces = int(part.value.size() - trimmed.size());
                    adjust.push_back(&part);
                }
            } else if (part.kind == TemplatePart::Kind::End) {
                break;
            }
            minSpaces = std::min(minSpaces, spaces);
        }
        if (part.kind == TemplatePart::Kind::Literal && part.value.endsWith(u'\n'))
            newline = true;
    }
    for (TemplatePart *lit : adjust) {
        const QString removed = lit->value.left(minSpaces);
        lit->value.remove(0, minSpaces);
        lit->range.start.column += minSpaces;
        lit->range.start.byte += int(removed.toUtf8().size());
    }
}

// Consecutive literals become one (meldConsecutiveStringLiterals).
Q_NEVER_INLINE std::vector<TemplatePart> meldLiterals(std::vector<TemplatePart> parts)
{
    std::vector<TemplatePart> melded;
    melded.reserve(parts.size());
    for (TemplatePart &part : parts) {
        if (part.kind == TemplatePart::Kind::Literal && !melded.empty()
            && melded.back().kind == TemplatePart::Kind::Literal) {
            melded.back().value += part.value;
            melded.back().range.end = part.range.end;
            continue;
        }
        melded.push_back(std::move(part));
    }
    return melded;
}

Node ParserImpl::parseTemplate(const Token &open)
{
    const bool heredoc = open.type == TokenType::OHeredoc;
    const TokenType closer = heredoc ? TokenType::CHeredoc : TokenType::CQuote;
    const bool flush = heredoc && text(open).size() > 2 && text(open)[2] == '-';

    std::vector<TemplatePart> parts;
    SourceRange partsRange;
    if (!parseTemplateParts(closer, open, parts, partsRange))
        return nullptr;

    if (flush)
        flushHeredoc(parts);
    std::vector<TemplatePart> melded = meldLiterals(std::move(parts));

    QList<ExpressionPtr> exprs;
    size_t i = 0;
    while (melded[i].kind != TemplatePart::Kind::End) {
        Node e = parseTemplateExpr(melded, i);
        if (!e)
            return nullptr;
        exprs.append(std::move(e));
    }

    const SourceRange range = between(open.range, prevRange());
    if (melded.size() == 2 && melded.front().kind == TemplatePart::Kind::Interp) {
        auto wrap = std::make_shared<TemplateWrap>();
        wrap->wrapped = exprs.front();
        wrap->range = range;
        return wrap;
    }
    auto tmpl = std::make_shared<Template>();
    tmpl->parts = std::move(exprs);
    tmpl->range = range;
    return tmpl;
}

bool ParserImpl::parseTemplateParts(TokenType end, const Token &open, std::vector<TemplatePart> &parts,
                                    SourceRange &range)
{
    const SourceRange startRange = nextRange();
    bool ltrimNext = false;
    bool nextCanTrimPrev = false;
    SourceRange endRange;
    auto trimPrevious = [&](const Token &opener, bool canTrimPrev) {
        if (canTrimPrev && text(opener).size() == 3 && text(opener)[2] == '~' && !parts.empty()
            && parts.back().kind == TemplatePart::Kind::Literal)
            parts.back().value = trimRight(parts.back().value);
    };
    for (;;) {
        const Token next = read();
        if (next.type == end) {
            endRange = next.range;
            break;
        }
        const bool ltrim = ltrimNext;
        ltrimNext = false;
        const bool canTrimPrev = nextCanTrimPrev;
        nextCanTrimPrev = false;

        switch (next.type) {
        case TokenType::StringLit:
        case TokenType::QuotedLit: {
            std::optional<QString> s = decodeLiteral(next, next.type == TokenType::QuotedLit);
            if (!s)
                return false;
            TemplatePart part;
            part.kind = TemplatePart::Kind::Literal;
            part.value = ltrim ? trimLeft(*s) : std::move(*s);
            part.range = next.range;
            parts.push_back(std::move(part));
            nextCanTrimPrev = true;
            break;
        }
        case TokenType::TemplateInterp: {
            trimPrevious(next, canTrimPrev);
            pushNewlines(false);
            Node expr = parseExpression();
            if (!expr)
                return false;
            const Token &close = peek();
            if (close.type != TokenType::TemplateSeqEnd) {
                if (close.type == TokenType::Eof
                    || ((close.type == TokenType::CQuote || close.type == TokenType::OQuote)
                        && end == TokenType::CQuote)) {
                    // hclsyntax points at the start of the template's content.
                    fail(startRange, u"Unclosed template interpolation sequence"_s,
                         u"the `${` at %1 has no closing `}`; this might be caused by incorrect nesting inside the "
                         u"given expression"_s.arg(where(next.range.start)));
                } else if (close.type == TokenType::Colon) {
                    fail(close.range, u"Extra characters after interpolation expression"_s,
                         u"template interpolation doesn't expect a colon at this location; to write a literal `${` "
                         u"for another language, escape it as `$${`"_s);
                } else {
                    fail(close.range, u"Extra characters after interpolation expression"_s,
                         u"expected a closing brace to end the interpolation expression, but found %1; to write a "
                         u"literal `${` for another language (such as a shell script), escape it as `$${`"_s.arg(
                             found(close)));
                }
                return false;
            }
            const Token c = read();
            if (text(c).size() == 2 && text(c)[0] == '~')
                ltrimNext = true;
            popNewlines();
            TemplatePart part;
            part.kind = TemplatePart::Kind::Interp;
            part.expr = std::move(expr);
            part.range = between(next.range, c.range);
            parts.push_back(std::move(part));
            break;
        }
        case TokenType::TemplateControl: {
            trimPrevious(next, canTrimPrev);
            pushNewlines(false);
            const Token &kw = peek();
            if (kw.type != TokenType::Ident) {
                return rejected(
                    kw.range, u"Invalid template directive"_s,
                    u"a template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ "
                    u"sequence"_s);
            }
            const Token keyword = read();
            const QByteArrayView word = text(keyword);
            TemplatePart part;
            if (word == "if") {
                part.kind = TemplatePart::Kind::If;
                part.expr = parseExpression();
                if (!part.expr)
                    return false;
            } else if (word == "else") {
                part.kind = TemplatePart::Kind::Else;
            } else if (word == "endif") {
                part.kind = TemplatePart::Kind::EndIf;
            } else if (word == "endfor") {
                part.kind = TemplatePart::Kind::EndFor;
            } else if (word == "for") {
                part.kind = TemplatePart::Kind::For;
                if (peek().type != TokenType::Ident) {
                    return rejected(peek().range, u"Invalid 'for' directive"_s,
                                    u"for directive requires variable name after 'for'"_s);
                }
                part.valueVar = textString(read());
                if (peek().type == TokenType::Comma) {
                    part.keyVar = part.valueVar;
                    read();
                    if (peek().type != TokenType::Ident) {
                        return rejected(peek().range, u"Invalid 'for' directive"_s,
                                        u"for directive requires value variable name after comma"_s);
                    }
                    part.valueVar = textString(read());
                }
                if (!isKeyword(peek(), "in")) {
                    return rejected(peek().range, u"Invalid 'for' directive"_s,
                                    u"for directive requires 'in' keyword after names"_s);
                }
                read();
                part.expr = parseExpression();
                if (!part.expr)
                    return false;
            } else {
                return rejected(
                    keyword.range, u"Invalid template control keyword"_s,
                    u"\"%1\" is not a valid template control keyword; expected if, else, endif, for or endfor"_s.arg(
                        QString::fromUtf8(word)));
            }
            part.range = between(next.range, nextRange());
            const Token &close = peek();
            if (close.type != TokenType::TemplateSeqEnd) {
                return rejected(close.range, u"Extra characters in %1 marker"_s.arg(QString::fromUtf8(word)),
                                u"expected a closing brace to end the sequence, but found %1"_s.arg(found(close)));
            }
            const Token c = read();
            if (text(c).size() == 2 && text(c)[0] == '~')
                ltrimNext = true;
            popNewlines();
            parts.push_back(std::move(part));
            break;
        }
        default:
            // Where hclsyntax points: where the closing marker was due.
            if (end == TokenType::CHeredoc)
                fail(next.range, u"Unterminated template string"_s,
                     u"the heredoc opened at %1 has no closing marker `%2` on a line of its own (a marker "
                     u"must be followed by a line break)"_s.arg(
                         where(open.range.start),
                         QString::fromUtf8(text(open).sliced(text(open)[2] == '-' ? 3 : 2).trimmed())));
            else
                fail(next.range, u"Unterminated template string"_s,
                     u"the string opened at %1 has no closing quote mark before the end of the file"_s.arg(
                         where(open.range.start)));
            return false;
        }
    }
    if (parts.empty()) {
        TemplatePart part;
        part.kind = TemplatePart::Kind::Literal;
        part.range = {startRange.end, startRange.end};
        parts.push_back(std::move(part));
    }
    TemplatePart endPart;
    endPart.kind = TemplatePart::Kind::End;
    endPart.range = endRange;
    parts.push_back(std::move(endPart));
    range = between(startRange, endRange);
    return true;
}

QString directiveName(TemplatePart::Kind kind)
{
    switch (kind) {
    case TemplatePart::Kind::Else: return u"else"_s;
    case TemplatePart::Kind::EndIf: return u"endif"_s;
    case TemplatePart::Kind::EndFor: return u"endfor"_s;
    default: return {};
    }
}

Node ParserImpl::parseTemplateExpr(const std::vector<TemplatePart> &parts, size_t &i)
{
    const TemplatePart &part = parts[i];
    switch (part.kind) {
    case TemplatePart::Kind::Literal: {
        ++i;
        auto lit = std::make_shared<LiteralValue>();
        lit->value = Value::normalizedString(part.value);
        lit->range = part.range;
        return lit;
    }
    case TemplatePart::Kind::Interp: ++i; return part.expr;
    case TemplatePart::Kind::If: return parseTemplateIf(parts, i);
    case TemplatePart::Kind::For: return parseTemplateFor(parts, i);
    default: return failTemplatePart(part);
    }
}

Node ParserImpl::failTemplatePart(const TemplatePart &part)
{
    if (part.kind == TemplatePart::Kind::End)
        return fail(part.range, u"Unexpected end of template"_s,
                    u"the control directives within this template are unbalanced"_s);
    return fail(part.range, u"Unexpected %1 directive"_s.arg(directiveName(part.kind)),
                u"the control directives within this template are unbalanced"_s);
}

Node ParserImpl::parseTemplateIf(const std::vector<TemplatePart> &parts, size_t &i)
{
    const Nest nest(this);
    const TemplatePart &open = parts[i++];
    if (tooDeep(open.range.start))
        return nullptr;
    QList<ExpressionPtr> ifExprs, elseExprs;
    QList<ExpressionPtr> *current = &ifExprs;
    SourceRange endifRange;
    for (;;) {
        const TemplatePart &next = parts[i];
        if (next.kind == TemplatePart::Kind::End)
            return fail(
                next.range, u"Unexpected end of template"_s,
                u"the if directive at %1 is missing its corresponding endif directive"_s.arg(where(open.range.start)));
        if (next.kind == TemplatePart::Kind::Else || next.kind == TemplatePart::Kind::EndIf
            || next.kind == TemplatePart::Kind::EndFor) {
            ++i;
            if (next.kind == TemplatePart::Kind::Else) {
                if (current == &ifExprs) {
                    current = &elseExprs;
                    continue;
                }
                return fail(next.range, u"Unexpected else directive"_s,
                            u"already in the else clause for the if started at %1"_s.arg(where(open.range.start)));
            }
            if (next.kind == TemplatePart::Kind::EndIf) {
                endifRange = next.range;
                break;
            }
            return fail(next.range, u"Unexpected endfor directive"_s,
                        u"expecting an endif directive for the if started at %1"_s.arg(where(open.range.start)));
        }
        Node e = parseTemplateExpr(parts, i);
        if (!e)
            return nullptr;
        current->append(std::move(e));
    }
    auto emptyLiteral = [](const SourcePos &at) {
        auto lit = std::make_shared<LiteralValue>();
        lit->value = Value::string(QString());
        lit->range = {at, at};
        return lit;
    };
    if (ifExprs.isEmpty())
        ifExprs.append(emptyLiteral(open.range.end));
    if (elseExprs.isEmpty())
        elseExprs.append(emptyLiteral(endifRange.start));
    auto trueExpr = std::make_shared<Template>();
    trueExpr->range = between(ifExprs.front()->range, ifExprs.back()->range);
    trueExpr->parts = std::move(ifExprs);
    auto falseExpr = std::make_shared<Template>();
    falseExpr->range = between(elseExprs.front()->range, elseExprs.back()->range);
    falseExpr->parts = std::move(elseExprs);

    auto c = std::make_shared<Conditional>();
    c->condition = open.expr;
    c->trueResult = std::move(trueExpr);
    c->falseResult = std::move(falseExpr);
    c->range = between(open.range, endifRange);
    return c;
}

Node ParserImpl::parseTemplateFor(const std::vector<TemplatePart> &parts, size_t &i)
{
    const Nest nest(this);
    const TemplatePart &open = parts[i++];
    if (tooDeep(open.range.start))
        return nullptr;
    QList<ExpressionPtr> content;
    SourceRange endforRange;
    for (;;) {
        const TemplatePart &next = parts[i];
        if (next.kind == TemplatePart::Kind::End)
            return fail(next.range, u"Unexpected end of template"_s,
                        u"the for directive at %1 is missing its corresponding endfor directive"_s.arg(
                            where(open.range.start)));
        if (next.kind == TemplatePart::Kind::Else)
            return fail(next.range, u"Unexpected else directive"_s,
                        u"an else clause is not expected for a for directive"_s);
        if (next.kind == TemplatePart::Kind::EndFor) {
            ++i;
            endforRange = next.range;
            break;
        }
        if (next.kind == TemplatePart::Kind::EndIf)
            return fail(next.range, u"Unexpected endif directive"_s,
                        u"expecting an endfor directive corresponding to the for directive at %1"_s.arg(
                            where(open.range.start)));
        Node e = parseTemplateExpr(parts, i);
        if (!e)
            return nullptr;
        content.append(std::move(e));
    }
    if (content.isEmpty()) {
        auto lit = std::make_shared<LiteralValue>();
        lit->value = Value::string(QString());
        lit->range = {open.range.end, open.range.end};
        content.append(std::move(lit));
    }
    auto body = std::make_shared<Template>();
    body->range = between(content.front()->range, content.back()->range);
    body->parts = std::move(content);

    auto f = std::make_shared<For>();
    f->keyVar = open.keyVar;
    f->valueVar = open.valueVar;
    f->collection = open.expr;
    f->valueExpr = std::move(body);
    f->range = between(open.range, endforRange);
    f->openRange = open.range;
    f->closeRange = endforRange;

    auto join = std::make_shared<TemplateJoin>();
    join->range = f->range;
    join->tuple = std::move(f);
    return join;
}

} // namespace

Result<SyntaxFile> Parser::parseFile(QByteArray source, QString fileName)
{
    Result<QList<Token>> tokens = Lexer::tokenize(source, fileName);
    if (!tokens)
        return std::unexpected(tokens.error());
    ParserImpl parser(source, fileName, std::move(*tokens));
    std::optional<Body> body = parser.parseRootBody();
    if (!body)
        return std::unexpected(*parser.error());
    SyntaxFile file;
    file.fileName = std::move(fileName);
    file.source = std::move(source);
    file.body = std::move(*body);
    return file;
}

Result<ExpressionPtr> Parser::parseExpression(QByteArray source, QString fileName)
{
    Result<QList<Token>> tokens = Lexer::tokenize(source, fileName);
    if (!tokens)
        return std::unexpected(tokens.error());
    ParserImpl parser(source, fileName, std::move(*tokens));
    Node expr = parser.parseStandaloneExpression();
    if (!expr)
        return std::unexpected(*parser.error());
    return ExpressionPtr(std::move(expr));
}

} // namespace mesh::hcl
