#include "apiclient.h"

#include "apilog.h"
#include "unixhttpexchange_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <QCoro/QCoroNetworkReply>
#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace mesh::api {

namespace {

// What a person reads about a server's answer: trimmed, bounded.
QString bodyText(const QByteArray &body)
{
    constexpr qsizetype kMax = 2000;
    QString text = QString::fromUtf8(body).trimmed();
    if (text.size() > kMax)
        text = text.left(kMax) + u"…"_s;
    return text;
}

QString seconds(std::chrono::milliseconds d)
{
    if (d.count() % 1000 == 0)
        return QString::number(d.count() / 1000) + u" s"_s;
    return QString::number(double(d.count()) / 1000.0, 'f', 1) + u" s"_s;
}

QString mebibytes(qint64 bytes)
{
    if (bytes % (1024 * 1024) == 0)
        return QString::number(bytes / (1024 * 1024)) + u" MiB"_s;
    return QString::number(bytes) + u" bytes"_s;
}

Error makeError(Error::Code code, QString message, int httpStatus = 0)
{
    Error e{code, std::move(message)};
    e.httpStatus = httpStatus;
    return e;
}

bool isTransient(const Error &e)
{
    return e.code == Error::Code::Refused || e.code == Error::Code::Network
           || (e.code == Error::Code::HttpStatus && e.httpStatus >= 500);
}

// The identity of a request for messages, captured before a co_await so
// that nothing of the client is needed after it.
struct Where
{
    QString product;
    QString address;
    QString request;

    QString at() const { return product + u" at "_s + address; }
    Error cancelled() const
    {
        return makeError(Error::Code::Cancelled, request + u" to "_s + at() + u" was cancelled"_s);
    }
    Error timedOut(std::chrono::milliseconds t, bool connecting) const
    {
        if (connecting)
            return makeError(Error::Code::Timeout,
                             u"cannot reach "_s + at() + u": no connection within "_s + seconds(t));
        return makeError(Error::Code::Timeout,
                         at() + u": "_s + request + u" got no complete answer within "_s + seconds(t));
    }
    Error tooLarge(qint64 cap, qint64 declared) const
    {
        QString size = declared > 0 ? u" ("_s + QString::number(declared) + u" bytes)"_s : QString();
        return makeError(Error::Code::TooLarge, product + u"'s answer to "_s + request + size
                                                    + u" is larger than the "_s + mebibytes(cap)
                                                    + u" limit; refused"_s);
    }
};

// Back-off before retry `attempt` (1-based): doubling from base, capped,
// plus up to 50 % jitter so that many clients do not retry in step.
std::chrono::milliseconds backoff(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max)
{
    qint64 d = base.count();
    for (int i = 1; i < attempt && d < max.count(); ++i)
        d *= 2;
    d = std::min<qint64>(d, max.count());
    d += QRandomGenerator::global()->bounded(d / 2 + 1);
    return std::chrono::milliseconds(d);
}

struct DeleteLater
{
    void operator()(QObject *o) const { o->deleteLater(); }
};

} // namespace

