#include "pki/certificateauthority.h"

namespace mesh::pki {

namespace {
Error notYet()
{
    return Error{Error::Code::Internal, QStringLiteral("CertificateAuthority: not implemented yet")};
}
} // namespace

Result<CertificateAuthority> CertificateAuthority::create(const QString &, const QString &)
{
    return std::unexpected(notYet());
}

Result<IssuedCertificate> CertificateAuthority::issueLeaf(const QString &, std::chrono::seconds) const
{
    return std::unexpected(notYet());
}

CertificateBuilder CertificateAuthority::leafBuilder(const QString &, std::chrono::seconds) const
{
    return {};
}

Result<CertificateAuthority> CertificateAuthority::load(const QString &, const QString &)
{
    return std::unexpected(notYet());
}

Result<> CertificateAuthority::save(const QString &) const
{
    return std::unexpected(notYet());
}

Result<> CertificateAuthority::writeLeaf(const IssuedCertificate &, const QString &, const QString &)
{
    return std::unexpected(notYet());
}

Result<IssuedCertificate> CertificateAuthority::readLeaf(const QString &, const QString &)
{
    return std::unexpected(notYet());
}

Result<QList<QSslCertificate>> CertificateAuthority::readRoots(const QString &)
{
    return std::unexpected(notYet());
}

QString CertificateAuthority::serviceCommonName(const QString &service, const QString &trustDomain, const QString &ns)
{
    return service + u".svc." + ns + u'.' + trustDomain.left(8) + u".consul";
}

bool CertificateAuthority::isValidServiceName(QStringView)
{
    return false;
}

} // namespace mesh::pki
