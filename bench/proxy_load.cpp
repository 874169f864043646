// Load generator for bench/proxy-vs-haproxy.sh: plain POSIX sockets and
// threads so that what is measured is the proxy, not the tool.
//
//   proxy_load sink PORT                       bulk server: reads an 8-byte length, then that
//                                              many bytes, answers one byte; forever
//   proxy_load bulk PORT MIB                   sends MIB MiB to a sink, prints "MiB/s"
//   proxy_load rate PORT RPS SECONDS CONNS     constant-rate HTTP/1.1 keep-alive GETs over
//                                              CONNS connections; latency from the scheduled
//                                              send time (no coordinated omission); prints
//                                              "p50_us p99_us completed errors"
//   proxy_load connrate PORT SECONDS WORKERS   one GET per new connection (Connection: close),
//                                              prints "connections/s errors"
//   proxy_load idle PORT N                     opens N connections, one GET each (so the
//                                              whole path is established), prints "ready",
//                                              holds them until stdin closes
//
// Overload modes (bench/proxy-overload.sh): one epoll thread, non-blocking
// sockets, a line per REPORT seconds and one per phase, errors by kind.
// MODE is `keepalive` (reuse a connection once its answer is in) or `close`
// (Connection: close, a new connection — through the pair, a new mTLS
// handshake — per request).
//
//   proxy_load paced PORT SCHEDULE MAXCONNS MODE TIMEOUT_MS REPORT [WARM]
//       open loop (after opening WARM connections, one answer each, uncounted): SCHEDULE is RPS:SECONDS[,RPS:SECONDS…];
//       requests are due at fixed times whatever the answers do; a due request takes an idle connection, else opens one
//       while fewer than MAXCONNS are open, else waits in the tool's queue. Latency from the due time, so queueing
//       anywhere (tool, kernel, proxies) counts.
//   proxy_load closed PORT SECONDS CONNS MODE TIMEOUT_MS REPORT
//       closed loop: CONNS requests in flight at all times, each followed at
//       once by the next; latency from the send (with MODE close: from the
//       connect, so it includes the TCP connect and both proxies' handshake).
//
//   Lines: `tick t=… phase=… offered=… sent=… ok=… refused=… reset=… cut=…
//   timeout=… unsent=… other=… p50_us=… p99_us=… open=…`, `phase …` (the
//   same over a phase) and `total …`. An answer is attributed to the interval
//   in which it completes. Error kinds:
//     refused  connect refused, or the connection closed or reset before any
//              byte of an answer on a connection that never carried one:
//              what the proxies' accept-time limit (close() at accept, an RST
//              when the request is already in) and a failed upstream dial look like
//     reset    RST on a connection that carried answers before, or mid-answer
//     cut      EOF mid-answer, or on a reused connection before the answer
//     timeout  sent, no complete answer within TIMEOUT_MS
//     unsent   (paced) waited TIMEOUT_MS in the tool's queue, MAXCONNS busy
//     other    a local error (e.g. no ephemeral port) or a non-2xx status
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// 127.0.0.1:port, for connect() and bind().
sockaddr_in loopbackAddress(int port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int dial(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in a = loopbackAddress(port);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

bool writeAll(int fd, const char *p, size_t n)
{
    while (n > 0) {
        const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        p += w;
        n -= size_t(w);
    }
    return true;
}

bool readAll(int fd, char *p, size_t n)
{
    while (n > 0) {
        const ssize_t r = ::recv(fd, p, n, 0);
        if (r <= 0)
            return false;
        p += r;
        n -= size_t(r);
    }
    return true;
}

// Reads one HTTP/1.1 response with Content-Length; false on error or close.
bool readResponse(int fd, std::string &buffer)
{
    char chunk[16384];
    for (;;) {
        const size_t headerEnd = buffer.find("\r\n\r\n");
        if (headerEnd != std::string::npos) {
            size_t length = 0;
            const size_t cl = buffer.find("ontent-Length:");
            if (cl != std::string::npos && cl < headerEnd)
                length = std::strtoul(buffer.c_str() + cl + 14, nullptr, 10);
            const size_t total = headerEnd + 4 + length;
            if (buffer.size() >= total) {
                buffer.erase(0, total);
                return true;
            }
        }
        const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
        if (r <= 0)
            return false;
        buffer.append(chunk, size_t(r));
    }
}

const char kGet[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
const char kGetClose[] = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";

int sink(int port)
{
    const int ls = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in a = loopbackAddress(port);
    if (::bind(ls, reinterpret_cast<const sockaddr *>(&a), sizeof a) != 0 || ::listen(ls, 128) != 0)
        return 1;
    for (;;) {
        const int fd = ::accept(ls, nullptr, nullptr);
        if (fd < 0)
            continue;
        std::thread([fd] {
            std::vector<char> buffer(1 << 20);
            uint64_t length = 0;
            while (readAll(fd, reinterpret_cast<char *>(&length), sizeof length)) {
                while (length > 0) {
                    const ssize_t r = ::recv(fd, buffer.data(), std::min<uint64_t>(length, buffer.size()), 0);
                    if (r <= 0) {
                        ::close(fd);
                        return;
                    }
                    length -= uint64_t(r);
                }
                if (!writeAll(fd, "k", 1))
                    break;
            }
            ::close(fd);
        }).detach();
    }
}

int bulk(int port, uint64_t mib)
{
    const int fd = dial(port);
    if (fd < 0)
        return 1;
    std::vector<char> block(1 << 20, 'b');
    const uint64_t length = mib << 20;
    const auto start = Clock::now();
    if (!writeAll(fd, reinterpret_cast<const char *>(&length), sizeof length))
        return 1;
    for (uint64_t i = 0; i < mib; ++i) {
        if (!writeAll(fd, block.data(), block.size()))
            return 1;
    }
    char ack = 0;
    if (!readAll(fd, &ack, 1))
        return 1;
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("%.1f\n", double(mib) / seconds);
    ::close(fd);
    return 0;
}

int rate(int port, double rps, double seconds, int connections)
{
    std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
    std::atomic<int> errors{0};
    const auto start = Clock::now() + std::chrono::milliseconds(200);
    const double interval = double(connections) / rps; // seconds between sends per connection
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            const int fd = dial(port);
            if (fd < 0) {
                ++errors;
                return;
            }
            std::string buffer;
            const auto offset = std::chrono::duration<double>(interval * c / connections);
            for (long i = 0;; ++i) {
                const auto scheduled = start
                                       + std::chrono::duration_cast<Clock::duration>(
                                           offset + std::chrono::duration<double>(interval * double(i)));
                if (scheduled - start > std::chrono::duration<double>(seconds))
                    break;
                std::this_thread::sleep_until(scheduled);
                if (!writeAll(fd, kGet, sizeof kGet - 1) || !readResponse(fd, buffer)) {
                    ++errors;
                    break;
                }
                latencies[size_t(c)].push_back(
                    std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count());
            }
            ::close(fd);
        });
    }
    for (auto &t : threads)
        t.join();
    std::vector<double> all;
    for (auto &l : latencies)
        all.insert(all.end(), l.begin(), l.end());
    if (all.empty()) {
        std::printf("0 0 0 %d\n", errors.load());
        return 1;
    }
    std::sort(all.begin(), all.end());
    const auto at = [&](double q) { return all[std::min(all.size() - 1, size_t(q * double(all.size())))]; };
    std::printf("%.0f %.0f %zu %d\n", at(0.50), at(0.99), all.size(), errors.load());
    return 0;
}

