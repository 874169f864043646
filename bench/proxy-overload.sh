#!/usr/bin/env bash
# Overload of our sidecar pair (upstream listener → mTLS → inbound listener →
# the counter, two `meshpad proxy` processes, as bench/proxy-vs-haproxy.sh),
# for the fault matrix of issue 16 (docs/faults.md):
#   L2  step load: 30 s at 50 % of the pair's saturation rate (closed loop,
#       keep-alive, 64 connections), 30 s at 200 % (open loop), 30 s back at
#       50 %; errors by kind, time until p99 is back within 1.5× the baseline,
#       RSS and descriptors before/after, alive? Twice: a caller with a fixed
#       pool of connections (L2/pool) and one that opens a new connection
#       whenever all are busy (L2/grow, up to 2× the proxies' limit).
#   L3  handshake storm: a new connection (so a new mTLS handshake between the
#       proxies) per request, closed loop as fast as it goes, for 300 s; a line
#       per 10 s with handshakes/s, errors by kind, RSS and descriptors.
# Prints figures and one summary line per case; not a pass/fail test.
#
#   bench/proxy-overload.sh [options] [BUILD_DIR]
#     --l3-seconds N       storm duration (default 300)
#     --step-seconds N     each L2 step (default 30)
#     --conns N            closed-loop connections for the saturation rate (default 64, as wrk -c64 there)
#     --storm-conns N      concurrent connections of the storm (default 64)
#     --max-connections N  the proxies' -max-connections (default 1024, their default)
#     --timeout-ms N       a request without an answer this long is a timeout (default 2000)
#     --only L2|L3         run one case
#
# BUILD_DIR defaults to build/release (needs bin/meshpad, apps/bin/counter,
# bench/proxy_load). Load comes from proxy_load's `closed` and `paced` modes
# (one epoll thread; see the top of bench/proxy_load.cpp for the error kinds).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
l3_seconds=300 step=30 conns=64 storm_conns=64 max_conns=1024 timeout_ms=2000 only=''
while [[ $# -gt 0 ]]; do
    case $1 in
    --l3-seconds) l3_seconds=$2; shift 2 ;;
    --step-seconds) step=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --storm-conns) storm_conns=$2; shift 2 ;;
    --max-connections) max_conns=$2; shift 2 ;;
    --timeout-ms) timeout_ms=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
    -*) echo "proxy-overload: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
build=${1:-$here/build/release}
meshpad=$build/bin/meshpad
counter=$build/apps/bin/counter
load=$build/bench/proxy_load
bench_name='proxy-overload'
# shellcheck source=bench/benchlib.sh
source "$here/bench/benchlib.sh"

require_tools openssl python3 bc awk
for f in "$meshpad" "$counter" "$load"; do
    [[ -x $f ]] || { echo "proxy-overload: $f missing (build meshpad, counter and proxy_load)" >&2; exit 2; }
done
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

bench_workdir /tmp/meshpad-overload.XXXXXX

# --- certificates, the counter, our pair (as proxy-vs-haproxy.sh) ----------------
"$meshpad" ca init -dir "$work/ca" >/dev/null
"$meshpad" ca leaf -dir "$work/ca" -service web >/dev/null
"$meshpad" ca leaf -dir "$work/ca" -service db >/dev/null
http_port=$(free_port); in_port=$(free_port); up_port=$(free_port)
PORT=$http_port "$counter" >"$work/counter.log" 2>&1 &
pids+=($!)
wait_for_port "$http_port"
# A fresh pair per case, so one case's aftermath is not the next one's start.
# Sets pin, pup (and stops the previous pair: our own children, by PID).
npair=0
start_pair() {
    if [[ -n ${pin:-} ]]; then
        kill "$pin" "$pup" 2>/dev/null || true
        wait "$pin" "$pup" 2>/dev/null || true
    fi
    npair=$((npair + 1))
    in_port=$(free_port); up_port=$(free_port)
    "$meshpad" proxy -ca-dir "$work/ca" -service db -listen "127.0.0.1:$in_port" -service-addr "127.0.0.1:$http_port" \
        -allow web -default-deny -max-connections "$max_conns" 2>>"$work/inbound-$npair.log" &
    pids+=($!); pin=$!
    "$meshpad" proxy -ca-dir "$work/ca" -service web -upstream "db:$up_port=127.0.0.1:$in_port" \
        -max-connections "$max_conns" 2>>"$work/upstream-$npair.log" &
    pids+=($!); pup=$!
    wait_for_port "$in_port"; wait_for_port "$up_port"
}
start_pair

