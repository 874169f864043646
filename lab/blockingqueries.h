#pragma once

#include "httptypes.h"

#include <QObject>
#include <QSet>

#include <chrono>
#include <functional>
#include <optional>

namespace mesh::lab {

// The blocking queries one of the lab's agent APIs holds (Consul's and
// Nomad's ?index=&wait=): each parked answer waits until its read has
// changed or its wait runs out — plus up to wait/16 of jitter, as both
// agents add so that many waiters do not return at once
// (https://developer.hashicorp.com/consul/api-docs/features/blocking) — and
// then gets its answer, built at that moment. A client that left is dropped
// at the next wake. Lives on the API's thread.
class BlockingQueries final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BlockingQueries)

public:
    // Has the read changed since it was parked? Its answer, built now.
    using Changed = std::function<bool()>;
    using Answer = std::function<apps::http::Response()>;

    explicit BlockingQueries(QObject *parent = nullptr);
    ~BlockingQueries() override; // parked clients get no answer (their connections go too)

    // `table` names what the read depends on: wake(table) asks only these.
    void park(apps::http::Deferred deferred, int table, std::chrono::milliseconds wait, Changed changed, Answer answer);
    // After a change of `table` (any table: nullopt): answers, in one pass,
    // every parked read of it that changed.
    void wake(std::optional<int> table = std::nullopt);
    // Drops every parked read unanswered.
    void clear();
    int size() const { return int(m_parked.size()); }

private:
    struct Parked;
    void finish(Parked *parked);

    QSet<Parked *> m_parked;
};

} // namespace mesh::lab
