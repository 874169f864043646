// `meshpad ca init|leaf|sign` run as the real binary: files that `openssl
// verify` accepts, an existing CA kept unless -force, CSRs from the openssl
// CLI signed or refused, exit 1 for refusals and 2 for usage errors.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

const QString kTd = QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");

struct Run
{
    int status = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &arguments)
{
    QProcess p;
    p.start(program, arguments);
    if (!p.waitForFinished(30000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

Run meshpad(const QStringList &arguments)
{
    return run(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"), arguments);
}

Run opensslVerify(const QString &caFile, const QString &leaf)
{
    return run(QStringLiteral("openssl"),
               {QStringLiteral("verify"), QStringLiteral("-x509_strict"), QStringLiteral("-purpose"),
                QStringLiteral("sslclient"), QStringLiteral("-CAfile"), caFile, leaf});
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

// A CSR for `sans` (an openssl subjectAltName value, none when empty) with a
// new EC P-256 key, written by the openssl CLI to `path`.
bool opensslCsr(const QString &path, const QString &sans)
{
    QTemporaryDir keys;
    QStringList arguments{QStringLiteral("req"),
                          QStringLiteral("-new"),
                          QStringLiteral("-nodes"),
                          QStringLiteral("-newkey"),
                          QStringLiteral("ec"),
                          QStringLiteral("-pkeyopt"),
                          QStringLiteral("ec_paramgen_curve:P-256"),
                          QStringLiteral("-keyout"),
                          keys.filePath(QStringLiteral("key.pem")),
                          QStringLiteral("-subj"),
                          QStringLiteral("/CN=web"),
                          QStringLiteral("-out"),
                          path};
    if (!sans.isEmpty())
        arguments << QStringLiteral("-addext") << u"subjectAltName=" + sans;
    return run(QStringLiteral("openssl"), arguments).status == 0;
}

} // namespace

class TestCaCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initAndLeafVerify()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("ca"));
        const Run init
            = meshpad({QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), dir,
                       QStringLiteral("-trust-domain"), kTd, QStringLiteral("-datacenter"), QStringLiteral("dc2")});
        QVERIFY2(init.status == 0, qPrintable(init.err));
        QCOMPARE(init.out, kTd + u"\n");
        QCOMPARE(modeOf(dir + u"/ca-key.pem"), 0600);

        const Run leaf = meshpad({QStringLiteral("ca"), QStringLiteral("leaf"), QStringLiteral("-dir"), dir,
                                  QStringLiteral("-service"), QStringLiteral("web"), QStringLiteral("-datacenter"),
                                  QStringLiteral("dc2")});
        QVERIFY2(leaf.status == 0, qPrintable(leaf.err));
        QCOMPARE(leaf.out, u"spiffe://" + kTd + u"/ns/default/dc/dc2/svc/web\n");
        QVERIFY(!leaf.err.contains(u"PRIVATE KEY"));
        QCOMPARE(modeOf(dir + u"/web-key.pem"), 0600);
        QCOMPARE(modeOf(dir + u"/web.pem"), 0644);

        const Run v = opensslVerify(dir + u"/ca.pem", dir + u"/web.pem");
        QVERIFY2(v.status == 0, qPrintable(v.out + v.err));
        QCOMPARE(v.out.trimmed(), dir + u"/web.pem: OK");

        // The default lifetime is Consul's 72 h (from a minute ago).
        const QSslCertificate c = QSslCertificate::fromData(readBytes(dir + u"/web.pem")).value(0);
        QCOMPARE(c.effectiveDate().secsTo(c.expiryDate()), 72 * 3600 + 60);
    }

    void initWithoutTrustDomainMakesUuidDotConsul()
    {
        QTemporaryDir tmp;
        // `--dir` works as well as consul's `-dir`.
        const Run init = meshpad({QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("--dir"), tmp.path()});
        QCOMPARE(init.status, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f-]{36}\\.consul\n$")).match(init.out).hasMatch(),
                 qPrintable(init.out));
    }

    void leafTtl()
    {
        QTemporaryDir tmp;
        QCOMPARE(meshpad({QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), tmp.path()}).status, 0);
        const Run leaf = meshpad({QStringLiteral("ca"), QStringLiteral("leaf"), QStringLiteral("-dir"), tmp.path(),
                                  QStringLiteral("-service"), QStringLiteral("api"), QStringLiteral("-ttl"),
                                  QStringLiteral("1h30m")});
        QVERIFY2(leaf.status == 0, qPrintable(leaf.err));
        const QSslCertificate c
            = QSslCertificate::fromData(readBytes(tmp.filePath(QStringLiteral("api.pem")))).value(0);
        QCOMPARE(c.effectiveDate().secsTo(c.expiryDate()), 90 * 60 + 60);
    }

    void refusesToOverwriteACa()
    {
        QTemporaryDir tmp;
        const QStringList init = {QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), tmp.path()};
        QCOMPARE(meshpad(init).status, 0);
        QCOMPARE(meshpad({QStringLiteral("ca"), QStringLiteral("leaf"), QStringLiteral("-dir"), tmp.path(),
                          QStringLiteral("-service"), QStringLiteral("web")})
                     .status,
                 0);
        const QByteArray ca = readBytes(tmp.filePath(QStringLiteral("ca.pem")));
        const QByteArray key = readBytes(tmp.filePath(QStringLiteral("ca-key.pem")));

        const Run again = meshpad(init);
        QCOMPARE(again.status, 1);
        QVERIFY2(again.err.contains(u"-force"), qPrintable(again.err));
        QCOMPARE(readBytes(tmp.filePath(QStringLiteral("ca.pem"))), ca);
        QCOMPARE(readBytes(tmp.filePath(QStringLiteral("ca-key.pem"))), key);

        const Run forced = meshpad(init + QStringList{QStringLiteral("-force")});
        QCOMPARE(forced.status, 0);
        QVERIFY(readBytes(tmp.filePath(QStringLiteral("ca.pem"))) != ca);
        // The old leaf no longer verifies against the new root.
        QVERIFY(opensslVerify(tmp.filePath(QStringLiteral("ca.pem")), tmp.filePath(QStringLiteral("web.pem"))).status
                != 0);
    }

    void exitStatuses_data()
    {
        QTest::addColumn<QStringList>("arguments"); // DIR stands for a directory holding a CA
        QTest::addColumn<int>("status");
        const QString dir = QStringLiteral("DIR");
        QTest::newRow("ca alone") << QStringList{QStringLiteral("ca")} << 2;
        QTest::newRow("unknown subcommand") << QStringList{QStringLiteral("ca"), QStringLiteral("revoke")} << 2;
        QTest::newRow("init without -dir") << QStringList{QStringLiteral("ca"), QStringLiteral("init")} << 2;
        QTest::newRow("init -dir without value")
            << QStringList{QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir")} << 2;
        QTest::newRow("init unknown flag")
            << QStringList{QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), QStringLiteral("NEW"),
                           QStringLiteral("-bogus")}
            << 2;
        QTest::newRow("init stray argument")
            << QStringList{QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), QStringLiteral("NEW"),
                           QStringLiteral("extra")}
            << 2;
        QTest::newRow("init bad trust domain")
            << QStringList{QStringLiteral("ca"),  QStringLiteral("init"),          QStringLiteral("-dir"),
                           QStringLiteral("NEW"), QStringLiteral("-trust-domain"), QStringLiteral("Bad_Domain")}
            << 1;
        QTest::newRow("leaf without -service")
            << QStringList{QStringLiteral("ca"), QStringLiteral("leaf"), QStringLiteral("-dir"), dir} << 2;
        QTest::newRow("leaf bad ttl") << QStringList{QStringLiteral("ca"),       QStringLiteral("leaf"),
                                                     QStringLiteral("-dir"),     dir,
                                                     QStringLiteral("-service"), QStringLiteral("web"),
                                                     QStringLiteral("-ttl"),     QStringLiteral("3d")}
                                      << 2;
        QTest::newRow("leaf without a CA")
            << QStringList{QStringLiteral("ca"),  QStringLiteral("leaf"),     QStringLiteral("-dir"),
                           QStringLiteral("NEW"), QStringLiteral("-service"), QStringLiteral("web")}
            << 2;
        QTest::newRow("leaf service not a DNS label")
            << QStringList{QStringLiteral("ca"),       QStringLiteral("leaf"),  QStringLiteral("-dir"), dir,
                           QStringLiteral("-service"), QStringLiteral("../Web")}
            << 1;
        QTest::newRow("leaf ttl above 8760h") << QStringList{QStringLiteral("ca"),       QStringLiteral("leaf"),
                                                             QStringLiteral("-dir"),     dir,
                                                             QStringLiteral("-service"), QStringLiteral("web"),
                                                             QStringLiteral("-ttl"),     QStringLiteral("8761h")}
                                              << 1;
        QTest::newRow("ca help") << QStringList{QStringLiteral("ca"), QStringLiteral("-help")} << 0;
        QTest::newRow("leaf help") << QStringList{QStringLiteral("ca"), QStringLiteral("leaf"), QStringLiteral("-help")}
                                   << 0;
    }
    void exitStatuses()
    {
        QFETCH(QStringList, arguments);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("ca"));
        QCOMPARE(meshpad({QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), dir}).status, 0);
        const QStringList before = QDir(dir).entryList(QDir::Files);
        arguments.replaceInStrings(QRegularExpression(QStringLiteral("^DIR$")), dir);
        arguments.replaceInStrings(QRegularExpression(QStringLiteral("^NEW$")), tmp.filePath(QStringLiteral("new")));
        const Run r = meshpad(arguments);
        QTEST(r.status, "status");
        if (r.status != 0) {
            QVERIFY(r.out.isEmpty());
            QVERIFY(r.err.startsWith(u"meshpad ca"));
            QCOMPARE(QDir(dir).entryList(QDir::Files), before); // nothing written
            QVERIFY(!QDir(tmp.filePath(QStringLiteral("new"))).exists());
        }
    }

    void signPrintsOrWritesTheLeaf()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("ca"));
        QCOMPARE(meshpad({QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), dir,
                          QStringLiteral("-trust-domain"), kTd, QStringLiteral("-datacenter"), QStringLiteral("dc2")})
                     .status,
                 0);
        const QString web = u"spiffe://" + kTd + u"/ns/default/dc/dc2/svc/web";
        const QString csr = tmp.filePath(QStringLiteral("web.csr"));
        QVERIFY(opensslCsr(csr, u"URI:" + web));

        // To stdout: the leaf PEM, and nothing but it.
        const Run printed = meshpad({QStringLiteral("ca"), QStringLiteral("sign"), QStringLiteral("-dir"), dir,
                                     QStringLiteral("-csr"), csr, QStringLiteral("-datacenter"), QStringLiteral("dc2"),
                                     QStringLiteral("-ttl"), QStringLiteral("2h")});
        QVERIFY2(printed.status == 0, qPrintable(printed.err));
        const QList<QSslCertificate> certificates = QSslCertificate::fromData(printed.out.toLatin1());
        QCOMPARE(certificates.size(), 1);
        QCOMPARE(printed.out, QString::fromLatin1(certificates.first().toPem()));
        QVERIFY2(printed.err.startsWith(u"signed " + web + u" (serial "), qPrintable(printed.err));
        const QSslCertificate &c = certificates.first();
        QCOMPARE(c.effectiveDate().secsTo(c.expiryDate()), 2 * 3600 + 60);
        QCOMPARE(c.subjectInfo(QSslCertificate::CommonName),
                 QStringList{QStringLiteral("web.svc.default.7f42f496.consul")});

        // To a file: the SPIFFE ID on stdout; openssl verifies the leaf.
        const QString out = tmp.filePath(QStringLiteral("web.pem"));
        const Run written = meshpad({QStringLiteral("ca"), QStringLiteral("sign"), QStringLiteral("-dir"), dir,
                                     QStringLiteral("-csr"), csr, QStringLiteral("-out"), out,
                                     QStringLiteral("-datacenter"), QStringLiteral("dc2")});
        QVERIFY2(written.status == 0, qPrintable(written.err));
        QCOMPARE(written.out, web + u"\n");
        const Run v = opensslVerify(dir + u"/ca.pem", out);
        QVERIFY2(v.status == 0, qPrintable(v.out + v.err));
        const Run text = run(QStringLiteral("openssl"),
                             {QStringLiteral("x509"), QStringLiteral("-in"), out, QStringLiteral("-noout"),
                              QStringLiteral("-ext"), QStringLiteral("subjectAltName")});
        QCOMPARE(text.out.trimmed().split(u'\n').last().trimmed(), u"URI:" + web);
        // Only the certificate went anywhere: no key was made or written.
        QCOMPARE(QDir(dir).entryList(QDir::Files),
                 (QStringList{QStringLiteral("ca-key.pem"), QStringLiteral("ca.pem")}));
    }

    void signRefuses_data()
    {
        QTest::addColumn<QString>("sans");      // the CSR's subjectAltName; "NOCSR" = not a CSR at all
        QTest::addColumn<QStringList>("extra"); // more arguments
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("why");
        const QString web = u"URI:spiffe://" + kTd + u"/ns/default/dc/dc1/svc/web";
        QTest::newRow("two URI SANs") << web + u",URI:spiffe://" + kTd + u"/ns/default/dc/dc1/svc/admin"
                                      << QStringList() << 1 << "2 URI SANs";
        QTest::newRow("URI and DNS SAN") << web + u",DNS:web" << QStringList() << 1 << "SAN of type DNS";
        QTest::newRow("no SAN") << QString() << QStringList() << 1 << "no URI SAN";
        QTest::newRow("other datacenter than the CA's")
            << web << QStringList{QStringLiteral("-datacenter"), QStringLiteral("dc9")} << 1 << "datacenter dc9";
        QTest::newRow("ttl above 8760h") << web << QStringList{QStringLiteral("-ttl"), QStringLiteral("8761h")} << 1
                                         << "8760h";
        QTest::newRow("not a CSR") << QStringLiteral("NOCSR") << QStringList() << 2
                                   << "not a PEM certificate signing request";
        QTest::newRow("CSR file missing") << QStringLiteral("MISSING") << QStringList() << 2 << "cannot read";
        QTest::newRow("without -csr") << web << QStringList{QStringLiteral("NO-CSR-FLAG")} << 2
                                      << "expected -dir DIR -csr FILE";
        QTest::newRow("empty -out") << web << QStringList{QStringLiteral("-out"), QString()} << 2
                                    << "expected -dir DIR -csr FILE";
    }
    void signRefuses()
    {
        QFETCH(QString, sans);
        QFETCH(QStringList, extra);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("ca"));
        QCOMPARE(meshpad({QStringLiteral("ca"), QStringLiteral("init"), QStringLiteral("-dir"), dir,
                          QStringLiteral("-trust-domain"), kTd})
                     .status,
                 0);
        const QString csr = tmp.filePath(QStringLiteral("web.csr"));
        if (sans == u"NOCSR")
            QVERIFY(QFile::copy(dir + u"/ca.pem", csr));
        else if (sans != u"MISSING")
            QVERIFY(opensslCsr(csr, sans));
        QStringList arguments{QStringLiteral("ca"),   QStringLiteral("sign"),
                              QStringLiteral("-dir"), dir,
                              QStringLiteral("-out"), tmp.filePath(QStringLiteral("out.pem"))};
        if (!extra.removeAll(QStringLiteral("NO-CSR-FLAG")))
            arguments << QStringLiteral("-csr") << csr;
        const Run r = meshpad(arguments + extra);
        QTEST(r.status, "status");
        QVERIFY(r.out.isEmpty());
        QFETCH(QString, why);
        QVERIFY2(r.err.startsWith(u"meshpad ca sign: ") && r.err.contains(why), qPrintable(r.err));
        QVERIFY(!QFile::exists(tmp.filePath(QStringLiteral("out.pem"))));
    }

    void listedInUsage()
    {
        const Run help = meshpad({QStringLiteral("--help")});
        QCOMPARE(help.status, 0);
        QVERIFY(help.out.contains(u"ca init -dir DIR"));
        QVERIFY(help.out.contains(u"ca leaf -dir DIR -service NAME"));
        const Run ca = meshpad({QStringLiteral("ca"), QStringLiteral("-help")});
        QVERIFY(ca.out.contains(u"meshpad ca sign -dir DIR -csr FILE [-out FILE]"));
        const Run sign = meshpad({QStringLiteral("ca"), QStringLiteral("sign"), QStringLiteral("-help")});
        QCOMPARE(sign.status, 0);
        QVERIFY2(sign.out.contains(u"meshpad ca sign") && sign.out.contains(u"-csr <FILE>"), qPrintable(sign.out));
    }
};

QTEST_GUILESS_MAIN(TestCaCli)
#include "tst_cacli.moc"
