#pragma once

#include "hcl/sourcerange.h"
#include "hcl/value.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace mesh::hcl {

// The syntax tree of HCL's native syntax, node for node as hashicorp/hcl's
// hclsyntax package builds it (hashicorp/hcl: hclsyntax/expression.go,
// expression_template.go, expression_ops.go, structure.go). The nodes are the
// same because views of the tree must tell them apart exactly as HashiCorp's
// tools do: hcl2json, for one, prints a LiteralValue as JSON but a
// ScopeTraversal as "${…}", and slices the source text by each node's range.
// So every `range` below is what the hclsyntax node's Range() returns.
//
// Ownership: expressions are immutable after parsing and held by
// ExpressionPtr (shared_ptr<const Expression>); copying a tree copies
// pointers. Downcast with `expr.as<BinaryOp>()` (nullptr when the kind
// differs).

struct Expression;
using ExpressionPtr = std::shared_ptr<const Expression>;

struct Expression
{
    enum class Kind {
        LiteralValue,
        Template,
        TemplateWrap,
        TemplateJoin,
        ScopeTraversal,
        RelativeTraversal,
        FunctionCall,
        TupleCons,
        ObjectCons,
        ObjectConsKey,
        Index,
        Splat,
        AnonSymbol,
        For,
        Conditional,
        UnaryOp,
        BinaryOp,
        Parentheses,
    };

    explicit Expression(Kind k, SourceRange r = {})
        : kind(k)
        , range(r)
    {
    }
    virtual ~Expression() = default;

    template<class T>
    const T *as() const
    {
        return kind == T::StaticKind ? static_cast<const T *>(this) : nullptr;
    }

    const Kind kind;
    SourceRange range;
};

// The base of every node type: K is the node's `kind` and its StaticKind,
// which as<T>() compares.
template<Expression::Kind K>
struct ExpressionOf : Expression
{
    static constexpr Kind StaticKind = K;
    ExpressionOf()
        : Expression(K)
    {
    }
};

// A constant: a number, `true`, `false`, `null`, or a template's literal
// text. A quoted string without interpolations is not one: it is a Template
// holding one LiteralValue part, as in hclsyntax.
struct LiteralValue final : ExpressionOf<Expression::Kind::LiteralValue>
{
    Value value;
};

// A quoted string or heredoc: its parts in order, literal parts as
// LiteralValue strings (escapes decoded, strip markers and `<<-` indentation
// applied, in Unicode NFC as cty stores strings), `${…}` parts as their
// expressions, `%{if}` as Conditional and `%{for}` as TemplateJoin. Its value
// is the concatenation of the parts converted to strings.
struct Template final : ExpressionOf<Expression::Kind::Template>
{
    QList<ExpressionPtr> parts;
};

// A template that is exactly one `${expr}` (no literal text, no strip
// markers leaving text around it): its value is expr's value, unconverted.
// range covers the whole quoted string.
struct TemplateWrap final : ExpressionOf<Expression::Kind::TemplateWrap>
{
    ExpressionPtr wrapped;
};

// `%{for k, v in coll}…%{endfor}` inside a template: `tuple` is a For whose
// valueExpr is the body Template; the strings it yields are concatenated.
// range is tuple's range, as hclsyntax's TemplateJoinExpr.Range().
struct TemplateJoin final : ExpressionOf<Expression::Kind::TemplateJoin>
{
    ExpressionPtr tuple;
};

// One step of a traversal: `.name`, `[key]` with a literal key, or the legacy
// `.0` index. range covers the step including its `.` or brackets.
struct TraversalStep
{
    enum class Kind { Attr, Index };
    Kind kind = Kind::Attr;
    QString name; // Attr
    Value key;    // Index: a number or a string
    SourceRange range;
};

// `root.a[0].b`: a variable and static steps (hcl.Traversal). rootRange is
// the root name's range.
struct ScopeTraversal final : ExpressionOf<Expression::Kind::ScopeTraversal>
{
    QString root;
    SourceRange rootRange;
    QList<TraversalStep> steps;
};

// Static steps applied to another expression's value: `f(x).a[0]`,
// `[1, 2][0]`, and the steps after a splat marker.
struct RelativeTraversal final : ExpressionOf<Expression::Kind::RelativeTraversal>
{
    ExpressionPtr source;
    QList<TraversalStep> steps;
};

// `name(arg, …)`, `name(a, b...)` with expandFinal.
struct FunctionCall final : ExpressionOf<Expression::Kind::FunctionCall>
{
    QString name;
    QList<ExpressionPtr> args;
    bool expandFinal = false;
    SourceRange nameRange, openParenRange, closeParenRange;
};

// `[a, b, …]`
struct TupleCons final : ExpressionOf<Expression::Kind::TupleCons>
{
    QList<ExpressionPtr> items;
    SourceRange openRange;
};

