#!/usr/bin/env bash
# Sets everything up and runs every test: installs the Debian packages and
# the npm test tools, builds the debug preset and runs CTest; then builds the
# library-level tests with AddressSanitizer + UBSan and runs them again; then
# runs each libFuzzer target for a bounded time.
#
# On two cores the whole run must stay under 30 minutes, and the tests spend
# much of their time waiting on sockets, child processes and Chromium. So the
# next build runs behind each test pass at the lowest CPU priority (nice 19:
# a test that wants a core takes it back at once; the build only soaks up
# what the tests leave idle), and the fuzzers run two at a time (each is one
# process on one core). Their output goes to build/<preset>-build.log and is
# shown if the build fails.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

background=()
trap 'for pid in "${background[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT

# build_behind PRESET LOG [cmake --build args…]: starts a niced build, sets
# $built to its PID.
build_behind() {
    local preset=$1 log=$2
    shift 2
    mkdir -p build
    nice -n 19 cmake --build --preset "$preset" "$@" >"$log" 2>&1 &
    built=$!
    background+=("$built")
}
# finish_build PID LOG: waits for it; on failure shows its log and stops.
finish_build() {
    if ! wait "$1"; then
        cat "$2" >&2
        echo "run-tests: the build logged in $2 failed" >&2
        exit 1
    fi
    tail -n 1 "$2"
}

cmake --preset debug >/dev/null
cmake --build --preset debug

# The sanitized pass covers the code that parses untrusted input (HCL2, project
# files, HTTP requests and responses, API bodies, certificates, TLS peers,
# vagrant's output), the generators, and deploy's and import's coroutines
# (GCC 12 has destroyed a coroutine temporary twice there); the GUI and the
# browser tests run once, below. The HCL2 reader runs sanitized in fuzz_hcl.
sanitized=(projectfile validator topologymodel hclwriter nomadjobgenerator consulgenerator
           scriptgenerator readmegenerator spiffeid certificateauthority peeridentity proxy proxyexhaustion proxytls
           counter dashboard lab httpserver goduration apiclient labconsulapi labnomad deploy
           vagrantoutput terminaltext artifactset clusterimport)
cmake --preset asan >/dev/null
build_behind asan build/asan-build.log --target "${sanitized[@]/#/tst_}"
asan_build=$built

ctest --preset debug
finish_build "$asan_build" build/asan-build.log

# libFuzzer targets (fuzz/, clang 16, ASan + UBSan), built behind the
# sanitized tests.
cmake --preset fuzz >/dev/null
build_behind fuzz build/fuzz-build.log
fuzz_build=$built

ctest --preset asan -R "^($(IFS='|'; echo "${sanitized[*]}"))\$"
finish_build "$fuzz_build" build/fuzz-build.log

# Each fuzzer runs 15 s from its seeds (read only: new inputs go to a scratch
# corpus), two at a time. A crash, leak, sanitizer report or broken property
# fails the run; its input and log stay in build/fuzz/artifacts/.
mkdir -p build/fuzz/artifacts
fuzz() {
    local target=$1 scratch dict=()
    scratch=$(mktemp -d)
    [[ -f fuzz/$target.dict ]] && dict=("-dict=fuzz/$target.dict")
    local status=0
    build/fuzz/fuzz/fuzz_$target -max_total_time=15 -rss_limit_mb=2048 -timeout=5 -print_final_stats=1 \
        "${dict[@]}" "-artifact_prefix=build/fuzz/artifacts/$target-" "$scratch" "fuzz/corpus/$target" \
        >"build/fuzz/artifacts/$target.log" 2>&1 || status=$?
    rm -rf "$scratch"
    return $status
}
targets=(spiffeid peeridentity csr projectfile intentions httprequest consulbody nomadjob generate hcl tlshandshake)
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    pair=("${targets[@]:i:2}")
    pids=()
    for target in "${pair[@]}"; do
        fuzz "$target" &
        pids+=($!)
    done
    for j in "${!pair[@]}"; do
        target=${pair[j]}
        log=build/fuzz/artifacts/$target.log
        if ! wait "${pids[j]}"; then
            cat "$log" >&2
            echo "run-tests: fuzz_$target failed; the input is in build/fuzz/artifacts/" >&2
            exit 1
        fi
        echo "fuzz_$target: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n1)"
    done
done
