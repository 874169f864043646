#include "cacommand.h"

#include "commandline.h"
#include "exitcode.h"

#include "core/atomicfile.h"
#include "pki/certificateauthority.h"
#include "pki/peeridentity.h"
#include "pki/spiffeid.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <optional>

namespace meshpad::cli {

using mesh::pki::CertificateAuthority;

namespace {

const QString kCaUsage
    = QStringLiteral("Usage: meshpad ca init -dir DIR [-trust-domain TD] [-datacenter DC] [-force]\n"
                     "       meshpad ca leaf -dir DIR -service NAME [-ttl 72h] [-datacenter DC]\n"
                     "       meshpad ca sign -dir DIR -csr FILE [-out FILE] [-ttl 72h] [-datacenter DC]\n"
                     "\n"
                     "A Connect CA in Consul's format, for the lab and the proxy.\n"
                     "  init   write DIR/ca.pem and DIR/ca-key.pem; print the trust domain\n"
                     "  leaf   write DIR/NAME.pem and DIR/NAME-key.pem signed by DIR's CA; print the SPIFFE ID\n"
                     "  sign   sign a CSR holding one service SPIFFE ID (URI SAN) with DIR's CA; print the leaf\n"
                     "Exit status: 0 done, 1 refused (existing CA, name not accepted), 2 usage or I/O error.\n");

// A Go duration as consul takes it, limited to hours, minutes and seconds:
// "72h", "1h30m", "90s".
std::optional<std::chrono::seconds> parseDuration(const QString &text)
{
    static const QRegularExpression part(QStringLiteral("(\\d{1,7})([hms])"));
    if (text.isEmpty())
        return std::nullopt;
    std::chrono::seconds total{0};
    qsizetype at = 0;
    auto it = part.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedStart() != at)
            return std::nullopt;
        at = m.capturedEnd();
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).front();
        total += std::chrono::seconds(unit == u'h' ? n * 3600 : unit == u'm' ? n * 60 : n);
    }
    if (at != text.size())
        return std::nullopt;
    return total;
}

// Refusals by the CA's rules are exit 1; missing or unwritable files exit 2.
int statusFor(const mesh::Error &error)
{
    return error.code == mesh::Error::Code::Invalid ? ExitCode::Problems : ExitCode::Usage;
}

// -ttl, as `ca leaf` and `ca sign` take it.
QCommandLineOption ttlOption()
{
    return QCommandLineOption(QStringLiteral("ttl"), QStringLiteral("lifetime, e.g. 72h, 30m (default 72h, max 8760h)"),
                              QStringLiteral("DURATION"), QStringLiteral("72h"));
}

// The -ttl value, or nullopt after saying why on `err`.
std::optional<std::chrono::seconds> lifetimeOf(const QCommandLineParser &parser, const QCommandLineOption &ttl,
                                               QStringView subcommand, QTextStream &err)
{
    const auto lifetime = parseDuration(parser.value(ttl));
    if (!lifetime)
        err << "meshpad ca " << subcommand << ": -ttl \"" << parser.value(ttl)
            << "\" is not a duration like 72h or 30m\n";
    return lifetime;
}

} // namespace

int CaCommand::run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    static constexpr CommandLine::Subcommand subcommands[] = {
        {u"init", &CaCommand::init},
        {u"leaf", &CaCommand::leaf},
        {u"sign", &CaCommand::sign},
    };
    return CommandLine::runSubcommand(u"ca", subcommands, kCaUsage, arguments, out, err);
}

