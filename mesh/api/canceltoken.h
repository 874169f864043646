#pragma once

#include <QObject>

namespace mesh::api {

// Lets a caller abort the requests it started: pass it in
// ApiRequest::cancelToken (or QueryOptions::cancel). cancel() or destroying
// the token aborts every running request that carries it (the connection is
// closed) and ends back-off waits; those requests finish with
// Error::Code::Cancelled. A request started with an already cancelled token
// fails at once. Lives on the thread of the requests it cancels.
//
// QCoro 0.8 has no cancellation of its own (destroying a Task does not stop
// the coroutine), hence this token.
class CancelToken final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CancelToken)

public:
    explicit CancelToken(QObject *parent = nullptr);
    ~CancelToken() override;

    // Idempotent: emits cancelled() the first time only.
    void cancel();
    bool isCancelled() const { return m_cancelled; }

Q_SIGNALS:
    void cancelled();

private:
    bool m_cancelled = false;
};

} // namespace mesh::api
