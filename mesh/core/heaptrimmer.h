#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>

namespace mesh {

// Gives freed heap back to the system in a long-running process (`meshpad
// proxy`).
//
// After a flood (thousands of connections, each with TLS buffers, then
// gone) glibc keeps the freed memory in its arenas: the proxy's RSS stayed
// near 100 MiB after bench/proxy-overload.sh's L2 step, against 29 MiB idle
// before (31 MiB with this). Every `interval` this compares the resident set
// with what it was after the last trim; once it has grown by `threshold` and
// at least that much lies free in the heap (mallinfo2(3)), it calls
// malloc_trim(3), which hands the free pages of every arena back to the
// kernel. A process whose memory is steady is never trimmed; one that grows
// with live data is looked at once per `threshold` of growth. A no-op where
// glibc is not the allocator.
class HeapTrimmer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeapTrimmer)

public:
    explicit HeapTrimmer(std::chrono::milliseconds interval = std::chrono::seconds(10),
                         qint64 thresholdBytes = qint64{16} * 1024 * 1024, QObject *parent = nullptr);

    // Resident bytes given back by the trims so far.
    qint64 trimmedBytes() const { return m_trimmed; }

private:
    void check();

    QTimer m_timer;
    qint64 m_threshold;
    qint64 m_residentAfterTrim = 0;
    qint64 m_trimmed = 0;
};

} // namespace mesh
