#!/bin/bash
# cluster_test.sh — raftd on a real (loopback) network: each test starts its
# own 3-node cluster on 127.0.0.1, drives it with raftctl, injects a fault
# (kill -9, a torn or corrupt file, a partition) and checks the outcome.
# Every wait is bounded in tries and time; every process is killed on exit.
#
# usage: cluster_test.sh RAFTD RAFTCTL WORKDIR [TEST...]
set -u
RAFTD=$1 RAFTCTL=$2 WORK=$3
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
N=3
# Ports: each test picks a free random range (pick_base, lib.sh), so
# concurrent runs (other worktrees) do not collide.
BASE=0
PASSED=0 FAILED=0 FAILS=""
DIR=""
trap 'cluster_cleanup' EXIT
trap 'cluster_cleanup; exit 1' INT TERM

fail() { echo "    FAIL: $*"; return 1; }

# begin NAME [raftd options]: a fresh directory and port range for one test.
begin() {
    cluster_cleanup
    RELAY=0
    DIR="$WORK/$1"
    rm -rf "$DIR"
    mkdir -p "$DIR"
    pick_base || { echo "    no free port range" >&2; return 1; }
    OPTS="${2:-}"
}

# acked_all_present ACKED QUERY: every acknowledged record is in the query
# output once (no loss, no duplicate from a retry).
acked_all_present() {
    local missing dups
    missing=$(cut -f2 "$1" | sort | comm -23 - <(cut -f2 "$2" | sort))
    [ -z "$missing" ] || { fail "acknowledged but lost: $(echo "$missing" | head -3)"; return 1; }
    dups=$(cut -f2 "$2" | sort | uniq -d | head -3)
    [ -z "$dups" ] || { fail "stored twice: $dups"; return 1; }
}

# acked_where_stored ACKED QUERY: every acknowledged record is stored at the
# index its acknowledgement named (both files are `INDEX<tab>TEXT` lines).
acked_where_stored() {
    local wrong
    wrong=$(comm -23 <(sort "$1") <(sort "$2") | head -3 | tr '\t\n' ': ')
    [ -z "$wrong" ] || { fail "acknowledged at an index that does not hold it (index:text): $wrong"; return 1; }
}

# session_exactly_once QUERY_LONG COUNT: the one session's sequence numbers
# are 1..COUNT, each stored once, in increasing log order (exactly-once
# retries, thesis §6.3; FIFO order of one client's requests).
session_exactly_once() {
    awk -F'\t' -v n="$2" '
        { if ($3 != ++want || $1 <= last) { print "seq " $3 " at index " $1 ", want seq " want; bad = 1; exit }
          last = $1 }
        END { if (!bad && want != n) { print want " records, want " n; bad = 1 } exit bad }' "$1" ||
        { fail "session history: $(awk -F'\t' -v n="$2" '{ if ($3 != ++w) { print "seq " $3 " at index " $1 ", want " w; exit } }' "$1")"; return 1; }
}

test_elects_and_commits_10000_appends() {
    begin elect
    start_cluster
    local l
    l=$(leader) || { fail "no leader elected"; return 1; }
    echo "    leader n$l"
    ctl append --count 10000 --batch 500 --prefix rec >/dev/null 2>"$DIR/append.err" ||
        { fail "append: $(cat "$DIR/append.err")"; return 1; }
    cat "$DIR/append.err"
    ctl query >"$DIR/query.txt" 2>/dev/null || { fail "query failed"; return 1; }
    [ "$(wc -l <"$DIR/query.txt")" -eq 10000 ] || { fail "$(wc -l <"$DIR/query.txt") records"; return 1; }
    [ "$(cut -f2 "$DIR/query.txt" | sort -u | wc -l)" -eq 10000 ] || { fail "duplicates"; return 1; }
    wait_for 100 converged || fail "the nodes did not converge"
}

