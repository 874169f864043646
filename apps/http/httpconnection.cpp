#include "httpconnection_p.h"
#include "httplogging_p.h"
#include "httpserver.h"

#include <QTcpSocket>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <ctime>

#ifdef Q_OS_UNIX
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

namespace apps::http {

namespace {

// Past this much unwritten output we stop reading requests from a client
// that pipelines without reading, so memory stays bounded (TCP back-pressure
// does the rest, since the socket's read buffer is capped too).
constexpr qint64 PauseOutputBytes = 1024 * 1024;
constexpr qint64 ResumeOutputBytes = 64 * 1024;
// How long an error response may take to be read, and how long we keep
// draining a closed request's body so that the client sees our answer
// rather than a reset (the lingering close nginx and Go do).
constexpr qint64 LingerMs = 2000;
constexpr qsizetype MaxChunkLine = 4096;
// A buffered body grows from here, whatever Content-Length claims, so a
// client cannot make us allocate its whole cap by announcing it.
constexpr qint64 InitialBodyReserve = 64 * 1024;

constexpr std::array<bool, 256> makeTokenTable()
{
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c)
        t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~"))
        t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto TokenChars = makeTokenTable();

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!TokenChars[static_cast<unsigned char>(c)])
            return false;
    }
    return true;
}

QByteArrayView trimmed(QByteArrayView s)
{
    while (!s.isEmpty() && (s.front() == ' ' || s.front() == '\t'))
        s = s.sliced(1);
    while (!s.isEmpty() && (s.back() == ' ' || s.back() == '\t'))
        s.chop(1);
    return s;
}

bool equalsNoCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// Whether the comma-separated list `value` holds `token` (case-insensitive).
bool listContains(QByteArrayView value, QByteArrayView token)
{
    while (!value.isEmpty()) {
        qsizetype comma = value.indexOf(',');
        QByteArrayView item = trimmed(comma < 0 ? value : value.first(comma));
        if (equalsNoCase(item, token))
            return true;
        if (comma < 0)
            break;
        value = value.sliced(comma + 1);
    }
    return false;
}

// The Date header value, formatted once a second (the C locale's names are
// spelled out because strftime() would follow the process locale).
QByteArrayView httpDate()
{
    thread_local std::time_t cachedSecond = -1;
    thread_local std::array<char, 32> buffer{};
    thread_local qsizetype length = 0;
    const std::time_t now = std::time(nullptr);
    if (now != cachedSecond) {
        static constexpr const char *Days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static constexpr const char *Months[]
            = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        std::tm tm{};
        gmtime_r(&now, &tm);
        length = std::snprintf(buffer.data(), buffer.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT", Days[tm.tm_wday],
                               tm.tm_mday, Months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        cachedSecond = now;
    }
    return QByteArrayView(buffer.data(), length);
}

void appendNumber(QByteArray &out, qint64 n)
{
    std::array<char, 24> digits{};
    auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), n);
    Q_UNUSED(ec);
    out.append(digits.data(), end - digits.data());
}

} // namespace

QByteArrayView Request::header(QByteArrayView name) const
{
    for (const Header &h : headers) {
        if (equalsNoCase(h.name, name))
            return h.value;
    }
    return {};
}

Deferred Request::defer() const
{
    if (!m_connection) {
        qCWarning(lcHttp) << "Request::defer() called outside the handler; ignored";
        return {};
    }
    return m_connection->defer();
}

Deferred::Deferred(std::shared_ptr<DeferredState> state)
    : m_state(std::move(state))
{
}

bool Deferred::isOpen() const
{
    return m_state && m_state->connection;
}

void Deferred::respond(const Response &response) const
{
    if (isOpen())
        m_state->connection->respondDeferred(response);
}

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

qint64 HttpConnection::nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

HttpConnection::HttpConnection(HttpServer *server, QTcpSocket *socket)
    : QObject(server)
    , m_server(server)
    , m_socket(socket)
    , m_lastActivityMs(nowMs())
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        onReadyRead();
        updateHold();
        updateReusable();
    });
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        onBytesWritten();
        updateHold();
        updateReusable();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        closeDeferred();
        m_server->release(this);
    });
    m_in.reserve(4096);
    m_out.reserve(4096);
}

