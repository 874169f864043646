#include "pki/spiffeid.h"

#include <QList>

namespace mesh::pki {

namespace {

constexpr QStringView kScheme = u"spiffe://";

bool isLowerAlnum(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
}

} // namespace

bool SpiffeId::isValidTrustDomain(QStringView trustDomain)
{
    if (trustDomain.isEmpty() || trustDomain.size() > 253)
        return false;
    for (QStringView label : trustDomain.tokenize(u'.')) {
        if (label.isEmpty() || label.size() > 63)
            return false;
        if (label.front() == u'-' || label.back() == u'-')
            return false;
        for (QChar c : label) {
            if (!isLowerAlnum(c) && c != u'-')
                return false;
        }
    }
    return true;
}

bool SpiffeId::isValidSegment(QStringView segment)
{
    if (segment.isEmpty() || segment.size() > 255 || segment == u"." || segment == u"..")
        return false;
    for (QChar c : segment) {
        const bool ok = isLowerAlnum(c) || (c >= u'A' && c <= u'Z') || c == u'-' || c == u'_' || c == u'.';
        if (!ok)
            return false;
    }
    return true;
}

std::optional<SpiffeId> SpiffeId::parse(QStringView uri)
{
    if (uri.size() > kMaxLength || !uri.startsWith(kScheme)) // case-sensitive: no "SPIFFE://"
        return std::nullopt;
    // Consul matches the raw path against [^/]+ and would accept
    // percent-encoded segments (hashicorp/consul: agent/connect/uri.go,
    // ParseCertURI), so `svc/web%2Dadmin` and
    // `svc/web` could decode to one thing and compare as two, or `%2F` smuggle
    // a slash past the pattern. Our own CA never issues them and a Consul
    // service name never needs one, so any '%' is refused: one spelling per
    // identity, and an exact string compare is an exact identity compare.
    // isValidSegment() and isValidTrustDomain() refuse '%', '?', '#', '@',
    // ':', non-ASCII and upper case (in the host) by allowing only a small set.
    const QStringView rest = uri.mid(kScheme.size());
    const qsizetype slash = rest.indexOf(u'/');
    if (slash < 0)
        return std::nullopt; // `spiffe://<td>` is the CA's ID, not a service
    const QStringView host = rest.first(slash);
    if (!isValidTrustDomain(host))
        return std::nullopt;

    const QList<QStringView> segments = rest.mid(slash + 1).split(u'/');
    qsizetype i = 0;
    SpiffeId id;
    id.trustDomain = host.toString();
    if (segments.size() == 8) {
        // Consul writes `/ap/<p>` only for a non-default partition; refusing
        // `/ap/default` keeps one spelling per identity.
        if (segments.at(0) != u"ap" || !isValidSegment(segments.at(1)) || segments.at(1) == u"default")
            return std::nullopt;
        id.partition = segments.at(1).toString();
        i = 2;
    } else if (segments.size() != 6) {
        return std::nullopt;
    }
    if (segments.at(i) != u"ns" || segments.at(i + 2) != u"dc" || segments.at(i + 4) != u"svc")
        return std::nullopt;
    const QStringView ns = segments.at(i + 1);
    const QStringView dc = segments.at(i + 3);
    const QStringView svc = segments.at(i + 5);
    if (!isValidSegment(ns) || !isValidSegment(dc) || !isValidSegment(svc))
        return std::nullopt;
    id.ns = ns.toString();
    id.datacenter = dc.toString();
    id.service = svc.toString();
    return id;
}

SpiffeId SpiffeId::forService(const QString &trustDomain, const QString &datacenter, const QString &service)
{
    SpiffeId id;
    id.trustDomain = trustDomain;
    id.datacenter = datacenter;
    id.service = service;
    return id;
}

QString SpiffeId::trustDomainUri(QStringView trustDomain)
{
    return kScheme + trustDomain;
}

QString SpiffeId::toString() const
{
    QString path;
    if (partition)
        path += u"/ap/" + *partition;
    path += u"/ns/" + ns + u"/dc/" + datacenter + u"/svc/" + service;
    return kScheme + trustDomain + path;
}

} // namespace mesh::pki
