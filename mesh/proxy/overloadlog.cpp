#include "overloadlog.h"

#include <QTimerEvent>

#include <chrono>

namespace mesh::proxy {

namespace {

constexpr std::chrono::milliseconds kInterval{1000};

} // namespace

OverloadLog::OverloadLog(Writer write, QObject *parent)
    : QObject(parent)
    , m_write(std::move(write))
{
}

OverloadLog::~OverloadLog()
{
    flush();
}

void OverloadLog::add(const OverloadCounts &events)
{
    m_unwritten.drained += events.drained;
    m_unwritten.refused += events.refused;
    m_unwritten.refusedNoIdentity += events.refusedNoIdentity;
    // The first events after a quiet interval are written at once; the rest
    // wait for the timer and go out summed.
    if (m_pacing.isActive())
        return;
    flush();
    m_pacing.start(int(kInterval.count()), Qt::PreciseTimer, this);
}

void OverloadLog::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_pacing.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    if (m_unwritten.any()) {
        flush();
        // Restarted rather than left periodic: a periodic timer that fired
        // late fires early next time to keep its cadence, and two lines
        // would come less than a second apart.
        m_pacing.start(int(kInterval.count()), Qt::PreciseTimer, this);
    } else {
        m_pacing.stop();
    }
}

void OverloadLog::flush()
{
    if (!m_unwritten.any())
        return;
    const OverloadCounts counts = m_unwritten;
    m_unwritten = {};
    m_write(counts);
}

} // namespace mesh::proxy
