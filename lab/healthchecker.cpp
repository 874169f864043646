#include "healthchecker.h"

#include <QTcpSocket>

namespace mesh::lab {

HealthChecker::HealthChecker(const Target &target, QObject *parent)
    : QObject(parent)
    , m_target(target)
{
    m_interval.setInterval(target.interval);
    m_interval.setSingleShot(true);
    connect(&m_interval, &QTimer::timeout, this, &HealthChecker::runCheck);
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(target.timeout);
    connect(&m_timeout, &QTimer::timeout, this,
            [this] { finishCheck(false, QStringLiteral("timed out after %1 ms").arg(m_target.timeout.count())); });
}

HealthChecker::~HealthChecker() = default;

void HealthChecker::start()
{
    runCheck();
}

void HealthChecker::stop()
{
    m_interval.stop();
    m_timeout.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
}

void HealthChecker::runCheck()
{
    if (m_socket)
        return;
    m_response.clear();
    m_socket = new QTcpSocket(this);
    const bool http = m_target.kind == model::CheckKind::Http;
    connect(m_socket, &QTcpSocket::connected, this, [this, http] {
        if (!http) {
            finishCheck(
                true, QStringLiteral("TCP connect %1:%2: Success").arg(m_target.address.toString()).arg(m_target.port));
            return;
        }
        const QByteArray request = "GET " + m_target.path.toUtf8() + " HTTP/1.1\r\nHost: "
                                   + m_target.address.toString().toLatin1() + ':' + QByteArray::number(m_target.port)
                                   + "\r\nUser-Agent: Consul Health Check\r\nAccept: text/plain, text/*, */*\r\n"
                                     "Connection: close\r\n\r\n";
        m_socket->write(request);
    });
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        m_response += m_socket->readAll();
        const qsizetype lineEnd = m_response.indexOf("\r\n");
        if (lineEnd < 0) {
            if (m_response.size() > 8192)
                finishCheck(false, QStringLiteral("malformed HTTP response"));
            return;
        }
        // "HTTP/1.1 200 OK": the status code is the second word.
        const QList<QByteArray> words = m_response.left(lineEnd).split(' ');
        bool ok = false;
        const int code = words.size() >= 2 ? words.at(1).toInt(&ok) : 0;
        const QString status = QString::fromLatin1(m_response.left(lineEnd));
        const QString output = QStringLiteral("HTTP GET http://%1:%2%3: %4")
                                   .arg(m_target.address.toString())
                                   .arg(m_target.port)
                                   .arg(m_target.path, status.mid(status.indexOf(u' ') + 1));
        finishCheck(ok && code >= 200 && code < 300, output);
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this, http](QAbstractSocket::SocketError error) {
        // In the words of Consul's checks, which print Go's dial error
        // (hashicorp/consul: agent/checks/check.go CheckTCP, CheckHTTP):
        // `dial tcp A:P: connect: connection refused`, behind
        // `Get "http://A:P/path": ` for an HTTP check.
        const QString where = m_target.address.toString() + u':' + QString::number(m_target.port);
        QString why = error == QAbstractSocket::ConnectionRefusedError
                          ? QStringLiteral("dial tcp %1: connect: connection refused").arg(where)
                          : m_socket->errorString();
        if (http)
            why = QStringLiteral("Get \"http://%1%2\": %3").arg(where, m_target.path, why);
        finishCheck(false, why);
    });
    m_timeout.start();
    m_socket->connectToHost(m_target.address, m_target.port);
}

void HealthChecker::finishCheck(bool passing, const QString &output)
{
    if (!m_socket)
        return;
    m_timeout.stop();
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
    m_output = output;
    const HealthStatus status = passing ? HealthStatus::Passing : HealthStatus::Critical;
    m_interval.start();
    if (status != m_status) {
        m_status = status;
        Q_EMIT statusChanged(status, output);
    }
}

} // namespace mesh::lab
