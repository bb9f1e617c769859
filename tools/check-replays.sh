#!/bin/sh
# check-replays.sh — every replay file a sweep or explore wrote must replay to
# the trace hash (and event count) its header records: run and replay take
# the same events. Prints one line per file that does not, then a count.
#
#   tools/check-replays.sh RAFTSIM DIR|FILE...
#
# RAFTSIM must be the build that wrote the files (a `make bugs` build for
# files with a `# bug:` line). Crash files (no recorded hash) are skipped.
# Exit status: 0 every file reproduced, 1 one did not, 2 usage.
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 RAFTSIM DIR|FILE..." >&2
    exit 2
fi
bin=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-replays.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

find "$@" -name '*.replay' -type f | sort >"$tmp/files"
same=0 differ=0 skipped=0
while IFS= read -r f; do
    want=$(sed -n 's/^# trace-hash: \(0x[0-9a-f]*\).*/\1/p' "$f" | head -n 1)
    events=$(sed -n 's/^# events: \([0-9]*\).*/\1/p' "$f" | head -n 1)
    if [ -z "$want" ]; then
        skipped=$((skipped + 1))
        continue
    fi
    "$bin" replay "$f" -q >"$tmp/out" 2>/dev/null
    got=$(sed -n 's/.*trace-hash: \(0x[0-9a-f]*\).*/\1/p' "$tmp/out" | head -n 1)
    got_events=$(sed -n 's/.*events: \([0-9]*\).*/\1/p' "$tmp/out" | head -n 1)
    if [ "$got" = "$want" ] && [ "$got_events" = "$events" ] &&
        grep -q 'trace hash matches the recorded one' "$tmp/out"; then
        same=$((same + 1))
    else
        differ=$((differ + 1))
        printf 'DIFFER  %s  recorded %s (%s events), replayed %s (%s events)\n' "$f" "$want" \
            "$events" "${got:--}" "${got_events:--}"
    fi
done <"$tmp/files"
echo "$same replay files reproduce their trace hash and events, $differ do not" \
    "($skipped without a recorded hash skipped)"
[ $differ -eq 0 ]
