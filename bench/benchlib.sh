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
