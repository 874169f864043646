#pragma once

#include "pki/issuedcertificate.h"
#include "pki/spiffeid.h"

#include <QList>
#include <QObject>
#include <QSslCertificate>

namespace mesh::proxy {

// What the proxy presents and trusts: our service's leaf (with its chain and
// key, sent whole as Consul's CertPEM, hashicorp/consul: connect/tls.go), its SPIFFE ID,
// and every trusted root (all of Roots[], not only the active one; docs/targets.md).
struct Identity final
{
    pki::IssuedCertificate leaf;
    pki::SpiffeId id;
    QList<QSslCertificate> roots;

    bool isNull() const { return leaf.certificate.isNull() || roots.isEmpty(); }
};

// Where the proxy gets its identity. The lab and (later) a Consul agent
// client (blocking queries on ca/roots and ca/leaf, as hashicorp/consul:
// connect/service.go does) implement it.
// Contract: identity() is cheap and non-blocking; identityChanged() fires
// after either the leaf or the roots changed. Listeners apply the new identity
// to the next handshake; established connections keep theirs (docs/targets.md,
// Rotation).
class IdentitySource : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IdentitySource)

public:
    using QObject::QObject;
    ~IdentitySource() override;

    virtual Identity identity() const = 0;

Q_SIGNALS:
    void identityChanged();
};

} // namespace mesh::proxy