# Append in the background, recording each acknowledged record. raftctl
# itself is the background job (not a shell function), so $! is its pid.
bg_append() { # COUNT BATCH PREFIX
    "$RAFTCTL" --cluster "$(cluster_list)" --timeout 60 --history "$DIR/history" append \
        --count "$1" --batch "$2" --prefix "$3" --print-acked >"$DIR/acked.txt" \
        2>"$DIR/append.err" &
    APPENDER=$!
    echo $APPENDER >>"$DIR/all.pids"
}

# Queries in the background, recorded in the history: COUNT reads, 0.1 s apart.
bg_reads() {
    (for i in $(seq "$1"); do
        "$RAFTCTL" --cluster "$(cluster_list)" --timeout 5 --request-timeout 500 \
            --history "$DIR/history" query --last 1 >/dev/null 2>&1
        sleep 0.1
    done) &
    READER=$!
    echo $READER >>"$DIR/all.pids"
}

# check_history: the simulator's history checker (sim/world/history.h) over every
# recorded operation and the records now stored.
check_history() {
    [ -x "${HISTCHECK:-}" ] || { fail "HISTCHECK is not set to build/raftd_histcheck"; return 1; }
    ctl query --long >"$DIR/stored.txt" 2>/dev/null || { fail "query failed"; return 1; }
    "$HISTCHECK" "$DIR/stored.txt" "$DIR/history" >"$DIR/histcheck.out" 2>&1 ||
        { fail "$(cat "$DIR/histcheck.out")"; return 1; }
    sed 's/^/    /' "$DIR/histcheck.out"
}

acked_at_least() { [ "$(wc -l <"$DIR/acked.txt")" -ge "$1" ]; }

test_leader_kill9_during_writes_loses_no_acknowledged_append() {
    begin leaderkill
    start_cluster
    local l rc
    l=$(leader) || { fail "no leader"; return 1; }
    bg_append 3000 10 k
    bg_reads 20
    wait_for 100 acked_at_least 200 || { kill $APPENDER; fail "no progress"; return 1; }
    kill9 "$l"
    echo "    killed leader n$l after $(wc -l <"$DIR/acked.txt") acks"
    wait $APPENDER
    rc=$?
    [ $rc -eq 0 ] || { fail "raftctl exit $rc: $(cat "$DIR/append.err")"; return 1; }
    cat "$DIR/append.err"
    [ "$(wc -l <"$DIR/acked.txt")" -eq 3000 ] || { fail "not all acknowledged"; return 1; }
    ctl query >"$DIR/query.txt" 2>/dev/null || { fail "query failed"; return 1; }
    acked_all_present "$DIR/acked.txt" "$DIR/query.txt" || return 1
    acked_where_stored "$DIR/acked.txt" "$DIR/query.txt" || return 1
    ctl query --long >"$DIR/query-long.txt" 2>/dev/null || { fail "query failed"; return 1; }
    session_exactly_once "$DIR/query-long.txt" 3000 || return 1
    wait $READER
    check_history || return 1
    start_node "$l"
    wait_for 100 converged || fail "the restarted node did not catch up"
}

# copies_proposed LEADER N: the leader's log holds N uncommitted entries.
copies_proposed() {
    local last commit
    last=$(nstat "$1" last) commit=$(nstat "$1" commit)
    [ -n "$last" ] && [ -n "$commit" ] && [ $((last - commit)) -ge "$2" ]
}

# retried LEADER: a retry of the 10-record batch reached the leader: it
# waited for the first copies (appends_joined), or proposed them again (20
# uncommitted entries, what raftd did before core/pending.h was used).
retried() {
    local joined
    joined=$(nstat "$1" appends_joined)
    [ "${joined:-0}" -ge 10 ] || copies_proposed "$1" 20
}

