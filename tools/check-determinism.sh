#!/bin/sh
# check-determinism.sh — the trace hash of every library scenario at a fixed
# seed must be identical across several builds of raftsim (gcc -O0, gcc -O2,
# clang -O2, ASan); `make determinism` calls it.
#
#   tools/check-determinism.sh SEED RAFTSIM... [-- SCENARIO...]
#
# A scenario also fails the check when any build writes sanitizer output
# (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer: a report can
# come after the verdict line, e.g. a leak found at exit), or when the builds'
# exit statuses differ (one passes, another fails or crashes).
set -u

if [ $# -lt 3 ]; then
    echo "usage: $0 SEED RAFTSIM RAFTSIM... [-- SCENARIO...]" >&2
    exit 2
fi
seed=$1
shift
bins=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    bins="$bins $1"
    shift
done
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
    set -- scenarios/*.scn
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-determinism.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

sanitizer='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|MemorySanitizer|ThreadSanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'

same=0
differ=0
for f in "$@"; do
    [ -e "$f" ] || continue
    first=""
    line=""
    statuses=""
    first_status=""
    ok=1
    why=""
    for b in $bins; do
        "$b" run "$f" --seed "$seed" -q >"$tmp/out" 2>"$tmp/err"
        status=$?
        h=$(sed -n 's/.*trace-hash: \(0x[0-9a-f]*\).*/\1/p' "$tmp/out" | head -n 1)
        [ -n "$h" ] || h="-"
        line="$line $h"
        statuses="$statuses $status"
        if grep -Eq "$sanitizer" "$tmp/err"; then
            ok=0
            why="$why; sanitizer output from $b: $(grep -Em 1 "$sanitizer" "$tmp/err")"
        fi
        if [ -z "$first_status" ]; then
            first_status=$status
        elif [ "$status" != "$first_status" ]; then
            ok=0
            why="$why; exit statuses differ"
        fi
        if [ "$h" = "-" ]; then
            ok=0
        elif [ -z "$first" ]; then
            first=$h
        elif [ "$h" != "$first" ]; then
            ok=0
        fi
    done
    if [ $ok -eq 1 ]; then
        same=$((same + 1))
        printf 'same     %-44s %s (exit %s)\n' "$f" "$first" "$first_status"
    else
        differ=$((differ + 1))
        printf 'DIFFER   %-44s%s (exit%s)%s\n' "$f" "$line" "$statuses" "$why"
    fi
done
echo "builds:$bins"
echo "$same scenarios identical, $differ differ (seed $seed)"
[ $differ -eq 0 ] && [ $same -gt 0 ]
