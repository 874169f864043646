#include "hcl/evaluator.h"

#include "hcl/functions.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace mesh::hcl {

namespace {

// cty's string → number conversion (cty.ParseNumberVal: big.Float's decimal
// syntax): an optional sign, digits with an optional fraction, an optional
// exponent.
std::optional<double> parseDecimal(const QString &s)
{
    const QByteArray b = s.toLatin1();
    qsizetype i = 0;
    const qsizetype n = b.size();
    if (s.size() != n || n == 0)
        return std::nullopt;
    if (b[i] == '+' || b[i] == '-')
        ++i;
    qsizetype digits = 0;
    while (i < n && b[i] >= '0' && b[i] <= '9') {
        ++i;
        ++digits;
    }
    if (i < n && b[i] == '.') {
        ++i;
        while (i < n && b[i] >= '0' && b[i] <= '9') {
            ++i;
            ++digits;
        }
    }
    if (digits == 0)
        return std::nullopt;
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
        ++i;
        if (i < n && (b[i] == '+' || b[i] == '-'))
            ++i;
        qsizetype expDigits = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9') {
            ++i;
            ++expDigits;
        }
        if (expDigits == 0)
            return std::nullopt;
    }
    if (i != n)
        return std::nullopt;
    // std::from_chars: locale-independent (no leading '+', so skip it).
    const char *first = b.constData() + (b.startsWith('+') ? 1 : 0);
    double v = 0;
    const auto [end, ec] = std::from_chars(first, b.constData() + n, v);
    if (ec == std::errc::result_out_of_range) {
        const qsizetype e = std::max(b.indexOf('e'), b.indexOf('E'));
        const bool tiny = e >= 0 && e + 1 < n && b[e + 1] == '-';
        const double magnitude = tiny ? 0.0 : std::numeric_limits<double>::infinity();
        return b.startsWith('-') ? -magnitude : magnitude;
    }
    return v;
}

class EvaluatorImpl
{
public:
    EvaluatorImpl(const EvalContext &ctx, const SyntaxFile &file)
        : m_ctx(ctx)
        , m_file(file)
    {
    }

    Result<Value> eval(const Expression &e);

private:
    using R = Result<Value>;

    std::unexpected<Error> fail(const SourceRange &r, const QString &summary, const QString &detail,
                                Error::Code code = Error::Code::Invalid) const
    {
        return std::unexpected(Error{code, describe(m_file.fileName, r.start) + u": "_s + summary + u": "_s + detail});
    }
    QString sourceText(const SourceRange &r) const { return QString::fromUtf8(m_file.text(r)); }

    std::optional<Value> lookup(const QString &name) const
    {
        for (auto it = m_locals.crbegin(); it != m_locals.crend(); ++it) {
            if (it->first == name)
                return it->second;
        }
        const auto found = m_ctx.variables.constFind(name);
        if (found != m_ctx.variables.constEnd())
            return *found;
        return std::nullopt;
    }

    R toNumber(const Value &v, const SourceRange &r, const QString &what) const;
    R toBool(const Value &v, const SourceRange &r, const QString &what) const;
    // Why v cannot be an operand that must be a `type` ("number", "bool").
    std::unexpected<Error> unsuitableOperand(const Value &v, const SourceRange &r, const QString &what,
                                             const QString &type) const;
    R applyStep(const Value &v, const TraversalStep &step) const;
    R applySteps(Value v, const QList<TraversalStep> &steps) const;
    R index(const Value &collection, const Value &key, const SourceRange &r) const;
    R getAttr(const Value &v, const QString &name, const SourceRange &r) const;

    R evalTemplate(const Template &t);
    R evalTemplateJoin(const TemplateJoin &j);
    R evalScopeTraversal(const ScopeTraversal &t);
    R evalRelativeTraversal(const RelativeTraversal &t);
    R evalFunctionCall(const FunctionCall &c);
    R evalObject(const ObjectCons &o);
    R evalSplat(const Splat &s);
    R evalFor(const For &f);
    // eval(e), failing with summary and detail at e when its value is null.
    R evalNonNull(const Expression &e, const QString &summary, const QString &detail);
    R evalConditional(const Conditional &c);
    R evalUnary(const UnaryOp &u);
    R evalBinary(const BinaryOp &b);

