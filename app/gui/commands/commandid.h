#pragma once

namespace meshpad::gui {

// QUndoCommand::id() values: commands with the same id may merge
// (QUndoStack only asks mergeWith() of commands whose ids match).
enum class CommandId : int {
    MoveServices = 1,
    UpdateService,
    UpdateUpstream,
    UpdateSettings,
};

} // namespace meshpad::gui
