#include "httpexchange.h"

#include <arpa/inet.h>
#include <charconv>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace mesh::bench {

int dialTcp(const std::string &address, std::uint16_t port, std::chrono::milliseconds receiveTimeout)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    // An address that does not parse must not leave sin_addr at 0.0.0.0,
    // which Linux connects to the local host.
    if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1
        || ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(receiveTimeout);
    timeval timeout{};
    timeout.tv_sec = time_t(seconds.count());
    timeout.tv_usec
        = suseconds_t(std::chrono::duration_cast<std::chrono::microseconds>(receiveTimeout - seconds).count());
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

bool exchange(int fd, const std::string &request)
{
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size()))
        return false;
    std::string in;
    char buffer[4096];
    size_t headerEnd = std::string::npos;
    size_t need = 0;
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return false;
        in.append(buffer, size_t(n));
        if (headerEnd == std::string::npos) {
            headerEnd = in.find("\r\n\r\n");
            if (headerEnd == std::string::npos)
                continue;
            const size_t at = in.find("Content-Length:");
            if (at == std::string::npos || at > headerEnd)
                return false;
            // The value follows optional white space (RFC 9112 §5,
            // https://www.rfc-editor.org/rfc/rfc9112#section-5); a value
            // that is not a number fails the exchange rather than throwing
            // from a load thread, as std::stoul would.
            const char *value = in.data() + at + 15;
            const char *const end = in.data() + headerEnd;
            while (value < end && (*value == ' ' || *value == '\t'))
                ++value;
            size_t length = 0;
            if (std::from_chars(value, end, length).ec != std::errc())
                return false;
            need = headerEnd + 4 + length;
        }
        if (in.size() >= need)
            return in.compare(0, 12, "HTTP/1.1 200") == 0;
    }
}

} // namespace mesh::bench
