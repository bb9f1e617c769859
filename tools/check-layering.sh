#!/bin/sh
# check-layering.sh — every #include goes down the floors of
# docs/ARCHITECTURE.md ("How raftsim fits together"), never up or across:
#
#   core/                          core/ only, and of the system headers only the
#                                  pure C standard ones in CORE_STD (no clock,
#                                  thread, signal or POSIX header)
#   sim/world/                     sim/world/, core/
#   sim/scenario/                  sim/scenario/, sim/world/, core/
#   tools/raftsim/                 tools/raftsim/, sim/scenario/, sim/world/, core/
#   tools/study/, tools/bench/     itself, sim/world/, core/ (not the language)
#   tools/raftd/                   tools/raftd/, core/ (a real host: no simulator)
#   tools/raftctl/, tools/raftrelay/  itself, tools/raftd/, core/
#
# A quoted include is resolved against the including file's folder (the build
# passes no -I); one that names no file in the tree must be a header the
# build generates (GENERATED). Usage: tools/check-layering.sh [REPO]
# (default: the repository this script is in). Prints every broken rule as
# FILE:LINE: message and exits 1 if there is one.
set -eu
repo=${1:-$(dirname "$0")/..}
cd "$repo"

# The C standard headers core/ may use: what it needs (memory, strings,
# fixed-width integers, assertions, raft_dump's FILE *) and their pure kin.
CORE_STD='assert.h inttypes.h limits.h stdalign.h stdarg.h stdbool.h stddef.h stdint.h
stdio.h stdlib.h string.h'
# Headers the build writes (mk/view.mk) rather than the tree holds.
GENERATED='view_assets.h'

# The floor a path belongs to ("" for the files no rule covers: tests, fuzzing).
floor_of() {
    case $1 in
    core/*) echo core ;;
    sim/world/*) echo world ;;
    sim/scenario/*) echo scenario ;;
    tools/raftsim/*) echo raftsim ;;
    tools/study/*) echo study ;;
    tools/bench/*) echo bench ;;
    tools/raftd/*) echo raftd ;;
    tools/raftctl/*) echo raftctl ;;
    tools/raftrelay/*) echo raftrelay ;;
    *) echo "" ;;
    esac
}

# The floors a file on floor $1 may include from.
may_include() {
    case $1 in
    core) echo "core" ;;
    world) echo "world core" ;;
    scenario) echo "scenario world core" ;;
    raftsim) echo "raftsim scenario world core" ;;
    study) echo "study world core" ;;
    bench) echo "bench world core" ;;
    raftd) echo "raftd core" ;;
    raftctl) echo "raftctl raftd core" ;;
    raftrelay) echo "raftrelay raftd core" ;;
    esac
}

contains() { # contains WORD LIST
    for w in $2; do [ "$w" = "$1" ] && return 0; done
    return 1
}

failures=0
files=0
broken() {
    echo "$1: $2" >&2
    failures=$((failures + 1))
}

for file in $(find core sim tools -name '*.[ch]' | LC_ALL=C sort); do
    floor=$(floor_of "$file")
    [ -n "$floor" ] || continue
    files=$((files + 1))
    allowed=$(may_include "$floor")
    dir=$(dirname "$file")
    # One line per include: LINE <NAME> or LINE "NAME".
    grep -n '^[[:space:]]*#[[:space:]]*include' "$file" |
        sed -n 's/^\([0-9]*\):[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1 \2/p' \
        >"${TMPDIR:-/tmp}/layering.$$" || true
    while read -r line spec; do
        name=${spec#?}
        name=${name%?}
        case $spec in
        \<*)
            if [ "$floor" = core ] && ! contains "$name" "$CORE_STD"; then
                broken "$file:$line" "core/ includes <$name>, not a pure C standard header (allowed: $(echo $CORE_STD))"
            fi
            ;;
        *)
            target=$(realpath -m --relative-to=. "$dir/$name")
            if [ ! -f "$target" ]; then
                contains "$name" "$GENERATED" ||
                    broken "$file:$line" "\"$name\" names no file in the tree (nor a generated header)"
                continue
            fi
            to=$(floor_of "$target")
            if [ -z "$to" ] || ! contains "$to" "$allowed"; then
                broken "$file:$line" "${floor} may include only from {$allowed}, not $target"
            fi
            ;;
        esac
    done <"${TMPDIR:-/tmp}/layering.$$"
done
rm -f "${TMPDIR:-/tmp}/layering.$$"

if [ "$failures" -ne 0 ]; then
    echo "layering: FAILED — $failures include(s) against docs/ARCHITECTURE.md's floors" >&2
    exit 1
fi
echo "layering: ok — $files files under core/, sim/ and tools/ include only downwards"
