#include "counterserver.h"

#include "httpserver.h"

#include <QLoggingCategory>
#include <QSysInfo>

#include <charconv>

namespace apps::counter {

Q_LOGGING_CATEGORY(lcCounter, "meshpad.counter", QtInfoMsg)

namespace {

// encoding/json's escaping, so the body is byte-identical to the Go
// service's: <, > and & become \u003c, \u003e, \u0026 (HTML-safe default),
// as do U+2028 and U+2029.
QByteArray jsonString(const QString &text)
{
    static constexpr char Hex[] = "0123456789abcdef";
    QByteArray out;
    out.append('"');
    const QByteArray utf8 = text.toUtf8();
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c == '"' || c == '\\') {
            out.append('\\').append(char(c));
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\r') {
            out.append("\\r");
        } else if (c == '\t') {
            out.append("\\t");
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out.append("\\u00").append(Hex[c >> 4]).append(Hex[c & 0xf]);
        } else if (c == 0xe2 && i + 2 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) == 0x80
                   && (static_cast<unsigned char>(utf8[i + 2]) & 0xfe) == 0xa8) {
            out.append(static_cast<unsigned char>(utf8[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else {
            out.append(char(c));
        }
    }
    out.append('"');
    return out;
}

} // namespace

CounterServer::CounterServer(QObject *parent)
    : QObject(parent)
    , m_http(new http::HttpServer(this))
{
    setHostname(QSysInfo::machineHostName());
    m_http->setHandler([this](const http::Request &request, http::Response &response) {
        // gorilla/mux matches the path only, so "/health?x=1" is /health too.
        if (request.path == "/health") {
            response.body = QByteArrayLiteral("Hello, you've hit /health\n");
            Q_EMIT healthChecked();
            return;
        }
        const quint64 n = m_count.fetch_add(1, std::memory_order_relaxed) + 1;
        char digits[24];
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
        Q_UNUSED(ec);
        response.body.reserve(10 + (end - digits) + m_bodySuffix.size());
        response.body.append("{\"count\":");
        response.body.append(digits, end - digits);
        response.body.append(m_bodySuffix);
        Q_EMIT countChanged(n);
    });
}

CounterServer::~CounterServer() = default;

bool CounterServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_http->listen(address, port)) {
        qCWarning(lcCounter) << "cannot listen on" << address << port << m_http->errorString();
        return false;
    }
    qCDebug(lcCounter) << "listening on" << address << m_http->port();
    return true;
}

void CounterServer::close()
{
    m_http->close();
}

bool CounterServer::isListening() const
{
    return m_http->isListening();
}

quint16 CounterServer::port() const
{
    return m_http->port();
}

QString CounterServer::errorString() const
{
    return m_http->errorString();
}

void CounterServer::setHostname(const QString &hostname)
{
    m_hostname = hostname;
    m_bodySuffix = ",\"hostname\":" + jsonString(hostname) + '}';
}

} // namespace apps::counter