void HttpConnection::start()
{
    // Bytes may have arrived before we connected to readyRead.
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
    // A connection waiting for its first request is reusable, as in nginx's
    // ngx_http_wait_request_handler() (nginx/nginx:
    // src/http/ngx_http_request.c): a client that connects and sends
    // nothing must not hold a slot a real request needs.
    updateReusable();
}

void HttpConnection::updateReusable()
{
    // nginx marks a connection reusable while it waits for a request
    // (ngx_http_wait_request_handler, ngx_http_set_keepalive) and not
    // reusable once a request starts (nginx/nginx:
    // src/http/ngx_http_request.c). Here: between requests, no byte of the
    // next one read, nothing queued to write, no response owed, not paused.
    const bool reusable = m_socket && m_socket->state() == QAbstractSocket::ConnectedState && m_phase == Phase::Head
                          && !m_deferred && !m_buffered && !m_paused && !m_inHandler && m_headStartMs < 0
                          && m_pos == m_in.size() && m_out.isEmpty() && m_socket->bytesToWrite() == 0;
    m_server->setReusable(this, reusable);
}

void HttpConnection::updateHold()
{
    // A client that half-closes (shutdown(SHUT_WR), man 2 shutdown) has
    // sent its last request, not withdrawn the ones before: "a TCP
    // connection that is half-closed by the client does not ... imply that
    // the client is no longer interested in a response" (RFC 9112 §9.6).
    // Those answers must be written before we close. But
    // QAbstractSocket treats a read EOF as a full close: its socket engine
    // closes the descriptor and the socket drops its unwritten output
    // (qtbase: src/network/socket/qnativesocketengine.cpp, read();
    // qabstractsocket.cpp, readFromSocket()). So while output waits in
    // Qt's buffer, or pipelined requests wait for a paused client, Qt must
    // not read from the kernel: a read buffer that is full stops it
    // (QAbstractSocket::setReadBufferSize()). Its buffer is made full by
    // giving back the last unparsed byte (ungetChar()), or, between
    // requests, an empty line, which the parser skips before a request
    // line (RFC 9112 §2.2). Input waiting in the middle of a body with
    // nothing unparsed cannot be held this way; its EOF still closes.
    if (!m_socket)
        return;
    const bool owes = m_socket->state() == QAbstractSocket::ConnectedState && m_phase != Phase::Lingering
                      && (m_paused || m_socket->bytesToWrite() > 0);
    if (owes) {
        // Our own read() may have emptied Qt's buffer since the last call;
        // then it must be made full again before control returns to Qt.
        if (m_holding && m_socket->bytesAvailable() > 0)
            return;
        if (m_socket->bytesAvailable() == 0) {
            if (m_pos < m_in.size()) {
                const char last = m_in.back();
                m_in.chop(1);
                m_scan = std::min(m_scan, m_in.size());
                m_socket->ungetChar(last);
            } else if (m_phase == Phase::Head || m_phase == Phase::Closing) {
                m_socket->ungetChar('\n');
            }
        }
        if (m_socket->bytesAvailable() > 0) {
            if (!m_holding)
                m_heldReadBufferSize = m_socket->readBufferSize();
            m_socket->setReadBufferSize(m_socket->bytesAvailable());
            m_holding = true;
            return;
        }
    }
    if (!m_holding)
        return;
    m_holding = false;
    m_socket->setReadBufferSize(m_heldReadBufferSize);
    if (m_socket->bytesAvailable() > 0) {
        onReadyRead();
        updateHold();
    }
}

bool HttpConnection::hasUnreadInput() const
{
    if (!m_socket)
        return false;
    if (m_socket->bytesAvailable() > 0)
        return true;
#ifdef Q_OS_UNIX
    // Qt has not been told yet: the bytes are still in the kernel.
    int pending = 0;
    if (::ioctl(int(m_socket->socketDescriptor()), FIONREAD, &pending) == 0 && pending > 0)
        return true;
#endif
    return false;
}

HttpConnection::~HttpConnection()
{
    closeDeferred();
}

