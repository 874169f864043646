#include "pki/certificatebuilder.h"

namespace mesh::pki {

Result<IssuedCertificate> CertificateBuilder::build() const
{
    return fail(Error::Code::Internal, QStringLiteral("CertificateBuilder: not implemented yet"));
}

} // namespace mesh::pki
