#pragma once

#include "pki/refusalreason.h"
#include "proxy/proxyoptions.h"
#include "proxy/resolver.h"
#include "tls/tlscontext.h"

#include <QBasicTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>

#include <optional>

namespace mesh::tls {
class TlsStream;
}

namespace mesh::proxy {

class Pipe;
class PlainSocket;
class ProxyMetrics;

// One local client of an UpstreamListener: dials the destination's instances
// in turn (starting where round robin says) until one completes mTLS with
// our leaf, SNI `<dest>.default.<dc>.internal.<td>` as Envoy sends it
// (hashicorp/consul `agent/connect/sni.go`, ServiceSNI), a chain to our
// roots, EKU serverAuth and exactly the expected SPIFFE ID
// (tls::TlsContext::verifyLeaf); then pipes. A failed connect, handshake or identity check
// moves on to the next instance (each refusal counted); when none is left
// the client is closed. finished() fires once; the listener deletes it.
class UpstreamConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamConnection)

public:
    struct Context
    {
        QString destination;
        QList<Instance> instances; // already rotated by the listener's round robin
        tls::SharedTlsContext tlsContext;
        ProxyMetrics *metrics = nullptr;
        ProxyOptions options;
        // A lab drill: wait this long before dialling the first instance.
        std::chrono::milliseconds addedLatency{0};
        // Where instances see us come from; null: the kernel's choice.
        QHostAddress sourceAddress;
    };

    UpstreamConnection(qintptr descriptor, const Context &context, QObject *parent = nullptr);
    ~UpstreamConnection() override;

    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    void finished();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void tryNext();
    void onTcpConnected();
    void onEncrypted();
    void onHandshakeFailed();
    void attemptFailed(std::optional<pki::RefusalReason> reason, const QString &detail);
    void close();

    Context m_context;
    PlainSocket *m_client = nullptr;
    PlainSocket *m_dial = nullptr;   // the TCP connect to the current instance
    tls::TlsStream *m_tls = nullptr; // its TLS leg, once connected
    Pipe *m_pipe = nullptr;
    int m_next = 0;
    QBasicTimer m_deadline;
    QElapsedTimer m_since;
    QString m_peer;
    bool m_tcpConnected = false;
    bool m_finished = false;
};

} // namespace mesh::proxy