int CaCommand::init(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(QStringLiteral(
        "Create a Connect CA root in Consul's format (EC P-256, URI SAN spiffe://<trust-domain>, 10 years).\n"
        "Exit status: 0 written, 1 refused (a CA exists, use -force; bad trust domain), 2 usage or I/O error."));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("directory for ca.pem and ca-key.pem"),
                                 QStringLiteral("DIR"));
    const QCommandLineOption trustDomain(QStringLiteral("trust-domain"),
                                         QStringLiteral("trust domain (default: a new <uuid>.consul)"),
                                         QStringLiteral("TD"));
    const QCommandLineOption datacenter(QStringLiteral("datacenter"), QStringLiteral("datacenter (default dc1)"),
                                        QStringLiteral("DC"), QStringLiteral("dc1"));
    const QCommandLineOption force(QStringLiteral("force"), QStringLiteral("replace an existing CA in DIR"));
    parser.addOptions({dir, trustDomain, datacenter, force, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"ca init", out, err))
        return *done;
    if (!parser.isSet(dir) || parser.value(dir).isEmpty() || !parser.positionalArguments().isEmpty()) {
        err << "meshpad ca init: expected -dir DIR and no other arguments (see meshpad ca init -help)\n";
        return ExitCode::Usage;
    }
    const QDir directory(parser.value(dir));
    const bool exists = QFileInfo::exists(directory.filePath(QStringLiteral("ca.pem")))
                        || QFileInfo::exists(directory.filePath(QStringLiteral("ca-key.pem")));
    if (exists && !parser.isSet(force)) {
        err << "meshpad ca init: " << directory.path()
            << " already holds a CA; leaves signed by it would stop verifying. Pass -force to replace it.\n";
        return ExitCode::Problems;
    }
    auto ca = CertificateAuthority::create(parser.value(trustDomain), parser.value(datacenter));
    if (!ca) {
        err << "meshpad ca init: " << ca.error().message << "\n";
        return statusFor(ca.error());
    }
    if (auto saved = ca->save(directory.path()); !saved) {
        err << "meshpad ca init: " << saved.error().message << "\n";
        return ExitCode::Usage;
    }
    out << ca->trustDomain() << "\n";
    err << "wrote " << directory.filePath(QStringLiteral("ca.pem")) << " and "
        << directory.filePath(QStringLiteral("ca-key.pem")) << "\n";
    return ExitCode::Ok;
}

int CaCommand::leaf(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(
        QStringLiteral("Sign a leaf in Consul's format for a service with the CA in DIR.\n"
                       "Exit status: 0 written, 1 refused (service name not a DNS label, TTL out of range), "
                       "2 usage or I/O error."));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("the CA's directory; the leaf goes there too"),
                                 QStringLiteral("DIR"));
    const QCommandLineOption service(QStringLiteral("service"), QStringLiteral("service name (a DNS label)"),
                                     QStringLiteral("NAME"));
    const QCommandLineOption ttl = ttlOption();
    const QCommandLineOption datacenter(QStringLiteral("datacenter"),
                                        QStringLiteral("datacenter in the SPIFFE ID (default dc1)"),
                                        QStringLiteral("DC"), QStringLiteral("dc1"));
    parser.addOptions({dir, service, ttl, datacenter, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"ca leaf", out, err))
        return *done;
    if (parser.value(dir).isEmpty() || !parser.isSet(service) || !parser.positionalArguments().isEmpty()) {
        err << "meshpad ca leaf: expected -dir DIR -service NAME (see meshpad ca leaf -help)\n";
        return ExitCode::Usage;
    }
    const auto lifetime = lifetimeOf(parser, ttl, u"leaf", err);
    if (!lifetime)
        return ExitCode::Usage;
    const auto ca = CertificateAuthority::load(parser.value(dir), parser.value(datacenter));
    if (!ca) {
        err << "meshpad ca leaf: " << ca.error().message << "\n";
        return ExitCode::Usage;
    }
    const QString name = parser.value(service);
    const auto issued = ca->issueLeaf(name, *lifetime);
    if (!issued) {
        err << "meshpad ca leaf: " << issued.error().message << "\n";
        return statusFor(issued.error());
    }
    if (auto written = CertificateAuthority::writeLeaf(*issued, parser.value(dir), name); !written) {
        err << "meshpad ca leaf: " << written.error().message << "\n";
        return ExitCode::Usage;
    }
    out << mesh::pki::SpiffeId::forService(ca->trustDomain(), ca->datacenter(), name).toString() << "\n";
    const QDir directory(parser.value(dir));
    err << "wrote " << directory.filePath(name + u".pem") << " and " << directory.filePath(name + u"-key.pem")
        << " (serial " << issued->serialColonHex() << ")\n";
    return ExitCode::Ok;
}

