#include "pipe.h"

#include "plainsocket.h"
#include "proxymetrics.h"
#include "tlssocketmemory.h"

#include <QDeadlineTimer>
#include <QSslSocket>
#include <QTimerEvent>

#include <algorithm>
#include <array>

namespace mesh::proxy {

namespace {

// One scratch buffer for every pipe of the thread: bytes only pass through it
// between a read and the write that copies them, and a per-connection buffer
// of this size would be the whole memory budget of an idle connection (G8).
constexpr qint64 kChunk = 64 * 1024;
thread_local std::array<char, kChunk> t_scratch;

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

} // namespace

Pipe::Pipe(PlainSocket *plain, QSslSocket *tls, const ProxyOptions &options, ProxyMetrics *metrics,
           bool plainIsDownstream, PlainEof plainEof, QObject *parent)
    : QObject(parent)
    , m_plain(plain)
    , m_tls(tls)
    , m_metrics(metrics)
    , m_options(options)
    , m_plainIsDownstream(plainIsDownstream)
    , m_plainEofPolicy(plainEof)
{
    m_plain->setParent(this);
    m_tls->setParent(this);
}

Pipe::~Pipe() = default;

void Pipe::start()
{
    Q_ASSERT(!m_started);
    m_started = true;
    m_tls->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_tls->setReadBufferSize(m_options.tlsReadBufferSize);
    // Again now the channels are final (a client socket makes them when the
    // TCP connect completes); the identity check is behind us.
    TlsSocketMemory::shrinkBuffers(m_tls);
    TlsSocketMemory::dropPeerCertificates(m_tls);
    connect(m_plain, &PlainSocket::readyRead, this, &Pipe::pumpPlainToTls);
    connect(m_plain, &PlainSocket::bytesWritten, this, &Pipe::onPlainBytesWritten);
    connect(m_plain, &PlainSocket::errorOccurred, this,
            [this] { finish(QStringLiteral("plain side: ") + m_plain->errorString()); });
    connect(m_tls, &QSslSocket::readyRead, this, &Pipe::scheduleTlsPump);
    connect(m_tls, &QSslSocket::bytesWritten, this, &Pipe::onTlsBytesWritten);
    connect(m_tls, &QSslSocket::encryptedBytesWritten, this, &Pipe::onTlsBytesWritten);
    connect(m_tls, &QSslSocket::disconnected, this, &Pipe::onTlsEnded);
    connect(m_tls, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError)
            onTlsEnded();
        else
            finish(QStringLiteral("TLS side: ") + m_tls->errorString());
    });
    m_plain->setReadingEnabled(true);
    touch();
    const auto tick = std::clamp(std::min({m_options.idleTimeout, m_options.lingerTimeout, m_options.halfClosedTimeout}) / 4,
                                 std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    m_timer.start(int(tick.count()), Qt::CoarseTimer, this);
    if (m_tls->state() != QAbstractSocket::ConnectedState)
        onTlsEnded();
    else
        scheduleTlsPump();
    pumpPlainToTls();
}

void Pipe::abort(const QString &why)
{
    finish(why);
}

qint64 Pipe::tlsPending() const
{
    return m_tls->bytesToWrite() + m_tls->encryptedBytesToWrite();
}

void Pipe::touch()
{
    m_lastActivityMs = nowMs();
}

void Pipe::countPlainToTls(qint64 n)
{
    if (m_plainIsDownstream)
        m_metrics->addBytesFromDownstream(n);
    else
        m_metrics->addBytesToDownstream(n);
}

void Pipe::countTlsToPlain(qint64 n)
{
    if (m_plainIsDownstream)
        m_metrics->addBytesToDownstream(n);
    else
        m_metrics->addBytesFromDownstream(n);
}

void Pipe::pumpPlainToTls()
{
    if (m_finished || m_plainEof)
        return;
    if (m_tlsEnded) {
        // Nowhere to carry it: drain and drop while lingering for the FIN.
        for (;;) {
            const qint64 n = m_plain->read(t_scratch.data(), kChunk);
            if (n == PlainSocket::kEof) {
                m_plainEof = true;
                maybeFinish();
                return;
            }
            if (n <= 0)
                return;
        }
    }
    qint64 moved = 0;
    while (tlsPending() < m_options.highWater) {
        const qint64 n = m_plain->read(t_scratch.data(), kChunk);
        if (n > 0) {
            if (m_tls->write(t_scratch.data(), n) != n) {
                finish(QStringLiteral("TLS side: write failed"));
                return;
            }
            moved += n;
            continue;
        }
        if (n == PlainSocket::kEof) {
            if (moved > 0)
                countPlainToTls(moved);
            onPlainEof();
            return;
        }
        if (n == PlainSocket::kError) {
            finish(QStringLiteral("plain side: ") + m_plain->errorString());
            return;
        }
        break;
    }
    if (moved > 0) {
        countPlainToTls(moved);
        touch();
        // Encrypt and send now: QSslSocket would otherwise wait for a
        // queued event, one more event-loop turn on every request's path.
        m_tls->flush();
    }
    if (tlsPending() >= m_options.highWater && !m_plainPaused) {
        m_plainPaused = true;
        m_plain->setReadingEnabled(false);
    }
}

