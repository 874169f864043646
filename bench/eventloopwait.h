#pragma once

#include <functional>

// The Qt benches' one wait (bench_labgui, lab_soak): the event loop runs
// while they wait, so the lab, the window and the sockets on this thread keep
// working. Qt Core: link benchqtsupport.
namespace mesh::bench {

// Runs the event loop until `done` or `timeoutMs`, checking `done` every
// `pollMs`; false on timeout.
bool waitFor(const std::function<bool()> &done, int timeoutMs, int pollMs);

} // namespace mesh::bench
