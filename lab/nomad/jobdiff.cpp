#include "jobdiff.h"

#include <QJsonArray>
#include <QMap>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace mesh::lab::nomad {

namespace {

using Flat = QMap<QString, QString>;

const QString kNone = u"None"_s;
const QString kAdded = u"Added"_s;
const QString kDeleted = u"Deleted"_s;
const QString kEdited = u"Edited"_s;

// Maps of primitives that flatten into their owner's fields as `Key[k]`.
bool isPrimitiveMap(const QString &key)
{
    return key == u"Meta" || key == u"Env";
}

// fmt's %v of a primitive, as flatmap.Flatten writes it.
QString primitiveText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        return QString::number(d, 'g', 17);
    }
    case QJsonValue::String: return v.toString();
    default: return {};
    }
}

bool isPrimitive(const QJsonValue &v)
{
    return v.isBool() || v.isDouble() || v.isString();
}

Flat flattenPrimitives(const QJsonObject &object, const QSet<QString> &filter)
{
    Flat out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (filter.contains(it.key()))
            continue;
        if (isPrimitive(it.value())) {
            out.insert(it.key(), primitiveText(it.value()));
        } else if (it.value().isObject() && isPrimitiveMap(it.key())) {
            const QJsonObject map = it.value().toObject();
            for (auto m = map.begin(); m != map.end(); ++m)
                out.insert(it.key() + u'[' + m.key() + u']', primitiveText(m.value()));
        }
    }
    return out;
}

// Config maps flatten all the way down: `args[0]`, `mount[0].source`.
void flattenAll(const QJsonValue &value, const QString &prefix, Flat &out)
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            flattenAll(it.value(), prefix.isEmpty() ? it.key() : prefix + u'.' + it.key(), out);
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            flattenAll(a.at(i), prefix + u'[' + QString::number(i) + u']', out);
    } else if (isPrimitive(value)) {
        out.insert(prefix, primitiveText(value));
    }
}

// diff.go fieldDiffs/fieldDiff: equal values only with `contextual`;
// an empty old value is Added, an empty new one Deleted.
QJsonArray fieldDiffs(const Flat &oldFlat, const Flat &newFlat, bool contextual)
{
    QStringList keys = oldFlat.keys() + newFlat.keys();
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    QJsonArray out;
    for (const QString &key : keys) {
        const QString o = oldFlat.value(key);
        const QString n = newFlat.value(key);
        QString type;
        if (o == n) {
            if (!contextual)
                continue;
            type = kNone;
        } else if (o.isEmpty()) {
            type = kAdded;
        } else if (n.isEmpty()) {
            type = kDeleted;
        } else {
            type = kEdited;
        }
        out.append(QJsonObject{
            {u"Type"_s, type}, {u"Name"_s, key}, {u"Old"_s, o}, {u"New"_s, n}, {u"Annotations"_s, QJsonValue::Null}});
    }
    return out;
}

// The type an object takes from its fields and children (diff.go
// primitiveObjectDiff): nothing changed -> no diff at all.
QString typeFrom(const QJsonArray &fields, const QJsonArray &objects)
{
    bool added = false, deleted = false, edited = false;
    for (const QJsonValue &v : fields) {
        const QString t = v.toObject().value(u"Type").toString();
        added |= t == kAdded;
        deleted |= t == kDeleted;
        edited |= t == kEdited;
    }
    for (const QJsonValue &v : objects) {
        const QString t = v.toObject().value(u"Type").toString();
        added |= t == kAdded;
        deleted |= t == kDeleted;
        edited |= t == kEdited;
    }
    if (edited || (added && deleted))
        return kEdited;
    if (added)
        return kAdded;
    if (deleted)
        return kDeleted;
    return {};
}

QString objectName(const QString &key)
{
    static const QHash<QString, QString> names{
        {u"Connect"_s, u"ConsulConnect"_s},     {u"Proxy"_s, u"ConsulProxy"_s},
        {u"Upstreams"_s, u"ConsulUpstreams"_s}, {u"Checks"_s, u"Check"_s},
        {u"Expose"_s, u"ConsulExposeConfig"_s}, {u"Lifecycle"_s, u"TaskLifecycle"_s},
        {u"Constraints"_s, u"Constraint"_s},    {u"Affinities"_s, u"Affinity"_s},
        {u"Services"_s, u"Service"_s},          {u"Networks"_s, u"Network"_s},
        {u"DynamicPorts"_s, u"Dynamic Port"_s}, {u"ReservedPorts"_s, u"Static Port"_s},
        {u"Templates"_s, u"Template"_s},        {u"Artifacts"_s, u"Artifact"_s},
        {u"MeshGateway"_s, u"MeshGateway"_s},   {u"DNS"_s, u"DNS"_s},
    };
    return names.value(key, key);
}

