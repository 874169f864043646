#include "ownership.h"

using namespace Qt::StringLiterals;

namespace mesh::deploy {

namespace {

// The version of these marks, not of Meshpad: a job's Meta reaches every
// task's environment (NOMAD_META_*), so a value that changed with each
// Meshpad release would make the next deploy replace every allocation of
// every job (hashicorp/nomad: scheduler/util.go tasksUpdated compares the
// combined task meta). It changes only if the marks' meaning does.
QString version()
{
    return QStringLiteral("1");
}

constexpr QStringView kDesignPrefix = u"meshpad.design=";
constexpr QStringView kVersionSeparator = u"; meshpad.version=";

} // namespace

QJsonObject Ownership::meta(const QString &design)
{
    return {{designKey(), design}, {versionKey(), version()}};
}

QString Ownership::designOf(const QJsonObject &meta)
{
    return meta.value(designKey()).toString();
}

QString Ownership::sourceDescription(const QString &design)
{
    return kDesignPrefix + design + kVersionSeparator + version();
}

QString Ownership::designOfSource(const QJsonObject &source)
{
    const QString description = source.value(u"Description").toString();
    if (!description.startsWith(kDesignPrefix))
        return {};
    // The design name may hold anything, `;` included: the version part is
    // the last separator.
    const qsizetype end = description.lastIndexOf(kVersionSeparator);
    if (end < kDesignPrefix.size())
        return {};
    return description.mid(kDesignPrefix.size(), end - kDesignPrefix.size());
}

} // namespace mesh::deploy