int connrate(int port, double seconds, int workers)
{
    std::atomic<long> done{0};
    std::atomic<int> errors{0};
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            std::string buffer;
            while (Clock::now() < end) {
                const int fd = dial(port);
                buffer.clear();
                if (fd < 0 || !writeAll(fd, kGetClose, sizeof kGetClose - 1) || !readResponse(fd, buffer))
                    ++errors;
                else
                    ++done;
                if (fd >= 0)
                    ::close(fd);
            }
        });
    }
    for (auto &t : threads)
        t.join();
    std::printf("%.0f %d\n", double(done.load()) / seconds, errors.load());
    return 0;
}

int idle(int port, int n)
{
    std::vector<int> fds;
    std::string buffer;
    for (int i = 0; i < n; ++i) {
        const int fd = dial(port);
        buffer.clear();
        if (fd < 0 || !writeAll(fd, kGet, sizeof kGet - 1) || !readResponse(fd, buffer)) {
            std::fprintf(stderr, "idle: connection %d failed\n", i);
            return 1;
        }
        fds.push_back(fd);
    }
    std::printf("ready\n");
    std::fflush(stdout);
    char c;
    while (::read(0, &c, 1) > 0) { }
    for (int fd : fds)
        ::close(fd);
    return 0;
}

// --- overload modes: one epoll loop --------------------------------------------

