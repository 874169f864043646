// A peer's identity by Consul's rules: exactly one URI SAN holding a service
// SPIFFE ID, never a CA certificate, EKU for the direction
// (docs/targets.md, Peer identity; hashicorp/consul: connect/tls.go).
// Each bad kind is built by the CA's leaf builder with one thing changed.

#include "pki/certificateauthority.h"
#include "pki/certificatebuilder.h"
#include "pki/peeridentity.h"
#include "pki/refusalreason.h"

#include <QProcess>
#include <QTest>

#include <functional>

using namespace mesh::pki;

namespace {

const QString kTd = QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");
const QString kWeb = u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web";
const QString kAdmin = u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/admin";

using Change = std::function<void(CertificateBuilder &)>;

} // namespace

Q_DECLARE_METATYPE(Change)

class TestPeerIdentity : public QObject
{
    Q_OBJECT

    std::optional<CertificateAuthority> m_ca;

    QSslCertificate leafWith(const Change &change)
    {
        CertificateBuilder builder = m_ca->leafBuilder(QStringLiteral("web"));
        change(builder);
        const auto leaf = builder.build();
        return leaf ? leaf->certificate : QSslCertificate();
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca);
        m_ca = std::move(*ca);
    }

    void serviceIdentity_data()
    {
        using KU = CertificateBuilder::KeyUsage;
        QTest::addColumn<Change>("change");
        QTest::addColumn<QString>("service"); // empty: refused
        QTest::addColumn<QString>("reason");  // part of the error message

        QTest::newRow("consul leaf") << Change([](CertificateBuilder &) {}) << "web" << QString();
        QTest::newRow("two URI SANs, allowed first") << Change([](CertificateBuilder &b) {
            b.setUriSans({kWeb, kAdmin});
        }) << QString() << "2 URI SANs; a service identity has exactly one";
        QTest::newRow("two URI SANs, allowed second") << Change([](CertificateBuilder &b) {
            b.setUriSans({kAdmin, kWeb});
        }) << QString() << "2 URI SANs";
        QTest::newRow("the same URI twice") << Change([](CertificateBuilder &b) {
            b.setUriSans({kWeb, kWeb});
        }) << QString() << "2 URI SANs";
        QTest::newRow("ID in a DNS SAN") << Change([](CertificateBuilder &b) {
            b.setUriSans({});
            b.setDnsSans({kWeb});
        }) << QString() << "no URI SAN";
        QTest::newRow("ID in an email SAN") << Change([](CertificateBuilder &b) {
            b.setUriSans({});
            b.setEmailSans({kWeb});
        }) << QString() << "no URI SAN";
        QTest::newRow("ID in the CN only") << Change([](CertificateBuilder &b) {
            b.setUriSans({});
            // A CN stops at 64 characters: a short trust domain fits.
            b.setSubjectCommonName(QStringLiteral("spiffe://7f42f496.consul/ns/default/dc/dc1/svc/web"));
        }) << QString() << "no URI SAN";
        QTest::newRow("DNS SAN besides the URI SAN (still one ID)")
            << Change([](CertificateBuilder &b) { b.setDnsSans({QStringLiteral("web.service.consul")}); }) << "web"
            << QString();
        QTest::newRow("CA:TRUE leaf") << Change([](CertificateBuilder &b) { b.setCertificateAuthority(true); })
                                      << QString() << "CA certificate";
        QTest::newRow("keyCertSign without CA:TRUE")
            << Change([](CertificateBuilder &b) { b.setKeyUsages(KU::DigitalSignature | KU::KeyCertSign); })
            << QString() << "CA certificate";
        QTest::newRow("keyCertSign, no basicConstraints") << Change([](CertificateBuilder &b) {
            b.setBasicConstraintsIncluded(false);
            b.setKeyUsages(KU::KeyCertSign);
        }) << QString() << "CA certificate";
        QTest::newRow("no basicConstraints, plain leaf")
            << Change([](CertificateBuilder &b) { b.setBasicConstraintsIncluded(false); }) << "web" << QString();
        QTest::newRow("CA's own ID spiffe://<td>")
            << Change([](CertificateBuilder &b) { b.setUriSans({u"spiffe://" + kTd}); }) << QString()
            << "is not a Consul service SPIFFE ID";
        QTest::newRow("trailing slash") << Change([](CertificateBuilder &b) { b.setUriSans({kWeb + u"/"}); })
                                        << QString() << "is not a Consul service SPIFFE ID";
        QTest::newRow("percent-encoded") << Change([](CertificateBuilder &b) { b.setUriSans({kWeb + u"%2Fadmin"}); })
                                         << QString() << "is not a Consul service SPIFFE ID";
        QTest::newRow("query") << Change([](CertificateBuilder &b) { b.setUriSans({kWeb + u"?admin"}); }) << QString()
                               << "is not a Consul service SPIFFE ID";
        QTest::newRow("upper-case scheme") << Change([](CertificateBuilder &b) {
            b.setUriSans({QString(kWeb).replace(0, 6, QStringLiteral("SPIFFE"))});
        }) << QString() << "is not a Consul service SPIFFE ID";
        QTest::newRow("non-ASCII bytes in the URI")
            << Change([](CertificateBuilder &b) { b.setUriSans({kWeb + u"é"}); }) << QString()
            << "is not a Consul service SPIFFE ID";
        QTest::newRow("over 2048 bytes") << Change([](CertificateBuilder &b) {
            b.setUriSans({kWeb + QString(3000, u'a')});
        }) << QString() << "is not a Consul service SPIFFE ID";
        QTest::newRow("look-alike svc/web-admin (parses, different service)")
            << Change([](CertificateBuilder &b) { b.setUriSans({kWeb + u"-admin"}); }) << "web-admin" << QString();
        QTest::newRow("not spiffe at all")
            << Change([](CertificateBuilder &b) { b.setUriSans({QStringLiteral("https://web.example.com/")}); })
            << QString() << "is not a Consul service SPIFFE ID";
    }
    void serviceIdentity()
    {
        QFETCH(Change, change);
        QFETCH(QString, service);
        QFETCH(QString, reason);
        const QSslCertificate leaf = leafWith(change);
        QVERIFY(!leaf.isNull());
        const auto id = PeerIdentity::serviceIdentity(leaf);
        if (service.isEmpty()) {
            QVERIFY2(!id, qPrintable(id ? id->toString() : QString()));
            QCOMPARE(id.error().code, mesh::Error::Code::Invalid);
            QVERIFY2(id.error().message.contains(reason), qPrintable(id.error().message));
            QVERIFY(id.error().message.size() < 200); // a peer's 3000-byte URI is not echoed whole
        } else {
            QVERIFY2(id, qPrintable(id ? QString() : id.error().message));
            QCOMPARE(id->service, service);
            QCOMPARE(id->trustDomain, kTd);
            QCOMPARE(id->datacenter, QStringLiteral("dc1"));
        }
    }

    void nullCertificateIsNoIdentity()
    {
        const auto id = PeerIdentity::serviceIdentity(QSslCertificate());
        QVERIFY(!id);
        QVERIFY(id.error().message.contains(u"no certificate"));
        QVERIFY(!PeerIdentity::hasExtendedKeyUsage(QSslCertificate(), PeerIdentity::Purpose::ClientAuth));
        QVERIFY(PeerIdentity::uriSubjectAlternativeNames(QSslCertificate()).isEmpty());
    }

    void rootIsNotAServiceIdentity()
    {
        QVERIFY(PeerIdentity::isCertificateAuthority(m_ca->rootCertificate()));
        QVERIFY(!PeerIdentity::serviceIdentity(m_ca->rootCertificate()));
    }

    // The right purpose (docs/targets.md): a server-only certificate must not pass as a client, and the other
    // way round; Consul leaves carry both.
    void extendedKeyUsage_data()
    {
        using EKU = CertificateBuilder::ExtendedKeyUsage;
        QTest::addColumn<EKU>("eku");
        QTest::addColumn<bool>("server");
        QTest::addColumn<bool>("client");
        QTest::newRow("consul leaf: both") << EKU::ServerAndClientAuth << true << true;
        QTest::newRow("serverAuth only") << EKU::ServerAuth << true << false;
        QTest::newRow("clientAuth only") << EKU::ClientAuth << false << true;
        QTest::newRow("no EKU extension (RFC 5280: any)") << EKU::None << true << true;
    }
    void extendedKeyUsage()
    {
        QFETCH(CertificateBuilder::ExtendedKeyUsage, eku);
        const QSslCertificate leaf = leafWith([eku](CertificateBuilder &b) { b.setExtendedKeyUsage(eku); });
        QTEST(PeerIdentity::hasExtendedKeyUsage(leaf, PeerIdentity::Purpose::ServerAuth), "server");
        QTEST(PeerIdentity::hasExtendedKeyUsage(leaf, PeerIdentity::Purpose::ClientAuth), "client");
    }

    // Qt 6.4 drops URI SANs; we read them all, in order, with OpenSSL.
    void uriSansInOrder()
    {
        const QSslCertificate leaf = leafWith([](CertificateBuilder &b) {
            b.setUriSans({kAdmin, kWeb});
            b.setDnsSans({QStringLiteral("web.service.consul")});
        });
        QCOMPARE(PeerIdentity::uriSubjectAlternativeNames(leaf), (QStringList{kAdmin, kWeb}));
        QCOMPARE(leaf.subjectAlternativeNames().values(QSsl::DnsEntry),
                 QList<QString>{QStringLiteral("web.service.consul")});
    }

    void serialColonHexAsConsul()
    {
        const QSslCertificate leaf
            = leafWith([](CertificateBuilder &b) { b.setSerialNumber(QByteArray::fromHex("0a1bff")); });
        QCOMPARE(PeerIdentity::serialColonHex(leaf), QStringLiteral("0a:1b:ff"));
    }

    void refusalReasonNames()
    {
        const QStringList expected
            = {QStringLiteral("no-certificate"),    QStringLiteral("unknown-ca"),      QStringLiteral("expired"),
               QStringLiteral("not-yet-valid"),     QStringLiteral("wrong-identity"),  QStringLiteral("bad-identity"),
               QStringLiteral("wrong-purpose"),     QStringLiteral("denied"),          QStringLiteral("tls-version"),
               QStringLiteral("handshake-timeout"), QStringLiteral("handshake-failed")};
        QCOMPARE(kRefusalReasonCount, expected.size());
        for (int i = 0; i < kRefusalReasonCount; ++i)
            QCOMPARE(toString(static_cast<RefusalReason>(i)), expected.at(i));
    }
};

QTEST_GUILESS_MAIN(TestPeerIdentity)
#include "tst_peeridentity.moc"