void HttpConnection::onReadyRead()
{
    if (!m_socket)
        return;
    m_lastActivityMs = nowMs();
    if (m_phase == Phase::Lingering || m_phase == Phase::Closing) {
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    // Left in the socket's capped buffer: back-pressure while the client
    // does not read, and no new request while one is owed. Qt still reads
    // the kernel socket into that buffer, so a client that leaves is seen.
    if (m_paused || (m_deferred && m_phase == Phase::Head))
        return;
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    const qsizetype old = m_in.size();
    m_in.resize(old + available);
    const qint64 got = m_socket->read(m_in.data() + old, available);
    m_in.resize(old + std::max<qint64>(got, 0));
    process();
}

void HttpConnection::onBytesWritten()
{
    if (!m_socket)
        return;
    m_lastActivityMs = nowMs();
    if (m_phase == Phase::Closing) {
        if (m_socket->bytesToWrite() == 0)
            shutdownWrite();
        return;
    }
    if (m_paused && m_socket->bytesToWrite() < ResumeOutputBytes) {
        m_paused = false;
        process();
        if (!m_paused && m_socket && m_socket->bytesAvailable() > 0)
            onReadyRead();
    }
}

void HttpConnection::process()
{
    Step step = Step::Continue;
    while (step == Step::Continue && !m_paused) {
        switch (m_phase) {
        case Phase::Head: step = m_deferred ? Step::NeedMore : processHead(); break;
        case Phase::Body:
        case Phase::ChunkData: {
            const qint64 n = std::min<qint64>(m_bodyLeft, m_in.size() - m_pos);
            if (m_buffered)
                m_buffered->body.append(m_in.constData() + m_pos, n);
            m_pos += n;
            m_bodyLeft -= n;
            if (m_bodyLeft > 0) {
                step = Step::NeedMore;
            } else if (m_phase == Phase::ChunkData) {
                m_phase = Phase::ChunkEnd;
                m_scan = m_pos;
            } else {
                m_phase = Phase::Head;
                m_scan = m_pos;
                if (m_buffered)
                    step = dispatchBuffered();
            }
            break;
        }
        case Phase::ChunkSize: step = processChunkSize(); break;
        case Phase::ChunkEnd: step = processChunkEnd(); break;
        case Phase::Trailers: step = processTrailers(); break;
        case Phase::Closing:
        case Phase::Lingering: step = Step::Stop; break;
        }
    }
    if (!m_socket)
        return; // handed over to an upgrade handler
    // Keep only the unparsed tail; usually nothing is left.
    if (m_pos > 0) {
        m_in.remove(0, m_pos);
        m_scan -= m_pos;
        m_pos = 0;
    }
    flushOutput();
    releaseIdleBuffers();
}

void HttpConnection::releaseIdleBuffers()
{
    // A blocking query may hold its connection for minutes, and the lab
    // keeps hundreds of them; their 4 KiB reserves are worth giving back.
    if (!m_deferred || m_phase != Phase::Head)
        return;
    if (m_in.isEmpty())
        m_in = QByteArray();
    if (m_out.isEmpty())
        m_out = QByteArray();
}

void HttpConnection::flushOutput()
{
    if (m_out.isEmpty())
        return;
    // One write per batch of responses: headers and body leave together
    // (no Nagle/delayed-ACK stall) and pipelined answers share a segment.
    m_socket->write(m_out);
    m_out.resize(0);
    m_socket->flush();
}

HttpConnection::Step HttpConnection::processHead()
{
    // RFC 9112 §2.2: ignore empty lines before a request line.
    while (m_pos < m_in.size() && (m_in[m_pos] == '\r' || m_in[m_pos] == '\n'))
        ++m_pos;
    if (m_pos >= m_in.size()) {
        m_headStartMs = -1;
        return Step::NeedMore;
    }
    if (m_headStartMs < 0)
        m_headStartMs = m_lastActivityMs;
    if (m_scan < m_pos)
        m_scan = m_pos;

    const char *data = m_in.constData();
    const qsizetype size = m_in.size();
    qsizetype headEnd = -1;
    while (m_scan < size) {
        const void *nl = std::memchr(data + m_scan, '\n', size_t(size - m_scan));
        if (!nl)
            break;
        const qsizetype i = static_cast<const char *>(nl) - data;
        if (i + 1 < size && data[i + 1] == '\n') {
            headEnd = i + 2;
            break;
        }
        if (i + 2 < size && data[i + 1] == '\r' && data[i + 2] == '\n') {
            headEnd = i + 3;
            break;
        }
        if (i + 2 >= size) {
            m_scan = i; // not enough bytes yet to tell; look here again
            break;
        }
        m_scan = i + 1;
    }
    if (headEnd < 0) {
        if (m_scan >= size)
            m_scan = size;
        if (size - m_pos > m_server->limits().maxHeaderBytes) {
            fail(431);
            return Step::Stop;
        }
        return Step::NeedMore;
    }
    if (headEnd - m_pos > m_server->limits().maxHeaderBytes) {
        fail(431);
        return Step::Stop;
    }
    return handleHead(headEnd);
}

HttpConnection::Step HttpConnection::handleHead(qsizetype headEnd)
{
    const HttpServer::Limits &limits = m_server->limits();
    QByteArrayView head(m_in.constData() + m_pos, headEnd - m_pos);

    auto nextLine = [&head]() {
        const qsizetype nl = head.indexOf('\n');
        QByteArrayView line = head.first(nl);
        head = head.sliced(nl + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        return line;
    };

    Request request;
    const QByteArrayView requestLine = nextLine();
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0) {
        fail(400);
        return Step::Stop;
    }
    request.method = requestLine.first(sp1);
    request.target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = requestLine.sliced(sp2 + 1);
    if (!isToken(request.method) || request.target.isEmpty()) {
        fail(400);
        return Step::Stop;
    }
    for (char c : request.target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) {
            fail(400);
            return Step::Stop;
        }
    }
    if (version.size() != 8 || !version.startsWith("HTTP/") || version[6] != '.' || version[5] < '0' || version[5] > '9'
        || version[7] < '0' || version[7] > '9') {
        fail(400);
        return Step::Stop;
    }
    if (version[5] != '1') {
        fail(505);
        return Step::Stop;
    }
    request.minorVersion = version[7] == '0' ? 0 : 1;
    const qsizetype query = request.target.indexOf('?');
    request.path = query < 0 ? request.target : request.target.first(query);

    qint64 contentLength = -1;
    bool chunked = false;
    bool sawTransferEncoding = false;
    bool sawHost = false;
    bool connectionClose = false;
    bool connectionKeepAlive = false;
    bool connectionUpgrade = false;
    bool expectContinue = false;

    while (true) {
        const QByteArrayView line = nextLine();
        if (line.isEmpty())
            break;
        // Obsolete line folding is a smuggling vector; RFC 9112 §5.2 allows 400.
        if (line.front() == ' ' || line.front() == '\t') {
            fail(400);
            return Step::Stop;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon))) {
            fail(400);
            return Step::Stop;
        }
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (value.contains('\r') || value.contains('\0')) {
            fail(400);
            return Step::Stop;
        }
        if (request.headers.size() >= limits.maxHeaderCount) {
            fail(431);
            return Step::Stop;
        }
        request.headers.append({name, value});

        switch (name.size()) {
        case 4:
            if (equalsNoCase(name, "host")) {
                if (sawHost) {
                    fail(400);
                    return Step::Stop;
                }
                sawHost = true;
            }
            break;
        case 6:
            if (equalsNoCase(name, "expect"))
                expectContinue = equalsNoCase(value, "100-continue");
            break;
        case 10:
            if (equalsNoCase(name, "connection")) {
                connectionClose = connectionClose || listContains(value, "close");
                connectionKeepAlive = connectionKeepAlive || listContains(value, "keep-alive");
                connectionUpgrade = connectionUpgrade || listContains(value, "upgrade");
            }
            break;
        case 14:
            if (equalsNoCase(name, "content-length")) {
                // Digits only: no sign, no list; two different lengths are
                // a smuggling attempt (RFC 9112 §6.3).
                if (value.isEmpty() || value.size() > 18) {
                    fail(value.isEmpty() ? 400 : 413);
                    return Step::Stop;
                }
                if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                    fail(400);
                    return Step::Stop;
                }
                qint64 n = 0;
                auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
                if (ec != std::errc() || end != value.data() + value.size()
                    || (contentLength >= 0 && contentLength != n)) {
                    fail(400);
                    return Step::Stop;
                }
                contentLength = n;
            }
            break;
        case 17:
            if (equalsNoCase(name, "transfer-encoding")) {
                if (sawTransferEncoding || request.minorVersion == 0) {
                    fail(400);
                    return Step::Stop;
                }
                sawTransferEncoding = true;
                if (!equalsNoCase(value, "chunked")) {
                    fail(501);
                    return Step::Stop;
                }
                chunked = true;
            }
            break;
        default: break;
        }
    }

    if (sawTransferEncoding && contentLength >= 0) {
        fail(400);
        return Step::Stop;
    }
    if (request.minorVersion == 1 && !sawHost) {
        fail(400); // RFC 9112 §3.2
        return Step::Stop;
    }
    if (contentLength > bodyCap()) {
        fail(413);
        return Step::Stop;
    }

    const UpgradeHandler &upgrade = m_server->m_upgradeHandler;
    if (connectionUpgrade && !request.header("upgrade").isEmpty() && !chunked && contentLength <= 0 && upgrade.accepts
        && upgrade.accepts(request)) {
        // The upgrade handler reads the handshake itself, so the bytes go
        // back into the socket (last byte first) before we let go of it.
        QTcpSocket *socket = m_socket;
        if (m_holding) {
            m_holding = false;
            socket->setReadBufferSize(m_heldReadBufferSize);
        }
        for (qsizetype i = m_in.size() - 1; i >= m_pos; --i)
            socket->ungetChar(m_in.at(i));
        m_socket = nullptr;
        socket->disconnect(this);
        socket->setParent(nullptr);
        m_server->release(this);
        upgrade.take(socket);
        return Step::Stop;
    }

    const bool close = connectionClose || (request.minorVersion == 0 && !connectionKeepAlive);
    const bool hasBody = chunked || contentLength > 0;
    if (expectContinue && hasBody && request.minorVersion == 1)
        m_out.append("HTTP/1.1 100 Continue\r\n\r\n");

    const qsizetype headStart = m_pos;
    m_pos = headEnd;
    m_scan = headEnd;
    m_headStartMs = -1;
    m_bodyTotal = 0;
    m_headRequest = request.method == "HEAD";
    m_minorVersion = request.minorVersion;
    m_closeAfter = close;
    if (chunked) {
        m_phase = Phase::ChunkSize;
    } else if (contentLength > 0) {
        m_phase = Phase::Body;
        m_bodyLeft = contentLength;
    }
    if (hasBody && limits.bufferBodyBytes > 0) {
        // The handler runs once the body is in. m_in is compacted and
        // reallocated meanwhile, so the head moves to a buffer of its own
        // and the request's views with it.
        auto buffered = std::make_unique<BufferedRequest>();
        const char *from = m_in.constData() + headStart;
        buffered->head = QByteArray(from, headEnd - headStart);
        const char *to = buffered->head.constData();
        auto moved = [from, to](QByteArrayView v) {
            return v.isNull() ? v : QByteArrayView(to + (v.data() - from), v.size());
        };
        Request &copy = buffered->request;
        copy = request;
        copy.method = moved(request.method);
        copy.target = moved(request.target);
        copy.path = moved(request.path);
        for (Request::Header &h : copy.headers) {
            h.name = moved(h.name);
            h.value = moved(h.value);
        }
        buffered->body.reserve(std::min(std::max<qint64>(contentLength, 0), InitialBodyReserve));
        m_buffered = std::move(buffered);
        return Step::Continue;
    }
    return dispatch(request);
}

