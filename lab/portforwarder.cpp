#include "portforwarder.h"

#include "proxy/descriptorserver_p.h"
#include "proxy/plainsocket.h"

#include <QTimer>

#include <array>

namespace mesh::lab {

namespace {
constexpr qint64 kHighWater = 256 * 1024;
constexpr qint64 kChunk = 64 * 1024;
constexpr int kConnectTimeoutMs = 2000;
} // namespace

// One accepted connection and its leg to the allocation. Private to the
// forwarder: nothing else needs it.
class ForwardedConnection final : public QObject
{
public:
    ForwardedConnection(PortForwarder *owner, qintptr descriptor)
        : QObject(owner)
        , m_owner(owner)
    {
        m_client = new proxy::PlainSocket(this);
        m_client->adopt(descriptor);
        m_client->setReadingEnabled(false); // until the allocation answers
        m_target = new proxy::PlainSocket(this);
        connect(m_target, &proxy::PlainSocket::connected, this, &ForwardedConnection::onConnected);
        connect(m_target, &proxy::PlainSocket::errorOccurred, this, &ForwardedConnection::finish);
        connect(m_client, &proxy::PlainSocket::errorOccurred, this, &ForwardedConnection::finish);
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, &ForwardedConnection::finish);
        m_deadline.start(kConnectTimeoutMs);
        m_target->connectToHost(owner->m_target, owner->m_targetPort);
    }

private:
    void onConnected()
    {
        m_deadline.stop();
        connect(m_client, &proxy::PlainSocket::readyRead, this, [this] { pump(m_client, m_target, m_clientEof); });
        connect(m_target, &proxy::PlainSocket::readyRead, this, [this] { pump(m_target, m_client, m_targetEof); });
        connect(m_client, &proxy::PlainSocket::bytesWritten, this, [this] { resume(m_client, m_target, m_targetEof); });
        connect(m_target, &proxy::PlainSocket::bytesWritten, this, [this] { resume(m_target, m_client, m_clientEof); });
        m_client->setReadingEnabled(true);
        pump(m_client, m_target, m_clientEof);
    }

    // Reads `from` into `to` until `from` would block or `to` is full.
    void pump(proxy::PlainSocket *from, proxy::PlainSocket *to, bool &fromEof)
    {
        std::array<char, kChunk> buffer;
        while (!fromEof && to->bytesToWrite() < kHighWater) {
            const qint64 n = from->read(buffer.data(), qint64(buffer.size()));
            if (n == 0)
                return;
            if (n == proxy::PlainSocket::kError) {
                finish();
                return;
            }
            if (n == proxy::PlainSocket::kEof) {
                fromEof = true;
                to->shutdownWrite();
                if (m_clientEof && m_targetEof)
                    QTimer::singleShot(0, this, &ForwardedConnection::finishWhenFlushed);
                return;
            }
            if (!to->write(buffer.data(), n)) {
                finish();
                return;
            }
        }
        if (!fromEof)
            from->setReadingEnabled(false);
    }

    // `to` drained some of its queue: read `from` again below the mark.
    void resume(proxy::PlainSocket *to, proxy::PlainSocket *from, bool &fromEof)
    {
        if (to->bytesToWrite() < kHighWater && !fromEof) {
            from->setReadingEnabled(true);
            pump(from, to, fromEof);
        }
        if (m_clientEof && m_targetEof)
            finishWhenFlushed();
    }

    void finishWhenFlushed()
    {
        if (m_client->bytesToWrite() == 0 && m_target->bytesToWrite() == 0)
            finish();
    }

    void finish()
    {
        if (m_finished)
            return;
        m_finished = true;
        m_client->close();
        m_target->close();
        m_owner->m_connections.remove(this);
        deleteLater();
    }

    PortForwarder *m_owner;
    proxy::PlainSocket *m_client = nullptr;
    proxy::PlainSocket *m_target = nullptr;
    QTimer m_deadline;
    bool m_clientEof = false;
    bool m_targetEof = false;
    bool m_finished = false;
};

PortForwarder::PortForwarder(const QHostAddress &target, quint16 targetPort, QObject *parent)
    : QObject(parent)
    , m_target(target)
    , m_targetPort(targetPort)
    , m_server(new proxy::DescriptorServer(this))
{
    connect(m_server, &proxy::DescriptorServer::descriptorAccepted, this, &PortForwarder::onDescriptor);
}

PortForwarder::~PortForwarder()
{
    const auto connections = m_connections;
    m_connections.clear();
    qDeleteAll(connections);
}

Result<> PortForwarder::listen(const QHostAddress &address, quint16 port)
{
    return m_server->listenOn(address, port);
}

void PortForwarder::close()
{
    m_server->close();
    const auto connections = m_connections;
    m_connections.clear();
    qDeleteAll(connections);
}

bool PortForwarder::isListening() const
{
    return m_server->isListening();
}

quint16 PortForwarder::port() const
{
    return m_server->serverPort();
}

void PortForwarder::onDescriptor(qintptr descriptor)
{
    m_connections.insert(new ForwardedConnection(this, descriptor));
}

} // namespace mesh::lab
