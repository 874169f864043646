# What the benchmark scripts share; source it after setting `bench_name`
# (the prefix of error messages). Not a script of its own.

# A TCP port on 127.0.0.1 nobody listens on right now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for something to listen on 127.0.0.1:PORT; exits 1 if nothing does.
wait_for_port() {
    for _ in $(seq 200); do
        python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $1)))" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "$bench_name: nothing listens on $1" >&2
    exit 1
}

# The median of the numbers given.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# URL SECONDS [THREADS CONNECTIONS] → requests/s, measured by wrk (keep-alive).
wrk_rate() {
    wrk -t"${3:-2}" -c"${4:-64}" -d"$2"s "$1" | awk '/^Requests\/sec:/ { print $2 }'
}

# URL SECONDS THREADS CONNECTIONS [more wrk arguments…] → "requests/s errors",
# errors being wrk's socket errors (connect, read, write, timeout) plus
# non-2xx/3xx answers, so that a figure bought with failures shows.
wrk_run() {
    local url=$1 secs=$2 threads=$3 conns=$4
    shift 4
    wrk -t"$threads" -c"$conns" -d"$secs"s "$@" "$url" | awk '
        /^Requests\/sec:/ { rps = $2 }
        /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx/ { errors += $NF }
        END { printf "%s %d\n", rps, errors }'
}

# Exits 2, naming the first of the commands given that is not on PATH.
require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$bench_name: $tool not found" >&2; exit 2; }
    done
}

# TEMPLATE → a new folder in $work (mktemp -d TEMPLATE) and an empty $pids.
# At exit every process in $pids is killed and waited for, and the folder is
# removed unless KEEP is set.
bench_workdir() {
    work=$(mktemp -d "$1")
    pids=()
    trap bench_cleanup EXIT
}
bench_cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ -n ${KEEP:-} ]] || rm -rf "$work"
}

# LABEL_A URL_A LABEL_B URL_B: wrk against both with $threads and
# $connections, a 2 s warm-up each, then $repetitions interleaved runs of
# $seconds (interleaved so that a change in the machine's load hits both),
# one line a run. The medians are left in median_a and median_b.
# shellcheck disable=SC2154,SC2034 # the sourcing script's settings in, the medians out
compare_rates() {
    local label_a=$1 url_a=$2 label_b=$3 url_b=$4 i a b
    local -a rates_a=() rates_b=()
    wrk_rate "$url_a" 2 "$threads" "$connections" >/dev/null
    wrk_rate "$url_b" 2 "$threads" "$connections" >/dev/null
    for i in $(seq "$repetitions"); do
        a=$(wrk_rate "$url_a" "$seconds" "$threads" "$connections")
        b=$(wrk_rate "$url_b" "$seconds" "$threads" "$connections")
        rates_a+=("$a")
        rates_b+=("$b")
        printf 'run %d: %s %10.0f req/s   %s %10.0f req/s   ratio %.2f\n' \
            "$i" "$label_a" "$a" "$label_b" "$b" "$(echo "$a / $b" | bc -l)"
    done
    median_a=$(median "${rates_a[@]}")
    median_b=$(median "${rates_b[@]}")
}

# PORT, and the http{} block's own lines on stdin → nginx with one worker,
# its files in $work/nginx, started in the background (nginx_pid) and
# listening on 127.0.0.1:PORT when this returns. Keep-alive without a
# per-connection request cap: neither server measured against it has one,
# and nginx's default (1000) would make wrk reconnect and lower its figure.
# shellcheck disable=SC2034 # nginx_pid: for the sourcing script's cleanup
start_nginx() {
    local port=$1 http_lines
    http_lines=$(cat)
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    server_tokens off;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
$http_lines
}
NGINX
    nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
    nginx_pid=$!
    wait_for_port "$port"
}
