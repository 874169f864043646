#pragma once

class QTemporaryDir;

// A test's own settings, for the tests that run the editor's window
// (QSettings, profiles, recovery files and the lab's CA all live under the
// XDG directories): nothing a test writes reaches the user's, and nothing
// the user has set changes what a test sees.
namespace meshtest {

// Points XDG_CONFIG_HOME and XDG_DATA_HOME at config/ and data/ in `home`
// (QStandardPaths reads them on each call). False when `home` is not valid.
[[nodiscard]] bool usePrivateSettings(const QTemporaryDir &home);

// Unsets the tokens and agent addresses a deploy target would take from the
// environment (CONSUL_HTTP_TOKEN, NOMAD_TOKEN, CONSUL_HTTP_ADDR, NOMAD_ADDR).
void unsetClusterEnvironment();

} // namespace meshtest
