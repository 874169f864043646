#!/usr/bin/env bash
# Meshpad's proxy pair (upstream listener → inbound listener, two `meshpad
# proxy` processes) against an HAProxy pair (two processes, one thread each)
# and direct loopback, in one run, same certificates from `meshpad ca`, same
# TLS (1.3 negotiated on both). Prints figures; not a pass/fail test.
#
#   bench/proxy-vs-haproxy.sh [BUILD_DIR] [SECONDS]
#
# BUILD_DIR defaults to build/proxy-release (needs bin/meshpad,
# apps/bin/counter and bench/proxy_load built), SECONDS (per wrk run) to 8.
# Measures: bulk MiB/s (1 GiB through each path, proxy_load bulk), request
# rate (wrk -t2 -c64 keep-alive to the counter), added latency p50/p99 at a
# fixed 1000 req/s over 16 connections (proxy_load rate, constant-rate),
# new mTLS connections/s (one GET per connection), and RSS per idle proxied
# connection over 1,000 connections (both proxy processes summed).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/proxy-release}
seconds=${2:-8}
meshpad=$build/bin/meshpad
counter=$build/apps/bin/counter
load=$build/bench/proxy_load
for tool in wrk haproxy openssl python3; do
    command -v "$tool" >/dev/null || { echo "proxy-vs-haproxy: $tool not found" >&2; exit 2; }
done
for f in "$meshpad" "$counter" "$load"; do
    [[ -x $f ]] || { echo "proxy-vs-haproxy: $f missing (build meshpad, counter and proxy_load)" >&2; exit 2; }
done
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/meshpad-proxybench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ -n ${KEEP:-} ]] || rm -rf "$work"
}
trap cleanup EXIT

