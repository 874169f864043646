#pragma once

#include <QBasicTimer>
#include <QObject>

#include <functional>

namespace mesh::proxy {

// What a listener turned away under overload since its last summary line.
struct OverloadCounts final
{
    quint64 drained = 0;           // unfinished TLS handshakes closed to make room (inbound only)
    quint64 refused = 0;           // new connections closed at accept: the limit was reached
    quint64 refusedNoIdentity = 0; // new connections closed at accept: no certificate yet

    bool any() const { return drained || refused || refusedNoIdentity; }
};

// Paces a listener's overload log: the first event after a quiet interval is
// written at once, the rest are summed and written at most once an interval,
// so a flood of connections never becomes a flood of log lines (as nginx logs
// "worker_connections are not enough" at most once a second, nginx/nginx:
// src/core/ngx_connection.c ngx_drain_connections). `write` formats and logs
// the counts; it is called on this object's thread, never with all counts 0.
// Its destructor writes what is still unwritten, so declare it after the
// members `write` uses.
class OverloadLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverloadLog)

public:
    using Writer = std::function<void(const OverloadCounts &counts)>;

    explicit OverloadLog(Writer write, QObject *parent = nullptr);
    ~OverloadLog() override;

    // Counts `events`: written now after a quiet interval, else with the next summary.
    void add(const OverloadCounts &events);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void flush();

    Writer m_write;
    OverloadCounts m_unwritten;
    QBasicTimer m_pacing;
};

} // namespace mesh::proxy
