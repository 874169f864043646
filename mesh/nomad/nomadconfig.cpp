#include "nomadconfig.h"

using namespace Qt::StringLiterals;

namespace mesh::nomad {

NomadConfig NomadConfig::fromEnvironment(const QProcessEnvironment &env)
{
    NomadConfig c;
    auto value = [&env](const char *name) { return env.value(QString::fromLatin1(name)); };
    if (const QString v = value("NOMAD_ADDR"); !v.isEmpty())
        c.address = v;
    c.region = value("NOMAD_REGION");
    c.ns = value("NOMAD_NAMESPACE");
    c.httpAuth = value("NOMAD_HTTP_AUTH");
    c.caFile = value("NOMAD_CACERT");
    c.caPath = value("NOMAD_CAPATH");
    c.clientCert = value("NOMAD_CLIENT_CERT");
    c.clientKey = value("NOMAD_CLIENT_KEY");
    c.tlsServerName = value("NOMAD_TLS_SERVER_NAME");
    if (const QString v = value("NOMAD_SKIP_VERIFY"); !v.isEmpty()) {
        if (const auto b = api::parseGoBool(v))
            c.skipVerify = *b;
        else
            c.warnings << u"could not parse NOMAD_SKIP_VERIFY=\""_s + v + u"\" (expected true or false); ignored"_s;
    }
    c.token = value("NOMAD_TOKEN");
    return c;
}

Result<api::ApiEndpoint> NomadConfig::endpoint()
{
    api::ApiEndpoint e;
    e.product = u"Nomad"_s;
    // MaxBlockingRPCQueryTime (hashicorp/nomad: nomad/structs/structs.go).
    e.maxBlockingWait = std::chrono::seconds(300);

    QString addr = address.trimmed();
    if (addr.startsWith(u"unix://"_s)) {
        e.unixSocketPath = addr.mid(7);
        if (e.unixSocketPath.isEmpty())
            return fail(Error::Code::Invalid, u"NOMAD_ADDR "_s + address + u" names no socket path"_s);
        e.address = addr;
    } else {
        if (!addr.contains(u"://"_s)) {
            warnings << u"the Nomad address "_s + address + u" has no scheme; using http://"_s + addr;
            addr = u"http://"_s + addr;
        }
        const QUrl url(addr, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (scheme != u"http"_s && scheme != u"https"_s)
            return fail(Error::Code::Invalid,
                        u"Unknown protocol scheme: "_s + scheme + u" (in the Nomad address "_s + address + u")"_s);
        if (!url.isValid() || url.host().isEmpty())
            return fail(Error::Code::Invalid, u"invalid address '"_s + address + u"'"_s);
        e.baseUrl = url;
        e.address = url.toString(QUrl::RemoveUserInfo);
    }
    if (!token.isEmpty())
        e.headers.append({QByteArrayLiteral("X-Nomad-Token"), token.toUtf8()});
    if (!httpAuth.isEmpty())
        e.headers.append({QByteArrayLiteral("Authorization"), "Basic " + httpAuth.toUtf8().toBase64()});
    if (!region.isEmpty())
        e.defaultQuery.addQueryItem(u"region"_s, region);
    if (!ns.isEmpty())
        e.defaultQuery.addQueryItem(u"namespace"_s, ns);
    e.tls.caFile = caFile;
    e.tls.caPath = caPath;
    e.tls.clientCertFile = clientCert;
    e.tls.clientKeyFile = clientKey;
    e.tls.serverName = tlsServerName;
    e.tls.insecureSkipVerify = skipVerify;
    return e;
}

} // namespace mesh::nomad
