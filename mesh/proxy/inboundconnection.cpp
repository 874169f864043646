#include "inboundconnection.h"

#include "authorizer.h"
#include "pipe.h"
#include "plainsocket.h"
#include "proxylog.h"
#include "proxymetrics.h"
#include "tlspolicy.h"
#include "tlssocketmemory.h"

#include "pki/peeridentity.h"

#include <QSslSocket>
#include <QTimerEvent>

namespace mesh::proxy {

using pki::RefusalReason;

InboundConnection::InboundConnection(qintptr descriptor, const QSslConfiguration &configuration,
                                     const Context &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    m_since.start();
    m_tls = new QSslSocket(this);
    if (!m_tls->setSocketDescriptor(descriptor)) {
        QMetaObject::invokeMethod(this, [this] { fail(QStringLiteral("bad descriptor")); }, Qt::QueuedConnection);
        return;
    }
    m_peer = m_tls->peerAddress().toString() + u':' + QString::number(m_tls->peerPort());
    m_tls->setSslConfiguration(configuration);
    m_tls->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_tls->setReadBufferSize(context.options.tlsReadBufferSize);
    TlsSocketMemory::shrinkBuffers(m_tls);
    connect(m_tls, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Not ignored: Qt aborts the handshake after this signal.
        m_verifyReason = TlsPolicy::reasonFor(errors);
        QStringList texts;
        for (const QSslError &e : errors)
            texts << e.errorString();
        m_tls->setProperty("meshpadVerifyErrors", texts.join(u"; "));
    });
    connect(m_tls, &QSslSocket::alertSent, this,
            [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &) {
                if (level == QSsl::AlertLevel::Fatal && !m_alertSent)
                    m_alertSent = type;
            });
    // Our first handshake bytes go out in answer to a ClientHello.
    connect(m_tls, &QSslSocket::encryptedBytesWritten, this, [this] { m_answeredHello = true; });
    connect(m_tls, &QSslSocket::encrypted, this, &InboundConnection::onEncrypted);
    connect(m_tls, &QSslSocket::errorOccurred, this, &InboundConnection::onHandshakeError);
    connect(m_tls, &QSslSocket::disconnected, this, &InboundConnection::onHandshakeError);
    m_deadline.start(int(context.options.handshakeTimeout.count()), Qt::PreciseTimer, this);
    m_tls->startServerEncryption();
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
        refuse(RefusalReason::HandshakeTimeout, QStringLiteral("no complete handshake within %1 ms")
                                                    .arg(m_context.options.handshakeTimeout.count()));
    else if (m_authorizing)
        // Fail closed: no answer is no permission.
        refuse(RefusalReason::Denied, QStringLiteral("no authorization decision within %1 ms")
                                          .arg(m_context.options.handshakeTimeout.count()));
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

void InboundConnection::onHandshakeError()
{
    if (m_encrypted || m_finished)
        return;
    // Closed before a complete ClientHello (so before any identity): a TCP
    // health check such as the agent's "Connect Sidecar Listening" every 10 s
    // (https://developer.hashicorp.com/consul/docs/connect/proxies/deploy-sidecar-services),
    // not a caller to refuse and log.
    if (!m_answeredHello && !m_verifyReason && !m_alertSent
        && m_tls->error() == QAbstractSocket::RemoteHostClosedError) {
        close();
        return;
    }
    const QString verifyErrors = m_tls->property("meshpadVerifyErrors").toString();
    if (m_verifyReason) {
        refuse(*m_verifyReason, verifyErrors);
        return;
    }
    const QString error = m_tls->errorString();
    refuse(TlsPolicy::reasonForAlert(m_alertSent.value_or(QSsl::AlertType::UnknownAlertMessage), error), error);
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
    // The peer has proved the key of a certificate our roots verified
    // (VerifyPeer, see TlsPolicy): a caller being checked from here on, no
    // longer a stall the listener may drain.
    Q_EMIT handshakeCompleted();
    if (m_finished)
        return;
    const QSslCertificate peer = m_tls->peerCertificate();
    if (peer.isNull()) {
        refuse(RefusalReason::NoCertificate, QStringLiteral("no client certificate"));
        return;
    }
    // OpenSSL already checked the chain for the sslclient purpose; checking
    // the leaf's EKU again costs nothing and does not depend on how the TLS
    // backend sets the purpose (perf doc B3, CVE-2022-21657).
    if (!pki::PeerIdentity::hasExtendedKeyUsage(peer, pki::PeerIdentity::Purpose::ClientAuth)) {
        refuse(RefusalReason::WrongPurpose, QStringLiteral("the client certificate lacks EKU clientAuth"));
        return;
    }
    const auto source = pki::PeerIdentity::serviceIdentity(peer);
    if (!source) {
        refuse(RefusalReason::BadIdentity, source.error().message);
        return;
    }
    // Exact trust domain, as Envoy matches (consul.md §4.4); Consul's own
    // authorize ignores it (§3.1), but a certificate chaining to our roots
    // with another trust domain is something our CA never issues.
    if (source->trustDomain != m_context.trustDomain) {
        refuse(RefusalReason::WrongIdentity,
               source->toString() + QStringLiteral(" is not in trust domain ") + m_context.trustDomain);
        return;
    }
    // The handshake deadline also bounds an authorizer that asks an agent;
    // the client leg's bytes wait in its bounded TLS buffer meanwhile.
    m_deadline.start(int(m_context.options.handshakeTimeout.count()), Qt::PreciseTimer, this);
    m_authorizing = true;
    const pki::SpiffeId caller = *source;
    m_context.authorizer->requestAuthorization(caller, m_context.service, this, [this, caller](const Authorization &decision) {
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
    // Client bytes that arrive meanwhile wait in the TLS socket's bounded buffer.
    connect(m_app, &PlainSocket::connected, this, &InboundConnection::onAppConnected);
    connect(m_app, &PlainSocket::errorOccurred, this, [this] {
        m_context.metrics->connectFailed();
        fail(QStringLiteral("local app %1:%2 unreachable: %3")
                 .arg(m_context.appAddress.toString())
                 .arg(m_context.appPort)
                 .arg(m_app->errorString()));
    });
    connect(m_tls, &QSslSocket::disconnected, this, [this] {
        // The caller gave up, not us: nothing to report.
        if (!m_pipe)
            close();
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
        qCDebug(lcProxy).noquote().nospace() << "inbound " << m_context.service << " closed " << m_peer << ": "
                                             << m_pipe->finishReason();
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
    if (m_tls) {
        disconnect(m_tls, nullptr, this, nullptr);
        m_tls->abort();
    }
    if (m_app) {
        disconnect(m_app, nullptr, this, nullptr);
        m_app->close();
    }
    Q_EMIT finished();
}

} // namespace mesh::proxy
