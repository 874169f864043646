#pragma once

#include "api/apiendpoint.h"
#include "api/apirequest.h"
#include "api/apiresponse.h"
#include "api/queryoptions.h"
#include "core/result.h"

#include <QJsonValue>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>

#include <QCoro/QCoroTask>

#include <chrono>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace mesh::api {

class UnixHttpExchange;

// The HTTP transport to one Consul or Nomad agent: one
// QNetworkAccessManager (or, for unix:// addresses, one QLocalSocket per
// request), the endpoint's headers and TLS, timeouts, a response size cap,
// retries of idempotent reads, and errors a person can act on:
//
//   Refused           "cannot reach Consul at http://127.0.0.1:8500: connection refused"
//   Network           other connection failures, with Qt's reason
//   Timeout           "Consul at …: GET /v1/… got no complete answer within 30 s"
//   Tls               the handshake failed, with the certificate problems
//   PermissionDenied  401/403, with the server's words
//   Invalid           400/405/422, the server's message verbatim
//   NotFound          404, what was asked for and the server's words
//   Conflict          409
//   HttpStatus        5xx and anything else, status and body
//   TooLarge          the answer is over Options::maxResponseBytes
//   Cancelled         the request's CancelToken fired, or the client went away
// Every error carries Error::httpStatus when there was a status.
//
// Lives on the thread that created it; call it from that thread only.
// Destroying it aborts its running requests (they finish with Cancelled).
class ApiClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)

public:
    struct Options
    {
        // Until connected (unix sockets only: Qt 6.4's QNetworkReply does
        // not say when an HTTP/1 request is on the wire, so there the
        // total timeout bounds the connect too).
        std::chrono::milliseconds connectTimeout{std::chrono::seconds(10)};
        // The whole exchange of a request that is not a blocking query.
        std::chrono::milliseconds requestTimeout{std::chrono::seconds(30)};
        // Added to wait + wait/16 for blocking queries.
        std::chrono::milliseconds blockingMargin{std::chrono::seconds(15)};
        qint64 maxResponseBytes = qint64(64) * 1024 * 1024;
        // Attempts of a retryable request (1 = no retry).
        int maxAttempts = 4;
        // Back-off before retry n: min(base * 2^(n-1), max), plus up to 50 % jitter.
        std::chrono::milliseconds retryBaseDelay{250};
        std::chrono::milliseconds retryMaxDelay{std::chrono::seconds(5)};
    };

    explicit ApiClient(ApiEndpoint endpoint, QObject *parent = nullptr);
    ~ApiClient() override;

    const ApiEndpoint &endpoint() const { return m_endpoint; }
    const Options &options() const { return m_options; }
    void setOptions(const Options &options) { m_options = options; }

    // Loads the TLS files now; the first request does it otherwise (and
    // every request fails with this error when they cannot be loaded).
    Result<> checkConfiguration();

    // Sends `request` (with retries when it is retryable); a 2xx answer is
    // the value, anything else an error.
    QCoro::Task<Result<ApiResponse>> request(ApiRequest request);

    // The response body as JSON (any JSON value, also a bare string as
    // /v1/status/leader sends), or Parse: "Consul answered GET /v1/… with
    // JSON that does not parse: …".
    Result<QJsonValue> parseJson(const ApiRequest &request, const ApiResponse &response) const;

    // A read as both clients make it: `options` applied (?index= or ?hash=,
    // the blocking wait, the cancel token), the answer parsed as JSON and
    // decoded with `decode` (a JSON value → Result<T>); a value of another
    // shape is Parse: "Consul answered GET /v1/… with JSON of an unexpected
    // shape: …". The response's index, hash and leader come along.
    template<class T, class Decode>
    QCoro::Task<Result<Indexed<T>>> query(ApiRequest request, QueryOptions options, Decode decode);
    // query() for a caller that wants the value alone: the response's
    // index, hash and leader are dropped.
    template<class T, class Decode>
    QCoro::Task<Result<T>> fetch(ApiRequest request, QueryOptions options, Decode decode);
    template<class T, class Decode>
    Result<T> decodeJson(const ApiRequest &request, const ApiResponse &response, Decode decode) const;
    static void applyOptions(ApiRequest &request, const QueryOptions &options);

    // The timeout one attempt of `request` gets.
    std::chrono::milliseconds attemptTimeout(const ApiRequest &request) const;
    // The ?wait= a blocking query actually sends (clamped).
    std::chrono::milliseconds effectiveWait(std::chrono::milliseconds wait) const;

    // The error a non-2xx response means (used by request(); public for tests).
    Error httpError(const ApiRequest &request, const ApiResponse &response) const;

private:
    QCoro::Task<Result<ApiResponse>> attemptHttp(const ApiRequest &request);
    QCoro::Task<Result<ApiResponse>> attemptUnix(const ApiRequest &request);
    QUrlQuery effectiveQuery(const ApiRequest &request) const;
    Error cancelledError(const ApiRequest &request) const;
    static void fillMetadata(ApiResponse &response);

    ApiEndpoint m_endpoint;
    Options m_options;
    QNetworkAccessManager *m_nam = nullptr;         // child; created on first use
    std::optional<Result<QSslConfiguration>> m_ssl; // loaded on first use
    QSet<QNetworkReply *> m_running;
    QSet<UnixHttpExchange *> m_runningUnix;
    bool m_closing = false;
};

template<class T, class Decode>
Result<T> ApiClient::decodeJson(const ApiRequest &request, const ApiResponse &response, Decode decode) const
{
    auto json = parseJson(request, response);
    if (!json)
        return std::unexpected(json.error());
    Result<T> value = decode(*json);
    if (!value) {
        return fail(Error::Code::Parse, m_endpoint.product + QStringLiteral(" answered ") + request.describe()
                                            + QStringLiteral(" with JSON of an unexpected shape: ")
                                            + value.error().message);
    }
    return value;
}

template<class T, class Decode>
QCoro::Task<Result<Indexed<T>>> ApiClient::query(ApiRequest request, QueryOptions options, Decode decode)
{
    applyOptions(request, options);
    auto response = co_await this->request(request);
    if (!response)
        co_return std::unexpected(response.error());
    auto value = decodeJson<T>(request, *response, decode);
    if (!value)
        co_return std::unexpected(value.error());
    Indexed<T> out;
    out.value = std::move(*value);
    out.index = response->index.value_or(0);
    out.contentHash = response->contentHash;
    out.knownLeader = response->knownLeader.value_or(false);
    co_return out;
}

template<class T, class Decode>
QCoro::Task<Result<T>> ApiClient::fetch(ApiRequest request, QueryOptions options, Decode decode)
{
    auto indexed = co_await query<T>(std::move(request), std::move(options), std::move(decode));
    if (!indexed)
        co_return std::unexpected(indexed.error());
    co_return std::move(indexed->value);
}

} // namespace mesh::api
