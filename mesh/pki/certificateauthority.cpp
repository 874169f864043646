#include "pki/certificateauthority.h"

#include "pki/opensslhandles_p.h"
#include "pki/peeridentity.h"
#include "pki/spiffeid.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QUuid>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mesh::pki {

using namespace detail;

namespace {

constexpr qint64 kMaxPemFile = 1 << 20;  // a CA or leaf file is a few KiB
constexpr auto kMaxLeafTtl = std::chrono::hours(8760);  // Consul's LeafCertTTL upper bound

const QString kCaFile = QStringLiteral("ca.pem");
const QString kCaKeyFile = QStringLiteral("ca-key.pem");

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Writes `bytes` to `path` atomically (temporary file + rename) with `mode`
// from the file's creation on. QSaveFile is not used for keys: it creates its
// temporary file 0666 & ~umask and narrows it only after opening, and a reader
// that opened it in that window keeps its descriptor after any chmod.
Result<> writeFile(const QString &path, const QByteArray &bytes, mode_t mode)
{
    const QByteArray target = QFile::encodeName(path);
    QByteArray temporary;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
        temporary = target + ".tmp-" + QByteArray::number(QRandomGenerator::system()->generate(), 36);
        fd = ::open(temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return fail(Error::Code::Io, path + u": cannot create: " + systemError(errno));
    // The umask can only narrow `mode`; fchmod makes it exact (certificates
    // stay world-readable under a strict umask, as s_server & co expect).
    int error = ::fchmod(fd, mode) == 0 ? 0 : errno;
    for (qsizetype done = 0; error == 0 && done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n > 0)
            done += n;
        else if (errno != EINTR)
            error = errno;
    }
    if (error == 0 && ::fsync(fd) != 0)
        error = errno;
    if (::close(fd) != 0 && error == 0)
        error = errno;
    if (error == 0 && ::rename(temporary.constData(), target.constData()) != 0)
        error = errno;
    if (error != 0) {
        ::unlink(temporary.constData());
        return fail(Error::Code::Io, path + u": cannot write: " + systemError(error));
    }
    return {};
}

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return fail(Error::Code::NotFound, path + u": no such file");
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Code::Io, path + u": cannot read: " + file.errorString());
    if (file.size() > kMaxPemFile)
        return fail(Error::Code::TooLarge, path + u": larger than 1 MiB, not a PEM certificate or key");
    return file.read(kMaxPemFile + 1);
}

Result<QList<QSslCertificate>> readCertificates(const QString &path)
{
    auto pem = readFile(path);
    if (!pem)
        return std::unexpected(pem.error());
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(*pem, QSsl::Pem);
    if (certificates.isEmpty())
        return fail(Error::Code::Parse, path + u": no PEM certificate in it");
    return certificates;
}

// The key file's content is never quoted: only whether it was usable.
Result<PKey> readKey(const QString &path)
{
    auto pem = readFile(path);
    if (!pem)
        return std::unexpected(pem.error());
    PKey key = readPrivateKeyPem(*pem);
    pem->fill('\0');
    if (!key)
        return fail(Error::Code::Parse, path + u": not an unencrypted PEM private key");
    return key;
}

Result<QSslKey> matchingKey(const QSslCertificate &certificate, const QString &keyPath, const QString &certificatePath)
{
    auto key = readKey(keyPath);
    if (!key)
        return std::unexpected(key.error());
    const X509Ptr x = toX509(certificate);
    if (!x || X509_check_private_key(x.get(), key->get()) != 1) {
        takeOpenSslError();
        return fail(Error::Code::Invalid, keyPath + u": does not match the certificate in " + certificatePath);
    }
    return toQt(key->get());
}

QString randomBase36(int length)
{
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    QString s;
    for (int i = 0; i < length; ++i)
        s += QChar::fromLatin1(kAlphabet[QRandomGenerator::system()->bounded(36)]);
    return s;
}

} // namespace

