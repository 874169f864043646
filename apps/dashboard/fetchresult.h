#pragma once

#include <QMetaType>
#include <QString>

#include <chrono>

namespace apps::dashboard {

// One attempt to read the counting service, in the shape the original
// dashboard sends to its page: on any failure count -1, hostname
// "[Unreachable]" and the error as message.
struct FetchResult
{
    bool reachable = false;
    qint64 count = -1;
    QString message;
    QString hostname = QStringLiteral("[Unreachable]");
    std::chrono::microseconds latency{0};

    static FetchResult failure(QString message, std::chrono::microseconds latency)
    {
        FetchResult r;
        r.message = std::move(message);
        r.latency = latency;
        return r;
    }

    // {"count":N,"message":"…","hostname":"…"}: the original's field order.
    QByteArray toJson() const;
};

} // namespace apps::dashboard

Q_DECLARE_METATYPE(apps::dashboard::FetchResult)
