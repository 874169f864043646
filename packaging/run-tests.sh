#!/usr/bin/env bash
# Sets everything up and runs every test: installs the Debian packages and
# the npm test tools, builds the debug preset and runs CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug
