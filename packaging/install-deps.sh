#!/usr/bin/env bash
# Installs, from Debian 12's own archive, everything Meshpad needs to build,
# run and test. Safe to run again: apt skips what is already there.
#
#   packaging/install-deps.sh            build + run + test dependencies
#   packaging/install-deps.sh --runtime  only what building and running needs
set -euo pipefail

runtime_only=false
[[ "${1:-}" == "--runtime" ]] && runtime_only=true

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 2; }
    sudo_cmd=(sudo)
fi

build_packages=(
    build-essential cmake ninja-build pkg-config git
    # Qt: what CMakeLists.txt finds (Core Network WebSockets Test Widgets Svg
    # Charts); moc, rcc and qtpaths6 (the benchmarks' Qt version) come with
    # qt6-base-dev-tools. No Qt 5 compatibility, Qt Tools or translations.
    qt6-base-dev qt6-base-dev-tools
    qt6-websockets-dev qt6-charts-dev qt6-svg-dev
    # QCoro (mesh's coroutines), QtKeychain (deploy tokens, app/gui), OpenSSL
    # (mesh/pki, mesh/tls) and Graphviz's libgvc (the canvas's auto-layout).
    qcoro-qt6-dev qtkeychain-qt6-dev libssl-dev libgraphviz-dev
    libqt6svg6 qt6-qpa-plugins
    # Qt6Charts' CMake package needs Qt6OpenGL's, which qt6-base-dev lacks.
    libqt6opengl6-dev
    # The actions' icons (app/gui/icontheme.h: Breeze and Breeze Dark as Qt
    # resource bundles); tests/tst_icontheme.cpp needs them.
    breeze-icon-theme-rcc
)
test_packages=(
    # Checks of generated artifacts: HashiCorp's HCL parser (npm, see tests/tools)
    # runs on Node.js; `vagrant validate` checks the generated Vagrantfile.
    vagrant
    # HCL 1 as Consul reads consul/*.hcl: tests/tools/hcl1json, built offline
    # with Debian's Go against Debian's github.com/hashicorp/hcl (v1).
    golang-go golang-github-hashicorp-hcl-dev
    # The Hashibox's provider, so `meshpad hashibox status/up` meet the real
    # vagrant-libvirt (tests/tst_hashiboxcommand.cpp); no libvirt daemon: no
    # VMs run on test machines.
    vagrant-libvirt
    # Generated scripts/*.sh: linted by shellcheck, run by bash with curl
    # against a fake Consul agent (tests/tst_scriptgenerator.cpp).
    shellcheck curl
    # Deploy tokens without a keychain (tests/tst_tokenstore.cpp): private
    # session buses with no Secret Service or KWallet on them.
    dbus-daemon
    # The dashboard page is tested in a real headless browser.
    chromium
    # Benchmarks (load generator, baselines measured in the same run); HAProxy
    # is also the interop peer of tests/tst_proxyinterop.cpp.
    wrk nginx-light haproxy bc curl python3
    # The seed post's `curl | jq` recipe for the dashboard's URL, run for real
    # against the lab's Nomad API (tests/browser/nomadjobs.test.mjs).
    jq
    # A third-party Consul client against the lab's :8500 (tests/python/
    # consul_client.test.py, ctest python_consul): Debian's python-consul 0.7.1,
    # run by /usr/bin/python3.
    python3-consul
    # The TLS tests check our certificates and proxy against the openssl CLI.
    openssl
    # GUI screenshots and the GUI under a real X server.
    xvfb xauth
    clang-format clang-tidy
    # libFuzzer targets (fuzz/, the fuzz preset): clang 16 and its runtimes.
    # Debian 12's default clang (14) cannot compile libstdc++ 12's
    # std::expected, which mesh::Result is.
    clang-16 libclang-rt-16-dev
    # The Debian package (packaging/build-deb.sh, packaging/test-deb.sh):
    # built with debhelper, checked by lintian, its desktop entry, metainfo
    # and MIME type validated and queried as a desktop does (xdg-mime asks
    # gio, from libglib2.0-bin).
    debhelper dpkg-dev fakeroot lintian desktop-file-utils appstream shared-mime-info xdg-utils
    libglib2.0-bin
)

packages=("${build_packages[@]}")
$runtime_only || packages+=("${test_packages[@]}")
# Node.js may already come from elsewhere (the machine image ships one); only
# install Debian's when there is none, so we never fight another package.
if ! $runtime_only && ! command -v node >/dev/null; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Package lists older than a day (or absent) are refreshed once.
    if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]]; then
        "${sudo_cmd[@]}" apt-get update -q
    fi
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
