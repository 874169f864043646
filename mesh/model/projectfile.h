#pragma once

#include "core/result.h"
#include "topology.h"

#include <QByteArray>
#include <QString>

namespace mesh::model {

// The `*.meshpad` project file: JSON with a format name and version, keys in
// a fixed order, two-space indent, layout included — so diffs stay readable.
//
// Loading is all-or-nothing: a file that is not valid yields an Error saying
// where (line:column for malformed JSON, the field path such as
// `services[1].count` otherwise) and no Topology, so a caller's current
// design is never half-replaced. Dangling arrow ends are *not* load errors:
// they load, and the Validator reports them where the user can fix them.
class ProjectFile final
{
public:
    static constexpr int kFormatVersion = 1;
    // Far above any real design (a 1,000-service file is ~1 MB); refusing
    // before reading keeps a wrong file from eating memory.
    static constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;

    static Result<Topology> load(const QString &path);
    static Result<Topology> fromJson(const QByteArray &json);

    // Writes atomically (QSaveFile): a crash mid-save leaves the old file,
    // and so does a full disk, which fails the save with the reason.
    static Result<> save(const Topology &topology, const QString &path);
    static QString toJson(const Topology &topology);
};

} // namespace mesh::model