ApiClient::ApiClient(ApiEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
{
}

ApiClient::~ApiClient()
{
    // The coroutines waiting on these resume inside abort(); m_closing
    // tells them the client is going and they must not touch it again.
    m_closing = true;
    const auto replies = m_running;
    for (QNetworkReply *reply : replies)
        reply->abort();
    const auto exchanges = m_runningUnix;
    for (UnixHttpExchange *exchange : exchanges)
        exchange->abort(UnixHttpExchange::Failure::Cancelled);
}

Result<> ApiClient::checkConfiguration()
{
    if (m_endpoint.isUnixSocket() || !m_endpoint.isHttps())
        return {};
    if (!m_ssl)
        m_ssl = m_endpoint.tls.toSslConfiguration();
    if (!*m_ssl) {
        Error e = m_ssl->error();
        e.message = u"TLS settings for "_s + m_endpoint.product + u" at "_s + m_endpoint.address + u": "_s + e.message;
        return std::unexpected(e);
    }
    return {};
}

std::chrono::milliseconds ApiClient::effectiveWait(std::chrono::milliseconds wait) const
{
    return std::min(wait, m_endpoint.maxBlockingWait);
}

std::chrono::milliseconds ApiClient::attemptTimeout(const ApiRequest &request) const
{
    if (request.timeout > 0ms)
        return request.timeout;
    if (request.blockingWait > 0ms) {
        // The server answers after wait plus up to wait/16 of jitter
        // (https://developer.hashicorp.com/consul/api-docs/features/blocking).
        const auto wait = effectiveWait(request.blockingWait);
        return wait + wait / 16 + m_options.blockingMargin;
    }
    return m_options.requestTimeout;
}

QUrlQuery ApiClient::effectiveQuery(const ApiRequest &request) const
{
    QUrlQuery query = m_endpoint.defaultQuery;
    for (const auto &[key, value] : request.query.queryItems(QUrl::FullyEncoded)) {
        query.removeAllQueryItems(key);
        query.addQueryItem(key, value);
    }
    if (request.blockingWait > 0ms) {
        // Milliseconds as the Go clients send it (hashicorp/consul: api/api.go
        // durToMsec); both servers parse a Go duration.
        query.removeAllQueryItems(u"wait"_s);
        query.addQueryItem(u"wait"_s, QString::number(effectiveWait(request.blockingWait).count()) + u"ms"_s);
    }
    return query;
}

Error ApiClient::cancelledError(const ApiRequest &request) const
{
    return Where{m_endpoint.product, m_endpoint.address, request.describe()}.cancelled();
}

void ApiClient::fillMetadata(ApiResponse &response)
{
    for (const char *name : {"X-Consul-Index", "X-Nomad-Index"}) {
        const QByteArray v = response.header(name);
        bool ok = false;
        const quint64 index = v.toULongLong(&ok);
        if (ok) {
            response.index = index;
            break;
        }
    }
    response.contentHash = QString::fromLatin1(response.header("X-Consul-ContentHash"));
    for (const char *name : {"X-Consul-KnownLeader", "X-Nomad-KnownLeader"}) {
        const QByteArray v = response.header(name);
        if (!v.isEmpty()) {
            response.knownLeader = v.trimmed().toLower() == "true";
            break;
        }
    }
}

Error ApiClient::httpError(const ApiRequest &request, const ApiResponse &response) const
{
    const QString product = m_endpoint.product;
    const QString what = request.describe();
    const QString body = bodyText(response.body);
    const int status = response.status;
    const QString words = body.isEmpty() ? QString() : u": "_s + body;
    switch (status) {
    case 400:
    case 405:
    case 422: return makeError(Error::Code::Invalid, product + u" rejected "_s + what + words, status);
    case 401:
    case 403:
        return makeError(Error::Code::PermissionDenied,
                         product + u" refused "_s + what + (body.isEmpty() ? u": permission denied"_s : words), status);
    case 404:
        return makeError(Error::Code::NotFound,
                         product + u" has nothing at "_s + what + (body.isEmpty() ? u" (404 not found)"_s : words),
                         status);
    case 409: return makeError(Error::Code::Conflict, product + u" reported a conflict on "_s + what + words, status);
    default: break;
    }
    return makeError(Error::Code::HttpStatus,
                     product + u" failed "_s + what + u" with HTTP "_s + QString::number(status) + words, status);
}

Result<QJsonValue> ApiClient::parseJson(const ApiRequest &request, const ApiResponse &response) const
{
    // QJsonDocument only takes an object or array at the top level; the
    // leader endpoints answer a bare string. Wrap and unwrap.
    QByteArray wrapped;
    wrapped.reserve(response.body.size() + 2);
    wrapped.append('[').append(response.body).append(']');
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1) {
        QString why = error.error != QJsonParseError::NoError
                          ? error.errorString() + u" at offset "_s + QString::number(std::max(0, error.offset - 1))
                          : (response.body.trimmed().isEmpty() ? u"the body is empty"_s : u"more than one value"_s);
        return fail(Error::Code::Parse, m_endpoint.product + u" answered "_s + request.describe()
                                            + u" with JSON that does not parse: "_s + why);
    }
    return doc.array().at(0);
}