void Pipe::scheduleTlsPump()
{
    if (m_tlsPumpScheduled || m_finished)
        return;
    m_tlsPumpScheduled = true;
    QMetaObject::invokeMethod(this, &Pipe::pumpTlsToPlain, Qt::QueuedConnection);
}

void Pipe::pumpTlsToPlain()
{
    m_tlsPumpScheduled = false;
    if (m_finished)
        return;
    qint64 moved = 0;
    // Once the TLS leg has ended its remaining bytes are already decrypted in
    // memory; moving them to the plain queue costs nothing more.
    while (m_tlsEnded || m_plain->bytesToWrite() < m_options.highWater) {
        const qint64 n = m_tls->read(t_scratch.data(), kChunk);
        if (n <= 0)
            break;
        if (!m_plain->write(t_scratch.data(), n)) {
            finish(QStringLiteral("plain side: ") + m_plain->errorString());
            return;
        }
        moved += n;
    }
    if (moved > 0) {
        countTlsToPlain(moved);
        touch();
    }
    m_tlsPaused = m_tls->bytesAvailable() > 0;
    if (m_tlsEnded && !m_tlsPaused) {
        m_plain->shutdownWrite();
        maybeFinish();
    }
}

void Pipe::onPlainEof()
{
    m_plainEof = true;
    m_plain->setReadingEnabled(false);
    if (m_tlsEnded) {
        maybeFinish();
        return;
    }
    if (m_plainEofPolicy == PlainEof::CloseTls) {
        // Qt flushes what is queued, sends close_notify, then FIN.
        m_tls->disconnectFromHost();
    }
}

void Pipe::onTlsEnded()
{
    if (m_tlsEnded || m_finished)
        return;
    m_tlsEnded = true;
    m_lingerSinceMs = nowMs();
    pumpTlsToPlain();
    if (!m_plainEof)
        m_plain->setReadingEnabled(true);  // read and drop until the plain FIN
}

void Pipe::onTlsBytesWritten()
{
    if (m_finished)
        return;
    touch();
    if (m_plainPaused && tlsPending() <= m_options.lowWater) {
        m_plainPaused = false;
        m_plain->setReadingEnabled(true);
        pumpPlainToTls();
    }
}

void Pipe::onPlainBytesWritten()
{
    if (m_finished)
        return;
    touch();
    if (m_plain->bytesToWrite() <= m_options.lowWater && (m_tlsPaused || m_tls->bytesAvailable() > 0))
        pumpTlsToPlain();
    maybeFinish();
}

void Pipe::maybeFinish()
{
    if (m_finished || !m_tlsEnded)
        return;
    if (m_plain->bytesToWrite() > 0 || m_tls->bytesAvailable() > 0)
        return;
    if (m_plainEof)
        finish(QStringLiteral("closed"));
}

void Pipe::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    const qint64 now = nowMs();
    if (m_tlsEnded && m_lingerSinceMs >= 0 && now - m_lingerSinceMs >= m_options.lingerTimeout.count()
        && m_plain->bytesToWrite() == 0) {
        finish(QStringLiteral("closed (linger timeout)"));
        return;
    }
    if (now - m_lastActivityMs >= m_options.idleTimeout.count())
        finish(QStringLiteral("idle timeout"));
    else if (m_plainEof && !m_tlsEnded && now - m_lastActivityMs >= m_options.halfClosedTimeout.count())
        finish(QStringLiteral("half-closed timeout"));
}

void Pipe::finish(const QString &why)
{
    if (m_finished)
        return;
    m_finished = true;
    m_finishReason = why;
    m_timer.stop();
    disconnect(m_plain, nullptr, this, nullptr);
    disconnect(m_tls, nullptr, this, nullptr);
    m_plain->close();
    m_tls->abort();
    Q_EMIT finished();
}

} // namespace mesh::proxy
