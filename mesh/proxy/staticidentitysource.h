#pragma once

#include "core/result.h"
#include "proxy/identitysource.h"

namespace mesh::proxy {

// An identity held in memory: given directly (tests, the lab) or read from
// the files `meshpad ca init/leaf` write. setIdentity() is how a test or the
// lab rotates leaf and roots; it emits identityChanged().
class StaticIdentitySource final : public IdentitySource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StaticIdentitySource)

public:
    explicit StaticIdentitySource(QObject *parent = nullptr);
    ~StaticIdentitySource() override;

    // The leaf's SPIFFE ID is read from its single URI SAN; a leaf without a
    // service identity is refused (Error::Code::Invalid) and nothing changes.
    Result<> setIdentity(const pki::IssuedCertificate &leaf, const QList<QSslCertificate> &roots);

    // DIR/ca.pem (all roots), DIR/<service>.pem and DIR/<service>-key.pem.
    Result<> loadFromDirectory(const QString &dir, const QString &service);

    Identity identity() const override { return m_identity; }

private:
    Identity m_identity;
};

} // namespace mesh::proxy
