#include "pki/refusalreason.h"

namespace mesh::pki {

QString toString(RefusalReason reason)
{
    switch (reason) {
    case RefusalReason::NoCertificate: return QStringLiteral("no-certificate");
    case RefusalReason::UnknownCa: return QStringLiteral("unknown-ca");
    case RefusalReason::Expired: return QStringLiteral("expired");
    case RefusalReason::NotYetValid: return QStringLiteral("not-yet-valid");
    case RefusalReason::WrongIdentity: return QStringLiteral("wrong-identity");
    case RefusalReason::BadIdentity: return QStringLiteral("bad-identity");
    case RefusalReason::WrongPurpose: return QStringLiteral("wrong-purpose");
    case RefusalReason::Denied: return QStringLiteral("denied");
    case RefusalReason::TlsVersion: return QStringLiteral("tls-version");
    case RefusalReason::HandshakeTimeout: return QStringLiteral("handshake-timeout");
    case RefusalReason::HandshakeFailed: return QStringLiteral("handshake-failed");
    }
    return QStringLiteral("handshake-failed");
}

} // namespace mesh::pki
