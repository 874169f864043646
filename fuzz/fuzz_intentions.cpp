// The L4 intention matcher with fuzzed allow and deny sets, default and
// source. Names come from a few that collide (and "*") or are arbitrary. The
// decision must follow Consul's precedence, stated here independently of
// IntentionAuthorizer's code: a deny naming the source always wins; an allow
// naming it beats a "*" deny; otherwise a "*" deny, then a "*" allow, then the
// default; and the reason names the outcome.

#include "fuzzcheck.h"

#include "proxy/intentionauthorizer.h"

#include <QSet>
#include <QString>

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <iterator>

using fuzz::require;
using mesh::pki::SpiffeId;
using mesh::proxy::IntentionAuthorizer;

namespace {

QString name(FuzzedDataProvider &in)
{
    static const char *const kNames[] = {"*", "web", "db", "web-admin", "Web", "web ", "", "**"};
    if (in.ConsumeBool())
        return QString::fromLatin1(kNames[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kNames) - 1)]);
    return QString::fromStdString(in.ConsumeRandomLengthString(12));
}

QSet<QString> names(FuzzedDataProvider &in)
{
    QSet<QString> set;
    for (int n = in.ConsumeIntegralInRange(0, 6); n > 0; --n)
        set.insert(name(in));
    return set;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    FuzzedDataProvider in(data, size);
    IntentionAuthorizer authorizer;
    const QSet<QString> allowed = names(in);
    const QSet<QString> denied = names(in);
    const bool defaultAllow = in.ConsumeBool();
    authorizer.setAllowed(allowed);
    authorizer.setDenied(denied);
    authorizer.setDefaultAllow(defaultAllow);
    const QString destination = name(in);
    const SpiffeId source = SpiffeId::forService(QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul"),
                                                 QStringLiteral("dc1"), name(in));

    const auto decision = authorizer.authorize(source, destination);
    const QString any = QStringLiteral("*");
    bool expected = defaultAllow;
    if (denied.contains(source.service))
        expected = false;
    else if (allowed.contains(source.service))
        expected = true;
    else if (denied.contains(any))
        expected = false;
    else if (allowed.contains(any))
        expected = true;
    require(decision.allowed == expected, "the decision follows Consul's precedence");
    require(decision.reason.endsWith(decision.allowed ? QStringLiteral("(allow)") : QStringLiteral("(deny)")),
            "the reason names the outcome");
    return 0;
}