void ApiClient::applyOptions(ApiRequest &request, const QueryOptions &options)
{
    if (options.index > 0)
        request.query.addQueryItem(u"index"_s, QString::number(options.index));
    if (!options.hash.isEmpty())
        request.query.addQueryItem(u"hash"_s, options.hash);
    request.blockingWait = options.wait;
    request.cancelToken = options.cancel;
}

QCoro::Task<Result<ApiResponse>> ApiClient::request(ApiRequest request)
{
    const Where where{m_endpoint.product, m_endpoint.address, request.describe()};
    if (m_closing || (request.cancelToken && request.cancelToken->isCancelled()))
        co_return std::unexpected(where.cancelled());
    if (auto ok = checkConfiguration(); !ok)
        co_return std::unexpected(ok.error());

    QPointer<ApiClient> self(this);
    const int attempts = request.isRetryable() ? std::max(1, m_options.maxAttempts) : 1;
    for (int attempt = 1;; ++attempt) {
        // Not a conditional expression: GCC 12 miscompiles co_await inside ?:.
        std::optional<Result<ApiResponse>> attemptResult;
        if (m_endpoint.isUnixSocket())
            attemptResult.emplace(co_await attemptUnix(request));
        else
            attemptResult.emplace(co_await attemptHttp(request));
        Result<ApiResponse> result = std::move(*attemptResult);
        if (!self || m_closing)
            co_return std::unexpected(where.cancelled());
        if (result && result->status >= 200 && result->status < 300)
            co_return result;
        const Error error = result ? httpError(request, *result) : result.error();
        if (!isTransient(error) || attempt >= attempts)
            co_return std::unexpected(error);

        const auto delay = backoff(attempt, m_options.retryBaseDelay, m_options.retryMaxDelay);
        qCDebug(lcApi).noquote() << where.request << "to" << where.at() << "failed (" << error.message << "); retry"
                                 << attempt + 1 << "of" << attempts << "in" << delay.count() << "ms";
        if (QPointer<CancelToken> token = request.cancelToken) {
            co_await qCoro(token.data(), &CancelToken::cancelled, delay);
            if (!token || token->isCancelled())
                co_return std::unexpected(where.cancelled());
        } else {
            co_await QCoro::sleepFor(delay);
        }
        if (!self || m_closing)
            co_return std::unexpected(where.cancelled());
    }
}

