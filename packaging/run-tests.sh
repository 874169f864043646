#!/usr/bin/env bash
# Sets everything up and runs every test: installs the Debian packages and
# the npm test tools, builds the debug preset and runs CTest; then builds the
# library-level tests with AddressSanitizer + UBSan and runs them again; then
# runs each libFuzzer target for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug

# The sanitized pass covers the code that parses untrusted input (HCL2, project
# files, HTTP requests and responses, API bodies, certificates, TLS peers,
# vagrant's output), the generators, and deploy's and import's coroutines
# (GCC 12 has destroyed a coroutine temporary twice there); the GUI and the
# browser tests run once, above.
sanitized=(projectfile validator topologymodel hclwriter nomadjobgenerator consulgenerator
           scriptgenerator readmegenerator spiffeid certificateauthority peeridentity proxy proxyexhaustion
           counter dashboard lab httpserver goduration apiclient labconsulapi labnomad deploy
           vagrantoutput terminaltext artifactset hcldifferential clusterimport)
cmake --preset asan >/dev/null
cmake --build --preset asan --target "${sanitized[@]/#/tst_}"
ctest --preset asan -R "^($(IFS='|'; echo "${sanitized[*]}"))\$"

# libFuzzer targets (fuzz/, clang 16, ASan + UBSan), 15 s each from their
# seeds (read only: new inputs go to a scratch corpus). A crash, leak,
# sanitizer report or broken property fails the run; its input and log stay
# in build/fuzz/artifacts/.
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
mkdir -p build/fuzz/artifacts
for target in spiffeid peeridentity csr projectfile intentions httprequest consulbody nomadjob generate hcl; do
    scratch=$(mktemp -d)
    dict=()
    [[ -f fuzz/$target.dict ]] && dict=("-dict=fuzz/$target.dict")
    log=build/fuzz/artifacts/$target.log
    if ! build/fuzz/fuzz/fuzz_$target -max_total_time=15 -rss_limit_mb=2048 -timeout=5 -print_final_stats=1 \
            "${dict[@]}" "-artifact_prefix=build/fuzz/artifacts/$target-" "$scratch" "fuzz/corpus/$target" \
            >"$log" 2>&1; then
        cat "$log" >&2
        echo "run-tests: fuzz_$target failed; the input is in build/fuzz/artifacts/" >&2
        exit 1
    fi
    rm -rf "$scratch"
    echo "fuzz_$target: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n1)"
done
