#include "proxymetrics.h"

#include <algorithm>
#include <numeric>

namespace mesh::proxy {

quint64 MetricsSnapshot::totalRefusals() const
{
    return std::accumulate(refusals.begin(), refusals.end(), quint64(0));
}

ProxyMetrics::ProxyMetrics(const QString &name, QObject *parent)
    : QObject(parent)
{
    m_snapshot.name = name;
    m_throttle.setSingleShot(true);
    m_throttle.setInterval(std::chrono::milliseconds(250));
    connect(&m_throttle, &QTimer::timeout, this, [this] { Q_EMIT changed(m_snapshot); });
}

ProxyMetrics::~ProxyMetrics() = default;

void ProxyMetrics::touch()
{
    // Byte counters move on every read; a timer start per read would cost more
    // than the counting, so only start it when it is not already pending.
    if (!m_throttle.isActive())
        m_throttle.start();
}

void ProxyMetrics::connectionAccepted()
{
    ++m_snapshot.activeConnections;
    ++m_snapshot.totalConnections;
    touch();
}

void ProxyMetrics::connectionClosed()
{
    if (m_snapshot.activeConnections > 0)
        --m_snapshot.activeConnections;
    touch();
}

void ProxyMetrics::rejectedOverLimit()
{
    ++m_snapshot.rejectedOverLimit;
    ++m_snapshot.totalConnections;
    touch();
}

void ProxyMetrics::handshakeDrained()
{
    ++m_snapshot.drainedHandshakes;
    touch();
}

void ProxyMetrics::refused(pki::RefusalReason reason, bool duringHandshake, const QString &peer, const QString &detail)
{
    ++m_snapshot.refusals[static_cast<int>(reason)];
    if (duringHandshake)
        ++m_snapshot.handshakeFailures;
    touch();
    Q_EMIT connectionRefused(reason, peer, detail);
}

void ProxyMetrics::connectFailed()
{
    ++m_snapshot.connectFailures;
    touch();
}

void ProxyMetrics::connected(double latencyMs)
{
    const double n = double(++m_snapshot.connectSamples);
    m_snapshot.connectLatencyMeanMs += (latencyMs - m_snapshot.connectLatencyMeanMs) / n;
    m_snapshot.connectLatencyMaxMs = std::max(m_snapshot.connectLatencyMaxMs, latencyMs);
    touch();
}

} // namespace mesh::proxy
