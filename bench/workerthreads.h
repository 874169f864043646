#pragma once

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

// The paced loads' worker threads (bench_labgui, lab_soak): each runs one
// function until asked to stop. POSIX threads only, no Qt, like the rest of
// benchsupport.
namespace mesh::bench {

class WorkerThreads
{
public:
    WorkerThreads() = default;
    ~WorkerThreads() { stop(); }
    WorkerThreads(const WorkerThreads &) = delete;
    WorkerThreads &operator=(const WorkerThreads &) = delete;

    // `count` threads, each running `work`, which returns once stopping().
    void start(int count, const std::function<void()> &work);
    // Asks every worker to stop and waits for them; then stopping() stays true.
    void stop();
    bool stopping() const { return m_stop; }

private:
    std::atomic<bool> m_stop{false};
    std::vector<std::thread> m_threads;
};

} // namespace mesh::bench
