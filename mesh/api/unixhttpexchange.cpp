#include "unixhttpexchange_p.h"

namespace mesh::api {

namespace {
constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
}

UnixHttpExchange::UnixHttpExchange(QString socketPath, QByteArray request, qint64 maxBodyBytes,
                                   std::chrono::milliseconds connectTimeout, std::chrono::milliseconds totalTimeout,
                                   QObject *parent)
    : QObject(parent)
    , m_socket(new QLocalSocket(this))
    , m_path(std::move(socketPath))
    , m_request(std::move(request))
    , m_maxBody(maxBodyBytes)
{
    m_connectTimer.setSingleShot(true);
    m_connectTimer.setInterval(connectTimeout);
    m_totalTimer.setSingleShot(true);
    m_totalTimer.setInterval(totalTimeout);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] { abort(Failure::Timeout); });
    connect(&m_totalTimer, &QTimer::timeout, this, [this] { abort(Failure::Timeout); });
    connect(m_socket, &QLocalSocket::connected, this, [this] {
        m_connected = true;
        m_connectTimer.stop();
        m_socket->write(m_request);
    });
    connect(m_socket, &QLocalSocket::readyRead, this, &UnixHttpExchange::onReadyRead);
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        if (m_finished)
            return;
        if (!m_connected) {
            m_socketError = error;
            finish(Failure::Connect, m_socket->errorString());
            return;
        }
        if (error == QLocalSocket::PeerClosedError) {
            onReadyRead();
            if (m_finished)
                return;
            if (m_state == State::UntilClose) {
                m_state = State::Done;
                finish(Failure::None);
            } else {
                finish(Failure::Closed,
                       QStringLiteral("the server closed the connection before the answer was complete"));
            }
            return;
        }
        m_socketError = error;
        finish(Failure::Closed, m_socket->errorString());
    });
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        if (m_finished)
            return;
        onReadyRead();
        if (m_finished)
            return;
        if (m_state == State::UntilClose)
            finish(Failure::None);
        else
            finish(Failure::Closed, QStringLiteral("the server closed the connection before the answer was complete"));
    });
}

UnixHttpExchange::~UnixHttpExchange()
{
    // No signal from a dying object: the socket's own teardown must not
    // re-enter finish().
    m_finished = true;
    m_socket->disconnect(this);
}

void UnixHttpExchange::start()
{
    m_connectTimer.start();
    m_totalTimer.start();
    m_socket->connectToServer(m_path);
}

void UnixHttpExchange::abort(Failure reason)
{
    if (m_finished)
        return;
    finish(reason);
}

void UnixHttpExchange::finish(Failure failure, QString detail)
{
    if (m_finished)
        return;
    m_finished = true;
    m_failure = failure;
    m_detail = std::move(detail);
    m_connectTimer.stop();
    m_totalTimer.stop();
    m_socket->disconnect(this);
    m_socket->abort();
    Q_EMIT finished();
}

void UnixHttpExchange::onReadyRead()
{
    if (m_finished)
        return;
    m_buffer += m_socket->readAll();
    parse();
}

bool UnixHttpExchange::appendBody(QByteArrayView bytes)
{
    if (m_response.body.size() + bytes.size() > m_maxBody) {
        finish(Failure::TooLarge);
        return false;
    }
    m_response.body.append(bytes);
    return true;
}

bool UnixHttpExchange::takeRemainingBody()
{
    const qint64 n = std::min<qint64>(m_remaining, m_buffer.size());
    if (!appendBody(QByteArrayView(m_buffer).first(n)))
        return false;
    m_buffer.remove(0, n);
    m_remaining -= n;
    return m_remaining == 0;
}

bool UnixHttpExchange::parseHeaders()
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_buffer.size() > kMaxHeaderBytes)
            finish(Failure::Malformed, QStringLiteral("the response headers exceed 64 KiB"));
        return false;
    }
    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    m_buffer.remove(0, end + 4);
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    bool ok = false;
    const int status = statusLine.size() >= 2 ? statusLine.at(1).toInt(&ok) : 0;
    if (!statusLine.value(0).startsWith("HTTP/1.") || !ok || status < 100 || status > 999) {
        finish(Failure::Malformed, QStringLiteral("the answer is not HTTP/1.x"));
        return false;
    }
    m_response.status = status;
    bool chunked = false;
    std::optional<qint64> length;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        QByteArray name = line.left(colon).trimmed();
        QByteArray value = line.mid(colon + 1).trimmed();
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0 && value.toLower().contains("chunked")) {
            chunked = true;
        } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            bool lengthOk = false;
            const qint64 n = value.toLongLong(&lengthOk);
            if (!lengthOk || n < 0) {
                finish(Failure::Malformed, QStringLiteral("bad Content-Length"));
                return false;
            }
            length = n;
        }
        m_response.headers.append({std::move(name), std::move(value)});
    }
    if (chunked) {
        m_state = State::ChunkSize;
    } else if (length) {
        if (*length > m_maxBody) {
            finish(Failure::TooLarge);
            return false;
        }
        m_remaining = *length;
        m_state = State::Length;
    } else if (status == 204 || status == 304 || status < 200) {
        m_state = State::Done;
    } else {
        m_state = State::UntilClose;
    }
    return true;
}

void UnixHttpExchange::parse()
{
    while (!m_finished) {
        switch (m_state) {
        case State::Headers:
            if (!parseHeaders())
                return;
            break;
        case State::Length:
            if (!takeRemainingBody())
                return;
            m_state = State::Done;
            break;
        case State::ChunkSize: {
            const qsizetype eol = m_buffer.indexOf("\r\n");
            if (eol < 0) {
                if (m_buffer.size() > 1024)
                    finish(Failure::Malformed, QStringLiteral("bad chunk size line"));
                return;
            }
            QByteArray sizeText = m_buffer.left(eol);
            if (const qsizetype semi = sizeText.indexOf(';'); semi >= 0)
                sizeText.truncate(semi);
            bool ok = false;
            const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
            m_buffer.remove(0, eol + 2);
            if (!ok || size < 0) {
                finish(Failure::Malformed, QStringLiteral("bad chunk size"));
                return;
            }
            if (m_response.body.size() + size > m_maxBody) {
                finish(Failure::TooLarge);
                return;
            }
            m_remaining = size;
            m_state = size == 0 ? State::Trailer : State::ChunkData;
            break;
        }
        case State::ChunkData:
            if (!takeRemainingBody())
                return;
            m_state = State::ChunkDataEnd;
            break;
        case State::ChunkDataEnd:
            if (m_buffer.size() < 2)
                return;
            if (!m_buffer.startsWith("\r\n")) {
                finish(Failure::Malformed, QStringLiteral("chunk not followed by CRLF"));
                return;
            }
            m_buffer.remove(0, 2);
            m_state = State::ChunkSize;
            break;
        case State::Trailer: {
            // Trailer fields (ignored) end with an empty line.
            const qsizetype eol = m_buffer.indexOf("\r\n");
            if (eol < 0)
                return;
            m_buffer.remove(0, eol + 2);
            if (eol == 0)
                m_state = State::Done;
            break;
        }
        case State::UntilClose:
            if (!appendBody(m_buffer))
                return;
            m_buffer.clear();
            return;
        case State::Done: finish(Failure::None); return;
        }
    }
}

} // namespace mesh::api
