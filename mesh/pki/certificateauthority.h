#pragma once

#include "core/result.h"
#include "pki/certificatebuilder.h"
#include "pki/issuedcertificate.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

#include <chrono>

namespace mesh::pki {

// A Connect CA in the format of Consul's built-in provider (hashicorp/consul:
// agent/connect/ca/provider_consul.go):
// one self-signed EC P-256 root carrying the URI SAN `spiffe://<td>`, which
// signs leaves directly (no intermediate). Holds the root's private key: keep
// it out of logs and error messages (nothing here ever prints it).
class CertificateAuthority final
{
public:
    static constexpr std::chrono::hours kDefaultLeafTtl{72}; // LeafCertTTL
    static constexpr std::chrono::hours kRootTtl{87600};     // RootCertTTL, 10 years
    static constexpr std::chrono::seconds kClockSkew{60};    // leaves start a minute early

    // A new root. An empty trustDomain makes `<uuid>.consul` as Consul does;
    // a given one must pass SpiffeId::isValidTrustDomain(). The datacenter
    // goes into leaf SPIFFE IDs.
    static Result<CertificateAuthority> create(const QString &trustDomain = QString(),
                                               const QString &datacenter = QStringLiteral("dc1"));

    // A leaf in Consul's format for `service` (must be a DNS label,
    // [a-z0-9-], 1–63, lower case): one URI SAN with the service SPIFFE ID,
    // no DNS SAN, EKU serverAuth+clientAuth, KeyUsage digitalSignature,
    // keyEncipherment, dataEncipherment, keyAgreement, CA:FALSE, CN
    // serviceCommonName() (`<svc>.svc.default.<first 8 of td>.consul`), valid from a minute ago for
    // `ttl` (1 h … 8760 h as Consul allows; shorter is accepted for tests).
    Result<IssuedCertificate> issueLeaf(const QString &service, std::chrono::seconds ttl = kDefaultLeafTtl) const;

    // Signs a PKCS#10 request (PEM) from a service that keeps its own key,
    // as Consul's /v1/connect/ca/sign does for an agent, without Consul's
    // trust in the request (docs/targets.md, CVE-2022-40716: Consul checked the
    // first URI SAN and signed them all). Signed only when the request's
    // self-signature verifies; its key is EC P-256 (Consul's leaf key type);
    // it asks for exactly one subjectAltName entry, a URI that
    // SpiffeId::parse() reads as a service ID in this CA's trust domain and
    // datacenter, namespace default, no partition, the service a DNS label
    // (isValidServiceName()); and it asks for neither CA:TRUE nor
    // keyCertSign/cRLSign. Refused with Error::Code::Invalid: a second URI
    // SAN, any DNS, email, IP or other SAN, no SAN (an ID only in the CN),
    // a repeated or unreadable extension, a bad signature, another key type;
    // Error::Code::Parse when `pem` holds no request, TooLarge over 64 KiB.
    // The request's subject and other extensions are ignored: the leaf is
    // exactly what issueLeaf(service, ttl) makes, on the request's public
    // key. The result's privateKey is null (the key never leaves the
    // requester); its chain is issueLeaf()'s.
    Result<IssuedCertificate> signCsr(const QByteArray &pem, std::chrono::seconds ttl = kDefaultLeafTtl) const;

    // issueLeaf()'s builder before build(), for tests that change one thing
    // (a second URI SAN, serverAuth only, expired…). No validation of `service`.
    CertificateBuilder leafBuilder(const QString &service, std::chrono::seconds ttl = kDefaultLeafTtl) const;

    QSslCertificate rootCertificate() const { return m_root.certificate; }
    // The root with its private key, for tests that sign unusual certificates.
    const IssuedCertificate &root() const { return m_root; }
    QString trustDomain() const { return m_trustDomain; }
    QString datacenter() const { return m_datacenter; }

    // Reads DIR/ca.pem (the root; the first certificate if several) and
    // DIR/ca-key.pem; checks the key matches the root and the root carries a
    // `spiffe://<td>` URI SAN. The datacenter is not stored in the files: pass it.
    static Result<CertificateAuthority> load(const QString &dir, const QString &datacenter = QStringLiteral("dc1"));
    // Writes DIR/ca.pem (0644) and DIR/ca-key.pem (0600 from its creation),
    // creating DIR if needed; each file replaced atomically.
    Result<> save(const QString &dir) const;

    // DIR/<service>.pem (leaf then chain) and DIR/<service>-key.pem (0600).
    static Result<> writeLeaf(const IssuedCertificate &leaf, const QString &dir, const QString &service);
    // What writeLeaf() wrote: the certificate, its chain and the key.
    static Result<IssuedCertificate> readLeaf(const QString &dir, const QString &service);
    // Every certificate in DIR/ca.pem: the trust store (all roots; docs/targets.md).
    static Result<QList<QSslCertificate>> readRoots(const QString &dir);

    // `<svc>.svc.<ns>.<first 8 of td>.consul` as Consul's ServiceCN makes it:
    // svc keeps only [a-z0-9] ("count-api" → "countapi"), and svc and ns are
    // shortened to keep the CN within 64 characters.
    static QString serviceCommonName(const QString &service, const QString &trustDomain,
                                     const QString &ns = QStringLiteral("default"));
    // A DNS label as Consul wants service names in certificates.
    static bool isValidServiceName(QStringView service);

private:
    CertificateAuthority() = default;

    IssuedCertificate m_root;
    QString m_trustDomain;
    QString m_datacenter;
};

} // namespace mesh::pki