bool CertificateAuthority::isValidServiceName(QStringView service)
{
    if (service.isEmpty() || service.size() > 63 || service.front() == u'-' || service.back() == u'-')
        return false;
    for (QChar c : service) {
        if (!((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-'))
            return false;
    }
    return true;
}

QString CertificateAuthority::serviceCommonName(const QString &service, const QString &trustDomain, const QString &ns)
{
    // Consul's ServiceCN (agent/connect/common_names.go): the service name
    // lower-cased with everything but [a-z0-9] dropped (so "count-api" gives
    // "countapi"), then service and namespace cut to 43 characters together,
    // neither below 15, so the CN fits X.509's 64 (OpenSSL refuses longer).
    constexpr qsizetype kMaxServiceAndNamespace = 64 - 21;
    constexpr qsizetype kMinPart = 15;
    QString svc;
    for (const QChar c : service.toLower()) {
        if ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'))
            svc += c;
    }
    QString space = ns;
    const qsizetype total = svc.size() + space.size();
    if (total > kMaxServiceAndNamespace) {
        const qsizetype excess = total - kMaxServiceAndNamespace;
        if (svc.size() <= kMinPart) {
            space.truncate(space.size() - excess);
        } else if (space.size() <= kMinPart) {
            svc.truncate(svc.size() - excess);
        } else {
            // Half each; an odd byte comes off the service name.
            qsizetype svcLength = svc.size() - excess / 2 - excess % 2;
            qsizetype nsLength = space.size() - excess / 2;
            if (svcLength <= kMinPart) {
                svcLength = kMinPart;
                nsLength = kMaxServiceAndNamespace - kMinPart;
            } else if (nsLength <= kMinPart) {
                svcLength = kMaxServiceAndNamespace - kMinPart;
                nsLength = kMinPart;
            }
            svc.truncate(svcLength);
            space.truncate(nsLength);
        }
    }
    return svc + u".svc." + space + u'.' + trustDomain.left(8) + u".consul";
}

Result<CertificateAuthority> CertificateAuthority::create(const QString &trustDomain, const QString &datacenter)
{
    CertificateAuthority ca;
    // Consul's trust domain is `<cluster UUID>.consul` (consul.md §2.3).
    ca.m_trustDomain = trustDomain.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) + u".consul"
                                             : trustDomain;
    if (!SpiffeId::isValidTrustDomain(ca.m_trustDomain))
        return fail(Error::Code::Invalid,
                    u"trust domain \"" + trustDomain + u"\" is not a lower-case DNS name (like <uuid>.consul)");
    if (!SpiffeId::isValidSegment(datacenter))
        return fail(Error::Code::Invalid, u"datacenter \"" + datacenter + u"\" is not a valid name (like dc1)");
    ca.m_datacenter = datacenter;

    // As a Consul built-in provider root (consul.md §2.1, §2.4, and a real
    // root's `openssl x509 -text`): EC P-256, self-signed, CA:TRUE without
    // pathlen, KeyUsage digitalSignature+keyCertSign+cRLSign, URI SAN
    // spiffe://<td>, 10 years, and no name constraints (so the multi-label
    // leaf CN cannot trip OpenSSL's check, §4.5). "Consul CA Root Cert" is the
    // roots API's Name, not the CN; the CN is Consul's CACN,
    // `pri-<8 random>.consul.ca.<first 8 of td>.consul`.
    CertificateBuilder builder;
    builder.setSubjectCommonName(u"pri-" + randomBase36(8) + u".consul.ca." + ca.m_trustDomain.left(8) + u".consul");
    builder.setUriSans({SpiffeId::trustDomainUri(ca.m_trustDomain)});
    builder.setCertificateAuthority(true);
    builder.setKeyUsages(CertificateBuilder::KeyUsage::DigitalSignature | CertificateBuilder::KeyUsage::KeyCertSign
                         | CertificateBuilder::KeyUsage::CrlSign);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    builder.setValidity(now.addSecs(-kClockSkew.count()),
                        now.addSecs(std::chrono::duration_cast<std::chrono::seconds>(kRootTtl).count()));
    auto root = builder.build();
    if (!root)
        return std::unexpected(root.error());
    ca.m_root = *root;
    qCDebug(lcPki) << "created CA for trust domain" << ca.m_trustDomain << "serial" << ca.m_root.serialColonHex();
    return ca;
}

CertificateBuilder CertificateAuthority::leafBuilder(const QString &service, std::chrono::seconds ttl) const
{
    // Consul's leaf (consul.md §2.4): the service SPIFFE ID as the only URI
    // SAN, no DNS SAN, EKU serverAuth+clientAuth, KeyUsage digitalSignature,
    // keyEncipherment, dataEncipherment, keyAgreement, CA:FALSE, CN = ServiceCN.
    using KU = CertificateBuilder::KeyUsage;
    CertificateBuilder builder;
    builder.setIssuer(m_root);
    builder.setSubjectCommonName(serviceCommonName(service, m_trustDomain));
    builder.setUriSans({SpiffeId::forService(m_trustDomain, m_datacenter, service).toString()});
    builder.setExtendedKeyUsage(CertificateBuilder::ExtendedKeyUsage::ServerAndClientAuth);
    builder.setKeyUsages(KU::DigitalSignature | KU::KeyEncipherment | KU::DataEncipherment | KU::KeyAgreement);
    builder.setCertificateAuthority(false);
    // A minute early, so a peer whose clock is slightly behind accepts it.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    builder.setValidity(now.addSecs(-kClockSkew.count()), now.addSecs(ttl.count()));
    return builder;
}

Result<IssuedCertificate> CertificateAuthority::issueLeaf(const QString &service, std::chrono::seconds ttl) const
{
    if (!isValidServiceName(service))
        return fail(Error::Code::Invalid,
                    u"service name \"" + service + u"\" is not a DNS label (a-z, 0-9, '-', at most 63)");
    if (ttl <= std::chrono::seconds::zero() || ttl > kMaxLeafTtl)
        return fail(Error::Code::Invalid, QStringLiteral("leaf TTL must be more than 0 and at most 8760h"));
    auto leaf = leafBuilder(service, ttl).build();
    if (leaf)
        qCDebug(lcPki) << "issued leaf for" << service << "serial" << leaf->serialColonHex();
    return leaf;
}

Result<CertificateAuthority> CertificateAuthority::load(const QString &dir, const QString &datacenter)
{
    const QString certificatePath = QDir(dir).filePath(kCaFile);
    auto certificates = readCertificates(certificatePath);
    if (!certificates)
        return std::unexpected(certificates.error());
    CertificateAuthority ca;
    ca.m_datacenter = datacenter;
    ca.m_root.certificate = certificates->first();
    if (!PeerIdentity::isCertificateAuthority(ca.m_root.certificate))
        return fail(Error::Code::Invalid, certificatePath + u": the first certificate is not a CA");
    const QStringList uris = PeerIdentity::uriSubjectAlternativeNames(ca.m_root.certificate);
    constexpr QStringView scheme = u"spiffe://";
    if (uris.size() != 1 || !uris.first().startsWith(scheme)
        || !SpiffeId::isValidTrustDomain(QStringView(uris.first()).mid(scheme.size())))
        return fail(Error::Code::Invalid, certificatePath + u": the root has no single spiffe://<trust-domain> URI SAN");
    ca.m_trustDomain = uris.first().mid(scheme.size());
    if (!SpiffeId::isValidSegment(datacenter))
        return fail(Error::Code::Invalid, u"datacenter \"" + datacenter + u"\" is not a valid name (like dc1)");
    auto key = matchingKey(ca.m_root.certificate, QDir(dir).filePath(kCaKeyFile), certificatePath);
    if (!key)
        return std::unexpected(key.error());
    ca.m_root.privateKey = *key;
    return ca;
}

Result<> CertificateAuthority::save(const QString &dir) const
{
    if (!QDir().mkpath(dir))
        return fail(Error::Code::Io, dir + u": cannot create the directory");
    // The key first: a ca.pem without its key is the worse half-written state.
    if (auto ok = writeFile(QDir(dir).filePath(kCaKeyFile), m_root.privateKeyPem(), 0600); !ok)
        return ok;
    return writeFile(QDir(dir).filePath(kCaFile), m_root.certificatePem(), 0644);
}

Result<> CertificateAuthority::writeLeaf(const IssuedCertificate &leaf, const QString &dir, const QString &service)
{
    // The name becomes a file name: a DNS label cannot climb out of `dir`.
    if (!isValidServiceName(service))
        return fail(Error::Code::Invalid, u"service name \"" + service + u"\" is not a DNS label");
    if (!QDir().mkpath(dir))
        return fail(Error::Code::Io, dir + u": cannot create the directory");
    if (auto ok = writeFile(QDir(dir).filePath(service + u"-key.pem"), leaf.privateKeyPem(), 0600); !ok)
        return ok;
    return writeFile(QDir(dir).filePath(service + u".pem"), leaf.certificatePem(), 0644);
}

Result<IssuedCertificate> CertificateAuthority::readLeaf(const QString &dir, const QString &service)
{
    if (!isValidServiceName(service))
        return fail(Error::Code::Invalid, u"service name \"" + service + u"\" is not a DNS label");
    const QString certificatePath = QDir(dir).filePath(service + u".pem");
    auto certificates = readCertificates(certificatePath);
    if (!certificates)
        return std::unexpected(certificates.error());
    IssuedCertificate leaf;
    leaf.certificate = certificates->takeFirst();
    leaf.chain = *certificates;
    auto key = matchingKey(leaf.certificate, QDir(dir).filePath(service + u"-key.pem"), certificatePath);
    if (!key)
        return std::unexpected(key.error());
    leaf.privateKey = *key;
    return leaf;
}

Result<QList<QSslCertificate>> CertificateAuthority::readRoots(const QString &dir)
{
    return readCertificates(QDir(dir).filePath(kCaFile));
}

} // namespace mesh::pki
