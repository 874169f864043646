#pragma once

#include "pki/refusalreason.h"
#include "proxy/proxyoptions.h"

#include "tls/tlscontext.h"

#include <QBasicTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>

namespace mesh::tls {
class TlsStream;
}

namespace mesh::proxy {

class Authorizer;
class Pipe;
class PlainSocket;
class ProxyMetrics;
struct Identity;

// One accepted connection of an InboundListener, in the order Consul's
// built-in proxy serves one (hashicorp/consul `connect/proxy/listener.go`,
// `connect/service.go` ServerTLSConfig): TLS handshake with a required client
// certificate verified against all roots; EKU clientAuth and exactly one
// service SPIFFE ID in the trust domain of our own identity (both checked by
// tls::TlsContext::verifyLeaf); authorize for our service; only then connect
// to the local app and pipe. Any refusal is counted
// under its reason, logged once and closes the connection; so is a local app
// that refuses or does not accept within localConnectTimeout (a connect
// failure).
// handshakeCompleted() fires once, when the TLS handshake completes (before
// the identity checks); finished() fires once, last, and may follow at once.
// The listener deletes the object.
class InboundConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboundConnection)

public:
    struct Context
    {
        QString service;     // ours: the authorize target
        QString trustDomain; // ours: callers must share it
        const Authorizer *authorizer = nullptr;
        ProxyMetrics *metrics = nullptr;
        QHostAddress appAddress;
        quint16 appPort = 0;
        ProxyOptions options;
    };

    InboundConnection(qintptr descriptor, tls::SharedTlsContext tlsContext, const Context &context,
                      QObject *parent = nullptr);
    ~InboundConnection() override;

    bool isFinished() const { return m_finished; }

    // Closes a connection whose TLS handshake has not completed, without a
    // refusal or a log line: the listener wants the slot and reports drains
    // itself. finished() fires before it returns. Does nothing once the
    // handshake completed or the connection finished.
    void drain();

Q_SIGNALS:
    void handshakeCompleted();
    void finished();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void onEncrypted();
    void onHandshakeFailed();
    void connectApp();
    void onAppConnected();
    void refuse(pki::RefusalReason reason, const QString &detail);
    // Closes after our side failed the caller (the local app unreachable or
    // too slow to accept): one log line with `why`, as refuse() logs a
    // refusal (F2: the caller only sees its connection closed).
    void fail(const QString &why);
    // Closes without a log line: a normal end, a drain, a TCP check, a
    // refusal already logged.
    void close();

    Context m_context;
    tls::TlsStream *m_tls = nullptr;
    PlainSocket *m_app = nullptr;
    Pipe *m_pipe = nullptr;
    QBasicTimer m_deadline;
    QElapsedTimer m_since;
    QString m_peer;
    bool m_encrypted = false;
    bool m_authorizing = false; // waiting for the authorizer's decision
    bool m_finished = false;
};

} // namespace mesh::proxy
