#!/usr/bin/env bash
# Meshpad's proxy pair (upstream listener → mTLS → inbound listener, two
# `meshpad proxy` processes) against an HAProxy pair (two processes, one
# thread each) and direct loopback, in one run, same certificates from
# `meshpad ca`. Issue 14's figures, each the median of ROUNDS interleaved
# rounds: every round measures every figure once per candidate, in the order
# direct, meshpad, haproxy, meshpad-unix on odd rounds and the reverse on even
# rounds (ABBA), so machine drift — another build on the two cores — hits
# all candidates alike and ruins at most a round, which the median drops.
# Prints one table, then every round's raw figures; not a pass/fail test.
#
#   bench/proxy-vs-haproxy.sh [BUILD_DIR] [SECONDS] [ROUNDS]
#
#   SECONDS  per timed run (wrk, proxy_load connrate and rate); default 8, or
#            the SECONDS environment variable as the script was started with.
#   ROUNDS   default 3 (or the ROUNDS environment variable).
#   BULK_MIB bytes per bulk run, MiB (environment; default 1024).
#   CLOSE_CONNS  wrk connections for the Connection: close figure (default 64).
#   KEEP=1   keeps the work directory (logs, HAProxy configs, certificates).
# Defaults take about 8 minutes on 2 cores; SECONDS=2 ROUNDS=1 about 1.
#
# BUILD_DIR defaults to build/proxy-release, or build/release (the `release`
# preset of CMakePresets.json, RelWithDebInfo) when that does not exist. No
# preset makes build/proxy-release; it is a release tree of its own, so that
# other people's builds of build/release do not swap the binaries mid-run:
#     cmake -S . -B build/proxy-release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
#     flock /tmp/meshpad-build.lock cmake --build build/proxy-release --target meshpad counter proxy_load
# The three binaries are copied into the work directory at start either way.
#
# Figures (meshpad-unix = a third meshpad pair with QT_NO_GLIB=1, on Qt's
# UNIX event dispatcher instead of GLib's, Qt's default that `meshpad proxy`
# keeps — on this engine GLib's measured faster):
#   rss   RSS per idle proxied connection: a fresh pair per round, warmed by 8
#         connections, then 1,000 connections with one GET each held open;
#         Δ(VmRSS of both processes of the pair) / 1000. Fresh pairs, because
#         a pair that served earlier runs keeps freed memory (malloc arenas,
#         HAProxy's pools) and would look cheaper each round.
#   cr    new mTLS connections/s, proxy_load connrate: 4 blocking workers,
#         connect, one GET with Connection: close, read the answer, close.
#   wc    new mTLS connections/s, plain `wrk -t2 -cCLOSE_CONNS -H 'Connection: close'`
#         (wrk reconnects after each answer; non-blocking, CLOSE_CONNS in flight).
#   ka    keep-alive req/s, wrk -t2 -c64, GET / on the counter.
#   bulk  MiB/s, one stream of BULK_MIB MiB to proxy_load's sink, acked.
#   p50/p99 at a constant 1000 req/s over 16 keep-alive connections
#         (proxy_load rate: latency from the scheduled send, so no coordinated
#         omission); "added" = the path's percentile minus direct's in the
#         same round, then the median over rounds.
# Deviations from the project's measurement rules (5 rounds of 30 s, pinned
# CPUs), to fit ~10 minutes on a shared 2-core box: 3 rounds of 8 s, a 1-s
# warm-up, no CPU pinning (everything unpinned, reported as such).
set -euo pipefail

# SECONDS is bash's own clock; take the value from the environment the script
# was started with, not from the running counter.
env_seconds=$(tr '\0' '\n' </proc/$$/environ | sed -n 's/^SECONDS=//p')
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
if [[ -z $build ]]; then
    build=$here/build/proxy-release
    [[ -x $build/bin/meshpad ]] || build=$here/build/release
fi
secs=${2:-${env_seconds:-8}}
rounds=${3:-${ROUNDS:-3}}
bulk_mib=${BULK_MIB:-1024}
close_conns=${CLOSE_CONNS:-64}
[[ $secs =~ ^[0-9]+$ && $secs -ge 1 && $rounds =~ ^[0-9]+$ && $rounds -ge 1 ]] ||
    { echo "proxy-vs-haproxy: SECONDS and ROUNDS must be positive integers" >&2; exit 2; }
