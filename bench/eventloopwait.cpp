#include "eventloopwait.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

namespace mesh::bench {

bool waitFor(const std::function<bool()> &done, int timeoutMs, int pollMs)
{
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(pollMs);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done() || elapsed.elapsed() > timeoutMs)
            loop.quit();
    });
    poll.start();
    if (!done())
        loop.exec();
    return done();
}

} // namespace mesh::bench
