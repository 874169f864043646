#!/usr/bin/env bash
# The counter's request rate against nginx (one worker) returning a static
# JSON body of the same size, measured in one run on loopback with wrk
# (keep-alive, 64 connections), the two interleaved; then the counter's
# memory after at least 1,000,000 requests. Prints figures; it is not a
# pass/fail test.
#
#   bench/counter-vs-nginx.sh [COUNTER] [SECONDS] [REPETITIONS]
#
# COUNTER defaults to build/release/apps/bin/counter (or use the bench_counter
# target of a release build tree), SECONDS to 10,
# REPETITIONS to 3. Needs wrk and nginx (nginx-light); both are in
# packaging/install-deps.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
counter=${1:-$here/build/release/apps/bin/counter}
seconds=${2:-10}
repetitions=${3:-3}
connections=64
threads=2

bench_name='counter-vs-nginx'
# shellcheck source=bench/benchlib.sh
source "$here/bench/benchlib.sh"

require_tools wrk nginx python3
[[ -x $counter ]] || { echo "counter-vs-nginx: no counter at $counter (build it first)" >&2; exit 2; }

work=$(mktemp -d /tmp/meshpad-bench.XXXXXX)
counter_pid=
nginx_pid=
cleanup() {
    [[ -n $counter_pid ]] && kill "$counter_pid" 2>/dev/null && wait "$counter_pid" 2>/dev/null
    [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# --- the counter ------------------------------------------------------------
counter_port=$(free_port)
PORT=$counter_port "$counter" >"$work/counter.log" 2>&1 &
counter_pid=$!
wait_for_port "$counter_port"

# --- nginx: one worker, the same body size as the counter's answers during
# the run (a seven-digit count), served from memory --------------------------
host=$(python3 -c 'import socket; print(socket.gethostname())')
body="{\"count\":1234567,\"hostname\":\"$host\"}"
nginx_port=$(free_port)
start_nginx "$nginx_port" <<EOF
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            default_type "text/plain; charset=utf-8";
            return 200 '$body';
        }
    }
EOF

# --- measurements -------------------------------------------------------------
rate() { wrk_rate "$1" "$2" "$threads" "$connections"; }

counter_url=http://127.0.0.1:$counter_port/
nginx_url=http://127.0.0.1:$nginx_port/
echo "counter: $counter (Qt $(qtpaths6 --qt-version 2>/dev/null || echo ?))"
echo "nginx:   $(nginx -v 2>&1)"
echo "wrk:     -t$threads -c$connections -d${seconds}s, keep-alive, $repetitions interleaved repetitions after a 2 s warm-up each"
echo "body:    counter $(curl -s "$counter_url" | wc -c) bytes (at start), nginx ${#body} bytes"
echo

compare_rates counter "$counter_url" nginx "$nginx_url"
cm=$median_a
nm=$median_b
echo
printf 'median: counter %.0f req/s, nginx (1 worker) %.0f req/s, counter/nginx = %.1f %%\n' \
    "$cm" "$nm" "$(echo "100 * $cm / $nm" | bc -l)"

# --- memory after at least 1,000,000 requests ---------------------------------
count() { curl -s "$counter_url" | sed -E 's/^\{"count":([0-9]+),.*/\1/'; }
while (( $(count) < 1000000 )); do
    rate "$counter_url" 5 >/dev/null
done
served=$(count)
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$counter_pid/status")
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$counter_pid/status")
printf 'counter after %d requests: RSS %.1f MiB (peak %.1f MiB)\n' "$served" "$(echo "$rss / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
