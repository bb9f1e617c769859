#!/bin/sh
# callgrind.sh BENCH_SIM OUT [SECONDS] — benchmark 6: instruction counts of
# the standard workload at seed 1 under valgrind's callgrind (exact and
# repeatable even on a busy machine). Writes the total and the top functions
# (self cost) to OUT, then prints how they changed against the committed OUT.
set -eu
bench=$1
out=$2
secs=${3:-5}
raw=$(mktemp /tmp/raftsim-callgrind.XXXXXX)
trap 'rm -f "$raw"' EXIT
command -v valgrind >/dev/null || { echo "bench-callgrind: valgrind is not installed" >&2; exit 2; }
valgrind --tool=callgrind --callgrind-out-file="$raw" "$bench" --inproc "$secs" --seed 1 \
    >/dev/null 2>&1
{
    echo "# make bench-callgrind: callgrind instruction counts (Ir) of bench_sim --inproc $secs"
    echo "# (standard workload: 5 nodes, 1000 writes/s x 64 B, 1% drops, no batching, seed 1,"
    echo "# $secs s virtual, every check on). Regenerate with make bench-callgrind; review diffs."
    callgrind_annotate --threshold=100 "$raw" 2>/dev/null | awk '
        /PROGRAM TOTALS/ { gsub(/,/, "", $1); printf "total %s\n", $1; next }
        /^ *[0-9,]+ +\([ 0-9.]+%\) +[^ ]+:[^ ]+/ && n < 30 {
            ir = $1; gsub(/,/, "", ir)
            fn = $0; sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "", fn)
            sub(/ \[.*\]$/, "", fn); sub(/^.*\//, "", fn)
            if (ir + 0 < 1000000) next
            printf "%12s  %s\n", ir, fn; n++
        }'
} > "$out.new"
mv "$out.new" "$out"
old=$(git show "HEAD:$out" 2>/dev/null | awk '/^total/ { print $2 }') || true
new=$(awk '/^total/ { print $2 }' "$out")
if [ -n "$old" ]; then
    awk -v o="$old" -v n="$new" 'BEGIN { printf "instructions: %d -> %d (%+.2f%%) vs the committed %s\n", o, n, (n - o) * 100.0 / o, "'"$out"'" }'
    git --no-pager diff --no-color -U0 -- "$out" || true
else
    echo "instructions: $new (no committed $out to compare with yet)"
fi
cat "$out"
