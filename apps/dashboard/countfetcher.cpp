#include "countfetcher.h"
#include "dashboardlogging_p.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

namespace apps::dashboard {

namespace {
// A counting service answers with a few dozen bytes; anything far larger is
// not one, and must not fill our memory.
constexpr qint64 MaxBodyBytes = 1024 * 1024;
} // namespace

CountFetcher::CountFetcher(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_deadline(new QTimer(this))
{
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, &CountFetcher::onTimeout);
}

CountFetcher::~CountFetcher()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

std::chrono::microseconds CountFetcher::elapsed() const
{
    return std::chrono::microseconds(m_clock.nsecsElapsed() / 1000);
}

void CountFetcher::fetch()
{
    if (m_reply)
        return;
    m_clock.start();
    m_timedOut = false;
    m_body.clear();

    // Used exactly as given (no path appended, nothing "fixed"), like Go's
    // http.Get(url); Go's wording for what it cannot use.
    const QUrl url(m_url, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!url.isValid() || (scheme != u"http" && scheme != u"https")) {
        const QString reason = url.isValid() || m_url.isEmpty()
                                   ? QStringLiteral("unsupported protocol scheme \"%1\"").arg(scheme)
                                   : QStringLiteral("invalid URL: %1").arg(url.errorString());
        // Reported from the event loop, as a network failure would be, so
        // callers see one behaviour.
        QTimer::singleShot(0, this, [this, reason] {
            complete(FetchResult::failure(QStringLiteral("Get \"%1\": %2").arg(m_url, reason), elapsed()));
        });
        m_reply = nullptr;
        return;
    }

    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("HashiCorp Training Lab"));
    // No connection reuse: the original built a new Transport per request so
    // that a proxy's round robin shows on the page.
    request.setRawHeader("Connection", "close");
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);

    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, [this] {
        m_body += m_reply->readAll();
        if (m_body.size() > MaxBodyBytes) {
            m_reply->disconnect(this);
            m_reply->abort();
            m_reply->deleteLater();
            m_reply = nullptr;
            m_deadline->stop();
            complete(FetchResult::failure(
                QStringLiteral("Get \"%1\": response larger than %2 bytes").arg(m_url).arg(MaxBodyBytes), elapsed()));
        }
    });
    connect(m_reply, &QNetworkReply::finished, this, &CountFetcher::onFinished);
    m_deadline->start(m_timeout);
}

void CountFetcher::onTimeout()
{
    if (!m_reply)
        return;
    m_timedOut = true;
    m_reply->abort(); // emits finished()
}

void CountFetcher::onFinished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    m_deadline->stop();
    reply->deleteLater();
    m_body += reply->readAll();

    if (m_timedOut) {
        complete(FetchResult::failure(QStringLiteral("Get \"%1\": timed out after %2 ms (Client.Timeout exceeded)")
                                          .arg(m_url)
                                          .arg(m_timeout.count()),
                                      elapsed()));
        return;
    }
    // Like the original, the HTTP status is ignored: any response with a
    // body that decodes counts. Only transport failures are errors here.
    const bool gotResponse = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid();
    if (reply->error() != QNetworkReply::NoError && !gotResponse) {
        complete(FetchResult::failure(QStringLiteral("Get \"%1\": %2").arg(m_url, reply->errorString()), elapsed()));
        return;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(m_body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        const QString why = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                         : QStringLiteral("not a JSON object");
        complete(FetchResult::failure(QStringLiteral("invalid response from %1: %2").arg(m_url, why), elapsed()));
        return;
    }
    const QJsonObject object = document.object();
    const QJsonValue count = object.value(u"count");
    if (!count.isUndefined() && !count.isDouble()) {
        complete(FetchResult::failure(QStringLiteral("invalid response from %1: count is not a number").arg(m_url),
                                      elapsed()));
        return;
    }
    FetchResult result;
    result.reachable = true;
    result.count = count.toInteger();
    result.message = object.value(u"message").toString();
    result.hostname = object.value(u"hostname").toString();
    result.latency = elapsed();
    complete(std::move(result));
}

void CountFetcher::complete(FetchResult result)
{
    if (result.reachable)
        qCDebug(lcDashboard) << "Fetched count" << result.count;
    else
        qCDebug(lcDashboard) << "fetch failed:" << result.message;
    Q_EMIT finished(result);
}

} // namespace apps::dashboard
