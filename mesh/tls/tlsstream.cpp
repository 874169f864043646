#include "tls/tlsstream.h"

#include <QSocketNotifier>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mesh::tls {

using pki::RefusalReason;

namespace {

// The most plaintext handed to one SSL_write: four full records. A retry
// after WANT_WRITE passes at least as much (the queue only grows), as
// SSL_write(3) requires.
constexpr qint64 kMaxWrite = qint64{4} * 16384;

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// The message of the OpenSSL error `code` (0: none).
QString sslErrorText(unsigned long code)
{
    if (code == 0)
        return {};
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return QString::fromLatin1(text);
}

// write(2) on a socket whose peer is gone raises SIGPIPE, which ends a
// process that does not ignore it; OpenSSL's socket BIO writes with
// write(2). This BIO is the socket BIO with its write done by send(2) with
// MSG_NOSIGNAL, as Qt's own sockets and PlainSocket write.
int sendWithoutSigpipe(BIO *bio, const char *data, int size)
{
    int fd = -1;
    BIO_get_fd(bio, &fd);
    errno = 0;
    const ssize_t n = ::send(fd, data, size_t(size), MSG_NOSIGNAL);
    BIO_clear_retry_flags(bio);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(bio);
    return int(n);
}

const BIO_METHOD *socketMethod()
{
    static BIO_METHOD *const method = [] {
        // Everything but write from OpenSSL's own socket BIO (its ctrl keeps
        // the descriptor, its read is recv(2)).
        const BIO_METHOD *socket = BIO_s_socket();
        BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                     "meshpad socket (MSG_NOSIGNAL)");
        if (!m)
            return m;
        BIO_meth_set_write(m, sendWithoutSigpipe);
        BIO_meth_set_read(m, BIO_meth_get_read(socket));
        BIO_meth_set_puts(m, BIO_meth_get_puts(socket));
        BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(socket));
        BIO_meth_set_create(m, BIO_meth_get_create(socket));
        BIO_meth_set_destroy(m, BIO_meth_get_destroy(socket));
        return m;
    }();
    return method;
}

// A BIO on `fd` that never raises SIGPIPE and never closes `fd`.
BIO *socketBio(int fd)
{
    const BIO_METHOD *method = socketMethod();
    BIO *bio = method ? BIO_new(method) : nullptr;
    if (bio)
        BIO_set_fd(bio, fd, BIO_NOCLOSE);
    return bio;
}

} // namespace

TlsStream::TlsStream(SharedTlsContext context, QObject *parent)
    : QObject(parent)
    , m_context(std::move(context))
{
}

TlsStream::~TlsStream()
{
    close();
}

void TlsStream::startServer(qintptr descriptor, const QString &trustDomain)
{
    m_check.trustDomain = trustDomain;
    start(descriptor);
    if (m_ssl) {
        SSL_set_accept_state(m_ssl.get());
        // The ClientHello comes first.
        m_handshakeWants = Wants::Read;
        updateNotifiers();
    }
}

void TlsStream::startClient(qintptr descriptor, const QString &serverName, const pki::SpiffeId &expected)
{
    m_check.expected = expected;
    m_check.trustDomain = expected.trustDomain;
    start(descriptor);
    if (m_ssl) {
        SSL_set_connect_state(m_ssl.get());
        // SNI as Envoy sends it to a Consul sidecar (the caller's name).
        QByteArray name = serverName.toLatin1();
        SSL_ctrl(m_ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name.data());
        // Our ClientHello first, from the event loop: no signal before
        // startClient() returns.
        m_handshakeWants = Wants::Write;
        updateNotifiers();
    }
}

void TlsStream::start(qintptr descriptor)
{
    Q_ASSERT(m_state == State::Idle && m_fd < 0);
    m_fd = int(descriptor);
    m_state = State::Handshaking;
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    // The proxy writes what it has in one go: Nagle would only add the
    // delayed-ACK stall to every request.
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    m_readNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &TlsStream::onReadable);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &TlsStream::onWritable);
    m_ssl = m_context->newSession(&m_check);
    BIO *bio = m_ssl ? socketBio(m_fd) : nullptr;
    if (bio)
        SSL_set_bio(m_ssl.get(), bio, bio); // one reference, both ways (SSL_set_bio(3))
    if (!m_ssl || !bio) {
        // Reported from the event loop, as every other outcome.
        const TlsError error{RefusalReason::HandshakeFailed,
                             QStringLiteral("no TLS session: ") + sslErrorText(ERR_get_error())};
        QMetaObject::invokeMethod(
            this, [this, error] { failHandshake(error); }, Qt::QueuedConnection);
    }
}

bool TlsStream::peerSentBytes() const
{
    return m_peerSentBytes || (m_ssl && BIO_number_read(SSL_get_rbio(m_ssl.get())) > 0);
}

bool TlsStream::canHalfClose() const
{
    return m_ssl && SSL_version(m_ssl.get()) >= TLS1_3_VERSION;
}

