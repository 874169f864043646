#include "artifactset.h"

#include "outputdirectory.h"

#include <algorithm>

namespace mesh::generate {

namespace {

// The name a case-insensitive file system sees: APFS and HFS+ (macOS) and
// NTFS (Windows) by default fold case, and macOS also treats canonically
// equivalent Unicode ("é" precomposed or e + U+0301) as one name.
// Canonical caseless matching is NFD(caseFold(NFD(x))), Unicode §3.13 D145:
// https://www.unicode.org/versions/Unicode15.0.0/ch03.pdf
QString foldedName(const QString &path)
{
    bool ascii = true;
    for (const QChar c : path) {
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii)
        return path.toCaseFolded();
    return path.normalized(QString::NormalizationForm_D).toCaseFolded().normalized(QString::NormalizationForm_D);
}

// Everything about the set that needs no file system: each path is a plain
// relative path, no two paths are one file on a case-insensitive file
// system, and no path is both a file and another file's directory.
Result<> checkPaths(const QList<Artifact> &artifacts)
{
    QHash<QString, qsizetype> files;       // folded path -> index
    QHash<QString, qsizetype> directories; // folded directory -> index of a file below it
    files.reserve(artifacts.size());
    for (qsizetype i = 0; i < artifacts.size(); ++i) {
        const QString &path = artifacts[i].path;
        if (auto ok = OutputDirectory::checkRelativePath(path); !ok)
            return ok;
        const QString folded = foldedName(path);
        if (const auto other = files.constFind(folded); other != files.constEnd()) {
            const QString &first = artifacts[*other].path;
            if (first == path)
                return fail(Error::Code::Invalid, u"refusing to write \"" + path + u"\" twice");
            return fail(Error::Code::Invalid, u"refusing to write both \"" + first + u"\" and \"" + path
                                                  + u"\": they differ only in case, and are one file on a "
                                                    u"case-insensitive file system (macOS, Windows)");
        }
        files.insert(folded, i);
        for (qsizetype slash = folded.indexOf(u'/'); slash >= 0; slash = folded.indexOf(u'/', slash + 1))
            directories.insert(folded.left(slash), i);
    }
    for (auto it = directories.constBegin(); it != directories.constEnd(); ++it) {
        if (const auto file = files.constFind(it.key()); file != files.constEnd()) {
            return fail(Error::Code::Invalid, u"refusing to write \"" + artifacts[*file].path
                                                  + u"\": it would also be the directory of \""
                                                  + artifacts[it.value()].path + u'"');
        }
    }
    return {};
}

} // namespace

void ArtifactSet::add(Artifact artifact)
{
    Q_ASSERT_X(!m_index.contains(artifact.path), "ArtifactSet::add", "two artifacts with one path");
    // Were it to happen in a release build, find() keeps the first and
    // writeTo() refuses the set.
    if (!m_index.contains(artifact.path))
        m_index.insert(artifact.path, m_artifacts.size());
    // The writers reserve ahead and grow by doubling; a set keeps hundreds
    // of thousands of texts, so one that wastes more than half its buffer
    // gives it back (a 100,000-service design held 4.4 GB of capacity for
    // 1.7 GB of text, and paid for it in page faults).
    if (artifact.text.capacity() - artifact.text.size() > std::max<qsizetype>(1024, artifact.text.size() / 2))
        artifact.text.squeeze();
    m_artifacts.append(std::move(artifact));
}

const Artifact *ArtifactSet::find(QStringView path) const
{
    // Qt 6.4's QHash<QString> has no lookup by QStringView.
    const qsizetype i = m_index.value(path.toString(), -1);
    return i < 0 ? nullptr : &m_artifacts[i];
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
    // Refusals that can be known up front come before the first write, so a
    // refused set leaves the folder as it was (only the folder itself may
    // have been created).
    if (auto ok = checkPaths(m_artifacts); !ok)
        return ok;
    auto out = OutputDirectory::open(directory);
    if (!out)
        return std::unexpected(out.error());
    for (const Artifact &a : m_artifacts) {
        if (auto ok = out->checkFile(a.path); !ok)
            return ok;
    }
    for (const Artifact &a : m_artifacts) {
        const auto mode = a.executable ? OutputDirectory::Mode::Executable : OutputDirectory::Mode::Plain;
        if (auto ok = out->writeFile(a.path, a.text.toUtf8(), mode); !ok)
            return ok;
    }
    return out->sync();
}

} // namespace mesh::generate
