#!/usr/bin/env bash
# Builds the Debian package from this tree into build/deb/:
#
#   packaging/build-deb.sh        → build/deb/meshpad_<version>_amd64.deb
#
# Why debhelper (packaging/debian/) and not CPack: CPack's DEB generator
# writes a .deb, not a Debian package. debhelper gives, each from the tool
# Debian itself uses: binaries built with dpkg-buildflags' hardening and
# stripped into a -dbgsym package (dh_strip), library dependencies computed
# from what is linked (dh_shlibdeps → ${shlibs:Depends}), compressed man page
# and changelog (dh_compress, dh_installchangelogs), the DEP-5 copyright file
# in /usr/share/doc/meshpad (dh_installdocs), Policy permissions
# (dh_fixperms), md5sums (dh_md5sums) and the MIME, desktop and icon cache
# triggers — the things lintian checks, which CPack leaves to hand-written
# CMake. The files themselves are installed by CMake's install() rules
# (packaging/CMakeLists.txt), so `cmake --install` and the package agree.
#
# The sources copied are the ones git knows (tracked, or new and not
# ignored): build/ and node_modules/ never reach the package build. The CMake
# build directory (build/deb/src/obj-*) is kept between runs, so a second
# run only recompiles what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/deb
src=$out/src

# The version is CMake's: project(Meshpad VERSION x.y.z).
version=$(sed -n '/^project(Meshpad/,/)/s/^ *VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
if [[ -z "$version" ]]; then
    echo "build-deb: no VERSION in CMakeLists.txt's project(Meshpad …)" >&2
    exit 2
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name 'obj-*' -exec rm -rf {} +
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Files deleted in the work tree but still in the index are skipped.
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do if [[ -e "$f" ]]; then printf '%s\0' "$f"; fi; done |
        tar --null --files-from=- -cf - | tar -xf - -C "$src"
else
    tar --exclude=./build --exclude=node_modules -cf - . | tar -xf - -C "$src"
fi
cp -r packaging/debian "$src/debian"

# debian/changelog from the version above, dated by the last commit (so the
# same tree gives the same package).
when=$(git log -1 --format=%ct 2>/dev/null || date +%s)
cat >"$src/debian/changelog" <<CHANGELOG
meshpad ($version) unstable; urgency=medium

  * Meshpad $version: see https://github.com/meshpad/meshpad for what changed.

 -- The Meshpad developers <meshpad@users.noreply.github.com>  $(date -u -R -d "@$when")
CHANGELOG

start=$SECONDS
(
    cd "$src"
    # -nc: the build directory left by an earlier run is reused (see above).
    DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
        dpkg-buildpackage -b -us -uc -nc
)
# dpkg-buildpackage writes into the source's parent: build/deb/.
deb=meshpad_${version}_${arch}.deb
[[ -f "$out/$deb" ]] || { echo "build-deb: dpkg-buildpackage made no $out/$deb" >&2; exit 1; }
echo "build-deb: $out/$deb in $((SECONDS - start)) s"
