#pragma once

#include "core/result.h"

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
    bool executable = false;  // scripts get 0755 when written
};

// Every file one design means, in a stable order. Built by the generators,
// shown by the GUI, written by `meshpad generate`, compared by tests.
class ArtifactSet final
{
public:
    void add(Artifact artifact);
    const QList<Artifact> &artifacts() const { return m_artifacts; }
    const Artifact *find(QStringView path) const;
    QStringList paths() const;

    // Writes every artifact under `directory` (created if needed), each file
    // atomically. Stops at the first failure and says which file.
    Result<> writeTo(const QString &directory) const;

private:
    QList<Artifact> m_artifacts;
};

} // namespace mesh::generate
