#!/bin/sh
# bugcheck.sh — prove that the testbed catches every bug in the catalogue
# (`make bugcheck`, issues 6 and 15).
#
#   tools/bugcheck.sh BUGS_RAFTSIM GOOD_RAFTSIM [SEEDS] [CLEAN_SEEDS]
#
# For every bug of `raftsim --bug list`: sweep the swarm scenarios in order,
# seed by seed (1..SEEDS, default 1000), until one fails; shrink the failure;
# print a row: bug, what caught it, scenario, seeds until the first failure,
# virtual seconds of the failing run, wall seconds of the hunt, and whether
# the shrunk file is verified both ways: it must fail with its bug, the same
# way (BUGS_RAFTSIM replay: the failure its header records, or the same
# crash), and pass without it (GOOD_RAFTSIM run, the correct core). Under the
# row, the shrinker's summary (actions, duration, parameters before -> after).
# The explore column: seeds of the default explore space
# (scenarios/explore/default.scn, no targeted mix) until the first failure
# with the bug that the correct core passes (">N": none within SEEDS).
# Then sweep the same scenarios CLEAN_SEEDS (default 1-200) with the correct
# core: every seed must pass. Exits 1 if a bug is not caught, its shrunk file
# is missing or not verified both ways, or the correct core fails.
# BUGCHECK_KEEP=DIR keeps the shrunk files (DIR/BUG.scn).
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 BUGS_RAFTSIM GOOD_RAFTSIM [SEEDS] [CLEAN_SEEDS]" >&2
    exit 2
fi
bugs_bin=$1 good_bin=$2 max_seeds=${3:-1000} clean_seeds=${4:-1-200}
# Cheapest scenarios first: a bug caught by a short one is not hunted further.
scenarios="tests/bugcheck/elections3.scn tests/bugcheck/votes5.scn tests/bugcheck/figure8.scn
tests/bugcheck/figure8-busy.scn
tests/bugcheck/swarm3.scn
scenarios/chaos.scn
tests/bugcheck/swarm5.scn
tests/bugcheck/snapdup3.scn
tests/bugcheck/partial5.scn"
work=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-bugcheck.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

"$bugs_bin" --version | grep -q "bug catalogue" ||
    { echo "bugcheck: $bugs_bin has no bug catalogue (make bugs)" >&2; exit 2; }

printf '%-20s %-22s %-11s %6s %7s %9s %8s %s\n' bug caught-by scenario seeds explore virtual-s \
    wall-s shrunk-file
