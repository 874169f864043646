#include "dashboardserver.h"
#include "countfetcher.h"
#include "dashboardlogging_p.h"

#include "httpserver.h"

#include <QFile>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

namespace apps::dashboard {

Q_LOGGING_CATEGORY(lcDashboard, "meshpad.dashboard", QtInfoMsg)

namespace {

QByteArray readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("dashboard: resource %s missing from the build", qPrintable(path));
    return file.readAll();
}

} // namespace

DashboardServer::DashboardServer(QObject *parent)
    : QObject(parent)
    , m_http(new http::HttpServer(this))
    , m_webSockets(new QWebSocketServer(QStringLiteral("Meshpad dashboard"), QWebSocketServer::NonSecureMode, this))
    , m_fetcher(new CountFetcher(this))
    , m_timer(new QTimer(this))
    , m_indexHtml(readResource(QStringLiteral(":/dashboard/index.html")))
    , m_appJs(readResource(QStringLiteral(":/dashboard/app.js")))
    , m_stylesCss(readResource(QStringLiteral(":/dashboard/styles.css")))
{
    m_fetcher->setUrl(QString::fromLatin1(DefaultCountingServiceUrl));
    m_timer->setTimerType(Qt::PreciseTimer); // jitter well under 10 % of 1 s (docs/targets.md)
    m_timer->setInterval(m_interval);
    connect(m_timer, &QTimer::timeout, this, &DashboardServer::fetchNow);
    connect(m_fetcher, &CountFetcher::finished, this, &DashboardServer::onFetched);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &DashboardServer::acceptPages);

    m_http->setHandler([this](const http::Request &request, http::Response &response) { handle(request, response); });
    m_http->setUpgradeHandler({
        [](const http::Request &request) { return request.path == "/ws"; },
        // QWebSocketServer reads the handshake from the socket itself and
        // takes ownership; the page is thus served and pushed on one port.
        [this](QTcpSocket *socket) { m_webSockets->handleConnection(socket); },
    });
}

DashboardServer::~DashboardServer()
{
    close();
}

bool DashboardServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_http->listen(address, port)) {
        qCWarning(lcDashboard) << "cannot listen on" << address << port << m_http->errorString();
        return false;
    }
    return true;
}

void DashboardServer::close()
{
    m_timer->stop();
    m_http->close();
    const auto pages = m_pages;
    m_pages.clear();
    for (QWebSocket *page : pages) {
        page->disconnect(this);
        page->abort();
        page->deleteLater();
    }
}

bool DashboardServer::isListening() const
{
    return m_http->isListening();
}

quint16 DashboardServer::port() const
{
    return m_http->port();
}

QString DashboardServer::errorString() const
{
    return m_http->errorString();
}

void DashboardServer::setCountingServiceUrl(const QString &url)
{
    m_fetcher->setUrl(url);
}

QString DashboardServer::countingServiceUrl() const
{
    return m_fetcher->url();
}

void DashboardServer::setUpdateInterval(std::chrono::milliseconds interval)
{
    m_interval = interval;
    m_timer->setInterval(interval);
}

void DashboardServer::fetchNow()
{
    m_fetcher->fetch();
}

void DashboardServer::handle(const http::Request &request, http::Response &response)
{
    const QByteArrayView path = request.path;
    if (path == "/health") {
        response.body = QByteArrayLiteral("Hello, you've hit /health\n");
    } else if (path == "/health/api") {
        if (m_last && m_failuresSinceSuccess == 0) {
            response.body = QByteArrayLiteral("ok");
        } else {
            response.status = 503;
            response.body = "failures: " + QByteArray::number(m_failuresSinceSuccess);
        }
    } else if (path == "/metrics") {
        response.contentType = QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
        response.body = metrics();
    } else if (path == "/" || path == "/index.html") {
        response.contentType = QByteArrayLiteral("text/html; charset=utf-8");
        response.body = m_indexHtml;
    } else if (path == "/app.js") {
        response.contentType = QByteArrayLiteral("text/javascript; charset=utf-8");
        response.body = m_appJs;
    } else if (path == "/styles.css") {
        response.contentType = QByteArrayLiteral("text/css; charset=utf-8");
        response.body = m_stylesCss;
    } else if (path == "/ws") {
        response.status = 400;
        response.body = QByteArrayLiteral("expected a WebSocket upgrade\n");
    } else {
        response.status = 404;
        response.body = QByteArrayLiteral("404 page not found\n"); // Go's wording
    }
}

QByteArray DashboardServer::metrics() const
{
    const double latency = m_last ? double(m_last->latency.count()) / 1e6 : 0.0;
    QByteArray out;
    out += "# HELP dashboard_fetches_total Requests made to the counting service.\n"
           "# TYPE dashboard_fetches_total counter\n"
           "dashboard_fetches_total "
           + QByteArray::number(m_fetches)
           + "\n"
             "# HELP dashboard_fetch_failures_total Requests to the counting service that failed.\n"
             "# TYPE dashboard_fetch_failures_total counter\n"
             "dashboard_fetch_failures_total "
           + QByteArray::number(m_failures)
           + "\n"
             "# HELP dashboard_last_fetch_latency_seconds Duration of the last request to the counting service.\n"
             "# TYPE dashboard_last_fetch_latency_seconds gauge\n"
             "dashboard_last_fetch_latency_seconds "
           + QByteArray::number(latency, 'g', 6)
           + "\n"
             "# HELP dashboard_connected_pages Pages connected over WebSocket.\n"
             "# TYPE dashboard_connected_pages gauge\n"
             "dashboard_connected_pages "
           + QByteArray::number(m_pages.size()) + "\n";
    return out;
}

void DashboardServer::acceptPages()
{
    while (QWebSocket *page = m_webSockets->nextPendingConnection()) {
        page->setParent(this);
        m_pages.append(page);
        qCInfo(lcDashboard) << "New client connected";
        connect(page, &QWebSocket::disconnected, this, [this, page] {
            if (m_pages.removeOne(page)) {
                page->deleteLater();
                if (m_pages.isEmpty())
                    m_timer->stop();
                Q_EMIT connectedPagesChanged(int(m_pages.size()));
            }
        });
        // The last answer at once, then a fresh one, like the original's
        // fetch on connect.
        if (m_last)
            page->sendTextMessage(QString::fromUtf8(m_last->toJson()));
        Q_EMIT connectedPagesChanged(int(m_pages.size()));
    }
    fetchNow();
    if (!m_pages.isEmpty() && !m_timer->isActive())
        m_timer->start();
}

void DashboardServer::onFetched(const FetchResult &result)
{
    ++m_fetches;
    if (result.reachable) {
        m_failuresSinceSuccess = 0;
    } else {
        ++m_failures;
        ++m_failuresSinceSuccess;
    }
    m_last = result;
    const QString json = QString::fromUtf8(result.toJson());
    for (QWebSocket *page : std::as_const(m_pages))
        page->sendTextMessage(json);
    Q_EMIT fetchCompleted(result);
}

} // namespace apps::dashboard
