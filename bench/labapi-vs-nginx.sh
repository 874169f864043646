#!/usr/bin/env bash
# The lab's Consul API against nginx (one worker) serving the same body from
# a file, measured in one run on loopback with wrk (keep-alive, 64
# connections), the two interleaved; then 1,000 blocking queries parked on
# node one (bench/blocking_watchers.cpp): the lab's RSS per watcher and how
# soon they all wake after a registration. Prints figures; it is not a
# pass/fail test. Targets: lab/nginx >= 0.5, wake p99 < 50 ms.
#
#   bench/labapi-vs-nginx.sh [MESHPAD] [SECONDS] [REPETITIONS]
#
# MESHPAD defaults to build/release/bin/meshpad (or use the bench_labapi
# target of a release build tree); blocking_watchers is taken from the same
# build tree (bench/blocking_watchers; WATCHERS=path overrides), SECONDS
# defaults to 10, REPETITIONS to 3. Needs wrk, nginx (nginx-light), curl and
# python3.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
meshpad=${1:-$here/build/release/bin/meshpad}
seconds=${2:-10}
repetitions=${3:-3}
watchers=${WATCHERS:-$(dirname "$(dirname "$meshpad")")/bench/blocking_watchers}
design=$here/resources/examples/countdash.meshpad
path=/v1/health/connect/count-api
connections=64
threads=2

bench_name='labapi-vs-nginx'
# shellcheck source=bench/benchlib.sh
source "$here/bench/benchlib.sh"

require_tools wrk nginx curl python3
[[ -x $meshpad ]] || { echo "labapi-vs-nginx: no meshpad at $meshpad (build it first)" >&2; exit 2; }
[[ -x $watchers ]] || { echo "labapi-vs-nginx: no blocking_watchers at $watchers (build it first)" >&2; exit 2; }
# 1,000 watchers: the lab holds one descriptor per watcher, and so does the tool.
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/meshpad-labapibench.XXXXXX)
lab_pid=
nginx_pid=
cleanup() {
    # SIGINT: the lab stops its instances and exits.
    if [[ -n $nginx_pid ]]; then kill "$nginx_pid" 2>/dev/null || true; fi
    if [[ -n $lab_pid ]]; then kill -INT "$lab_pid" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    [[ -n ${KEEP:-} ]] || rm -rf "$work"
}
trap cleanup EXIT

# --- the lab, with its own HOME and XDG directories (its CA, its status
# socket), as tests/browser/lab.test.mjs runs it --------------------------------
home=$work/home
mkdir -p "$home/data" "$home/config" "$home/cache" "$home/run"
chmod 700 "$home/run"
lab_vars=(HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache"
          XDG_RUNTIME_DIR="$home/run")
# env execs meshpad, so $! is the lab's own pid (for SIGINT and its VmRSS).
env "${lab_vars[@]}" "$meshpad" lab up "$design" >"$work/lab.out" 2>"$work/lab.err" &
lab_pid=$!

# "node NAME consul URL nomad URL", one per node, first on stdout. Should a
# build print the endpoints without them, node one's address comes from
# `meshpad lab env` (the lab's status socket) instead, and the run says so.
consul=
for _ in $(seq 600); do
    kill -0 "$lab_pid" 2>/dev/null || { echo "labapi-vs-nginx: meshpad lab up exited:" >&2; cat "$work/lab.err" >&2; lab_pid=; exit 1; }
    if (( $(grep -c '^node ' "$work/lab.out" || true) >= 3 )); then
        consul=$(awk '$1 == "node" && $3 == "consul" { print $4; exit }' "$work/lab.out")
        break
    fi
    if grep -qv '^node ' "$work/lab.out"; then
        consul=$(env "${lab_vars[@]}" "$meshpad" lab env 2>/dev/null | sed -nE 's/.*CONSUL_HTTP_ADDR=([^ ]+).*/\1/p')
        [[ -n $consul ]] && { echo "note: meshpad lab up printed no node lines; node one's Consul from meshpad lab env"; break; }
    fi
    sleep 0.05
done
[[ -n $consul ]] || { echo "labapi-vs-nginx: no node lines from meshpad lab up" >&2; cat "$work/lab.err" >&2; exit 1; }
lab_url=$consul$path

# The three count-api instances' sidecars registered and passing.
entries() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$1" 2>/dev/null || echo 0; }
for _ in $(seq 600); do
    curl -s -D "$work/headers" -o "$work/body" "$lab_url" || true
    (( $(entries "$work/body") >= 3 )) && break
    sleep 0.1
done
(( $(entries "$work/body") == 3 )) || { echo "labapi-vs-nginx: $lab_url never listed 3 entries" >&2; exit 1; }
content_type=$(awk 'tolower($1) == "content-type:" { sub(/^[^:]*: */, ""); sub(/\r$/, ""); print; exit }' "$work/headers")

# --- nginx: one worker, that exact body from a file at the same path, with the
# same Content-Type -------------------------------------------------------------
nginx_port=$(free_port)
mkdir -p "$work/www$(dirname "$path")"
cp "$work/body" "$work/www$path"
# nginx's worker runs as nobody when started by root: let it reach the file.
chmod a+rx "$work"
chmod -R a+rX "$work/www"
start_nginx "$nginx_port" <<EOF
    sendfile on;
    types { }
    default_type "$content_type";
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
    }
EOF
nginx_url=http://127.0.0.1:$nginx_port$path
nginx_type=$(curl -s -o /dev/null -w '%{content_type}' "$nginx_url")
[[ $nginx_type == "$content_type" ]] || { echo "labapi-vs-nginx: nginx answers $nginx_type, the lab $content_type" >&2; exit 1; }
cmp -s "$work/body" <(curl -s "$nginx_url") || { echo "labapi-vs-nginx: nginx's body differs" >&2; exit 1; }

# --- request rate ---------------------------------------------------------------
response_bytes() { curl -s -o /dev/null -w '%{size_header} + %{size_download}' "$1"; }

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run; $(uname -r)"
echo "lab:     $meshpad lab up $(basename "$design") (pid $lab_pid, Qt $(qtpaths6 --qt-version 2>/dev/null || echo ?)); node one's Consul at $consul"
echo "nginx:   $(nginx -v 2>&1 | sed 's/^nginx version: //'), 1 worker, the body from a file"
echo "wrk:     -t$threads -c$connections -d${seconds}s, keep-alive, GET $path, $repetitions interleaved repetitions after a 2 s warm-up each"
echo "answer:  $content_type; header + body bytes: lab $(response_bytes "$lab_url"), nginx $(response_bytes "$nginx_url")"
echo

compare_rates lab "$lab_url" nginx "$nginx_url"
lm=$median_a
nm=$median_b
echo
printf 'median: lab %.0f req/s, nginx (1 worker) %.0f req/s, lab/nginx = %.2fx (target >= 0.5x)\n' \
    "$lm" "$nm" "$(echo "$lm / $nm" | bc -l)"
echo

# --- 1,000 blocking queries on node one ------------------------------------------
"$watchers" "$consul" "$lab_pid" 1000 5 | tee "$work/watchers.out"
p99=$(awk '/^overall:/ { for (i = 1; i < NF; ++i) if ($i == "p99") print $(i + 1) }' "$work/watchers.out")
echo
printf 'summary: lab/nginx %.2fx (target >= 0.5x), wake p99 over 1000 watchers x 5 rounds %s ms (target < 50 ms); load average now %s\n' \
    "$(echo "$lm / $nm" | bc -l)" "${p99:-?}" "$(cut -d' ' -f1-3 /proc/loadavg)"
