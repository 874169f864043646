#pragma once

#include "fetchresult.h"

#include <QHostAddress>
#include <QList>
#include <QObject>

#include <chrono>
#include <optional>

class QTimer;
class QWebSocket;
class QWebSocketServer;

namespace apps::http {
class HttpServer;
struct Request;
struct Response;
} // namespace apps::http

namespace apps::dashboard {

class CountFetcher;

// HashiCorp's dashboard-service (demo-consul-101), rebuilt: serves its page
// from resources compiled in (no CDN, no jQuery or socket.io) and pushes the
// counting service's answer to every open page over a plain WebSocket at
// /ws, on the same port as the page.
//
// Routes: /health → 200 "Hello, you've hit /health\n"; /health/api → 200 "ok"
// after a successful fetch, else 503 "failures: N" (N consecutive failures;
// 0 before the first fetch, as the original); /metrics → Prometheus text;
// / (index.html), /app.js, /styles.css; /ws → WebSocket; else 404.
//
// Fetching: one fetch when a page connects, then one every updateInterval()
// while at least one page is open (the original fetched per page, so the
// count only moves while someone watches; it meant every 200 ms but in
// effect did every ~10 s; we default to 1 s). All pages share each result.
//
// Lives in the thread it was created in and never blocks it.
class DashboardServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardServer)

public:
    static constexpr const char *DefaultCountingServiceUrl = "http://localhost:9001";

    explicit DashboardServer(QObject *parent = nullptr);
    ~DashboardServer() override;

    // Port 0 picks a free port; see port(). False with errorString() on failure.
    bool listen(const QHostAddress &address = QHostAddress::Any, quint16 port = 0);
    void close();
    bool isListening() const;
    quint16 port() const;
    QString errorString() const;

    // Used exactly as given, even when empty (then every fetch fails).
    void setCountingServiceUrl(const QString &url);
    QString countingServiceUrl() const;
    void setUpdateInterval(std::chrono::milliseconds interval);
    std::chrono::milliseconds updateInterval() const { return m_interval; }

    int connectedPages() const { return int(m_pages.size()); }
    quint64 fetchCount() const { return m_fetches; }
    const std::optional<FetchResult> &lastResult() const { return m_last; }

    http::HttpServer *httpServer() const { return m_http; }

public Q_SLOTS:
    // Starts a fetch now unless one is running.
    void fetchNow();

Q_SIGNALS:
    void fetchCompleted(const apps::dashboard::FetchResult &result);
    void connectedPagesChanged(int pages);

private:
    void handle(const http::Request &request, http::Response &response);
    void acceptPages();
    void onFetched(const FetchResult &result);
    QByteArray metrics() const;

    http::HttpServer *m_http;
    QWebSocketServer *m_webSockets;
    CountFetcher *m_fetcher;
    QTimer *m_timer;
    QList<QWebSocket *> m_pages;
    std::chrono::milliseconds m_interval{1000};
    std::optional<FetchResult> m_last;
    quint64 m_fetches = 0;
    quint64 m_failures = 0;
    quint64 m_failuresSinceSuccess = 0;
    QByteArray m_indexHtml;
    QByteArray m_appJs;
    QByteArray m_stylesCss;
};

} // namespace apps::dashboard
