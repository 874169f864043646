#pragma once

#include "api/apiresponse.h"

#include <QByteArray>
#include <QLocalSocket>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>

namespace mesh::api {

// One HTTP/1.1 request over a unix domain socket (QNetworkAccessManager in
// Qt 6.4 cannot dial one): connect, write the request with
// "Connection: close", read a Content-Length, chunked or until-close
// response, emit finished() exactly once. Bounded by a connect timeout, a
// total timeout and a body size cap, as ApiClient's HTTP path is.
class UnixHttpExchange final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixHttpExchange)

public:
    enum class Failure { None, Connect, Closed, Timeout, TooLarge, Malformed, Cancelled };

    UnixHttpExchange(QString socketPath, QByteArray request, qint64 maxBodyBytes,
                     std::chrono::milliseconds connectTimeout, std::chrono::milliseconds totalTimeout,
                     QObject *parent = nullptr);
    ~UnixHttpExchange() override;

    // May finish synchronously (a socket that does not exist): check
    // isFinished() before waiting for finished().
    void start();
    void abort(Failure reason);

    bool isFinished() const { return m_finished; }
    Failure failure() const { return m_failure; }
    QLocalSocket::LocalSocketError socketError() const { return m_socketError; }
    QString detail() const { return m_detail; }
    const ApiResponse &response() const { return m_response; }
    bool connected() const { return m_connected; }

Q_SIGNALS:
    void finished();

private:
    enum class State { Headers, Length, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose, Done };

    void onReadyRead();
    void parse();
    bool parseHeaders();
    bool appendBody(QByteArrayView bytes);
    // Moves up to m_remaining buffered bytes into the body (a Content-Length
    // body or one chunk's data). True once all m_remaining have come; false
    // while more must arrive or after a failure (finish() has run).
    bool takeRemainingBody();
    void finish(Failure failure, QString detail = {});

    QLocalSocket *m_socket = nullptr;
    QString m_path;
    QByteArray m_request;
    qint64 m_maxBody;
    QTimer m_connectTimer;
    QTimer m_totalTimer;
    QByteArray m_buffer;
    State m_state = State::Headers;
    qint64 m_remaining = 0;
    ApiResponse m_response;
    Failure m_failure = Failure::None;
    QLocalSocket::LocalSocketError m_socketError = QLocalSocket::UnknownSocketError;
    QString m_detail;
    bool m_finished = false;
    bool m_connected = false;
};

} // namespace mesh::api
