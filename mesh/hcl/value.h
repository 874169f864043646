#pragma once

#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>

#include <memory>
#include <optional>
#include <variant>

namespace mesh::hcl {

// A value of HCL's type system (go-cty) as far as a jobspec needs it: null,
// bool, number, string, tuple (also lists and sets) and object (also maps).
// Numbers are doubles (cty's are arbitrary-precision; jobspecs never need
// more than 2^53). Objects keep their keys sorted, as cty iterates them.
// References Nomad resolves at runtime never become values of their own:
// jobspec2 turns them into the string "${…}" (see EvalContext).
class Value
{
public:
    enum class Type { Null, Bool, Number, String, Tuple, Object };
    using Tuple = QList<Value>;
    using Object = QMap<QString, Value>;

    Value() = default; // null
    static Value null() { return {}; }
    static Value boolean(bool b);
    static Value number(double n);
    static Value string(QString s);
    // A string as cty.StringVal stores every string: in Unicode normalization
    // form C (go-cty: cty/primitive_type.go), which also joins a combining
    // mark to the letter before it when they came from different parts of a
    // template. Template text and literals are built with this.
    static Value normalizedString(QString s);
    static Value tuple(Tuple items);
    static Value object(Object members);

    Type type() const;
    bool isNull() const { return type() == Type::Null; }
    bool toBool() const;            // false unless Bool
    double toNumber() const;        // 0 unless Number
    QString toString() const;       // empty unless String
    const Tuple &toTuple() const;   // empty unless Tuple
    const Object &toObject() const; // empty unless Object

    // HCL's name of the type for messages: "null", "bool", "number",
    // "string", "tuple", "object".
    QString typeName() const;

    // cty's conversion to string, as templates and string attributes apply
    // it: a number in shortest decimal form without exponent ("1500",
    // "0.25"), a bool as "true"/"false", a string as itself. nullopt for
    // null, tuples and objects (they do not convert).
    std::optional<QString> convertToString() const;

    // The JSON form (numbers as doubles, objects as JSON objects).
    QJsonValue toJson() const;
    static Value fromJson(const QJsonValue &json);

    friend bool operator==(const Value &, const Value &);

private:
    // Tuples and objects are shared: values are copied freely while
    // evaluating, and a copy must not copy a whole subtree.
    std::variant<std::monostate, bool, double, QString, std::shared_ptr<const Tuple>, std::shared_ptr<const Object>>
        m_data;
};

} // namespace mesh::hcl
