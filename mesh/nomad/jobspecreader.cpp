#include "jobspecreader.h"

#include "core/goduration.h"
#include "hcl/evalcontext.h"
#include "hcl/evaluator.h"
#include "hcl/parser.h"
#include "hcl/syntaxtree.h"
#include "jobspecschema_p.h"

#include <QHash>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSet>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace mesh::nomad {

namespace {

using hcl::Value;
using jobspec::Field;
using jobspec::Kind;
using jobspec::StructSpec;

// ---- diagnostics ------------------------------------------------------------

// Everything wrong with the input, one line each, as jobspec2 collects
// hcl.Diagnostics and joins them with newlines (jobspec2/parse.go decode) —
// but positioned "FILE:LINE:COLUMN: Summary; Detail" as an editor jumps to.
class Diagnostics
{
public:
    void add(const QString &file, const hcl::SourcePos &pos, const QString &summary, const QString &detail)
    {
        m_lines.append(hcl::describe(file, pos) + u": "_s + summary + u"; "_s + detail);
    }
    // Without a place (a -var flag): as hcl.Diagnostic.Error() prints it.
    void add(const QString &summary, const QString &detail) { m_lines.append(summary + u"; "_s + detail); }
    // A message that already says where (the parser's, the evaluator's).
    void addPositioned(const QString &message) { m_lines.append(message); }

    bool isEmpty() const { return m_lines.isEmpty(); }
    qsizetype size() const { return m_lines.size(); }
    QString text() const { return m_lines.join(u'\n'); }

private:
    QStringList m_lines;
};

QString quoted(QStringView s)
{
    return u'"' + s.toString() + u'"';
}

// hashicorp/hcl's nameSuggestion: the closest name within edit distance 2.
QString suggestion(const QString &given, const QStringList &names)
{
    const auto distance = [](const QString &a, const QString &b) {
        std::vector<int> row(b.size() + 1);
        for (qsizetype j = 0; j <= b.size(); ++j)
            row[j] = int(j);
        for (qsizetype i = 1; i <= a.size(); ++i) {
            int diagonal = row[0];
            row[0] = int(i);
            for (qsizetype j = 1; j <= b.size(); ++j) {
                const int up = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diagonal = up;
            }
        }
        return row[b.size()];
    };
    for (const QString &name : names) {
        if (distance(given, name) < 3)
            return name;
    }
    return {};
}

// ---- walking expressions -----------------------------------------------------

// Calls `visit` for every traversal of a variable in `e` (what hcl's
// Expression.Variables() returns), to find what a local or a validation
// condition refers to.
void forEachTraversal(const hcl::Expression *e, const std::function<void(const hcl::ScopeTraversal &)> &visit)
{
    if (!e)
        return;
    using K = hcl::Expression::Kind;
    const auto walk = [&](const hcl::ExpressionPtr &child) { forEachTraversal(child.get(), visit); };
    switch (e->kind) {
    case K::ScopeTraversal: visit(*e->as<hcl::ScopeTraversal>()); break;
    case K::Template:
        for (const hcl::ExpressionPtr &part : e->as<hcl::Template>()->parts)
            walk(part);
        break;
    case K::TemplateWrap: walk(e->as<hcl::TemplateWrap>()->wrapped); break;
    case K::TemplateJoin: walk(e->as<hcl::TemplateJoin>()->tuple); break;
    case K::RelativeTraversal: walk(e->as<hcl::RelativeTraversal>()->source); break;
    case K::FunctionCall:
        for (const hcl::ExpressionPtr &arg : e->as<hcl::FunctionCall>()->args)
            walk(arg);
        break;
    case K::TupleCons:
        for (const hcl::ExpressionPtr &item : e->as<hcl::TupleCons>()->items)
            walk(item);
        break;
    case K::ObjectCons:
        for (const hcl::ObjectConsItem &item : e->as<hcl::ObjectCons>()->items) {
            walk(item.key);
            walk(item.value);
        }
        break;
    case K::ObjectConsKey: {
        // A bare name as a key is that name, not a variable.
        const auto *key = e->as<hcl::ObjectConsKey>();
        const auto *bare = key->wrapped ? key->wrapped->as<hcl::ScopeTraversal>() : nullptr;
        if (!bare || !bare->steps.isEmpty() || key->forceNonLiteral)
            walk(key->wrapped);
        break;
    }
    case K::Index:
        walk(e->as<hcl::Index>()->collection);
        walk(e->as<hcl::Index>()->key);
        break;
    case K::Splat:
        walk(e->as<hcl::Splat>()->source);
        walk(e->as<hcl::Splat>()->each);
        break;
    case K::For: {
        const auto *f = e->as<hcl::For>();
        walk(f->collection);
        walk(f->keyExpr);
        walk(f->valueExpr);
        walk(f->condition);
        break;
    }
    case K::Conditional:
        walk(e->as<hcl::Conditional>()->condition);
        walk(e->as<hcl::Conditional>()->trueResult);
        walk(e->as<hcl::Conditional>()->falseResult);
        break;
    case K::UnaryOp: walk(e->as<hcl::UnaryOp>()->operand); break;
    case K::BinaryOp:
        walk(e->as<hcl::BinaryOp>()->lhs);
        walk(e->as<hcl::BinaryOp>()->rhs);
        break;
    case K::Parentheses: walk(e->as<hcl::Parentheses>()->expression); break;
    case K::LiteralValue:
    case K::AnonSymbol: break;
    }
}

// `root.name` of a traversal, or empty when its first step is not an
// attribute.
QString firstStep(const hcl::ScopeTraversal &t)
{
    if (t.steps.isEmpty() || t.steps.first().kind != hcl::TraversalStep::Kind::Attr)
        return {};
    return t.steps.first().name;
}

// ---- cty's conversions, as gohcl applies them --------------------------------

QString errorRequired(QStringView what)
{
    return what.toString() + u" required"_s;
}

std::optional<double> numberOf(const Value &v, QString *error)
{
    if (v.type() == Value::Type::Number)
        return v.toNumber();
    if (v.type() == Value::Type::String) {
        bool ok = false;
        const double d = v.toString().toDouble(&ok);
        if (ok && std::isfinite(d))
            return d;
        *error = u"a number is required"_s;
        return std::nullopt;
    }
    *error = errorRequired(u"number");
    return std::nullopt;
}

std::optional<bool> boolOf(const Value &v, QString *error)
{
    if (v.type() == Value::Type::Bool)
        return v.toBool();
    if (v.type() == Value::Type::String) {
        const QString s = v.toString();
        if (s == u"true" || s == u"1")
            return true;
        if (s == u"false" || s == u"0")
            return false;
        *error = u"a bool is required"_s;
        return std::nullopt;
    }
    *error = errorRequired(u"bool");
    return std::nullopt;
}

std::optional<QString> stringOf(const Value &v, QString *error)
{
    if (std::optional<QString> s = v.convertToString())
        return s;
    *error = errorRequired(u"string");
    return std::nullopt;
}

// gocty's range check for Go's integer kinds.
std::optional<qint64> wholeNumber(double d, qint64 min, quint64 max, QString *error)
{
    const bool whole = std::isfinite(d) && std::floor(d) == d;
    if (!whole || d < double(min) || d > double(max)) {
        *error = u"value must be a whole number, between %1 and %2"_s.arg(min).arg(max);
        return std::nullopt;
    }
    return qint64(d);
}

// A variable's type constraint (hashicorp/hcl ext/typeexpr), as far as
// jobspec2 needs it: the conversion of -var, var-file and default values.
struct TypeSpec
{
    enum class Kind { Any, String, Number, Bool, List, Set, Map, Object, Tuple };
    Kind kind = Kind::Any;
    std::vector<TypeSpec> elements;                    // List/Set/Map: one; Tuple: each
    std::vector<std::pair<QString, TypeSpec>> members; // Object

    static TypeSpec of(Kind k, std::vector<TypeSpec> elements = {})
    {
        TypeSpec t;
        t.kind = k;
        t.elements = std::move(elements);
        return t;
    }

    bool isPrimitiveLiteral() const { return kind == Kind::String || kind == Kind::Number; }

    QString name() const
    {
        switch (kind) {
        case Kind::Any: return u"any"_s;
        case Kind::String: return u"string"_s;
        case Kind::Number: return u"number"_s;
        case Kind::Bool: return u"bool"_s;
        case Kind::List: return u"list of "_s + elements.front().name();
        case Kind::Set: return u"set of "_s + elements.front().name();
        case Kind::Map: return u"map of "_s + elements.front().name();
        case Kind::Object: return u"object"_s;
        case Kind::Tuple: return u"tuple"_s;
        }
        return {};
    }