    const EvalContext &m_ctx;
    const SyntaxFile &m_file;
    // `for` variables, innermost last.
    std::vector<std::pair<QString, Value>> m_locals;
    // The element each splat in progress stands for.
    std::vector<std::pair<const AnonSymbol *, Value>> m_anon;
};

Result<Value> EvaluatorImpl::eval(const Expression &e)
{
    switch (e.kind) {
    case Expression::Kind::LiteralValue: return static_cast<const LiteralValue &>(e).value;
    case Expression::Kind::Template: return evalTemplate(static_cast<const Template &>(e));
    case Expression::Kind::TemplateWrap: return eval(*static_cast<const TemplateWrap &>(e).wrapped);
    case Expression::Kind::TemplateJoin: return evalTemplateJoin(static_cast<const TemplateJoin &>(e));
    case Expression::Kind::ScopeTraversal: return evalScopeTraversal(static_cast<const ScopeTraversal &>(e));
    case Expression::Kind::RelativeTraversal: return evalRelativeTraversal(static_cast<const RelativeTraversal &>(e));
    case Expression::Kind::FunctionCall: return evalFunctionCall(static_cast<const FunctionCall &>(e));
    case Expression::Kind::TupleCons: {
        Value::Tuple items;
        const auto &t = static_cast<const TupleCons &>(e);
        items.reserve(t.items.size());
        for (const ExpressionPtr &item : t.items) {
            R v = eval(*item);
            if (!v)
                return std::unexpected(v.error());
            items.append(std::move(*v));
        }
        return Value::tuple(std::move(items));
    }
    case Expression::Kind::ObjectCons: return evalObject(static_cast<const ObjectCons &>(e));
    case Expression::Kind::ObjectConsKey: return eval(*static_cast<const ObjectConsKey &>(e).wrapped);
    case Expression::Kind::Index: {
        const auto &i = static_cast<const Index &>(e);
        R collection = eval(*i.collection);
        if (!collection)
            return std::unexpected(collection.error());
        R key = eval(*i.key);
        if (!key)
            return std::unexpected(key.error());
        return index(*collection, *key, i.bracketRange);
    }
    case Expression::Kind::Splat: return evalSplat(static_cast<const Splat &>(e));
    case Expression::Kind::AnonSymbol: {
        for (auto it = m_anon.crbegin(); it != m_anon.crend(); ++it) {
            if (it->first == &e)
                return it->second;
        }
        return fail(e.range, u"Invalid splat"_s, u"a splat placeholder was evaluated outside its splat"_s,
                    Error::Code::Internal);
    }
    case Expression::Kind::For: return evalFor(static_cast<const For &>(e));
    case Expression::Kind::Conditional: return evalConditional(static_cast<const Conditional &>(e));
    case Expression::Kind::UnaryOp: return evalUnary(static_cast<const UnaryOp &>(e));
    case Expression::Kind::BinaryOp: return evalBinary(static_cast<const BinaryOp &>(e));
    case Expression::Kind::Parentheses: return eval(*static_cast<const Parentheses &>(e).expression);
    }
    return fail(e.range, u"Invalid expression"_s, u"unknown kind of expression"_s, Error::Code::Internal);
}

Result<Value> EvaluatorImpl::toNumber(const Value &v, const SourceRange &r, const QString &what) const
{
    if (v.type() == Value::Type::Number)
        return v;
    if (v.type() == Value::Type::String) {
        if (const std::optional<double> n = parseDecimal(v.toString()))
            return Value::number(*n);
    }
    return unsuitableOperand(v, r, what, u"number"_s);
}

