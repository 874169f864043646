#pragma once

#include <QJsonObject>
#include <QString>

namespace mesh::deploy {

// How Meshpad marks what it writes to a cluster, so that a deploy knows what
// it owns, never touches what it does not, and a teardown removes exactly
// its own:
// - a Nomad job carries Meta {"meshpad.design": <design>,
//   "meshpad.version": "1"} — the version of these marks, which stays put
//   across Meshpad releases (see ownership.cpp for why);
// - a `service-intentions` config entry Meshpad creates carries the same
//   Meta; each source Meshpad writes carries them in its Description,
//   `meshpad.design=<design>; meshpad.version=<version>`, because a source
//   has no Meta of its own (hashicorp/consul: api/config_entry_intentions.go
//   SourceIntention), and one entry may hold sources of several owners.
class Ownership final
{
public:
    static QString designKey() { return QStringLiteral("meshpad.design"); }
    static QString versionKey() { return QStringLiteral("meshpad.version"); }

    // The Meta map for a job or an entry of `design`.
    static QJsonObject meta(const QString &design);
    // The design a Meta map names; empty when Meshpad did not write it.
    static QString designOf(const QJsonObject &meta);

    // The Description of an intention source of `design`.
    static QString sourceDescription(const QString &design);
    // The design an intention source (a SourceIntention object) belongs
    // to; empty when Meshpad did not write it.
    static QString designOfSource(const QJsonObject &source);
};

} // namespace mesh::deploy
