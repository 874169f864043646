// The CA: roots and leaves in Consul's format (hashicorp/consul:
// agent/connect/ca/provider_consul.go), read back by
// the openssl CLI as a child process (a separate stack from ours), verified
// with `openssl verify`, saved and loaded, key files 0600, bad files refused.

#include "pki/certificateauthority.h"
#include "pki/certificatebuilder.h"
#include "pki/peeridentity.h"
#include "pki/spiffeid.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace mesh::pki;
using namespace std::chrono_literals;

namespace {

const QString kTd = QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");

struct Run
{
    int status = -1;
    QString out;
};

Run openssl(const QStringList &arguments)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), arguments);
    if (!p.waitForFinished(30000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

Run x509Text(const QString &pem)
{
    return openssl(
        {QStringLiteral("x509"), QStringLiteral("-in"), pem, QStringLiteral("-text"), QStringLiteral("-noout")});
}

Run verify(const QString &caFile, const QString &leaf, const QStringList &extra = {})
{
    return openssl(
        QStringList{QStringLiteral("verify"), QStringLiteral("-x509_strict"), QStringLiteral("-CAfile"), caFile} + extra
        + QStringList{leaf});
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int modeOf(const QString &path)
{
    struct stat st
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 07777) : -1;
}

// "(.*)" after a label in `openssl x509 -text`, e.g. "Subject: CN = …".
QString field(const QString &text, const QString &label)
{
    const QRegularExpression re(QRegularExpression::escape(label) + QStringLiteral(":\\s*(.*)"));
    return re.match(text).captured(1).trimmed();
}

// The line after an extension's heading.
QString extension(const QString &text, const QString &heading)
{
    const qsizetype at = text.indexOf(heading);
    if (at < 0)
        return {};
    const QStringList lines = text.mid(at).split(u'\n');
    return lines.size() > 1 ? lines.at(1).trimmed() : QString();
}

// A PKCS#10 request made by the openssl CLI (not our code): a new key of
// `keyType` ("ec:P-256", "ec:P-384", "rsa:2048"), subject `subject`, and
// `-addext` for each of `extensions`. Empty on failure.
QByteArray opensslCsr(const QStringList &extensions, const QString &keyType = QStringLiteral("ec:P-256"),
                      const QString &subject = QStringLiteral("/CN=web"))
{
    QTemporaryDir dir;
    QStringList arguments{QStringLiteral("req"),
                          QStringLiteral("-new"),
                          QStringLiteral("-nodes"),
                          QStringLiteral("-keyout"),
                          dir.filePath(QStringLiteral("key.pem")),
                          QStringLiteral("-out"),
                          dir.filePath(QStringLiteral("csr.pem")),
                          QStringLiteral("-subj"),
                          subject};
    if (keyType.startsWith(u"ec:"))
        arguments << QStringLiteral("-newkey") << QStringLiteral("ec") << QStringLiteral("-pkeyopt")
                  << u"ec_paramgen_curve:" + keyType.mid(3);
    else
        arguments << QStringLiteral("-newkey") << keyType;
    for (const QString &extension : extensions)
        arguments << QStringLiteral("-addext") << extension;
    const Run r = openssl(arguments);
    if (r.status != 0)
        qWarning("openssl req: %s", qPrintable(r.out));
    return r.status == 0 ? readBytes(dir.filePath(QStringLiteral("csr.pem"))) : QByteArray();
}

// `openssl x509 -text` without what differs between two leaves of the same
// format: serial, dates, public key and key id bytes, signature bytes.
QString formatOf(const QSslCertificate &certificate)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("c.pem"));
    if (!writeBytes(file, certificate.toPem()))
        return {};
    static const QRegularExpression variable(
        QStringLiteral("^\\s*(([0-9A-Fa-f]{2}:)+[0-9A-Fa-f]{0,2}|Serial Number:.*|Not (Before|After) *:.*)$"));
    QStringList kept;
    const QStringList lines = x509Text(file).out.split(u'\n');
    for (const QString &line : lines) {
        if (!variable.match(line).hasMatch())
            kept << line;
    }
    return kept.join(u'\n');
}

} // namespace

