#include "labstatusserver.h"

#include "labsnapshotjson.h"

#include "lab/labsnapshot.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QTimer>

namespace meshpad::cli {

namespace {

// A client that connects and never reads must not hold a socket forever.
constexpr int kAnswerTimeoutMs = 5000;
// Long enough for a lab busy starting or stopping to accept the connection.
constexpr int kProbeTimeoutMs = 1000;

enum class Probe { Nobody, Stale, Answered };

// Whether a lab answers at `path`. A socket file that refuses connections was
// left by a lab that was killed.
Probe probe(const QString &path, int timeoutMs)
{
    if (!QFileInfo::exists(path))
        return Probe::Nobody;
    QLocalSocket socket;
    socket.connectToServer(path);
    if (socket.waitForConnected(timeoutMs)) {
        socket.abort();
        return Probe::Answered;
    }
    switch (socket.error()) {
    case QLocalSocket::ServerNotFoundError: return Probe::Nobody;
    case QLocalSocket::ConnectionRefusedError: return Probe::Stale;
    default: return Probe::Answered; // busy or unreadable: never remove what may be a live lab's socket
    }
}

} // namespace

LabStatusServer::LabStatusServer(SnapshotSource source, QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
    , m_server(new QLocalServer(this))
{
    connect(m_server, &QLocalServer::newConnection, this, &LabStatusServer::answer);
}

LabStatusServer::~LabStatusServer()
{
    close();
}

QString LabStatusServer::defaultPath()
{
    // XDG_RUNTIME_DIR: per user, 0700, emptied at logout; Qt falls back to a
    // private directory under /tmp when it is not set.
    QString dir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (dir.isEmpty())
        dir = QDir::tempPath();
    return QDir(dir).filePath(QStringLiteral("meshpad-lab.sock"));
}

mesh::Result<> LabStatusServer::listen(const QString &path)
{
    switch (probe(path, kProbeTimeoutMs)) {
    case Probe::Answered:
        return mesh::fail(mesh::Error::Code::Invalid,
                          QStringLiteral("a lab is already running (its status socket is %1); "
                                         "see meshpad lab status, and stop it with Ctrl-C where it runs")
                              .arg(path));
    case Probe::Stale: QLocalServer::removeServer(path); break;
    case Probe::Nobody: break;
    }
    if (!m_server->listen(path)) {
        return mesh::fail(mesh::Error::Code::Io,
                          QStringLiteral("cannot listen on %1: %2").arg(path, m_server->errorString()));
    }
    return {};
}

void LabStatusServer::close()
{
    // On Unix, QLocalServer::close() also unlinks the socket file.
    if (m_server->isListening())
        m_server->close();
}

bool LabStatusServer::isListening() const
{
    return m_server->isListening();
}

void LabStatusServer::answer()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(kAnswerTimeoutMs, socket, [socket] { socket->abort(); });
        socket->write(LabSnapshotJson::snapshot(m_source()).toUtf8() + '\n');
        // Closes once the bytes are written; the client reads to the end.
        socket->disconnectFromServer();
    }
}

mesh::Result<QByteArray> LabStatusServer::fetch(const QString &path, std::chrono::milliseconds timeout)
{
    const QDeadlineTimer deadline(timeout);
    const auto timedOut = [&] {
        return mesh::fail(mesh::Error::Code::Timeout,
                          QStringLiteral("the lab at %1 did not answer within %2 ms").arg(path).arg(timeout.count()));
    };
    QLocalSocket socket;
    socket.connectToServer(path, QIODevice::ReadOnly);
    if (!socket.waitForConnected(int(deadline.remainingTime()))) {
        switch (socket.error()) {
        case QLocalSocket::ServerNotFoundError:
            return mesh::fail(mesh::Error::Code::NotFound, QStringLiteral("no lab is running (no %1)").arg(path));
        case QLocalSocket::ConnectionRefusedError:
            // The lab that made the file is gone (killed, crashed).
            QLocalServer::removeServer(path);
            return mesh::fail(
                mesh::Error::Code::NotFound,
                QStringLiteral("no lab is running (removed %1, left behind by a lab that did not stop)").arg(path));
        case QLocalSocket::SocketTimeoutError: return timedOut();
        default:
            return mesh::fail(mesh::Error::Code::Io,
                              QStringLiteral("cannot reach the lab at %1: %2").arg(path, socket.errorString()));
        }
    }
    QByteArray document;
    while (socket.state() == QLocalSocket::ConnectedState) {
        if (!socket.waitForReadyRead(int(deadline.remainingTime()))) {
            if (socket.state() == QLocalSocket::ConnectedState)
                return timedOut();
            break; // the lab closed after writing: the document is complete
        }
        document += socket.readAll();
    }
    document += socket.readAll();
    return document.trimmed();
}

} // namespace meshpad::cli
