#include "fetchresult.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace apps::dashboard {

QByteArray FetchResult::toJson() const
{
    // QJsonObject sorts its keys; the page does not care, but people reading
    // the frames compare them with the original's, so keep its order.
    auto quoted = [](const QString &s) {
        const QByteArray array = QJsonDocument(QJsonObject{{QStringLiteral("v"), s}}).toJson(QJsonDocument::Compact);
        return array.mid(5, array.size() - 6); // strip {"v": and }
    };
    return "{\"count\":" + QByteArray::number(count) + ",\"message\":" + quoted(message)
           + ",\"hostname\":" + quoted(hostname) + '}';
}

} // namespace apps::dashboard
