#include "heaptrimmer.h"

#include <QFile>

#include <algorithm>

#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mesh {

namespace {

#if defined(__GLIBC__)
// The resident set in bytes: /proc/self/statm's second field, in pages
// (https://man7.org/linux/man-pages/man5/proc_pid_statm.5.html); -1 when
// there is no /proc.
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * qint64(::sysconf(_SC_PAGESIZE)) : -1;
}
#endif

} // namespace

HeapTrimmer::HeapTrimmer(std::chrono::milliseconds interval, qint64 thresholdBytes, QObject *parent)
    : QObject(parent)
    , m_threshold(thresholdBytes)
{
#if defined(__GLIBC__)
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &HeapTrimmer::check);
    m_timer.start();
#else
    Q_UNUSED(interval);
#endif
}

void HeapTrimmer::check()
{
#if defined(__GLIBC__)
    const qint64 resident = residentBytes();
    if (resident < 0 || resident - m_residentAfterTrim < m_threshold)
        return;
    // fordblks: free bytes held in the arenas (mallinfo2(3), glibc ≥ 2.33).
    if (qint64(::mallinfo2().fordblks) >= m_threshold) {
        ::malloc_trim(0);
        m_trimmed += std::max<qint64>(0, resident - residentBytes());
    }
    // Also when nothing was free: the growth is live data, looked at again
    // only after another `threshold` of it.
    m_residentAfterTrim = residentBytes();
#endif
}

} // namespace mesh
