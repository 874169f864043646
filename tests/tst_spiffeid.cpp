// SPIFFE ID parsing: exactly Consul's service pattern (hashicorp/consul:
// agent/connect/uri.go, ParseCertURI) and nothing else — the malformed IDs of
// docs/targets.md, Peer identity.

#include "pki/spiffeid.h"

#include <QTest>

using mesh::pki::SpiffeId;

namespace {
const QString kTd = QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");
const QString kWeb = u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web";
} // namespace

class TestSpiffeId : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptsServiceIds_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::addColumn<QString>("trustDomain");
        QTest::addColumn<QString>("ns");
        QTest::addColumn<QString>("dc");
        QTest::addColumn<QString>("service");
        QTest::addColumn<QString>("partition");

        QTest::newRow("consul leaf") << kWeb << kTd << "default"
                                     << "dc1"
                                     << "web" << QString();
        QTest::newRow("other namespace") << u"spiffe://" + kTd + u"/ns/team-a/dc/dc1/svc/api" << kTd << "team-a"
                                         << "dc1"
                                         << "api" << QString();
        QTest::newRow("admin partition") << u"spiffe://" + kTd + u"/ap/part1/ns/default/dc/dc2/svc/db" << kTd
                                         << "default"
                                         << "dc2"
                                         << "db"
                                         << "part1";
        QTest::newRow("short trust domain") << "spiffe://example.org/ns/default/dc/dc1/svc/web"
                                            << "example.org"
                                            << "default"
                                            << "dc1"
                                            << "web" << QString();
        QTest::newRow("underscore and dot in service")
            << u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/count_api.v2" << kTd << "default"
            << "dc1"
            << "count_api.v2" << QString();
        QTest::newRow("upper case service (case kept)")
            << u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/Web" << kTd << "default"
            << "dc1"
            << "Web" << QString();
    }
    void acceptsServiceIds()
    {
        QFETCH(QString, uri);
        const auto id = SpiffeId::parse(uri);
        QVERIFY(id);
        QTEST(id->trustDomain, "trustDomain");
        QTEST(id->ns, "ns");
        QTEST(id->datacenter, "dc");
        QTEST(id->service, "service");
        QTEST(id->partition.value_or(QString()), "partition");
        QCOMPARE(id->toString(), uri); // one spelling per identity: round trips exactly
    }

    void refusesEverythingElse_data()
    {
        QTest::addColumn<QString>("uri");
        const QString base = u"spiffe://" + kTd;

        QTest::newRow("empty") << QString();
        QTest::newRow("trust domain only (the CA's ID)") << base;
        QTest::newRow("trust domain and slash") << base + u"/";
        QTest::newRow("trailing slash") << kWeb + u"/";
        QTest::newRow("double slash") << base + u"/ns/default//dc/dc1/svc/web";
        QTest::newRow("empty service") << base + u"/ns/default/dc/dc1/svc/";
        QTest::newRow("empty namespace") << base + u"/ns//dc/dc1/svc/web";
        QTest::newRow("empty trust domain") << QStringLiteral("spiffe:///ns/default/dc/dc1/svc/web");
        QTest::newRow("missing namespace") << base + u"/dc/dc1/svc/web";
        QTest::newRow("agent id") << base + u"/agent/client/dc/dc1/id/node1";
        QTest::newRow("server id") << base + u"/agent/server/dc/dc1";
        QTest::newRow("mesh gateway id") << base + u"/gateway/mesh/dc/dc1";
        QTest::newRow("extra segment") << kWeb + u"/extra";
        QTest::newRow("keywords swapped") << base + u"/dc/dc1/ns/default/svc/web";
        QTest::newRow("keyword upper case") << base + u"/NS/default/dc/dc1/svc/web";
        QTest::newRow("query") << kWeb + u"?x=1";
        QTest::newRow("empty query") << kWeb + u"?";
        QTest::newRow("fragment") << kWeb + u"#frag";
        QTest::newRow("userinfo") << u"spiffe://admin@" + kTd + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("port") << u"spiffe://" + kTd + u":8443/ns/default/dc/dc1/svc/web";
        QTest::newRow("dot-dot service") << base + u"/ns/default/dc/dc1/svc/..";
        QTest::newRow("dot-dot climbing") << base + u"/ns/default/dc/dc1/svc/../svc/web";
        QTest::newRow("dot segment") << base + u"/ns/./dc/dc1/svc/web";
        QTest::newRow("percent-encoded slash") << base + u"/ns/default/dc/dc1/svc/web%2Fadmin";
        QTest::newRow("percent-encoded letter") << base + u"/ns/default/dc/dc1/svc/w%65b";
        QTest::newRow("percent-encoded dot-dot") << base + u"/ns/default/dc/dc1/svc/%2e%2e";
        QTest::newRow("lone percent") << base + u"/ns/default/dc/dc1/svc/web%";
        QTest::newRow("upper-case scheme") << u"SPIFFE://" + kTd + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("mixed-case scheme") << u"Spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("upper-case trust domain") << u"spiffe://" + kTd.toUpper() + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("other scheme") << u"https://" + kTd + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("no authority") << u"spiffe:" + kTd + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("leading space") << u" " + kWeb;
        QTest::newRow("trailing newline") << kWeb + u"\n";
        QTest::newRow("NUL inside") << kWeb + QChar(u'\0') + u"admin";
        QTest::newRow("non-ASCII service") << base + u"/ns/default/dc/dc1/svc/wéb";
        QTest::newRow("non-ASCII look-alike host")
            << QStringLiteral("spiffe://7f42f496-fbc7-8692-05ed-334aa5340c1е.consul"
                              "/ns/default/dc/dc1/svc/web"); // Cyrillic е
        QTest::newRow("host label starting with dash")
            << QStringLiteral("spiffe://-x.consul/ns/default/dc/dc1/svc/web");
        QTest::newRow("host empty label") << QStringLiteral("spiffe://a..consul/ns/default/dc/dc1/svc/web");
        QTest::newRow("host underscore") << QStringLiteral("spiffe://a_b.consul/ns/default/dc/dc1/svc/web");
        QTest::newRow("ap default (never written by Consul)") << base + u"/ap/default/ns/default/dc/dc1/svc/web";
        QTest::newRow("ap empty") << base + u"/ap//ns/default/dc/dc1/svc/web";
        QTest::newRow("backslash") << base + u"/ns/default/dc/dc1/svc/web\\admin";
        QTest::newRow("semicolon") << base + u"/ns/default/dc/dc1/svc/web;admin";
        QTest::newRow("longer than 2048") << base + u"/ns/default/dc/dc1/svc/" + QString(2048, u'a');
    }
    void refusesEverythingElse()
    {
        QFETCH(QString, uri);
        QCOMPARE(SpiffeId::parse(uri), std::nullopt);
    }

    // Segments stop at 255 characters, so no valid ID comes near the 2048
    // limit (which parse() checks first, before scanning anything).
    void segmentLengthLimit()
    {
        const QString prefix = u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/";
        QVERIFY(SpiffeId::parse(QString(prefix + QString(255, u'a'))));
        QVERIFY(!SpiffeId::parse(QString(prefix + QString(256, u'a'))));
        const QString longest = u"spiffe://" + kTd + u"/ap/" + QString(255, u'p') + u"/ns/" + QString(255, u'n')
                                + u"/dc/" + QString(255, u'd') + u"/svc/" + QString(255, u's');
        QVERIFY(SpiffeId::parse(longest));
        QVERIFY(longest.size() < SpiffeId::kMaxLength);
    }

    // `svc/web` and `svc/web-admin` are different identities, and no
    // comparison may be a prefix match.
    void lookAlikesAreDistinct_data()
    {
        QTest::addColumn<QString>("other");
        const QString base = u"spiffe://" + kTd;
        QTest::newRow("svc/web-admin") << base + u"/ns/default/dc/dc1/svc/web-admin";
        QTest::newRow("svc/we") << base + u"/ns/default/dc/dc1/svc/we";
        QTest::newRow("svc/Web") << base + u"/ns/default/dc/dc1/svc/Web";
        QTest::newRow("other trust domain") << QStringLiteral("spiffe://11111111-fbc7-8692-05ed-334aa5340c1e.consul"
                                                              "/ns/default/dc/dc1/svc/web");
        QTest::newRow("trust domain suffix") << u"spiffe://evil." + kTd + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("other datacenter") << base + u"/ns/default/dc/dc2/svc/web";
        QTest::newRow("other namespace") << base + u"/ns/other/dc/dc1/svc/web";
        QTest::newRow("in a partition") << base + u"/ap/p1/ns/default/dc/dc1/svc/web";
    }
    void lookAlikesAreDistinct()
    {
        QFETCH(QString, other);
        const auto web = SpiffeId::parse(kWeb);
        const auto parsed = SpiffeId::parse(other);
        QVERIFY(web);
        QVERIFY(parsed);
        QVERIFY(*parsed != *web);
        QVERIFY(parsed->toString() != web->toString());
        QCOMPARE(*web, SpiffeId::forService(kTd, QStringLiteral("dc1"), QStringLiteral("web")));
    }

    void forServiceMatchesConsul()
    {
        const SpiffeId id = SpiffeId::forService(kTd, QStringLiteral("dc1"), QStringLiteral("web"));
        QCOMPARE(id.toString(), kWeb);
        QCOMPARE(id.ns, QStringLiteral("default"));
        QCOMPARE(id.partition, std::nullopt);
        QCOMPARE(SpiffeId::parse(id.toString()), id);
        QCOMPARE(SpiffeId::trustDomainUri(kTd), u"spiffe://" + kTd);
    }

    void trustDomains_data()
    {
        QTest::addColumn<QString>("trustDomain");
        QTest::addColumn<bool>("valid");
        QTest::newRow("uuid.consul") << kTd << true;
        QTest::newRow("single label") << "consul" << true;
        QTest::newRow("example.org") << "example.org" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("upper case") << "Example.org" << false;
        QTest::newRow("trailing dot") << "example.org." << false;
        QTest::newRow("leading dot") << ".example.org" << false;
        QTest::newRow("label ends with dash") << "example-.org" << false;
        QTest::newRow("port") << "example.org:8080" << false;
        QTest::newRow("label of 64") << QString(64, u'a') + u".org" << false;
        QTest::newRow("label of 63") << QString(63, u'a') + u".org" << true;
        QTest::newRow("percent") << "ex%41mple.org" << false;
        QTest::newRow("non-ASCII") << "exämple.org" << false;
    }
    void trustDomains()
    {
        QFETCH(QString, trustDomain);
        QTEST(SpiffeId::isValidTrustDomain(trustDomain), "valid");
    }
};

QTEST_APPLESS_MAIN(TestSpiffeId)
#include "tst_spiffeid.moc"