    // The type of a value: what a variable with a default and no `type` has
    // (jobspec2/types.variables.go decodeVariableBlock).
    static TypeSpec inferred(const Value &v)
    {
        switch (v.type()) {
        case Value::Type::Null: return of(Kind::Any);
        case Value::Type::Bool: return of(Kind::Bool);
        case Value::Type::Number: return of(Kind::Number);
        case Value::Type::String: return of(Kind::String);
        case Value::Type::Tuple: {
            TypeSpec t = of(Kind::Tuple);
            for (const Value &item : v.toTuple())
                t.elements.push_back(inferred(item));
            return t;
        }
        case Value::Type::Object: {
            TypeSpec t = of(Kind::Object);
            for (auto it = v.toObject().begin(); it != v.toObject().end(); ++it)
                t.members.emplace_back(it.key(), inferred(it.value()));
            return t;
        }
        }
        return of(Kind::Any);
    }

    // cty's convert.Convert for these types; the error as cty words it.
    Result<Value> convert(const Value &v) const
    {
        QString error;
        if (v.isNull() || kind == Kind::Any)
            return v;
        switch (kind) {
        case Kind::Any: return v;
        case Kind::String:
            if (std::optional<QString> s = stringOf(v, &error))
                return Value::string(*s);
            break;
        case Kind::Number:
            if (std::optional<double> d = numberOf(v, &error))
                return Value::number(*d);
            break;
        case Kind::Bool:
            if (std::optional<bool> b = boolOf(v, &error))
                return Value::boolean(*b);
            break;
        case Kind::List:
        case Kind::Set: {
            if (v.type() != Value::Type::Tuple) {
                error = errorRequired(name());
                break;
            }
            Value::Tuple out;
            for (qsizetype i = 0; i < v.toTuple().size(); ++i) {
                Result<Value> item = elements.front().convert(v.toTuple().at(i));
                if (!item)
                    return fail(Error::Code::Invalid, u"element %1: %2"_s.arg(i).arg(item.error().message));
                if (kind == Kind::Set && out.contains(*item))
                    continue;
                out.append(*item);
            }
            return Value::tuple(out);
        }
        case Kind::Map: {
            if (v.type() != Value::Type::Object) {
                error = errorRequired(name());
                break;
            }
            Value::Object out;
            for (auto it = v.toObject().begin(); it != v.toObject().end(); ++it) {
                Result<Value> item = elements.front().convert(it.value());
                if (!item)
                    return fail(Error::Code::Invalid, u"element %1: %2"_s.arg(quoted(it.key()), item.error().message));
                out.insert(it.key(), *item);
            }
            return Value::object(out);
        }
        case Kind::Object: {
            if (v.type() != Value::Type::Object) {
                error = errorRequired(u"object");
                break;
            }
            Value::Object out;
            for (const auto &[member, type] : members) {
                if (!v.toObject().contains(member))
                    return fail(Error::Code::Invalid, u"attribute %1 is required"_s.arg(quoted(member)));
                Result<Value> item = type.convert(v.toObject().value(member));
                if (!item)
                    return fail(Error::Code::Invalid, u"attribute %1: %2"_s.arg(quoted(member), item.error().message));
                out.insert(member, *item);
            }
            return Value::object(out);
        }
        case Kind::Tuple: {
            if (v.type() != Value::Type::Tuple || size_t(v.toTuple().size()) != elements.size()) {
                error = u"tuple required"_s;
                if (v.type() == Value::Type::Tuple)
                    error = u"tuple with %1 elements required"_s.arg(elements.size());
                break;
            }
            Value::Tuple out;
            for (size_t i = 0; i < elements.size(); ++i) {
                Result<Value> item = elements[i].convert(v.toTuple().at(qsizetype(i)));
                if (!item)
                    return fail(Error::Code::Invalid, u"element %1: %2"_s.arg(i).arg(item.error().message));
                out.append(*item);
            }
            return Value::tuple(out);
        }
        }
        return fail(Error::Code::Invalid, error);
    }
};

// hashicorp/hcl ext/typeexpr Type(): the keywords and type constructors.
Result<TypeSpec> parseType(const hcl::Expression &e)
{
    using TK = TypeSpec::Kind;
    const auto invalid = [](const QString &detail) { return fail(Error::Code::Invalid, detail); };
    if (const auto *t = e.as<hcl::ScopeTraversal>(); t && t->steps.isEmpty()) {
        static const QHash<QString, TK> keywords{
            {u"string"_s, TK::String}, {u"number"_s, TK::Number}, {u"bool"_s, TK::Bool}, {u"any"_s, TK::Any}};
        if (keywords.contains(t->root))
            return TypeSpec::of(keywords.value(t->root));
        if (t->root == u"list" || t->root == u"set" || t->root == u"map" || t->root == u"object" || t->root == u"tuple")
            return invalid(
                u"The %1 type constructor requires one argument specifying the element type."_s.arg(t->root));
        return invalid(u"The keyword %1 is not a valid type specification."_s.arg(quoted(t->root)));
    }
    const auto *call = e.as<hcl::FunctionCall>();
    if (!call)
        return invalid(u"A type specification is either a primitive type keyword (bool, number, string) or a "
                       "complex type constructor call, like list(string)."_s);
    if (call->args.size() != 1)
        return invalid(u"The %1 type constructor requires one argument."_s.arg(call->name));
    const hcl::Expression &arg = *call->args.first();
    if (call->name == u"list" || call->name == u"set" || call->name == u"map") {
        Result<TypeSpec> element = parseType(arg);
        if (!element)
            return std::unexpected(element.error());
        const TK kind = call->name == u"list" ? TK::List : call->name == u"set" ? TK::Set : TK::Map;
        return TypeSpec::of(kind, {*element});
    }
    if (call->name == u"tuple") {
        const auto *items = arg.as<hcl::TupleCons>();
        if (!items)
            return invalid(u"The tuple type constructor requires a list of element types."_s);
        TypeSpec t = TypeSpec::of(TK::Tuple);
        for (const hcl::ExpressionPtr &item : items->items) {
            Result<TypeSpec> element = parseType(*item);
            if (!element)
                return std::unexpected(element.error());
            t.elements.push_back(*element);
        }
        return t;
    }
    if (call->name == u"object") {
        const auto *attrs = arg.as<hcl::ObjectCons>();
        if (!attrs)
            return invalid(u"The object type constructor requires an object of attribute types."_s);
        TypeSpec t = TypeSpec::of(TK::Object);
        for (const hcl::ObjectConsItem &item : attrs->items) {
            const auto *key = item.key->as<hcl::ObjectConsKey>();
            const auto *name = key && key->wrapped ? key->wrapped->as<hcl::ScopeTraversal>() : nullptr;
            if (!name || !name->steps.isEmpty())
                return invalid(u"Object constructor map keys must be attribute names."_s);
            Result<TypeSpec> member = parseType(*item.value);
            if (!member)
                return std::unexpected(member.error());
            t.members.emplace_back(name->root, *member);
        }
        return t;
    }
    return invalid(u"Keyword %1 is not a valid type constructor."_s.arg(quoted(call->name)));
}

// ---- the job: table-driven decoding -----------------------------------------

// Reads blocks of a job into API JSON with the table of jobspecschema.cpp,
// as gohcl.DecodeBody fills the api structs (strict: an argument or block
// the struct has no tag for is an error).
class Decoder
{
public:
    Decoder(const hcl::SyntaxFile &file, const hcl::EvalContext &context, Diagnostics &diagnostics)
        : m_file(file)
        , m_context(&context)
        , m_diagnostics(diagnostics)
    {
    }

    // `where` names the nearest labelled block for messages ("group \"api\"").
    QJsonObject decode(const hcl::Body &body, const StructSpec &spec, const QString &where);

    std::optional<Value> evaluate(const hcl::Expression &e)
    {
        Result<Value> v = hcl::Evaluator::evaluate(e, *m_context, m_file);
        if (!v) {
            m_diagnostics.addPositioned(v.error().message);
            return std::nullopt;
        }
        return *v;
    }

private:
    void error(const hcl::SourcePos &pos, const QString &summary, const QString &detail)
    {
        m_diagnostics.add(m_file.fileName, pos, summary, detail);
    }
    std::optional<QJsonValue> argument(const hcl::Attribute &attribute, Kind kind, const QString &where);
    std::optional<QJsonObject> stringMap(const Value &value, const hcl::SourcePos &pos, bool lists,
                                         const QString &what);
    std::optional<QJsonObject> mapBlock(const hcl::Block &block, Kind kind, const QString &where);
    QJsonValue anyBlockValue(const hcl::Block &block);
    QJsonObject anyBody(const hcl::Body &body);
    std::optional<QJsonValue> attributeAny(const hcl::Attribute &attribute);
    bool checkLabels(const hcl::Block &block, int expected);
    QJsonObject decodeBlock(const hcl::Block &block, const StructSpec &spec, const QString &where);
    void postProcess(QJsonObject &object, const StructSpec &spec, const hcl::Block *block);

    // A block to decode and the context its body is evaluated in (null:
    // the enclosing one); a `dynamic` block yields one per element.
    struct Expanded
    {
        hcl::Block block;
        std::shared_ptr<const hcl::EvalContext> context;
    };
    void expandDynamic(const hcl::Block &dynamic, const QString &where, QList<Expanded> &out);