bench_name='proxy-vs-haproxy'
# shellcheck source=bench/benchlib.sh
source "$here/bench/benchlib.sh"

require_tools wrk haproxy openssl python3 bc awk
for f in bin/meshpad apps/bin/counter bench/proxy_load; do
    [[ -x $build/$f ]] || { echo "proxy-vs-haproxy: $build/$f missing (build meshpad, counter and proxy_load; see the header)" >&2; exit 2; }
done
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

bench_workdir /tmp/meshpad-proxybench.XXXXXX

mkdir "$work/bin"
cp "$build/bin/meshpad" "$build/apps/bin/counter" "$build/bench/proxy_load" "$work/bin/"
meshpad=$work/bin/meshpad
counter=$work/bin/counter
load=$work/bin/proxy_load

start() { "$@" & pids+=($!); }
rss_kib() { local t=0; for p in "$@"; do t=$((t + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status"))); done; echo "$t"; }
# Stops the given processes of ours (by PID) and forgets them.
stop() {
    local p keep=()
    kill "$@" 2>/dev/null || true
    for p in "$@"; do wait "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do [[ " $* " == *" $p "* ]] || keep+=("$p"); done
    pids=("${keep[@]}")
}

# --- certificates ------------------------------------------------------------
quiet() { "$@" >"$work/quiet.log" 2>&1 || { cat "$work/quiet.log" >&2; exit 1; }; }
quiet "$meshpad" ca init -dir "$work/ca"
quiet "$meshpad" ca leaf -dir "$work/ca" -service web
quiet "$meshpad" ca leaf -dir "$work/ca" -service db
cat "$work/ca/web.pem" "$work/ca/web-key.pem" >"$work/web-combined.pem"
cat "$work/ca/db.pem" "$work/ca/db-key.pem" >"$work/db-combined.pem"
db_cn=$(openssl x509 -in "$work/ca/db.pem" -noout -subject -nameopt multiline | awk -F' = ' '/commonName/ { print $2 }')

# --- backends: the counter (HTTP) and a bulk sink ------------------------------
http_port=$(free_port); sink_port=$(free_port)
PORT=$http_port start "$counter" >"$work/counter.log" 2>&1
start "$load" sink "$sink_port"
wait_for_port "$http_port"; wait_for_port "$sink_port"

# --- our pair (inbound db + upstream web) -------------------------------------
# pair_meshpad APP_PORT [VAR=VALUE…] sets pair_port (the upstream listener),
# pair_inport, pair_in and pair_up (PIDs); no subshell, so the cleanup trap
# knows every process. The dispatcher variables are cleared first so that
# the caller's environment cannot pick one for us.
pair_meshpad() {
    local app=$1 in_port up_port
    shift
    in_port=$(free_port); up_port=$(free_port)
    env -u QT_NO_GLIB "$@" "$meshpad" proxy -ca-dir "$work/ca" -service db \
        -listen "127.0.0.1:$in_port" -service-addr "127.0.0.1:$app" -allow web -default-deny -max-connections 4096 \
        2>>"$work/meshpad.log" &
    pids+=($!); local pin=$!
    env -u QT_NO_GLIB "$@" "$meshpad" proxy -ca-dir "$work/ca" -service web \
        -upstream "db:$up_port=127.0.0.1:$in_port" -max-connections 4096 2>>"$work/meshpad.log" &
    pids+=($!); local pup=$!
    wait_for_port "$in_port"; wait_for_port "$up_port"
    pair_port=$up_port; pair_inport=$in_port; pair_in=$pin; pair_up=$pup
}
# --- HAProxy pair: the same roles and certificates, TLS 1.2+. no-ssl-reuse
# and no-tls-tickets: full handshakes as ours (we never resume:
# mesh/tls/tlscontext.cpp); verifyhost with the CN since the leaf has no DNS SAN; no `sni`
# (HAProxy 2.6 then fails the handshake against these leaves, tst_proxyinterop) ------------------
pair_haproxy() { # APP_PORT; sets what pair_meshpad sets
    local in_port up_port
    in_port=$(free_port); up_port=$(free_port)
    cat >"$work/hin-$in_port.cfg" <<EOF
global
    nbthread 1
    maxconn 4000
    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
defaults
    mode tcp
    timeout connect 5s
    timeout client 600s
    timeout server 600s
frontend inbound
    bind 127.0.0.1:$in_port ssl crt $work/db-combined.pem ca-file $work/ca/ca.pem verify required
    default_backend app
backend app
    server app 127.0.0.1:$1
EOF
    cat >"$work/hup-$in_port.cfg" <<EOF
global
    nbthread 1
    maxconn 4000
defaults
    mode tcp
    timeout connect 5s
    timeout client 600s
    timeout server 600s
frontend upstream
    bind 127.0.0.1:$up_port
    default_backend db
backend db
    server db 127.0.0.1:$in_port ssl crt $work/web-combined.pem ca-file $work/ca/ca.pem verify required verifyhost $db_cn ssl-min-ver TLSv1.2 no-ssl-reuse
EOF
    haproxy -db -f "$work/hin-$in_port.cfg" >>"$work/haproxy.log" 2>&1 &
    pids+=($!); local pin=$!
    haproxy -db -f "$work/hup-$in_port.cfg" >>"$work/haproxy.log" 2>&1 &
    pids+=($!); local pup=$!
    wait_for_port "$in_port"; wait_for_port "$up_port"
    pair_port=$up_port; pair_inport=$in_port; pair_in=$pin; pair_up=$pup
}

# What the inbound listener negotiates with OpenSSL's client and the web leaf.
tls_of() {
    { timeout 5 openssl s_client -brief -connect "127.0.0.1:$1" -cert "$work/ca/web.pem" -key "$work/ca/web-key.pem" \
        -CAfile "$work/ca/ca.pem" </dev/null 2>&1 || true; } |
        awk -F': *' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 } END { print (p ? p : "?") ", " (c ? c : "?") }'
}
# Which event dispatcher an idle process waits in: the syscall its main thread
# is blocked in (x86-64 numbers) — GLib's g_poll() calls poll(), Qt's UNIX
# dispatcher qt_safe_poll(), i.e. ppoll().
dispatcher_of() {
    local s
    s=$(cut -d' ' -f1 "/proc/$1/task/$1/syscall" 2>/dev/null) || s=''
    case $s in
    7) echo 'GLib (poll)' ;;
    271) echo 'Qt UNIX (ppoll)' ;;
    *) echo "unknown${s:+ (syscall $s)}" ;;
    esac
}

