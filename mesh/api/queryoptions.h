#pragma once

#include "api/canceltoken.h"

#include <QPointer>
#include <QString>

#include <chrono>

namespace mesh::api {

// Options of a read (ConsulClient / NomadClient): a blocking query when
// `wait` > 0 with `index` (or `hash` for Consul's hash-based endpoints).
struct QueryOptions
{
    quint64 index = 0;
    QString hash;
    std::chrono::milliseconds wait{0};
    QPointer<CancelToken> cancel;
};

// A read's value with the blocking-query metadata of its response.
template<class T>
struct Indexed
{
    T value{};
    quint64 index = 0;   // X-…-Index; 0 when the endpoint sent none
    QString contentHash; // X-Consul-ContentHash
    bool knownLeader = false;
};

} // namespace mesh::api