HttpConnection::Step HttpConnection::dispatch(Request &request)
{
    Response response;
    request.m_connection = this;
    m_inHandler = true;
    if (m_server->m_handler) {
        m_server->m_handler(request, response);
    } else {
        response.status = 404;
        response.body = QByteArrayLiteral("404 page not found\n");
    }
    m_inHandler = false;
    request.m_connection = nullptr;
    if (m_deferred) {
        if (!m_earlyResponse)
            return Step::Continue; // process() stops at the next head
        response = std::move(*m_earlyResponse);
        m_earlyResponse.reset();
        m_deferred.reset();
    }
    appendResponse(response, m_headRequest, m_minorVersion, m_closeAfter);
    if (m_closeAfter) {
        beginClose();
        return Step::Stop;
    }
    if (m_out.size() + m_socket->bytesToWrite() > PauseOutputBytes) {
        flushOutput();
        m_paused = m_socket->bytesToWrite() > PauseOutputBytes;
    }
    return Step::Continue;
}

HttpConnection::Step HttpConnection::dispatchBuffered()
{
    // Freed when the handler has returned: a deferred answer copies what it needs.
    const std::unique_ptr<BufferedRequest> buffered = std::move(m_buffered);
    buffered->request.body = buffered->body;
    return dispatch(buffered->request);
}

