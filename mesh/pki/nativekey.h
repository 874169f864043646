#pragma once

#include <QSslKey>

namespace mesh::pki {

// A private key handed to Qt's TLS backend through OpenSSL's own key object
// (QSslKey's native-handle constructor) rather than as PEM that Qt decodes.
//
// Why: Qt 6.4 builds an OpenSSL context for every QSslSocket and loads the
// key into each. A key Qt took from an EVP_PKEY (it keeps an EC_KEY copy,
// EVP_PKEY_get1_EC_KEY) makes that per-connection set-up markedly cheaper
// than one Qt decoded from PEM: new mTLS connections/s through the proxy
// pair went from ~242 to ~298 (bench/proxy-vs-haproxy.sh's load, 3 runs
// each), and EC group construction's share of the inbound proxy's profile
// halved. That is a measurement, not a documented guarantee of OpenSSL 3.0
// or Qt; the key material is the same either way.
class NativeKey final
{
public:
    NativeKey() = delete;

    // The same private key, loaded by Qt from an EVP_PKEY; `key` itself when
    // it cannot be converted (null, public, or unreadable), so the caller
    // always gets a usable key.
    static QSslKey from(const QSslKey &key);
};

} // namespace mesh::pki