test_batch_retried_before_it_commits_is_proposed_once_and_acknowledged_where_stored() {
    # A batch that cannot commit (the leader hears no follower) is sent
    # again after raftctl's request timeout. The leader still holds the first
    # copies above its applied index, so it must not propose them again
    # (core/pending.h): the retry waits for them, and once the leader hears
    # its followers again it is answered with the indexes where the first
    # copies are stored. Long election timeouts: the leader keeps leading
    # while deaf.
    begin retrybatch "--allow-faults --election-timeout 3s,4s --heartbeat 100ms"
    start_cluster
    local l rc last commit
    l=$(leader) || { fail "no leader"; return 1; }
    ctl append before >/dev/null 2>&1 || { fail "append"; return 1; }
    wait_for 100 converged || { fail "no convergence before the fault"; return 1; }
    # the leader drops what its peers send (bits 1..3): it replicates, never commits
    ctl --node "$l" fault --drop-in 14 --drop-out 0 || { fail "fault"; return 1; }
    "$RAFTCTL" --cluster "$(cluster_list)" --node "$l" --timeout 30 --request-timeout 1000 \
        append --count 10 --batch 10 --prefix r --print-acked >"$DIR/acked.txt" \
        2>"$DIR/append.err" &
    APPENDER=$!
    echo $APPENDER >>"$DIR/all.pids"
    wait_for 100 retried "$l" || { kill $APPENDER; fail "the batch was not retried"; return 1; }
    last=$(nstat "$l" last) commit=$(nstat "$l" commit)
    echo "    n$l after the retry: last $last, commit $commit, appends_joined $(nstat "$l" appends_joined)"
    [ $((last - commit)) -eq 10 ] ||
        { kill $APPENDER; fail "$((last - commit)) uncommitted entries for a 10-record batch: proposed again"; return 1; }
    ctl --node "$l" fault --drop-in 0 --drop-out 0 || { fail "heal"; return 1; }
    wait $APPENDER
    rc=$?
    [ $rc -eq 0 ] || { fail "raftctl exit $rc: $(cat "$DIR/append.err")"; return 1; }
    ctl query >"$DIR/query.txt" 2>/dev/null || { fail "query failed"; return 1; }
    # no second copy reached the log buffer; the retry's records joined the first
    [ "$(nstat "$l" duplicates)" = 0 ] && [ "$(nstat "$l" appends_joined)" -ge 10 ] ||
        { fail "n$l: $(nstat "$l" duplicates) duplicates applied, $(nstat "$l" appends_joined) records joined; want 0, >= 10"; return 1; }
    echo "    acked at: $(cut -f1 "$DIR/acked.txt" | tr '\n' ' ')"
    # the first copies' indexes: the 10 entries after the committed ones
    [ "$(cut -f1 "$DIR/acked.txt" | tr '\n' ' ')" = "$(seq $((commit + 1)) "$last" | tr '\n' ' ')" ] ||
        { fail "acknowledged at other indexes than the first copies' ($((commit + 1))..$last)"; return 1; }
    acked_all_present "$DIR/acked.txt" "$DIR/query.txt" || return 1
    acked_where_stored "$DIR/acked.txt" "$DIR/query.txt"
}

test_full_cluster_kill9_and_restart_recovers_every_acknowledged_append() {
    # snapshots every 500 entries: recovery reads a snapshot and a log suffix
    begin fullkill "--snapshot-every 500 --snapshot-keep 50"
    start_cluster
    leader >/dev/null || { fail "no leader"; return 1; }
    bg_append 5000 20 f
    wait_for 100 acked_at_least 1000 || { kill $APPENDER; fail "no progress"; return 1; }
    local i
    for i in 1 2 3; do kill9 "$i"; done
    kill $APPENDER 2>/dev/null
    wait $APPENDER 2>/dev/null
    echo "    killed all three after $(wc -l <"$DIR/acked.txt") acks"
    start_cluster
    leader >/dev/null || { fail "no leader after the restart"; return 1; }
    ctl query >"$DIR/query.txt" 2>/dev/null || { fail "query failed"; return 1; }
    acked_all_present "$DIR/acked.txt" "$DIR/query.txt" || return 1
    grep -q "recovered term .* snapshot [1-9]" "$DIR/n1.log" ||
        { fail "n1 recovered no snapshot"; return 1; }
    echo "    $(wc -l <"$DIR/query.txt") records recovered;$(grep -h "store: recovered term [1-9]" "$DIR/n1.log" | sed 's/.*recovered/ n1 recovered/')"
}

