#pragma once

#include "parserbatch.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace meshtest {

// Reads HCL text with HCL 1 (github.com/hashicorp/hcl v1) exactly as Consul
// loads its config and service definition files (hcl.Decode into a
// map[string]interface{}, hashicorp/consul: agent/config/config.go), through
// tests/tools/hcl1json, a Go program the test build compiles from Debian's
// golang-go and golang-github-hashicorp-hcl-dev. Test-only code.
//
// What HCL 1 decodes is raw: every block and every `{…}` value is a list of
// objects. patchSliceOfMaps() reshapes it as Consul does next.
class Hcl1Json final
{
public:
    using Parsed = ParserBatch::Parsed;

    // Empty when the helper was built; else why not and the command that
    // installs what it needs (tests QFAIL with it, never skip).
    static QString missing();

    // One run of the helper for all `texts`; the result is parallel to them.
    // If the helper itself cannot run, every entry carries that error.
    static QList<Parsed> parse(const QStringList &texts);
    static Parsed parse(const QString &text);

    // Consul's lib.PatchSliceOfMaps (hashicorp/consul: lib/patch_hcl.go), as
    // agent/config/config.go applies it after hcl.Decode: a list whose first
    // element is an object becomes that object, recursively, except at the
    // dotted paths in `skip` (compared case-insensitively), which stay lists
    // of patched elements; an empty list becomes null. Where Consul would
    // panic (more than one object at a path not in `skip`) `*error` is set.
    static QJsonObject patchSliceOfMaps(const QJsonObject &raw, const QStringList &skip, QString *error);
    // The paths Consul's config.go passes as `skip` that a service
    // definition can reach.
    static QStringList consulServiceSkipPaths();
};

} // namespace meshtest
