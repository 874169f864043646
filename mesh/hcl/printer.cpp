#include "printer.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace mesh::hcl {

namespace {

// Binding strength, loosest first (hashicorp/hcl: hclsyntax/spec.md,
// "Operations"; parser.go parseTernaryConditional, parseBinaryOps,
// parseExpressionTerm).
enum Level {
    ConditionalLevel = 0,
    OrLevel,
    AndLevel,
    EqualityLevel,
    ComparisonLevel,
    AdditiveLevel,
    MultiplicativeLevel,
    UnaryLevel,
    TermLevel,
};

int binaryLevel(Operator op)
{
    switch (op) {
    case Operator::Or: return OrLevel;
    case Operator::And: return AndLevel;
    case Operator::Equal:
    case Operator::NotEqual: return EqualityLevel;
    case Operator::GreaterThan:
    case Operator::GreaterThanOrEqual:
    case Operator::LessThan:
    case Operator::LessThanOrEqual: return ComparisonLevel;
    case Operator::Add:
    case Operator::Subtract: return AdditiveLevel;
    case Operator::Multiply:
    case Operator::Divide:
    case Operator::Modulo: return MultiplicativeLevel;
    case Operator::Negate:
    case Operator::Not: return UnaryLevel;
    }
    return TermLevel;
}

int levelOf(const Expression &e)
{
    switch (e.kind) {
    case Expression::Kind::Conditional: return ConditionalLevel;
    case Expression::Kind::BinaryOp: return binaryLevel(static_cast<const BinaryOp &>(e).op);
    case Expression::Kind::UnaryOp: return UnaryLevel;
    default: return TermLevel;
    }
}

// A quoted string literal's text (without the quotes): the escapes
// hclsyntax's ParseStringLiteralToken decodes, `${`/`%{` doubled. A `$` or
// `%` at the very end is written as a \u escape so that it cannot join the
// `${`/`%{` that may follow it.
void appendEscaped(QString &out, const QString &s)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s.at(i);
        const char16_t u = c.unicode();
        const bool last = i + 1 == s.size();
        switch (u) {
        case u'\\': out += "\\\\"_L1; break;
        case u'"': out += "\\\""_L1; break;
        case u'\n': out += "\\n"_L1; break;
        case u'\r': out += "\\r"_L1; break;
        case u'\t': out += "\\t"_L1; break;
        case u'$':
        case u'%':
            if (last) {
                out += u == u'$' ? "\\u0024"_L1 : "\\u0025"_L1;
            } else if (s.at(i + 1) == u'{') {
                out += c;
                out += c;
                out += u'{';
                ++i;
            } else {
                out += c;
            }
            break;
        default:
            if (u < 0x20 || u == 0x7F)
                out += "\\u"_L1 + QString::number(u, 16).rightJustified(4, u'0');
            else
                out += c;
        }
    }
}

QString quoted(const QString &s)
{
    QString out = u"\""_s;
    appendEscaped(out, s);
    out += u'"';
    return out;
}

QString literal(const Value &v)
{
    switch (v.type()) {
    case Value::Type::Null: return u"null"_s;
    case Value::Type::Bool:
    case Value::Type::Number: return *v.convertToString();
    case Value::Type::String: return quoted(v.toString());
    case Value::Type::Tuple:
    case Value::Type::Object: break;
    }
    // Not produced by the parser: literals are primitives.
    return u"null"_s;
}

bool isEmptyStringLiteral(const ExpressionPtr &e)
{
    const auto *lit = e ? e->as<LiteralValue>() : nullptr;
    return lit && lit->value.type() == Value::Type::String && lit->value.toString().isEmpty();
}

bool isStringLiteral(const ExpressionPtr &e)
{
    const auto *lit = e ? e->as<LiteralValue>() : nullptr;
    return lit && lit->value.type() == Value::Type::String;
}

// A template's `%{if}` reads back as a Conditional whose results are
// Templates of at least one part; `${c ? "a" : "b"}` reads back as the very
// same tree, so printing either way keeps the structure.
bool isTemplateIf(const Expression &e)
{
    const auto *c = e.as<Conditional>();
    if (!c)
        return false;
    const auto *t = c->trueResult ? c->trueResult->as<Template>() : nullptr;
    const auto *f = c->falseResult ? c->falseResult->as<Template>() : nullptr;
    return t && f && !t->parts.isEmpty() && !f->parts.isEmpty();
}