pair_meshpad "$http_port"; m_http=$pair_port m_in=$pair_in m_up=$pair_up m_inport=$pair_inport
pair_meshpad "$sink_port"; m_bulk=$pair_port
pair_haproxy "$http_port"; h_http=$pair_port h_inport=$pair_inport
pair_haproxy "$sink_port"; h_bulk=$pair_port
pair_meshpad "$http_port" QT_NO_GLIB=1; g_http=$pair_port g_in=$pair_in g_up=$pair_up
declare -A port=([d]=$http_port [m]=$m_http [h]=$h_http [g]=$g_http)
declare -A bport=([d]=$sink_port [m]=$m_bulk [h]=$h_bulk)
declare -A name=([d]=direct [m]=meshpad [h]=haproxy [g]=meshpad-unix)
sleep 0.5 # let the listeners go idle before asking what they wait in

echo "machine:    $(nproc) CPUs, $(uname -r); $(openssl version | cut -d' ' -f1-2); Qt $(qtpaths6 --qt-version 2>/dev/null || echo '?'); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "binaries:   $build (copied to the work directory)"
echo "TLS:        meshpad inbound $(tls_of "$m_inport"); haproxy inbound $(tls_of "$h_inport") (openssl s_client with the web leaf)"
echo "dispatcher: meshpad pair $(dispatcher_of "$m_in") / $(dispatcher_of "$m_up"); meshpad-unix pair $(dispatcher_of "$g_in") / $(dispatcher_of "$g_up")"
echo "run:        $rounds round(s) × ${secs} s per timed run, bulk ${bulk_mib} MiB, unpinned; odd rounds d m h g, even rounds g h m d"