void TlsStream::continueHandshake()
{
    ERR_clear_error();
    const int result = SSL_do_handshake(m_ssl.get());
    if (result == 1) {
        m_handshakeWants = Wants::Nothing;
        // The verify callback ran at the peer's leaf (a certificate is
        // required both ways); without an outcome there was no leaf.
        if (!m_check.outcome || !*m_check.outcome) {
            failHandshake(m_check.outcome
                              ? m_check.outcome->error()
                              : TlsError{RefusalReason::NoCertificate, QStringLiteral("no peer certificate")});
            return;
        }
        m_peer = **m_check.outcome;
        m_check.established = true;
        m_state = State::Established;
        updateNotifiers();
        Q_EMIT encrypted();
        // Application data that arrived with the handshake's last flight is
        // already inside OpenSSL (read-ahead): no notifier will say so.
        if (m_state == State::Established && SSL_has_pending(m_ssl.get()))
            QMetaObject::invokeMethod(this, &TlsStream::readyRead, Qt::QueuedConnection);
        if (m_state == State::Established && bytesToWrite() > 0)
            updateNotifiers();
        return;
    }
    const int error = SSL_get_error(m_ssl.get(), result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        m_handshakeWants = error == SSL_ERROR_WANT_READ ? Wants::Read : Wants::Write;
        updateNotifiers();
        return;
    }
    const int savedErrno = errno;
    const unsigned long queued = ERR_get_error();
    if (error == SSL_ERROR_SYSCALL && queued == 0) {
        failHandshake(TlsError{RefusalReason::HandshakeFailed,
                               savedErrno != 0
                                   ? systemError(savedErrno)
                                   : QStringLiteral("the peer closed the connection during the handshake")});
        return;
    }
    failHandshake(TlsContext::handshakeError(m_ssl.get(), m_check, queued));
}

void TlsStream::failHandshake(TlsError error)
{
    if (m_state != State::Handshaking)
        return;
    m_peerSentBytes = peerSentBytes();
    m_error = std::move(error);
    close();
    m_state = State::Failed;
    Q_EMIT handshakeFailed();
}

void TlsStream::failStream(const QString &message, bool peerRefused)
{
    if (m_state != State::Established)
        return;
    m_error = TlsError{RefusalReason::HandshakeFailed, message};
    m_peerRefused = peerRefused;
    m_state = State::Failed;
    // The descriptor stays until close(): the owner reads errorString() and
    // closes; nothing more is read or written.
    if (m_readNotifier)
        m_readNotifier->setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    m_out.clear();
    QMetaObject::invokeMethod(this, &TlsStream::errorOccurred, Qt::QueuedConnection);
}

qint64 TlsStream::read(char *data, qint64 maxSize)
{
    if (m_state != State::Established)
        return kError;
    if (m_readEof)
        return kEof;
    ERR_clear_error();
    size_t n = 0;
    const int result = SSL_read_ex(m_ssl.get(), data, size_t(maxSize), &n);
    if (m_check.renegotiationAttempted) {
        failStream(QStringLiteral("the peer attempted a TLS renegotiation, which is refused"), true);
        return kError;
    }
    if (result == 1) {
        if (m_wantWriteForRead) {
            m_wantWriteForRead = false;
            updateNotifiers();
        }
        return qint64(n);
    }
    const int error = SSL_get_error(m_ssl.get(), result);
    switch (error) {
    case SSL_ERROR_WANT_READ: return 0;
    case SSL_ERROR_WANT_WRITE:
        // A post-handshake message of ours (a KeyUpdate answer) waits for
        // room; reading goes on once it is out.
        m_wantWriteForRead = true;
        updateNotifiers();
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        // close_notify: the peer's direction ended; ours goes on.
        m_readEof = true;
        m_cleanEof = true;
        updateNotifiers();
        return kEof;
    default: break;
    }
    const int savedErrno = errno;
    const unsigned long queued = ERR_get_error();
    ERR_clear_error();
    if (error == SSL_ERROR_SSL && ERR_GET_LIB(queued) == ERR_LIB_SSL
        && ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        // FIN without close_notify: the end of the stream as far as the
        // bytes go (what it delivered was whole records, each authenticated).
        // OpenSSL treats the session as failed, so nothing more is written.
        m_readEof = true;
        updateNotifiers();
        return kEof;
    }
    failStream(error == SSL_ERROR_SYSCALL && queued == 0 ? systemError(savedErrno) : sslErrorText(queued));
    return kError;
}

bool TlsStream::write(const char *data, qint64 size)
{
    if (m_fd < 0 || m_writeShut || m_shutdownPending
        || (m_state != State::Established && m_state != State::Handshaking))
        return false;
    if (m_state != State::Established || bytesToWrite() > 0) {
        m_out.append(data, size);
        return true;
    }
    qint64 done = 0;
    while (done < size) {
        ERR_clear_error();
        size_t n = 0;
        const int result = SSL_write_ex(m_ssl.get(), data + done, size_t(std::min(size - done, kMaxWrite)), &n);
        if (result == 1) {
            done += qint64(n);
            continue;
        }
        const int error = SSL_get_error(m_ssl.get(), result);
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
            m_wantReadForWrite = error == SSL_ERROR_WANT_READ;
            break;
        }
        const int savedErrno = errno;
        const unsigned long queued = ERR_get_error();
        failStream(error == SSL_ERROR_SYSCALL && queued == 0 ? systemError(savedErrno) : sslErrorText(queued));
        return false;
    }
    if (done < size) {
        // Starts afresh: the queue was empty. OpenSSL may hold a record of
        // these bytes already; the retry passes them again from here.
        m_out.assign(data + done, size - done);
        updateNotifiers();
    }
    return true;
}