Result<Value> EvaluatorImpl::toBool(const Value &v, const SourceRange &r, const QString &what) const
{
    if (v.type() == Value::Type::Bool)
        return v;
    if (v.type() == Value::Type::String) {
        // cty converts "true"/"false" (and "1"/"0") to bool.
        const QString s = v.toString();
        if (s == u"true"_s || s == u"1"_s)
            return Value::boolean(true);
        if (s == u"false"_s || s == u"0"_s)
            return Value::boolean(false);
    }
    return unsuitableOperand(v, r, what, u"bool"_s);
}

std::unexpected<Error> EvaluatorImpl::unsuitableOperand(const Value &v, const SourceRange &r, const QString &what,
                                                        const QString &type) const
{
    QString why;
    if (v.type() == Value::Type::Null)
        why = u"argument must not be null"_s;
    else if (v.type() == Value::Type::String)
        why = u"a %1 is required, and \"%2\" is not a %1"_s.arg(type, v.toString());
    else
        why = u"a %1 is required, not %2"_s.arg(type, v.typeName());
    return fail(r, u"Invalid operand"_s, u"unsuitable value for %1: %2"_s.arg(what, why));
}

Result<Value> EvaluatorImpl::index(const Value &collection, const Value &key, const SourceRange &r) const
{
    switch (collection.type()) {
    case Value::Type::Null:
        return fail(r, u"Attempt to index null value"_s, u"this value is null, so it does not have any indices"_s);
    case Value::Type::Tuple: {
        std::optional<double> n;
        if (key.type() == Value::Type::Number)
            n = key.toNumber();
        else if (key.type() == Value::Type::String)
            n = parseDecimal(key.toString());
        if (!n)
            return fail(r, u"Invalid index"_s,
                        u"the given key does not identify an element in this collection value: a number is "
                        u"required, not %1"_s.arg(key.typeName()));
        const Value::Tuple &items = collection.toTuple();
        if (*n != std::floor(*n))
            return fail(r, u"Invalid index"_s,
                        u"the given key does not identify an element in this collection "
                        u"value: it must be a whole number"_s);
        if (*n < 0 || *n >= double(items.size()))
            return fail(r, u"Invalid index"_s,
                        u"the given key does not identify an element in this collection value: index %1 is out "
                        u"of range for %2 elements"_s.arg(*Value::number(*n).convertToString())
                            .arg(items.size()));
        return items.at(qsizetype(*n));
    }
    case Value::Type::Object: {
        const std::optional<QString> name = key.convertToString();
        if (!name || key.isNull())
            return fail(r, u"Invalid index"_s,
                        u"the given key does not identify an element in this collection value: a string is "
                        u"required, not %1"_s.arg(key.typeName()));
        const Value::Object &members = collection.toObject();
        const auto it = members.constFind(*name);
        if (it == members.constEnd())
            return fail(r, u"Invalid index"_s,
                        u"the given key does not identify an element in this collection value: there is no "
                        u"element \"%1\""_s.arg(*name));
        return *it;
    }
    default:
        return fail(r, u"Invalid index"_s,
                    u"this value does not have any indices: it is a %1"_s.arg(collection.typeName()));
    }
}

Result<Value> EvaluatorImpl::getAttr(const Value &v, const QString &name, const SourceRange &r) const
{
    switch (v.type()) {
    case Value::Type::Null:
        return fail(r, u"Attempt to get attribute from null value"_s,
                    u"this value is null, so it does not have any attributes"_s);
    case Value::Type::Object: {
        const Value::Object &members = v.toObject();
        const auto it = members.constFind(name);
        if (it == members.constEnd())
            return fail(r, u"Unsupported attribute"_s,
                        u"this object does not have an attribute named \"%1\""_s.arg(name));
        return *it;
    }
    case Value::Type::Tuple:
        return fail(
            r, u"Unsupported attribute"_s,
            u"can't access attributes on a list of objects; did you mean to access attribute \"%1\" for a "
            u"specific element of the list (x[0].%1), or across all elements of the list (x[*].%1)?"_s.arg(name));
    default:
        return fail(r, u"Unsupported attribute"_s,
                    u"can't access attribute \"%1\" on a %2 value"_s.arg(name, v.typeName()));
    }
}

