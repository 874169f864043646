#pragma once

#include "proxy/proxyoptions.h"

#include <QBasicTimer>
#include <QObject>
#include <QString>

namespace mesh::tls {
class TlsStream;
}

namespace mesh::proxy {

class PlainSocket;
class ProxyMetrics;

// Carries bytes both ways between a plain leg and an established TLS leg, and
// owns both from construction on.
//
// Back-pressure: a side is read only while the other side has
// fewer than highWater bytes queued; reading resumes under lowWater. Reads
// drain in a loop into one scratch buffer per thread.
//
// Half-close, each direction on its own, as TCP has it: FIN read on the
// plain leg becomes close_notify (then FIN) on the TLS leg once everything
// before it is sent; close_notify read on the TLS leg becomes FIN on the
// plain leg the same way; the other direction goes on carrying
// (RFC 8446 §6.1: a close_notify closes the sender's write side only). A
// TLS 1.2 leg cannot do that (RFC 5246 §7.2.1: close_notify ends the
// connection, and OpenSSL discards what arrives after its own), so there
// PlainEof says what a plain FIN does:
//   KeepTlsOpen — the plain side is the client (upstream listener): its FIN
//     ends the request; the TLS leg stays open so the response still arrives.
//   CloseTls — the plain side is the local app (inbound listener): its FIN is
//     the end of the answer; close_notify follows what is queued.
//
// A TLS leg that ends without close_notify (FIN alone, or a reset) was
// aborted, not half-closed: what it delivered is written to the plain side,
// then FIN, and the pipe ends — the plain side's bytes from then on are read
// and dropped while it waits (at most lingerTimeout) for the plain FIN, so no
// reset destroys the tail.
//
// The pipe ends when both directions have ended and their queues are sent
// (at most lingerTimeout after the second end), when one direction has
// ended and nothing moved for halfClosedTimeout (a full close looks like a
// half-close on a TCP leg), after idleTimeout without a byte, or on an error.
//
// finished() fires once, after both are closed; the owner deletes the pipe
// (deleteLater: it may be inside one of its sockets' signals).
class Pipe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Pipe)

public:
    enum class PlainEof { KeepTlsOpen, CloseTls };

    Pipe(PlainSocket *plain, tls::TlsStream *tls, const ProxyOptions &options, ProxyMetrics *metrics,
         bool plainIsDownstream, PlainEof plainEof, QObject *parent = nullptr);
    ~Pipe() override;

    // Starts carrying bytes (data that arrived before is carried too).
    void start();
    void abort(const QString &why);

    bool isFinished() const { return m_finished; }
    QString finishReason() const { return m_finishReason; }

Q_SIGNALS:
    void finished();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void pumpPlainToTls();
    void pumpTlsToPlain();
    void onPlainEof();
    void onTlsEof();
    void onTlsFailed();
    void onTlsBytesWritten();
    void onPlainBytesWritten();
    void maybeFinish();
    void finish(const QString &why);
    void touch();
    void countPlainToTls(qint64 n);
    void countTlsToPlain(qint64 n);

    PlainSocket *m_plain;
    tls::TlsStream *m_tls;
    ProxyMetrics *m_metrics;
    ProxyOptions m_options;
    bool m_plainIsDownstream;
    PlainEof m_plainEofPolicy;
    bool m_started = false;
    bool m_plainEof = false;   // FIN read on the plain leg
    bool m_tlsEof = false;     // close_notify (or FIN) read on the TLS leg
    bool m_tlsAborted = false; // ... FIN without close_notify: the TLS leg is gone
    bool m_plainPaused = false;
    bool m_tlsPaused = false;
    bool m_finished = false;
    qint64 m_lastActivityMs = 0;
    qint64 m_bothEndedSinceMs = -1;
    QBasicTimer m_timer;
    QString m_finishReason;
};

} // namespace mesh::proxy
