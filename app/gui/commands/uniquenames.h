#pragma once

#include "model/ids.h"
#include "model/topology.h"

#include <QSet>
#include <QString>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Names a new service or job may take without clashing with the design:
// "count-api" → "count-api", "count-api-2", … Services added from the
// palette or pasted get one, so the validator has nothing to say about them.
// `alsoTaken` holds names already handed out in the same gesture (a paste
// of several services).
QString uniqueServiceName(const mesh::model::Topology &topology, const QString &hint,
                          const QSet<QString> &alsoTaken = {});
QString uniqueJobName(const mesh::model::Topology &topology, const QString &hint, const QSet<QString> &alsoTaken = {});

// Fresh ids for services and arrows added in one gesture (a paste, an
// import): the model's generator only knows the model, so ids handed out
// earlier in the gesture are kept in `taken`, which gets the new one.
mesh::model::ServiceId freshServiceId(const mesh::model::TopologyModel &model, const QString &hint,
                                      QSet<QString> &taken);
mesh::model::UpstreamId freshUpstreamId(const mesh::model::TopologyModel &model, const QString &hint,
                                        QSet<QString> &taken);

// The first local bind port ≥ 8080 that `downstream` does not already listen
// on for another upstream: what a new arrow gets.
int firstFreeLocalBindPort(const mesh::model::Topology &topology, const mesh::model::ServiceId &downstream);

} // namespace meshpad::gui