Result<Value> EvaluatorImpl::applyStep(const Value &v, const TraversalStep &step) const
{
    if (step.kind == TraversalStep::Kind::Attr)
        return getAttr(v, step.name, step.range);
    return index(v, step.key, step.range);
}

Result<Value> EvaluatorImpl::evalTemplate(const Template &t)
{
    QString out;
    for (const ExpressionPtr &part : t.parts) {
        R v = eval(*part);
        if (!v)
            return std::unexpected(v.error());
        if (v->isNull())
            return fail(part->range, u"Invalid template interpolation value"_s,
                        u"the expression result is null; cannot include a null value in a string template"_s);
        const std::optional<QString> s = v->convertToString();
        if (!s)
            return fail(
                part->range, u"Invalid template interpolation value"_s,
                u"cannot include the given value in a string template: string required, not %1"_s.arg(v->typeName()));
        out += *s;
    }
    return Value::normalizedString(std::move(out));
}

Result<Value> EvaluatorImpl::evalTemplateJoin(const TemplateJoin &j)
{
    R tuple = eval(*j.tuple);
    if (!tuple)
        return std::unexpected(tuple.error());
    QString out;
    for (const Value &item : tuple->toTuple()) {
        if (item.isNull())
            return fail(j.range, u"Invalid template interpolation value"_s,
                        u"an iteration result is null; cannot include a null value in a string template"_s);
        const std::optional<QString> s = item.convertToString();
        if (!s)
            return fail(j.range, u"Invalid template interpolation value"_s,
                        u"an iteration result is a %1; cannot include it in a string template"_s.arg(item.typeName()));
        out += *s;
    }
    return Value::normalizedString(std::move(out));
}

Result<Value> EvaluatorImpl::evalScopeTraversal(const ScopeTraversal &t)
{
    std::optional<Value> root = lookup(t.root);
    if (!root) {
        if (m_ctx.keepUnknownReferences)
            return Value::string(u"${"_s + sourceText(t.range) + u'}');
        return fail(t.rootRange, u"Unknown variable"_s, u"There is no variable named \"%1\"."_s.arg(t.root));
    }
    return applySteps(std::move(*root), t.steps);
}

Result<Value> EvaluatorImpl::evalRelativeTraversal(const RelativeTraversal &t)
{
    R v = eval(*t.source);
    if (!v)
        return std::unexpected(v.error());
    return applySteps(std::move(*v), t.steps);
}

Result<Value> EvaluatorImpl::applySteps(Value v, const QList<TraversalStep> &steps) const
{
    for (const TraversalStep &step : steps) {
        R next = applyStep(v, step);
        if (!next)
            return std::unexpected(next.error());
        v = std::move(*next);
    }
    return v;
}

