#include "artifactset.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace mesh::generate {

void ArtifactSet::add(Artifact artifact)
{
    Q_ASSERT_X(!find(artifact.path), "ArtifactSet::add", "two artifacts with one path");
    m_artifacts.append(std::move(artifact));
}

const Artifact *ArtifactSet::find(QStringView path) const
{
    for (const Artifact &a : m_artifacts) {
        if (a.path == path)
            return &a;
    }
    return nullptr;
}

QStringList ArtifactSet::paths() const
{
    QStringList out;
    out.reserve(m_artifacts.size());
    for (const Artifact &a : m_artifacts)
        out.append(a.path);
    return out;
}

Result<> ArtifactSet::writeTo(const QString &directory) const
{
    const QDir root(directory);
    for (const Artifact &a : m_artifacts) {
        const QString target = root.filePath(a.path);
        const QString parent = QFileInfo(target).absolutePath();
        if (!QDir().mkpath(parent))
            return fail(Error::Code::Io, QStringLiteral("cannot create directory %1").arg(parent));
        QSaveFile file(target);
        if (!file.open(QIODevice::WriteOnly))
            return fail(Error::Code::Io, QStringLiteral("cannot write %1: %2").arg(target, file.errorString()));
        file.write(a.text.toUtf8());
        if (!file.commit())
            return fail(Error::Code::Io, QStringLiteral("cannot write %1: %2").arg(target, file.errorString()));
        QFile::Permissions perms = QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
        if (a.executable)
            perms |= QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
        QFile::setPermissions(target, perms);
    }
    return {};
}

} // namespace mesh::generate
