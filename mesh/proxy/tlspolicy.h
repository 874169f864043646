#pragma once

#include "pki/refusalreason.h"
#include "proxy/identitysource.h"

#include <QList>
#include <QSsl>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslError>

namespace mesh::proxy {

// The TLS settings both listeners share and the mapping of TLS failures to
// refusal reasons (consul.md §4.1, §4.5 items 3–6, 11, 13).
class TlsPolicy final
{
public:
    // TLS 1.2 or later; TLS 1.2 suites ECDHE with AES-GCM or ChaCha20-Poly1305
    // only, plus the three TLS 1.3 suites; our leaf + chain and key; all roots
    // as the only CAs; no ALPN; no session resumption (B4: a resumed session
    // would skip chain verification, so a removed root or a revoked leaf
    // would still get in; the note in tlspolicy.cpp says how).
    static QSslConfiguration serverConfiguration(const Identity &identity);
    static QSslConfiguration clientConfiguration(const Identity &identity);

    static QList<QSslCipher> allowedCiphers();

    // The most telling reason among the verification errors Qt reports
    // (sslErrors). Order: no certificate, unknown CA, expired, not yet valid,
    // wrong purpose, anything else → handshake-failed.
    static pki::RefusalReason reasonFor(const QList<QSslError> &errors);

    // A handshake that failed without a verification error: from the alert we
    // sent (protocol_version, insufficient_security, handshake_failure with
    // no shared cipher → tls-version) else handshake-failed.
    static pki::RefusalReason reasonForAlert(QSsl::AlertType sentAlert, const QString &errorString);

    // Envoy's SNI for a destination: `<svc>.default.<dc>.internal.<td>` (§4.4).
    static QString sniName(const pki::SpiffeId &destination);
};

} // namespace mesh::proxy