bench_name='proxy-vs-haproxy'
# shellcheck source=bench/benchlib.sh
source "$here/bench/benchlib.sh"
start() { "$@" & pids+=($!); }
rss_kib() { local t=0; for p in "$@"; do t=$((t + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status"))); done; echo "$t"; }

# --- certificates ------------------------------------------------------------
"$meshpad" ca init -dir "$work/ca" >/dev/null
"$meshpad" ca leaf -dir "$work/ca" -service web >/dev/null
"$meshpad" ca leaf -dir "$work/ca" -service db >/dev/null
td=$(openssl x509 -in "$work/ca/ca.pem" -noout -ext subjectAltName | grep -o 'spiffe://[^ ,]*' | sed 's|spiffe://||')
cat "$work/ca/web.pem" "$work/ca/web-key.pem" >"$work/web-combined.pem"
cat "$work/ca/db.pem" "$work/ca/db-key.pem" >"$work/db-combined.pem"
db_cn=$(openssl x509 -in "$work/ca/db.pem" -noout -subject -nameopt multiline | awk -F' = ' '/commonName/ { print $2 }')

# --- backends: the counter (HTTP) and a bulk sink ------------------------------
http_port=$(free_port); sink_port=$(free_port)
PORT=$http_port start "$counter" >"$work/counter.log" 2>&1
start "$load" sink "$sink_port"
wait_for_port "$http_port"; wait_for_port "$sink_port"

# --- our pair, one for HTTP and one for bulk (each: inbound db + upstream web) --
# Each pair function sets pair_port, pair_in, pair_up (no subshell, so the
# cleanup trap knows every process).
pair_meshpad() { # app_port
    local in_port up_port
    in_port=$(free_port); up_port=$(free_port)
    "$meshpad" proxy -ca-dir "$work/ca" -service db -listen "127.0.0.1:$in_port" -service-addr "127.0.0.1:$1" \
        -allow web -default-deny -max-connections 4096 2>>"$work/meshpad.log" &
    pids+=($!); local pin=$!
    "$meshpad" proxy -ca-dir "$work/ca" -service web -upstream "db:$up_port=127.0.0.1:$in_port" \
        -max-connections 4096 2>>"$work/meshpad.log" &
    pids+=($!); local pup=$!
    wait_for_port "$in_port"; wait_for_port "$up_port"
    pair_port=$up_port; pair_in=$pin; pair_up=$pup
}
# --- HAProxy pair: the same roles and certificates, TLS 1.2+. no-ssl-reuse
# and no-tls-tickets: full handshakes as ours (we disable resumption, perf doc
# B4); verifyhost with the CN since the leaf has no DNS SAN; no `sni`
# (HAProxy 2.6 then fails the handshake against these leaves, tst_proxyinterop) ------------------
pair_haproxy() {
    local in_port up_port
    in_port=$(free_port); up_port=$(free_port)
    cat >"$work/hin-$1.cfg" <<EOF
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
    cat >"$work/hup-$1.cfg" <<EOF
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
    haproxy -db -f "$work/hin-$1.cfg" >>"$work/haproxy.log" 2>&1 &
    pids+=($!); local pin=$!
    haproxy -db -f "$work/hup-$1.cfg" >>"$work/haproxy.log" 2>&1 &
    pids+=($!); local pup=$!
    wait_for_port "$in_port"; wait_for_port "$up_port"
    pair_port=$up_port; pair_in=$pin; pair_up=$pup
}

pair_meshpad "$http_port"; m_http=$pair_port m_http_in=$pair_in m_http_up=$pair_up
pair_meshpad "$sink_port"; m_bulk=$pair_port
pair_haproxy "$http_port"; h_http=$pair_port h_http_in=$pair_in h_http_up=$pair_up
pair_haproxy "$sink_port"; h_bulk=$pair_port

echo "machine:  $(nproc) CPUs, $(uname -r); $(openssl version); Qt $(qtpaths6 --qt-version 2>/dev/null || echo '?'); $(haproxy -v | head -1 | cut -d' ' -f1-3)"
echo "TLS:      both pairs negotiate TLS 1.3 (ours: Qt TlsV1_2OrLater; HAProxy: ssl-min-ver TLSv1.2), same leaves from meshpad ca"
echo

# --- bulk: 1 GiB per path, 3 interleaved runs, median ---------------------------
"$load" bulk "$m_bulk" 64 >/dev/null; "$load" bulk "$h_bulk" 64 >/dev/null
bd=(); bm=(); bh=()
for _ in 1 2 3; do
    bd+=("$("$load" bulk "$sink_port" 1024)")
    bm+=("$("$load" bulk "$m_bulk" 1024)")
    bh+=("$("$load" bulk "$h_bulk" 1024)")
done
BD=$(median "${bd[@]}"); BM=$(median "${bm[@]}"); BH=$(median "${bh[@]}")
printf 'bulk 1 GiB (MiB/s, median of 3):     direct %8.0f   meshpad pair %8.0f   haproxy pair %8.0f   meshpad/haproxy %5.1f %%\n' \
    "$BD" "$BM" "$BH" "$(echo "100 * $BM / $BH" | bc -l)"

# --- request rate: wrk keep-alive, 64 connections --------------------------------
rate() { wrk_rate "http://127.0.0.1:$1/" "$2"; }
rate "$m_http" 2 >/dev/null; rate "$h_http" 2 >/dev/null
rd=(); rm_=(); rh=()
for _ in 1 2 3; do
    rd+=("$(rate "$http_port" "$seconds")")
    rm_+=("$(rate "$m_http" "$seconds")")
    rh+=("$(rate "$h_http" "$seconds")")
done
RD=$(median "${rd[@]}"); RM=$(median "${rm_[@]}"); RH=$(median "${rh[@]}")
printf 'wrk -t2 -c64 (req/s, median of 3):   direct %8.0f   meshpad pair %8.0f   haproxy pair %8.0f   meshpad/haproxy %5.1f %%\n' \
    "$RD" "$RM" "$RH" "$(echo "100 * $RM / $RH" | bc -l)"

# --- added latency at a fixed 1000 req/s, 16 connections --------------------------
# Three interleaved runs per path, median of each percentile: on a small
# machine one scheduler hiccup moves a single run's p99 by milliseconds, for
# either proxy. Every run's p99 is printed too.
ld50=(); ld99=(); lm50=(); lm99=(); lh50=(); lh99=(); lerr=0
for _ in 1 2 3; do
    read -r a b _ e < <("$load" rate "$http_port" 1000 "$seconds" 16); ld50+=("$a"); ld99+=("$b"); lerr=$((lerr + e))
    read -r a b _ e < <("$load" rate "$m_http" 1000 "$seconds" 16); lm50+=("$a"); lm99+=("$b"); lme=$((${lme:-0} + e))
    read -r a b _ e < <("$load" rate "$h_http" 1000 "$seconds" 16); lh50+=("$a"); lh99+=("$b"); lhe=$((${lhe:-0} + e))
done
D50=$(median "${ld50[@]}"); D99=$(median "${ld99[@]}")
M50=$(median "${lm50[@]}"); M99=$(median "${lm99[@]}")
H50=$(median "${lh50[@]}"); H99=$(median "${lh99[@]}")
printf 'latency @1000 req/s, 16 conns (us, median of 3):  direct p50 %5.0f p99 %5.0f | meshpad p50 %5.0f p99 %5.0f (added %5.0f / %5.0f) | haproxy p50 %5.0f p99 %5.0f (added %5.0f / %5.0f) | errors %s/%s\n' \
    "$D50" "$D99" "$M50" "$M99" "$(echo "$M50 - $D50" | bc)" "$(echo "$M99 - $D99" | bc)" \
    "$H50" "$H99" "$(echo "$H50 - $D50" | bc)" "$(echo "$H99 - $D99" | bc)" "$lme" "$lhe"
printf '  each run p99 (us): direct %s | meshpad %s | haproxy %s;  added p99 meshpad/haproxy %.2fx\n' \
    "${ld99[*]}" "${lm99[*]}" "${lh99[*]}" "$(echo "($M99 - $D99) / ($H99 - $D99)" | bc -l)"

# --- new mTLS connections per second (one GET each, 4 workers) ---------------------
read -r cd_ cde < <("$load" connrate "$http_port" "$seconds" 4)
read -r cm cme < <("$load" connrate "$m_http" "$seconds" 4)
read -r ch che < <("$load" connrate "$h_http" "$seconds" 4)
printf 'new connections/s (GET + close):     direct %8.0f   meshpad pair %8.0f   haproxy pair %8.0f   meshpad/haproxy %5.1f %%  (errors %s/%s)\n' \
    "$cd_" "$cm" "$ch" "$(echo "100 * $cm / $ch" | bc -l)" "$cme" "$che"

# --- memory per idle proxied connection, 1,000 connections --------------------------
idle_cost() { # port pid_in pid_up → KiB per connection
    local before after
    sleep 1
    before=$(rss_kib "$2" "$3")
    coproc IDLE { "$load" idle "$1" 1000; }
    read -r ready <&"${IDLE[0]}"
    sleep 1
    after=$(rss_kib "$2" "$3")
    exec {IDLE[1]}>&-
    wait "$IDLE_PID" 2>/dev/null || true
    echo "scale=1; ($after - $before) / 1000" | bc -l
}
im=$(idle_cost "$m_http" "$m_http_in" "$m_http_up")
ih=$(idle_cost "$h_http" "$h_http_in" "$h_http_up")
printf 'RSS per idle proxied connection (KiB, both proxies, 1000 conns): meshpad %s   haproxy %s\n' "$im" "$ih"
printf 'RSS now (KiB): meshpad pair %s   haproxy pair %s\n' "$(rss_kib "$m_http_in" "$m_http_up")" "$(rss_kib "$h_http_in" "$h_http_up")"
echo
echo "refusals logged by our proxies during the run: $(grep -c refused "$work/meshpad.log" || true)"
