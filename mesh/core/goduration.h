#pragma once

#include <QString>
#include <QStringView>

#include <chrono>
#include <optional>

namespace mesh {

// Go's time.ParseDuration (https://pkg.go.dev/time#ParseDuration), which
// Consul and Nomad use for ?wait=, check intervals and timeouts: an optional
// sign, then one or more decimal numbers each with a unit — "ns", "us" (or
// "µs"), "ms", "s", "m", "h" — as in "300ms", "-1.5h", "2h45m"; "0" alone
// needs no unit. nullopt for anything else (a bare "10", "5 s", "1d").
std::optional<std::chrono::nanoseconds> parseGoDuration(QStringView text);

// Go's time.Duration.String(), as Consul and Nomad print durations in
// messages: "0s", "250ms", "1.5s", "30m0s", "1h2m3s".
QString formatGoDuration(std::chrono::nanoseconds duration);

} // namespace mesh
