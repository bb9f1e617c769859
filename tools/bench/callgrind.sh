#!/bin/sh
# callgrind.sh BENCH_SIM OUT [SECONDS] [RAFTSIM] — benchmark 6: instruction
# counts under valgrind's callgrind (exact and repeatable even on a busy
# machine). Measures the standard workload (seed 1, SECONDS virtual) with its
# top functions, a 2,000-write head-to-head run (heartbeats every interval,
# and to idle followers only) and, given RAFTSIM, one seed
# of scenarios/chaos.scn. Writes OUT, then prints how the totals changed
# against the committed OUT.
set -eu
bench=$1
out=$2
secs=${3:-5}
raftsim=${4:-}
raw=$(mktemp /tmp/raftsim-callgrind.XXXXXX)
trap 'rm -f "$raw"' EXIT
command -v valgrind >/dev/null || { echo "bench-callgrind: valgrind is not installed" >&2; exit 2; }

# total_of CMD...: total instructions of one run
total_of() {
    valgrind --tool=callgrind --callgrind-out-file="$raw" "$@" >/dev/null 2>&1
    callgrind_annotate "$raw" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1 }'
}

h2h=$(total_of "$bench" --inproc-h2h 2000 --seed 1)
h2h_idle=$(total_of "$bench" --inproc-h2h 2000 --seed 1 --idle-heartbeats)
chaos=
if [ -n "$raftsim" ]; then
    chaos=$(total_of "$raftsim" run scenarios/chaos.scn --seed 1)
fi
valgrind --tool=callgrind --callgrind-out-file="$raw" "$bench" --inproc "$secs" --seed 1 \
    >/dev/null 2>&1
{
    echo "# make bench-callgrind: callgrind instruction counts (Ir); review changes."
    echo "# total: standard workload (5 nodes, 1000 writes/s x 64 B, 1% drops, no batching,"
    echo "#   seed 1, $secs s virtual, every check on), with its top functions (self Ir) below;"
    echo "# h2h: head to head, 2,000 writes (h2h-idle: with heartbeat-idle-only);"
    echo "# chaos: raftsim run scenarios/chaos.scn --seed 1."
    callgrind_annotate --threshold=100 "$raw" 2>/dev/null |
    awk -v h2h="$h2h" -v h2h_idle="$h2h_idle" -v chaos="$chaos" '
        /PROGRAM TOTALS/ {
            gsub(/,/, "", $1); printf "total %s\nh2h %s\nh2h-idle %s\n", $1, h2h, h2h_idle
            if (chaos != "") printf "chaos %s\n", chaos
            next
        }
        /^ *[0-9,]+ +\([ 0-9.]+%\) +[^ ]+:[^ ]+/ && n < 30 {
            ir = $1; gsub(/,/, "", ir)
            fn = $0; sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "", fn)
            sub(/ \[.*\]$/, "", fn); sub(/^.*\//, "", fn)
            if (ir + 0 < 1000000) next
            printf "%12s  %s\n", ir, fn; n++
        }'
} > "$out.new"
mv "$out.new" "$out"
for key in total h2h h2h-idle chaos; do
    old=$(git show "HEAD:$out" 2>/dev/null | awk -v k="$key" '$1 == k { print $2 }') || true
    new=$(awk -v k="$key" '$1 == k { print $2 }' "$out")
    [ -n "$new" ] || continue
    if [ -n "$old" ]; then
        awk -v k="$key" -v o="$old" -v n="$new" 'BEGIN {
            printf "%-8s instructions: %d -> %d (%+.2f%%) vs the committed file\n", k, o, n,
                   (n - o) * 100.0 / o }'
    else
        echo "$key instructions: $new (nothing committed to compare with)"
    fi
done
git --no-pager diff --no-color --stat -- "$out" 2>/dev/null || true
cat "$out"
