// Many blocking queries parked on one Consul agent of the lab, for
// bench/labapi-vs-nginx.sh: the lab's memory per parked watcher, and how soon
// every watcher hears of a registration. Plain POSIX sockets and poll(), one
// thread, so what is measured is the lab, not the tool; every response is
// timestamped with the steady clock as soon as its last byte is read.
//
//   blocking_watchers ADDRESS [PID] [N] [ROUNDS]
//
// ADDRESS is the agent's HOST:PORT (an http:// prefix is dropped), PID the
// lab's process for VmRSS (0: skip the memory figures), N the number of
// watchers (default 1000), ROUNDS the number of registrations (default 5).
//
// 1. One plain GET /v1/catalog/services for X-Consul-Index, RSS before.
// 2. N connections, each GET /v1/catalog/services?index=<index>&wait=5m; after
//    2 s none may have answered (blocking queries answer at once when the index
//    is already past theirs: hashicorp/consul website/content/api-docs/features/blocking.mdx);
//    RSS again → KiB per watcher.
// 3. ROUNDS times: t0 just before writing PUT /v1/agent/service/register
//    {"Name":"bench-<round>","Port":1234} on a connection opened beforehand;
//    wake latency = arrival of each watcher's complete response − t0; then
//    every watcher is armed again with the new index. Finally the watchers
//    close and the bench services are deregistered.
// Prints figures; not a pass/fail test (exit status 1 only when the lab cannot
// be reached or answers wrongly).
#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kSettle = 2s;        // "surely parked": well past a loaded lab's accept + parse
constexpr auto kRoundTimeout = 10s; // a round's watchers that have not woken by then count as missed

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

sockaddr_in g_address{};

bool parseAddress(std::string text)
{
    if (text.starts_with("http://"))
        text.erase(0, 7);
    if (const size_t slash = text.find('/'); slash != std::string::npos)
        text.erase(slash);
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos)
        return false;
    g_address.sin_family = AF_INET;
    g_address.sin_port = htons(uint16_t(std::strtoul(text.c_str() + colon + 1, nullptr, 10)));
    return ::inet_pton(AF_INET, text.substr(0, colon).c_str(), &g_address.sin_addr) == 1;
}

int dial()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&g_address), sizeof g_address) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

bool writeAll(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t w = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        if (w <= 0)
            return false;
        data.remove_prefix(size_t(w));
    }
    return true;
}

// The value of header `name` (lower-case) in `head`, or empty.
std::string header(std::string_view head, std::string_view name)
{
    size_t line = head.find("\r\n");
    while (line != std::string_view::npos && line + 2 < head.size()) {
        const size_t start = line + 2;
        const size_t end = head.find("\r\n", start);
        const std::string_view text = head.substr(start, end - start);
        const size_t colon = text.find(':');
        if (colon == name.size() && std::equal(name.begin(), name.end(), text.begin(), [](char a, char b) {
                return a == std::tolower(static_cast<unsigned char>(b));
            })) {
            std::string_view value = text.substr(colon + 1);
            while (!value.empty() && value.front() == ' ')
                value.remove_prefix(1);
            return std::string(value);
        }
        line = end;
    }
    return {};
}

struct Response
{
    int status = 0;
    uint64_t index = 0; // X-Consul-Index
    std::string body;
};

// One HTTP/1.1 connection with a request in flight; the lab always sends
// Content-Length (apps/http adds it), so no chunked decoding.
struct Conn
{
    int fd = -1;
    std::string in;
    bool waiting = false;          // a request is in flight
    std::optional<Response> reply; // the last complete response
    Clock::time_point at;          // when its last byte was read
    bool failed = false;

    bool send(std::string_view request)
    {
        in.clear();
        reply.reset();
        waiting = writeAll(fd, request);
        failed = !waiting;
        return waiting;
    }

    // Reads what is there; true when this completed the response.
    bool onReadable()
    {
        char chunk[16384];
        bool closed = false;
        for (;;) {
            const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && errno == EAGAIN)
                break;
            if (r <= 0) {
                closed = true;
                break;
            }
            in.append(chunk, size_t(r));
        }
        const Clock::time_point now = Clock::now();
        const size_t headEnd = in.find("\r\n\r\n");
        const size_t length
            = headEnd == std::string::npos
                  ? 0
                  : std::strtoul(header(std::string_view(in.data(), headEnd + 2), "content-length").c_str(), nullptr,
                                 10);
        if (headEnd == std::string::npos || in.size() < headEnd + 4 + length) {
            if (closed) {
                failed = true;
                waiting = false;
            }
            return false;
        }
        // A close right after a complete response (Connection: close) is
        // noticed on the next request.
        failed = closed;
        const std::string_view head(in.data(), headEnd + 2);
        at = now;
        Response response;
        response.status = std::atoi(in.c_str() + 9); // "HTTP/1.1 200"
        response.index = std::strtoull(header(head, "x-consul-index").c_str(), nullptr, 10);
        response.body = in.substr(headEnd + 4, length);
        in.erase(0, headEnd + 4 + length);
        reply = std::move(response);
        waiting = false;
        return true;
    }
};