    const hcl::SyntaxFile &m_file;
    const hcl::EvalContext *m_context;
    Diagnostics &m_diagnostics;
};

// hashicorp/hcl ext/dynblock (jobspec2/types.config.go decodeJob expands
// the job body with it): `dynamic "TYPE" { for_each, iterator, labels,
// content {} }` stands for one TYPE block per element of for_each, its
// content evaluated with the iterator (default: TYPE) as {key, value}.
void Decoder::expandDynamic(const hcl::Block &dynamic, const QString &where, QList<Expanded> &out)
{
    if (!checkLabels(dynamic, 1))
        return;
    const QString type = dynamic.labels.first();
    const QString inner = u"dynamic "_s + quoted(type) + u" in "_s + where;
    const hcl::Attribute *forEach = nullptr;
    const hcl::Attribute *labels = nullptr;
    QString iterator = type;
    for (const hcl::Attribute &a : dynamic.body.attributes) {
        if (a.name == u"for_each") {
            forEach = &a;
        } else if (a.name == u"labels") {
            labels = &a;
        } else if (a.name == u"iterator") {
            const auto *name = a.expr->as<hcl::ScopeTraversal>();
            if (!name || !name->steps.isEmpty()) {
                error(a.expr->range.start, u"Invalid expression"_s,
                      u"A single static variable reference is required."_s);
                return;
            }
            iterator = name->root;
        } else {
            error(
                a.nameRange.start, u"Unsupported argument"_s,
                u"An argument named %1 is not expected here in %2; expected one of: for_each, iterator, labels."_s.arg(
                    quoted(a.name), inner));
        }
    }
    const hcl::Block *content = nullptr;
    for (const hcl::Block &b : dynamic.body.blocks) {
        if (b.type != u"content") {
            error(b.typeRange.start, u"Unsupported block type"_s,
                  u"Blocks of type %1 are not expected here in %2; expected one of: content."_s.arg(quoted(b.type),
                                                                                                    inner));
        } else if (content) {
            error(b.typeRange.start, u"Duplicate content block"_s,
                  u"Only one content block is allowed. Another was defined at %1."_s.arg(
                      hcl::describe(m_file.fileName, content->typeRange.start)));
        } else if (checkLabels(b, 0)) {
            content = &b;
        }
    }
    if (!forEach) {
        error(dynamic.body.range.start, u"Missing required argument"_s,
              u"The argument \"for_each\" is required, but no definition was found (in %1)."_s.arg(inner));
        return;
    }
    if (!content) {
        error(dynamic.body.range.start, u"Missing required block"_s,
              u"A content block is required (in %1)."_s.arg(inner));
        return;
    }
    const std::optional<Value> collection = evaluate(*forEach->expr);
    if (!collection)
        return;
    QList<std::pair<Value, Value>> elements;
    if (collection->type() == Value::Type::Tuple) {
        for (qsizetype i = 0; i < collection->toTuple().size(); ++i)
            elements.append({Value::number(double(i)), collection->toTuple().at(i)});
    } else if (collection->type() == Value::Type::Object) {
        for (auto it = collection->toObject().begin(); it != collection->toObject().end(); ++it)
            elements.append({Value::string(it.key()), it.value()});
    } else {
        error(forEach->expr->range.start, u"Invalid dynamic for_each value"_s,
              collection->isNull() ? u"Cannot use a null value in for_each."_s
                                   : u"Cannot use a %1 value in for_each. An iterable collection is required."_s.arg(
                                       collection->typeName()));
        return;
    }
    for (const auto &[key, value] : elements) {
        auto context = std::make_shared<hcl::EvalContext>(*m_context);
        context->variables.insert(iterator, Value::object({{u"key"_s, key}, {u"value"_s, value}}));
        Expanded expanded;
        expanded.block = *content;
        expanded.block.type = type;
        expanded.block.range = dynamic.range;
        expanded.block.typeRange = dynamic.labelRanges.first();
        expanded.block.labels.clear();
        expanded.block.labelRanges.clear();
        if (labels) {
            Result<Value> v = hcl::Evaluator::evaluate(*labels->expr, *context, m_file);
            if (!v) {
                m_diagnostics.addPositioned(v.error().message);
                return;
            }
            if (v->type() != Value::Type::Tuple) {
                error(labels->expr->range.start, u"Invalid dynamic block labels"_s, u"list of string required"_s);
                return;
            }
            for (const Value &label : v->toTuple()) {
                const std::optional<QString> text = label.convertToString();
                if (!text) {
                    error(labels->expr->range.start, u"Invalid dynamic block label"_s,
                          u"Cannot use a %1 value as a block label: string required."_s.arg(label.typeName()));
                    return;
                }
                expanded.block.labels.append(*text);
                expanded.block.labelRanges.append(labels->expr->range);
            }
        }
        expanded.context = context;
        out.append(expanded);
    }
}

bool Decoder::checkLabels(const hcl::Block &block, int expected)
{
    const auto count = block.labels.size();
    if (count == expected)
        return true;
    if (count < expected) {
        error(block.typeRange.start, u"Missing name for "_s + block.type,
              u"All %1 blocks must have %2 labels (name)."_s.arg(block.type).arg(expected));
    } else if (expected == 0) {
        error(block.labelRanges.at(0).start, u"Extraneous label for "_s + block.type,
              u"No labels are expected for %1 blocks."_s.arg(block.type));
    } else {
        error(block.labelRanges.at(expected).start, u"Extraneous label for "_s + block.type,
              u"Only %1 labels (name) are expected for %2 blocks."_s.arg(expected).arg(block.type));
    }
    return false;
}

std::optional<QJsonValue> Decoder::argument(const hcl::Attribute &attribute, Kind kind, const QString &where)
{
    const std::optional<Value> value = evaluate(*attribute.expr);
    if (!value)
        return std::nullopt;
    if (value->isNull())
        return QJsonValue(QJsonValue::Undefined); // gohcl leaves the field unset

    QString problem;
    const auto unsuitable = [&](const QString &detail) {
        error(attribute.expr->range.start, u"Unsuitable value type"_s,
              u"Unsuitable value for %1 in %2: %3"_s.arg(quoted(attribute.name), where, detail));
        return std::nullopt;
    };
    const auto integer = [&](const Value &v, qint64 min, quint64 max) -> std::optional<qint64> {
        const std::optional<double> d = numberOf(v, &problem);
        if (!d)
            return std::nullopt;
        return wholeNumber(*d, min, max, &problem);
    };

    switch (kind) {
    case Kind::String:
        if (std::optional<QString> s = stringOf(*value, &problem))
            return QJsonValue(*s);
        return unsuitable(problem);
    case Kind::Bool:
        if (std::optional<bool> b = boolOf(*value, &problem))
            return QJsonValue(*b);
        return unsuitable(problem);
    case Kind::Int:
        if (std::optional<qint64> n
            = integer(*value, std::numeric_limits<qint64>::min(), quint64(std::numeric_limits<qint64>::max())))
            return QJsonValue(*n);
        return unsuitable(problem);
    case Kind::Uint:
        // JSON numbers are doubles: 2^53 is as far as a job needs.
        if (std::optional<qint64> n = integer(*value, 0, quint64(1) << 53))
            return QJsonValue(*n);
        return unsuitable(problem);
    case Kind::Int8:
        if (std::optional<qint64> n = integer(*value, -128, 127))
            return QJsonValue(*n);
        return unsuitable(problem);
    case Kind::Uint8:
        if (std::optional<qint64> n = integer(*value, 0, 255))
            return QJsonValue(*n);
        return unsuitable(problem);
    case Kind::Uint16:
        if (std::optional<qint64> n = integer(*value, 0, 65535))
            return QJsonValue(*n);
        return unsuitable(problem);
    case Kind::Duration: {
        // jobspec2/hcl_conversions.go decodeDuration: a string is read as
        // Go's time.ParseDuration, a number is nanoseconds.
        if (value->type() == Value::Type::String) {
            const std::optional<std::chrono::nanoseconds> d = parseGoDuration(value->toString());
            if (!d) {
                error(attribute.expr->range.start, u"Unsuitable value type"_s,
                      u"Unsuitable duration value for %1 in %2: time: invalid duration %3"_s.arg(
                          quoted(attribute.name), where, quoted(value->toString())));
                return std::nullopt;
            }
            return QJsonValue(qint64(d->count()));
        }
        if (value->type() != Value::Type::Number)
            return unsuitable(u"expected a string but found "_s + value->typeName());
        if (std::optional<qint64> n
            = integer(*value, std::numeric_limits<qint64>::min(), quint64(std::numeric_limits<qint64>::max())))
            return QJsonValue(*n);
        return unsuitable(problem);
    }
    case Kind::StringList:
    case Kind::Uint16List: {
        const bool strings = kind == Kind::StringList;
        if (value->type() != Value::Type::Tuple)
            return unsuitable(strings ? u"list of string required"_s : u"list of number required"_s);
        QJsonArray out;
        for (qsizetype i = 0; i < value->toTuple().size(); ++i) {
            const Value &item = value->toTuple().at(i);
            if (item.isNull())
                return unsuitable(u"element %1: null value is not allowed"_s.arg(i));
            if (strings) {
                std::optional<QString> s = stringOf(item, &problem);
                if (!s)
                    return unsuitable(u"element %1: %2"_s.arg(i).arg(problem));
                out.append(*s);
            } else {
                std::optional<qint64> n = integer(item, 0, 65535);
                if (!n)
                    return unsuitable(u"element %1: %2"_s.arg(i).arg(problem));
                out.append(*n);
            }
        }
        return QJsonValue(out);
    }
    default: break;
    }
    return std::nullopt;
}

// A map[string]string (or map[string][]string) from a value, as gohcl
// decodes an object into it.
std::optional<QJsonObject> Decoder::stringMap(const Value &value, const hcl::SourcePos &pos, bool lists,
                                              const QString &what)
{
    if (value.type() != Value::Type::Object) {
        error(pos, u"Unsuitable value type"_s,
              u"Unsuitable value for %1: %2"_s.arg(what, lists ? u"map of list of string required"_s
                                                               : u"map of string required"_s));
        return std::nullopt;
    }
    QJsonObject out;
    QString problem;
    for (auto it = value.toObject().begin(); it != value.toObject().end(); ++it) {
        if (lists) {
            if (it.value().type() != Value::Type::Tuple) {
                error(pos, u"Unsuitable value type"_s,
                      u"Unsuitable value for %1: element %2: list of string required"_s.arg(what, quoted(it.key())));
                return std::nullopt;
            }
            QJsonArray items;
            for (const Value &item : it.value().toTuple()) {
                std::optional<QString> s = stringOf(item, &problem);
                if (!s) {
                    error(pos, u"Unsuitable value type"_s,
                          u"Unsuitable value for %1: element %2: %3"_s.arg(what, quoted(it.key()), problem));
                    return std::nullopt;
                }
                items.append(*s);
            }
            out.insert(it.key(), items);
            continue;
        }
        if (it.value().isNull())
            continue;
        std::optional<QString> s = stringOf(it.value(), &problem);
        if (!s) {
            error(pos, u"Unsuitable value type"_s,
                  u"Unsuitable value for %1: element %2: %3"_s.arg(what, quoted(it.key()), problem));
            return std::nullopt;
        }
        out.insert(it.key(), *s);
    }
    return out;
}

// `meta { k = v }`, `header { k = [v] }` or `config { … }`: gohcl reads the
// block's body as attributes (decodeBodyToMap); jobspec2's BlocksAsAttrs
// turns nested blocks into attributes holding lists of objects
// (jobspec2/hclutil/blockattrs.go).
std::optional<QJsonObject> Decoder::mapBlock(const hcl::Block &block, Kind kind, const QString &where)
{
    if (!checkLabels(block, 0))
        return std::nullopt;
    if (kind == Kind::AnyMap)
        return anyBody(block.body);
    const bool lists = kind == Kind::StringListMap;
    const QString what = block.type + u" in "_s + where;
    QJsonObject out;
    bool ok = true;
    for (const hcl::Attribute &a : block.body.attributes) {
        const std::optional<Value> v = evaluate(*a.expr);
        if (!v) {
            ok = false;
            continue;
        }
        if (v->isNull())
            continue;
        // One attribute at a time, so that the message points at it.
        const std::optional<QJsonObject> one
            = stringMap(Value::object({{a.name, *v}}), a.expr->range.start, lists, what);
        if (!one) {
            ok = false;
            continue;
        }
        out.insert(a.name, one->value(a.name));
    }
    for (const hcl::Block &nested : block.body.blocks) {
        error(nested.typeRange.start, u"Unsuitable value type"_s,
              u"Unsuitable value for %1: element %2: %3 required (a block cannot be a value of %4)"_s.arg(
                  what, quoted(nested.type), lists ? u"list of string"_s : u"string"_s, block.type));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return out;
}

// An attribute of a free-form map: its value, where an object written as
// `{ … }` becomes a list of one object (blockattrs.go attrExpr), as a block
// would.
std::optional<QJsonValue> Decoder::attributeAny(const hcl::Attribute &attribute)
{
    const std::optional<Value> v = evaluate(*attribute.expr);
    if (!v)
        return std::nullopt;
    if (attribute.expr->kind == hcl::Expression::Kind::ObjectCons)
        return QJsonValue(QJsonArray{v->toJson()});
    return v->toJson();
}

QJsonObject Decoder::anyBody(const hcl::Body &body)
{
    QJsonObject out;
    for (const hcl::Attribute &a : body.attributes) {
        const std::optional<QJsonValue> v = attributeAny(a);
        if (v && !v->isNull())
            out.insert(a.name, *v);
    }
    // blocksByType: every block of a type in one list, in file order.
    QStringList order;
    QHash<QString, QJsonArray> byType;
    for (const hcl::Block &b : body.blocks) {
        if (!byType.contains(b.type))
            order.append(b.type);
        byType[b.type].append(anyBlockValue(b));
    }
    for (const QString &type : order)
        out.insert(type, byType.value(type));
    return out;
}

// blockattrs.go blockToExpr: the block's body as an object, wrapped in
// `{label = [ … ]}` for each label from the innermost out.
QJsonValue Decoder::anyBlockValue(const hcl::Block &block)
{
    QJsonObject value = anyBody(block.body);
    for (qsizetype i = block.labels.size() - 1; i >= 0; --i)
        value = QJsonObject{{block.labels.at(i), QJsonArray{value}}};
    return value;
}

QJsonObject Decoder::decodeBlock(const hcl::Block &block, const StructSpec &spec, const QString &where)
{
    const bool labelled = !spec.labelJson.isEmpty();
    checkLabels(block, labelled ? 1 : 0);
    const QString inner = labelled && !block.labels.isEmpty()
                              ? QString(block.type + u' ' + quoted(block.labels.first()))
                              : QString(block.type + u" in "_s + where);
    QJsonObject object = decode(block.body, spec, inner);
    if (labelled && !block.labels.isEmpty())
        object.insert(spec.labelJson.toString(), block.labels.first());
    postProcess(object, spec, &block);
    return object;
}

QJsonObject Decoder::decode(const hcl::Body &body, const StructSpec &spec, const QString &where)
{
    QJsonObject out;
    QStringList argumentNames, blockNames;
    for (const Field &f : spec.fields) {
        if (jobspec::isArgument(f.kind) || f.kind == Kind::StringMapOrAttribute)
            argumentNames.append(f.hcl.toString());
        if (!jobspec::isArgument(f.kind))
            blockNames.append(f.hcl.toString());
    }
    const auto jsonKey = [](const Field &f) {
        // Fields jobspec2 reads that are no API field of this struct (a
        // group's or job's vault, the job's tasks) are kept aside under a
        // name no API field has, for postProcess and the job's normalization.
        return f.json.isEmpty() ? u"__"_s + f.hcl.toString() : f.json.toString();
    };

    QSet<QString> seenArguments;
    for (const hcl::Attribute &a : body.attributes) {
        seenArguments.insert(a.name);
        const Field *f = spec.field(a.name);
        if (!f || !(jobspec::isArgument(f->kind) || f->kind == Kind::StringMapOrAttribute)) {
            QString detail = u"An argument named %1 is not expected here in %2"_s.arg(quoted(a.name), where);
            if (f) {
                detail += u". Did you mean to define a block of type %1?"_s.arg(quoted(a.name));
            } else {
                const QString close = suggestion(a.name, argumentNames);
                detail += close.isEmpty() ? u"; expected one of: "_s + argumentNames.join(u", "_s) + u'.'
                                          : u". Did you mean %1?"_s.arg(quoted(close));
            }
            error(a.nameRange.start, u"Unsupported argument"_s, detail);
            continue;
        }
        if (f->kind == Kind::StringMapOrAttribute) {
            // jobspec2/hcl_conversions.go decodeAsAttribute: `env = { … }`.
            for (const hcl::Block &b : body.blocks) {
                if (b.type == a.name) {
                    error(b.typeRange.start, u"Duplicate %1 block"_s.arg(a.name),
                          u"%1 may not be defined more than once. Another definition is defined at %2."_s.arg(
                              a.name, hcl::describe(m_file.fileName, a.range.start)));
                }
            }
            const std::optional<Value> v = evaluate(*a.expr);
            if (!v || v->isNull())
                continue;
            if (std::optional<QJsonObject> map
                = stringMap(*v, a.expr->range.start, false, quoted(a.name) + u" in "_s + where))
                out.insert(jsonKey(*f), *map);
            continue;
        }
        const std::optional<QJsonValue> v = argument(a, f->kind, where);
        if (v && !v->isUndefined())
            out.insert(jsonKey(*f), *v);
    }

    QList<Expanded> blocks;
    for (const hcl::Block &b : body.blocks) {
        if (b.type == u"dynamic")
            expandDynamic(b, where, blocks);
        else
            blocks.append({b, nullptr});
    }

    QHash<QString, hcl::SourcePos> firstOfType;
    for (const Expanded &expanded : std::as_const(blocks)) {
        const hcl::Block &b = expanded.block;
        // The body of a block from `dynamic` sees its iterator.
        const hcl::EvalContext *enclosing = m_context;
        if (expanded.context)
            m_context = expanded.context.get();
        const auto restore = qScopeGuard([&] { m_context = enclosing; });
        if (spec.block == u"task" && (b.type == u"secret" || b.type == u"schedule")) {
            // Nomad reads these; Meshpad's reader does not (yet): refusing
            // beats dropping them silently.
            error(b.typeRange.start, u"Unsupported block type"_s,
                  u"%1 blocks (in %2) are valid in Nomad but not read by Meshpad's jobspec reader."_s.arg(
                      quoted(b.type), where));
            continue;
        }
        const Field *f = spec.field(b.type);
        if (!f || jobspec::isArgument(f->kind)) {
            QString detail = u"Blocks of type %1 are not expected here in %2"_s.arg(quoted(b.type), where);
            if (f) {
                detail
                    += u". Did you mean to define argument %1? If so, use the equals sign to assign it a value."_s.arg(
                        quoted(b.type));
            } else {
                const QString close = suggestion(b.type, blockNames);
                detail += close.isEmpty() ? u"; expected one of: "_s + blockNames.join(u", "_s) + u'.'
                                          : u". Did you mean %1?"_s.arg(quoted(close));
            }
            error(b.typeRange.start, u"Unsupported block type"_s, detail);
            continue;
        }
        const QString key = jsonKey(*f);
        const bool single = f->kind == Kind::Block || f->kind == Kind::StringMap || f->kind == Kind::StringListMap
                            || f->kind == Kind::AnyMap || f->kind == Kind::StringMapOrAttribute;
        if (single && firstOfType.contains(b.type)) {
            error(b.typeRange.start, u"Duplicate %1 block"_s.arg(b.type),
                  u"Only one %1 block is allowed. Another was defined at %2."_s.arg(
                      b.type, hcl::describe(m_file.fileName, firstOfType.value(b.type))));
            continue;
        }
        firstOfType.insert(b.type, b.typeRange.start);
        if (f->kind == Kind::StringMapOrAttribute && seenArguments.contains(b.type))
            continue; // reported with the attribute

        switch (f->kind) {
        case Kind::Block: out.insert(key, decodeBlock(b, *f->spec, where)); break;
        case Kind::BlockList: {
            QJsonArray list = out.value(key).toArray();
            list.append(decodeBlock(b, *f->spec, where));
            out.insert(key, list);
            break;
        }
        case Kind::LabelledMap: {
            QJsonObject map = out.value(key).toObject();
            const QJsonObject item = decodeBlock(b, *f->spec, where);
            if (!b.labels.isEmpty())
                map.insert(b.labels.first(), item);
            out.insert(key, map);
            break;
        }
        case Kind::StringMap:
        case Kind::StringListMap:
        case Kind::AnyMap:
        case Kind::StringMapOrAttribute:
            if (std::optional<QJsonObject> map
                = mapBlock(b, f->kind == Kind::StringMapOrAttribute ? Kind::StringMap : f->kind, where))
                out.insert(key, *map);
            break;
        case Kind::TaskScaling: {
            // jobspec2/hcl_conversions.go decodeTaskScalingPolicies.
            if (!checkLabels(b, 1))
                break;
            const QString label = b.labels.first().toLower();
            if (label != u"cpu" && label != u"mem") {
                error(b.labelRanges.first().start, u"Invalid scaling policy name"_s,
                      u"scaling policy name must be \"cpu\" or \"mem\""_s);
                break;
            }
            const QString type = label == u"cpu" ? u"vertical_cpu"_s : u"vertical_mem"_s;
            QJsonObject policy = decode(b.body, *f->spec, u"scaling "_s + quoted(label) + u" in "_s + where);
            if (policy.value(u"Type").toString().isEmpty()) {
                policy.insert(u"Type", type);
            } else if (policy.value(u"Type").toString() != type) {
                error(b.typeRange.start, u"Invalid scaling policy type"_s,
                      u"Invalid policy type, expected %1 but found %2"_s.arg(quoted(policy.value(u"Type").toString()),
                                                                             quoted(type)));
                break;
            }
            QJsonArray list = out.value(key).toArray();
            for (const QJsonValue &existing : list) {
                if (existing.toObject().value(u"Type") == policy.value(u"Type")) {
                    error(b.typeRange.start, u"Duplicate scaling %1 block"_s.arg(quoted(label)),
                          u"Only one scaling %1 block is allowed."_s.arg(label));
                }
            }
            list.append(policy);
            out.insert(key, list);
            break;
        }
        default: break;
        }
    }

    for (const Field &f : spec.fields) {
        if (f.required && !out.contains(jsonKey(f))) {
            const hcl::SourcePos pos = body.range.start;
            error(pos, u"Missing required argument"_s,
                  u"The argument %1 is required, but no definition was found (in %2)."_s.arg(quoted(f.hcl), where));
        }
    }
    return out;
}

// The struct-specific parts of jobspec2: its own constraint and affinity
// decoders, the group's scaling and vault, the defaults parse_job.go fills.
void Decoder::postProcess(QJsonObject &object, const StructSpec &spec, const hcl::Block *block)
{
    const auto take = [&](QStringView key) {
        const QString value = object.value(key).toString();
        object.remove(key.toString());
        return value;
    };
    if (spec.block == u"constraint" || spec.block == u"affinity") {
        // jobspec2/hcl_conversions.go decodeConstraint / decodeAffinity: the
        // operator arguments override `operator`, later ones winning.
        const bool constraint = spec.block == u"constraint";
        const bool distinctHosts = object.value(u"distinct_hosts").toBool();
        const bool hasWeight = object.contains(u"weight");
        const qint64 weight = object.value(u"weight").toInteger();
        QString lTarget = take(u"attribute"), rTarget = take(u"value"), operand = take(u"operator");
        const QStringList operators
            = constraint ? QStringList{u"version"_s, u"semver"_s, u"regexp"_s, u"set_contains"_s}
                         : QStringList{u"version"_s,          u"semver"_s,           u"regexp"_s,
                                       u"set_contains_any"_s, u"set_contains_all"_s, u"set_contains"_s};
        for (const QString &op : operators) {
            if (const QString v = object.value(op).toString(); !v.isEmpty()) {
                operand = op;
                rTarget = v;
            }
        }
        if (constraint && distinctHosts)
            operand = u"distinct_hosts"_s;
        if (const QString property = object.value(u"distinct_property").toString(); constraint && !property.isEmpty()) {
            operand = u"distinct_property"_s;
            lTarget = property;
        }
        if (operand.isEmpty())
            operand = u"="_s;
        object = QJsonObject{{u"LTarget"_s, lTarget}, {u"RTarget"_s, rTarget}, {u"Operand"_s, operand}};
        if (!constraint && hasWeight)
            object.insert(u"Weight", qint64(qint8(weight))); // int8ToPtr(int8(w)): Go wraps
        return;
    }
    if (spec.block == u"group") {
        if (object.contains(u"Scaling")) {
            // hcl_conversions.go decodeTaskGroup / validateGroupScalingPolicy.
            QJsonObject scaling = object.value(u"Scaling").toObject();
            if (scaling.value(u"Type").toString().isEmpty())
                scaling.insert(u"Type", u"horizontal"_s);
            if (!scaling.contains(u"Max") && block) {
                for (const hcl::Block &b : block->body.blocks) {
                    if (b.type == u"scaling") {
                        error(b.typeRange.start, u"Missing required argument"_s,
                              u"The argument \"max\" is required, but no definition was found."_s);
                    }
                }
            }
            if (scaling.value(u"Type").toString() != u"horizontal" && block) {
                for (const hcl::Block &b : block->body.blocks) {
                    if (b.type == u"scaling" && b.body.attribute(u"type")) {
                        error(b.body.attribute(u"type")->expr->range.start, u"Invalid group scaling type"_s,
                              u"task group scaling policy had invalid type: %1"_s.arg(
                                  quoted(scaling.value(u"Type").toString())));
                    }
                }
            }
            object.insert(u"Scaling", scaling);
        }
        if (object.contains(u"__vault")) {
            const QJsonObject vault = object.value(u"__vault").toObject();
            object.remove(u"__vault");
            QJsonArray tasks = object.value(u"Tasks").toArray();
            for (qsizetype i = 0; i < tasks.size(); ++i) {
                QJsonObject task = tasks.at(i).toObject();
                if (!task.contains(u"Vault"))
                    task.insert(u"Vault", vault);
                tasks.replace(i, task);
            }
            if (!tasks.isEmpty())
                object.insert(u"Tasks", tasks);
        }
        return;
    }
    if (spec.block == u"port" || spec.block == u"reserved_ports") {
        // api.Port's Value and To are plain ints: always in the JSON.
        if (!object.contains(u"Value"))
            object.insert(u"Value", 0);
        if (!object.contains(u"To"))
            object.insert(u"To", 0);
        return;
    }
    if (spec.block == u"periodic") {
        if (object.contains(u"Spec"))
            object.insert(u"SpecType", u"cron"_s);
        return;
    }
    if (spec.block == u"template") {
        // parse_job.go normalizeTemplates.
        if (!object.contains(u"ChangeMode"))
            object.insert(u"ChangeMode", u"restart"_s);
        if (!object.contains(u"Perms"))
            object.insert(u"Perms", u"0644"_s);
        if (!object.contains(u"Splay"))
            object.insert(u"Splay", qint64(5'000'000'000));
        if (!object.contains(u"ErrMissingKey"))
            object.insert(u"ErrMissingKey", false);
        return;
    }
    if (spec.block == u"change_script") {
        // parse_job.go normalizeChangeScript.
        if (!object.contains(u"Args"))
            object.insert(u"Args", QJsonArray());
        if (!object.contains(u"Timeout"))
            object.insert(u"Timeout", qint64(5'000'000'000));
        if (!object.contains(u"FailOnError"))
            object.insert(u"FailOnError", false);
        return;
    }
}

// parse_job.go normalizeNetworkPorts: a port with a static value is
// reserved, the others dynamic.
void normalizeNetworks(QJsonObject &owner)
{
    if (!owner.contains(u"Networks"))
        return;
    QJsonArray networks = owner.value(u"Networks").toArray();
    for (qsizetype i = 0; i < networks.size(); ++i) {
        QJsonObject network = networks.at(i).toObject();
        const QJsonArray ports = network.value(u"DynamicPorts").toArray();
        if (ports.isEmpty())
            continue;
        QJsonArray dynamic, reserved;
        for (const QJsonValue &p : ports)
            (p.toObject().value(u"Value").toInteger() > 0 ? reserved : dynamic).append(p);
        network.remove(u"DynamicPorts");
        network.remove(u"ReservedPorts");
        if (!dynamic.isEmpty())
            network.insert(u"DynamicPorts", dynamic);
        if (!reserved.isEmpty())
            network.insert(u"ReservedPorts", reserved);
        networks.replace(i, network);
    }
    owner.insert(u"Networks", networks);
}

// parse_job.go normalizeVault.
QJsonObject normalizedVault(QJsonObject vault)
{
    if (!vault.contains(u"Env"))
        vault.insert(u"Env", true);
    if (!vault.contains(u"ChangeMode"))
        vault.insert(u"ChangeMode", u"restart"_s);
    return vault;
}

// parse_job.go normalizeJob, after the job block is decoded.
QJsonObject normalizeJob(QJsonObject job, const QString &jobId)
{
    if (!job.contains(u"Name"))
        job.insert(u"Name", jobId);
    if (!job.contains(u"ID"))
        job.insert(u"ID", jobId);
    const std::optional<QJsonObject> jobVault
        = job.contains(u"__vault") ? std::optional<QJsonObject>(normalizedVault(job.value(u"__vault").toObject()))
                                   : std::nullopt;
    job.remove(u"__vault");

    QJsonArray groups;
    // A task outside any group is a group of its own, ahead of the others.
    for (const QJsonValue &t : job.value(u"__task").toArray()) {
        const QString name = t.toObject().value(u"Name").toString();
        groups.append(QJsonObject{{u"Name"_s, name}, {u"Tasks"_s, QJsonArray{t}}});
    }
    job.remove(u"__task");
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray())
        groups.append(g);

    for (qsizetype g = 0; g < groups.size(); ++g) {
        QJsonObject group = groups.at(g).toObject();
        normalizeNetworks(group);
        QJsonArray tasks = group.value(u"Tasks").toArray();
        for (qsizetype t = 0; t < tasks.size(); ++t) {
            QJsonObject task = tasks.at(t).toObject();
            if (task.contains(u"Resources")) {
                QJsonObject resources = task.value(u"Resources").toObject();
                normalizeNetworks(resources);
                task.insert(u"Resources", resources);
            }
            if (task.contains(u"Vault"))
                task.insert(u"Vault", normalizedVault(task.value(u"Vault").toObject()));
            else if (jobVault)
                task.insert(u"Vault", *jobVault);
            tasks.replace(t, task);
        }
        if (group.contains(u"Tasks"))
            group.insert(u"Tasks", tasks);
        groups.replace(g, group);
    }
    if (!groups.isEmpty())
        job.insert(u"TaskGroups", groups);
    return job;
}

// ---- variables and locals ---------------------------------------------------

struct Assignment
{
    QString from; // "default", "varfile", "cmd" (jobspec2's VariableAssignment.From)
    Value value;
    QString fileName;
    hcl::SourceRange range; // of the expression that gave it
};

struct Validation
{
    hcl::ExpressionPtr condition;
    QString errorMessage;
    hcl::SourceRange range;
};

struct Variable
{
    QString name;
    TypeSpec type;
    bool typed = false; // a `type` or a default gave it one (cty.NilType otherwise)
    QList<Assignment> values;
    QList<Validation> validations;
    hcl::SourceRange range;
};

bool validIdentifier(const QString &name)
{
    if (name.isEmpty() || !(name.at(0).isLetter() || name.at(0) == u'_'))
        return false;
    for (const QChar c : name) {
        if (!(c.isLetterOrNumber() || c == u'_' || c == u'-'))
            return false;
    }
    return true;
}

// types.variables.go looksLikeSentences.
bool looksLikeSentences(const QString &s)
{
    if (s.isEmpty())
        return false;
    const QChar first = s.at(0);
    if (first.isLetter() && !first.isUpper())
        return false;
    const QChar last = s.back();
    return last == u'.' || last == u'?' || last == u'!';
}

class JobspecRead
{
public:
    JobspecRead(const QByteArray &source, const JobspecReader::Options &options)
        : m_source(source)
        , m_options(options)
    {
    }

    Result<QJsonObject> run();

private:
    void error(const QString &file, const hcl::SourcePos &pos, const QString &summary, const QString &detail)
    {
        m_diagnostics.add(file, pos, summary, detail);
    }
    std::optional<Value> evaluateConstant(const hcl::Expression &e, const hcl::SyntaxFile &file)
    {
        // Variable values are evaluated without a context (jobspec2 passes
        // nil): literals and operators, no variables, no functions.
        hcl::EvalContext none;
        none.functionsEnabled = false;
        none.keepUnknownReferences = false;
        Result<Value> v = hcl::Evaluator::evaluate(e, none, file);
        if (!v) {
            m_diagnostics.addPositioned(v.error().message);
            return std::nullopt;
        }
        return *v;
    }
    void declareVariable(const hcl::Block &block);
    void declareVariables(const hcl::Block &block);
    void readVariableFile();
    void readVariableFlags();
    void checkVariableValues();
    void evaluateLocals(const QList<const hcl::Attribute *> &locals);
    hcl::EvalContext context() const;

    QByteArray m_source;
    const JobspecReader::Options &m_options;
    Diagnostics m_diagnostics;
    hcl::SyntaxFile m_file;
    std::map<QString, Variable> m_variables;
    QList<QString> m_variableOrder;
    Value::Object m_locals;
};

void JobspecRead::declareVariable(const hcl::Block &block)
{
    // types.variables.go decodeVariableBlock.
    const QString &file = m_file.fileName;
    if (block.labels.size() != 1) {
        error(file, block.typeRange.start, u"Missing name for variable"_s,
              u"All variable blocks must have 1 labels (name)."_s);
        return;
    }
    const QString name = block.labels.first();
    if (m_variables.contains(name)) {
        error(file, block.typeRange.start, u"Duplicate variable"_s,
              u"Duplicate %1 variable definition found."_s.arg(name));
        return;
    }
    if (!validIdentifier(name)) {
        error(file, block.labelRanges.first().start, u"Invalid variable name"_s,
              u"A name must start with a letter or underscore and may contain only letters, digits, underscores, "
              "and dashes."_s);
    }
    Variable v;
    v.name = name;
    v.range = block.range;
    for (const hcl::Attribute &a : block.body.attributes) {
        if (a.name == u"description") {
            if (std::optional<Value> d = evaluateConstant(*a.expr, m_file); d && !d->convertToString()) {
                error(file, a.expr->range.start, u"Unsuitable value type"_s, u"Unsuitable value: string required"_s);
            }
        } else if (a.name == u"type") {
            Result<TypeSpec> type = parseType(*a.expr);
            if (!type) {
                error(file, a.expr->range.start, u"Invalid type specification"_s, type.error().message);
                return;
            }
            v.type = *type;
            v.typed = true;
        } else if (a.name != u"default") {
            error(file, a.nameRange.start, u"Unsupported argument"_s,
                  u"An argument named %1 is not expected here in variable %2; expected one of: description, "
                  "default, type."_s.arg(quoted(a.name), quoted(name)));
        }
    }
    if (const hcl::Attribute *def = block.body.attribute(u"default")) {
        std::optional<Value> value = evaluateConstant(*def->expr, m_file);
        if (!value)
            return;
        if (v.typed) {
            Result<Value> converted = v.type.convert(*value);
            if (!converted) {
                error(file, def->expr->range.start, u"Invalid default value for variable"_s,
                      u"This default value is not compatible with the variable's type constraint: %1."_s.arg(
                          converted.error().message));
            } else {
                value = *converted;
            }
        } else {
            v.type = TypeSpec::inferred(*value);
            v.typed = true; // null: cty.DynamicPseudoType, still a type
        }
        v.values.append({u"default"_s, *value, file, def->expr->range});
    }
    for (const hcl::Block &b : block.body.blocks) {
        if (b.type != u"validation") {
            error(file, b.typeRange.start, u"Unsupported block type"_s,
                  u"Blocks of type %1 are not expected here in variable %2; expected one of: validation."_s.arg(
                      quoted(b.type), quoted(name)));
            continue;
        }
        Validation rule;
        rule.range = b.range;
        const hcl::Attribute *condition = b.body.attribute(u"condition");
        const hcl::Attribute *message = b.body.attribute(u"error_message");
        for (const auto &[attribute, argument] :
             {std::pair{condition, u"condition"_s}, {message, u"error_message"_s}}) {
            if (!attribute) {
                error(file, b.typeRange.start, u"Missing required argument"_s,
                      u"The argument %1 is required, but no definition was found."_s.arg(quoted(argument)));
            }
        }
        if (!condition || !message)
            continue;
        rule.condition = condition->expr;
        int goodReferences = 0;
        forEachTraversal(condition->expr.get(), [&](const hcl::ScopeTraversal &t) {
            if (t.root == u"var" && firstStep(t) == name) {
                ++goodReferences;
                return;
            }
            error(file, t.rootRange.start, u"Invalid reference in variable validation"_s,
                  u"The condition for variable %1 can only refer to the variable itself, using var.%2."_s.arg(
                      quoted(name), name));
        });
        if (goodReferences < 1) {
            error(file, condition->expr->range.start, u"Invalid variable validation condition"_s,
                  u"The condition for variable %1 must refer to var.%2 in order to test incoming values."_s.arg(
                      quoted(name), name));
        }
        if (std::optional<Value> text = evaluateConstant(*message->expr, m_file)) {
            rule.errorMessage = text->convertToString().value_or(QString());
            if (rule.errorMessage.isEmpty()) {
                error(file, message->expr->range.start, u"Invalid validation error message"_s,
                      u"An empty string is not a valid nor useful error message."_s);
            } else if (!looksLikeSentences(rule.errorMessage)) {
                error(file, message->expr->range.start, u"Invalid validation error message"_s,
                      u"Validation error message must be at least one full sentence starting with an uppercase "
                      "letter ( if the alphabet permits it ) and ending with a period or question mark."_s);
            }
        }
        v.validations.append(rule);
    }
    m_variables.emplace(name, v);
    m_variableOrder.append(name);
}

void JobspecRead::declareVariables(const hcl::Block &block)
{
    // types.variables.go decodeVariable: `variables { name = default }`.
    for (const hcl::Block &b : block.body.blocks) {
        error(m_file.fileName, b.typeRange.start, u"Unexpected %1 block"_s.arg(quoted(b.type)),
              u"Blocks are not allowed here."_s);
    }
    for (const hcl::Attribute &a : block.body.attributes) {
        if (m_variables.contains(a.name)) {
            error(m_file.fileName, a.nameRange.start, u"Duplicate variable"_s,
                  u"Duplicate %1 variable definition found."_s.arg(a.name));
            continue;
        }
        const std::optional<Value> value = evaluateConstant(*a.expr, m_file);
        if (!value)
            continue;
        Variable v;
        v.name = a.name;
        v.type = TypeSpec::inferred(*value);
        v.typed = true;
        v.range = a.range;
        v.values.append({u"default"_s, *value, m_file.fileName, a.expr->range});
        m_variables.emplace(a.name, v);
        m_variableOrder.append(a.name);
    }
}

void JobspecRead::readVariableFile()
{
    // types.variables.go collectInputVariableValues, the files part.
    if (m_options.variableFile.trimmed().isEmpty())
        return;
    const QString &fileName = m_options.variableFileName;
    Result<hcl::SyntaxFile> parsed = hcl::Parser::parseFile(m_options.variableFile, fileName);
    if (!parsed) {
        m_diagnostics.addPositioned(u"unable to parse var file: "_s + parsed.error().message);
        return;
    }
    bool declarations = false;
    for (const hcl::Block &b : parsed->body.blocks) {
        if (b.type == u"variable" && !b.labels.isEmpty()) {
            declarations = true;
            error(fileName, b.typeRange.start, u"Variable declaration in a .var file"_s,
                  u"A .var file is used to assign values to variables that have already been declared in job "
                  "files, not to declare new variables. To declare variable %1, place this block in one of your "
                  "job files\n\nTo set a value for this variable in %2, use the definition syntax instead:\n    "
                  "%3 = <value>"_s.arg(quoted(b.labels.first()), fileName, b.labels.first()));
        }
    }
    if (declarations)
        return;
    for (const hcl::Block &b : parsed->body.blocks) {
        error(fileName, b.typeRange.start, u"Unexpected %1 block"_s.arg(quoted(b.type)),
              u"Blocks are not allowed here."_s);
    }
    for (const hcl::Attribute &a : parsed->body.attributes) {
        const auto it = m_variables.find(a.name);
        if (it == m_variables.end()) {
            if (m_options.strict) {
                error(fileName, a.range.start, u"Undefined variable"_s,
                      u"A %1 variable was set but was not found in known variables. To declare variable %1, place "
                      "this block in your job files"_s.arg(quoted(a.name)));
            }
            continue;
        }
        std::optional<Value> value = evaluateConstant(*a.expr, *parsed);
        if (!value)
            continue;
        Variable &v = it->second;
        if (v.typed) {
            Result<Value> converted = v.type.convert(*value);
            if (!converted) {
                error(fileName, a.expr->range.start, u"Invalid value for variable"_s,
                      u"The value for %1 is not compatible with the variable's type constraint: %2."_s.arg(
                          a.name, converted.error().message));
                continue;
            }
            value = *converted;
        }
        v.values.append({u"varfile"_s, *value, fileName, a.expr->range});
    }
}

void JobspecRead::readVariableFlags()
{
    // types.variables.go collectInputVariableValues, the -var part: a value
    // is the literal string for string, number and untyped variables, an
    // HCL expression otherwise (expressionFromVariableDefinition).
    QList<QPair<QString, QString>> flags;
    for (const auto &[name, value] : m_options.variables) {
        // toVars: a map, so the last -var of a name wins.
        flags.removeIf([&](const QPair<QString, QString> &f) { return f.first == name; });
        flags.append({name, value});
    }
    for (const auto &[name, text] : flags) {
        const auto it = m_variables.find(name);
        if (it == m_variables.end()) {
            if (m_options.strict) {
                m_diagnostics.add(
                    u"Undefined -var variable"_s,
                    u"A %1 variable was passed in the command line but was not found in known "
                    "variables. To declare variable %1, place this block in your job file"_s.arg(quoted(name)));
            }
            continue;
        }
        Variable &v = it->second;
        const QString fakeFile = u"<value for var.%1 from arguments>"_s.arg(name);
        Value value;
        hcl::SourceRange range;
        if (!v.typed || v.type.isPrimitiveLiteral()) {
            value = Value::string(text);
        } else {
            Result<hcl::ExpressionPtr> expr = hcl::Parser::parseExpression(text.toUtf8(), fakeFile);
            if (!expr) {
                m_diagnostics.addPositioned(expr.error().message);
                continue;
            }
            hcl::SyntaxFile file;
            file.fileName = fakeFile;
            file.source = text.toUtf8();
            std::optional<Value> v2 = evaluateConstant(**expr, file);
            if (!v2)
                continue;
            value = *v2;
            range = (*expr)->range;
        }
        if (v.typed) {
            Result<Value> converted = v.type.convert(value);
            if (!converted) {
                error(fakeFile, range.start, u"Invalid argument value for -var variable"_s,
                      u"The received arg value for %1 is not compatible with the variable's type constraint: %2."_s.arg(
                          name, converted.error().message));
                continue;
            }
            value = *converted;
        }
        v.values.append({u"cmd"_s, value, fakeFile, range});
    }
}

void JobspecRead::checkVariableValues()
{
    // types.variables.go Variable.Value and validateValue.
    for (const QString &name : m_variableOrder) {
        const Variable &v = m_variables.at(name);
        if (v.values.isEmpty()) {
            error(m_file.fileName, v.range.start, u"Unset variable %1"_s.arg(quoted(name)),
                  u"A used variable must be set or have a default value; see "
                  "https://www.nomadproject.io/docs/job-specification/hcl2/variables for details."_s);
            continue;
        }
        const Assignment &used = v.values.last();
        for (const Validation &rule : v.validations) {
            hcl::EvalContext ctx;
            ctx.variables.insert(u"var"_s, Value::object({{name, used.value}}));
            ctx.functionsEnabled = true;
            Result<Value> result = hcl::Evaluator::evaluate(*rule.condition, ctx, m_file);
            if (!result) {
                m_diagnostics.addPositioned(result.error().message);
                continue;
            }
            QString problem;
            std::optional<bool> ok;
            if (!result->isNull())
                ok = boolOf(*result, &problem);
            if (!ok) {
                error(m_file.fileName, rule.condition->range.start, u"Invalid variable validation result"_s,
                      result->isNull()
                          ? u"Validation condition expression must return either true or false, not null."_s
                          : u"Invalid validation condition result value: %1."_s.arg(problem));
                continue;
            }
            if (!*ok) {
                error(used.fileName, used.range.start, u"Invalid value for %1 variable"_s.arg(used.from),
                      u"%1\n\nThis was checked by the validation rule at %2."_s.arg(
                          rule.errorMessage, hcl::describe(m_file.fileName, rule.range.start)));
            }
        }
    }
}

hcl::EvalContext JobspecRead::context() const
{
    // types.config.go jobConfig.EvalContext: `var` and `local`, the
    // functions, and every other root kept as the text "${…}".
    Value::Object vars;
    for (const auto &[name, v] : m_variables) {
        if (!v.values.isEmpty())
            vars.insert(name, v.values.last().value);
    }
    hcl::EvalContext ctx;
    ctx.variables.insert(u"var"_s, Value::object(vars));
    ctx.variables.insert(u"local"_s, Value::object(m_locals));
    ctx.functionsEnabled = true;
    ctx.keepUnknownReferences = true;
    return ctx;
}

void JobspecRead::evaluateLocals(const QList<const hcl::Attribute *> &locals)
{
    // jobspec2 retries locals until they all evaluate (a cycle fails after
    // 100 rounds with whatever error the last try gave); evaluating them in
    // dependency order gives the same values and names a cycle as one.
    QHash<QString, const hcl::Attribute *> byName;
    for (const hcl::Attribute *a : locals)
        byName.insert(a->name, a);
    QHash<QString, QStringList> dependencies;
    for (const hcl::Attribute *a : locals) {
        QStringList deps;
        forEachTraversal(a->expr.get(), [&](const hcl::ScopeTraversal &t) {
            const QString name = firstStep(t);
            if (t.root == u"local" && byName.contains(name) && !deps.contains(name))
                deps.append(name);
        });
        dependencies.insert(a->name, deps);
    }

    enum class State { Unvisited, Visiting, Done, Failed };
    QHash<QString, State> state;
    QStringList path;
    std::function<bool(const QString &)> visit = [&](const QString &name) -> bool {
        switch (state.value(name, State::Unvisited)) {
        case State::Done: return true;
        case State::Failed: return false;
        case State::Visiting: {
            const qsizetype start = path.indexOf(name);
            QStringList cycle = path.mid(start);
            cycle.append(name);
            for (QString &step : cycle)
                step.prepend(u"local."_s);
            const hcl::Attribute *a = byName.value(name);
            error(m_file.fileName, a->nameRange.start, u"Cycle in locals"_s,
                  u"%1 refers to itself: %2."_s.arg(u"local."_s + name, cycle.join(u" → "_s)));
            return false;
        }
        case State::Unvisited: break;
        }
        state.insert(name, State::Visiting);
        path.append(name);
        bool ok = true;
        for (const QString &dep : dependencies.value(name))
            ok = visit(dep) && ok;
        path.removeLast();
        if (!ok) {
            state.insert(name, State::Failed);
            return false;
        }
        const hcl::EvalContext ctx = context();
        Result<Value> value = hcl::Evaluator::evaluate(*byName.value(name)->expr, ctx, m_file);
        if (!value) {
            m_diagnostics.addPositioned(value.error().message);
            state.insert(name, State::Failed);
            return false;
        }
        m_locals.insert(name, *value);
        state.insert(name, State::Done);
        return true;
    };
    for (const hcl::Attribute *a : locals)
        visit(a->name);
}

Result<QJsonObject> JobspecRead::run()
{
    const QString &fileName = m_options.fileName;
    for (const char c : std::as_const(m_source)) {
        if (c == ' ')
            continue;
        if (c == '{') {
            // jobspec2/parse.go isJSON: HCL's JSON syntax.
            return fail(Error::Code::Unsupported, hcl::describe(fileName, {})
                                                      + u": JSON jobspecs (HCL's JSON syntax) are not supported; "
                                                        "send a JSON job to the API instead"_s);
        }
        break;
    }
    Result<hcl::SyntaxFile> parsed = hcl::Parser::parseFile(m_source, fileName);
    if (!parsed)
        return fail(Error::Code::Parse, parsed.error().message);
    m_file = *parsed;

    // types.config.go jobConfigSchema: the file holds variables, locals and
    // one job, nothing else.
    static const QStringList topLevel{u"job"_s, u"locals"_s, u"variable"_s, u"variables"_s};
    for (const hcl::Attribute &a : m_file.body.attributes) {
        error(fileName, a.nameRange.start, u"Unsupported argument"_s,
              u"An argument named %1 is not expected here; expected blocks: %2."_s.arg(quoted(a.name),
                                                                                       topLevel.join(u", "_s)));
    }
    const hcl::Block *jobBlock = nullptr;
    for (const hcl::Block &b : m_file.body.blocks) {
        if (!topLevel.contains(b.type)) {
            const QString close = suggestion(b.type, topLevel);
            error(fileName, b.typeRange.start, u"Unsupported block type"_s,
                  u"Blocks of type %1 are not expected here"_s.arg(quoted(b.type))
                      + (close.isEmpty() ? u"; expected one of: "_s + topLevel.join(u", "_s) + u'.'
                                         : u". Did you mean %1?"_s.arg(quoted(close))));
        } else if (b.type == u"job") {
            if (b.labels.size() != 1) {
                error(fileName, b.typeRange.start, u"Missing name for job"_s,
                      u"All job blocks must have 1 labels (name)."_s);
            } else if (jobBlock) {
                error(fileName, b.typeRange.start, u"Duplicate job block"_s,
                      u"Only one block of type \"job\" is allowed. Previous definition was at %1."_s.arg(
                          hcl::describe(fileName, jobBlock->typeRange.start)));
            } else {
                jobBlock = &b;
            }
        } else if ((b.type == u"locals" || b.type == u"variables") && !b.labels.isEmpty()) {
            error(fileName, b.labelRanges.first().start, u"Extraneous label for "_s + b.type,
                  u"No labels are expected for %1 blocks."_s.arg(b.type));
        }
    }
    if (!m_diagnostics.isEmpty())
        return fail(Error::Code::Invalid, m_diagnostics.text());

    // Variables, then locals (which may use them), then the values given
    // from outside: types.config.go decodeBody.
    QList<const hcl::Attribute *> locals;
    QHash<QString, const hcl::Attribute *> localNames;
    for (const hcl::Block &b : m_file.body.blocks) {
        if (b.type == u"variable")
            declareVariable(b);
        else if (b.type == u"variables")
            declareVariables(b);
    }
    for (const hcl::Block &b : m_file.body.blocks) {
        if (b.type != u"locals")
            continue;
        for (const hcl::Block &nested : b.body.blocks) {
            error(fileName, nested.typeRange.start, u"Unexpected %1 block"_s.arg(quoted(nested.type)),
                  u"Blocks are not allowed here."_s);
        }
        for (const hcl::Attribute &a : b.body.attributes) {
            if (const hcl::Attribute *previous = localNames.value(a.name)) {
                error(fileName, a.nameRange.start, u"Duplicate value in locals"_s,
                      u"Duplicate %1 definition found (the first at %2)."_s.arg(
                          a.name, hcl::describe(fileName, previous->nameRange.start)));
                continue;
            }
            localNames.insert(a.name, &a);
            locals.append(&a);
        }
    }
    readVariableFile();
    readVariableFlags();
    checkVariableValues();
    // Stop here when a variable is wrong: the job would only add errors
    // about the values it could not use.
    if (!m_diagnostics.isEmpty())
        return fail(Error::Code::Invalid, m_diagnostics.text());
    evaluateLocals(locals);
    if (!m_diagnostics.isEmpty())
        return fail(Error::Code::Invalid, m_diagnostics.text());

    if (!jobBlock)
        return fail(Error::Code::Invalid,
                    hcl::describe(fileName, {}) + u": Missing job block; A job block is required"_s);

    const hcl::EvalContext ctx = context();
    Decoder decoder(m_file, ctx, m_diagnostics);
    const QString jobId = jobBlock->labels.first();
    QJsonObject job = decoder.decode(jobBlock->body, jobspec::jobSpec(), u"job "_s + quoted(jobId));
    if (!m_diagnostics.isEmpty())
        return fail(Error::Code::Invalid, m_diagnostics.text());
    return normalizeJob(job, jobId);
}

} // namespace

Result<QJsonObject> JobspecReader::read(const QByteArray &source, const Options &options)
{
    JobspecRead reading(source, options);
    return reading.run();
}

} // namespace mesh::nomad
