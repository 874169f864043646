#pragma once

#include "api/apiendpoint.h"
#include "core/result.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace mesh::consul {

// How to reach a Consul agent, read as the consul CLI and Go client read it
// (hashicorp/consul: api/api.go defaultConfig and NewClient): start from
// fromEnvironment(), let command-line flags overwrite fields, then
// endpoint().
//
//   CONSUL_HTTP_ADDR        address: host:port, http://host:port[/prefix],
//                           https://…, unix:///path (default 127.0.0.1:8500)
//   CONSUL_HTTP_TOKEN       token, sent as X-Consul-Token
//   CONSUL_HTTP_TOKEN_FILE  tokenFile; when set it wins over the token
//   CONSUL_HTTP_AUTH        httpAuth, "user[:password]" for HTTP basic auth
//   CONSUL_HTTP_SSL         ssl: true makes a scheme-less address https
//   CONSUL_HTTP_SSL_VERIFY  sslVerify: false skips certificate verification
//   CONSUL_CACERT, CONSUL_CAPATH, CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY
//   CONSUL_TLS_SERVER_NAME  tlsServerName (a port is stripped)
//   CONSUL_NAMESPACE        ns, sent as ?ns= (Enterprise)
//   CONSUL_PARTITION        partition, sent as ?partition= (Enterprise)
struct ConsulConfig
{
    QString address = QStringLiteral("127.0.0.1:8500");
    QString token;
    QString tokenFile;
    QString httpAuth;
    bool ssl = false;
    bool sslVerify = true;
    QString caFile;
    QString caPath;
    QString clientCert;
    QString clientKey;
    QString tlsServerName;
    QString ns;
    QString partition;
    QString datacenter; // ?dc=; no variable, the -datacenter flag
    // Values that could not be read (an unparsable CONSUL_HTTP_SSL…); each
    // names the variable. The value was ignored.
    QStringList warnings;

    static ConsulConfig fromEnvironment(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    // The endpoint this configuration means: Invalid for an unknown scheme
    // ("Unknown protocol scheme: ftp", the Go client's words) or an empty
    // host; Io when tokenFile cannot be read.
    Result<api::ApiEndpoint> endpoint() const;
};

} // namespace mesh::consul