enum Kind { Ok, Refused, Reset, Cut, Timeout, Unsent, Other, KindCount };
const char *const kKindNames[KindCount] = {"ok", "refused", "reset", "cut", "timeout", "unsent", "other"};

struct Tally
{
    long offered = 0;
    long sent = 0;
    long counts[KindCount] = {};
    std::vector<double> latencies; // µs, answered requests

    void print(const char *prefix, int openConnections) const
    {
        std::vector<double> sorted = latencies;
        std::sort(sorted.begin(), sorted.end());
        const auto at = [&](double q) {
            return sorted.empty() ? 0.0 : sorted[std::min(sorted.size() - 1, size_t(q * double(sorted.size())))];
        };
        std::printf("%s offered=%ld sent=%ld", prefix, offered, sent);
        for (int k = 0; k < KindCount; ++k)
            std::printf(" %s=%ld", kKindNames[k], counts[k]);
        std::printf(" p50_us=%.0f p99_us=%.0f open=%d\n", at(0.50), at(0.99), openConnections);
        std::fflush(stdout);
    }
    void add(const Tally &o)
    {
        offered += o.offered;
        sent += o.sent;
        for (int k = 0; k < KindCount; ++k)
            counts[k] += o.counts[k];
        latencies.insert(latencies.end(), o.latencies.begin(), o.latencies.end());
    }
};

class Driver
{
public:
    struct Phase
    {
        double rps; // 0 in closed mode
        double seconds;
    };

    Driver(int port, std::vector<Phase> phases, int maxConnections, bool closeMode, double timeoutMs,
           double reportSeconds, bool paced)
        : m_port(port)
        , m_phases(std::move(phases))
        , m_max(maxConnections)
        , m_close(closeMode)
        , m_timeout(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(timeoutMs)))
        , m_report(reportSeconds)
        , m_paced(paced)
    {
    }

    int run(int warm)
    {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        warmUp(warm);
        m_start = Clock::now();
        double phaseStart = 0;
        for (size_t p = 0; p < m_phases.size(); ++p) {
            m_phaseIndex = int(p);
            m_phaseTally = Tally{};
            const double phaseEnd = phaseStart + m_phases[p].seconds;
            // Due times continue across phases: request k of this phase is due
            // at phaseStart + k / rps.
            long k = 0;
            for (;;) {
                const double now = elapsed();
                if (now >= phaseEnd)
                    break;
                // Closed: top up to CONNS in flight (a request that failed, or
                // a connection closed after its answer, frees a slot).
                for (int i = int(m_conns.size()); !m_paced && i < m_max; ++i)
                    issue(Clock::now());
                if (m_paced) {
                    while (phaseStart + double(k) / m_phases[p].rps <= now) {
                        ++m_tick.offered;
                        m_queue.push_back(at(phaseStart + double(k) / m_phases[p].rps));
                        ++k;
                    }
                    dispatch();
                }
                if (now >= m_lastTickAt + m_report)
                    tick(m_lastTickAt + m_report);
                if (now - m_lastSweep >= 0.005)
                    sweep();
                // Wake at the next due time, not a millisecond later: with
                // epoll_wait's 1 ms granularity the tool itself would add up to
                // 1 ms to every paced request.
                double wait = 0.001;
                if (m_paced)
                    wait = std::clamp(phaseStart + double(k) / m_phases[p].rps - elapsed(), 0.0, 0.001);
                const timespec timeout{0, long(wait * 1e9)};
                epoll_event events[256];
                const int n = ::epoll_pwait2(m_epoll, events, 256, &timeout, nullptr);
                for (int i = 0; i < n; ++i)
                    onEvent(int(events[i].data.fd), events[i].events);
            }
            if (m_lastTickAt < phaseEnd - 1e-6)
                tick(phaseEnd);
            char prefix[96];
            std::snprintf(prefix, sizeof prefix, "phase n=%d rps=%.0f seconds=%.0f", int(p) + 1, m_phases[p].rps,
                          m_phases[p].seconds);
            m_phaseTally.print(prefix, int(m_conns.size()));
            m_total.add(m_phaseTally);
            phaseStart = phaseEnd;
        }
        m_total.print("total", int(m_conns.size()));
        return 0;
    }