bool TlsStream::flush()
{
    while (bytesToWrite() > 0) {
        ERR_clear_error();
        size_t n = 0;
        const int result = SSL_write_ex(m_ssl.get(), m_out.data(), size_t(std::min(m_out.size(), kMaxWrite)), &n);
        if (result == 1) {
            m_out.consume(qint64(n));
            continue;
        }
        const int error = SSL_get_error(m_ssl.get(), result);
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
            m_wantReadForWrite = error == SSL_ERROR_WANT_READ;
            return true;
        }
        const int savedErrno = errno;
        const unsigned long queued = ERR_get_error();
        failStream(error == SSL_ERROR_SYSCALL && queued == 0 ? systemError(savedErrno) : sslErrorText(queued));
        return false;
    }
    m_wantReadForWrite = false;
    return true;
}

bool TlsStream::sendCloseNotify()
{
    ERR_clear_error();
    const int result = SSL_shutdown(m_ssl.get());
    if (result < 0) {
        const int error = SSL_get_error(m_ssl.get(), result);
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ)
            return true; // the alert waits for room; onWritable() tries again
        const int savedErrno = errno;
        const unsigned long queued = ERR_get_error();
        failStream(error == SSL_ERROR_SYSCALL && queued == 0 ? systemError(savedErrno) : sslErrorText(queued));
        return false;
    }
    // 0 or 1: our close_notify is out (1: the peer's had come too).
    m_shutdownPending = false;
    m_writeShut = true;
    ::shutdown(m_fd, SHUT_WR);
    updateNotifiers();
    return true;
}

void TlsStream::shutdownWrite()
{
    if (m_fd < 0 || m_writeShut || m_shutdownPending)
        return;
    m_shutdownPending = true;
    if (m_state == State::Established && bytesToWrite() == 0)
        sendCloseNotify();
}

void TlsStream::setReadingEnabled(bool enabled)
{
    if (m_readingEnabled == enabled)
        return;
    m_readingEnabled = enabled;
    updateNotifiers();
    // Records already decrypted or read ahead wait inside OpenSSL: the
    // descriptor may never become readable again for them.
    if (enabled && m_state == State::Established && !m_readEof && SSL_has_pending(m_ssl.get()))
        QMetaObject::invokeMethod(this, &TlsStream::readyRead, Qt::QueuedConnection);
}

void TlsStream::onReadable()
{
    if (m_state == State::Handshaking) {
        continueHandshake();
        return;
    }
    if (m_state != State::Established)
        return;
    if (m_wantReadForWrite)
        onWritable();
    if (m_state == State::Established && m_readingEnabled && !m_readEof)
        Q_EMIT readyRead();
}

void TlsStream::onWritable()
{
    if (m_state == State::Handshaking) {
        continueHandshake();
        return;
    }
    if (m_state != State::Established)
        return;
    if (m_wantWriteForRead) {
        m_wantWriteForRead = false;
        updateNotifiers();
        Q_EMIT readyRead();
        if (m_state != State::Established)
            return;
    }
    const qint64 before = bytesToWrite();
    if (before > 0 && !flush())
        return;
    const qint64 written = before - bytesToWrite();
    if (bytesToWrite() == 0 && m_shutdownPending && !sendCloseNotify())
        return;
    updateNotifiers();
    if (written > 0)
        Q_EMIT bytesWritten(written);
}

void TlsStream::updateNotifiers()
{
    if (m_fd < 0 || !m_readNotifier)
        return;
    bool read = false;
    bool write = false;
    if (m_state == State::Handshaking) {
        read = m_handshakeWants == Wants::Read;
        write = m_handshakeWants == Wants::Write;
    } else if (m_state == State::Established) {
        read = (m_readingEnabled && !m_readEof) || m_wantReadForWrite;
        write = (bytesToWrite() > 0 && !m_wantReadForWrite) || m_wantWriteForRead || m_shutdownPending;
    }
    if (m_readNotifier->isEnabled() != read)
        m_readNotifier->setEnabled(read);
    if (m_writeNotifier->isEnabled() != write)
        m_writeNotifier->setEnabled(write);
}

void TlsStream::close()
{
    if (m_state != State::Failed)
        m_state = State::Closed;
    delete m_readNotifier;
    delete m_writeNotifier;
    m_readNotifier = nullptr;
    m_writeNotifier = nullptr;
    if (m_ssl) {
        m_peerSentBytes = m_peerSentBytes || BIO_number_read(SSL_get_rbio(m_ssl.get())) > 0;
        // No close_notify: close() is the abort; shutdownWrite() the graceful end.
        m_ssl.reset();
    }
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_out.clear();
}

} // namespace mesh::tls
