#pragma once

namespace meshpad::cli {

// The command line's exit statuses, the same for every subcommand.
namespace ExitCode {
constexpr int Ok = 0;
constexpr int Problems = 1; // the design (or the run) has errors
constexpr int Usage = 2;    // bad arguments, unreadable input, unwritable output
} // namespace ExitCode

} // namespace meshpad::cli
