#!/bin/sh
# bug_path.sh — the issue-4 "done when" path, end to end (`make test-bugpath`):
#   1. in a `make bugs` build with `--bug no-uptodate-check`, a sweep of
#      tests/cli/bugpath.scn finds a failing seed and writes its replay file;
#   2. `raftsim replay` reproduces the trace hash recorded in that file;
#   3. `raftsim shrink` writes a schedule with fewer actions;
#   4. the shrunk schedule still breaks the same invariant under the bug,
#   5. and passes against the correct core (it is a valid regression test).
#
#   tests/cli/bug_path.sh BUILD/bugs/raftsim
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 RAFTSIM (a \`make bugs\` build)" >&2
    exit 2
fi
bin=$1
seeds=${BUGPATH_SEEDS:-1-2000}
scn=$(dirname "$0")/bugpath.scn
work=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-bugpath.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

fail() {
    echo "bug path: FAILED: $*" >&2
    for f in "$work"/*.out "$work"/*.err; do
        [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
hash_in() { sed -n 's/.*trace-hash: \(0x[0-9a-f]*\).*/\1/p' "$1" | head -n 1; }

"$bin" --version | grep -q "bug catalogue" || fail "$bin has no bug catalogue (make bugs)"

# 1. A sweep finds a failing seed.
"$bin" --bug no-uptodate-check sweep "$scn" --seeds "$seeds" --stop-after 1 \
    --out "$work/f" >"$work/sweep.out" 2>"$work/sweep.err"
rc=$?
[ $rc -eq 1 ] || fail "sweep exited $rc; expected 1 (a failing seed in $seeds)"
replay=$(ls "$work"/f/*.replay 2>/dev/null | head -n 1)
[ -n "$replay" ] || fail "the failing sweep wrote no replay file"
recorded=$(sed -n 's/^# trace-hash: //p' "$replay")
invariant=$(sed -n 's/^# failed: //p' "$replay")
case "$invariant" in
crash:*) fail "the simulator itself crashed ($invariant) on $(basename "$replay")" ;;
esac
[ -n "$recorded" ] && [ -n "$invariant" ] || fail "$replay has no trace-hash/failed header"
echo "bug path: sweep found $(basename "$replay"): $invariant, trace-hash $recorded"

# 2. Its replay reproduces the recorded trace hash (and still fails).
"$bin" replay "$replay" -q >"$work/replay.out" 2>"$work/replay.err"
rc=$?
[ $rc -eq 1 ] || fail "replay exited $rc; expected 1 (still failing)"
[ "$(hash_in "$work/replay.out")" = "$recorded" ] || fail "replay gave another trace hash"
grep -q "trace hash matches the recorded one" "$work/replay.out" || fail "no hash confirmation"
echo "bug path: replay reproduced trace-hash $recorded"

# 3. Shrink writes a schedule with fewer actions.
"$bin" shrink "$replay" -o "$work/shrunk.scn" >"$work/shrink.out" 2>"$work/shrink.err"
rc=$?
[ $rc -eq 0 ] || fail "shrink exited $rc"
line=$(grep ' actions -> ' "$work/shrink.out")
before=$(echo "$line" | sed -n 's/^\([0-9]*\) actions -> .*/\1/p')
after=$(echo "$line" | sed -n 's/^[0-9]* actions -> \([0-9]*\) actions.*/\1/p')
[ -n "$before" ] && [ -n "$after" ] && [ "$after" -lt "$before" ] ||
    fail "shrink did not remove actions: $line"
echo "bug path: shrink: $line"

# 4. The shrunk schedule still breaks the same invariant under the bug.
"$bin" replay "$work/shrunk.scn" -q >"$work/shrunk.out" 2>"$work/shrunk.err"
rc=$?
[ $rc -eq 1 ] || fail "the shrunk schedule no longer fails (exit $rc)"
grep -q "failed: $invariant" "$work/shrunk.out" || fail "the shrunk schedule fails differently"
grep -q "^# regression: $invariant" "$work/shrunk.scn" || fail "no regression header"

# 5. Against the correct core it passes: a valid regression test.
"$bin" run "$work/shrunk.scn" -q >"$work/fixed.out" 2>"$work/fixed.err"
rc=$?
[ $rc -eq 0 ] || fail "the shrunk schedule fails even without the bug (exit $rc)"
echo "bug path: OK (shrunk schedule fails with the bug, passes without it)"