Result<Value> EvaluatorImpl::evalFunctionCall(const FunctionCall &c)
{
    if (!m_ctx.functionsEnabled)
        return fail(c.nameRange, u"Function calls not allowed"_s, u"functions may not be called here"_s);

    // `can` and `try` take their arguments unevaluated (hashicorp/hcl:
    // ext/tryfunc): an argument that fails to evaluate is an answer, not an
    // error.
    if (c.name == u"can"_s || c.name == u"try"_s) {
        if (c.expandFinal)
            return fail(c.range, u"Invalid function argument"_s,
                        u"%1 does not accept an expanded argument (...)"_s.arg(c.name));
        if (c.name == u"can"_s) {
            if (c.args.size() != 1)
                return fail(c.range, u"Invalid function argument"_s, u"can expects exactly one argument"_s);
            return Value::boolean(eval(*c.args.front()).has_value());
        }
        if (c.args.isEmpty())
            return fail(c.range, u"Invalid function argument"_s, u"try expects at least one argument"_s);
        QStringList failures;
        for (const ExpressionPtr &arg : c.args) {
            R v = eval(*arg);
            if (v)
                return v;
            failures.append(v.error().message);
        }
        return fail(c.range, u"Error in function call"_s,
                    u"call to function \"try\" failed: no expression succeeded:\n- "_s + failures.join(u"\n- "_s));
    }

    if (!Functions::has(c.name))
        return fail(c.nameRange, u"Call to unknown function"_s, u"there is no function named \"%1\""_s.arg(c.name));

    QList<Value> args;
    args.reserve(c.args.size());
    for (qsizetype i = 0; i < c.args.size(); ++i) {
        R v = eval(*c.args.at(i));
        if (!v)
            return std::unexpected(v.error());
        if (c.expandFinal && i == c.args.size() - 1) {
            if (v->type() != Value::Type::Tuple)
                return fail(c.args.at(i)->range, u"Invalid expanding argument value"_s,
                            u"the expanding argument (indicated by ...) must be a list, set or tuple, not %1"_s.arg(
                                v->typeName()));
            args.append(v->toTuple());
        } else {
            args.append(std::move(*v));
        }
    }
    Result<Value> result = Functions::call(c.name, args);
    if (!result)
        return fail(c.range, u"Error in function call"_s,
                    u"call to function \"%1\" failed: %2"_s.arg(c.name, result.error().message), result.error().code);
    return result;
}

Result<Value> EvaluatorImpl::evalObject(const ObjectCons &o)
{
    Value::Object members;
    for (const ObjectConsItem &item : o.items) {
        const auto &key = static_cast<const ObjectConsKey &>(*item.key);
        QString name;
        bool literal = false;
        // A bare name (and the keywords true/false/null) is the key itself
        // unless parenthesized (hcl.ExprAsKeyword).
        if (!key.forceNonLiteral) {
            if (const auto *t = key.wrapped->as<ScopeTraversal>(); t && t->steps.isEmpty()) {
                name = t->root;
                literal = true;
            } else if (const auto *lit = key.wrapped->as<LiteralValue>();
                       lit && lit->value.type() != Value::Type::Number && lit->value.type() != Value::Type::String) {
                name = sourceText(lit->range);
                literal = true;
            }
        }
        if (!literal) {
            R k = eval(*key.wrapped);
            if (!k)
                return std::unexpected(k.error());
            if (k->isNull())
                return fail(key.range, u"Null value as key"_s, u"can't use a null value as a key"_s);
            const std::optional<QString> s = k->convertToString();
            if (!s)
                return fail(key.range, u"Incorrect key type"_s,
                            u"can't use this value as a key: a string is required, not %1"_s.arg(k->typeName()));
            name = *s;
        }
        R v = eval(*item.value);
        if (!v)
            return std::unexpected(v.error());
        members.insert(name, *v);
    }
    return Value::object(std::move(members));
}

Result<Value> EvaluatorImpl::evalSplat(const Splat &s)
{
    R source = eval(*s.source);
    if (!source)
        return std::unexpected(source.error());
    // A null source splats to an empty tuple, anything that is not a
    // sequence to a one-element tuple (hclsyntax SplatExpr.Value).
    Value::Tuple items;
    if (source->isNull())
        return Value::tuple({});
    if (source->type() == Value::Type::Tuple)
        items = source->toTuple();
    else
        items.append(*source);
    Value::Tuple results;
    results.reserve(items.size());
    for (const Value &item : std::as_const(items)) {
        m_anon.emplace_back(s.item.get(), item);
        R v = eval(*s.each);
        m_anon.pop_back();
        if (!v)
            return std::unexpected(v.error());
        results.append(std::move(*v));
    }
    return Value::tuple(std::move(results));
}

