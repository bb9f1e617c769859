#!/bin/sh
# catch-table.sh — which catalogue bugs a list of scenarios catches: for
# every bug, the first file in the order given that fails with it, the
# lowest failing seed and what failed (scenarios/tester/README.md's table).
#
#   tools/catch-table.sh BUGS_RAFTSIM SEEDS FILE[:SEEDS]...
#
# For every bug of `raftsim --bug list` (or only those in $CATCH_BUGS), each
# FILE in order is swept with the bug over SEEDS (FILE:A-B overrides the
# range for that file) until one fails:
#   BUGS_RAFTSIM --bug BUG sweep FILE --seeds A-B --stop-after 1 -j 2
# The row: bug, file, lowest failing seed of its results, the failure (an
# expectation's text in backquotes, else the check that caught it), or
# "not caught". Workers run under `nice -n 19`. Exit status 0; 2 on bad use.
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 BUGS_RAFTSIM SEEDS FILE[:SEEDS]..." >&2
    exit 2
fi
bin=$1 seeds=$2
shift 2
"$bin" --version | grep -q "bug catalogue" ||
    { echo "catch-table: $bin has no bug catalogue (make bugs)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-catch.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
bugs=${CATCH_BUGS:-$("$bin" --bug list | awk '{print $1}')}
for bug in $bugs; do
    row="$bug | not caught"
    for arg in "$@"; do
        file=${arg%%:*} range=$seeds
        [ "$file" != "$arg" ] && range=${arg#*:}
        name=$(basename "$file" .scn)
        out="$work/$bug-$name"
        nice -n 19 "$bin" --bug "$bug" sweep "$file" --seeds "$range" --stop-after 1 -j 2 \
            --out "$out" >/dev/null 2>&1
        first=$(grep -hv '^#' "$out"/*.results 2>/dev/null | awk '$2 != "PASS"' | sort -n | head -n 1)
        [ -n "$first" ] || continue
        seed=${first%% *}
        what=$(echo "$first" | awk '{print $3}')
        case $what in
        expect*)
            text=$(sed -n 's/^# reason: line [0-9]*: expect \(.*\) -- .*/\1/p' \
                "$out/$name-seed$seed.replay" | head -n 1)
            [ -n "$text" ] && what="\`$text\`" ;;
        esac
        row="$bug | $name $seed ($what)"
        break
    done
    echo "$row"
done