newest_segment() { ls "$DIR/n$1"/log-* | sort | tail -1; }

test_torn_last_record_is_truncated_at_restart() {
    begin torn
    start_cluster
    leader >/dev/null || { fail "no leader"; return 1; }
    ctl append --count 100 --batch 10 >/dev/null 2>&1 || { fail "append"; return 1; }
    wait_for 100 converged || { fail "no convergence"; return 1; }
    kill9 3
    local seg size
    seg=$(newest_segment 3)
    size=$(stat -c %s "$seg")
    # A crash in the middle of a write: a record header announcing 200 bytes,
    # and only 30 of them on disk. Never synced, so never acknowledged.
    { printf '\310\000\000\000\001\002\003\004'; printf 'x%.0s' $(seq 30); } >>"$seg"
    start_node 3
    wait_for 50 grep -q "torn write at the tail" "$DIR/n3.log" ||
        { fail "no torn-tail message"; return 1; }
    grep "torn write" "$DIR/n3.log" | sed 's/^/    /'
    grep -q "truncated 38 bytes at offset $size" "$DIR/n3.log" ||
        { fail "not the 38 torn bytes at offset $size"; return 1; }
    ! grep -q "$(printf 'x%.0s' $(seq 30))" "$seg" || { fail "the torn bytes are still there"; return 1; }
    ctl append again >/dev/null 2>&1 || { fail "append after restart"; return 1; }
    wait_for 100 converged || fail "node 3 did not catch up after the truncation"
}

test_corrupt_middle_record_stops_the_node() {
    begin corrupt
    start_cluster
    leader >/dev/null || { fail "no leader"; return 1; }
    ctl append --count 100 --batch 10 >/dev/null 2>&1 || { fail "append"; return 1; }
    wait_for 100 converged || { fail "no convergence"; return 1; }
    kill9 2
    local seg size pid rc
    seg=$(newest_segment 2)
    size=$(stat -c %s "$seg")
    # flip one bit of a byte in the middle of the segment
    printf "$(printf '\\%03o' $(($(od -An -tu1 -j $((size / 2)) -N1 "$seg") ^ 8)))" |
        dd of="$seg" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    start_node 2
    pid=$(node_pid 2)
    wait_for 50 exited "$pid" || { fail "node 2 kept running"; return 1; }
    wait "$pid"
    rc=$?
    [ $rc -eq 1 ] || { fail "exit status $rc, want 1"; return 1; }
    grep -q "corruption in the middle" "$DIR/n2.log" || { fail "no corruption message"; return 1; }
    grep "corruption" "$DIR/n2.log" | sed 's/^/    /'
    [ "$(stat -c %s "$seg")" -eq "$size" ] || fail "the damaged segment was modified"
}

test_partitioned_leader_does_not_report_unacknowledged_appends_as_committed() {
    # long election timeouts: the cut-off leader must still lead when the
    # appends reach it, however slow the machine is to start raftctl
    begin partition "--allow-faults --election-timeout 1s,2s --heartbeat 100ms"
    start_cluster
    local l last commit rc
    l=$(leader) || { fail "no leader"; return 1; }
    ctl append before >/dev/null 2>&1 || { fail "append"; return 1; }
    # cut the leader off from both peers, in both directions (bits 1..3)
    ctl --node "$l" fault --drop-in 14 --drop-out 14 || { fail "fault"; return 1; }
    ctl --node "$l" --timeout 3 append lost1 lost2 lost3 >"$DIR/lost.out" 2>&1
    rc=$?
    [ $rc -eq 1 ] || { fail "append at the cut-off leader: exit $rc, want 1"; return 1; }
    [ ! -s "$DIR/lost.out" ] || grep -q "no leader answered" "$DIR/lost.out" ||
        { fail "unexpected: $(cat "$DIR/lost.out")"; return 1; }
    last=$(nstat "$l" last) commit=$(nstat "$l" commit)
    echo "    cut-off n$l: last $last, commit $commit"
    [ $((last - commit)) -ge 3 ] || { fail "the lost appends were not in its log"; return 1; }
    ctl append after >/dev/null 2>&1 || { fail "the majority does not serve appends"; return 1; }
    ctl --node "$l" fault --drop-in 0 --drop-out 0 || { fail "heal"; return 1; }
    wait_for 100 converged || { fail "no convergence after healing"; return 1; }
    ctl query >"$DIR/query.txt" 2>/dev/null || { fail "query"; return 1; }
    ! grep -q "lost" "$DIR/query.txt" || { fail "an unacknowledged append committed"; return 1; }
    grep -q "after" "$DIR/query.txt" || { fail "the majority's append is missing"; return 1; }
    grep -q "log truncated" "$DIR/n$l.log" || fail "the old leader kept its uncommitted entries"
}

