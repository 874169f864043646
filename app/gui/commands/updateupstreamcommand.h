#pragma once

#include "updatevaluecommand.h"

#include "model/topology.h"

namespace meshpad::gui {

// Replaces one arrow's values: retarget (destination), local bind port and
// address, allow/deny. As UpdateServiceCommand: the values before come from
// the model; consecutive commands on the same arrow with the same non-empty
// `field` ("localBindPort", …) merge; a no-op becomes obsolete.
class UpdateUpstreamCommand final : public UpdateValueCommand<mesh::model::Upstream, CommandId::UpdateUpstream>
{
public:
    UpdateUpstreamCommand(mesh::model::TopologyModel &model, mesh::model::Upstream after, QString field = {},
                          QUndoCommand *parent = nullptr);

private:
    void apply(const mesh::model::Upstream &upstream) override;
};

} // namespace meshpad::gui
