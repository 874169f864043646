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

constexpr qint64 kMaxPemFile = 1 << 20;                // a CA or leaf file is a few KiB
constexpr qsizetype kMaxCsr = qsizetype{64} * 1024;    // a P-256 CSR is under 1 KiB
constexpr auto kMaxLeafTtl = std::chrono::hours(8760); // Consul's LeafCertTTL upper bound

constexpr QLatin1StringView kCaFile("ca.pem");
constexpr QLatin1StringView kCaKeyFile("ca-key.pem");

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

Result<> checkLeafRequest(const QString &service, std::chrono::seconds ttl)
{
    if (!CertificateAuthority::isValidServiceName(service))
        return fail(Error::Code::Invalid,
                    u"service name \"" + service + u"\" is not a DNS label (a-z, 0-9, '-', at most 63)");
    if (ttl <= std::chrono::seconds::zero() || ttl > kMaxLeafTtl)
        return fail(Error::Code::Invalid, QStringLiteral("leaf TTL must be more than 0 and at most 8760h"));
    return {};
}

std::unexpected<Error> refuseCsr(const QString &why)
{
    return fail(Error::Code::Invalid, u"certificate signing request refused: " + why);
}

// Consul's leaf key (hashicorp/consul: agent/structs/connect_ca.go,
// CommonCAProviderConfig): EC on the named curve P-256. Explicit
// curve parameters have no group name and are refused with the rest.
bool isEcP256(const EVP_PKEY *key)
{
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
        return false;
    char group[80] = {};
    size_t length = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) {
        takeOpenSslError();
        return false;
    }
    return OBJ_sn2nid(group) == NID_X9_62_prime256v1;
}

QString sanTypeName(int type)
{
    switch (type) {
    case GEN_DNS: return QStringLiteral("DNS");
    case GEN_EMAIL: return QStringLiteral("email");
    case GEN_IPADD: return QStringLiteral("IP address");
    case GEN_DIRNAME: return QStringLiteral("directory name");
    case GEN_RID: return QStringLiteral("registered ID");
    default: return QStringLiteral("other-name");
    }
}

// An extension's value, decoded and owned; null when unreadable.
template<class Handle>
Handle decoded(X509_EXTENSION *extension)
{
    Handle value(static_cast<typename Handle::pointer>(X509V3_EXT_d2i(extension)));
    if (!value)
        takeOpenSslError();
    return value;
}

// The one URI SAN a request asks for, after every requested extension was
// read: nothing it asks for may exceed a service leaf, even what we would
// not copy (a CA that ignores "CA:TRUE" quietly is one refactor from honouring it).
Result<QByteArray> requestedUri(X509_REQ *request)
{
    // Both OIDs X509_REQ_get_extensions() reads; two attributes would be two
    // views of one request.
    int extensionRequests = 0;
    for (int i = 0; i < X509_REQ_get_attr_count(request); ++i) {
        X509_ATTRIBUTE *attribute = X509_REQ_get_attr(request, i);
        const int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute));
        if (nid != NID_ext_req && nid != NID_ms_ext_req)
            continue;
        if (++extensionRequests > 1 || X509_ATTRIBUTE_count(attribute) != 1)
            return refuseCsr(QStringLiteral("the extension request is repeated"));
    }
    if (extensionRequests == 0)
        return refuseCsr(QStringLiteral("no URI SAN (a SPIFFE ID in the subject's CN does not count)"));
    X509Extensions extensions(X509_REQ_get_extensions(request));
    if (!extensions) {
        takeOpenSslError();
        return refuseCsr(QStringLiteral("the requested extensions are unreadable"));
    }

    std::optional<QByteArray> uri;
    bool sawSan = false;
    for (int i = 0; i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
        X509_EXTENSION *extension = sk_X509_EXTENSION_value(extensions.get(), i);
        switch (OBJ_obj2nid(X509_EXTENSION_get_object(extension))) {
        case NID_subject_alt_name: {
            if (sawSan)
                return refuseCsr(QStringLiteral("subjectAltName is requested twice"));
            sawSan = true;
            const auto names = decoded<GeneralNames>(extension);
            if (!names)
                return refuseCsr(QStringLiteral("the requested subjectAltName is unreadable"));
            const int count = sk_GENERAL_NAME_num(names.get());
            for (int n = 0; n < count; ++n) {
                const GENERAL_NAME *name = sk_GENERAL_NAME_value(names.get(), n);
                if (name->type != GEN_URI)
                    return refuseCsr(u"it asks for a SAN of type " + sanTypeName(name->type)
                                     + u"; a service leaf has one URI SAN and nothing else");
            }
            if (count != 1)
                return refuseCsr(QStringLiteral("%1 URI SANs; a service leaf has exactly one").arg(count));
            const ASN1_IA5STRING *text = sk_GENERAL_NAME_value(names.get(), 0)->d.uniformResourceIdentifier;
            uri = QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(text)), ASN1_STRING_length(text));
            break;
        }
        case NID_basic_constraints: {
            const auto constraints = decoded<BasicConstraints>(extension);
            if (!constraints)
                return refuseCsr(QStringLiteral("the requested basicConstraints are unreadable"));
            if (constraints->ca)
                return refuseCsr(QStringLiteral("it asks for CA:TRUE; this CA signs service leaves only"));
            break;
        }
        case NID_key_usage: {
            const auto usage = decoded<Asn1BitString>(extension);
            if (!usage)
                return refuseCsr(QStringLiteral("the requested keyUsage is unreadable"));
            // RFC 5280 §4.2.1.3: bit 5 keyCertSign, bit 6 cRLSign.
            if (ASN1_BIT_STRING_get_bit(usage.get(), 5) || ASN1_BIT_STRING_get_bit(usage.get(), 6))
                return refuseCsr(
                    QStringLiteral("it asks for keyCertSign or cRLSign; this CA signs service leaves only"));
            break;
        }
        default: break; // not copied: the leaf's extensions are issueLeaf()'s
        }
    }
    if (!uri)
        return refuseCsr(QStringLiteral("no URI SAN (a SPIFFE ID in the subject's CN does not count)"));
    return *uri;
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
    // Consul's trust domain is `<cluster UUID>.consul` (hashicorp/consul:
    // agent/connect/uri_signing.go).
    ca.m_trustDomain
        = trustDomain.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) + u".consul" : trustDomain;
    if (!SpiffeId::isValidTrustDomain(ca.m_trustDomain))
        return fail(Error::Code::Invalid,
                    u"trust domain \"" + trustDomain + u"\" is not a lower-case DNS name (like <uuid>.consul)");
    if (!SpiffeId::isValidSegment(datacenter))
        return fail(Error::Code::Invalid, u"datacenter \"" + datacenter + u"\" is not a valid name (like dc1)");
    ca.m_datacenter = datacenter;

    // As a Consul built-in provider root (hashicorp/consul:
    // agent/connect/ca/provider_consul.go, and a real
    // root's `openssl x509 -text`): EC P-256, self-signed, CA:TRUE without
    // pathlen, KeyUsage digitalSignature+keyCertSign+cRLSign, URI SAN
    // spiffe://<td>, 10 years, and no name constraints (so the multi-label
    // leaf CN cannot trip OpenSSL's check, docs/targets.md). "Consul CA Root Cert" is the
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
    // Consul's leaf (hashicorp/consul: agent/connect/ca/provider_consul.go,
    // agent/connect/common_names.go): the service SPIFFE ID as the only URI
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
    if (auto ok = checkLeafRequest(service, ttl); !ok)
        return std::unexpected(ok.error());
    auto leaf = leafBuilder(service, ttl).build();
    if (leaf)
        qCDebug(lcPki) << "issued leaf for" << service << "serial" << leaf->serialColonHex();
    return leaf;
}

