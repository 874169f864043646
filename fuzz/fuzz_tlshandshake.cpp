// The TLS engine (mesh/tls: TlsStream over TlsContext) against arbitrary
// bytes as the peer's side of a handshake, over a real descriptor and Qt's
// event loop as the proxy drives it. The first byte picks the case; the rest
// is what the peer sends, then its FIN:
//   bit 0 clear: we are the server (the bytes are a caller's ClientHello and
//                what follows: its Certificate, key exchange, Finished…);
//   bit 0 set:   we are the client, with SNI and an expected ID (the bytes
//                are an upstream's ServerHello, Certificate, … flight);
//   bit 1 set:   the peer closes its end outright instead of a half-close,
//                so our replies meet a closed socket (EPIPE), as on TCP every
//                write after a vanished peer's reset does.
// Properties, for every input: no crash, no sanitizer report, no leak; the
// handshake never completes (no bytes carry a chain to this process's own
// CA, created at start-up and never written anywhere); it ends — exactly one
// handshakeFailed(), with a refusal reason in range, never `denied` (that is
// the authorizer's), and a message — without a timeout, because the peer's
// FIN is there; the descriptor is closed at the failure, exactly once; no
// descriptor leaks; peerSentBytes() says whether a caller sent anything;
// Qt never finds a notifier on a dead descriptor; and nothing raises SIGPIPE.
//
// Start-up first runs one real handshake between a server and a client
// stream on these contexts and requires both to see encrypted() with the
// right peer: without that, "never completes" would prove nothing.
//
// MESHPAD_FUZZ_IGNORE_SIGPIPE=1 ignores SIGPIPE as a process may, to fuzz
// past that one finding; MESHPAD_FUZZ_STATS=1 prints at exit how many inputs
// ended under each refusal reason.

#include "fuzzcheck.h"

#include "pki/certificateauthority.h"
#include "pki/refusalreason.h"
#include "pki/spiffeid.h"
#include "tls/tlscontext.h"
#include "tls/tlsstream.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <tuple>

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using fuzz::require;
using mesh::pki::CertificateAuthority;
using mesh::pki::RefusalReason;
using mesh::pki::SpiffeId;
using mesh::tls::SharedTlsContext;
using mesh::tls::TlsContext;
using mesh::tls::TlsStream;

namespace {

const QString kTrustDomain = QStringLiteral("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");
const QString kDatacenter = QStringLiteral("dc1");
constexpr std::size_t kMaxPeerBytes = 64 * 1024;
// Far beyond a failed handshake under ASan on a loaded machine (a few ms),
// and below run-tests.sh's -timeout=5 so a hang reports as this property.
constexpr int kDeadlineMs = 3000;

struct Harness
{
    SharedTlsContext server; // we are db: callers dial us
    SharedTlsContext client; // we are web, dialling db
    SpiffeId db;
    SpiffeId web;
};

Harness *g_harness = nullptr;
std::array<int, mesh::pki::kRefusalReasonCount> g_reasons{};

int openDescriptors()
{
    DIR *dir = ::opendir("/proc/self/fd");
    require(dir != nullptr, "/proc/self/fd can be listed");
    int count = 0;
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] != '.')
            ++count;
    }
    ::closedir(dir);
    return count;
}

// Qt's UNIX dispatcher warns "QSocketNotifier: Invalid socket …" when poll
// reports POLLNVAL: a notifier outlived its descriptor (which the next
// accept() may reuse). Every other message is dropped: the engine's logging
// of each refusal would only slow the fuzzer down.
void onMessage(QtMsgType, const QMessageLogContext &, const QString &message)
{
    if (message.startsWith(u"QSocketNotifier")) {
        std::fprintf(stderr, "%s\n", qPrintable(message));
        require(false, "no socket notifier outlives or doubles its descriptor");
    }
}

