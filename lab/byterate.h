#pragma once

#include <QList>
#include <QtGlobal>

#include <chrono>

namespace mesh::lab {

// Bytes per second of a growing byte total (a connection's or an arrow's
// bytes so far), from samples of that total: the one place the lab, the
// canvas and the charts compute a rate.
//
// With a window, the rate spans the samples of the last `window` (one sample
// at or before its start is kept as the base), so a transfer once a second
// reads as a steady rate; without one (the default), it spans the last two
// samples. A total that goes down (a restarted process) starts over.
class ByteRate final
{
public:
    explicit ByteRate(std::chrono::milliseconds window = std::chrono::milliseconds(0))
        : m_windowMs(window.count())
    {
    }

    // `ms`: when the total was read, on any clock that does not go back.
    void add(qint64 ms, quint64 total);
    // Two samples at different times since the last clear() or reset.
    bool hasRate() const;
    // 0 while !hasRate().
    double perSecond() const;
    void clear() { m_samples.clear(); }

private:
    struct Sample
    {
        qint64 ms = 0;
        quint64 total = 0;
    };
    qint64 m_windowMs;
    QList<Sample> m_samples;
};

} // namespace mesh::lab
