#pragma once

#include <QHostAddress>
#include <QObject>

#include <atomic>

namespace apps::http {
class HttpServer;
}

namespace apps::counter {

// HashiCorp's counting-service (demo-consul-101), on the wire the same:
//   /health (exact, any method) → 200 "Hello, you've hit /health\n"
//   anything else               → count + 1, then 200 {"count":N,"hostname":"<host>"}
// (no trailing newline, first N = 1, Content-Type text/plain; charset=utf-8 as
// Go's sniffing gives). The count is exact however many connections there are.
//
// Embeddable: listen on any address/port, name the instance with
// setHostname(); lives in the thread it was created in and never blocks it.
class CounterServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CounterServer)

public:
    explicit CounterServer(QObject *parent = nullptr);
    ~CounterServer() override;

    // Port 0 picks a free port; see port(). False with errorString() on failure.
    bool listen(const QHostAddress &address = QHostAddress::Any, quint16 port = 0);
    void close();
    bool isListening() const;
    quint16 port() const;
    QString errorString() const;

    // Defaults to the machine's host name, as os.Hostname() in the original.
    QString hostname() const { return m_hostname; }
    void setHostname(const QString &hostname);

    // Safe to call from any thread.
    quint64 count() const { return m_count.load(std::memory_order_relaxed); }

    // The HTTP server underneath: limits and connection statistics.
    http::HttpServer *httpServer() const { return m_http; }

Q_SIGNALS:
    // After each counted request, with the count that request was given.
    void countChanged(quint64 count);
    void healthChecked();

private:
    http::HttpServer *m_http;
    QString m_hostname;
    QByteArray m_bodySuffix; // ,"hostname":"…"} with the name JSON-escaped
    std::atomic<quint64> m_count{0};
};

} // namespace apps::counter
