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

for tool in wrk nginx python3; do
    command -v "$tool" >/dev/null || { echo "counter-vs-nginx: $tool not found" >&2; exit 2; }
done
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

bench_name='counter-vs-nginx'
# shellcheck source=bench/benchlib.sh
source "$here/bench/benchlib.sh"

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
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    server_tokens off;
    # The counter has no per-connection request cap; nginx's default (1000)
    # would make wrk reconnect and lower nginx's figure.
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            default_type "text/plain; charset=utf-8";
            return 200 '$body';
        }
    }
}
EOF
nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
wait_for_port "$nginx_port"

# --- measurements -------------------------------------------------------------
rate() { wrk_rate "$1" "$2" "$threads" "$connections"; }

counter_url=http://127.0.0.1:$counter_port/
nginx_url=http://127.0.0.1:$nginx_port/
echo "counter: $counter (Qt $(qtpaths6 --qt-version 2>/dev/null || echo ?))"
echo "nginx:   $(nginx -v 2>&1)"
echo "wrk:     -t$threads -c$connections -d${seconds}s, keep-alive, $repetitions interleaved repetitions after a 2 s warm-up each"
echo "body:    counter $(curl -s "$counter_url" | wc -c) bytes (at start), nginx ${#body} bytes"
echo

rate "$counter_url" 2 >/dev/null
rate "$nginx_url" 2 >/dev/null
counter_rates=()
nginx_rates=()
for i in $(seq "$repetitions"); do
    c=$(rate "$counter_url" "$seconds")
    n=$(rate "$nginx_url" "$seconds")
    counter_rates+=("$c")
    nginx_rates+=("$n")
    printf 'run %d: counter %10.0f req/s   nginx %10.0f req/s   ratio %.2f\n' "$i" "$c" "$n" "$(echo "$c / $n" | bc -l)"
done

cm=$(median "${counter_rates[@]}")
nm=$(median "${nginx_rates[@]}")
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