Result<Value> EvaluatorImpl::evalFor(const For &f)
{
    R collection = evalNonNull(*f.collection, u"Iteration over null value"_s,
                               u"a null value cannot be used as the collection in a 'for' expression"_s);
    if (!collection)
        return std::unexpected(collection.error());
    std::vector<std::pair<Value, Value>> elements;
    if (collection->type() == Value::Type::Tuple) {
        const Value::Tuple &items = collection->toTuple();
        elements.reserve(items.size());
        for (qsizetype i = 0; i < items.size(); ++i)
            elements.emplace_back(Value::number(double(i)), items.at(i));
    } else if (collection->type() == Value::Type::Object) {
        const Value::Object &members = collection->toObject();
        for (auto it = members.cbegin(); it != members.cend(); ++it)
            elements.emplace_back(Value::string(it.key()), it.value());
    } else {
        return fail(
            f.collection->range, u"Iteration over non-iterable value"_s,
            u"a value of type %1 cannot be used as the collection in a 'for' expression"_s.arg(collection->typeName()));
    }

    Value::Tuple tupleResult;
    Value::Object objectResult;
    QMap<QString, Value::Tuple> groups;
    const size_t scope = m_locals.size();
    for (const auto &[k, v] : elements) {
        m_locals.resize(scope);
        if (!f.keyVar.isEmpty())
            m_locals.emplace_back(f.keyVar, k);
        m_locals.emplace_back(f.valueVar, v);
        if (f.condition) {
            R cond
                = evalNonNull(*f.condition, u"Condition is null"_s, u"the value of the 'if' clause must not be null"_s);
            if (!cond) {
                m_locals.resize(scope);
                return cond;
            }
            R b = toBool(*cond, f.condition->range, u"the 'if' clause"_s);
            if (!b) {
                m_locals.resize(scope);
                return b;
            }
            if (!b->toBool())
                continue;
        }
        if (f.keyExpr) {
            R key = evalNonNull(*f.keyExpr, u"Invalid object key"_s,
                                u"key expression in 'for' expression must not produce a null value"_s);
            if (!key) {
                m_locals.resize(scope);
                return key;
            }
            const std::optional<QString> name = key->convertToString();
            if (!name) {
                m_locals.resize(scope);
                return fail(
                    f.keyExpr->range, u"Invalid object key"_s,
                    u"the key expression produced an invalid result: string required, not %1"_s.arg(key->typeName()));
            }
            R value = eval(*f.valueExpr);
            if (!value) {
                m_locals.resize(scope);
                return value;
            }
            if (f.group) {
                groups[*name].append(std::move(*value));
            } else {
                if (objectResult.contains(*name)) {
                    m_locals.resize(scope);
                    return fail(f.keyExpr->range, u"Duplicate object key"_s,
                                u"two different items produced the key \"%1\" in this 'for' expression; if "
                                u"duplicates are expected, use the ellipsis (...) after the value expression to "
                                u"enable grouping by key"_s.arg(*name));
                }
                objectResult.insert(*name, *value);
            }
        } else {
            R value = eval(*f.valueExpr);
            if (!value) {
                m_locals.resize(scope);
                return value;
            }
            tupleResult.append(std::move(*value));
        }
    }
    m_locals.resize(scope);
    if (!f.keyExpr)
        return Value::tuple(std::move(tupleResult));
    if (f.group) {
        for (auto it = groups.begin(); it != groups.end(); ++it)
            objectResult.insert(it.key(), Value::tuple(std::move(it.value())));
    }
    return Value::object(std::move(objectResult));
}

Result<Value> EvaluatorImpl::evalNonNull(const Expression &e, const QString &summary, const QString &detail)
{
    R v = eval(e);
    if (v && v->isNull())
        return fail(e.range, summary, detail);
    return v;
}