class Writer
{
public:
    QString expression(const Expression &e, int minLevel = ConditionalLevel, int indent = -1)
    {
        if (levelOf(e) < minLevel)
            return u'(' + expression(e, ConditionalLevel, indent) + u')';
        switch (e.kind) {
        case Expression::Kind::LiteralValue: return literal(static_cast<const LiteralValue &>(e).value);
        case Expression::Kind::Template: {
            QString out = u"\""_s;
            templateParts(out, static_cast<const Template &>(e).parts);
            return out + u'"';
        }
        case Expression::Kind::TemplateWrap:
            return u"\"${"_s + interpolated(*static_cast<const TemplateWrap &>(e).wrapped, false, false) + u"}\""_s;
        case Expression::Kind::TemplateJoin: {
            // Only meaningful inside a template; standalone, wrap it in one.
            QString out = u"\""_s;
            templatePart(out, e, false, false);
            return out + u'"';
        }
        case Expression::Kind::ScopeTraversal: {
            const auto &t = static_cast<const ScopeTraversal &>(e);
            return t.root + steps(t.steps, false);
        }
        case Expression::Kind::RelativeTraversal: {
            const auto &t = static_cast<const RelativeTraversal &>(e);
            // `0 .e82`, not `0.e82`: a number directly followed by `.` and a
            // name starting with `e` reads back as one number (hclsyntax's
            // scanner takes `0.e82` as 0 × 10^82).
            const bool number = t.source->kind == Expression::Kind::LiteralValue;
            return expression(*t.source, TermLevel) + (number ? u" "_s : QString()) + steps(t.steps, false);
        }
        case Expression::Kind::FunctionCall: {
            const auto &f = static_cast<const FunctionCall &>(e);
            QStringList args;
            for (const ExpressionPtr &a : f.args)
                args.append(expression(*a));
            return f.name + u'(' + args.join(u", "_s) + (f.expandFinal ? u"...)"_s : u")"_s);
        }
        case Expression::Kind::TupleCons: {
            QStringList items;
            for (const ExpressionPtr &i : static_cast<const TupleCons &>(e).items)
                items.append(expression(*i));
            return u'[' + items.join(u", "_s) + u']';
        }
        case Expression::Kind::ObjectCons: return object(static_cast<const ObjectCons &>(e), indent);
        case Expression::Kind::ObjectConsKey:
            // The wrapped key as written: a key in parentheses is a
            // Parentheses node, so forceNonLiteral needs nothing more.
            return expression(*static_cast<const ObjectConsKey &>(e).wrapped);
        case Expression::Kind::Index: {
            const auto &i = static_cast<const Index &>(e);
            return expression(*i.collection, TermLevel) + u'[' + expression(*i.key) + u']';
        }
        case Expression::Kind::Splat: {
            const auto &s = static_cast<const Splat &>(e);
            if (s.fullSplat)
                return expression(*s.source, TermLevel) + u"[*]"_s + expression(*s.each, TermLevel);
            // An attribute-only splat takes only `.name` and `.0` steps.
            QString out = expression(*s.source, TermLevel) + u".*"_s;
            if (const auto *t = s.each->as<RelativeTraversal>())
                out += steps(t->steps, true);
            return out;
        }
        case Expression::Kind::AnonSymbol: return QString(); // the splat's element: its steps follow the marker
        case Expression::Kind::For: {
            const auto &f = static_cast<const For &>(e);
            const bool isObject = bool(f.keyExpr);
            QString out = isObject ? u"{for "_s : u"[for "_s;
            if (!f.keyVar.isEmpty())
                out += f.keyVar + u", "_s;
            out += f.valueVar + u" in "_s + expression(*f.collection) + u" : "_s;
            if (isObject)
                out += expression(*f.keyExpr) + u" => "_s;
            out += expression(*f.valueExpr);
            if (f.group)
                out += u"..."_s;
            if (f.condition)
                out += u" if "_s + expression(*f.condition);
            return out + (isObject ? u'}' : u']');
        }
        case Expression::Kind::Conditional: {
            const auto &c = static_cast<const Conditional &>(e);
            return expression(*c.condition, OrLevel) + u" ? "_s + expression(*c.trueResult) + u" : "_s
                   + expression(*c.falseResult);
        }
        case Expression::Kind::UnaryOp: {
            const auto &u = static_cast<const UnaryOp &>(e);
            const QString operand = expression(*u.operand, UnaryLevel);
            // "- -x" rather than "--x", which reads like a decrement.
            const QString symbol = operatorSymbol(u.op);
            return symbol + (operand.startsWith(symbol) ? u" "_s : QString()) + operand;
        }
        case Expression::Kind::BinaryOp: {
            const auto &b = static_cast<const BinaryOp &>(e);
            const int level = binaryLevel(b.op);
            // Left-associative: the right operand binds one level tighter.
            return expression(*b.lhs, level) + u' ' + operatorSymbol(b.op) + u' ' + expression(*b.rhs, level + 1);
        }
        case Expression::Kind::Parentheses:
            return u'(' + expression(*static_cast<const Parentheses &>(e).expression) + u')';
        }
        return QString();
    }

private:
    QString steps(const QList<TraversalStep> &list, bool legacyIndex)
    {
        QString out;
        for (const TraversalStep &s : list) {
            if (s.kind == TraversalStep::Kind::Attr)
                out += u'.' + s.name;
            else if (legacyIndex)
                out += u'.' + literal(s.key);
            else
                out += u'[' + literal(s.key) + u']';
        }
        return out;
    }

