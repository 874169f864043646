#pragma once

#include "core/result.h"
#include "lab/labevent.h"
#include "lab/labsnapshot.h"

#include <QByteArray>
#include <QString>

namespace meshpad::cli {

// The lab's state as `meshpad lab` hands it to scripts: compact JSON, one
// object per line. `lab up -json` prints endpoints and events with it, the
// status server inside `lab up` answers with snapshot(), and `lab status`
// reads that back with parseSnapshot(); the format lives only here.
class LabSnapshotJson final
{
public:
    // {"node","address","consul","nomad"}: where a node's agents listen.
    static QString nodeApis(const mesh::lab::NodeSnapshot &node);
    // {"service","alloc","label","url"}
    static QString endpoint(const mesh::lab::Endpoint &endpoint);
    // {"event","service","alloc","text","time"}: event is toString(kind),
    // time ISO 8601 in UTC with milliseconds.
    static QString event(const mesh::lab::LabEvent &event);
    // Every field of the snapshot: running, taken, trustDomain, datacenter,
    // dashboardUrl, nodes (with their consul and nomad addresses), instances,
    // lost (allocations lost with their node, same shape as instances; each
    // instance with previousAllocation / nextAllocation ids), arrows, endpoints.
    static QString snapshot(const mesh::lab::LabSnapshot &snapshot);
    // The reverse of snapshot(). Fails (Error::Code::Parse) on text that is
    // not a JSON object; absent fields keep their defaults.
    static mesh::Result<mesh::lab::LabSnapshot> parseSnapshot(const QByteArray &json);

    // How event() and snapshot() write a time.
    static QString timeText(const QDateTime &time);
};

} // namespace meshpad::cli
