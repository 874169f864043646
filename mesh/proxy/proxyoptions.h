#pragma once

#include <QtGlobal>

#include <chrono>

namespace mesh::proxy {

// Limits and deadlines of a listener. Defaults follow Consul's built-in proxy
// where it has one (hashicorp/consul: connect/proxy/config.go: handshake 10 s, local connect 1 s, upstream
// connect 10 s) and our own targets elsewhere (docs/faults.md F5 idle,
// docs/targets.md back-pressure).
struct ProxyOptions final
{
    std::chrono::milliseconds handshakeTimeout{10'000};
    std::chrono::milliseconds connectTimeout{10'000};     // upstream instance, TCP connect
    std::chrono::milliseconds localConnectTimeout{1'000}; // inbound: the local app
    std::chrono::milliseconds idleTimeout{10 * 60'000};   // no byte either way
    std::chrono::milliseconds lingerTimeout{2'000};       // after our FIN, waiting for the peer's
    // After the local client's FIN the TLS leg stays open for the answer
    // (see Pipe); TCP cannot tell a half-close from a full close, so this
    // inactivity limit ends it, as HAProxy's `timeout client-fin` does.
    std::chrono::milliseconds halfClosedTimeout{10'000};
    // Open connections, handshaking included. Inbound, a new one at the
    // limit displaces the oldest unfinished TLS handshake, else it is closed
    // at accept (see InboundListener); upstream, it is closed at accept.
    int maxConnections = 1024;

    // Back-pressure per direction: stop reading a side while the other side
    // has more than highWater bytes queued, resume under lowWater
    // (docs/targets.md, Slow readers).
    qint64 highWater = 256 * 1024;
    qint64 lowWater = 64 * 1024;
    // Read buffer of the TLS socket; soft in Qt (docs/targets.md,
    // Back-pressure is ours), so kept small.
    qint64 tlsReadBufferSize = 64 * 1024;
};

} // namespace mesh::proxy
