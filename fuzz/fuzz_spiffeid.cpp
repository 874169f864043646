// SpiffeId::parse() on arbitrary text. Besides not crashing: whatever it
// accepts prints back as exactly the text it read (one spelling per
// identity, so the proxy's exact compare is an identity compare) and is made
// only of parts the validators accept.

#include "fuzzcheck.h"

#include "pki/spiffeid.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

using fuzz::require;
using mesh::pki::SpiffeId;

namespace {

void check(const QString &text)
{
    const auto id = SpiffeId::parse(text);
    if (!id)
        return;
    require(id->toString() == text, "an accepted ID prints back as exactly the text it came from");
    const auto again = SpiffeId::parse(id->toString());
    require(again && *again == *id, "an ID parses back to itself");
    require(SpiffeId::isValidTrustDomain(id->trustDomain) && SpiffeId::isValidSegment(id->ns)
                && SpiffeId::isValidSegment(id->datacenter) && SpiffeId::isValidSegment(id->service)
                && (!id->partition || (SpiffeId::isValidSegment(*id->partition) && *id->partition != u"default")),
            "every part of an accepted ID is valid");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    // As PeerIdentity reads a URI SAN (Latin-1: each byte one character) and
    // as typed text arrives (UTF-8).
    check(QString::fromLatin1(bytes));
    check(QString::fromUtf8(bytes));
    return 0;
}
