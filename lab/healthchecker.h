#pragma once

#include "lab/labsnapshot.h"
#include "model/topology.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <chrono>

class QTcpSocket;

namespace mesh::lab {

// One Consul-style check of an allocation's service, run by the lab: HTTP
// (GET, 2xx passing, anything else or no answer in time critical, as Consul's
// HTTP check) or TCP (a completed connect passing). The first check runs at
// start(), then one per interval; a check never overlaps the previous one.
class HealthChecker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthChecker)

public:
    struct Target final
    {
        model::CheckKind kind = model::CheckKind::Tcp; // None is treated as Tcp
        QHostAddress address;
        quint16 port = 0;
        QString path = QStringLiteral("/health");
        std::chrono::milliseconds interval{10'000};
        std::chrono::milliseconds timeout{2'000};
    };

    explicit HealthChecker(const Target &target, QObject *parent = nullptr);
    ~HealthChecker() override;

    void start();
    void stop();
    HealthStatus status() const { return m_status; }
    QString output() const { return m_output; }

Q_SIGNALS:
    // Only on a change of status.
    void statusChanged(mesh::lab::HealthStatus status, const QString &output);

private:
    void runCheck();
    void finishCheck(bool passing, const QString &output);

    Target m_target;
    QTimer m_interval;
    QTimer m_timeout;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_response;
    HealthStatus m_status = HealthStatus::Unknown;
    QString m_output;
};

} // namespace mesh::lab