# --- warm-up: a short keep-alive run per HTTP path, 64 MiB per bulk path ----------
for c in m h g; do wrk_run "http://127.0.0.1:${port[$c]}/" 1 2 64 >/dev/null; done
for c in m h; do "$load" bulk "${bport[$c]}" 64 >/dev/null; done

# --- the rounds ------------------------------------------------------------------
declare -A raw=() errors=()
add() { raw[$1]+="$2 "; }
fail() { errors[$1]=$((${errors[$1]:-0} + $2)); }
# KEY VALUE ERRORS: records the value if there is one, else counts a failure.
record() {
    if [[ -n $2 ]]; then add "$1" "$2"; else fail "$1" 1; fi
    [[ -z ${3:-} ]] || fail "$1" "$3"
}

rss_round() { # m|h
    if [[ $1 == m ]]; then pair_meshpad "$http_port"; else pair_haproxy "$http_port"; fi
    local p=$pair_port pin=$pair_in pup=$pair_up before after ready=''
    # Warm with a few connections: lazy initialisation (OpenSSL, first
    # handshake) is not a per-connection cost, and 8 freed connections barely
    # pre-grow the heap.
    "$load" idle "$p" 8 </dev/null >/dev/null 2>&1 || true
    sleep 1
    before=$(rss_kib "$pin" "$pup")
    coproc IDLE { "$load" idle "$p" 1000 2>>"$work/idle.log"; }
    read -r ready <&"${IDLE[0]}" || true
    sleep 1
    after=$(rss_kib "$pin" "$pup")
    local to_idle=${IDLE[1]}
    exec {to_idle}>&- # EOF on its stdin: the idle tool closes its connections
    wait "$IDLE_PID" 2>/dev/null || true
    stop "$pin" "$pup"
    if [[ $ready == ready ]]; then
        add "rss:$1" "$(echo "scale=1; ($after - $before) / 1000" | bc -l)"
        add "rss0:$1" "$before"; add "rss1k:$1" "$after"
    else
        fail "rss:$1" 1
    fi
}

round_info=()
declare -A lat50=() lat99=()
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then order=(d m h g); else order=(g h m d); fi
    round_info+=("round $r: loadavg $(cut -d' ' -f1 /proc/loadavg) at start, $(pgrep -c -x cc1plus || true) compiler process(es) running")
    echo "round $r/$rounds (${order[*]}) …" >&2
    lat50=() lat99=()
    for c in "${order[@]}"; do
        if [[ $c == [mh] ]]; then rss_round "$c"; fi
    done
    for c in "${order[@]}"; do
        [[ $c != g ]] || continue
        record "bulk:$c" "$("$load" bulk "${bport[$c]}" "$bulk_mib" || true)"
    done
    for c in "${order[@]}"; do
        read -r v e < <(wrk_run "http://127.0.0.1:${port[$c]}/" "$secs" 2 64) || true
        record "ka:$c" "${v:-}" "${e:-}"; v='' e=''
    done
    for c in "${order[@]}"; do
        read -r v e < <("$load" connrate "${port[$c]}" "$secs" 4) || true
        record "cr:$c" "${v:-}" "${e:-}"; v='' e=''
    done
    for c in "${order[@]}"; do
        read -r v e < <(wrk_run "http://127.0.0.1:${port[$c]}/" "$secs" 2 "$close_conns" -H 'Connection: close') || true
        record "wc:$c" "${v:-}" "${e:-}"; v='' e=''
    done
    for c in "${order[@]}"; do
        [[ $c != g ]] || continue
        read -r a b _ e < <("$load" rate "${port[$c]}" 1000 "$secs" 16) || true
        if [[ -n ${a:-} && ${b:-0} != 0 ]]; then
            lat50[$c]=$a lat99[$c]=$b
            add "p50:$c" "$a"; add "p99:$c" "$b"
        fi
        [[ -z ${e:-} ]] || fail "lat:$c" "$e"
        a='' b='' e=''
    done
    for c in m h; do
        if [[ -n ${lat50[$c]:-} && -n ${lat50[d]:-} ]]; then
            add "a50:$c" $((lat50[$c] - lat50[d])); add "a99:$c" $((lat99[$c] - lat99[d]))
        fi
    done