QString identity(const QJsonObject &o, qsizetype index)
{
    for (const char16_t *key : {u"Name", u"Label", u"DestinationName", u"LTarget"}) {
        if (o.contains(QStringView(key)))
            return o.value(QStringView(key)).toString();
    }
    return QString::number(index);
}

QJsonObject objectDiff(const QString &name, const QJsonObject &oldObject, const QJsonObject &newObject, bool oldExists,
                       bool newExists, const QSet<QString> &filter);

// A string list compared as a set (diff.go stringSetDiff).
QJsonObject stringSetDiff(const QString &name, const QJsonArray &oldList, const QJsonArray &newList, bool contextual)
{
    QSet<QString> o, n;
    for (const QJsonValue &v : oldList)
        o.insert(v.toString());
    for (const QJsonValue &v : newList)
        n.insert(v.toString());
    QStringList all = QStringList(o.begin(), o.end()) + QStringList(n.begin(), n.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    QJsonArray fields;
    bool added = false, deleted = false;
    for (const QString &s : all) {
        if (o.contains(s) && n.contains(s)) {
            if (contextual)
                fields.append(QJsonObject{{u"Type"_s, kNone},
                                          {u"Name"_s, name},
                                          {u"Old"_s, s},
                                          {u"New"_s, s},
                                          {u"Annotations"_s, QJsonValue::Null}});
        } else if (n.contains(s)) {
            added = true;
            fields.append(QJsonObject{{u"Type"_s, kAdded},
                                      {u"Name"_s, name},
                                      {u"Old"_s, QString()},
                                      {u"New"_s, s},
                                      {u"Annotations"_s, QJsonValue::Null}});
        } else {
            deleted = true;
            fields.append(QJsonObject{{u"Type"_s, kDeleted},
                                      {u"Name"_s, name},
                                      {u"Old"_s, s},
                                      {u"New"_s, QString()},
                                      {u"Annotations"_s, QJsonValue::Null}});
        }
    }
    const QString type = added && deleted ? kEdited : added ? kAdded : deleted ? kDeleted : kNone;
    return {{u"Type"_s, type}, {u"Name"_s, name}, {u"Fields"_s, fields}, {u"Objects"_s, QJsonValue::Null}};
}

void sortByName(QJsonArray &array)
{
    QList<QJsonValue> items(array.begin(), array.end());
    std::stable_sort(items.begin(), items.end(), [](const QJsonValue &a, const QJsonValue &b) {
        return a.toObject().value(u"Name").toString() < b.toObject().value(u"Name").toString();
    });
    array = QJsonArray();
    for (const QJsonValue &v : items)
        array.append(v);
}

// Child ObjectDiffs of every nested block of `o`/`n` (keys not filtered and
// not primitive maps).
QJsonArray childDiffs(const QJsonObject &o, const QJsonObject &n, const QSet<QString> &filter)
{
    QStringList keys = o.keys() + n.keys();
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    QJsonArray out;
    for (const QString &key : keys) {
        if (filter.contains(key) || isPrimitiveMap(key))
            continue;
        const QJsonValue ov = o.value(key);
        const QJsonValue nv = n.value(key);
        if (key == u"Config" && (ov.isObject() || nv.isObject())) {
            // Driver and proxy config: one "Config" object of flattened keys.
            Flat of, nf;
            flattenAll(ov, {}, of);
            flattenAll(nv, {}, nf);
            const QJsonArray fields = fieldDiffs(of, nf, true);
            const QString type = typeFrom(fields, {});
            if (!type.isEmpty())
                out.append(QJsonObject{{u"Type"_s, type},
                                       {u"Name"_s, u"Config"_s},
                                       {u"Fields"_s, fields},
                                       {u"Objects"_s, QJsonValue::Null}});
            continue;
        }
        if (ov.isObject() || nv.isObject()) {
            const QJsonObject d
                = objectDiff(objectName(key), ov.toObject(), nv.toObject(), ov.isObject(), nv.isObject(),
                             key == u"Update" ? QSet<QString>{u"Stagger"_s} : QSet<QString>{});
            if (!d.isEmpty())
                out.append(d);
            continue;
        }
        if (!ov.isArray() && !nv.isArray())
            continue;
        const QJsonArray oa = ov.toArray();
        const QJsonArray na = nv.toArray();
        const bool objects = std::any_of(oa.begin(), oa.end(), [](const QJsonValue &v) { return v.isObject(); })
                             || std::any_of(na.begin(), na.end(), [](const QJsonValue &v) { return v.isObject(); });
        if (!objects) {
            if (oa.isEmpty() && na.isEmpty())
                continue;
            const QJsonObject d = stringSetDiff(key, oa, na, true);
            if (d.value(u"Type").toString() != kNone)
                out.append(d);
            continue;
        }
        QMap<QString, QJsonObject> om, nm;
        for (qsizetype i = 0; i < oa.size(); ++i)
            om.insert(identity(oa.at(i).toObject(), i), oa.at(i).toObject());
        for (qsizetype i = 0; i < na.size(); ++i)
            nm.insert(identity(na.at(i).toObject(), i), na.at(i).toObject());
        QStringList ids = om.keys() + nm.keys();
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        // Dynamic ports never compare their Value (the scheduler picks it).
        const QSet<QString> childFilter = key == u"DynamicPorts" ? QSet<QString>{u"Value"_s} : QSet<QString>{};
        for (const QString &id : ids) {
            const QJsonObject d = objectDiff(objectName(key), om.value(id), nm.value(id), om.contains(id),
                                             nm.contains(id), childFilter);
            if (!d.isEmpty())
                out.append(d);
        }
    }
    sortByName(out);
    return out;
}

// An ObjectDiff, or an empty object when nothing changed.
QJsonObject objectDiff(const QString &name, const QJsonObject &oldObject, const QJsonObject &newObject, bool oldExists,
                       bool newExists, const QSet<QString> &filter)
{
    if (oldExists && newExists && oldObject == newObject)
        return {};
    if (!oldExists && !newExists)
        return {};
    const QJsonArray fields
        = fieldDiffs(flattenPrimitives(oldObject, filter), flattenPrimitives(newObject, filter), true);
    const QJsonArray objects = childDiffs(oldObject, newObject, filter);
    QString type = !oldExists ? kAdded : !newExists ? kDeleted : typeFrom(fields, objects);
    if (type.isEmpty())
        return {};
    return {{u"Type"_s, type},
            {u"Name"_s, name},
            {u"Fields"_s, fields.isEmpty() ? QJsonValue::Null : QJsonValue(fields)},
            {u"Objects"_s, objects.isEmpty() ? QJsonValue::Null : QJsonValue(objects)}};
}

QString typeOf(bool oldExists, bool newExists, bool equal)
{
    if (!oldExists)
        return kAdded;
    if (!newExists)
        return kDeleted;
    return equal ? kNone : kEdited;
}

QJsonObject taskDiff(const QJsonObject &o, const QJsonObject &n, bool oldExists, bool newExists)
{
    const QSet<QString> filter{u"Name"_s, u"Config"_s};
    QJsonObject out{{u"Type"_s, typeOf(oldExists, newExists, o == n)},
                    {u"Name"_s, (newExists ? n : o).value(u"Name").toString()},
                    {u"Fields"_s, fieldDiffs(flattenPrimitives(o, filter), flattenPrimitives(n, filter), false)},
                    {u"Objects"_s, childDiffs(o, n, {u"Name"_s})},
                    {u"Annotations"_s, QJsonValue::Null}};
    return out;
}

QJsonObject groupDiff(const QJsonObject &o, const QJsonObject &n, bool oldExists, bool newExists)
{
    const QSet<QString> filter{u"Name"_s};
    QMap<QString, QJsonObject> ot, nt;
    for (const QJsonValue &t : o.value(u"Tasks").toArray())
        ot.insert(t.toObject().value(u"Name").toString(), t.toObject());
    for (const QJsonValue &t : n.value(u"Tasks").toArray())
        nt.insert(t.toObject().value(u"Name").toString(), t.toObject());
    QStringList names = ot.keys() + nt.keys();
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    QJsonArray tasks;
    for (const QString &name : names)
        tasks.append(taskDiff(ot.value(name), nt.value(name), ot.contains(name), nt.contains(name)));

    return {{u"Type"_s, typeOf(oldExists, newExists, o == n)},
            {u"Name"_s, (newExists ? n : o).value(u"Name").toString()},
            {u"Fields"_s, fieldDiffs(flattenPrimitives(o, filter), flattenPrimitives(n, filter), false)},
            {u"Objects"_s, childDiffs(o, n, {u"Name"_s, u"Tasks"_s})},
            {u"Tasks"_s, tasks},
            {u"Updates"_s, QJsonValue::Null}};
}

} // namespace

