#include "consulconfig.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace mesh::consul {

ConsulConfig ConsulConfig::fromEnvironment(const QProcessEnvironment &env)
{
    ConsulConfig c;
    auto value = [&env](const char *name) { return env.value(QString::fromLatin1(name)); };
    if (const QString v = value("CONSUL_HTTP_ADDR"); !v.isEmpty())
        c.address = v;
    c.tokenFile = value("CONSUL_HTTP_TOKEN_FILE");
    c.token = value("CONSUL_HTTP_TOKEN");
    c.httpAuth = value("CONSUL_HTTP_AUTH");
    if (const QString v = value("CONSUL_HTTP_SSL"); !v.isEmpty()) {
        if (const auto b = api::parseGoBool(v))
            c.ssl = *b;
        else
            c.warnings << u"could not parse CONSUL_HTTP_SSL=\""_s + v + u"\" (expected true or false); ignored"_s;
    }
    c.tlsServerName = value("CONSUL_TLS_SERVER_NAME");
    c.caFile = value("CONSUL_CACERT");
    c.caPath = value("CONSUL_CAPATH");
    c.clientCert = value("CONSUL_CLIENT_CERT");
    c.clientKey = value("CONSUL_CLIENT_KEY");
    if (const QString v = value("CONSUL_HTTP_SSL_VERIFY"); !v.isEmpty()) {
        // The Go client turns verification off when this does not parse
        // (ParseBool's false on error); we keep verifying and say so.
        if (const auto b = api::parseGoBool(v))
            c.sslVerify = *b;
        else
            c.warnings << u"could not parse CONSUL_HTTP_SSL_VERIFY=\""_s + v
                              + u"\" (expected true or false); certificates are still verified"_s;
    }
    c.ns = value("CONSUL_NAMESPACE");
    c.partition = value("CONSUL_PARTITION");
    return c;
}

Result<api::ApiEndpoint> ConsulConfig::endpoint() const
{
    api::ApiEndpoint e;
    e.product = u"Consul"_s;
    e.maxBlockingWait = std::chrono::minutes(10);

    QString scheme = ssl ? u"https"_s : u"http"_s;
    QString rest = address.trimmed();
    if (const qsizetype sep = rest.indexOf(u"://"_s); sep >= 0) {
        const QString given = rest.left(sep);
        rest = rest.mid(sep + 3);
        if (given == u"https"_s) {
            scheme = given;
        } else if (given == u"unix"_s) {
            if (rest.isEmpty())
                return fail(Error::Code::Invalid, u"CONSUL_HTTP_ADDR "_s + address + u" names no socket path"_s);
            e.unixSocketPath = rest;
            e.address = address;
        } else if (given != u"http"_s) {
            // "http" keeps the scheme: the Go client never reverts to http
            // when CONSUL_HTTP_SSL asked for TLS.
            return fail(Error::Code::Invalid,
                        u"Unknown protocol scheme: "_s + given + u" (in the Consul address "_s + address + u")"_s);
        }
    }
    if (!e.isUnixSocket()) {
        QString hostPort = rest;
        QString prefix;
        if (const qsizetype slash = rest.indexOf(u'/'); slash >= 0) {
            hostPort = rest.left(slash);
            prefix = rest.mid(slash);
        }
        QUrl url(scheme + u"://"_s + hostPort + prefix, QUrl::StrictMode);
        if (hostPort.isEmpty() || !url.isValid() || url.host().isEmpty())
            return fail(Error::Code::Invalid, u"the Consul address "_s + address + u" is not host:port or a URL"_s);
        e.baseUrl = url;
        e.address = url.toString(QUrl::RemoveUserInfo);
    }

    QString effectiveToken = token;
    if (!tokenFile.isEmpty()) {
        QFile file(tokenFile);
        if (!file.open(QIODevice::ReadOnly))
            return fail(Error::Code::Io, u"Error loading token file "_s + tokenFile + u": "_s + file.errorString());
        if (const QString t = QString::fromUtf8(file.read(64 * 1024)).trimmed(); !t.isEmpty())
            effectiveToken = t;
    }
    if (!effectiveToken.isEmpty())
        e.headers.append({QByteArrayLiteral("X-Consul-Token"), effectiveToken.toUtf8()});
    if (!httpAuth.isEmpty())
        e.headers.append({QByteArrayLiteral("Authorization"), "Basic " + httpAuth.toUtf8().toBase64()});

    if (!ns.isEmpty())
        e.defaultQuery.addQueryItem(u"ns"_s, ns);
    if (!partition.isEmpty())
        e.defaultQuery.addQueryItem(u"partition"_s, partition);
    if (!datacenter.isEmpty())
        e.defaultQuery.addQueryItem(u"dc"_s, datacenter);

    e.tls.caFile = caFile;
    e.tls.caPath = caPath;
    e.tls.clientCertFile = clientCert;
    e.tls.clientKeyFile = clientKey;
    e.tls.insecureSkipVerify = !sslVerify;
    QString server = tlsServerName;
    // As SetupTLSConfig: "host:port" keeps the host only.
    if (server.lastIndexOf(u':') > server.lastIndexOf(u']'))
        server.truncate(server.lastIndexOf(u':'));
    if (server.startsWith(u'[') && server.endsWith(u']'))
        server = server.mid(1, server.size() - 2);
    e.tls.serverName = server;
    return e;
}

} // namespace mesh::consul
