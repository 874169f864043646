#pragma once

#include "model/topology.h"

#include <QSet>
#include <QString>

namespace meshpad::gui {

// Names a new service or job may take without clashing with the design:
// "count-api" → "count-api", "count-api-2", … Services added from the
// palette or pasted get one, so the validator has nothing to say about them.
// `alsoTaken` holds names already handed out in the same gesture (a paste
// of several services).
QString uniqueServiceName(const mesh::model::Topology &topology, const QString &hint,
                          const QSet<QString> &alsoTaken = {});
QString uniqueJobName(const mesh::model::Topology &topology, const QString &hint,
                      const QSet<QString> &alsoTaken = {});

// The first local bind port ≥ 8080 that `downstream` does not already listen
// on for another upstream: what a new arrow gets.
int firstFreeLocalBindPort(const mesh::model::Topology &topology, const mesh::model::ServiceId &downstream);

} // namespace meshpad::gui
