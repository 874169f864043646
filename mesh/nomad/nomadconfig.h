#pragma once

#include "api/apiendpoint.h"
#include "core/result.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace mesh::nomad {

// How to reach a Nomad agent, read as the nomad CLI and Go client read it
// (hashicorp/nomad: api/api.go DefaultConfig): fromEnvironment(), flags
// overwrite fields, then endpoint().
//
//   NOMAD_ADDR             address, a URL: http://…, https://…, unix:///path
//                          (default http://127.0.0.1:4646)
//   NOMAD_TOKEN            token, sent as X-Nomad-Token
//   NOMAD_REGION           region, sent as ?region=
//   NOMAD_NAMESPACE        ns, sent as ?namespace=
//   NOMAD_HTTP_AUTH        httpAuth, "user[:password]" for HTTP basic auth
//   NOMAD_CACERT, NOMAD_CAPATH, NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY
//   NOMAD_TLS_SERVER_NAME  tlsServerName
//   NOMAD_SKIP_VERIFY      skipVerify (Go ParseBool; unparsable is ignored,
//                          as the Go client does)
struct NomadConfig
{
    QString address = QStringLiteral("http://127.0.0.1:4646");
    QString token;
    QString region;
    QString ns;
    QString httpAuth;
    QString caFile;
    QString caPath;
    QString clientCert;
    QString clientKey;
    QString tlsServerName;
    bool skipVerify = false;
    QStringList warnings;

    static NomadConfig fromEnvironment(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    // Invalid for a scheme other than http, https and unix, or no host. An
    // address without a scheme ("127.0.0.1:4646", which the Go client
    // refuses) is taken as http:// with a warning in `warnings`.
    Result<api::ApiEndpoint> endpoint();
};

} // namespace mesh::nomad