test_follower_down_past_a_snapshot_catches_up_by_install_snapshot() {
    begin snapshot "--snapshot-every 200 --snapshot-keep 20"
    start_cluster
    local l f
    l=$(leader) || { fail "no leader"; return 1; }
    f=$((l % 3 + 1))
    ctl append --count 10 >/dev/null 2>&1 || { fail "append"; return 1; }
    kill9 "$f"
    ctl append --count 1000 --batch 50 >/dev/null 2>&1 || { fail "append without n$f"; return 1; }
    start_node "$f"
    wait_for 100 converged || { fail "n$f did not catch up"; return 1; }
    [ "$(nstat "$f" snapshots_installed)" -ge 1 ] || { fail "no snapshot installed"; return 1; }
    echo "    n$f installed a snapshot at $(nstat "$f" snapshot_index)"
}

test_paused_leader_is_replaced_and_steps_down_without_losing_acknowledged_appends() {
    begin pause
    start_cluster
    local l l2 rc
    l=$(leader) || { fail "no leader"; return 1; }
    bg_append 2000 10 p
    wait_for 100 acked_at_least 200 || { kill $APPENDER; fail "no progress"; return 1; }
    kill -STOP "$(node_pid "$l")"
    echo "    paused leader n$l after $(wc -l <"$DIR/acked.txt") acks"
    # the other two elect a leader of a later term while n$l sleeps
    wait_for 100 new_leader_seen $((l % 3 + 1)) "$l" ||
        { kill -CONT "$(node_pid "$l")"; fail "no new leader while n$l was paused"; return 1; }
    sleep 0.5
    kill -CONT "$(node_pid "$l")"
    wait $APPENDER
    rc=$?
    [ $rc -eq 0 ] || { fail "raftctl exit $rc: $(cat "$DIR/append.err")"; return 1; }
    l2=$(leader) || { fail "no leader after resuming"; return 1; }
    [ "$l2" != "$l" ] || [ "$(nstat "$l" term)" -gt 1 ] || { fail "no new term"; return 1; }
    ctl query >"$DIR/query.txt" 2>/dev/null || { fail "query failed"; return 1; }
    acked_all_present "$DIR/acked.txt" "$DIR/query.txt" || return 1
    [ "$(wc -l <"$DIR/query.txt")" -eq 2000 ] || { fail "$(wc -l <"$DIR/query.txt") records, want 2000"; return 1; }
    wait_for 100 converged || fail "the resumed node did not converge"
}

test_leadership_transfer_moves_the_leader_and_appends_continue() {
    begin transfer
    start_cluster
    local l t
    l=$(leader) || { fail "no leader"; return 1; }
    t=$((l % 3 + 1))
    ctl append one >/dev/null 2>&1 || { fail "append"; return 1; }
    ctl transfer "$t" || { fail "transfer refused"; return 1; }
    wait_for 50 is_leader "$t" ||
        { fail "n$t did not become the leader"; return 1; }
    ctl append two >/dev/null 2>&1 || { fail "append after the transfer"; return 1; }
    [ "$(ctl query 2>/dev/null | cut -f2 | tr '\n' ' ')" = "one two " ] || fail "records: $(ctl query 2>/dev/null)"
}

