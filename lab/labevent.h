#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace mesh::lab {

// One line of the lab's event log.
struct LabEvent final
{
    enum class Kind {
        Placed,      // an allocation was placed on a node
        Started,     // its task (and sidecar) started
        Healthy,     // its check turned passing
        Unhealthy,   // its check turned critical
        Failed,      // its task failed (exit, crash, bind error)
        Restarted,   // started again after a failure
        Stopped,     // stopped (drill, node down, lab stop)
        Refused,     // a sidecar refused a connection (reason in text)
        Denied,      // refused because intentions deny the source
        Drill,       // a drill was applied
        Node,        // a node went down or came up
        Certificate, // services' leaf certificates were issued again (rotation)
        Error,       // the lab itself could not do something
    };

    QDateTime time;
    Kind kind = Kind::Drill;
    QString service;   // empty when not about one service
    QString allocName; // empty when not about one allocation
    QString text;      // one sentence, for people
};

// "placed", "started", "healthy", "unhealthy", "failed", "restarted",
// "stopped", "refused", "denied", "drill", "node", "certificate", "error".
QString toString(LabEvent::Kind kind);

} // namespace mesh::lab

Q_DECLARE_METATYPE(mesh::lab::LabEvent)