private:
    // Paced: open WARM connections and get one answer on each (not counted),
    // so the schedule starts on a pool as a pooling caller has one; at most 30 s.
    void warmUp(int warm)
    {
        if (warm <= 0)
            return;
        for (int i = 0; i < warm; ++i)
            open(Clock::now());
        const auto end = Clock::now() + std::chrono::seconds(30);
        while (int(m_idle.size()) < int(m_conns.size()) && Clock::now() < end) {
            epoll_event events[256];
            const int n = ::epoll_wait(m_epoll, events, 256, 10);
            for (int i = 0; i < n; ++i)
                onEvent(int(events[i].data.fd), events[i].events);
        }
        std::printf("warm connections=%zu answered=%ld\n", m_conns.size(), m_tick.counts[Ok]);
        std::fflush(stdout);
        m_tick = Tally{};
    }

    struct Conn
    {
        int fd = -1;
        bool connecting = true;
        bool busy = false;    // a request is on it
        bool carried = false; // it has carried a complete answer before
        bool gotByte = false; // a byte of the current answer came
        size_t written = 0;
        Clock::time_point due;    // latency origin
        Clock::time_point sentAt; // timeout origin
        std::string buffer;
        size_t index = 0; // in m_conns
    };

    double elapsed() const { return std::chrono::duration<double>(Clock::now() - m_start).count(); }
    Clock::time_point at(double seconds) const
    {
        return m_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    }

    void count(Kind kind, Clock::time_point due)
    {
        ++m_tick.counts[kind];
        if (kind == Ok)
            m_tick.latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - due).count());
    }

    void tick(double until)
    {
        char prefix[64];
        std::snprintf(prefix, sizeof prefix, "tick t=%.0f phase=%d", until, m_phaseIndex + 1);
        m_tick.print(prefix, int(m_conns.size()));
        m_phaseTally.add(m_tick);
        m_tick = Tally{};
        m_lastTickAt = until;
    }

    // Paced: hand queued requests to idle connections or new ones.
    void dispatch()
    {
        const auto now = Clock::now();
        while (!m_queue.empty() && now - m_queue.front() > m_timeout) {
            count(Unsent, m_queue.front());
            m_queue.pop_front();
        }
        while (!m_queue.empty()) {
            Conn *idle = nullptr;
            while (!m_idle.empty() && !idle) {
                const int fd = m_idle.back();
                m_idle.pop_back();
                auto it = m_byFd.find(fd);
                if (it != m_byFd.end() && !it->second->busy)
                    idle = it->second;
            }
            if (idle) {
                start(idle, m_queue.front());
            } else if (int(m_conns.size()) < m_max) {
                if (!open(m_queue.front()))
                    count(Other, m_queue.front());
            } else {
                break;
            }
            m_queue.pop_front();
        }
    }

    // Closed: the next request, on the freed connection or a new one.
    void issue(Clock::time_point due, Conn *reuse = nullptr)
    {
        ++m_tick.offered;
        if (reuse) {
            start(reuse, due);
        } else if (!open(due)) {
            count(Other, due);
        }
    }

    bool open(Clock::time_point due)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return false;
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const sockaddr_in a = loopbackAddress(m_port);
        const int rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a);
        if (rc != 0 && errno != EINPROGRESS) {
            const bool refused = errno == ECONNREFUSED;
            ::close(fd);
            if (refused) {
                ++m_tick.sent;
                count(Refused, due);
                return true;
            }
            return false;
        }
        auto conn = std::make_unique<Conn>();
        conn->fd = fd;
        conn->busy = true;
        conn->due = due;
        conn->sentAt = Clock::now();
        ++m_tick.sent;
        epoll_event ev{};
        ev.events = EPOLLOUT | EPOLLIN;
        ev.data.fd = fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        m_byFd[fd] = conn.get();
        conn->index = m_conns.size();
        m_conns.push_back(std::move(conn));
        return true;
    }

    void start(Conn *c, Clock::time_point due)
    {
        c->busy = true;
        c->gotByte = false;
        c->written = 0;
        c->due = due;
        c->sentAt = Clock::now();
        ++m_tick.sent;
        write(c);
    }

    void write(Conn *c)
    {
        const char *req = m_close ? kGetClose : kGet;
        const size_t len = m_close ? sizeof kGetClose - 1 : sizeof kGet - 1;
        while (c->written < len) {
            const ssize_t w = ::send(c->fd, req + c->written, len - c->written, MSG_NOSIGNAL);
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (w <= 0) {
                fail(c, errno == ECONNREFUSED ? Refused : errno == ECONNRESET || errno == EPIPE ? resetKind(c) : Other);
                return;
            }
            c->written += size_t(w);
        }
        epoll_event ev{};
        ev.events = c->written < len ? (EPOLLOUT | EPOLLIN) : EPOLLIN;
        ev.data.fd = c->fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c->fd, &ev);
    }

    Kind resetKind(const Conn *c) const { return (!c->carried && !c->gotByte) ? Refused : Reset; }
    Kind eofKind(const Conn *c) const { return (!c->carried && !c->gotByte) ? Refused : Cut; }

    void onEvent(int fd, uint32_t events)
    {
        auto it = m_byFd.find(fd);
        if (it == m_byFd.end())
            return;
        Conn *c = it->second;
        if (c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                fail(c, err == ECONNREFUSED ? Refused : err == ECONNRESET ? Refused : Other);
                return;
            }
            c->connecting = false;
            write(c);
            return;
        }
        if (events & EPOLLOUT)
            write(c);
        if (m_byFd.count(fd) && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
            read(c);
    }

    void read(Conn *c)
    {
        char chunk[16384];
        for (;;) {
            const ssize_t r = ::recv(c->fd, chunk, sizeof chunk, 0);
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return;
            if (r <= 0) {
                if (!c->busy) { // an idle keep-alive connection the server closed
                    drop(c);
                    return;
                }
                fail(c, r == 0 ? eofKind(c) : errno == ECONNRESET ? resetKind(c) : Other);
                return;
            }
            if (!c->busy)
                continue; // stray bytes on an idle connection: ignore
            c->gotByte = true;
            c->buffer.append(chunk, size_t(r));
            const size_t headerEnd = c->buffer.find("\r\n\r\n");
            if (headerEnd == std::string::npos)
                continue;
            size_t length = 0;
            const size_t cl = c->buffer.find("ontent-Length:");
            if (cl != std::string::npos && cl < headerEnd)
                length = std::strtoul(c->buffer.c_str() + cl + 14, nullptr, 10);
            if (c->buffer.size() < headerEnd + 4 + length)
                continue;
            const bool good = c->buffer.compare(0, 10, "HTTP/1.1 2") == 0;
            count(good ? Ok : Other, c->due);
            c->buffer.clear();
            c->carried = true;
            c->busy = false;
            finishRequest(c);
            return;
        }
    }

    // After an answer: reuse or close, then keep the loop fed.
    void finishRequest(Conn *c)
    {
        if (m_close) {
            drop(c);
        } else if (!m_paced) {
            issue(Clock::now(), c);
        } else {
            m_idle.push_back(c->fd);
        }
    }

    void fail(Conn *c, Kind kind)
    {
        count(kind, c->due);
        drop(c);
    }

    void drop(Conn *c)
    {
        const int fd = c->fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        m_byFd.erase(fd);
        const size_t index = c->index;
        std::swap(m_conns[index], m_conns.back());
        m_conns[index]->index = index;
        m_conns.pop_back();
    }

    void sweep()
    {
        m_lastSweep = elapsed();
        const auto now = Clock::now();
        std::vector<Conn *> late;
        for (const auto &c : m_conns) {
            if (c->busy && now - c->sentAt > m_timeout)
                late.push_back(c.get());
        }
        for (Conn *c : late)
            fail(c, Timeout);
    }

    int m_port;
    std::vector<Phase> m_phases;
    int m_max;
    bool m_close;
    Clock::duration m_timeout;
    double m_report;
    bool m_paced;
    int m_epoll = -1;
    Clock::time_point m_start;
    int m_phaseIndex = 0;
    double m_lastTickAt = 0;
    double m_lastSweep = 0;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::unordered_map<int, Conn *> m_byFd;
    std::vector<int> m_idle;
    std::deque<Clock::time_point> m_queue;
    Tally m_tick, m_phaseTally, m_total;
};