    QString object(const ObjectCons &o, int indent)
    {
        if (o.items.isEmpty())
            return u"{}"_s;
        QStringList items;
        for (const ObjectConsItem &item : o.items) {
            items.append(expression(*item.key) + u" = "_s
                         + expression(*item.value, ConditionalLevel, indent < 0 ? -1 : indent + 1));
        }
        if (indent < 0)
            return u"{ "_s + items.join(u", "_s) + u" }"_s;
        const QString inner(2 * qsizetype(indent + 1), u' ');
        return u"{\n"_s + inner + items.join(u'\n' + inner) + u'\n' + QString(2 * qsizetype(indent), u' ') + u'}';
    }

    // `${expr}`'s inside: spaced when the expression is an object, whose
    // brace would otherwise touch the opener.
    QString interpolated(const Expression &e, bool stripOpen, bool stripClose)
    {
        QString inner = expression(e);
        if (inner.startsWith(u'{') || inner.startsWith(u'~'))
            inner = u' ' + inner + u' ';
        return (stripOpen ? u"~"_s : QString()) + inner + (stripClose ? u"~"_s : QString());
    }

    // A template's parts. An empty literal part (left by a strip marker or
    // `<<-` in the source) cannot be written as text, so it is re-created the
    // way it arose: a space that the neighbouring `${~`/`~}` strips away.
    void templateParts(QString &out, const QList<ExpressionPtr> &parts)
    {
        if (parts.size() == 1 && isEmptyStringLiteral(parts.front()))
            return; // an empty if/for body: the parser supplies the empty literal
        bool stripNext = false;
        for (qsizetype i = 0; i < parts.size(); ++i) {
            const ExpressionPtr &part = parts.at(i);
            if (isStringLiteral(part)) {
                const QString text = part->as<LiteralValue>()->value.toString();
                if (text.isEmpty()) {
                    out += u' ';
                    stripNext = i + 1 < parts.size();
                } else {
                    appendEscaped(out, text);
                }
                continue;
            }
            const bool stripClose = i + 2 == parts.size() && isEmptyStringLiteral(parts.at(i + 1));
            templatePart(out, *part, stripNext, stripClose);
            stripNext = false;
        }
    }