# "RSS_in RSS_up fds_in fds_up threads_in threads_up" (KiB, counts) of the pair.
probe() {
    local r=() f=() t=() p
    for p in "$pin" "$pup"; do
        if alive "$p"; then
            r+=("$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")")
            t+=("$(awk '/^Threads:/ { print $2 }' "/proc/$p/status")")
            f+=("$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)")
        else
            r+=(0); f+=(0); t+=(0)
        fi
    done
    echo "${r[0]} ${r[1]} ${f[0]} ${f[1]} ${t[0]} ${t[1]}"
}
# A proxy is alive while its /proc entry exists and is no zombie (it is our
# child, so a crashed one stays a zombie until the trap's wait).
alive() { [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
both_alive() {
    local s=''
    alive "$pin" && s+='inbound alive' || s+='inbound DEAD'
    alive "$pup" && s+=', upstream alive' || s+=', upstream DEAD'
    echo "$s"
}
fmt_probe() { # probe output → text
    read -r ri ru fdi fdu ti tu <<<"$1"
    printf 'RSS inbound %6.1f MiB upstream %6.1f MiB, fds inbound %5d upstream %5d, threads %d/%d' \
        "$(echo "$ri / 1024" | bc -l)" "$(echo "$ru / 1024" | bc -l)" "$fdi" "$fdu" "$ti" "$tu"
}
# Waits up to 90 s for the pair's descriptors to be back to idle (≤ 16
# each); prints "N s" or "not within 90 s (fds …)". (After a collapse
# the proxies work off accepted connections whose callers left: tens of s.)
settle() {
    local i fdi fdu
    for ((i = 0; i <= 180; i++)); do
        read -r _ _ fdi fdu _ _ <<<"$(probe)"
        if ((fdi <= 16 && fdu <= 16)); then printf '%.1f s\n' "$(echo "$i / 2" | bc -l)"; return; fi
        sleep 0.5
    done
    echo "not within 90 s (fds $fdi/$fdu)"
}
# Refusal lines in the current pair's logs.
log_refusals() {
    echo "inbound $(grep -c refused "$work/inbound-$npair.log" || true), upstream $(grep -c refused "$work/upstream-$npair.log" || true)"
}
# key=value field of a proxy_load line.
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"; }
pct() { echo "scale=2; if ($2 == 0) 0 else 100 * $1 / $2" | bc -l; }
growth() { echo "scale=1; if ($1 == 0) 0 else 100 * ($2 - $1) / $1" | bc -l; }
ms() { printf '%.2f' "$(echo "$1 / 1000" | bc -l)"; }
# A proxy_load tick line as a report line.
tick_line() { # line label
    local l=$1
    printf '%-8s t=%4s offered %6s sent %6s answered %6s | refused %5s reset %4s cut %4s timeout %4s unsent %4s other %4s | p50 %8s ms p99 %8s ms | conns %4s' \
        "$2" "$(field t "$l")" "$(field offered "$l")" "$(field sent "$l")" "$(field ok "$l")" "$(field refused "$l")" \
        "$(field reset "$l")" "$(field cut "$l")" "$(field timeout "$l")" "$(field unsent "$l")" "$(field other "$l")" \
        "$(ms "$(field p50_us "$l")")" "$(ms "$(field p99_us "$l")")" "$(field open "$l")"
}

# Qt loads libssl at run time (its OpenSSL TLS backend plugin): ask the process.
ssl_lib=$(grep -o '/[^ ]*libssl[^ ]*' "/proc/$pin/maps" | head -1 || true)
echo "machine:  $(nproc) CPUs, $(uname -r); $(openssl version); the proxies map ${ssl_lib:-no libssl yet}"
echo "load:     /proc/loadavg at start: $(cut -d' ' -f1-4 /proc/loadavg)  (other people build on this machine: figures move with it)"
echo "pair:     upstream listener → mTLS → inbound listener → counter :$http_port; -max-connections $max_conns each; a fresh pair per case;"
echo "          request timeout ${timeout_ms} ms"
echo "note:     each meshpad proxy is one process running one event loop (threads per process are printed below; Qt's"
echo "          own helper threads aside, every TLS call is on that one thread), so OpenSSL 3.0's lock contention between"
echo "          threads handshaking at once (openssl/openssl#20286) is not what bounds the storm: one core per proxy is."
echo "idle:     $(fmt_probe "$(probe)")"
echo

# --- saturation: closed loop, keep-alive, $conns connections -----------------------
"$load" closed "$up_port" 2 "$conns" keepalive "$timeout_ms" 1 >/dev/null
sat_out=$("$load" closed "$up_port" 10 "$conns" keepalive "$timeout_ms" 1)
sat_total=$(grep '^total' <<<"$sat_out")
sat=$(( $(field ok "$sat_total") / 10 ))
echo "saturation (closed loop, keep-alive, $conns connections, 10 s): $sat req/s; per second: $(grep '^tick' <<<"$sat_out" | while read -r l; do printf '%s ' "$(field ok "$l")"; done)"
echo "  errors: refused $(field refused "$sat_total") reset $(field reset "$sat_total") cut $(field cut "$sat_total") timeout $(field timeout "$sat_total") other $(field other "$sat_total"); p50 $(ms "$(field p50_us "$sat_total")") ms p99 $(ms "$(field p99_us "$sat_total")") ms"
((sat > 0)) || { echo "proxy-overload: no answer through the pair" >&2; exit 1; }
echo

summary_l3=''

# --- L2: step load -----------------------------------------------------------------
# Twice, on a fresh pair each, for two kinds of caller; both start on $conns
# warm keep-alive connections (one answer each, uncounted):
#   pool  keeps those $conns (a caller with a fixed connection pool): at 200 %
#         the excess waits in the caller's queue, the pair sees saturation;
#   grow  opens another connection whenever all are busy, up to 2× the
#         proxies' limit (a caller without a pool): at 200 % the pair sees new
#         mTLS connections and its -max-connections limit.
step_case() { # tag client_max description → sets summary_l2_<tag>
    local tag=$1 client_max=$2
    start_pair
    echo "L2/$tag step load: ${step} s at $half req/s (50 %), ${step} s at $double req/s (200 %), ${step} s at $half req/s;"
    echo "   open loop, keep-alive, $3;"
    echo "   latency from each request's due time; an answer counts in the second it completes"
    local before after line ph label ri ru fdi fdu peak_ru=0 peak_fu=0 peak_ri=0 peak_fi=0 p1 p2 n l base99 limit i j v a good
    local ok1 off1 steady recovered rec_text offered2 err2 unclean kinds kinds_text alive_text held bri bru bfi bfu ari aru afi afu settled
    local -a p3ticks
    before=$(probe)
    echo "   before: $(fmt_probe "$before")"
    : >"$work/l2.txt"
    while read -r line; do
        echo "$line" >>"$work/l2.txt"
        case $line in
        tick*)
            ph=$(field phase "$line")
            label=$([[ $ph == 2 ]] && echo '[200%]' || echo '[50%]')
            read -r ri ru fdi fdu _ _ <<<"$(probe)"
            ((ri > peak_ri)) && peak_ri=$ri; ((ru > peak_ru)) && peak_ru=$ru
            ((fdi > peak_fi)) && peak_fi=$fdi; ((fdu > peak_fu)) && peak_fu=$fdu
            echo "   $(tick_line "$line" "$label")" ;;
        warm*) echo "   warm-up: $line" ;;
        esac
    done < <("$load" paced "$up_port" "$half:$step,$double:$step,$half:$step" "$client_max" keepalive "$timeout_ms" 1 "$conns")
    settled=$(settle)
    after=$(probe)
    p1=$(grep '^phase n=1' "$work/l2.txt"); p2=$(grep '^phase n=2' "$work/l2.txt")
    for n in 1 2 3; do
        l=$(grep "^phase n=$n" "$work/l2.txt")
        printf '   phase %d (%s req/s offered): answered %s/s, refused %s reset %s cut %s timeout %s unsent %s other %s, p50 %s ms p99 %s ms\n' \
            "$n" "$(field rps "$l")" "$(($(field ok "$l") / step))" "$(field refused "$l")" "$(field reset "$l")" \
            "$(field cut "$l")" "$(field timeout "$l")" "$(field unsent "$l")" "$(field other "$l")" \
            "$(ms "$(field p50_us "$l")")" "$(ms "$(field p99_us "$l")")"
    done
    echo "   after: $(fmt_probe "$after"); descriptors back to idle: $settled"
    echo "   proxies' log lines with 'refused': $(log_refusals)"
    echo "   peak during the run: RSS inbound $((peak_ri / 1024)) MiB upstream $((peak_ru / 1024)) MiB, fds inbound $peak_fi upstream $peak_fu"
    # Recovery: the first second after the drop from which p99 stays within
    # 1.5× the baseline's for 3 s running (one good second on a busy 2-core
    # machine is luck, not recovery).
    base99=$(field p99_us "$p1")
    limit=$(echo "1.5 * $base99" | bc -l)
    mapfile -t p3ticks < <(grep '^tick' "$work/l2.txt" | awk -v s=$((2 * step)) '{ for (i = 1; i <= NF; i++) if ($i ~ /^t=/) { split($i, a, "="); if (a[2] > s) print } }')
    recovered=''
    for ((i = 0; i + 2 < ${#p3ticks[@]}; i++)); do
        good=1
        for j in 0 1 2; do
            v=$(field p99_us "${p3ticks[i + j]}"); a=$(field ok "${p3ticks[i + j]}")
            [[ $a -gt 0 && $(echo "$v <= $limit" | bc -l) == 1 ]] || good=0
        done
        if ((good)); then recovered=$(($(field t "${p3ticks[i]}") - 2 * step)); break; fi
    done
    ok1=$(field ok "$p1"); off1=$(field offered "$p1")
    # A baseline is one only if the 50 % phase was served: at least 99 % of
    # its requests answered.
    steady=$(echo "$off1 > 0 && 100 * $ok1 >= 99 * $off1" | bc -l)
    if [[ $steady != 1 ]]; then
        recovered=''
        rec_text="no baseline: the 50 % phase before the step was not steady (answered $(pct "$ok1" "$off1") %, p99 $(ms "$base99") ms)"
    elif [[ -z $recovered ]]; then
        rec_text="p99 not back within 1.5× baseline ($(ms "$limit") ms) in the ${step} s after the drop"
    elif ((recovered <= 10)); then
        rec_text="p99 back within 1.5× baseline ($(ms "$base99") → ≤ $(ms "$limit") ms) ≤ ${recovered} s after the drop"
    else
        rec_text="p99 back within 1.5× baseline ($(ms "$limit") ms) only ${recovered} s after the drop: not within 10 s"
    fi
    echo "   recovery: $rec_text (1 s resolution; held 3 s)"
    offered2=$(field offered "$p2")
    err2=$(($(field refused "$p2") + $(field reset "$p2") + $(field cut "$p2") + $(field timeout "$p2") + $(field unsent "$p2") + $(field other "$p2")))
    # L2 allows "clean refusals or queueing": timeout (sent, answered later
    # than TIMEOUT_MS or never) and unsent (queued in the caller) are the
    # caller giving up on a queue, so only reset, cut and other are unclean.
    # A hang would show as timeouts too: they are printed, read them.
    unclean=$(($(field reset "$p2") + $(field cut "$p2") + $(field other "$p2")))
    kinds="refused $(field refused "$p2"), timeout $(field timeout "$p2"), unsent $(field unsent "$p2"), reset $(field reset "$p2"), cut $(field cut "$p2"), other $(field other "$p2")"
    if ((err2 == 0)); then kinds_text='none'; elif ((unclean == 0)); then kinds_text="refusals or queueing: $kinds"; else kinds_text="UNCLEAN ones among them: $kinds"; fi
    alive_text=$(both_alive)
    held=no
    if ((unclean == 0)) && [[ $steady == 1 && -n $recovered ]] && ((recovered <= 10)) && [[ $alive_text != *DEAD* ]]; then held=yes; fi
    read -r bri bru bfi bfu _ _ <<<"$before"; read -r ari aru afi afu _ _ <<<"$after"
    printf -v "summary_l2_$tag" '%s' "L2/$tag (criterion held: $held): 50 % before the step answered $(pct "$ok1" "$off1") %, p99 $(ms "$base99") ms; 2× step offered $((offered2 / step)) req/s, answered $(($(field ok "$p2") / step))/s ($(pct "$(field ok "$p2")" "$((sat * step))") % of saturation); errors $(pct "$err2" "$offered2") % ($kinds_text); $rec_text; RSS $(((bri + bru) / 1024))→$(((ari + aru) / 1024)) MiB, fds $((bfi + bfu))→$((afi + afu)) (pair, before→after), descriptors back to idle: $settled; $alive_text"
    echo
}
summary_l2_pool='' summary_l2_grow=''
if [[ -z $only || $only == L2 ]]; then
    half=$((sat / 2)) double=$((sat * 2))
    step_case pool "$conns" "a fixed pool of $conns connections (the excess waits in the tool's queue)"
    step_case grow "$((2 * max_conns))" "$conns warm connections, another one whenever all are busy, up to $((2 * max_conns))"
fi

# --- L3: handshake storm -----------------------------------------------------------
if [[ -z $only || $only == L3 ]]; then
    start_pair
    echo "L3 handshake storm: ${l3_seconds} s, closed loop, $storm_conns connections at once, each one request (Connection: close),"
    echo "   so each answer is a new client connection to the upstream proxy, a new mTLS handshake to the inbound one and"
    echo "   a new connection to the counter; latency from the connect"
    before=$(probe)
    echo "   before: $(fmt_probe "$before")"
    first='' last='' peak_r=0 peak_f=0
    : >"$work/l3.txt"
    while read -r line; do
        echo "$line" >>"$work/l3.txt"
        case $line in
        tick*)
            now=$(probe)
            read -r ri ru fdi fdu _ _ <<<"$now"
            [[ -n $first ]] || first=$now
            last=$now
            ((ri + ru > peak_r)) && peak_r=$((ri + ru)); ((fdi + fdu > peak_f)) && peak_f=$((fdi + fdu))
            printf '   t=%4s handshakes/s %6s | refused %5s reset %4s cut %4s timeout %4s other %4s | p50 %7s ms p99 %7s ms | %s\n' \
                "$(field t "$line")" "$(($(field ok "$line") / 10))" "$(field refused "$line")" "$(field reset "$line")" \
                "$(field cut "$line")" "$(field timeout "$line")" "$(field other "$line")" \
                "$(ms "$(field p50_us "$line")")" "$(ms "$(field p99_us "$line")")" "$(fmt_probe "$now")" ;;
        esac
    done < <("$load" closed "$up_port" "$l3_seconds" "$storm_conns" close "$timeout_ms" 10)
    settled=$(settle)
    after=$(probe)
    tot=$(grep '^total' "$work/l3.txt")
    ok=$(field ok "$tot")
    errs=$(($(field refused "$tot") + $(field reset "$tot") + $(field cut "$tot") + $(field timeout "$tot") + $(field other "$tot")))
    unclean=$(($(field reset "$tot") + $(field cut "$tot") + $(field timeout "$tot") + $(field other "$tot")))
    read -r fri fru ffi ffu _ _ <<<"$first"; read -r lri lru lfi lfu _ _ <<<"$last"
    read -r ari aru afi afu _ _ <<<"$after"
    echo "   total: $ok answered ($((ok / l3_seconds)) handshakes/s), refused $(field refused "$tot") reset $(field reset "$tot") cut $(field cut "$tot") timeout $(field timeout "$tot") other $(field other "$tot"); p50 $(ms "$(field p50_us "$tot")") ms p99 $(ms "$(field p99_us "$tot")") ms"
    echo "   growth first 10 s → last 10 s: RSS inbound $(growth "$fri" "$lri") % upstream $(growth "$fru" "$lru") %, fds inbound $(growth "$ffi" "$lfi") % upstream $(growth "$ffu" "$lfu") %"
    echo "   peak (pair): RSS $((peak_r / 1024)) MiB, fds $peak_f; after: $(fmt_probe "$after"); descriptors back to idle: $settled"
    echo "   proxies' log lines with 'refused': $(log_refusals)"
    alive_text=$(both_alive)
    if ((errs == 0)); then kinds_text='no errors'; elif ((unclean == 0)); then kinds_text="errors $(pct "$errs" "$((ok + errs))") %, all refusals"; else kinds_text="errors $(pct "$errs" "$((ok + errs))") %: refused $(field refused "$tot"), reset $(field reset "$tot"), cut $(field cut "$tot"), timeout $(field timeout "$tot"), other $(field other "$tot")"; fi
    # Bounded, as read here: the pair's RSS grew at most 10 % from the first
    # 10 s line to the last, and its descriptors at most 50 % (they follow the
    # connections in flight at the sampling instant, so they jitter).
    bounded=no
    if [[ $(echo "$(growth "$((fri + fru))" "$((lri + lru))") <= 10 && $(growth "$((ffi + ffu))" "$((lfi + lfu))") <= 50" | bc -l) == 1 ]]; then bounded=yes; fi
    held=no
    if ((unclean == 0)) && [[ $alive_text != *DEAD* && $bounded == yes ]]; then held=yes; fi
    summary_l3="L3 (criterion held: $held; bounded = RSS +≤10 %, fds +≤50 % first→last 10 s: $bounded): ${l3_seconds} s storm at $((ok / l3_seconds)) handshakes/s ($storm_conns at once), $kinds_text; pair RSS $(((fri + fru) / 1024))→$(((lri + lru) / 1024)) MiB ($(growth "$((fri + fru))" "$((lri + lru))") %), fds $((ffi + ffu))→$((lfi + lfu)) ($(growth "$((ffi + ffu))" "$((lfi + lfu))") %) first→last 10 s; idle after $(((ari + aru) / 1024)) MiB / $((afi + afu)) fds; $alive_text"
    echo
fi

echo "load:     /proc/loadavg at end: $(cut -d' ' -f1-4 /proc/loadavg)"
[[ -z $summary_l2_pool ]] || echo "$summary_l2_pool"
[[ -z $summary_l2_grow ]] || echo "$summary_l2_grow"
[[ -z $summary_l3 ]] || echo "$summary_l3"
exit 0
