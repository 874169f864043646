#include "inboundconnection.h"

#include "authorizer.h"
#include "pipe.h"
#include "plainsocket.h"
#include "proxylog.h"
#include "proxymetrics.h"

#include "tls/tlsstream.h"

#include <QTimerEvent>

namespace mesh::proxy {

using pki::RefusalReason;
using tls::TlsStream;

InboundConnection::InboundConnection(qintptr descriptor, tls::SharedTlsContext tlsContext, const Context &context,
                                     QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    m_since.start();
    m_peer = PlainSocket::describePeer(descriptor);
    m_tls = new TlsStream(std::move(tlsContext), this);
    connect(m_tls, &TlsStream::encrypted, this, &InboundConnection::onEncrypted);
    connect(m_tls, &TlsStream::handshakeFailed, this, &InboundConnection::onHandshakeFailed);
    m_deadline.start(int(context.options.handshakeTimeout.count()), Qt::PreciseTimer, this);
    m_tls->startServer(descriptor, context.trustDomain);
}

InboundConnection::~InboundConnection() = default;

void InboundConnection::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_deadline.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_deadline.stop();
    if (!m_encrypted)
        refuse(RefusalReason::HandshakeTimeout,
               QStringLiteral("no complete handshake within %1 ms").arg(m_context.options.handshakeTimeout.count()));
    else if (m_authorizing)
        // Fail closed: no answer is no permission.
        refuse(
            RefusalReason::Denied,
            QStringLiteral("no authorization decision within %1 ms").arg(m_context.options.handshakeTimeout.count()));
    else if (!m_pipe) {
        // A local app whose accept queue is full drops our SYN: no error
        // comes before TCP gives up (minutes), only this deadline.
        m_context.metrics->connectFailed();
        fail(QStringLiteral("local app %1:%2 did not accept within %3 ms")
                 .arg(m_context.appAddress.toString())
                 .arg(m_context.appPort)
                 .arg(m_context.options.localConnectTimeout.count()));
    }
}

void InboundConnection::onHandshakeFailed()
{
    if (m_encrypted || m_finished)
        return;
    // Closed before sending a byte (so before any identity): a TCP health
    // check such as the agent's "Connect Sidecar Listening" every 10 s
    // (https://developer.hashicorp.com/consul/docs/connect/proxies/deploy-sidecar-services),
    // not a caller to refuse and log.
    if (!m_tls->peerSentBytes()) {
        close();
        return;
    }
    refuse(m_tls->error().reason, m_tls->error().message);
}

void InboundConnection::drain()
{
    if (m_encrypted || m_finished)
        return;
    close();
}

void InboundConnection::onEncrypted()
{
    m_encrypted = true;
    m_deadline.stop();
    // The peer has proved the key of a certificate our roots verified, and
    // its identity is a service of our trust domain (TlsContext::verifyLeaf):
    // a caller being authorized from here on, no longer a stall the listener
    // may drain.
    Q_EMIT handshakeCompleted();
    if (m_finished)
        return;
    // Client bytes that arrive meanwhile wait in the kernel.
    m_tls->setReadingEnabled(false);
    // The handshake deadline also bounds an authorizer that asks an agent;
    // the caller's bytes wait in the kernel meanwhile.
    m_deadline.start(int(m_context.options.handshakeTimeout.count()), Qt::PreciseTimer, this);
    m_authorizing = true;
    const pki::SpiffeId caller = m_tls->peerIdentity();
    m_context.authorizer->requestAuthorization(
        caller, m_context.service, this, [this, caller](const Authorization &decision) {
            if (m_finished)
                return;
            m_authorizing = false;
            m_deadline.stop();
            if (!decision.allowed) {
                refuse(RefusalReason::Denied, caller.toString() + QStringLiteral(": ") + decision.reason);
                return;
            }
            m_peer += u" (" + caller.service + u')';
            connectApp();
        });
}

void InboundConnection::connectApp()
{
    m_app = new PlainSocket(this);
    connect(m_app, &PlainSocket::connected, this, &InboundConnection::onAppConnected);
    connect(m_app, &PlainSocket::errorOccurred, this, [this] {
        m_context.metrics->connectFailed();
        fail(QStringLiteral("local app %1:%2 unreachable: %3")
                 .arg(m_context.appAddress.toString())
                 .arg(m_context.appPort)
                 .arg(m_app->errorString()));
    });
    m_deadline.start(int(m_context.options.localConnectTimeout.count()), Qt::PreciseTimer, this);
    m_app->connectToHost(m_context.appAddress, m_context.appPort);
}

void InboundConnection::onAppConnected()
{
    m_deadline.stop();
    disconnect(m_app, nullptr, this, nullptr);
    disconnect(m_tls, nullptr, this, nullptr);
    m_context.metrics->connected(double(m_since.nsecsElapsed()) / 1e6);
    m_pipe = new Pipe(m_app, m_tls, m_context.options, m_context.metrics, /*plainIsDownstream=*/false,
                      Pipe::PlainEof::CloseTls, this);
    connect(m_pipe, &Pipe::finished, this, [this] {
        // A normal end (or the caller's or the app's failure): too common for
        // an info line.
        qCDebug(lcProxy).noquote().nospace()
            << "inbound " << m_context.service << " closed " << m_peer << ": " << m_pipe->finishReason();
        close();
    });
    m_pipe->start();
}

void InboundConnection::refuse(RefusalReason reason, const QString &detail)
{
    if (m_finished)
        return;
    m_context.metrics->refused(reason, !m_encrypted, m_peer, detail);
    qCInfo(lcProxy).noquote() << "inbound" << m_context.service << "refused" << m_peer << pki::toString(reason)
                              << (detail.isEmpty() ? QString() : u"(" + detail + u')');
    close();
}

void InboundConnection::fail(const QString &why)
{
    if (m_finished)
        return;
    qCInfo(lcProxy).noquote().nospace() << "inbound " << m_context.service << " closed " << m_peer << ": " << why;
    close();
}

void InboundConnection::close()
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    if (m_tls && !m_pipe) {
        disconnect(m_tls, nullptr, this, nullptr);
        m_tls->close();
    }
    if (m_app && !m_pipe) {
        disconnect(m_app, nullptr, this, nullptr);
        m_app->close();
    }
    Q_EMIT finished();
}

} // namespace mesh::proxy