Result<IssuedCertificate> CertificateAuthority::signCsr(const QByteArray &pem, std::chrono::seconds ttl) const
{
    if (pem.size() > kMaxCsr)
        return fail(Error::Code::TooLarge, QStringLiteral("larger than 64 KiB, not a certificate signing request"));
    const X509Req request = readCsrPem(pem);
    if (!request)
        return fail(Error::Code::Parse, QStringLiteral("not a PEM certificate signing request"));
    if (X509_REQ_get_version(request.get()) != X509_REQ_VERSION_1)
        return refuseCsr(QStringLiteral("not a version 1 PKCS#10 request"));
    EVP_PKEY *key = X509_REQ_get0_pubkey(request.get());
    if (!key) {
        takeOpenSslError();
        return refuseCsr(QStringLiteral("its public key is unreadable"));
    }
    if (!isEcP256(key))
        return refuseCsr(QStringLiteral("its key is not EC P-256, Consul's leaf key type"));
    // Proof of possession, and that nothing below was changed after signing.
    if (X509_REQ_verify(request.get(), key) != 1) {
        takeOpenSslError();
        return refuseCsr(QStringLiteral("its signature does not verify (altered, or not signed by its key)"));
    }
    const auto uri = requestedUri(request.get());
    if (!uri)
        return std::unexpected(uri.error());
    // Latin-1 keeps every byte one character, so parse() refuses non-ASCII.
    const auto id = SpiffeId::parse(QString::fromLatin1(*uri));
    if (!id)
        return refuseCsr(u"URI SAN " + quotedUntrusted(*uri) + u" is not a Consul service SPIFFE ID");
    if (id->trustDomain != m_trustDomain)
        return refuseCsr(u"URI SAN " + quotedUntrusted(*uri) + u" is not in this CA's trust domain " + m_trustDomain);
    if (id->datacenter != m_datacenter)
        return refuseCsr(u"URI SAN " + quotedUntrusted(*uri) + u" is not in this CA's datacenter " + m_datacenter);
    if (id->partition || id->ns != u"default")
        return refuseCsr(u"URI SAN " + quotedUntrusted(*uri) + u": this CA issues namespace default only");
    if (auto ok = checkLeafRequest(id->service, ttl); !ok)
        return std::unexpected(ok.error());

    auto publicKey = publicKeyToQt(key);
    if (!publicKey)
        return std::unexpected(publicKey.error());
    CertificateBuilder builder = leafBuilder(id->service, ttl);
    builder.setPublicKey(*publicKey);
    auto leaf = builder.build();
    if (leaf)
        qCDebug(lcPki) << "signed a request for" << id->service << "serial" << leaf->serialColonHex();
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
        return fail(Error::Code::Invalid,
                    certificatePath + u": the root has no single spiffe://<trust-domain> URI SAN");
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