done

# --- report ------------------------------------------------------------------------
# shellcheck disable=SC2086 # a list of numbers, split on purpose
med() { if [[ -n ${raw[$1]:-} ]]; then median ${raw[$1]}; fi; }
num() { awk -v a="$1" -v d="${2:-0}" 'BEGIN { if (a == "") print "-"; else printf("%." d "f\n", a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 <= 0) print "n/a"; else printf("%.2fx\n", a / b) }'; }
# LABEL GOAL DECIMALS KEY [ALT]: a table row from the medians of KEY:d/m/h(/g).
row() {
    local d m h g='' gcol='-' gratio='-'
    d=$(med "$4:d"); m=$(med "$4:m"); h=$(med "$4:h")
    if [[ -n ${5:-} ]]; then g=$(med "$4:g"); gcol=$(num "$g" "$3"); gratio=$(ratio "$m" "$g"); fi
    printf '%-48s %9s %9s %9s %8s %7s %11s %9s\n' "$1" "$(num "$d" "$3")" "$(num "$m" "$3")" "$(num "$h" "$3")" \
        "$(ratio "$m" "$h")" "$2" "$gcol" "$gratio"
}
# Latency rows: the direct column is direct's own percentile, the others are added.
lrow() {
    local d m h
    d=$(med "$2:d"); m=$(med "a${2#p}:m"); h=$(med "a${2#p}:h")
    printf '%-48s %9s %9s %9s %8s %7s %11s %9s\n' "$1" "$(num "$d")" "$(num "$m")" "$(num "$h")" "$(ratio "$m" "$h")" "$3" - -
}

echo
echo "medians of $rounds interleaved round(s); ratio = meshpad / haproxy; glib/unix = meshpad / meshpad-unix"
printf '%-48s %9s %9s %9s %8s %7s %11s %9s\n' figure direct meshpad haproxy ratio goal meshpad-unix glib/unix
row 'RSS per idle proxied connection, KiB (1000)' '<=1.0x' 1 rss
row 'new mTLS conns/s, proxy_load connrate 4' '>=1.0x' 0 cr alt
row "new mTLS conns/s, wrk -c$close_conns Connection: close" '>=1.0x' 0 wc alt
row 'keep-alive req/s, wrk -t2 -c64' '>=0.9x' 0 ka alt
row "bulk MiB/s, one stream of $bulk_mib MiB" '>=1.1x' 0 bulk
lrow 'added p50 us @1000 req/s (direct: its own p50)' p50 -
lrow 'added p99 us @1000 req/s (direct: its own p99)' p99 '<=1.0x'

echo
echo "raw figures per round (columns: round 1 … $rounds; errors summed over rounds)"
for k in rss rss0 rss1k cr wc ka bulk p50 p99 a50 a99; do
    for c in d m h g; do
        [[ -n ${raw[$k:$c]:-} || -n ${errors[$k:$c]:-} ]] || continue
        v=${raw[$k:$c]:-}
        printf '  %-6s %-13s %s%s\n' "$k" "${name[$c]}" "${v% }" "${errors[$k:$c]:+ (errors ${errors[$k:$c]})}"
    done
done
for c in d m h; do
    [[ -z ${errors[lat:$c]:-} || ${errors[lat:$c]} == 0 ]] || echo "  latency errors ${name[$c]}: ${errors[lat:$c]}"
done
echo "  keys: rss KiB/conn; rss0/rss1k pair RSS KiB before/with 1000 idle connections; cr, wc conns/s; ka req/s;"
echo "        bulk MiB/s; p50/p99 us absolute; a50/a99 us added over direct in the same round"
printf '  %s\n' "${round_info[@]}"
echo "  refusals logged by our proxies during the run: $(grep -c refused "$work/meshpad.log" || true)"
