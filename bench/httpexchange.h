#pragma once

#include <chrono>
#include <cstdint>
#include <string>

// The raw-socket HTTP/1.1 client of the paced load in bench_labgui and
// lab_soak: POSIX sockets on the load's own threads, no Qt, so the figures
// measure the lab and the GUI thread, not the client's event loop.
namespace mesh::bench {

// A blocking TCP connection to `address` (IPv4, dotted quad) and `port` for
// one client thread: TCP_NODELAY (each request is one small write), and
// recv() gives up after `receiveTimeout`, so a peer that never answers
// fails the exchange instead of holding the thread. The connect itself
// waits as the kernel does (loopback refuses at once). The descriptor, which
// the caller closes, or -1.
int dialTcp(const std::string &address, std::uint16_t port, std::chrono::milliseconds receiveTimeout);

// Sends `request` on `fd` and reads its whole reply (the headers, then
// Content-Length bytes of body; one request at a time, no pipelining).
// True for "HTTP/1.1 200"; false for any other status, a reply without
// Content-Length, a send or receive error, the receive timeout, or the peer
// closing — after false the connection is of no further use.
bool exchange(int fd, const std::string &request);

} // namespace mesh::bench
