#include "targetprofiles.h"

#include "core/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace mesh::deploy {

QString TargetProfiles::defaultPath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    return QDir(dir).filePath(u"meshpad/targets.json"_s);
}

Result<QList<DeployTarget>> TargetProfiles::load(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return QList<DeployTarget>();
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Code::Io, u"cannot read %1: %2"_s.arg(path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.read(1 << 20), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return fail(Error::Code::Parse,
                    u"%1 is not a targets file: %2"_s.arg(
                        path, error.error != QJsonParseError::NoError ? error.errorString() : u"expected an object"_s));
    QList<DeployTarget> out;
    for (const QJsonValue &v : document.object().value(u"targets").toArray()) {
        auto target = DeployTarget::fromProfile(v.toObject());
        if (!target)
            return fail(Error::Code::Invalid, u"%1: %2"_s.arg(path, target.error().message));
        out.append(*target);
    }
    return out;
}

Result<> TargetProfiles::save(const QList<DeployTarget> &targets, const QString &path)
{
    QJsonArray array;
    for (const DeployTarget &target : targets)
        array.append(target.toProfile());
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (Result<> written = AtomicFile::write(path, QJsonDocument(QJsonObject{{u"targets"_s, array}}).toJson());
        !written)
        return fail(Error::Code::Io, u"cannot write %1"_s.arg(written.error().message));
    return {};
}

std::optional<DeployTarget> TargetProfiles::find(const QList<DeployTarget> &targets, const QString &name)
{
    for (const DeployTarget &target : targets) {
        if (target.name == name)
            return target;
    }
    return std::nullopt;
}

} // namespace mesh::deploy
