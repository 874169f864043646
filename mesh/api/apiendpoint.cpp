#include "apiendpoint.h"

#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

using namespace Qt::StringLiterals;

namespace mesh::api {

namespace {

Result<QByteArray> readFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Code::Io, u"cannot read the "_s + what + u" "_s + path + u": "_s + file.errorString());
    // Certificates and keys are small; refuse a wrong path to a huge file.
    if (file.size() > 16 * 1024 * 1024)
        return fail(Error::Code::TooLarge, u"the "_s + what + u" "_s + path + u" is larger than 16 MiB"_s);
    return file.readAll();
}

} // namespace

std::optional<bool> parseGoBool(QStringView text)
{
    static const QStringList yes{u"1"_s, u"t"_s, u"T"_s, u"TRUE"_s, u"true"_s, u"True"_s};
    static const QStringList no{u"0"_s, u"f"_s, u"F"_s, u"FALSE"_s, u"false"_s, u"False"_s};
    if (yes.contains(text))
        return true;
    if (no.contains(text))
        return false;
    return std::nullopt;
}

Result<QSslConfiguration> TlsOptions::toSslConfiguration() const
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(QSsl::TlsV1_2OrLater);

    // As hashicorp/go-rootcerts does: a CA file or path replaces the system
    // roots instead of adding to them.
    QList<QSslCertificate> cas;
    if (!caFile.isEmpty()) {
        auto pem = readFile(caFile, u"CA file"_s);
        if (!pem)
            return std::unexpected(pem.error());
        cas = QSslCertificate::fromData(*pem, QSsl::Pem);
        if (cas.isEmpty())
            return fail(Error::Code::Parse, u"the CA file "_s + caFile + u" holds no PEM certificate"_s);
    }
    if (!caPath.isEmpty()) {
        const QDir dir(caPath);
        if (!dir.exists())
            return fail(Error::Code::Io, u"the CA directory "_s + caPath + u" does not exist"_s);
        const QStringList files = dir.entryList(QDir::Files | QDir::Readable, QDir::Name);
        qsizetype found = 0;
        for (const QString &name : files) {
            auto pem = readFile(dir.filePath(name), u"CA file"_s);
            if (!pem)
                continue;
            const auto certs = QSslCertificate::fromData(*pem, QSsl::Pem);
            found += certs.size();
            cas += certs;
        }
        if (found == 0)
            return fail(Error::Code::Parse, u"the CA directory "_s + caPath + u" holds no PEM certificate"_s);
    }
    if (!cas.isEmpty())
        config.setCaCertificates(cas);

    if (clientCertFile.isEmpty() != clientKeyFile.isEmpty()) {
        // The CLIs' own words (hashicorp/consul: api/api.go SetupTLSConfig).
        return fail(Error::Code::Invalid, u"both client cert and client key must be provided (got "_s
                                              + (clientCertFile.isEmpty() ? u"only a key"_s : u"only a certificate"_s)
                                              + u")"_s);
    }
    if (!clientCertFile.isEmpty()) {
        auto certPem = readFile(clientCertFile, u"client certificate"_s);
        if (!certPem)
            return std::unexpected(certPem.error());
        const auto chain = QSslCertificate::fromData(*certPem, QSsl::Pem);
        if (chain.isEmpty())
            return fail(Error::Code::Parse,
                        u"the client certificate "_s + clientCertFile + u" holds no PEM certificate"_s);
        auto keyPem = readFile(clientKeyFile, u"client key"_s);
        if (!keyPem)
            return std::unexpected(keyPem.error());
        QSslKey key(*keyPem, QSsl::Ec, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(*keyPem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            return fail(Error::Code::Parse,
                        u"the client key "_s + clientKeyFile + u" is not an unencrypted PEM EC or RSA key"_s);
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(key);
    }

    if (insecureSkipVerify)
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    return config;
}

} // namespace mesh::api
