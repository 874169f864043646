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
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int dial(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
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
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(ls, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(ls, 128) != 0)
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
    const double interval = double(connections) / rps;  // seconds between sends per connection
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
                const auto scheduled = start + std::chrono::duration_cast<Clock::duration>(
                                                   offset + std::chrono::duration<double>(interval * double(i)));
                if (scheduled - start > std::chrono::duration<double>(seconds))
                    break;
                std::this_thread::sleep_until(scheduled);
                if (!writeAll(fd, kGet, sizeof kGet - 1) || !readResponse(fd, buffer)) {
                    ++errors;
                    break;
                }
                latencies[size_t(c)].push_back(std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count());
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
    while (::read(0, &c, 1) > 0) {
    }
    for (int fd : fds)
        ::close(fd);
    return 0;
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
    std::fprintf(stderr, "usage: see the comment at the top of bench/proxy_load.cpp\n");
    return 2;
}
