#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace mesh::pki {

// A Consul service identity (hashicorp/consul: agent/connect/uri_service.go):
//   spiffe://<trust-domain>[/ap/<partition>]/ns/<namespace>/dc/<datacenter>/svc/<service>
// A plain value. Equality is exact, field by field: `svc/web` never equals
// `svc/web-admin`, and trust domains compare as written (they are lower case
// after parse()).
struct SpiffeId final
{
    QString trustDomain; // e.g. 7f42f496-fbc7-8692-05ed-334aa5340c1e.consul
    QString ns = QStringLiteral("default");
    QString datacenter;
    QString service;
    std::optional<QString> partition; // only for a non-default admin partition

    static constexpr qsizetype kMaxLength = 2048;

    // Accepts exactly Consul's service pattern
    //   ^spiffe://<td>(?:/ap/([^/]+))?/ns/([^/]+)/dc/([^/]+)/svc/([^/]+)$
    // and nothing else: no query, fragment, userinfo or port; no empty
    // segment, trailing slash, `.`/`..` segment or `%`; scheme and trust
    // domain in lower case only; ASCII only; at most kMaxLength characters.
    static std::optional<SpiffeId> parse(QStringView uri);

    // The identity Consul gives `service` in `datacenter`: namespace
    // "default", no partition. No validation (see isValidName()).
    static SpiffeId forService(const QString &trustDomain, const QString &datacenter, const QString &service);

    // A DNS-style host name: labels of [a-z0-9-], not starting or ending with
    // '-', 1–63 characters each, at most 253 in all, at least one label.
    static bool isValidTrustDomain(QStringView trustDomain);

    // What parse() accepts as a namespace, partition, datacenter or service
    // segment: 1–255 of [A-Za-z0-9_.-], not "." or "..".
    static bool isValidSegment(QStringView segment);

    // `spiffe://<td>`: the CA's (signing) ID, placed in the root's URI SAN.
    static QString trustDomainUri(QStringView trustDomain);

    QString toString() const;

    friend bool operator==(const SpiffeId &, const SpiffeId &) = default;
};

} // namespace mesh::pki
