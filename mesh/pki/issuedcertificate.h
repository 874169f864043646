#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

namespace mesh::pki {

// A certificate with its private key, as Consul's `IssuedCert` carries it
// (hashicorp/consul: agent/structs/connect_ca.go): the leaf, then the
// intermediates that lead to a root.
struct IssuedCertificate final
{
    QSslCertificate certificate;
    QList<QSslCertificate> chain; // intermediates after the leaf, root excluded; may be empty
    QSslKey privateKey;

    // The leaf then the chain, PEM, as Consul's CertPEM.
    QByteArray certificatePem() const;
    // "-----BEGIN EC PRIVATE KEY-----" for EC keys (as Consul's PrivateKeyPEM).
    QByteArray privateKeyPem() const;
    // Lower-case colon hex ("0a:1b:…"), what Consul's authorize expects.
    QString serialColonHex() const;
};

} // namespace mesh::pki
