#!/bin/sh
# check-determinism.sh — the trace hash of every library scenario at a fixed
# seed must be identical across several builds of raftsim (gcc -O0, gcc -O2,
# clang -O2, ASan); `make determinism` calls it.
#
#   tools/check-determinism.sh SEED RAFTSIM... [-- SCENARIO...]
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

# The trace hash a binary prints for one scenario ("-" if none).
hash_of() {
    "$1" run "$2" --seed "$seed" -q 2>/dev/null |
        sed -n 's/.*trace-hash: \(0x[0-9a-f]*\).*/\1/p' | head -n 1
}

same=0
differ=0
for f in "$@"; do
    [ -e "$f" ] || continue
    first=""
    line=""
    ok=1
    for b in $bins; do
        h=$(hash_of "$b" "$f")
        [ -n "$h" ] || h="-"
        line="$line $h"
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
        printf 'same     %-44s %s\n' "$f" "$first"
    else
        differ=$((differ + 1))
        printf 'DIFFER   %-44s%s\n' "$f" "$line"
    fi
done
echo "builds:$bins"
echo "$same scenarios identical, $differ differ (seed $seed)"
[ $differ -eq 0 ] && [ $same -gt 0 ]