test_leader_cut_off_one_way_is_replaced_and_rejoins() {
    begin oneway --allow-faults
    start_cluster
    local l
    l=$(leader) || { fail "no leader"; return 1; }
    ctl append before >/dev/null 2>&1 || { fail "append"; return 1; }
    # the leader still hears its peers but nothing it sends arrives
    ctl --node "$l" fault --drop-in 0 --drop-out 14 || { fail "fault"; return 1; }
    ctl append during >/dev/null 2>&1 || { fail "no append while the leader is cut off"; return 1; }
    [ "$(nstat "$l" role)" != leader ] || [ "$(ctl leader 2>/dev/null)" != "$l" ] ||
        { fail "n$l still leads"; return 1; }
    ctl --node "$l" fault --drop-in 0 --drop-out 0 || { fail "heal"; return 1; }
    ctl append after >/dev/null 2>&1 || { fail "append after healing"; return 1; }
    wait_for 100 converged || { fail "no convergence"; return 1; }
    [ "$(ctl query 2>/dev/null | cut -f2 | tr '\n' ' ')" = "before during after " ] ||
        fail "records: $(ctl query 2>/dev/null | cut -f2 | tr '\n' ' ')"
}

test_appends_survive_a_lossy_slow_network_and_a_relay_partition() {
    [ -x "${RAFTRELAY:-}" ] || { fail "RAFTRELAY is not set to build/raftrelay"; return 1; }
    begin relay
    RELAY=1
    start_relay
    faults "all drop 5 delay 2"
    start_cluster
    local l
    l=$(leader) || { fail "no leader over a lossy network"; return 1; }
    bg_append 1000 10 n
    bg_reads 20
    wait_for 200 acked_at_least 300 || { kill $APPENDER; fail "no progress"; return 1; }
    # the leader's links, both ways: a partition, on top of the loss and delay
    faults "all drop 5 delay 2" "$l-$((l % 3 + 1)) cut on" "$l-$(((l + 1) % 3 + 1)) cut on" \
        "$((l % 3 + 1))-$l cut on" "$(((l + 1) % 3 + 1))-$l cut on"
    echo "    partitioned leader n$l after $(wc -l <"$DIR/acked.txt") acks"
    wait_for 100 new_leader_seen $((l % 3 + 1)) "$l" || { fail "no new leader"; return 1; }
    faults "all drop 5 delay 2"
    wait $APPENDER || { fail "raftctl: $(cat "$DIR/append.err")"; return 1; }
    faults ""
    ctl query >"$DIR/query.txt" 2>/dev/null || { fail "query failed"; return 1; }
    acked_all_present "$DIR/acked.txt" "$DIR/query.txt" || return 1
    ctl query --long >"$DIR/query-long.txt" 2>/dev/null || { fail "query failed"; return 1; }
    session_exactly_once "$DIR/query-long.txt" 1000 || return 1
    wait $READER
    check_history || return 1
    wait_for 100 converged || fail "no convergence after healing"
}

ALL=$(declare -F | sed -n 's/^declare -f \(test_.*\)/\1/p')
for t in ${*:-$ALL}; do
    echo "== raftd: ${t#test_}"
    t0=$(date +%s.%N)
    if "$t"; then
        PASSED=$((PASSED + 1))
        echo "    PASS ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
    else
        FAILED=$((FAILED + 1))
        FAILS="$FAILS ${t#test_}"
        ctl --timeout 5 status >"$DIR/status.txt" 2>&1
        echo "    logs and status.txt in $DIR"
    fi
    cluster_cleanup
done
echo "raftd cluster tests: $PASSED passed, $FAILED failed${FAILS:+ (}${FAILS# }${FAILS:+)}"
[ "$FAILED" -eq 0 ]