    void templatePart(QString &out, const Expression &e, bool stripOpen, bool stripClose)
    {
        const QString open = stripOpen ? u"%{~"_s : u"%{"_s;
        const QString close = stripClose ? u"~}"_s : u"}"_s;
        if (const auto *join = e.as<TemplateJoin>()) {
            const auto *f = join->tuple ? join->tuple->as<For>() : nullptr;
            if (f && f->valueExpr && f->valueExpr->as<Template>()) {
                out += open + u"for "_s;
                if (!f->keyVar.isEmpty())
                    out += f->keyVar + u", "_s;
                out += f->valueVar + u" in "_s + expression(*f->collection) + u'}';
                templateParts(out, f->valueExpr->as<Template>()->parts);
                out += u"%{endfor"_s + close;
                return;
            }
        }
        if (isTemplateIf(e)) {
            const auto &c = static_cast<const Conditional &>(e);
            out += open + u"if "_s + expression(*c.condition) + u'}';
            templateParts(out, c.trueResult->as<Template>()->parts);
            const QList<ExpressionPtr> &otherwise = c.falseResult->as<Template>()->parts;
            if (!(otherwise.size() == 1 && isEmptyStringLiteral(otherwise.front()))) {
                out += u"%{else}"_s;
                templateParts(out, otherwise);
            }
            out += u"%{endif"_s + close;
            return;
        }
        out += u"${"_s + interpolated(e, stripOpen, stripClose) + u'}';
    }
};

void appendBody(QString &out, const Body &body, int indent)
{
    const QString pad(2 * qsizetype(indent), u' ');
    Writer writer;
    // hclwrite aligns the `=` of a run of one-line attributes.
    QList<QString> values;
    for (const Attribute &a : body.attributes)
        values.append(writer.expression(*a.expr, ConditionalLevel, indent));
    qsizetype i = 0;
    while (i < body.attributes.size()) {
        qsizetype end = i;
        qsizetype width = 0;
        while (end < body.attributes.size()) {
            width = std::max(width, body.attributes.at(end).name.size());
            if (values.at(end).contains(u'\n')) {
                ++end;
                break;
            }
            ++end;
        }
        for (; i < end; ++i) {
            const QString &name = body.attributes.at(i).name;
            out += pad + name + QString(width - name.size(), u' ') + u" = "_s + values.at(i) + u'\n';
        }
    }
    for (qsizetype b = 0; b < body.blocks.size(); ++b) {
        const Block &block = body.blocks.at(b);
        if (b > 0 || !body.attributes.isEmpty())
            out += u'\n';
        out += pad + block.type;
        for (const QString &label : block.labels)
            out += u' ' + quoted(label);
        if (block.body.attributes.isEmpty() && block.body.blocks.isEmpty()) {
            out += u" {\n"_s + pad + u"}\n"_s;
            continue;
        }
        out += u" {\n"_s;
        appendBody(out, block.body, indent + 1);
        out += pad + u"}\n"_s;
    }
}

bool sameSteps(const QList<TraversalStep> &a, const QList<TraversalStep> &b)
{
    return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(), [](const TraversalStep &x, const TraversalStep &y) {
        return x.kind == y.kind && x.name == y.name && x.key == y.key;
    });
}

bool sameList(const QList<ExpressionPtr> &a, const QList<ExpressionPtr> &b)
{
    return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(), &Printer::sameExpression);
}

// Compares two expressions the caller knows are both a T by `same`.
template<class T, class Same>
bool sameKindAs(const ExpressionPtr &a, const ExpressionPtr &b, Same same)
{
    return same(static_cast<const T &>(*a), static_cast<const T &>(*b));
}

} // namespace

QByteArray Printer::print(const SyntaxFile &file)
{
    return printBody(file.body).toUtf8();
}

QString Printer::printBody(const Body &body, int indent)
{
    QString out;
    appendBody(out, body, indent);
    return out;
}

QString Printer::printExpression(const Expression &expr)
{
    return Writer().expression(expr);
}

bool Printer::sameStructure(const SyntaxFile &a, const SyntaxFile &b)
{
    return sameStructure(a.body, b.body);
}

bool Printer::sameStructure(const Body &a, const Body &b)
{
    if (a.attributes.size() != b.attributes.size() || a.blocks.size() != b.blocks.size())
        return false;
    for (qsizetype i = 0; i < a.attributes.size(); ++i) {
        if (a.attributes.at(i).name != b.attributes.at(i).name
            || !sameExpression(a.attributes.at(i).expr, b.attributes.at(i).expr))
            return false;
    }
    for (qsizetype i = 0; i < a.blocks.size(); ++i) {
        const Block &x = a.blocks.at(i);
        const Block &y = b.blocks.at(i);
        if (x.type != y.type || x.labels != y.labels || !sameStructure(x.body, y.body))
            return false;
    }
    return true;
}

