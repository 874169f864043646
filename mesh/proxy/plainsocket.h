#pragma once

#include "tls/sendqueue.h"

#include <QHostAddress>
#include <QObject>

class QSocketNotifier;

namespace mesh::proxy {

// A non-blocking TCP stream on a raw descriptor for the proxy's plain legs.
// Why not QTcpSocket: on reading FIN it closes the descriptor and drops its
// unsent write buffer (QNativeSocketEngine::read turns EOF into
// RemoteHostClosedError and close()), so a client that half-closes after its
// request could never get the response (docs/faults.md F3). Here EOF is a value and
// the write side stays usable until shutdownWrite()/close().
//
// Reading is pull-based: readyRead() says the descriptor is readable; the
// owner calls read() until it returns 0 (would block). setReadingEnabled(false)
// is the back-pressure switch. write() sends at once when nothing is queued and
// queues the rest; bytesWritten() reports progress of the queue.
class PlainSocket final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlainSocket)

public:
    static constexpr qint64 kEof = -1;
    static constexpr qint64 kError = -2;

    explicit PlainSocket(QObject *parent = nullptr);
    ~PlainSocket() override; // closes the descriptor

    // Takes an accepted, connected descriptor (made non-blocking here).
    bool adopt(qintptr descriptor);
    // Starts a non-blocking connect; connected() or errorOccurred() follows.
    // The caller owns the deadline. A non-null `source` is bound first (a
    // failed bind only loses the source address; the connect goes on).
    void connectToHost(const QHostAddress &address, quint16 port, const QHostAddress &source = {});
    // Gives up the descriptor (connected, non-blocking) to a new owner, e.g.
    // the TLS engine once the TCP connect is done; this socket is closed
    // without closing it.
    qintptr takeDescriptor();

    bool isOpen() const { return m_fd >= 0; }
    bool isConnected() const { return m_fd >= 0 && !m_connecting; }
    qintptr descriptor() const { return m_fd; }
    QString peerDescription() const { return describePeer(m_fd); }
    // "address:port" of the peer of a connected descriptor, "?" when unknown.
    static QString describePeer(qintptr descriptor);

    // > 0 bytes read; 0 nothing now; kEof the peer sent FIN (reading stops);
    // kError a reset or other failure (errorString()).
    qint64 read(char *data, qint64 maxSize);
    // Queues what the kernel does not take. False when the socket is closed
    // or failed (the data is dropped).
    bool write(const char *data, qint64 size);
    qint64 bytesToWrite() const { return m_out.size(); }
    void setReadingEnabled(bool enabled);
    // FIN after everything queued is sent; reading continues.
    void shutdownWrite();
    bool isWriteShutdown() const { return m_shutdownPending || m_writeShut; }
    void close();
    QString errorString() const { return m_error; }

Q_SIGNALS:
    void connected();
    void readyRead();
    void bytesWritten(qint64 bytes);
    void errorOccurred();

private:
    void setUp();
    void onWritable();
    bool flush();
    void fail(int err);

    int m_fd = -1;
    bool m_connecting = false;
    bool m_readingEnabled = true;
    bool m_shutdownPending = false;
    bool m_writeShut = false;
    bool m_readEof = false;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    tls::SendQueue m_out;
    QString m_error;
};

} // namespace mesh::proxy
