#pragma once

#include "core/result.h"

#include <QHash>
#include <QList>
#include <QString>

namespace mesh::generate {

enum class ArtifactKind { Json, Hcl, Shell, Ruby, Markdown };

// One generated file: its path relative to the output directory
// ("nomad/counter.nomad.hcl"), what language it is, and its text.
struct Artifact
{
    QString path;
    ArtifactKind kind = ArtifactKind::Json;
    QString text;
    bool executable = false; // scripts get 0755 when written
};

// Every file one design means, in the order added. Built by the generators,
// shown by the GUI, written by `meshpad generate`, compared by tests.
// add() and find() take constant time, so a design of 150,000 services
// (600,000 files) is not quadratic to build.
class ArtifactSet final
{
public:
    // Precondition: no artifact with the same path was added before.
    void add(Artifact artifact);
    const QList<Artifact> &artifacts() const { return m_artifacts; }
    // The artifact at exactly `path`, or null.
    const Artifact *find(QStringView path) const;
    QStringList paths() const;

    // Writes every artifact under `directory` (created if needed; the path
    // itself may be or pass through a link, see OutputDirectory), each file
    // atomically (temporary file + rename) with 0644, or 0755 if executable.
    // Never follows or replaces a symbolic link inside `directory`.
    //
    // Everything that can be known up front is checked before the first
    // byte is written, and refused with the path and the reason: a path that
    // is absolute, has "..", "." or empty components; two paths that differ
    // only in case or Unicode normalization (one file on macOS or Windows); a
    // link, or a non-directory, where a directory goes; a link, directory or
    // other non-file where a file goes. A failure while writing (a full disk,
    // a link that appeared meanwhile) stops at that file; files before it
    // are written, none after. On success everything is durable (synced).
    Result<> writeTo(const QString &directory) const;

private:
    QList<Artifact> m_artifacts;
    QHash<QString, qsizetype> m_index; // path -> position in m_artifacts
};

} // namespace mesh::generate
