#include "blockingqueries.h"

#include <QRandomGenerator>
#include <QTimer>

#include <memory>

namespace mesh::lab {

struct BlockingQueries::Parked
{
    apps::http::Deferred deferred;
    int table = 0;
    Changed changed;
    Answer answer;
    std::unique_ptr<QTimer> timer;
};

BlockingQueries::BlockingQueries(QObject *parent)
    : QObject(parent)
{
}

BlockingQueries::~BlockingQueries()
{
    clear();
}

void BlockingQueries::park(apps::http::Deferred deferred, int table, std::chrono::milliseconds wait, Changed changed,
                           Answer answer)
{
    auto *parked
        = new Parked{std::move(deferred), table, std::move(changed), std::move(answer), std::make_unique<QTimer>()};
    const qint64 jitter = wait.count() >= 16 ? QRandomGenerator::global()->bounded(qint64(wait.count() / 16)) : 0;
    parked->timer->setSingleShot(true);
    // A coarse timer may fire 5 % early; a blocking query must hold its wait.
    parked->timer->setTimerType(Qt::PreciseTimer);
    connect(parked->timer.get(), &QTimer::timeout, this, [this, parked] {
        if (m_parked.remove(parked))
            finish(parked);
    });
    parked->timer->start(wait + std::chrono::milliseconds(jitter));
    m_parked.insert(parked);
}

void BlockingQueries::wake(std::optional<int> table)
{
    // Taken out of the set first, answered after: answering may change
    // nothing here, but it must not meet a set being walked.
    QList<Parked *> done;
    for (auto it = m_parked.begin(); it != m_parked.end();) {
        Parked *parked = *it;
        if (!parked->deferred.isOpen() || ((!table || parked->table == *table) && parked->changed())) {
            done.append(parked);
            it = m_parked.erase(it);
        } else {
            ++it;
        }
    }
    for (Parked *parked : std::as_const(done))
        finish(parked);
}

void BlockingQueries::finish(Parked *parked)
{
    if (parked->deferred.isOpen())
        parked->deferred.respond(parked->answer());
    // The timer may be the sender of the signal being handled.
    parked->timer.release()->deleteLater();
    delete parked;
}

void BlockingQueries::clear()
{
    qDeleteAll(m_parked);
    m_parked.clear();
}

} // namespace mesh::lab
