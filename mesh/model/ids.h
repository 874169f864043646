#pragma once

#include <QHashFunctions>
#include <QMetaType>
#include <QString>

namespace mesh::model {

// A typed identifier: a ServiceId cannot be passed where an UpstreamId is
// meant. Ids are stable strings stored in the project file; they are not
// names (renaming a service keeps its id, so undo and arrows hold on).
template<class Tag>
struct Id
{
    QString value;

    bool isNull() const { return value.isEmpty(); }
    friend bool operator==(const Id &a, const Id &b) { return a.value == b.value; }
    friend bool operator!=(const Id &a, const Id &b) { return a.value != b.value; }
    friend bool operator<(const Id &a, const Id &b) { return a.value < b.value; }
    friend size_t qHash(const Id &id, size_t seed = 0) { return qHash(id.value, seed); }
};

using ServiceId = Id<struct ServiceTag>;
using UpstreamId = Id<struct UpstreamTag>;

} // namespace mesh::model

Q_DECLARE_METATYPE(mesh::model::ServiceId)
Q_DECLARE_METATYPE(mesh::model::UpstreamId)
