#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace meshtest {

// One HTTP/1.1 response as a test client reads it off a raw socket: the
// status, the head (status line and headers) and a Content-Length body.
// Test-only, header-only: for tests of the HTTP servers themselves, which
// must see exactly the bytes on the wire.
struct RawHttpResponse
{
    int status = 0;
    QByteArray head;
    QByteArray body;

    // The first header called `name` (case-insensitive), trimmed; empty when absent.
    QByteArray header(QByteArrayView name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && QByteArrayView(line).first(colon).compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }

    // Takes one complete response off the front of `buffer` (an answer to
    // HEAD has no body); nullopt, and `buffer` untouched, while incomplete.
    static std::optional<RawHttpResponse> take(QByteArray &buffer, bool headRequest = false)
    {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        RawHttpResponse r;
        r.head = buffer.first(end);
        r.status = r.head.mid(9, 3).toInt();
        const qsizetype length = headRequest ? 0 : r.header("Content-Length").toLongLong();
        if (buffer.size() < end + 4 + length)
            return std::nullopt;
        r.body = buffer.mid(end + 4, length);
        buffer.remove(0, end + 4 + length);
        return r;
    }
};

} // namespace meshtest
