#include "upstreamconnection.h"

#include "pipe.h"
#include "plainsocket.h"
#include "proxylog.h"
#include "proxymetrics.h"
#include "tlspolicy.h"
#include "tlssocketmemory.h"

#include "pki/peeridentity.h"

#include <QSslSocket>
#include <QTimer>
#include <QTimerEvent>

namespace mesh::proxy {

using pki::RefusalReason;

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
    if (m_tls) {
        disconnect(m_tls, nullptr, this, nullptr);
        m_tls->abort();
        m_tls->deleteLater();
        m_tls = nullptr;
    }
    if (m_next >= m_context.instances.size()) {
        m_context.metrics->connectFailed();
        qCInfo(lcProxy).noquote().nospace() << "upstream " << m_context.destination << " closed " << m_peer << ": "
                                            << (m_context.instances.isEmpty() ? QStringLiteral("no healthy instance")
                                                                              : QStringLiteral("no instance could be reached"));
        close();
        return;
    }
    const Instance &instance = m_context.instances.at(m_next++);
    m_verifyReason.reset();
    m_verifyDetail.clear();
    m_alertSent.reset();
    m_tcpConnected = false;
    m_tls = new QSslSocket(this);
    m_tls->setSslConfiguration(m_context.configuration);
    m_tls->setReadBufferSize(m_context.options.tlsReadBufferSize);
    // A failed bind only loses the nicer source address; the dial goes on.
    if (!m_context.sourceAddress.isNull())
        m_tls->bind(m_context.sourceAddress, 0);
    connect(m_tls, &QSslSocket::connected, this, [this] {
        m_tcpConnected = true;
        m_tls->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_deadline.start(int(m_context.options.handshakeTimeout.count()), Qt::PreciseTimer, this);
    });
    connect(m_tls, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        // The server's leaf has no DNS SAN (consul.md §2.4), so Qt's host name
        // check always fails; it is replaced by the exact SPIFFE ID check in
        // onEncrypted(). Every other error stands.
        bool onlyHostName = true;
        QStringList texts;
        for (const QSslError &e : errors) {
            if (e.error() != QSslError::HostNameMismatch) {
                onlyHostName = false;
                texts << e.errorString();
            }
        }
        if (onlyHostName) {
            m_tls->ignoreSslErrors();
            return;
        }
        m_verifyReason = TlsPolicy::reasonFor(errors);
        m_verifyDetail = texts.join(u"; ");
    });
    connect(m_tls, &QSslSocket::alertSent, this, [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &) {
        if (level == QSsl::AlertLevel::Fatal && !m_alertSent)
            m_alertSent = type;
    });
    connect(m_tls, &QSslSocket::encrypted, this, &UpstreamConnection::onEncrypted);
    connect(m_tls, &QSslSocket::errorOccurred, this, &UpstreamConnection::onAttemptError);
    m_deadline.start(int(m_context.options.connectTimeout.count()), Qt::PreciseTimer, this);
    m_tls->connectToHostEncrypted(instance.address, instance.port, TlsPolicy::sniName(instance.identity));
    TlsSocketMemory::shrinkBuffers(m_tls);
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
        attemptFailed(RefusalReason::HandshakeTimeout, QStringLiteral("no complete handshake within %1 ms")
                                                           .arg(m_context.options.handshakeTimeout.count()));
    else
        attemptFailed(std::nullopt, QStringLiteral("no connection within %1 ms")
                                        .arg(m_context.options.connectTimeout.count()));
}

void UpstreamConnection::onAttemptError()
{
    if (m_pipe || m_finished || !m_tls)
        return;
    if (m_verifyReason) {
        attemptFailed(m_verifyReason, m_verifyDetail);
        return;
    }
    if (!m_tcpConnected) {
        attemptFailed(std::nullopt, m_tls->errorString());
        return;
    }
    const QString error = m_tls->errorString();
    attemptFailed(TlsPolicy::reasonForAlert(m_alertSent.value_or(QSsl::AlertType::UnknownAlertMessage), error), error);
}

void UpstreamConnection::onEncrypted()
{
    m_deadline.stop();
    const Instance &instance = m_context.instances.at(m_next - 1);
    const QSslCertificate server = m_tls->peerCertificate();
    if (!pki::PeerIdentity::hasExtendedKeyUsage(server, pki::PeerIdentity::Purpose::ServerAuth)) {
        attemptFailed(RefusalReason::WrongPurpose, QStringLiteral("the server certificate lacks EKU serverAuth"));
        return;
    }
    const auto id = pki::PeerIdentity::serviceIdentity(server);
    if (!id) {
        attemptFailed(RefusalReason::BadIdentity, id.error().message);
        return;
    }
    // Exactly the ID asked for, trust domain included, as Envoy does (§4.4);
    // the built-in proxy's case-insensitive, host-ignoring compare (§4.1) is
    // what look-alike IDs would slip through.
    if (!(*id == instance.identity)) {
        attemptFailed(RefusalReason::WrongIdentity,
                      id->toString() + QStringLiteral(" is not ") + instance.identity.toString());
        return;
    }
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
        m_context.metrics->refused(*reason, *reason != RefusalReason::WrongIdentity
                                               && *reason != RefusalReason::BadIdentity
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
    QMetaObject::invokeMethod(this, &UpstreamConnection::tryNext, Qt::QueuedConnection);
    if (m_tls)
        disconnect(m_tls, nullptr, this, nullptr);
}

void UpstreamConnection::close()
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    if (m_tls && !m_pipe) {
        disconnect(m_tls, nullptr, this, nullptr);
        m_tls->abort();
    }
    if (m_client && !m_pipe)
        m_client->close();
    Q_EMIT finished();
}

} // namespace mesh::proxy
