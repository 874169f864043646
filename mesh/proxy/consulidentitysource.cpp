#include "consulidentitysource.h"

#include "api/blockingwatch.h"
#include "consul/consulclient.h"
#include "proxy/staticidentitysource.h"

#include <QSslKey>

namespace mesh::proxy {

ConsulIdentitySource::ConsulIdentitySource(consul::ConsulClient *client, const QString &service, QObject *parent)
    : IdentitySource(parent)
    , m_client(client)
    , m_service(service)
    , m_current(new StaticIdentitySource(this))
{
    connect(m_current, &IdentitySource::identityChanged, this, &IdentitySource::identityChanged);
}

ConsulIdentitySource::~ConsulIdentitySource() = default;

void ConsulIdentitySource::start()
{
    if (m_rootsWatch)
        return;
    m_rootsWatch = new api::BlockingWatch(m_client->api(), consul::ConsulClient::caRootsRequest(), this);
    m_leafWatch = new api::BlockingWatch(m_client->api(), consul::ConsulClient::leafCertRequest(m_service), this);
    connect(m_rootsWatch, &api::BlockingWatch::changed, this, [this](const api::ApiResponse &response) {
        if (auto roots = m_client->decodeCaRoots(response))
            onRoots(*roots);
        else
            Q_EMIT problem(roots.error().message);
    });
    connect(m_leafWatch, &api::BlockingWatch::changed, this, [this](const api::ApiResponse &response) {
        if (auto leaf = m_client->decodeLeafCert(response))
            onLeaf(*leaf);
        else
            Q_EMIT problem(leaf.error().message);
    });
    for (api::BlockingWatch *watch : {m_rootsWatch, m_leafWatch}) {
        connect(watch, &api::BlockingWatch::failed, this,
                [this](const Error &error) { Q_EMIT problem(error.message); });
        watch->start();
    }
}

bool ConsulIdentitySource::isReady() const
{
    return m_ready;
}

Identity ConsulIdentitySource::identity() const
{
    return m_current->identity();
}

void ConsulIdentitySource::onRoots(const consul::CARoots &roots)
{
    // Every root, not only the active one: old roots stay listed while a
    // rotation is under way (https://developer.hashicorp.com/consul/api-docs/connect/ca).
    // Intermediates are never trust anchors; peers send their own chains.
    QList<QSslCertificate> trusted;
    for (const consul::CARoot &root : roots.roots)
        trusted += QSslCertificate::fromData(root.rootCertPem.toUtf8(), QSsl::Pem);
    if (trusted.isEmpty()) {
        Q_EMIT problem(QStringLiteral("the agent lists no usable CA root"));
        return;
    }
    m_roots = trusted;
    m_trustDomain = roots.trustDomain;
    apply();
}

void ConsulIdentitySource::onLeaf(const consul::LeafCert &leaf)
{
    m_leafPem = leaf.certPem.toUtf8();
    m_keyPem = leaf.privateKeyPem.toUtf8();
    apply();
}

void ConsulIdentitySource::apply()
{
    if (m_roots.isEmpty() || m_leafPem.isEmpty())
        return;
    // CertPEM is the leaf followed by its intermediates; all of it is sent
    // (https://developer.hashicorp.com/consul/api-docs/agent/connect#service-leaf-certificate).
    const QList<QSslCertificate> chain = QSslCertificate::fromData(m_leafPem, QSsl::Pem);
    const QSslKey key(m_keyPem, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty() || key.isNull()) {
        Q_EMIT problem(
            QStringLiteral("the agent's leaf for %1 is not a PEM certificate with an EC key").arg(m_service));
        return;
    }
    pki::IssuedCertificate issued;
    issued.certificate = chain.constFirst();
    issued.chain = chain.mid(1);
    issued.privateKey = key;
    if (Result<> set = m_current->setIdentity(issued, m_roots); !set) {
        Q_EMIT problem(set.error().message);
        return;
    }
    if (!m_ready) {
        m_ready = true;
        Q_EMIT ready();
    }
}

} // namespace mesh::proxy