QCoro::Task<Result<ApiResponse>> ApiClient::attemptHttp(const ApiRequest &request)
{
    const Where where{m_endpoint.product, m_endpoint.address, request.describe()};
    if (!m_nam) {
        m_nam = new QNetworkAccessManager(this);
        // An agent never redirects; following one could send the token elsewhere.
        m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    }

    QUrl url = m_endpoint.baseUrl;
    QString basePath = url.path(QUrl::FullyEncoded);
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + request.path, QUrl::TolerantMode);
    const QUrlQuery query = effectiveQuery(request);
    if (!query.isEmpty())
        url.setQuery(query);

    QNetworkRequest nr(url);
    nr.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    nr.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    nr.setRawHeader("Accept", "application/json");
    for (const auto &[name, value] : m_endpoint.headers)
        nr.setRawHeader(name, value);
    for (const auto &[name, value] : request.headers)
        nr.setRawHeader(name, value);
    if (!request.body.isEmpty() && !nr.hasRawHeader("Content-Type"))
        nr.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (m_endpoint.isHttps()) {
        nr.setSslConfiguration(m_ssl->value());
        if (!m_endpoint.tls.serverName.isEmpty())
            nr.setPeerVerifyName(m_endpoint.tls.serverName);
    }

    struct State
    {
        QByteArray body;
        QList<QSslError> sslErrors;
        qint64 declaredLength = -1;
        bool tooLarge = false;
        bool timedOut = false;
        bool connecting = true;
        bool cancelled = false;
    };
    auto state = std::make_shared<State>();
    const qint64 cap = m_options.maxResponseBytes;
    const auto timeout = attemptTimeout(request);
    const auto connectTimeout = timeout;

    // QNetworkAccessManager opens at most six connections per host (Qt 6.4
    // has no setting for it; QHttp1Configuration came in 6.5), and queues
    // the rest: a handful of long-polls would hold every slot for minutes
    // and starve the calls that must answer now, such as a sidecar's
    // authorize. A blocking query gets a connection of its own.
    std::unique_ptr<QNetworkAccessManager, DeleteLater> blockingNam;
    QNetworkAccessManager *nam = m_nam;
    if (request.blockingWait.count() > 0) {
        blockingNam.reset(new QNetworkAccessManager(this));
        blockingNam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        nam = blockingNam.get();
    }
    QNetworkReply *reply = nam->sendCustomRequest(nr, request.method, request.body);
    std::unique_ptr<QNetworkReply, DeleteLater> owner(reply);
    m_running.insert(reply);

    // A bounded read buffer makes Qt stop reading the socket until we take
    // the bytes: the cap is enforced without the body piling up first.
    reply->setReadBufferSize(256 * 1024);
    auto drain = [reply, state, cap] {
        while (!state->tooLarge && reply->bytesAvailable() > 0) {
            const QByteArray chunk = reply->read(std::min<qint64>(reply->bytesAvailable(), 1024 * 1024));
            if (state->body.size() + chunk.size() > cap) {
                state->tooLarge = true;
                state->body.clear();
                reply->abort();
                return;
            }
            state->body += chunk;
        }
    };
    connect(reply, &QNetworkReply::readyRead, reply, drain);
    connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, state, cap] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > cap) {
            state->tooLarge = true;
            state->declaredLength = length.toLongLong();
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::sslErrors, reply,
            [state](const QList<QSslError> &errors) { state->sslErrors += errors; });

    // No separate connect timeout here: Qt 6.4 does not emit
    // QNetworkReply::requestSent for HTTP/1, so the end of the connect phase
    // cannot be seen; the total timeout bounds it (the unix path has both).
    state->connecting = false;
    auto *totalTimer = new QTimer(reply);
    totalTimer->setSingleShot(true);
    connect(totalTimer, &QTimer::timeout, reply, [reply, state] {
        state->timedOut = true;
        reply->abort();
    });
    totalTimer->start(timeout);
    if (request.cancelToken) {
        connect(request.cancelToken.data(), &CancelToken::cancelled, reply, [reply, state] {
            state->cancelled = true;
            reply->abort();
        });
    }

    QPointer<ApiClient> self(this);
    co_await reply;

    if (self)
        m_running.remove(reply);
    if (!self || m_closing || state->cancelled)
        co_return std::unexpected(where.cancelled());
    if (!state->tooLarge && !state->timedOut)
        drain();
    if (state->tooLarge)
        co_return std::unexpected(where.tooLarge(cap, state->declaredLength));
    if (state->timedOut)
        co_return std::unexpected(where.timedOut(state->connecting ? connectTimeout : timeout, state->connecting));

    const QNetworkReply::NetworkError error = reply->error();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    // Qt flags 4xx/5xx as errors too (codes >= 200); those are answers.
    if (status.isValid() && (error == QNetworkReply::NoError || int(error) >= 200)) {
        ApiResponse response;
        response.status = status.toInt();
        response.body = std::move(state->body);
        for (const auto &[name, value] : reply->rawHeaderPairs())
            response.headers.append({name, value});
        fillMetadata(response);
        co_return response;
    }

    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        co_return std::unexpected(
            makeError(Error::Code::Refused, u"cannot reach "_s + where.at() + u": connection refused"_s));
    case QNetworkReply::HostNotFoundError:
        co_return std::unexpected(
            makeError(Error::Code::Network, u"cannot reach "_s + where.at() + u": host not found"_s));
    case QNetworkReply::SslHandshakeFailedError: {
        QStringList why;
        for (const QSslError &e : std::as_const(state->sslErrors))
            why << e.errorString();
        why.removeDuplicates();
        if (why.isEmpty())
            why << reply->errorString();
        co_return std::unexpected(
            makeError(Error::Code::Tls, u"TLS with "_s + where.at() + u" failed: "_s + why.join(u"; "_s)));
    }
    case QNetworkReply::RemoteHostClosedError:
        co_return std::unexpected(
            makeError(Error::Code::Network, where.at() + u" closed the connection during "_s + where.request));
    default: break;
    }
    if (!state->sslErrors.isEmpty()) {
        co_return std::unexpected(makeError(Error::Code::Tls, u"TLS with "_s + where.at() + u" failed: "_s
                                                                  + state->sslErrors.constFirst().errorString()));
    }
    co_return std::unexpected(
        makeError(Error::Code::Network, u"cannot reach "_s + where.at() + u": "_s + reply->errorString()));
}

