#pragma once

// The calling thread's time on a CPU and waiting for one (runnable but not
// running: on a busy machine, other processes' share), from the kernel's
// /proc/thread-self/schedstat (nanoseconds; Documentation/scheduler/
// sched-stats.rst in torvalds/linux). A gap that is neither was spent
// asleep: in poll() with nothing due, or blocked (a lock, a write). The
// benches' stall meters (bench_deploy, bench_labgui) split the GUI thread's
// worst gap between ticks of a 1 ms timer with it.
namespace mesh::bench {

struct SchedTimes
{
    double cpuMs = 0;
    double waitMs = 0;
};

// The totals so far of the thread that first called it (the file is opened
// once, on that first call, and kept open so that a 1 ms tick reads it
// without an open(); /proc/thread-self resolves at open time). Call it from
// the one thread to be measured — in the benches, the GUI thread. Zeros if
// the kernel does not provide the file (built without CONFIG_SCHED_INFO:
// torvalds/linux, fs/proc/base.c).
SchedTimes schedTimes();

} // namespace mesh::bench
