#pragma once

#include "api/apirequest.h"
#include "api/apiresponse.h"
#include "core/result.h"

#include <QObject>
#include <QPointer>

#include <QCoro/QCoroTask>

#include <chrono>

namespace mesh::api {

class ApiClient;
class CancelToken;

// Follows one endpoint with blocking queries, as Consul's and Nomad's
// clients do (https://developer.hashicorp.com/consul/api-docs/features/blocking):
//
// - the first query is plain; each next one sends ?index=<last X-…-Index>
//   (Mode::Index) or ?hash=<last X-Consul-ContentHash> (Mode::Hash) and
//   ?wait=<wait()>;
// - changed() fires with the response only when the index (hash) differs
//   from the last one reported — a blocking query may return unchanged;
// - an index that goes backwards resets it to 0: the next query is a plain
//   one, and its answer is reported (the docs' "reset the index if it goes
//   backwards"); an index of 0 is taken as 1 so that a server that sends 0
//   cannot make the loop spin;
// - an error fires failed() and the watch tries again after a back-off
//   (minBackoff doubling to maxBackoff, with jitter); it never stops by
//   itself, only on stop() or when the client or the watch is destroyed.
//
// Does not own the client; lives on the client's thread.
class BlockingWatch final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BlockingWatch)

public:
    enum class Mode { Index, Hash };

    BlockingWatch(ApiClient *client, ApiRequest request, QObject *parent = nullptr);
    ~BlockingWatch() override;

    void setMode(Mode mode) { m_mode = mode; }
    Mode mode() const { return m_mode; }
    // The ?wait= of each blocking query (default 5 min, Consul's default;
    // the client clamps it to the endpoint's maximum).
    void setWait(std::chrono::milliseconds wait) { m_wait = wait; }
    std::chrono::milliseconds wait() const { return m_wait; }
    void setErrorBackoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
    {
        m_minBackoff = min;
        m_maxBackoff = max;
    }

    // Starts the loop (no-op when running). The first query goes out now.
    void start();
    // Stops the loop and aborts the query in flight; no signal fires after.
    void stop();
    bool isRunning() const { return m_running; }

    // The index (hash) of the last reported response; 0 (empty) before one.
    quint64 index() const { return m_reportedIndex; }
    QString hash() const { return m_reportedHash; }

Q_SIGNALS:
    void changed(const mesh::api::ApiResponse &response);
    void failed(const mesh::Error &error);
    // The server's index went from `previous` back to `received`; the watch
    // queries afresh.
    void indexReset(quint64 previous, quint64 received);

private:
    QCoro::Task<> run(quint64 generation);

    QPointer<ApiClient> m_client;
    ApiRequest m_request;
    Mode m_mode = Mode::Index;
    std::chrono::milliseconds m_wait{std::chrono::minutes(5)};
    std::chrono::milliseconds m_minBackoff{std::chrono::seconds(1)};
    std::chrono::milliseconds m_maxBackoff{std::chrono::minutes(1)};
    CancelToken *m_token = nullptr;
    quint64 m_generation = 0;
    quint64 m_waitIndex = 0;
    quint64 m_reportedIndex = 0;
    QString m_waitHash;
    QString m_reportedHash;
    bool m_reportedOnce = false;
    bool m_running = false;
};

} // namespace mesh::api