// The key of an object constructor item: `wrapped` is the key expression as
// parsed. A bare identifier key (a ScopeTraversal with no steps) means that
// name as a string unless forceNonLiteral (the key was written in
// parentheses). range is wrapped's range.
struct ObjectConsKey final : ExpressionOf<Expression::Kind::ObjectConsKey>
{
    ExpressionPtr wrapped;
    bool forceNonLiteral = false;
};

struct ObjectConsItem
{
    ExpressionPtr key; // always an ObjectConsKey
    ExpressionPtr value;
};

// `{ key = value, key: value, … }` (items in source order)
struct ObjectCons final : ExpressionOf<Expression::Kind::ObjectCons>
{
    QList<ObjectConsItem> items;
    SourceRange openRange;
};

// `collection[key]` with a non-literal key (a literal key on a traversal
// becomes a TraversalStep instead, as hclsyntax does).
struct Index final : ExpressionOf<Expression::Kind::Index>
{
    ExpressionPtr collection;
    ExpressionPtr key;
    SourceRange bracketRange;
};

// The placeholder for the current element inside a Splat's `each`.
struct AnonSymbol final : ExpressionOf<Expression::Kind::AnonSymbol>
{
};

// `source.*.a.b` (attribute-only splat, fullSplat false: it stops at the
// first index step) or `source[*].a[0].b` (full splat). `each` is evaluated
// once per element with `item` (an AnonSymbol) standing for the element.
struct Splat final : ExpressionOf<Expression::Kind::Splat>
{
    ExpressionPtr source;
    ExpressionPtr each;
    std::shared_ptr<const AnonSymbol> item;
    bool fullSplat = false;
    SourceRange markerRange;
};

// `[for k, v in coll : valueExpr if cond]` or
// `{for k, v in coll : keyExpr => valueExpr... if cond}`.
// keyExpr is null for the tuple form; keyVar may be empty.
struct For final : ExpressionOf<Expression::Kind::For>
{
    QString keyVar;
    QString valueVar;
    ExpressionPtr collection;
    ExpressionPtr keyExpr;
    ExpressionPtr valueExpr;
    ExpressionPtr condition;
    bool group = false;
    SourceRange openRange, closeRange;
};

// `cond ? a : b`, and a template's `%{if}…%{else}…%{endif}` (whose results
// are Templates).
struct Conditional final : ExpressionOf<Expression::Kind::Conditional>
{
    ExpressionPtr condition;
    ExpressionPtr trueResult;
    ExpressionPtr falseResult;
};

enum class Operator {
    // binary, by the spec's precedence (hclsyntax/spec.md "Operations"):
    // * / %   then + -   then > >= < <=   then == !=   then &&   then ||
    Multiply,
    Divide,
    Modulo,
    Add,
    Subtract,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
    // unary
    Negate,
    Not,
};

// The operator's spelling: "*", "&&", "!", …
QString operatorSymbol(Operator op);

// `-x`, `!x`. symbolRange is the operator's.
struct UnaryOp final : ExpressionOf<Expression::Kind::UnaryOp>
{
    Operator op = Operator::Negate;
    ExpressionPtr operand;
    SourceRange symbolRange;
};

struct BinaryOp final : ExpressionOf<Expression::Kind::BinaryOp>
{
    Operator op = Operator::Add;
    ExpressionPtr lhs;
    ExpressionPtr rhs;
};

// `(expr)`: kept as a node so that a view can tell `(a)` from `a`; range
// includes the parentheses.
struct Parentheses final : ExpressionOf<Expression::Kind::Parentheses>
{
    ExpressionPtr expression;
};

// ---- structure (hashicorp/hcl: hclsyntax/structure.go) ----

// `name = expr`. range runs from the name to the end of the expression.
struct Attribute
{
    QString name;
    ExpressionPtr expr;
    SourceRange range;
    SourceRange nameRange;
};

struct Block;

// A body: attributes and blocks, each list in file order. Attribute names are
// unique within a body (the parser rejects a redefinition).
struct Body
{
    QList<Attribute> attributes;
    QList<Block> blocks;
    SourceRange range;

    // The attribute called `name`, or nullptr.
    const Attribute *attribute(QStringView name) const
    {
        for (const Attribute &a : attributes) {
            if (a.name == name)
                return &a;
        }
        return nullptr;
    }
};

// `type "label" label2 { body }`. Labels are the decoded strings (quoted or
// bare identifiers). range runs from the type to the closing brace.
struct Block
{
    QString type;
    QStringList labels;
    QList<SourceRange> labelRanges;
    Body body;
    SourceRange range;
    SourceRange typeRange;
    SourceRange openBraceRange;
    SourceRange closeBraceRange;
};

// A parsed file: its name (for messages), the UTF-8 source exactly as given
// (a BOM included: ranges index into exactly these bytes) and the root body.
struct SyntaxFile
{
    QString fileName;
    QByteArray source;
    Body body;

    // The source text of a range: source[range.start.byte, range.end.byte).
    QByteArray text(const SourceRange &range) const
    {
        return source.mid(range.start.byte, range.end.byte - range.start.byte);
    }
};

} // namespace mesh::hcl