class TestCertificateAuthority : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rootIsInConsulFormat()
    {
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd, QStringLiteral("dc1"));
        QVERIFY2(ca, qPrintable(ca ? QString() : ca.error().message));
        QVERIFY(ca->save(dir.path()));
        const Run text = x509Text(dir.filePath(QStringLiteral("ca.pem")));
        QCOMPARE(text.status, 0);
        QVERIFY(text.out.contains(u"ASN1 OID: prime256v1"));
        QVERIFY(text.out.contains(u"Signature Algorithm: ecdsa-with-SHA256"));
        const QString cn = field(text.out, QStringLiteral("Subject"));
        QVERIFY2(QRegularExpression(QStringLiteral("^CN = pri-[a-z0-9]{8}\\.consul\\.ca\\.7f42f496\\.consul$"))
                     .match(cn)
                     .hasMatch(),
                 qPrintable(cn));
        QCOMPARE(field(text.out, QStringLiteral("Issuer")), cn); // self-signed
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Basic Constraints: critical")), QStringLiteral("CA:TRUE"));
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Key Usage: critical")),
                 QStringLiteral("Digital Signature, Certificate Sign, CRL Sign"));
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Subject Alternative Name")), u"URI:spiffe://" + kTd);
        // SKI and AKI are the same 32-byte key id, as in a real Consul root.
        const QString ski = extension(text.out, QStringLiteral("X509v3 Subject Key Identifier"));
        QCOMPARE(ski.count(u':'), 31);
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Authority Key Identifier")), ski);
        QVERIFY(!text.out.contains(u"Name Constraints"));
        QVERIFY(!text.out.contains(u"Extended Key Usage"));

        const QSslCertificate root = ca->rootCertificate();
        const qint64 lifetime = root.effectiveDate().secsTo(root.expiryDate());
        QCOMPARE(lifetime, 87600 * 3600 + 60); // RootCertTTL, from a minute ago
        QVERIFY(qAbs(root.effectiveDate().secsTo(QDateTime::currentDateTimeUtc()) - 60) <= 5);
        QVERIFY(readBytes(dir.filePath(QStringLiteral("ca-key.pem"))).startsWith("-----BEGIN EC PRIVATE KEY-----\n"));
        QCOMPARE(ca->trustDomain(), kTd);
        QCOMPARE(ca->datacenter(), QStringLiteral("dc1"));
    }

    void newTrustDomainIsUuidDotConsul()
    {
        auto a = CertificateAuthority::create();
        auto b = CertificateAuthority::create();
        QVERIFY(a && b);
        const QRegularExpression uuid(
            QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.consul$"));
        QVERIFY2(uuid.match(a->trustDomain()).hasMatch(), qPrintable(a->trustDomain()));
        QVERIFY(a->trustDomain() != b->trustDomain());
        QCOMPARE(PeerIdentity::uriSubjectAlternativeNames(a->rootCertificate()),
                 QStringList{u"spiffe://" + a->trustDomain()});
    }

    void refusesBadTrustDomainOrDatacenter_data()
    {
        QTest::addColumn<QString>("trustDomain");
        QTest::addColumn<QString>("datacenter");
        QTest::newRow("upper case") << "ABC.consul"
                                    << "dc1";
        QTest::newRow("slash") << "abc.consul/x"
                               << "dc1";
        QTest::newRow("percent") << "a%2e.consul"
                                 << "dc1";
        QTest::newRow("empty label") << "a..consul"
                                     << "dc1";
        QTest::newRow("datacenter with slash") << kTd << "dc1/svc";
        QTest::newRow("empty datacenter") << kTd << "";
    }
    void refusesBadTrustDomainOrDatacenter()
    {
        QFETCH(QString, trustDomain);
        QFETCH(QString, datacenter);
        const auto ca = CertificateAuthority::create(trustDomain, datacenter);
        QVERIFY(!ca);
        QCOMPARE(ca.error().code, mesh::Error::Code::Invalid);
    }

    void leafIsInConsulFormatAndVerifies()
    {
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd, QStringLiteral("dc1"));
        QVERIFY(ca && ca->save(dir.path()));
        const auto leaf = ca->issueLeaf(QStringLiteral("web"));
        QVERIFY(leaf);
        QVERIFY(CertificateAuthority::writeLeaf(*leaf, dir.path(), QStringLiteral("web")));
        const QString leafFile = dir.filePath(QStringLiteral("web.pem"));
        const QString caFile = dir.filePath(QStringLiteral("ca.pem"));

        const Run text = x509Text(leafFile);
        QCOMPARE(text.status, 0);
        QVERIFY(text.out.contains(u"ASN1 OID: prime256v1"));
        QCOMPARE(field(text.out, QStringLiteral("Subject")), QStringLiteral("CN = web.svc.default.7f42f496.consul"));
        QCOMPARE(field(text.out, QStringLiteral("Issuer")), field(x509Text(caFile).out, QStringLiteral("Subject")));
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Subject Alternative Name")),
                 u"URI:spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web"); // exactly one, no DNS
        QVERIFY(!text.out.contains(u"DNS:"));
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Extended Key Usage")),
                 QStringLiteral("TLS Web Server Authentication, TLS Web Client Authentication"));
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Key Usage: critical")),
                 QStringLiteral("Digital Signature, Key Encipherment, Data Encipherment, Key Agreement"));
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Basic Constraints: critical")), QStringLiteral("CA:FALSE"));
        QCOMPARE(extension(text.out, QStringLiteral("X509v3 Authority Key Identifier")),
                 extension(x509Text(caFile).out, QStringLiteral("X509v3 Subject Key Identifier")));

        // 72 h from a minute ago.
        const QSslCertificate c = leaf->certificate;
        QCOMPARE(c.effectiveDate().secsTo(c.expiryDate()), 72 * 3600 + 60);
        QVERIFY(qAbs(c.effectiveDate().secsTo(QDateTime::currentDateTimeUtc()) - 60) <= 5);
        QVERIFY(leaf->chain.isEmpty()); // the root signs leaves directly

        // Serial: colon hex, lower case, the same number openssl prints.
        const Run serial = openssl({QStringLiteral("x509"), QStringLiteral("-in"), leafFile, QStringLiteral("-noout"),
                                    QStringLiteral("-serial")});
        QString hex = leaf->serialColonHex();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{2}(:[0-9a-f]{2})*$")).match(hex).hasMatch());
        QCOMPARE(u"serial=" + hex.remove(u':').toUpper(), serial.out.trimmed());

        // A second TLS stack agrees: chain, strict X.509, both purposes, and
        // no name-constraint failure on the multi-label CN (docs/targets.md).
        for (const QString &purpose : {QStringLiteral("sslclient"), QStringLiteral("sslserver")}) {
            const Run v = verify(caFile, leafFile, {QStringLiteral("-purpose"), purpose});
            QVERIFY2(v.status == 0, qPrintable(v.out));
            QCOMPARE(v.out.trimmed(), leafFile + u": OK");
            QVERIFY(!v.out.contains(u"subtree"));
        }
        // The key file is the leaf's key, as openssl sees it.
        const QString keyFile = dir.filePath(QStringLiteral("web-key.pem"));
        const Run pub1 = openssl({QStringLiteral("pkey"), QStringLiteral("-in"), keyFile, QStringLiteral("-pubout")});
        const Run pub2 = openssl({QStringLiteral("x509"), QStringLiteral("-in"), leafFile, QStringLiteral("-noout"),
                                  QStringLiteral("-pubkey")});
        QCOMPARE(pub1.status, 0);
        QCOMPARE(pub1.out, pub2.out);
        QVERIFY(readBytes(keyFile).startsWith("-----BEGIN EC PRIVATE KEY-----\n"));
    }

    void leafTtl_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("1h") << qint64(3600) << true;
        QTest::newRow("8760h (Consul's maximum)") << qint64(8760) * 3600 << true;
        QTest::newRow("8761h") << qint64(8761) * 3600 << false;
        QTest::newRow("zero") << qint64(0) << false;
        QTest::newRow("negative") << qint64(-60) << false;
        QTest::newRow("30s (tests of expiry)") << qint64(30) << true;
    }
    void leafTtl()
    {
        QFETCH(qint64, seconds);
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca);
        const auto leaf = ca->issueLeaf(QStringLiteral("web"), std::chrono::seconds(seconds));
        QTEST(bool(leaf), "accepted");
        if (leaf)
            QCOMPARE(leaf->certificate.effectiveDate().secsTo(leaf->certificate.expiryDate()), seconds + 60);
    }

    void refusesServiceNamesThatAreNotDnsLabels_data()
    {
        QTest::addColumn<QString>("service");
        QTest::newRow("empty") << "";
        QTest::newRow("upper case") << "Web";
        QTest::newRow("underscore") << "web_api";
        QTest::newRow("dot") << "web.api";
        QTest::newRow("slash") << "web/admin";
        QTest::newRow("climbs out of the directory") << "../web";
        QTest::newRow("leading dash") << "-web";
        QTest::newRow("trailing dash") << "web-";
        QTest::newRow("64 characters") << QString(64, u'a');
        QTest::newRow("non-ASCII") << "wéb";
        QTest::newRow("percent") << "w%65b";
        QTest::newRow("space") << "web api";
    }
    void refusesServiceNamesThatAreNotDnsLabels()
    {
        QFETCH(QString, service);
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca);
        const auto leaf = ca->issueLeaf(service);
        QVERIFY(!leaf);
        QCOMPARE(leaf.error().code, mesh::Error::Code::Invalid);
        // Nor will writeLeaf() turn it into a file name.
        const auto good = ca->issueLeaf(QStringLiteral("web"));
        QVERIFY(good);
        QVERIFY(!CertificateAuthority::writeLeaf(*good, dir.filePath(QStringLiteral("sub")), service));
        QVERIFY(!QDir(dir.filePath(QStringLiteral("sub"))).exists());
    }

    void acceptsDnsLabelServiceNames()
    {
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca);
        for (const QString &name :
             {QStringLiteral("a"), QStringLiteral("count-api"), QStringLiteral("web2"), QString(63, u'a')}) {
            const auto leaf = ca->issueLeaf(name);
            QVERIFY2(leaf, qPrintable(name));
            QCOMPARE(PeerIdentity::serviceIdentity(leaf->certificate)->service, name);
        }
    }

    // Consul's ServiceCN: [a-z0-9] only, service + namespace within 43.
    void serviceCommonNameAsConsul_data()
    {
        QTest::addColumn<QString>("service");
        QTest::addColumn<QString>("ns");
        QTest::addColumn<QString>("cn");
        QTest::newRow("web") << "web"
                             << "default"
                             << "web.svc.default.7f42f496.consul";
        QTest::newRow("dash dropped") << "count-api"
                                      << "default"
                                      << "countapi.svc.default.7f42f496.consul";
        QTest::newRow("long service") << QString(63, u'a') << "default"
                                      << QString(36, u'a') + u".svc.default.7f42f496.consul";
        QTest::newRow("long both, shared") << QString(40, u's') << QString(40, u'n')
                                           << QString(21, u's') + u".svc." + QString(22, u'n') + u".7f42f496.consul";
        QTest::newRow("short service keeps it")
            << "web" << QString(60, u'n') << u"web.svc." + QString(40, u'n') + u".7f42f496.consul";
    }
    void serviceCommonNameAsConsul()
    {
        QFETCH(QString, service);
        QFETCH(QString, ns);
        const QString cn = CertificateAuthority::serviceCommonName(service, kTd, ns);
        QTEST(cn, "cn");
        QVERIFY(cn.size() <= 64);
    }

    void saveLoadRoundTrip()
    {
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd, QStringLiteral("dc2"));
        QVERIFY(ca && ca->save(dir.path()));
        const auto loaded = CertificateAuthority::load(dir.path(), QStringLiteral("dc2"));
        QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().message));
        QCOMPARE(loaded->rootCertificate(), ca->rootCertificate());
        QCOMPARE(loaded->trustDomain(), kTd);
        QCOMPARE(loaded->datacenter(), QStringLiteral("dc2"));
        QCOMPARE(loaded->root().privateKeyPem(), ca->root().privateKeyPem());

        // The loaded CA signs leaves the saved root verifies.
        const auto leaf = loaded->issueLeaf(QStringLiteral("api"));
        QVERIFY(leaf);
        QCOMPARE(PeerIdentity::serviceIdentity(leaf->certificate)->toString(),
                 u"spiffe://" + kTd + u"/ns/default/dc/dc2/svc/api");
        QVERIFY(CertificateAuthority::writeLeaf(*leaf, dir.path(), QStringLiteral("api")));
        QCOMPARE(verify(dir.filePath(QStringLiteral("ca.pem")), dir.filePath(QStringLiteral("api.pem"))).status, 0);

        const auto readBack = CertificateAuthority::readLeaf(dir.path(), QStringLiteral("api"));
        QVERIFY(readBack);
        QCOMPARE(readBack->certificate, leaf->certificate);
        QCOMPARE(readBack->privateKeyPem(), leaf->privateKeyPem());
        const auto roots = CertificateAuthority::readRoots(dir.path());
        QVERIFY(roots);
        QCOMPARE(*roots, QList<QSslCertificate>{ca->rootCertificate()});
    }

    // Keys are 0600 from creation: checked under umask 0, where a file
    // created with default permissions would come out 0666.
    void keyFilesAreOwnerOnly()
    {
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca);
        const QString keyFile = dir.filePath(QStringLiteral("ca-key.pem"));
        QVERIFY(writeBytes(keyFile, "old"));
        QVERIFY(QFile::setPermissions(keyFile, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
        const mode_t old = ::umask(0);
        const bool saved = bool(ca->save(dir.path()));
        const auto leaf = ca->issueLeaf(QStringLiteral("web"));
        const bool written = leaf && CertificateAuthority::writeLeaf(*leaf, dir.path(), QStringLiteral("web"));
        ::umask(022);
        const mode_t strict = ::umask(077);
        const bool savedStrict = bool(ca->save(dir.filePath(QStringLiteral("strict"))));
        ::umask(old);
        Q_UNUSED(strict);
        QVERIFY(saved && written && savedStrict);
        QCOMPARE(modeOf(keyFile), 0600); // an existing wider file is replaced, not reused
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("web-key.pem"))), 0600);
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("ca.pem"))), 0644);
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("web.pem"))), 0644);
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("strict/ca-key.pem"))), 0600);
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("strict/ca.pem"))), 0644);
        // No temporary file is left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 4);
    }

    void refusesBadFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("content"); // "" = delete the file
        QTest::addColumn<int>("code");
        using C = mesh::Error::Code;
        QTest::newRow("key missing") << "ca-key.pem" << QByteArray() << int(C::NotFound);
        QTest::newRow("key empty") << "ca-key.pem" << QByteArray("\n") << int(C::Parse);
        QTest::newRow("key garbled") << "ca-key.pem"
                                     << QByteArray("-----BEGIN EC PRIVATE KEY-----\nAAAAnotbase64!!\n"
                                                   "-----END EC PRIVATE KEY-----\n")
                                     << int(C::Parse);
        QTest::newRow("key truncated") << "ca-key.pem" << QByteArray("TRUNCATE") << int(C::Parse);
        QTest::newRow("key is a certificate") << "ca-key.pem" << QByteArray("CERT") << int(C::Parse);
        QTest::newRow("key encrypted (no prompt)") << "ca-key.pem" << QByteArray("ENCRYPTED") << int(C::Parse);
        QTest::newRow("key of another CA") << "ca-key.pem" << QByteArray("OTHER") << int(C::Invalid);
        QTest::newRow("key larger than 1 MiB") << "ca-key.pem" << QByteArray(2 << 20, 'A') << int(C::TooLarge);
        QTest::newRow("certificate missing") << "ca.pem" << QByteArray() << int(C::NotFound);
        QTest::newRow("certificate garbled")
            << "ca.pem" << QByteArray("-----BEGIN CERTIFICATE-----\nxx\n") << int(C::Parse);
        QTest::newRow("certificate is a leaf") << "ca.pem" << QByteArray("LEAF") << int(C::Invalid);
    }
    void refusesBadFiles()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd);
        auto other = CertificateAuthority::create(kTd);
        QVERIFY(ca && other && ca->save(dir.path()));
        const QString path = dir.filePath(file);
        const QByteArray key = readBytes(dir.filePath(QStringLiteral("ca-key.pem")));
        if (content == "TRUNCATE")
            content = key.left(key.size() / 2);
        else if (content == "CERT")
            content = ca->rootCertificate().toPem();
        else if (content == "OTHER")
            content = other->root().privateKeyPem();
        else if (content == "LEAF")
            content = ca->issueLeaf(QStringLiteral("web"))->certificatePem();
        else if (content == "ENCRYPTED")
            content = ca->root().privateKey.toPem("secret");
        if (content.isEmpty())
            QVERIFY(QFile::remove(path));
        else
            QVERIFY(writeBytes(path, content));

        const auto loaded = CertificateAuthority::load(dir.path());
        QVERIFY(!loaded);
        QTEST(int(loaded.error().code), "code");
        QVERIFY2(loaded.error().message.contains(file), qPrintable(loaded.error().message));
        // No key material in the message, whatever was in the file.
        QVERIFY(!loaded.error().message.contains(u"BEGIN"));
        const QList<QByteArray> keyLines = key.split('\n');
        QVERIFY(!loaded.error().message.contains(QString::fromLatin1(keyLines.value(1).left(16))));
    }

    // Rotation: a new CA's leaves do not verify against the old root, and
    // verify when both roots are trusted (docs/targets.md: trust every root).
    void anotherCaLeafDoesNotVerify()
    {
        QTemporaryDir dir;
        auto first = CertificateAuthority::create(kTd);
        auto second = CertificateAuthority::create(kTd); // same trust domain, new key
        QVERIFY(first && second);
        QVERIFY(first->save(dir.filePath(QStringLiteral("first"))));
        QVERIFY(second->save(dir.filePath(QStringLiteral("second"))));
        const auto leaf = second->issueLeaf(QStringLiteral("web"));
        QVERIFY(leaf && CertificateAuthority::writeLeaf(*leaf, dir.path(), QStringLiteral("web")));
        const QString leafFile = dir.filePath(QStringLiteral("web.pem"));

        const Run refused = verify(dir.filePath(QStringLiteral("first/ca.pem")), leafFile);
        QVERIFY(refused.status != 0);
        QVERIFY2(refused.out.contains(u"unable to get local issuer certificate"), qPrintable(refused.out));

        const QString bundle = dir.filePath(QStringLiteral("roots.pem"));
        QVERIFY(writeBytes(bundle, first->rootCertificate().toPem() + second->rootCertificate().toPem()));
        QCOMPARE(verify(bundle, leafFile).status, 0);
    }

    // The builder also makes chains: root → intermediate → leaf, with the
    // intermediate in the leaf's chain and CertPEM (hashicorp/consul:
    // agent/structs/connect_ca.go, IssuedCert).
    void builderMakesIntermediateChains()
    {
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca && ca->save(dir.path()));
        CertificateBuilder intermediate;
        intermediate.setIssuer(ca->root());
        intermediate.setSubjectCommonName(QStringLiteral("pri-intermediate.consul.ca.7f42f496.consul"));
        intermediate.setUriSans({u"spiffe://" + kTd});
        intermediate.setCertificateAuthority(true, 0);
        intermediate.setKeyUsages(CertificateBuilder::KeyUsage::KeyCertSign | CertificateBuilder::KeyUsage::CrlSign
                                  | CertificateBuilder::KeyUsage::DigitalSignature);
        intermediate.setValidity(QDateTime::currentDateTimeUtc().addSecs(-60),
                                 QDateTime::currentDateTimeUtc().addDays(365));
        const auto inter = intermediate.build();
        QVERIFY(inter);
        QVERIFY(inter->chain.isEmpty()); // a root is never part of the chain

        CertificateBuilder leafBuilder = ca->leafBuilder(QStringLiteral("web"));
        leafBuilder.setIssuer(*inter);
        const auto leaf = leafBuilder.build();
        QVERIFY(leaf);
        QCOMPARE(leaf->chain, QList<QSslCertificate>{inter->certificate});
        QCOMPARE(QSslCertificate::fromData(leaf->certificatePem()).size(), 2);
        QVERIFY(CertificateAuthority::writeLeaf(*leaf, dir.path(), QStringLiteral("web")));
        const QString leafFile = dir.filePath(QStringLiteral("web.pem"));
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("inter.pem")), inter->certificate.toPem()));
        QCOMPARE(verify(dir.filePath(QStringLiteral("ca.pem")), leafFile,
                        {QStringLiteral("-untrusted"), dir.filePath(QStringLiteral("inter.pem"))})
                     .status,
                 0);
        const auto readBack = CertificateAuthority::readLeaf(dir.path(), QStringLiteral("web"));
        QVERIFY(readBack);
        QCOMPARE(readBack->chain, leaf->chain);
    }

    void builderOptions()
    {
        CertificateBuilder rsa;
        rsa.setKeyType(CertificateBuilder::KeyType::Rsa2048);
        rsa.setSubjectCommonName(QStringLiteral("rsa"));
        rsa.setSerialNumber(QByteArray::fromHex("00800a"));
        const QDateTime past = QDateTime::currentDateTimeUtc().addDays(-10);
        rsa.setValidity(past, past.addDays(1)); // expired
        const auto cert = rsa.build();
        QVERIFY(cert);
        QCOMPARE(cert->privateKey.algorithm(), QSsl::Rsa);
        QCOMPARE(cert->privateKey.length(), 2048);
        QVERIFY(cert->privateKeyPem().startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        QCOMPARE(cert->serialColonHex(), QStringLiteral("80:0a")); // as Go's big.Int.Bytes()
        QVERIFY(cert->certificate.expiryDate() < QDateTime::currentDateTimeUtc());
        QCOMPARE(cert->certificate.expiryDate(), past.addDays(1).addMSecs(-past.time().msec()));

        // Renewal on the same key.
        CertificateBuilder again;
        again.setPrivateKey(cert->privateKey);
        const auto renewed = again.build();
        QVERIFY(renewed);
        QCOMPARE(renewed->certificate.publicKey(), cert->certificate.publicKey());
        QVERIFY(renewed->serialColonHex() != cert->serialColonHex());

        // A key that does not match the issuer certificate is refused.
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca);
        CertificateBuilder mismatched;
        mismatched.setIssuer(ca->rootCertificate(), cert->privateKey);
        const auto refused = mismatched.build();
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, mesh::Error::Code::Invalid);
    }

    // The OpenSSL pitfall of docs/targets.md, reproduced on purpose: a root with a
    // DNS name constraint on the trust domain makes OpenSSL reject Consul's
    // multi-label leaf CN. Our roots carry no name constraint (checked in
    // rootIsInConsulFormat), so `openssl verify` accepts our leaves.
    void nameConstraintPitfall()
    {
        QTemporaryDir dir;
        CertificateBuilder root;
        root.setSubjectCommonName(QStringLiteral("constrained root"));
        root.setUriSans({u"spiffe://" + kTd});
        root.setCertificateAuthority(true);
        root.setKeyUsages(CertificateBuilder::KeyUsage::KeyCertSign | CertificateBuilder::KeyUsage::CrlSign);
        root.setPermittedDnsDomains({kTd});
        const auto constrained = root.build();
        QVERIFY(constrained);
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("ca.pem")), constrained->certificatePem()));
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("ca-key.pem")), constrained->privateKeyPem()));
        const auto ca = CertificateAuthority::load(dir.path());
        QVERIFY(ca);
        const auto leaf = ca->issueLeaf(QStringLiteral("web"));
        QVERIFY(leaf && CertificateAuthority::writeLeaf(*leaf, dir.path(), QStringLiteral("web")));
        const Run v = verify(dir.filePath(QStringLiteral("ca.pem")), dir.filePath(QStringLiteral("web.pem")));
        QVERIFY(v.status != 0);
        QVERIFY2(v.out.contains(u"permitted subtree violation"), qPrintable(v.out));
    }

    // A CSR from another stack (the openssl CLI) holding one service ID is
    // signed into exactly issueLeaf()'s format, on the CSR's own key.
    void signCsrIssuesConsulLeafOnTheRequestKey()
    {
        QTemporaryDir dir;
        auto ca = CertificateAuthority::create(kTd, QStringLiteral("dc1"));
        QVERIFY(ca && ca->save(dir.path()));
        const QString web = u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web";
        // The subject's CN and extra extensions are not copied.
        const QByteArray csr
            = opensslCsr({u"subjectAltName=URI:" + web, QStringLiteral("extendedKeyUsage=codeSigning")},
                         QStringLiteral("ec:P-256"), QStringLiteral("/CN=anything/O=Evil Corp"));
        QVERIFY(!csr.isEmpty());
        const auto signed_ = ca->signCsr(csr, 24h);
        QVERIFY2(signed_, qPrintable(signed_ ? QString() : signed_.error().message));
        const QSslCertificate leaf = signed_->certificate;
        QVERIFY(signed_->privateKey.isNull()); // the key never left the requester
        QVERIFY(signed_->chain.isEmpty());

        // The peer checks the proxy runs accept it as svc/web.
        const auto id = PeerIdentity::serviceIdentity(leaf);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().message));
        QCOMPARE(id->toString(), web);
        QVERIFY(PeerIdentity::hasExtendedKeyUsage(leaf, PeerIdentity::Purpose::ClientAuth));
        QVERIFY(PeerIdentity::hasExtendedKeyUsage(leaf, PeerIdentity::Purpose::ServerAuth));
        QVERIFY(!PeerIdentity::isCertificateAuthority(leaf));
        QCOMPARE(leaf.subjectInfo(QSslCertificate::CommonName),
                 QStringList{CertificateAuthority::serviceCommonName(QStringLiteral("web"), kTd)});
        QVERIFY(leaf.subjectInfo(QSslCertificate::Organization).isEmpty());
        QCOMPARE(leaf.effectiveDate().secsTo(leaf.expiryDate()), 24 * 3600 + 60);

        // The CSR's key, as openssl reads it from the CSR.
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("web.csr")), csr));
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("web.pem")), signed_->certificatePem()));
        const Run csrKey
            = openssl({QStringLiteral("req"), QStringLiteral("-in"), dir.filePath(QStringLiteral("web.csr")),
                       QStringLiteral("-noout"), QStringLiteral("-pubkey")});
        const Run leafKey
            = openssl({QStringLiteral("x509"), QStringLiteral("-in"), dir.filePath(QStringLiteral("web.pem")),
                       QStringLiteral("-noout"), QStringLiteral("-pubkey")});
        QCOMPARE(csrKey.status, 0);
        QCOMPARE(leafKey.out, csrKey.out);
        const Run v = verify(dir.filePath(QStringLiteral("ca.pem")), dir.filePath(QStringLiteral("web.pem")),
                             {QStringLiteral("-purpose"), QStringLiteral("sslclient")});
        QVERIFY2(v.status == 0, qPrintable(v.out));

        // Exactly issueLeaf()'s format: same extensions, names and order.
        const auto issued = ca->issueLeaf(QStringLiteral("web"), 24h);
        QVERIFY(issued);
        const QString format = formatOf(leaf);
        QVERIFY(format.contains(u"X509v3 Subject Alternative Name"));
        QCOMPARE(format, formatOf(issued->certificate));
    }

    void signCsrRefuses_data()
    {
        QTest::addColumn<QStringList>("extensions"); // -addext values; "TAMPER" alters the signed request
        QTest::addColumn<QString>("keyType");
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QString>("why"); // part of the error message
        const QString web = u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web";
        const QString admin = u"spiffe://" + kTd + u"/ns/default/dc/dc1/svc/admin";
        const QString ec = QStringLiteral("ec:P-256");
        const QString cn = QStringLiteral("/CN=web");
        const auto san = [](const QString &names) { return QStringList{u"subjectAltName=" + names}; };

        QTest::newRow("two URI SANs") << san(u"URI:" + web + u",URI:" + admin) << ec << cn << "2 URI SANs";
        QTest::newRow("two URI SANs, the allowed one second")
            << san(u"URI:" + admin + u",URI:" + web) << ec << cn << "2 URI SANs";
        QTest::newRow("URI SAN and DNS SAN")
            << san(u"URI:" + web + u",DNS:web.service.consul") << ec << cn << "asks for a SAN of type DNS";
        QTest::newRow("URI SAN and IP SAN")
            << san(u"URI:" + web + u",IP:127.0.0.1") << ec << cn << "asks for a SAN of type IP address";
        QTest::newRow("ID in a DNS SAN only") << san(u"DNS:" + web) << ec << cn << "asks for a SAN of type DNS";
        QTest::newRow("ID in an email SAN only") << san(u"email:" + web) << ec << cn << "asks for a SAN of type email";
        QTest::newRow("ID in the CN only (no SAN)")
            << QStringList() << ec << QStringLiteral("/CN=web.svc.default.7f42f496.consul") << "no URI SAN";
        QTest::newRow("no SAN, other extensions")
            << QStringList{QStringLiteral("extendedKeyUsage=clientAuth")} << ec << cn << "no URI SAN";
        QTest::newRow("other trust domain")
            << san(QStringLiteral("URI:spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web"))
            << ec << cn << "not in this CA's trust domain";
        QTest::newRow("trust domain as a prefix")
            << san(u"URI:spiffe://" + kTd + u".evil.example/ns/default/dc/dc1/svc/web") << ec << cn
            << "not in this CA's trust domain";
        QTest::newRow("trailing slash") << san(u"URI:" + web + u'/') << ec << cn << "is not a Consul service SPIFFE ID";
        QTest::newRow("svc/web/.. path") << san(u"URI:" + web + u"/../admin") << ec << cn
                                         << "is not a Consul service SPIFFE ID";
        QTest::newRow("svc/web with a query")
            << san(u"URI:" + web + u"?admin") << ec << cn << "is not a Consul service SPIFFE ID";
        QTest::newRow("svc/web percent-encoded")
            << san(u"URI:" + web.chopped(1) + u"%62") << ec << cn << "is not a Consul service SPIFFE ID";
        QTest::newRow("userinfo before the trust domain")
            << san(u"URI:spiffe://web@" + kTd + u"/ns/default/dc/dc1/svc/web") << ec << cn
            << "is not a Consul service SPIFFE ID";
        QTest::newRow("the CA's own ID") << san(u"URI:spiffe://" + kTd) << ec << cn
                                         << "is not a Consul service SPIFFE ID";
        QTest::newRow("other datacenter") << san(u"URI:spiffe://" + kTd + u"/ns/default/dc/dc2/svc/web") << ec << cn
                                          << "not in this CA's datacenter dc1";
        QTest::newRow("other namespace") << san(u"URI:spiffe://" + kTd + u"/ns/team/dc/dc1/svc/web") << ec << cn
                                         << "namespace default only";
        QTest::newRow("a partition") << san(u"URI:spiffe://" + kTd + u"/ap/team/ns/default/dc/dc1/svc/web") << ec << cn
                                     << "namespace default only";
        QTest::newRow("service not a DNS label")
            << san(u"URI:spiffe://" + kTd + u"/ns/default/dc/dc1/svc/Web_1") << ec << cn << "is not a DNS label";
        QTest::newRow("CA:TRUE") << QStringList{u"subjectAltName=URI:" + web,
                                                QStringLiteral("basicConstraints=critical,CA:TRUE")}
                                 << ec << cn << "CA:TRUE";
        QTest::newRow("keyCertSign") << QStringList{u"subjectAltName=URI:" + web,
                                                    QStringLiteral("keyUsage=digitalSignature,keyCertSign")}
                                     << ec << cn << "keyCertSign";
        QTest::newRow("RSA key") << san(u"URI:" + web) << QStringLiteral("rsa:2048") << cn << "not EC P-256";
        QTest::newRow("EC P-384 key") << san(u"URI:" + web) << QStringLiteral("ec:P-384") << cn << "not EC P-256";
        QTest::newRow("tampered: svc/web changed to svc/wex after signing")
            << QStringList{u"subjectAltName=URI:" + web, QStringLiteral("TAMPER")} << ec << cn
            << "signature does not verify";
    }
    void signCsrRefuses()
    {
        QFETCH(QStringList, extensions);
        QFETCH(QString, keyType);
        QFETCH(QString, subject);
        QFETCH(QString, why);
        auto ca = CertificateAuthority::create(kTd, QStringLiteral("dc1"));
        QVERIFY(ca);
        const bool tamper = extensions.removeAll(QStringLiteral("TAMPER")) > 0;
        QByteArray csr = opensslCsr(extensions, keyType, subject);
        QVERIFY(!csr.isEmpty());
        if (tamper) {
            // One byte of the signed request body changed, in DER: the
            // structure still parses, the signature no longer matches.
            QByteArray body = csr;
            body.replace("-----BEGIN CERTIFICATE REQUEST-----", "").replace("-----END CERTIFICATE REQUEST-----", "");
            QByteArray der = QByteArray::fromBase64(body.simplified().replace(' ', ""));
            const qsizetype at = der.indexOf("/svc/web");
            QVERIFY(at > 0);
            der[at + 7] = 'x';
            csr = "-----BEGIN CERTIFICATE REQUEST-----\n" + der.toBase64() + "\n-----END CERTIFICATE REQUEST-----\n";
        }
        const auto signed_ = ca->signCsr(csr);
        QVERIFY(!signed_);
        QCOMPARE(signed_.error().code, mesh::Error::Code::Invalid);
        QVERIFY2(signed_.error().message.contains(why), qPrintable(signed_.error().message));
    }

    // Look-alike names are not refused when they are real, different
    // services: they are signed as exactly what they say, never as svc/web.
    void signCsrSignsExactlyTheRequestedId()
    {
        auto ca = CertificateAuthority::create(kTd, QStringLiteral("dc2"));
        QVERIFY(ca);
        const QString webAdmin = u"spiffe://" + kTd + u"/ns/default/dc/dc2/svc/web-admin";
        const auto signed_ = ca->signCsr(opensslCsr({u"subjectAltName=URI:" + webAdmin}), 1h);
        QVERIFY(signed_);
        QCOMPARE(PeerIdentity::uriSubjectAlternativeNames(signed_->certificate), QStringList{webAdmin});
        QCOMPARE(PeerIdentity::serviceIdentity(signed_->certificate)->service, QStringLiteral("web-admin"));
    }

    void signCsrRefusesWhatIsNoRequest_data()
    {
        QTest::addColumn<QByteArray>("pem");
        QTest::addColumn<int>("code");
        using C = mesh::Error::Code;
        QTest::newRow("empty") << QByteArray() << int(C::Parse);
        QTest::newRow("garbage") << QByteArray("hello\n") << int(C::Parse);
        QTest::newRow("a certificate") << QByteArray("CERT") << int(C::Parse);
        QTest::newRow("truncated") << QByteArray("TRUNCATE") << int(C::Parse);
        QTest::newRow("\"encrypted\" PEM (no prompt)") << QByteArray("ENCRYPTED") << int(C::Parse);
        QTest::newRow("larger than 64 KiB") << QByteArray("LARGE") << int(C::TooLarge);
    }
    void signCsrRefusesWhatIsNoRequest()
    {
        QFETCH(QByteArray, pem);
        auto ca = CertificateAuthority::create(kTd);
        QVERIFY(ca);
        const QByteArray good = opensslCsr({u"subjectAltName=URI:spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web"});
        QVERIFY(ca->signCsr(good));
        if (pem == "CERT")
            pem = ca->rootCertificate().toPem();
        else if (pem == "TRUNCATE")
            pem = good.left(good.size() / 2);
        else if (pem == "ENCRYPTED")
            pem = QByteArray(good).replace("REQUEST-----\n",
                                           "REQUEST-----\nProc-Type: 4,ENCRYPTED\n"
                                           "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n");
        else if (pem == "LARGE")
            pem = good + QByteArray(64 * 1024, '\n');
        const auto signed_ = ca->signCsr(pem);
        QVERIFY(!signed_);
        QTEST(int(signed_.error().code), "code");
    }
};

QTEST_GUILESS_MAIN(TestCertificateAuthority)
#include "tst_certificateauthority.moc"