QJsonObject JobDiff::diff(const QJsonObject &oldJob, const QJsonObject &newJob, const QString &jobId)
{
    const bool oldExists = !oldJob.isEmpty();
    const QSet<QString> filter{u"ID"_s,     u"Status"_s,      u"StatusDescription"_s, u"Version"_s,
                               u"Stable"_s, u"CreateIndex"_s, u"ModifyIndex"_s,       u"JobModifyIndex"_s,
                               u"Update"_s, u"SubmitTime"_s,  u"NomadTokenID"_s,      u"VaultToken"_s};
    const QJsonArray fields = fieldDiffs(flattenPrimitives(oldJob, filter), flattenPrimitives(newJob, filter), false);

    QJsonArray objects;
    const QJsonObject dcs = stringSetDiff(u"Datacenters"_s, oldJob.value(u"Datacenters").toArray(),
                                          newJob.value(u"Datacenters").toArray(), true);
    if (dcs.value(u"Type").toString() != kNone)
        objects.append(dcs);
    for (const QJsonValue &d : childDiffs(oldJob, newJob, filter + QSet<QString>{u"TaskGroups"_s, u"Datacenters"_s}))
        objects.append(d);

    QMap<QString, QJsonObject> og, ng;
    for (const QJsonValue &g : oldJob.value(u"TaskGroups").toArray())
        og.insert(g.toObject().value(u"Name").toString(), g.toObject());
    for (const QJsonValue &g : newJob.value(u"TaskGroups").toArray())
        ng.insert(g.toObject().value(u"Name").toString(), g.toObject());
    QStringList names = og.keys() + ng.keys();
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    QJsonArray groups;
    for (const QString &name : names)
        groups.append(groupDiff(og.value(name), ng.value(name), og.contains(name), ng.contains(name)));

    QString type = oldExists ? kNone : kAdded;
    if (type == kNone) {
        const auto changed = [](const QJsonArray &list) {
            return std::any_of(list.begin(), list.end(),
                               [](const QJsonValue &v) { return v.toObject().value(u"Type").toString() != kNone; });
        };
        if (changed(fields) || changed(objects) || changed(groups))
            type = kEdited;
    }
    return {{u"Type"_s, type},
            {u"ID"_s, jobId},
            {u"Fields"_s, fields.isEmpty() ? QJsonValue::Null : QJsonValue(fields)},
            {u"Objects"_s, objects.isEmpty() ? QJsonValue::Null : QJsonValue(objects)},
            {u"TaskGroups"_s, groups}};
}

bool JobDiff::isDestructive(const QJsonObject &groupDiff)
{
    for (const QJsonValue &t : groupDiff.value(u"Tasks").toArray()) {
        if (t.toObject().value(u"Type").toString() != kNone)
            return true;
    }
    for (const QJsonValue &o : groupDiff.value(u"Objects").toArray()) {
        const QString name = o.toObject().value(u"Name").toString();
        if ((name == u"Network" || name == u"Service") && o.toObject().value(u"Type").toString() != kNone)
            return true;
    }
    return false;
}

bool JobDiff::isInPlace(const QJsonObject &groupDiff)
{
    for (const QJsonValue &f : groupDiff.value(u"Fields").toArray()) {
        if (f.toObject().value(u"Name").toString() != u"Count" && f.toObject().value(u"Type").toString() != kNone)
            return true;
    }
    for (const QJsonValue &o : groupDiff.value(u"Objects").toArray()) {
        if (o.toObject().value(u"Type").toString() != kNone)
            return true;
    }
    return false;
}

} // namespace mesh::lab::nomad