// Polls `conns` until `done()` or `deadline`; `onReply(i)` after each
// complete response.
template<class Done, class OnReply>
void pump(std::vector<Conn *> &conns, Clock::time_point deadline, Done done, OnReply onReply)
{
    std::vector<pollfd> fds(conns.size());
    while (!done() && Clock::now() < deadline) {
        for (size_t i = 0; i < conns.size(); ++i)
            fds[i] = {conns[i]->failed ? -1 : conns[i]->fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        const int n = ::poll(fds.data(), fds.size(), int(std::max<long long>(left, 0)) + 1);
        if (n <= 0)
            continue;
        for (size_t i = 0; i < conns.size(); ++i) {
            if (fds[i].revents == 0)
                continue;
            if (conns[i]->onReadable())
                onReply(i);
            else if (conns[i]->failed)
                onReply(i);
        }
    }
}

std::string request(std::string_view method, std::string_view target, std::string_view body = {})
{
    std::string r;
    r += method;
    r += ' ';
    r += target;
    r += " HTTP/1.1\r\nHost: bench\r\n";
    if (!body.empty() || method == "PUT") {
        r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    r += "\r\n";
    r += body;
    return r;
}

// One blocking exchange on a fresh connection (not timed).
std::optional<Response> exchange(std::string_view method, std::string_view target, std::string_view body = {})
{
    Conn c;
    c.fd = dial();
    if (c.fd < 0 || !c.send(request(method, target, body))) {
        if (c.fd >= 0)
            ::close(c.fd);
        return std::nullopt;
    }
    std::vector<Conn *> one{&c};
    pump(
        one, Clock::now() + 10s, [&] { return !c.waiting; }, [](size_t) {});
    ::close(c.fd);
    return c.reply;
}

long rssKib(int pid)
{
    if (pid <= 0)
        return -1;
    const std::string path = "/proc/" + std::to_string(pid) + "/status";
    FILE *f = std::fopen(path.c_str(), "r");
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmRSS:", 6) == 0)
            kib = std::strtol(line + 6, nullptr, 10);
    }
    std::fclose(f);
    return kib;
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const size_t rank = size_t(std::max(1.0, std::ceil(p / 100.0 * double(sorted.size()))));
    return sorted[std::min(rank, sorted.size()) - 1];
}

std::string watchTarget(uint64_t index)
{
    return "/v1/catalog/services?index=" + std::to_string(index) + "&wait=5m";
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || !parseAddress(argv[1])) {
        std::fprintf(stderr,
                     "usage: blocking_watchers HOST:PORT [PID] [N] [ROUNDS] (see bench/blocking_watchers.cpp)\n");
        return 2;
    }
    const int pid = argc > 2 ? std::atoi(argv[2]) : 0;
    const int n = argc > 3 ? std::atoi(argv[3]) : 1000;
    const int rounds = argc > 4 ? std::atoi(argv[4]) : 5;
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < rlim_t(n) + 64) {
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, rlim_t(n) + 64);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    const auto first = exchange("GET", "/v1/catalog/services");
    if (!first || first->status != 200 || first->index == 0) {
        std::fprintf(stderr, "blocking_watchers: no X-Consul-Index from GET /v1/catalog/services at %s\n", argv[1]);
        return 1;
    }
    uint64_t index = first->index;
    const long rssBefore = rssKib(pid);

    // --- park N watchers ------------------------------------------------------
    std::vector<Conn> watchers(static_cast<size_t>(n));
    std::vector<Conn *> all;
    const auto openStart = Clock::now();
    for (Conn &w : watchers) {
        w.fd = dial();
        if (w.fd < 0 || !w.send(request("GET", watchTarget(index)))) {
            std::fprintf(stderr, "blocking_watchers: connection %zu failed: %s\n", all.size(), std::strerror(errno));
            return 1;
        }
        all.push_back(&w);
    }
    const double openMs = ms(Clock::now() - openStart);

    // Waits kSettle; a watcher that answers meanwhile was not parked (the
    // index moved under it, or the lab refused it): armed again, counted.
    const auto settle = [&](uint64_t armedAt) {
        int early = 0;
        int failed = 0;
        pump(
            all, Clock::now() + kSettle, [] { return false; },
            [&](size_t i) {
                Conn &w = *all[i];
                uint64_t at = armedAt;
                if (w.reply) {
                    ++early;
                    at = std::max(at, w.reply->index);
                    std::fprintf(stderr,
                                 "blocking_watchers: watcher %zu answered early: %d, index %llu (armed at %llu)\n", i,
                                 w.reply->status, static_cast<unsigned long long>(w.reply->index),
                                 static_cast<unsigned long long>(armedAt));
                } else {
                    ++failed;
                }
                if (w.failed) {
                    ::close(w.fd);
                    w.fd = dial();
                    w.failed = false;
                }
                w.send(request("GET", watchTarget(at)));
            });
        return std::pair{early, failed};
    };
    const auto [early, failedAtStart] = settle(index);
    const long rssParked = rssKib(pid);
    std::printf(
        "watchers: %d connections to %s opened and armed in %.0f ms; after %.0f s %d answered early, %d closed\n", n,
        argv[1], openMs, std::chrono::duration<double>(kSettle).count(), early, failedAtStart);
    if (rssBefore > 0 && rssParked > 0) {
        std::printf("lab RSS (pid %d): %.1f MiB before, %.1f MiB with %d parked watchers -> %.1f KiB per watcher\n",
                    pid, double(rssBefore) / 1024, double(rssParked) / 1024, n, double(rssParked - rssBefore) / n);
    }

    // --- rounds ---------------------------------------------------------------
    std::vector<double> everyLatency;
    int wokeTotal = 0;
    for (int round = 1; round <= rounds; ++round) {
        Conn control;
        control.fd = dial();
        if (control.fd < 0) {
            std::fprintf(stderr, "blocking_watchers: cannot connect for the registration\n");
            return 1;
        }
        const std::string body = "{\"Name\":\"bench-" + std::to_string(round) + "\",\"Port\":1234}";
        const std::string put = request("PUT", "/v1/agent/service/register", body);
        std::vector<Conn *> conns = all;
        conns.push_back(&control);
        int woke = 0;
        int closed = 0;
        const Clock::time_point t0 = Clock::now();
        control.send(put);
        pump(
            conns, t0 + kRoundTimeout, [&] { return woke + closed == n && !control.waiting; },
            [&](size_t i) {
                if (conns[i] == &control)
                    return;
                if (conns[i]->reply)
                    ++woke;
                else
                    ++closed;
            });
        if (!control.reply || control.reply->status != 200) {
            std::fprintf(stderr, "blocking_watchers: PUT /v1/agent/service/register answered %d: %s\n",
                         control.reply ? control.reply->status : 0, control.reply ? control.reply->body.c_str() : "");
            return 1;
        }
        const double putMs = ms(control.at - t0);
        ::close(control.fd);

        std::vector<double> latency;
        uint64_t newIndex = index;
        for (Conn *w : all) {
            if (w->reply) {
                latency.push_back(ms(w->at - t0));
                newIndex = std::max(newIndex, w->reply->index);
            }
        }
        std::sort(latency.begin(), latency.end());
        everyLatency.insert(everyLatency.end(), latency.begin(), latency.end());
        wokeTotal += woke;
        std::printf("round %d: %4d/%d woke, wake latency p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (PUT answered after "
                    "%.1f ms%s)\n",
                    round, woke, n, percentile(latency, 50), percentile(latency, 99),
                    latency.empty() ? 0.0 : latency.back(), putMs,
                    closed ? (", " + std::to_string(closed) + " closed").c_str() : "");

        // Armed again at the index now served. A watcher that has not woken
        // still has its request in flight: it gets a new connection.
        if (const auto now = exchange("GET", "/v1/catalog/services"); now && now->index)
            newIndex = std::max(newIndex, now->index);
        index = newIndex;
        for (Conn *w : all) {
            if (w->waiting || w->failed) {
                ::close(w->fd);
                w->fd = dial();
                w->failed = false;
            }
            w->send(request("GET", watchTarget(index)));
        }
        if (round < rounds) {
            const auto [e, f] = settle(index);
            if (e || f)
                std::printf("         re-armed: %d answered early, %d closed\n", e, f);
        }
    }

    std::sort(everyLatency.begin(), everyLatency.end());
    std::printf("overall: %d/%d wakes over %d rounds, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", wokeTotal, n * rounds,
                rounds, percentile(everyLatency, 50), percentile(everyLatency, 99),
                everyLatency.empty() ? 0.0 : everyLatency.back());
    if (const long rssEnd = rssKib(pid); rssEnd > 0)
        std::printf("lab RSS after the rounds: %.1f MiB\n", double(rssEnd) / 1024);

    for (Conn &w : watchers)
        ::close(w.fd);
    int deregistered = 0;
    for (int round = 1; round <= rounds; ++round) {
        const auto r = exchange("PUT", "/v1/agent/service/deregister/bench-" + std::to_string(round));
        deregistered += r && r->status == 200;
    }
    if (deregistered != rounds)
        std::fprintf(stderr, "blocking_watchers: deregistered %d of %d bench services\n", deregistered, rounds);
    return 0;
}
