#include "blockingwatch.h"

#include "api/apiclient.h"
#include "api/apilog.h"
#include "api/canceltoken.h"

#include <QElapsedTimer>
#include <QRandomGenerator>

#include <QCoro/QCoroSignal>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace mesh::api {

BlockingWatch::BlockingWatch(ApiClient *client, ApiRequest request, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_request(std::move(request))
{
}

BlockingWatch::~BlockingWatch()
{
    stop();
}

void BlockingWatch::start()
{
    if (m_running)
        return;
    m_running = true;
    m_token = new CancelToken(this);
    run(++m_generation);
}

void BlockingWatch::stop()
{
    if (!m_running)
        return;
    m_running = false;
    ++m_generation;
    // The loop resumes inside cancel() and sees the new generation.
    CancelToken *token = std::exchange(m_token, nullptr);
    token->cancel();
    token->deleteLater();
}

QCoro::Task<> BlockingWatch::run(quint64 generation)
{
    QPointer<BlockingWatch> self(this);
    QPointer<CancelToken> token = m_token;
    auto stillMine = [&] { return self && m_running && m_generation == generation; };
    auto backoff = m_minBackoff;

    while (stillMine()) {
        QPointer<ApiClient> client = m_client;
        if (!client) {
            m_running = false;
            co_return;
        }
        ApiRequest request = m_request;
        request.cancelToken = token;
        if (m_mode == Mode::Index && m_waitIndex > 0) {
            request.query.removeAllQueryItems(u"index"_s);
            request.query.addQueryItem(u"index"_s, QString::number(m_waitIndex));
            request.blockingWait = m_wait;
        } else if (m_mode == Mode::Hash && !m_waitHash.isEmpty()) {
            request.query.removeAllQueryItems(u"hash"_s);
            request.query.addQueryItem(u"hash"_s, m_waitHash);
            request.blockingWait = m_wait;
        }

        QElapsedTimer took;
        took.start();
        Result<ApiResponse> result = co_await client->request(request);
        if (!stillMine())
            co_return;

        if (!result) {
            if (result.error().code == Error::Code::Cancelled && !client) {
                m_running = false;
                co_return;
            }
            qCDebug(lcApi).noquote() << "watch of" << request.describe() << "failed:" << result.error().message;
            Q_EMIT failed(result.error());
            if (!stillMine())
                co_return;
            const auto jitter
                = std::chrono::milliseconds(QRandomGenerator::global()->bounded(qint64(backoff.count() / 4 + 1)));
            const auto delay = backoff + jitter;
            backoff = std::min(backoff * 2, m_maxBackoff);
            if (token)
                co_await qCoro(token.data(), &CancelToken::cancelled, delay);
            continue;
        }
        backoff = m_minBackoff;

        if (m_mode == Mode::Index) {
            // "Sanity check index is greater than zero" (blocking queries doc).
            const quint64 received = std::max<quint64>(result->index.value_or(0), 1);
            if (m_waitIndex > 0 && received < m_waitIndex) {
                const quint64 previous = m_waitIndex;
                m_waitIndex = 0;
                m_reportedIndex = 0;
                Q_EMIT indexReset(previous, received);
                continue;
            }
            const bool unchanged = received == m_waitIndex;
            m_waitIndex = received;
            if (received != m_reportedIndex) {
                m_reportedIndex = received;
                Q_EMIT changed(*result);
            } else if (unchanged && request.blockingWait.count() > 0 && took.elapsed() < 1000 && stillMine() && token) {
                // A blocking query that came straight back unchanged did not
                // block: a server that does that must not make us spin
                // (the blocking-query docs ask clients to rate-limit).
                co_await qCoro(token.data(), &CancelToken::cancelled, m_minBackoff);
            }
        } else {
            const QString hash = result->contentHash;
            const bool isNew = !m_reportedOnce || hash != m_reportedHash;
            m_waitHash = hash;
            if (isNew) {
                m_reportedOnce = true;
                m_reportedHash = hash;
                Q_EMIT changed(*result);
            }
            if (hash.isEmpty() && stillMine() && token) {
                // No hash: the endpoint cannot block; poll instead of spinning.
                co_await qCoro(token.data(), &CancelToken::cancelled, m_minBackoff);
            }
        }
    }
}

} // namespace mesh::api
