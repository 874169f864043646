#pragma once

#include "fetchresult.h"

#include <QElapsedTimer>
#include <QObject>

#include <chrono>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace apps::dashboard {

// Reads the counting service the way the original dashboard does: GET the
// URL exactly as given, User-Agent "HashiCorp Training Lab", a 2 s deadline
// for the whole exchange, the HTTP status ignored, the body decoded as
// {count, message, hostname}. Every fetch uses a new connection
// (Connection: close), so replicas behind a round-robin proxy take turns.
//
// One fetch at a time; fetch() while one is running does nothing.
class CountFetcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CountFetcher)

public:
    explicit CountFetcher(QObject *parent = nullptr);
    ~CountFetcher() override;

    void setUrl(const QString &url) { m_url = url; }
    QString url() const { return m_url; }
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    std::chrono::milliseconds timeout() const { return m_timeout; }

    void fetch();

Q_SIGNALS:
    void finished(const apps::dashboard::FetchResult &result);

private:
    void onFinished();
    void onTimeout();
    void complete(FetchResult result);
    std::chrono::microseconds elapsed() const;

    QNetworkAccessManager *m_network;
    QTimer *m_deadline;
    QNetworkReply *m_reply = nullptr;
    QByteArray m_body;
    QElapsedTimer m_clock;
    QString m_url;
    std::chrono::milliseconds m_timeout{2000};
    bool m_timedOut = false;
};

} // namespace apps::dashboard
