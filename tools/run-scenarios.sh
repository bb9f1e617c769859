#!/bin/sh
# run-scenarios.sh — play every library scenario and every shrunk regression
# over a range of seeds; `make test-scenarios` calls it.
#
#   tools/run-scenarios.sh BUILD/raftsim SEEDS [SCENARIO...]
#
# Each scenarios/*.scn, scenarios/tester/*.scn, scenarios/regressions/*.scn and tests/bugcheck/*.scn
# (the swarm mixes of `make bugcheck`) is swept over SEEDS
# (e.g. 1-20) with `raftsim sweep`; a regression file is also run at its own
# `seed`. One line per scenario, then "N passed, N failed". Exit status 1 if
# any scenario failed (its replay files are kept and their folder printed).
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 RAFTSIM SEEDS [SCENARIO...]" >&2
    exit 2
fi
bin=$1
seeds=$2
shift 2
if [ ! -x "$bin" ]; then
    echo "$0: $bin is not an executable (build it with make)" >&2
    exit 2
fi
if [ $# -eq 0 ]; then
    set -- scenarios/*.scn scenarios/tester/*.scn scenarios/regressions/*.scn tests/bugcheck/*.scn
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-scenarios.XXXXXX") || exit 2
passed=0
failed=0

# First few failure lines of a sweep log, indented.
show_failures() {
    grep -E '^(FAIL|raftsim|.*error)' "$1" | head -n 6 | sed 's/^/      /'
}

for f in "$@"; do
    [ -e "$f" ] || continue
    stem=$(basename "$f" .scn)
    case "$f" in scenarios/regressions/*) stem="regression-$stem" ;; esac
    out="$work/$stem"
    log="$out.log"
    mkdir -p "$out"
    "$bin" sweep "$f" --seeds "$seeds" --out "$out" >"$out.table" 2>"$log"
    rc=$?
    # A regression must also pass at the seed it was shrunk with.
    if [ $rc -eq 0 ] && grep -q '^seed ' "$f"; then
        "$bin" run "$f" -q >>"$log" 2>&1
        rc=$?
    fi
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS  %s  (seeds %s)\n' "$f" "$seeds"
        rm -rf "$out" "$out.table" "$log"
    else
        failed=$((failed + 1))
        printf 'FAIL  %s  (exit %d; replay files and log in %s)\n' "$f" "$rc" "$out"
        show_failures "$log"
    fi
done

echo "$passed passed, $failed failed"
if [ $failed -eq 0 ]; then
    rm -rf "$work"
    exit 0
fi
exit 1