bool Printer::sameExpression(const ExpressionPtr &a, const ExpressionPtr &b)
{
    if (!a || !b)
        return !a && !b;
    if (a->kind != b->kind)
        return false;
    using Kind = Expression::Kind;
    const auto same = [](const ExpressionPtr &x, const ExpressionPtr &y) { return sameExpression(x, y); };
    switch (a->kind) {
    case Kind::LiteralValue:
        return sameKindAs<LiteralValue>(a, b, [](const auto &x, const auto &y) { return x.value == y.value; });
    case Kind::Template:
        return sameKindAs<Template>(a, b, [](const auto &x, const auto &y) { return sameList(x.parts, y.parts); });
    case Kind::TemplateWrap:
        return sameKindAs<TemplateWrap>(a, b, [&](const auto &x, const auto &y) { return same(x.wrapped, y.wrapped); });
    case Kind::TemplateJoin:
        return sameKindAs<TemplateJoin>(a, b, [&](const auto &x, const auto &y) { return same(x.tuple, y.tuple); });
    case Kind::ScopeTraversal:
        return sameKindAs<ScopeTraversal>(
            a, b, [](const auto &x, const auto &y) { return x.root == y.root && sameSteps(x.steps, y.steps); });
    case Kind::RelativeTraversal:
        return sameKindAs<RelativeTraversal>(a, b, [&](const auto &x, const auto &y) {
            return same(x.source, y.source) && sameSteps(x.steps, y.steps);
        });
    case Kind::FunctionCall:
        return sameKindAs<FunctionCall>(a, b, [](const auto &x, const auto &y) {
            return x.name == y.name && x.expandFinal == y.expandFinal && sameList(x.args, y.args);
        });
    case Kind::TupleCons:
        return sameKindAs<TupleCons>(a, b, [](const auto &x, const auto &y) { return sameList(x.items, y.items); });
    case Kind::ObjectCons:
        return sameKindAs<ObjectCons>(a, b, [&](const auto &x, const auto &y) {
            return std::equal(x.items.cbegin(), x.items.cend(), y.items.cbegin(), y.items.cend(),
                              [&](const ObjectConsItem &i, const ObjectConsItem &j) {
                                  return same(i.key, j.key) && same(i.value, j.value);
                              });
        });
    case Kind::ObjectConsKey:
        return sameKindAs<ObjectConsKey>(a, b, [&](const auto &x, const auto &y) {
            return x.forceNonLiteral == y.forceNonLiteral && same(x.wrapped, y.wrapped);
        });
    case Kind::Index:
        return sameKindAs<Index>(
            a, b, [&](const auto &x, const auto &y) { return same(x.collection, y.collection) && same(x.key, y.key); });
    case Kind::Splat:
        return sameKindAs<Splat>(a, b, [&](const auto &x, const auto &y) {
            return x.fullSplat == y.fullSplat && same(x.source, y.source) && same(x.each, y.each);
        });
    case Kind::AnonSymbol: return true;
    case Kind::For:
        return sameKindAs<For>(a, b, [&](const auto &x, const auto &y) {
            return x.keyVar == y.keyVar && x.valueVar == y.valueVar && x.group == y.group
                   && same(x.collection, y.collection) && same(x.keyExpr, y.keyExpr) && same(x.valueExpr, y.valueExpr)
                   && same(x.condition, y.condition);
        });
    case Kind::Conditional:
        return sameKindAs<Conditional>(a, b, [&](const auto &x, const auto &y) {
            return same(x.condition, y.condition) && same(x.trueResult, y.trueResult)
                   && same(x.falseResult, y.falseResult);
        });
    case Kind::UnaryOp:
        return sameKindAs<UnaryOp>(
            a, b, [&](const auto &x, const auto &y) { return x.op == y.op && same(x.operand, y.operand); });
    case Kind::BinaryOp:
        return sameKindAs<BinaryOp>(a, b, [&](const auto &x, const auto &y) {
            return x.op == y.op && same(x.lhs, y.lhs) && same(x.rhs, y.rhs);
        });
    case Kind::Parentheses:
        return sameKindAs<Parentheses>(a, b,
                                       [&](const auto &x, const auto &y) { return same(x.expression, y.expression); });
    }
    return false;
}

} // namespace mesh::hcl