// Neither `meshpad proxy` nor the GUI ignores SIGPIPE (only `lab` and
// `deploy` do, app/cli), and neither QSslSocket, which TlsStream replaces,
// nor the plain leg (mesh/proxy/plainsocket.cpp) raises it: both send with
// MSG_NOSIGNAL. Its default action kills the process without a trace, so
// make it a reported finding with its input.
void onSigpipe(int)
{
    static const char message[] = "SIGPIPE: the engine wrote to a closed peer without MSG_NOSIGNAL\n";
    std::ignore = ::write(STDERR_FILENO, message, sizeof message - 1);
    require(false, "writing to a peer that closed never raises SIGPIPE");
}

struct Outcome
{
    int encrypted = 0;
    int failed = 0;
};

// Runs the event loop until `done` or the deadline; true if `done`. Either
// signal of `streams` wakes it to test `done`; nothing polls.
template<class Done>
bool runUntil(std::initializer_list<TlsStream *> streams, Done done)
{
    QEventLoop loop;
    for (TlsStream *stream : streams) {
        QObject::connect(stream, &TlsStream::encrypted, &loop, &QEventLoop::quit);
        QObject::connect(stream, &TlsStream::handshakeFailed, &loop, &QEventLoop::quit);
    }
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(kDeadlineMs);
    while (!done() && deadline.isActive())
        loop.exec();
    return done();
}

void connectOutcome(TlsStream &stream, Outcome &outcome)
{
    QObject::connect(&stream, &TlsStream::encrypted, &stream, [&outcome] { ++outcome.encrypted; });
    QObject::connect(&stream, &TlsStream::handshakeFailed, &stream, [&outcome] { ++outcome.failed; });
}

