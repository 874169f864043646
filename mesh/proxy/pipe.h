#pragma once

#include "proxy/proxyoptions.h"

#include <QBasicTimer>
#include <QObject>
#include <QString>

class QSslSocket;

namespace mesh::proxy {

class PlainSocket;
class ProxyMetrics;

// Carries bytes both ways between a plain leg and an established TLS leg, and
// owns both sockets from construction on.
//
// Back-pressure (perf doc G11, Q2): a side is read only while the other side
// has fewer than highWater bytes queued (for TLS: plaintext not yet encrypted
// plus ciphertext not yet sent); reading resumes under lowWater. Reads drain
// in a loop and TLS reads are gathered into one pass per event-loop turn, so
// the 4 KiB readyRead steps of Qt's TLS backend (Q1) become large writes.
//
// Half-close: FIN read on the plain leg is never lost, but Qt 6.4 cannot carry
// it over TLS (no close_notify without closing both directions, and a Qt
// socket that reads FIN closes its descriptor), so the TLS leg has no
// half-close. What happens instead is chosen by PlainEof:
//   KeepTlsOpen — the plain side is the client (upstream listener): its FIN
//     ends the request; the TLS leg stays open so the response still arrives
//     (F3), and the pipe ends when the far side closes or after
//     halfClosedTimeout without a byte (a full close looks the same as a
//     half-close on the wire).
//   CloseTls — the plain side is the local app (inbound listener): its FIN is
//     the end of the answer; queued bytes are flushed and the TLS leg closed
//     with close_notify.
// When the TLS leg ends, everything it delivered is written to the plain
// side, then FIN (shutdown(SHUT_WR)); the pipe waits for the plain peer's FIN
// (at most lingerTimeout) before closing, so no RST destroys the tail.
//
// finished() fires once, after both sockets are closed; the owner deletes
// the pipe (deleteLater: it may be inside one of its sockets' signals).
class Pipe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Pipe)

public:
    enum class PlainEof { KeepTlsOpen, CloseTls };

    Pipe(PlainSocket *plain, QSslSocket *tls, const ProxyOptions &options, ProxyMetrics *metrics,
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
    qint64 tlsPending() const;
    void pumpPlainToTls();
    void pumpTlsToPlain();
    void scheduleTlsPump();
    void onPlainEof();
    void onTlsEnded();
    void onTlsBytesWritten();
    void onPlainBytesWritten();
    void maybeFinish();
    void finish(const QString &why);
    void touch();
    void countPlainToTls(qint64 n);
    void countTlsToPlain(qint64 n);

    PlainSocket *m_plain;
    QSslSocket *m_tls;
    ProxyMetrics *m_metrics;
    ProxyOptions m_options;
    bool m_plainIsDownstream;
    PlainEof m_plainEofPolicy;
    bool m_started = false;
    bool m_plainEof = false;
    bool m_tlsEnded = false;
    bool m_tlsPumpScheduled = false;
    bool m_plainPaused = false;
    bool m_tlsPaused = false;
    bool m_finished = false;
    qint64 m_lastActivityMs = 0;
    qint64 m_lingerSinceMs = -1;
    QBasicTimer m_timer;
    QString m_finishReason;
};

} // namespace mesh::proxy
