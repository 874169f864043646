#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace mesh::api {

// What an agent answered (any status: ApiClient turns non-2xx into errors).
struct ApiResponse
{
    int status = 0;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers; // as received
    // X-Consul-Index / X-Nomad-Index: the blocking-query index.
    std::optional<quint64> index;
    // X-Consul-ContentHash: for hash-based blocking (?hash=).
    QString contentHash;
    // X-Consul-KnownLeader / X-Nomad-KnownLeader.
    std::optional<bool> knownLeader;

    // The first header of that name, case-insensitively; empty when absent.
    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
};

} // namespace mesh::api
