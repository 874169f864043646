#pragma once

#include "pki/refusalreason.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <array>

namespace mesh::proxy {

// A listener's counters at one moment. "Downstream" is the side that opened
// the connection: the local client of an upstream listener, the remote
// caller of an inbound listener.
struct MetricsSnapshot final
{
    QString name;
    quint64 activeConnections = 0;
    quint64 totalConnections = 0;  // accepted, refused ones included
    quint64 rejectedOverLimit = 0; // closed at accept because of maxConnections
    // Inbound only: connections still in their TLS handshake, closed (oldest
    // first) to make room for a new one at maxConnections. Not refusals and
    // not handshakeFailures: nobody was judged, the slot was wanted.
    quint64 drainedHandshakes = 0;
    quint64 bytesFromDownstream = 0;
    quint64 bytesToDownstream = 0;
    quint64 handshakeFailures = 0; // TLS handshakes that did not complete
    std::array<quint64, pki::kRefusalReasonCount> refusals{};
    quint64 connectFailures = 0; // the local app or an instance unreachable
    // Accept to piping (handshake, checks and the connect to the other side).
    quint64 connectSamples = 0;
    double connectLatencyMeanMs = 0;
    double connectLatencyMaxMs = 0;

    quint64 refusalCount(pki::RefusalReason reason) const { return refusals[static_cast<int>(reason)]; }
    quint64 totalRefusals() const;
};

// The counters of one listener, updated by its connections on the listener's
// thread. changed() is throttled: at most once per interval, with the latest
// snapshot, so a GUI can connect to it directly.
class ProxyMetrics final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyMetrics)

public:
    explicit ProxyMetrics(const QString &name, QObject *parent = nullptr);
    ~ProxyMetrics() override;

    MetricsSnapshot snapshot() const { return m_snapshot; }

    void connectionAccepted();
    void connectionClosed();
    void rejectedOverLimit();
    void handshakeDrained();
    // `peer` is the remote address:port, `detail` says what was wrong (for a
    // denial, the source's SPIFFE ID first). Emits connectionRefused() at
    // once: refusals are rare and each one matters to whoever watches.
    void refused(pki::RefusalReason reason, bool duringHandshake, const QString &peer = QString(),
                 const QString &detail = QString());
    void connectFailed();
    void connected(double latencyMs);
    void addBytesFromDownstream(qint64 n)
    {
        m_snapshot.bytesFromDownstream += quint64(n);
        touch();
    }
    void addBytesToDownstream(qint64 n)
    {
        m_snapshot.bytesToDownstream += quint64(n);
        touch();
    }

Q_SIGNALS:
    void changed(const mesh::proxy::MetricsSnapshot &snapshot);
    void connectionRefused(mesh::pki::RefusalReason reason, const QString &peer, const QString &detail);

private:
    void touch();

    MetricsSnapshot m_snapshot;
    QTimer m_throttle;
};

} // namespace mesh::proxy
