#include "byterate.h"

namespace mesh::lab {

void ByteRate::add(qint64 ms, quint64 total)
{
    if (!m_samples.isEmpty() && (total < m_samples.constLast().total || ms < m_samples.constLast().ms))
        m_samples.clear();
    m_samples.append({ms, total});
    // Keep one sample at or before the window's start as the base.
    const qint64 windowStart = m_windowMs > 0 ? ms - m_windowMs : ms;
    while (m_samples.size() > 2 && m_samples.at(1).ms <= windowStart)
        m_samples.removeFirst();
}

bool ByteRate::hasRate() const
{
    return m_samples.size() >= 2 && m_samples.constLast().ms > m_samples.constFirst().ms;
}

double ByteRate::perSecond() const
{
    if (!hasRate())
        return 0;
    const Sample &first = m_samples.constFirst();
    const Sample &last = m_samples.constLast();
    return double(last.total - first.total) * 1000.0 / double(last.ms - first.ms);
}

} // namespace mesh::lab
