#pragma once

#include "updatevaluecommand.h"

#include "model/topology.h"

namespace meshpad::gui {

// Replaces one service's values (the inspector). `after.id` names the
// service; the values before are read from the model when constructed.
// Consecutive commands on the same service with the same non-empty `field`
// ("name", "env", "count"…) merge into one undo step, so typing a name is
// one step, not one per key. An empty field never merges.
//
// Pushing a command whose `after` equals the model's value is harmless: it
// becomes obsolete and leaves the stack.
class UpdateServiceCommand final : public UpdateValueCommand<mesh::model::Service, CommandId::UpdateService>
{
public:
    UpdateServiceCommand(mesh::model::TopologyModel &model, mesh::model::Service after, QString field = {},
                         QUndoCommand *parent = nullptr);

private:
    void apply(const mesh::model::Service &service) override;
};

} // namespace meshpad::gui
