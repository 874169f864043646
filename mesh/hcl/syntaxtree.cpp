#include "hcl/syntaxtree.h"

using namespace Qt::StringLiterals;

namespace mesh::hcl {

QString operatorSymbol(Operator op)
{
    switch (op) {
    case Operator::Multiply: return u"*"_s;
    case Operator::Divide: return u"/"_s;
    case Operator::Modulo: return u"%"_s;
    case Operator::Add: return u"+"_s;
    case Operator::Subtract:
    case Operator::Negate: return u"-"_s;
    case Operator::GreaterThan: return u">"_s;
    case Operator::GreaterThanOrEqual: return u">="_s;
    case Operator::LessThan: return u"<"_s;
    case Operator::LessThanOrEqual: return u"<="_s;
    case Operator::Equal: return u"=="_s;
    case Operator::NotEqual: return u"!="_s;
    case Operator::And: return u"&&"_s;
    case Operator::Or: return u"||"_s;
    case Operator::Not: return u"!"_s;
    }
    return {};
}

} // namespace mesh::hcl