Deferred HttpConnection::defer()
{
    if (!m_inHandler) {
        qCWarning(lcHttp) << "Request::defer() called outside the handler; ignored";
        return {};
    }
    if (!m_deferred)
        m_deferred = std::make_shared<DeferredState>(DeferredState{this});
    return Deferred(m_deferred);
}

void HttpConnection::respondDeferred(const Response &response)
{
    if (!m_deferred || !m_socket)
        return;
    m_deferred->connection = nullptr; // later respond() calls are no-ops
    if (m_inHandler) {
        // Answered before the handler even returned: dispatch() sends it.
        m_earlyResponse = std::make_unique<Response>(response);
        return;
    }
    m_deferred.reset();
    m_lastActivityMs = nowMs();
    appendResponse(response, m_headRequest, m_minorVersion, m_closeAfter);
    if (m_closeAfter) {
        beginClose();
        return;
    }
    flushOutput();
    m_paused = m_socket->bytesToWrite() > PauseOutputBytes;
    // Pipelined requests that arrived meanwhile: those already read, then
    // those still waiting in the socket.
    process();
    if (m_socket && m_socket->bytesAvailable() > 0)
        onReadyRead();
    updateHold();
    updateReusable();
}

void HttpConnection::closeDeferred()
{
    if (m_deferred) {
        m_deferred->connection = nullptr;
        m_deferred.reset();
    }
    m_earlyResponse.reset();
}