int CaCommand::sign(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    CommandLine::useConsulStyleFlags(parser);
    parser.setApplicationDescription(QStringLiteral(
        "Sign a PKCS#10 CSR (PEM) with the CA in DIR: a leaf in Consul's format on the CSR's key. The CSR must\n"
        "hold an EC P-256 key and exactly one SAN, a URI with a service SPIFFE ID of this CA's trust domain\n"
        "and datacenter; its subject and other extensions are ignored.\n"
        "Exit status: 0 signed, 1 refused (the CSR breaks a rule, TTL out of range), 2 usage or I/O error."));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("the CA's directory"), QStringLiteral("DIR"));
    const QCommandLineOption csr(QStringLiteral("csr"), QStringLiteral("the certificate signing request (PEM)"),
                                 QStringLiteral("FILE"));
    const QCommandLineOption output(QStringLiteral("out"),
                                    QStringLiteral("write the leaf (then chain) here and print its SPIFFE ID; "
                                                   "default: print the leaf"),
                                    QStringLiteral("FILE"));
    const QCommandLineOption ttl = ttlOption();
    const QCommandLineOption datacenter(
        QStringLiteral("datacenter"),
        QStringLiteral("the CA's datacenter, which the SPIFFE ID must name (default dc1)"), QStringLiteral("DC"),
        QStringLiteral("dc1"));
    parser.addOptions({dir, csr, output, ttl, datacenter, CommandLine::helpOption()});
    if (const auto done = CommandLine::parse(parser, arguments, u"ca sign", out, err))
        return *done;
    if (parser.value(dir).isEmpty() || parser.value(csr).isEmpty()
        || (parser.isSet(output) && parser.value(output).isEmpty()) || !parser.positionalArguments().isEmpty()) {
        err << "meshpad ca sign: expected -dir DIR -csr FILE (see meshpad ca sign -help)\n";
        return ExitCode::Usage;
    }
    const auto lifetime = lifetimeOf(parser, ttl, u"sign", err);
    if (!lifetime)
        return ExitCode::Usage;
    QFile request(parser.value(csr));
    if (!request.open(QIODevice::ReadOnly)) {
        err << "meshpad ca sign: " << request.fileName() << ": cannot read: " << request.errorString() << "\n";
        return ExitCode::Usage;
    }
    // One byte past signCsr()'s limit, so an oversized file is refused as such.
    const QByteArray pem = request.read(64 * 1024 + 1);
    const auto ca = CertificateAuthority::load(parser.value(dir), parser.value(datacenter));
    if (!ca) {
        err << "meshpad ca sign: " << ca.error().message << "\n";
        return ExitCode::Usage;
    }
    const auto issued = ca->signCsr(pem, *lifetime);
    if (!issued) {
        err << "meshpad ca sign: " << request.fileName() << ": " << issued.error().message << "\n";
        return statusFor(issued.error());
    }
    const QString id = mesh::pki::PeerIdentity::uriSubjectAlternativeNames(issued->certificate).value(0);
    if (!parser.isSet(output)) {
        out << QString::fromLatin1(issued->certificatePem());
        err << "signed " << id << " (serial " << issued->serialColonHex() << ")\n";
        return ExitCode::Ok;
    }
    const QString outputPath = parser.value(output);
    if (const mesh::Result<> written = mesh::AtomicFile::write(outputPath, issued->certificatePem()); !written) {
        err << "meshpad ca sign: cannot write " << written.error().message << "\n";
        return ExitCode::Usage;
    }
    out << id << "\n";
    err << "wrote " << outputPath << " (serial " << issued->serialColonHex() << ")\n";
    return ExitCode::Ok;
}

} // namespace meshpad::cli