// One real handshake over a socketpair: the harness can tell success.
void selfTest(const Harness &h)
{
    int pair[2];
    require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) == 0, "socketpair");
    TlsStream server(h.server);
    TlsStream client(h.client);
    Outcome s, c;
    connectOutcome(server, s);
    connectOutcome(client, c);
    server.startServer(pair[0], kTrustDomain);
    client.startClient(pair[1], TlsContext::serverNameFor(h.db), h.db);
    const bool done
        = runUntil({&server, &client}, [&] { return (s.encrypted || s.failed) && (c.encrypted || c.failed); });
    if (!done || s.encrypted != 1 || c.encrypted != 1) {
        std::fprintf(stderr, "self-test: server %s, client %s\n",
                     s.failed ? qPrintable(server.errorString()) : (s.encrypted ? "encrypted" : "no outcome"),
                     c.failed ? qPrintable(client.errorString()) : (c.encrypted ? "encrypted" : "no outcome"));
    }
    require(done && s.encrypted == 1 && c.encrypted == 1 && !s.failed && !c.failed,
            "a real handshake on these contexts completes both ways (else the harness proves nothing)");
    require(server.peerIdentity() == h.web && client.peerIdentity() == h.db, "each side sees the other's identity");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // Qt's own UNIX dispatcher, as `meshpad proxy` may pick (issue 14 item 7):
    // it reports notifiers on dead descriptors (onMessage).
    qputenv("QT_NO_GLIB", "1");
    static int argc = 1;
    static char name[] = "fuzz_tlshandshake";
    static char *argv[] = {name, nullptr};
    new QCoreApplication(argc, argv); // lives as long as the process
    qInstallMessageHandler(onMessage);

    struct sigaction action = {};
    action.sa_handler = qEnvironmentVariableIntValue("MESHPAD_FUZZ_IGNORE_SIGPIPE") ? SIG_IGN : onSigpipe;
    ::sigaction(SIGPIPE, &action, nullptr);

    auto ca = CertificateAuthority::create(kTrustDomain, kDatacenter);
    require(ca.has_value(), "the CA is created");
    const auto dbLeaf = ca->issueLeaf(QStringLiteral("db"));
    const auto webLeaf = ca->issueLeaf(QStringLiteral("web"));
    require(dbLeaf.has_value() && webLeaf.has_value(), "the leaves are issued");
    const QList<QSslCertificate> roots{ca->rootCertificate()};
    auto server = TlsContext::create(TlsContext::Role::Server, *dbLeaf, roots);
    auto client = TlsContext::create(TlsContext::Role::Client, *webLeaf, roots);
    if (!server || !client)
        std::fprintf(stderr, "%s\n", qPrintable(!server ? server.error().message : client.error().message));
    require(server.has_value() && client.has_value(), "the TLS contexts are created");
    g_harness = new Harness{*server, *client, SpiffeId::forService(kTrustDomain, kDatacenter, QStringLiteral("db")),
                            SpiffeId::forService(kTrustDomain, kDatacenter, QStringLiteral("web"))};
    selfTest(*g_harness);

    if (qEnvironmentVariableIntValue("MESHPAD_FUZZ_STATS")) {
        std::atexit([] {
            for (int i = 0; i < mesh::pki::kRefusalReasonCount; ++i)
                std::fprintf(stderr, "refusals %s: %d\n", qPrintable(mesh::pki::toString(RefusalReason(i))),
                             g_reasons[i]);
        });
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const Harness &h = *g_harness;
    const bool asClient = data[0] & 1;
    const bool peerCloses = data[0] & 2;
    const char *peerBytes = reinterpret_cast<const char *>(data) + 1;
    const std::size_t peerSize = std::min(size - 1, kMaxPeerBytes);

    const int descriptorsBefore = openDescriptors();
    int pair[2];
    require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) == 0, "socketpair");
    const int ours = pair[0];
    int peer = pair[1];
    // As much as the kernel takes (all of 64 KiB on Linux's default buffers).
    std::size_t sent = 0;
    while (sent < peerSize) {
        const ssize_t n = ::write(peer, peerBytes + sent, peerSize - sent);
        if (n <= 0)
            break;
        sent += std::size_t(n);
    }
    if (peerCloses) {
        ::close(peer);
        peer = -1;
    } else {
        ::shutdown(peer, SHUT_WR);
    }

    auto stream = std::make_unique<TlsStream>(asClient ? h.client : h.server);
    Outcome outcome;
    connectOutcome(*stream, outcome);
    if (asClient)
        stream->startClient(ours, TlsContext::serverNameFor(h.db), h.db);
    else
        stream->startServer(ours, kTrustDomain);

    const bool ended = runUntil({stream.get()}, [&] { return outcome.encrypted || outcome.failed; });
    require(outcome.encrypted == 0, "arbitrary bytes never complete a handshake with our CA");
    require(ended, "a handshake whose peer sent its FIN ends without a timeout");
    // Whatever is still queued (a second signal would be a bug).
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents();
    require(outcome.failed == 1 && outcome.encrypted == 0, "exactly one handshakeFailed()");
    require(!stream->isEncrypted(), "a failed stream is not encrypted");
    require(!stream->isOpen(), "the descriptor is closed at handshakeFailed()");
    const int reason = int(stream->error().reason);
    require(reason >= 0 && reason < mesh::pki::kRefusalReasonCount, "the refusal reason is in range");
    require(stream->error().reason != RefusalReason::Denied, "the TLS engine never says denied (intentions do)");
    require(!stream->error().message.isEmpty(), "a refusal says why");
    // A server reads before it writes, so it always sees what the peer sent;
    // a client whose ClientHello meets a closed socket fails unread.
    if (asClient)
        require(!stream->peerSentBytes() || sent > 0, "peerSentBytes() never invents bytes");
    else
        require(stream->peerSentBytes() == (sent > 0), "peerSentBytes() is whether the peer sent anything");
    ++g_reasons[reason];

    // A descriptor number closed at the failure is free again; whatever
    // takes it now (the next accept()) must survive the stream's end.
    const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    require(probe >= 0, "/dev/null opens");
    stream.reset();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    require(::fcntl(probe, F_GETFD) != -1, "the stream never closes its descriptor twice");
    ::close(probe);
    if (peer >= 0)
        ::close(peer);
    require(openDescriptors() == descriptorsBefore, "no descriptor leaks");
    return 0;
}
