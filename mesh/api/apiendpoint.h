#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <chrono>
#include <optional>
#include <utility>

namespace mesh::api {

// TLS to the agent, as the Consul and Nomad CLIs configure it
// (hashicorp/consul: api/api.go SetupTLSConfig; hashicorp/nomad: api/api.go
// ConfigureTLS). File paths are read when a client first needs them.
struct TlsOptions
{
    QString caFile;         // PEM bundle; given (or caPath): only these CAs are trusted
    QString caPath;         // directory of PEM files
    QString clientCertFile; // leaf first, then its chain
    QString clientKeyFile;  // EC or RSA, PEM, unencrypted
    QString serverName;     // name the server certificate must carry (SNI too); no port
    bool insecureSkipVerify = false;

    // The Qt configuration these options mean, or why not (Io when a file
    // cannot be read, Parse when it holds no certificate/key, Invalid when
    // only one of cert and key is given).
    Result<QSslConfiguration> toSslConfiguration() const;
};

// Where an agent's HTTP API is and how to speak to it: what ConsulConfig and
// NomadConfig resolve to. Either `baseUrl` (http or https, maybe with a path
// prefix) or `unixSocketPath` is set.
struct ApiEndpoint
{
    QString product; // "Consul", "Nomad": the name in error messages
    QString address; // for messages: "http://127.0.0.1:8500", "unix:///run/consul.sock"
    QUrl baseUrl;
    QString unixSocketPath;
    QList<std::pair<QByteArray, QByteArray>> headers; // sent with every request (token, basic auth)
    QUrlQuery defaultQuery;                           // added to every request (ns=, region=, namespace=)
    TlsOptions tls;
    // Blocking queries never ask for more than this (Consul: 10 min;
    // Nomad clamps to MaxBlockingRPCQueryTime = 300 s).
    std::chrono::milliseconds maxBlockingWait{std::chrono::minutes(10)};

    bool isUnixSocket() const { return !unixSocketPath.isEmpty(); }
    bool isHttps() const { return baseUrl.scheme() == QLatin1String("https"); }
};

// Go's strconv.ParseBool, which both CLIs use for their boolean variables:
// 1 t T TRUE true True / 0 f F FALSE false False; nullopt otherwise.
std::optional<bool> parseGoBool(QStringView text);

} // namespace mesh::api