status=0
# verify BUG SHRUNK: "fails-with-bug/passes-without" or what went wrong.
verify() {
    key=$(sed -n 's/^# failed: //p' "$2" | head -n 1)
    "$bugs_bin" replay "$2" -q >"$work/v.bug" 2>&1
    rc=$?
    case "$key" in
    crash:*) [ $rc -gt 128 ] || { echo "NOT VERIFIED: no crash with the bug (exit $rc)"; return 1; } ;;
    *)
        [ $rc -eq 1 ] && grep -q "failed: $key\$" "$work/v.bug" ||
            { echo "NOT VERIFIED: with the bug: exit $rc, not 'failed: $key'"; return 1; } ;;
    esac
    "$good_bin" run "$2" -q >"$work/v.good" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { echo "NOT VERIFIED: fails without the bug (exit $rc: $(grep -o 'failed: .*' "$work/v.good" | head -n 1))"; return 1; }
    echo "fails with $1, passes without"
}
# explore_seeds BUG: the lowest seed of the default space that fails with BUG
# and passes on the correct core, or ">SEEDS".
explore_seeds() {
    x="$work/explore-$1"
    "$bugs_bin" --bug "$1" explore scenarios/explore/default.scn --seeds "1-$max_seeds" \
        --stop-after 12 -j 2 --out "$x" >/dev/null 2>&1
    for s in $(grep -hv '^#' "$x"/*.results 2>/dev/null | awk '$2 != "PASS" {print $1}' |
        sort -n); do
        "$good_bin" explore scenarios/explore/default.scn --seeds "$s" --out "$x/good" \
            >/dev/null 2>&1 && { echo "$s"; return; }
    done
    echo ">$max_seeds"
}
for bug in $("$bugs_bin" --bug list | awk '{print $1}'); do
    xseeds=$(explore_seeds "$bug")
    start=$(now) caught=""
    for scn in $scenarios; do
        out="$work/$bug-$(basename "$scn" .scn)"
        "$bugs_bin" --bug "$bug" sweep "$scn" --seeds "1-$max_seeds" --stop-after 3 -j 2 \
            --out "$out" >/dev/null 2>&1
        # The lowest failing seed (workers finish out of order) that a check
        # caught; only if none did, the lowest that hit the event limit. A
        # bug can throw a run into a message storm that ends at max-events
        # (snap-drop-suffix in snapdup3: a leader and a follower that lost
        # acknowledged entries trade AppendEntries at one instant); such a
        # run says less than the check that catches the bug, and its replay
        # is costly to shrink.
        row=$(grep -hv '^#' "$out"/*.results 2>/dev/null | awk '$2 != "PASS"' |
            sort -k1,1n | awk '$3 == "event-limit" { if (!l) l = $0; next } { print; exit }
                               END { if (NR && l) print l }' | head -n 1)
        [ -n "$row" ] && { caught=$scn; break; }
    done
    wall=$(echo "$(now) $start" | awk '{printf "%.1f", $1 - $2}')
    if [ -z "$caught" ]; then
        printf '%-20s %-22s %-11s %6s %7s %9s %8s %s\n' "$bug" "NOT CAUGHT" - "$max_seeds" \
            "$xseeds" - "$wall" -
        status=1
        continue
    fi
    set -- $row
    seed=$1 what=$3 vns=$6
    replay=$(ls "$out"/*-seed"$seed".replay 2>/dev/null | head -n 1)
    shrunk="$work/$bug.scn"
    if [ -z "$replay" ]; then
        verdict="NOT VERIFIED: the sweep left no replay file"
    elif ! "$bugs_bin" shrink "$replay" -o "$shrunk" >"$work/$bug.shrink" 2>&1; then
        verdict="NOT VERIFIED: shrink failed: $(grep -v '^ ' "$work/$bug.shrink" | tail -n 1)"
    else
        verdict=$(verify "$bug" "$shrunk")
        [ -n "${BUGCHECK_KEEP:-}" ] && mkdir -p "$BUGCHECK_KEEP" && cp "$shrunk" "$BUGCHECK_KEEP/"
    fi
    case "$verdict" in NOT*) status=1 ;; esac
    printf '%-20s %-22s %-11s %6s %7s %9s %8s %s\n' "$bug" "$what" \
        "$(basename "$caught" .scn)" "$seed" "$xseeds" "$(echo "$vns" | awk '{printf "%.3f", $1 / 1e9}')" \
        "$wall" "$verdict"
    [ -s "$work/$bug.shrink" ] && echo "    shrunk: $(head -n 1 "$work/$bug.shrink")"
done

echo
echo "correct core, seeds $clean_seeds of every swarm scenario:"
for scn in $scenarios; do
    if "$good_bin" sweep "$scn" --seeds "$clean_seeds" --out "$work/clean" >"$work/clean.out" \
        2>/dev/null; then
        echo "  $(basename "$scn" .scn): $(grep -E 'seeds run|seeds per second' "$work/clean.out" |
            tr -s ' ' | tr '\n' ' ')"
    else
        echo "  $(basename "$scn" .scn): FAILED"; sed -n '1,12p' "$work/clean.out"; status=1
    fi
done
[ $status -eq 0 ] &&
    echo "bugcheck: every bug caught, every shrunk file verified both ways, correct core clean" ||
    echo "bugcheck: FAILED" >&2
exit $status
