#!/usr/bin/env bash
# Sets everything up and runs Meshpad: installs the Debian packages, builds
# the release preset and starts `meshpad` with the arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh --runtime
cmake --preset release >/dev/null
cmake --build --preset release --target meshpad counter dashboard
exec build/release/bin/meshpad "$@"
