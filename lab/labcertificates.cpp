#include "labcertificates.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace mesh::lab {

QString LabCertificates::defaultDirectory()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("lab-ca"));
}

Result<pki::CertificateAuthority> LabCertificates::openOrCreate(const QString &dir, const QString &datacenter)
{
    const QDir directory(dir);
    const bool hasRoot = QFileInfo::exists(directory.filePath(QStringLiteral("ca.pem")));
    const bool hasKey = QFileInfo::exists(directory.filePath(QStringLiteral("ca-key.pem")));
    if (hasRoot || hasKey) {
        Result<pki::CertificateAuthority> loaded = pki::CertificateAuthority::load(dir, datacenter);
        if (!loaded)
            return fail(loaded.error().code, QStringLiteral("the lab CA in %1 cannot be used: %2 "
                                                            "(move the directory away to start with a new CA)")
                                                 .arg(QDir::toNativeSeparators(dir), loaded.error().message));
        return loaded;
    }
    Result<pki::CertificateAuthority> created = pki::CertificateAuthority::create(QString(), datacenter);
    if (!created)
        return std::unexpected(created.error());
    if (Result<> saved = created->save(dir); !saved)
        return fail(saved.error().code, QStringLiteral("cannot save the lab CA: %1").arg(saved.error().message));
    return created;
}

} // namespace mesh::lab
