#!/usr/bin/env bash
# Sets everything up and runs every test: installs the Debian packages and
# the npm test tools, builds the debug preset and runs CTest; then builds the
# library-level tests with AddressSanitizer + UBSan and runs them again.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug

# The sanitized pass covers the code that parses untrusted input (project
# files, HTTP, certificates, TLS peers) and the generators; the GUI and the
# browser test run once, above.
sanitized=(projectfile validator topologymodel hclwriter nomadjobgenerator consulgenerator
           scriptgenerator readmegenerator spiffeid certificateauthority peeridentity proxy
           counter dashboard lab)
cmake --preset asan >/dev/null
cmake --build --preset asan --target "${sanitized[@]/#/tst_}"
ctest --preset asan -R "^($(IFS='|'; echo "${sanitized[*]}"))\$"
