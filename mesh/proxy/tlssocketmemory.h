#pragma once

class QSslSocket;

namespace mesh::proxy {

// Keeps an idle QSslSocket from holding memory it no longer uses (perf doc
// G8: at most 64 KiB per idle proxied connection, both proxies together).
//
// Why it is needed — what an idle TLS leg held with Qt 6.4's defaults:
// - QIODevice's ring buffers keep their last chunk after they empty, "to
//   avoid repeated allocations". A QSslSocket has four: its own plaintext
//   read (16 KiB) and write (32 KiB) buffers and the ciphertext ones of the
//   QTcpSocket inside it (16 + 32 KiB). A ring buffer keeps a chunk only when
//   it fits the buffer's "basic block size"; shrinkBuffers() makes that size
//   tiny, so every chunk is freed once read out. Data in flight is buffered
//   exactly as before (a chunk is then sized to the data).
// - Qt keeps its own decoded copies of the peer's certificate and chain (the
//   leaf twice) beside OpenSSL's, ~13 KiB with their parsed names. The proxy
//   reads them once, in its identity check; dropPeerCertificates() frees
//   them after it. peerCertificate() is null from then on.
//
// There is no public knob for either: this reaches into QIODevicePrivate and
// QSslSocketPrivate (Qt's private headers, qt6-base-private-dev). It acts
// only when the Qt library at run time is the one those headers came from;
// otherwise it does nothing and the socket keeps Qt's defaults (correct,
// just larger) — isEffective() says which.
class TlsSocketMemory final
{
public:
    TlsSocketMemory() = delete;

    // The most a shrunk buffer keeps once it empties.
    static constexpr int kRetainedChunk = 512;

    // On the socket and the QTcpSocket it owns. Call after
    // setSocketDescriptor() / connectToHostEncrypted() (once the inner
    // socket exists) and again once encrypted (a client socket makes its
    // channels when the TCP connect completes); calling it again is harmless.
    static void shrinkBuffers(QSslSocket *socket);

    // After the peer's identity has been checked and nothing reads
    // peerCertificate() / peerCertificateChain() again.
    static void dropPeerCertificates(QSslSocket *socket);

    // Whether the two calls do anything with this Qt build.
    static bool isEffective();
};

} // namespace mesh::proxy