qint64 HttpConnection::bodyCap() const
{
    const HttpServer::Limits &limits = m_server->limits();
    return limits.bufferBodyBytes > 0 ? limits.bufferBodyBytes : limits.maxBodyBytes;
}

void HttpConnection::appendResponse(const Response &response, bool headRequest, int minorVersion, bool close)
{
    m_out.append("HTTP/1.1 ");
    appendNumber(m_out, response.status);
    m_out.append(' ');
    m_out.append(reasonPhrase(response.status));
    m_out.append("\r\nDate: ");
    m_out.append(httpDate());
    m_out.append("\r\nContent-Length: ");
    appendNumber(m_out, response.body.size());
    if (!response.contentType.isEmpty()) {
        m_out.append("\r\nContent-Type: ");
        m_out.append(response.contentType);
    }
    m_out.append("\r\n");
    m_out.append(response.extraHeaders);
    if (close)
        m_out.append("Connection: close\r\n");
    else if (minorVersion == 0)
        m_out.append("Connection: keep-alive\r\n");
    m_out.append("\r\n");
    if (!headRequest)
        m_out.append(response.body);
}

HttpConnection::Step HttpConnection::processChunkSize()
{
    const qsizetype nl = QByteArrayView(m_in).sliced(m_pos).indexOf('\n');
    if (nl < 0) {
        if (m_in.size() - m_pos > MaxChunkLine)
            fail(400);
        return m_in.size() - m_pos > MaxChunkLine ? Step::Stop : Step::NeedMore;
    }
    QByteArrayView line = QByteArrayView(m_in).sliced(m_pos, nl);
    if (line.endsWith('\r'))
        line.chop(1);
    const qsizetype semicolon = line.indexOf(';');
    const QByteArrayView digits = trimmed(semicolon < 0 ? line : line.first(semicolon));
    if (digits.isEmpty() || digits.size() > 15) {
        fail(digits.isEmpty() ? 400 : 413);
        return Step::Stop;
    }
    if (digits.front() == '-') {
        fail(400);
        return Step::Stop;
    }
    qint64 size = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
        fail(400);
        return Step::Stop;
    }
    m_bodyTotal += size;
    if (m_bodyTotal > bodyCap()) {
        fail(413);
        return Step::Stop;
    }
    m_pos += nl + 1;
    if (size == 0) {
        m_phase = Phase::Trailers;
    } else {
        m_phase = Phase::ChunkData;
        m_bodyLeft = size;
    }
    return Step::Continue;
}

