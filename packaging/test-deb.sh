#!/usr/bin/env bash
# Tests the Debian package as a user meets it, on this machine (as root: it
# installs and removes a package; meant for CI):
#
#   packaging/test-deb.sh                  builds it first (packaging/build-deb.sh)
#   packaging/test-deb.sh path/to/x.deb    tests that package
#
# lintian (no errors, no warnings); apt-get install; the installed meshpad's
# --version, `generate` and `lab up` on the installed example until the
# dashboard counts; the desktop entry, the AppStream metainfo and the MIME
# type as the desktop reads them; then apt-get purge, leaving nothing behind.
# Whatever happens, the package is purged again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

app_id=io.github.meshpad.Meshpad
started=$SECONDS
fail() {
    echo "test-deb: FAIL: $*" >&2
    exit 1
}
step() { echo "test-deb: [$((SECONDS - started)) s] $*"; }

[[ $(id -u) -eq 0 ]] || fail "run as root: the test installs and purges the package"
version=$(sed -n '/^project(Meshpad/,/)/s/^ *VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)

if [[ $# -ge 1 ]]; then
    deb=$1
else
    step "building the package (packaging/build-deb.sh)"
    packaging/build-deb.sh
    deb=build/deb/meshpad_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb
fi
[[ -f "$deb" ]] || fail "no package at $deb"
deb=$(realpath "$deb")

if dpkg-query -W -f='${Status}' meshpad 2>/dev/null | grep -q "installed"; then
    fail "meshpad is already installed; the test must see a clean install and purge (apt-get purge meshpad)"
fi

work=$(mktemp -d)
lab_pid=
cleanup() {
    local status=$?
    if [[ -n "$lab_pid" ]] && kill -0 "$lab_pid" 2>/dev/null; then
        kill -INT "$lab_pid" 2>/dev/null || true
        sleep 2
        kill -KILL "$lab_pid" 2>/dev/null || true
    fi
    if dpkg-query -W -f='${Status}' meshpad 2>/dev/null | grep -q "installed"; then
        echo "test-deb: purging meshpad" >&2
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q meshpad >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

# --- lintian -----------------------------------------------------------------
step "lintian $deb"
lintian_status=0
lintian --fail-on error,warning --display-info --display-experimental --pedantic "$deb" >"$work/lintian" 2>&1 || lintian_status=$?
cat "$work/lintian"
if ((lintian_status != 0)) || grep -q '^[EW]: ' "$work/lintian"; then
    fail "lintian reports errors or warnings (above)"
fi

# --- install -----------------------------------------------------------------
step "apt-get install $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >"$work/apt" 2>&1 ||
    { cat "$work/apt" >&2; fail "apt-get install failed"; }
dpkg -L meshpad | sort >"$work/files"

for f in /usr/bin/meshpad /usr/lib/meshpad/apps/bin/counter /usr/lib/meshpad/apps/bin/dashboard \
    /usr/share/meshpad/examples/countdash.meshpad /usr/share/applications/$app_id.desktop \
    /usr/share/icons/hicolor/scalable/apps/$app_id.svg /usr/share/metainfo/$app_id.metainfo.xml \
    /usr/share/mime/packages/$app_id.xml /usr/share/man/man1/meshpad.1.gz \
    /usr/share/bash-completion/completions/meshpad /usr/share/doc/meshpad/copyright; do
    grep -qxF "$f" "$work/files" || fail "the package does not install $f"
done

# The installed program, in a home of its own (the lab's CA, its status
# socket and saved targets go there, not into root's).
home=$work/home
mkdir -p "$home/run"
chmod 700 "$home/run"
isolated=(env -u DISPLAY -u WAYLAND_DISPLAY HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_DATA_HOME="$home/data"
    XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache")
run() { "${isolated[@]}" "$@"; }

step "meshpad --version"
got=$(run /usr/bin/meshpad --version) || fail "meshpad --version exited $?"
[[ "$got" == "meshpad $version" ]] || fail "meshpad --version says \"$got\", expected \"meshpad $version\""

example=/usr/share/meshpad/examples/countdash.meshpad
step "meshpad generate $example"
run /usr/bin/meshpad generate "$example" -o "$work/out" >"$work/generated" ||
    fail "meshpad generate exited $? ($(cat "$work/generated"))"
for f in README.md nomad/counter.nomad.hcl nomad/dashboard.nomad.hcl consul/count-api.json \
    consul/count-dashboard.json hashibox/Vagrantfile scripts/count-api.sh; do
    [[ -s "$work/out/$f" ]] || fail "meshpad generate wrote no $f (it wrote: $(tr '\n' ' ' <"$work/generated"))"
done
grep -qF /usr/lib/meshpad/apps/bin/ "$work/out/README.md" ||
    fail "the generated README does not say where the package put counter and dashboard"

# --- the lab -----------------------------------------------------------------
# The lab's first node serves Consul on 127.0.1.1:8500; another lab (a test
# of the build tree, say) must be gone first.
step "waiting for 127.0.1.1:8500 to be free (no other lab running)"
for ((i = 0; i < 120; i++)); do
    (exec 3<>/dev/tcp/127.0.1.1/8500) 2>/dev/null || break
    sleep 1
done
(exec 3<>/dev/tcp/127.0.1.1/8500) 2>/dev/null && fail "another lab still holds 127.0.1.1:8500 after 120 s"

step "meshpad lab up $example"
# Not through run(): $! must be meshpad's own PID (env execs it), which the
# SIGINT below goes to.
"${isolated[@]}" /usr/bin/meshpad lab up "$example" >"$work/lab.out" 2>"$work/lab.err" &
lab_pid=$!
# "count-dashboard <alloc> http://ADDR:PORT": the first endpoint line.
dashboard=
for ((i = 0; i < 120; i++)); do
    kill -0 "$lab_pid" 2>/dev/null || break
    dashboard=$(awk '$1 == "count-dashboard" && $3 ~ /^http:/ {print $3; exit}' "$work/lab.out")
    [[ -z "$dashboard" ]] || break
    sleep 0.5
done
lab_failed() {
    echo "--- lab stdout" >&2
    cat "$work/lab.out" >&2
    echo "--- lab stderr (last 40 lines)" >&2
    tail -n 40 "$work/lab.err" >&2
    fail "$@"
}
[[ -n "$dashboard" ]] || lab_failed "meshpad lab up printed no dashboard URL within 60 s"

# The dashboard counts as its page sees it: the page's WebSocket (/ws) gets
# {"count":N,…} frames once a page is connected (apps/dashboard/
# dashboardserver.cpp fetches from the counter, through the sidecars, only
# while one is). A minimal RFC 6455 client: handshake, then read text frames
# until a count above 0, for at most 120 s.
step "watching $dashboard/ws until the dashboard counts"
watch_dashboard() {
    python3 - "$1" 120 <<'PYTHON'
import base64, json, os, socket, sys, time
from urllib.parse import urlsplit

url = urlsplit(sys.argv[1])
deadline = time.monotonic() + float(sys.argv[2])
sock = socket.create_connection((url.hostname, url.port), timeout=10)
key = base64.b64encode(os.urandom(16)).decode()
sock.sendall((f"GET /ws HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
              f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
buffer = b""

def read(n):
    global buffer
    while len(buffer) < n:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("the dashboard closed the WebSocket")
        buffer += chunk
    out, buffer = buffer[:n], buffer[n:]
    return out

while b"\r\n\r\n" not in buffer:
    chunk = sock.recv(65536)
    if not chunk:
        sys.exit("the dashboard closed the connection during the WebSocket handshake")
    buffer += chunk
head, buffer = buffer.split(b"\r\n\r\n", 1)
status = head.split(b"\r\n")[0].decode(errors="replace")
if " 101 " not in status + " ":
    sys.exit(f"no WebSocket upgrade: {status}")
last = None
try:
    while time.monotonic() < deadline:
        b0, b1 = read(2)
        length = b1 & 0x7F
        if length == 126:
            length = int.from_bytes(read(2), "big")
        elif length == 127:
            length = int.from_bytes(read(8), "big")
        if b1 & 0x80:
            read(4)  # servers do not mask; skip a key if one came anyway
        payload = read(length)
        if b0 & 0x0F == 8:
            sys.exit(f"the dashboard closed the WebSocket; last frame {last}")
        if b0 & 0x0F == 1:
            last = payload.decode()
            if json.loads(last).get("count", 0) > 0:
                print(last)
                sys.exit(0)
except (socket.timeout, TimeoutError):
    pass
sys.exit(f"no count above 0 in 120 s; last frame {last}")
PYTHON
}
frame=$(watch_dashboard "$dashboard") || lab_failed "the lab's dashboard did not count (above)"
step "the dashboard at $dashboard counts: $frame"
pid=$lab_pid
kill -INT "$pid"
status=0
for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$pid" 2>/dev/null && fail "meshpad lab up did not stop within 30 s of SIGINT"
wait "$pid" || status=$?
lab_pid=
((status == 0)) || { tail -n 20 "$work/lab.err" >&2; fail "meshpad lab up exited $status after SIGINT, expected 0"; }

# --- desktop integration -----------------------------------------------------
step "desktop-file-validate, appstreamcli validate"
desktop-file-validate /usr/share/applications/$app_id.desktop || fail "desktop-file-validate refuses the desktop entry"
appstreamcli validate --no-net --explain /usr/share/metainfo/$app_id.metainfo.xml >"$work/appstream" 2>&1 ||
    { cat "$work/appstream" >&2; fail "appstreamcli validate refuses the metainfo"; }
grep -qE '^[EW]: ' "$work/appstream" && { cat "$work/appstream" >&2; fail "appstreamcli warns about the metainfo"; }

# bash completion, as bash calls it (in an empty directory, so no file names
# join the words).
step "bash completion"
mkdir "$work/empty"
completions=$(cd "$work/empty" && bash -c '
    source "$1"
    complete_words() {
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMPREPLY=()
        _meshpad
        echo "${COMPREPLY[*]}"
    }
    complete_words meshpad la
    complete_words meshpad ca ""
    complete_words meshpad lab up -
    complete_words meshpad deploy -target h
    complete_words meshpad proxy -log-level w
' _ /usr/share/bash-completion/completions/meshpad 2>&1) || fail "sourcing the bash completion failed: $completions"
expected=$'lab\ninit leaf sign\n-json --help\nhashibox\nwarn'
[[ "$completions" == "$expected" ]] ||
    fail "bash completion offers \"${completions//$'\n'/ | }\", expected \"${expected//$'\n'/ | }\""

# xdg-mime as GNOME asks it (gio, which reads shared-mime-info's cache); the
# generic path asks file(1), which knows nothing of shared-mime-info.
cp "$example" "$work/design.meshpad"
mime() { XDG_CURRENT_DESKTOP=GNOME run xdg-mime query filetype "$work/design.meshpad"; }
step "xdg-mime query filetype design.meshpad"
type=$(mime)
[[ "$type" == application/x-meshpad ]] || fail "xdg-mime says $work/design.meshpad is \"$type\", not application/x-meshpad"
default=$(XDG_CURRENT_DESKTOP=GNOME run xdg-mime query default application/x-meshpad || true)
[[ "$default" == "$app_id.desktop" ]] || fail "the default application for application/x-meshpad is \"$default\", not $app_id.desktop"

# --- purge -------------------------------------------------------------------
step "apt-get purge meshpad"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q meshpad >"$work/apt" 2>&1 ||
    { cat "$work/apt" >&2; fail "apt-get purge failed"; }
left=()
while IFS= read -r f; do
    if [[ -e "$f" && ! -d "$f" ]]; then left+=("$f"); fi
done <"$work/files"
((${#left[@]} == 0)) || fail "purge left files behind: ${left[*]}"
for d in /usr/share/meshpad /usr/lib/meshpad /usr/share/doc/meshpad; do
    [[ ! -e "$d" ]] || fail "purge left $d behind"
done
type=$(mime)
[[ "$type" != application/x-meshpad ]] || fail "the MIME cache still knows application/x-meshpad after purge"
step "ok: installed, used and purged cleanly"
