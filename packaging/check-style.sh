#!/usr/bin/env bash
# The house's two mechanical checks, so drift fails the test command instead
# of accumulating:
#
#   packaging/check-style.sh format        clang-format: every C++ file git
#                                          tracks is formatted as .clang-format
#                                          says (--dry-run -Werror: nothing is
#                                          rewritten; `clang-format-16 -i FILE`
#                                          fixes one)
#   packaging/check-style.sh tidy BUILDDIR clang-tidy (.clang-tidy's checks) on
#                                          the files listed below, with the
#                                          compile commands of BUILDDIR (a
#                                          clang preset: `fuzz`)
#
# Both use LLVM 16, the version the fuzz preset compiles with: Debian 12's
# default clang (14) cannot parse libstdc++ 12's std::expected, which
# mesh::Result is, and formatters of different versions disagree.
set -euo pipefail
self=$(realpath "$0")
cd "$(dirname "$0")/.."

# clang-tidy's files: the code that reads what an attacker or a broken peer
# controls (certificates, TLS handshakes, SPIFFE IDs) and the core it stands
# on. Its checks (bug-finding only, .clang-tidy) are set for
# these; a file joins the list once it is clean. Not every file: a translation
# unit costs 5–20 s of one core, and the analyzer takes minutes on some.
tidy_files=(mesh/core/*.cpp mesh/pki/*.cpp mesh/tls/*.cpp)

case "${1:-}" in
format)
    mapfile -t files < <(git ls-files '*.cpp' '*.h' ':!:tests/tools/**')
    if ! clang-format-16 --dry-run -Werror "${files[@]}"; then
        echo "check-style: the files above are not formatted as .clang-format says;" \
             "run: clang-format-16 -i FILE…" >&2
        exit 1
    fi
    echo "check-style: ${#files[@]} files formatted as .clang-format says"
    ;;
tidy)
    build=${2:?usage: check-style.sh tidy BUILDDIR}
    [[ -f $build/compile_commands.json ]] || { echo "check-style: no $build/compile_commands.json" >&2; exit 2; }
    # Two at a time (two cores); --warnings-as-errors makes any finding fail,
    # except the one the fuzz preset causes on purpose: it redefines
    # __cpp_concepts so libstdc++ 12 shows <expected> to clang (see
    # fuzz/CMakeLists.txt).
    # A unity build's database names its unity_N.cxx files, not the sources;
    # clang-tidy then takes a source's flags from the nearest entry, which in
    # one library are the same flags.
    if ! printf '%s\n' "${tidy_files[@]}" | xargs -P2 -n1 "$self" tidy-one "$build"; then
        echo "check-style: clang-tidy found the problems above" >&2
        exit 1
    fi
    echo "check-style: clang-tidy clean on ${#tidy_files[@]} files"
    ;;
tidy-one)
    # One file, with a time limit that fails loudly: a check that stalls
    # (see .clang-tidy) must fail the run with its file's name, not hang it
    # or fail it in silence.
    build=$2 file=$3 limit=300 status=0
    timeout "$limit" clang-tidy-16 -p "$build" --quiet \
        --warnings-as-errors='*,-clang-diagnostic-macro-redefined' "$file" || status=$?
    if ((status == 124)); then
        echo "check-style: clang-tidy took over $limit s on $file and was stopped" >&2
    fi
    exit "$status"
    ;;
*)
    echo "usage: packaging/check-style.sh format | tidy BUILDDIR" >&2
    exit 2
    ;;
esac