HttpConnection::Step HttpConnection::processChunkEnd()
{
    const qsizetype left = m_in.size() - m_pos;
    if (left >= 1 && m_in[m_pos] == '\n') {
        m_pos += 1;
    } else if (left >= 2 && m_in[m_pos] == '\r' && m_in[m_pos + 1] == '\n') {
        m_pos += 2;
    } else if (left == 0 || (left == 1 && m_in[m_pos] == '\r')) {
        return Step::NeedMore;
    } else {
        fail(400);
        return Step::Stop;
    }
    m_phase = Phase::ChunkSize;
    return Step::Continue;
}

HttpConnection::Step HttpConnection::processTrailers()
{
    while (true) {
        const qsizetype nl = QByteArrayView(m_in).sliced(m_pos).indexOf('\n');
        if (nl < 0) {
            if (m_in.size() - m_pos > m_server->limits().maxHeaderBytes) {
                fail(431);
                return Step::Stop;
            }
            return Step::NeedMore;
        }
        QByteArrayView line = QByteArrayView(m_in).sliced(m_pos, nl);
        m_pos += nl + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty()) {
            m_phase = Phase::Head;
            m_scan = m_pos;
            return m_buffered ? dispatchBuffered() : Step::Continue;
        }
    }
}

void HttpConnection::fail(int status)
{
    qCDebug(lcHttp) << "answering" << status << "and closing" << m_socket->peerAddress();
    // A request still owed its deferred response broke the protocol (in
    // the body that followed it); this error answers it instead.
    closeDeferred();
    m_buffered.reset();
    const QByteArray body = QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray();
    Response response;
    response.status = status;
    response.body = body;
    appendResponse(response, false, 1, true);
    Q_EMIT m_server->connectionRejected(status);
    beginClose();
}

void HttpConnection::beginClose()
{
    m_phase = Phase::Closing;
    m_closeDeadlineMs = nowMs() + std::max<qint64>(LingerMs, m_server->limits().headerTimeout.count());
    flushOutput();
    if (m_socket->bytesToWrite() == 0)
        shutdownWrite();
}

void HttpConnection::shutdownWrite()
{
    // Closing outright while the client is still sending (a refused body)
    // makes the kernel answer with a reset that can destroy our response
    // before the client reads it; so shut our side, drain for a moment,
    // then close.
    m_phase = Phase::Lingering;
    m_closeDeadlineMs = nowMs() + LingerMs;
#ifdef Q_OS_UNIX
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    m_socket->skip(m_socket->bytesAvailable());
#else
    m_socket->disconnectFromHost();
#endif
}

void HttpConnection::drop()
{
    closeDeferred();
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    m_socket->abort();
    m_server->release(this);
}

void HttpConnection::abort()
{
    drop();
}

void HttpConnection::checkDeadlines(qint64 nowMs)
{
    const HttpServer::Limits &limits = m_server->limits();
    if (m_deferred && m_deferred.use_count() == 1 && !m_earlyResponse) {
        // Every handle is gone, so nobody can answer: say so rather than
        // keep the client waiting until it gives up.
        qCWarning(lcHttp) << "a deferred response was dropped unanswered; answering 500";
        Response response;
        response.status = 500;
        response.body = QByteArrayLiteral("500 Internal Server Error\n");
        respondDeferred(response);
        if (!m_socket)
            return;
    }
    switch (m_phase) {
    case Phase::Head:
        if (m_deferred)
            break; // a blocking query may rightly wait for minutes
        if (m_headStartMs >= 0) {
            if (nowMs - m_headStartMs > limits.headerTimeout.count()) {
                qCDebug(lcHttp) << "request head too slow, dropping" << m_socket->peerAddress();
                Q_EMIT m_server->connectionRejected(0);
                drop();
            }
        } else if (nowMs - m_lastActivityMs > limits.idleTimeout.count()) {
            drop();
        }
        break;
    case Phase::Body:
    case Phase::ChunkSize:
    case Phase::ChunkData:
    case Phase::ChunkEnd:
    case Phase::Trailers: {
        const qint64 limit = m_paused ? limits.idleTimeout.count() : limits.headerTimeout.count();
        if (nowMs - m_lastActivityMs > limit) {
            Q_EMIT m_server->connectionRejected(0);
            drop();
        }
        break;
    }
    case Phase::Closing:
    case Phase::Lingering:
        if (nowMs > m_closeDeadlineMs)
            drop();
        break;
    }
}

} // namespace apps::http