QCoro::Task<Result<ApiResponse>> ApiClient::attemptUnix(const ApiRequest &request)
{
    const Where where{m_endpoint.product, m_endpoint.address, request.describe()};
    const QUrlQuery query = effectiveQuery(request);
    QByteArray bytes = request.method + ' ' + request.path.toLatin1();
    if (!query.isEmpty())
        bytes += '?' + query.query(QUrl::FullyEncoded).toLatin1();
    bytes += " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept: application/json\r\n";
    auto addHeader
        = [&bytes](const QByteArray &name, const QByteArray &value) { bytes += name + ": " + value + "\r\n"; };
    for (const auto &[name, value] : m_endpoint.headers)
        addHeader(name, value);
    for (const auto &[name, value] : request.headers)
        addHeader(name, value);
    if (!request.body.isEmpty() || request.method == "PUT" || request.method == "POST") {
        if (!request.body.isEmpty())
            addHeader("Content-Type", "application/json");
        addHeader("Content-Length", QByteArray::number(request.body.size()));
    }
    bytes += "\r\n" + request.body;

    const auto timeout = attemptTimeout(request);
    const auto connectTimeout = std::min(m_options.connectTimeout, timeout);
    const qint64 cap = m_options.maxResponseBytes;
    const QString socketPath = m_endpoint.unixSocketPath;
    std::unique_ptr<UnixHttpExchange, DeleteLater> exchange(
        new UnixHttpExchange(socketPath, bytes, cap, connectTimeout, timeout, this));
    UnixHttpExchange *ex = exchange.get();
    m_runningUnix.insert(ex);
    if (request.cancelToken) {
        connect(request.cancelToken.data(), &CancelToken::cancelled, ex,
                [ex] { ex->abort(UnixHttpExchange::Failure::Cancelled); });
    }
    QPointer<ApiClient> self(this);
    ex->start();
    if (!ex->isFinished())
        co_await qCoro(ex, &UnixHttpExchange::finished);
    if (self)
        m_runningUnix.remove(ex);

    using F = UnixHttpExchange::Failure;
    switch (ex->failure()) {
    case F::None: {
        ApiResponse response = ex->response();
        fillMetadata(response);
        co_return response;
    }
    case F::Cancelled: co_return std::unexpected(where.cancelled());
    case F::TooLarge: co_return std::unexpected(where.tooLarge(cap, -1));
    case F::Timeout:
        co_return std::unexpected(where.timedOut(ex->connected() ? timeout : connectTimeout, !ex->connected()));
    case F::Connect: {
        const auto e = ex->socketError();
        if (e == QLocalSocket::ConnectionRefusedError)
            co_return std::unexpected(
                makeError(Error::Code::Refused, u"cannot reach "_s + where.at() + u": connection refused"_s));
        if (e == QLocalSocket::ServerNotFoundError)
            co_return std::unexpected(
                makeError(Error::Code::Refused, u"cannot reach "_s + where.at() + u": no socket at "_s + socketPath));
        co_return std::unexpected(
            makeError(Error::Code::Network, u"cannot reach "_s + where.at() + u": "_s + ex->detail()));
    }
    case F::Closed:
    case F::Malformed: break;
    }
    co_return std::unexpected(
        makeError(Error::Code::Network, where.at() + u": "_s + where.request + u": "_s + ex->detail()));
}

} // namespace mesh::api
