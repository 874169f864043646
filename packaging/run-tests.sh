#!/usr/bin/env bash
# Sets everything up and runs every test: installs the Debian packages and
# the npm test tools; checks the formatting; builds the debug preset (warnings
# are errors) and runs CTest; then builds the library-level tests with
# AddressSanitizer + UBSan and runs them again; then runs each libFuzzer
# target for a bounded time, clang-tidy on its files, and builds, lints,
# installs, uses and removes the Debian package (packaging/test-deb.sh).
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

started=$SECONDS
# phase TEXT: one line per phase with the minutes:seconds since the start, so
# a slow run says where its time went.
phase() { printf 'run-tests: [%d:%02d] %s\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*"; }

phase "formatting"
packaging/check-style.sh format

background=()
kill_background() {
    local pid
    for pid in "${background[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap kill_background EXIT

# Every build here is a unity build (CMake concatenates a target's sources
# eight to a translation unit), so Qt's headers are parsed an eighth as often:
# the mesh library compiles about 2.7 times faster (measured 2026-12-07, the
# same sources side by side at -j1). A developer's own build/<preset> keeps
# one file per translation unit after `cmake --preset …` without the flag.
unity=(-DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8)
# (The asan and fuzz presets also keep line tables only, -g1 and
# -gline-tables-only: all a sanitizer's file:line stack needs.)

# behind LOG COMMAND…: starts a command (or a function) at nice 19, sets
# $built to its PID.
behind() {
    local log=$1
    shift
    mkdir -p build
    (renice -n 19 "$BASHPID" >/dev/null && "$@") >"$log" 2>&1 &
    built=$!
    background+=("$built")
}
# deb_after PID: builds the Debian package once PID (a build) has ended.
# Without debug information (dpkg-buildflags' DEB_CXXFLAGS_STRIP, and no
# -dbgsym package): it only ever goes into the -dbgsym package, never into
# the .deb that is installed and tested, and leaving it out makes the
# release build a good deal cheaper to compile and link.
deb_after() {
    while kill -0 "$1" 2>/dev/null; do sleep 2; done
    DEB_CXXFLAGS_STRIP=-g DEB_BUILD_OPTIONS=noddebs packaging/build-deb.sh
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

phase "debug build"
cmake --preset debug "${unity[@]}" >/dev/null
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
cmake --preset asan "${unity[@]}" >/dev/null
# Behind the debug tests: the sanitized tests, then the Debian package
# (a release build of what it installs, packaging/build-deb.sh).
behind build/asan-build.log cmake --build --preset asan --target "${sanitized[@]/#/tst_}"
asan_build=$built
behind build/deb-build.log deb_after "$asan_build"
deb_build=$built

phase "debug tests (the sanitized build behind)"
ctest --preset debug
phase "waiting for the sanitized build"
finish_build "$asan_build" build/asan-build.log

# libFuzzer targets (fuzz/, clang 16, ASan + UBSan), built behind the
# sanitized tests.
cmake --preset fuzz "${unity[@]}" >/dev/null
behind build/fuzz-build.log cmake --build --preset fuzz
fuzz_build=$built

phase "sanitized tests (the fuzzers' build behind)"
ctest --preset asan -R "^($(IFS='|'; echo "${sanitized[*]}"))\$"
phase "waiting for the fuzzers' build"
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
    "build/fuzz/fuzz/fuzz_$target" -max_total_time=15 -rss_limit_mb=2048 -timeout=5 -print_final_stats=1 \
        "${dict[@]}" "-artifact_prefix=build/fuzz/artifacts/$target-" "$scratch" "fuzz/corpus/$target" \
        >"build/fuzz/artifacts/$target.log" 2>&1 || status=$?
    rm -rf "$scratch"
    return $status
}
phase "fuzzers"
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

phase "clang-tidy"
packaging/check-style.sh tidy build/fuzz

phase "waiting for the Debian package's build"
finish_build "$deb_build" build/deb-build.log
phase "the Debian package: lint, install, use, purge"
packaging/test-deb.sh "build/deb/meshpad_$(sed -n '/^project(Meshpad/,/)/s/^ *VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)_$(dpkg-architecture -qDEB_HOST_ARCH).deb"
phase "done"
