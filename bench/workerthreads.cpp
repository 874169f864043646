#include "workerthreads.h"

namespace mesh::bench {

void WorkerThreads::start(int count, const std::function<void()> &work)
{
    for (int w = 0; w < count; ++w)
        m_threads.emplace_back(work);
}

void WorkerThreads::stop()
{
    m_stop = true;
    for (std::thread &t : m_threads)
        t.join();
    m_threads.clear();
}

} // namespace mesh::bench
