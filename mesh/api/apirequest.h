#pragma once

#include "api/canceltoken.h"

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QString>
#include <QUrlQuery>

#include <chrono>
#include <optional>
#include <utility>

namespace mesh::api {

// One HTTP request to an agent, relative to the endpoint's base URL.
struct ApiRequest
{
    QByteArray method = QByteArrayLiteral("GET");
    // Percent-encoded path from the API root: "/v1/agent/service/web%2F1".
    // Build segments with ApiRequest::segment().
    QString path;
    QUrlQuery query;
    // Sent as is; with Content-Type: application/json when not empty
    // (hashicorp/consul#10011: Consul wants it whenever there is a body).
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    // The whole exchange, connect to last byte. 0: the client's default.
    std::chrono::milliseconds timeout{0};
    // > 0 makes this a blocking query: ?wait=<ms>ms is added (clamped to
    // the endpoint's maxBlockingWait) and the timeout becomes
    // wait + wait/16 (the server's jitter) + the client's margin. The
    // caller adds ?index= or ?hash=.
    std::chrono::milliseconds blockingWait{0};
    // Retried on 5xx and connection errors? Default: GET and HEAD only.
    // Writes are never retried by default: they may have happened
    // (hashicorp/consul: api/api.go IsRetryableError says the same).
    std::optional<bool> retryable;
    QPointer<CancelToken> cancelToken;

    static ApiRequest get(QString path, QUrlQuery query = {})
    {
        ApiRequest r;
        r.path = std::move(path);
        r.query = std::move(query);
        return r;
    }
    static ApiRequest withBody(QByteArray method, QString path, QByteArray body, QUrlQuery query = {})
    {
        ApiRequest r;
        r.method = std::move(method);
        r.path = std::move(path);
        r.body = std::move(body);
        r.query = std::move(query);
        return r;
    }

    // One path segment, percent-encoded ("web/1" → "web%2F1").
    static QString segment(const QString &s) { return QString::fromLatin1(QUrl::toPercentEncoding(s)); }

    bool isRetryable() const { return retryable.value_or(method == "GET" || method == "HEAD"); }
    // "GET /v1/agent/services" for messages.
    QString describe() const { return QString::fromLatin1(method) + u' ' + path; }
};

} // namespace mesh::api
