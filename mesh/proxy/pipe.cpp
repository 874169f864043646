#include "pipe.h"

#include "plainsocket.h"
#include "proxymetrics.h"

#include "tls/tlsstream.h"

#include <QDeadlineTimer>
#include <QTimerEvent>

#include <algorithm>
#include <array>

namespace mesh::proxy {

using tls::TlsStream;

namespace {

// One scratch buffer for every pipe of the thread: bytes only pass through it
// between a read and the write that copies them, and a per-connection buffer
// of this size would be the whole memory budget of an idle connection.
constexpr qint64 kChunk = 64 * 1024;
thread_local std::array<char, kChunk> t_scratch;

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

} // namespace

Pipe::Pipe(PlainSocket *plain, TlsStream *tls, const ProxyOptions &options, ProxyMetrics *metrics,
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
    connect(m_plain, &PlainSocket::readyRead, this, &Pipe::pumpPlainToTls);
    connect(m_plain, &PlainSocket::bytesWritten, this, &Pipe::onPlainBytesWritten);
    connect(m_plain, &PlainSocket::errorOccurred, this,
            [this] { finish(QStringLiteral("plain side: ") + m_plain->errorString()); });
    connect(m_tls, &TlsStream::readyRead, this, &Pipe::pumpTlsToPlain);
    connect(m_tls, &TlsStream::bytesWritten, this, &Pipe::onTlsBytesWritten);
    connect(m_tls, &TlsStream::errorOccurred, this, &Pipe::onTlsFailed);
    m_plain->setReadingEnabled(true);
    m_tls->setReadingEnabled(true);
    touch();
    const auto tick
        = std::clamp(std::min({m_options.idleTimeout, m_options.lingerTimeout, m_options.halfClosedTimeout}) / 4,
                     std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    m_timer.start(int(tick.count()), Qt::CoarseTimer, this);
    pumpTlsToPlain();
    pumpPlainToTls();
}

void Pipe::abort(const QString &why)
{
    finish(why);
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
    if (m_tlsAborted) {
        // Nowhere to carry it: read and drop until the plain FIN.
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
    while (m_tls->bytesToWrite() < m_options.highWater) {
        const qint64 n = m_plain->read(t_scratch.data(), kChunk);
        if (n > 0) {
            if (!m_tls->isWriteShutdown() && !m_tls->write(t_scratch.data(), n)) {
                finish(QStringLiteral("TLS side: ") + m_tls->errorString());
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
    }
    const bool pause = m_tls->bytesToWrite() >= m_options.highWater;
    if (pause != m_plainPaused) {
        m_plainPaused = pause;
        m_plain->setReadingEnabled(!pause);
    }
}

void Pipe::pumpTlsToPlain()
{
    if (m_finished || m_tlsEof)
        return;
    qint64 moved = 0;
    bool ended = false;
    while (m_plain->bytesToWrite() < m_options.highWater) {
        const qint64 n = m_tls->read(t_scratch.data(), kChunk);
        if (n > 0) {
            // Once the plain side is shut for writing (it failed), bytes
            // are read and dropped so the TLS end can still be seen.
            if (!m_plain->isWriteShutdown() && !m_plain->write(t_scratch.data(), n)) {
                finish(QStringLiteral("plain side: ") + m_plain->errorString());
                return;
            }
            moved += n;
            continue;
        }
        if (n == TlsStream::kEof)
            ended = true;
        else if (n == TlsStream::kError) {
            onTlsFailed();
            return;
        }
        break;
    }
    if (moved > 0) {
        countTlsToPlain(moved);
        touch();
    }
    if (ended) {
        onTlsEof();
        return;
    }
    const bool pause = m_plain->bytesToWrite() >= m_options.highWater;
    if (pause != m_tlsPaused) {
        m_tlsPaused = pause;
        m_tls->setReadingEnabled(!pause);
    }
}

void Pipe::onTlsFailed()
{
    if (m_finished)
        return;
    // A peer that broke the policy mid-stream (a renegotiation attempt) is
    // refused like one that failed its handshake: counted under its reason.
    if (m_tls->peerRefused())
        m_metrics->refused(m_tls->error().reason, false, QString(), m_tls->errorString());
    finish(QStringLiteral("TLS side: ") + m_tls->errorString());
}

void Pipe::onPlainEof()
{
    m_plainEof = true;
    m_plain->setReadingEnabled(false);
    touch();
    if (m_tls->canHalfClose() || m_plainEofPolicy == PlainEof::CloseTls || m_tlsEof)
        m_tls->shutdownWrite(); // close_notify once the queue is out, then FIN
    maybeFinish();
}

void Pipe::onTlsEof()
{
    m_tlsEof = true;
    m_tls->setReadingEnabled(false);
    touch();
    m_plain->shutdownWrite(); // FIN once the queue is out
    if (!m_tls->peerClosedCleanly()) {
        m_tlsAborted = true;
        m_bothEndedSinceMs = nowMs(); // the linger starts now
        if (!m_plainEof) {
            if (m_plainPaused) {
                m_plainPaused = false;
                m_plain->setReadingEnabled(true);
            }
            pumpPlainToTls();
        }
        maybeFinish();
        return;
    }
    // A TLS 1.2 leg kept open for the answer (KeepTlsOpen) ends with it.
    if (m_plainEof)
        m_tls->shutdownWrite();
    maybeFinish();
}

void Pipe::onTlsBytesWritten()
{
    if (m_finished)
        return;
    touch();
    if (m_plainPaused && m_tls->bytesToWrite() <= m_options.lowWater) {
        m_plainPaused = false;
        m_plain->setReadingEnabled(true);
        pumpPlainToTls();
    }
    maybeFinish();
}

void Pipe::onPlainBytesWritten()
{
    if (m_finished)
        return;
    touch();
    if (m_tlsPaused && m_plain->bytesToWrite() <= m_options.lowWater) {
        m_tlsPaused = false;
        m_tls->setReadingEnabled(true);
        pumpTlsToPlain();
    }
    maybeFinish();
}

void Pipe::maybeFinish()
{
    if (m_finished || !m_plainEof || !m_tlsEof)
        return;
    if (m_bothEndedSinceMs < 0)
        m_bothEndedSinceMs = nowMs();
    if (m_plain->bytesToWrite() == 0 && (m_tlsAborted || m_tls->bytesToWrite() == 0))
        finish(QStringLiteral("closed"));
}

void Pipe::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    const qint64 now = nowMs();
    if (m_bothEndedSinceMs >= 0 && now - m_bothEndedSinceMs >= m_options.lingerTimeout.count()
        && m_plain->bytesToWrite() == 0)
        finish(QStringLiteral("closed (linger timeout)"));
    else if (now - m_lastActivityMs >= m_options.idleTimeout.count())
        finish(QStringLiteral("idle timeout"));
    else if ((m_plainEof || m_tlsEof) && now - m_lastActivityMs >= m_options.halfClosedTimeout.count())
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
    m_tls->close();
    Q_EMIT finished();
}

} // namespace mesh::proxy