Result<Value> EvaluatorImpl::evalConditional(const Conditional &c)
{
    R cond = evalNonNull(*c.condition, u"Null condition"_s,
                         u"the condition value is null; conditions must either be true or false"_s);
    if (!cond)
        return std::unexpected(cond.error());
    R b = toBool(*cond, c.condition->range, u"the condition"_s);
    if (!b)
        return std::unexpected(b.error());
    const Expression &chosen = b->toBool() ? *c.trueResult : *c.falseResult;
    const Expression &other = b->toBool() ? *c.falseResult : *c.trueResult;
    R result = eval(chosen);
    if (!result)
        return std::unexpected(result.error());
    // Both results must share a type; cty unifies a string with a number
    // or bool by converting to string ("true ? 1 : \"a\"" is "1").
    // Only a literal or a template alternative is looked at: evaluating any
    // alternative would make a chain of conditionals exponential.
    if ((result->type() == Value::Type::Number || result->type() == Value::Type::Bool)
        && (other.kind == Expression::Kind::LiteralValue || other.kind == Expression::Kind::Template)) {
        R alternative = eval(other);
        if (alternative && alternative->type() == Value::Type::String)
            return Value::string(*result->convertToString());
    }
    return result;
}

Result<Value> EvaluatorImpl::evalUnary(const UnaryOp &u)
{
    R operand = eval(*u.operand);
    if (!operand)
        return std::unexpected(operand.error());
    if (u.op == Operator::Negate) {
        R n = toNumber(*operand, u.operand->range, u"unary operand"_s);
        if (!n)
            return std::unexpected(n.error());
        return Value::number(-n->toNumber());
    }
    R b = toBool(*operand, u.operand->range, u"unary operand"_s);
    if (!b)
        return std::unexpected(b.error());
    return Value::boolean(!b->toBool());
}

Result<Value> EvaluatorImpl::evalBinary(const BinaryOp &b)
{
    R lhs = eval(*b.lhs);
    if (!lhs)
        return std::unexpected(lhs.error());
    if (b.op == Operator::And || b.op == Operator::Or) {
        R l = toBool(*lhs, b.lhs->range, u"left operand"_s);
        if (!l)
            return std::unexpected(l.error());
        // Short-circuit, as hclsyntax does for a known left operand.
        if (b.op == Operator::And && !l->toBool())
            return Value::boolean(false);
        if (b.op == Operator::Or && l->toBool())
            return Value::boolean(true);
        R rhs = eval(*b.rhs);
        if (!rhs)
            return std::unexpected(rhs.error());
        R r = toBool(*rhs, b.rhs->range, u"right operand"_s);
        if (!r)
            return std::unexpected(r.error());
        return Value::boolean(r->toBool());
    }
    R rhs = eval(*b.rhs);
    if (!rhs)
        return std::unexpected(rhs.error());
    if (b.op == Operator::Equal)
        return Value::boolean(*lhs == *rhs);
    if (b.op == Operator::NotEqual)
        return Value::boolean(!(*lhs == *rhs));

    R l = toNumber(*lhs, b.lhs->range, u"left operand"_s);
    if (!l)
        return std::unexpected(l.error());
    R r = toNumber(*rhs, b.rhs->range, u"right operand"_s);
    if (!r)
        return std::unexpected(r.error());
    const double x = l->toNumber();
    const double y = r->toNumber();
    switch (b.op) {
    case Operator::Add: return Value::number(x + y);
    case Operator::Subtract: return Value::number(x - y);
    case Operator::Multiply: return Value::number(x * y);
    case Operator::Divide:
        if (y == 0)
            return fail(b.range, u"Operation failed"_s, u"error during / operation: can't divide by zero"_s);
        return Value::number(x / y);
    case Operator::Modulo:
        if (y == 0)
            return fail(b.range, u"Operation failed"_s, u"error during % operation: can't use zero as divisor"_s);
        return Value::number(std::fmod(x, y));
    case Operator::GreaterThan: return Value::boolean(x > y);
    case Operator::GreaterThanOrEqual: return Value::boolean(x >= y);
    case Operator::LessThan: return Value::boolean(x < y);
    case Operator::LessThanOrEqual: return Value::boolean(x <= y);
    default: break;
    }
    return fail(b.range, u"Invalid operator"_s, u"unknown operator"_s, Error::Code::Internal);
}

} // namespace

Result<Value> Evaluator::evaluate(const Expression &expr, const EvalContext &ctx, const SyntaxFile &file)
{
    return EvaluatorImpl(ctx, file).eval(expr);
}

} // namespace mesh::hcl
