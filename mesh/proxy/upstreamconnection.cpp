#include "upstreamconnection.h"

#include "pipe.h"
#include "plainsocket.h"
#include "proxylog.h"
#include "proxymetrics.h"

#include "tls/tlsstream.h"

#include <QTimer>
#include <QTimerEvent>

namespace mesh::proxy {

using pki::RefusalReason;
using tls::TlsStream;

UpstreamConnection::UpstreamConnection(qintptr descriptor, const Context &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    m_since.start();
    m_client = new PlainSocket(this);
    m_client->adopt(descriptor);
    // The client's bytes wait in the kernel until an instance is ready.
    m_client->setReadingEnabled(false);
    m_peer = m_client->peerDescription();
    connect(m_client, &PlainSocket::errorOccurred, this, [this] {
        if (!m_pipe)
            close();
    });
    if (m_context.addedLatency.count() > 0)
        QTimer::singleShot(m_context.addedLatency, Qt::PreciseTimer, this, &UpstreamConnection::tryNext);
    else
        QMetaObject::invokeMethod(this, &UpstreamConnection::tryNext, Qt::QueuedConnection);
}

UpstreamConnection::~UpstreamConnection() = default;

void UpstreamConnection::tryNext()
{
    if (m_finished)
        return;
    // The previous attempt's sockets, if any: closed now, deleted later (we
    // may be inside one of their signals).
    for (QObject *attempt : {static_cast<QObject *>(m_dial), static_cast<QObject *>(m_tls)}) {
        if (attempt) {
            disconnect(attempt, nullptr, this, nullptr);
            attempt->deleteLater();
        }
    }
    if (m_dial)
        m_dial->close();
    if (m_tls)
        m_tls->close();
    m_dial = nullptr;
    m_tls = nullptr;
    if (m_next >= m_context.instances.size()) {
        m_context.metrics->connectFailed();
        qCInfo(lcProxy).noquote().nospace()
            << "upstream " << m_context.destination << " closed " << m_peer << ": "
            << (m_context.instances.isEmpty() ? QStringLiteral("no healthy instance")
                                              : QStringLiteral("no instance could be reached"));
        close();
        return;
    }
    const Instance &instance = m_context.instances.at(m_next++);
    m_tcpConnected = false;
    m_dial = new PlainSocket(this);
    connect(m_dial, &PlainSocket::connected, this, &UpstreamConnection::onTcpConnected);
    connect(m_dial, &PlainSocket::errorOccurred, this, [this] {
        if (!m_tcpConnected)
            attemptFailed(std::nullopt, m_dial->errorString());
    });
    const QHostAddress address(instance.address);
    if (address.isNull()) {
        attemptFailed(std::nullopt, QStringLiteral("not an IP address"));
        return;
    }
    m_deadline.start(int(m_context.options.connectTimeout.count()), Qt::PreciseTimer, this);
    m_dial->connectToHost(address, instance.port, m_context.sourceAddress);
}

void UpstreamConnection::onTcpConnected()
{
    m_tcpConnected = true;
    const Instance &instance = m_context.instances.at(m_next - 1);
    disconnect(m_dial, nullptr, this, nullptr);
    const qintptr descriptor = m_dial->takeDescriptor();
    m_dial->deleteLater();
    m_dial = nullptr;
    m_tls = new TlsStream(m_context.tlsContext, this);
    connect(m_tls, &TlsStream::encrypted, this, &UpstreamConnection::onEncrypted);
    connect(m_tls, &TlsStream::handshakeFailed, this, &UpstreamConnection::onHandshakeFailed);
    m_deadline.start(int(m_context.options.handshakeTimeout.count()), Qt::PreciseTimer, this);
    m_tls->startClient(descriptor, tls::TlsContext::serverNameFor(instance.identity), instance.identity);
}

void UpstreamConnection::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_deadline.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_deadline.stop();
    if (m_pipe || m_finished)
        return;
    if (m_tcpConnected)
        attemptFailed(
            RefusalReason::HandshakeTimeout,
            QStringLiteral("no complete handshake within %1 ms").arg(m_context.options.handshakeTimeout.count()));
    else
        attemptFailed(std::nullopt,
                      QStringLiteral("no connection within %1 ms").arg(m_context.options.connectTimeout.count()));
}

void UpstreamConnection::onHandshakeFailed()
{
    if (m_pipe || m_finished || !m_tls)
        return;
    attemptFailed(m_tls->error().reason, m_tls->error().message);
}

void UpstreamConnection::onEncrypted()
{
    m_deadline.stop();
    disconnect(m_tls, nullptr, this, nullptr);
    disconnect(m_client, nullptr, this, nullptr);
    m_context.metrics->connected(double(m_since.nsecsElapsed()) / 1e6);
    m_pipe = new Pipe(m_client, m_tls, m_context.options, m_context.metrics, /*plainIsDownstream=*/true,
                      Pipe::PlainEof::KeepTlsOpen, this);
    connect(m_pipe, &Pipe::finished, this, &UpstreamConnection::close);
    m_pipe->start();
}

void UpstreamConnection::attemptFailed(std::optional<RefusalReason> reason, const QString &detail)
{
    const Instance &instance = m_context.instances.at(m_next - 1);
    const QString where = instance.address + u':' + QString::number(instance.port);
    if (reason) {
        m_context.metrics->refused(*reason,
                                   *reason != RefusalReason::WrongIdentity && *reason != RefusalReason::BadIdentity
                                       && *reason != RefusalReason::WrongPurpose,
                                   where, detail);
        qCInfo(lcProxy).noquote() << "upstream" << m_context.destination << "refused instance" << where
                                  << pki::toString(*reason) << u"(" + detail + u')';
    } else {
        m_context.metrics->connectFailed();
        qCInfo(lcProxy).noquote() << "upstream" << m_context.destination << "instance" << where
                                  << "unreachable:" << detail;
    }
    // Queued: we may be inside one of the socket's signals.
    m_deadline.stop();
    if (m_dial)
        disconnect(m_dial, nullptr, this, nullptr);
    if (m_tls)
        disconnect(m_tls, nullptr, this, nullptr);
    QMetaObject::invokeMethod(this, &UpstreamConnection::tryNext, Qt::QueuedConnection);
}

void UpstreamConnection::close()
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    if (m_dial) {
        disconnect(m_dial, nullptr, this, nullptr);
        m_dial->close();
    }
    if (m_tls && !m_pipe) {
        disconnect(m_tls, nullptr, this, nullptr);
        m_tls->close();
    }
    if (m_client && !m_pipe)
        m_client->close();
    Q_EMIT finished();
}

} // namespace mesh::proxy