int overload(int argc, char **argv, bool paced)
{
    if (argc != 8 && !(paced && argc == 9))
        return 2;
    const std::string mode = argv[5];
    if (mode != "keepalive" && mode != "close")
        return 2;
    std::vector<Driver::Phase> phases;
    if (paced) {
        std::string schedule = argv[3];
        size_t pos = 0;
        while (pos < schedule.size()) {
            size_t end = schedule.find(',', pos);
            if (end == std::string::npos)
                end = schedule.size();
            const std::string item = schedule.substr(pos, end - pos);
            const size_t colon = item.find(':');
            if (colon == std::string::npos)
                return 2;
            phases.push_back({std::atof(item.c_str()), std::atof(item.c_str() + colon + 1)});
            if (phases.back().rps <= 0)
                return 2;
            pos = end + 1;
        }
    } else {
        phases.push_back({0, std::atof(argv[3])});
    }
    Driver driver(std::atoi(argv[2]), std::move(phases), std::atoi(argv[4]), mode == "close", std::atof(argv[6]),
                  std::atof(argv[7]), paced);
    return driver.run(argc == 9 ? std::atoi(argv[8]) : 0);
}
} // namespace

int main(int argc, char **argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "sink" && argc == 3)
        return sink(std::atoi(argv[2]));
    if (mode == "bulk" && argc == 4)
        return bulk(std::atoi(argv[2]), std::strtoull(argv[3], nullptr, 10));
    if (mode == "rate" && argc == 6)
        return rate(std::atoi(argv[2]), std::atof(argv[3]), std::atof(argv[4]), std::atoi(argv[5]));
    if (mode == "connrate" && argc == 5)
        return connrate(std::atoi(argv[2]), std::atof(argv[3]), std::atoi(argv[4]));
    if (mode == "idle" && argc == 4)
        return idle(std::atoi(argv[2]), std::atoi(argv[3]));
    if (mode == "paced" || mode == "closed") {
        const int rc = overload(argc, argv, mode == "paced");
        if (rc != 2)
            return rc;
    }
    std::fprintf(stderr, "usage: see the comment at the top of bench/proxy_load.cpp\n");
    return 2;
}
