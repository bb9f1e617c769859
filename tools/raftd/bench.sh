#!/bin/bash
# bench.sh — raftd on loopback against raftsim's prediction (make bench-raftd).
#
# Starts a 3-node cluster on 127.0.0.1 (data in WORK) and, for two workloads
# — 1 client / 1 append in flight, and 16 clients / 64 in flight (each client
# one request of 4 records at a time) — measures appends/s and latency
# percentiles with `raftctl bench`, reads what the leader's disk did during
# that run (its last 1024 fdatasync times: median, p90, mean) and the network
# (half the median round trip of a small request), then runs the same
# workload in raftsim with fsync `pareto 0.7*median mean` (a heavy tail, like
# the disk's) and that one-way latency. Not a test: numbers. The table goes
# to stdout and WORK/results.txt, and as CSV to WORK/reality.csv (the report's
# simulation-vs-reality section).
#
# usage: bench.sh RAFTD RAFTCTL RAFTSIM WORK [SECONDS]
set -u
RAFTD=$1 RAFTCTL=$2 RAFTSIM=$3 WORK=$4 SECS=${5:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../tests/raftd/lib.sh"
N=3 OPTS="" DIR="$WORK"
pick_base || { echo "bench: no free port range" >&2; exit 1; }
trap 'cluster_cleanup' EXIT
trap 'cluster_cleanup; exit 1' INT TERM
rm -rf "$DIR"
mkdir -p "$DIR"
start_cluster
l=$(leader) || { echo "bench: no leader" >&2; exit 1; }
ctl append --count 1000 --batch 100 >/dev/null 2>&1

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# row CLIENTS BATCH LABEL: one workload, real then simulated; prints a row.
row() {
    local r p50 p90 mean min net scn sim i
    r=$(ctl --timeout $((SECS + 30)) bench --clients "$1" --batch "$2" --seconds "$SECS") ||
        { echo "bench: raftctl bench failed" >&2; return 1; }
    p50=$(nstat "$l" store_sync_p50_us) p90=$(nstat "$l" store_sync_p90_us)
    mean=$(nstat "$l" store_sync_recent_mean_us)
    min=$((p50 * 7 / 10))
    [ "$min" -ge 1 ] || min=1
    [ "$mean" -gt "$min" ] || mean=$((min + 1))
    net=$(($(field "$r" ping_us) / 2))
    [ "$net" -ge 10 ] || net=10
    scn="$DIR/sim-$1x$2.scn"
    {
        echo "# raftd bench row '$3' as measured: fsync p50 ${p50}us p90 ${p90}us mean ${mean}us"
        echo "nodes 3"
        echo "latency uniform $((net * 3 / 4))us $((net * 5 / 4))us"
        echo "fsync pareto ${min}us ${mean}us"
        for i in $(seq 1 "$1"); do
            echo "client c$i writer outstanding $2 payload 64 from 500ms"
        done
        echo "duration $((SECS + 1))s"
    } >"$scn"
    sim=$("$RAFTSIM" run "$scn" 2>&1)
    printf "%-26s %9s %7s %7s %8s  %9s %7s %7s %7s   fsync p50/p90/mean %s/%s/%s us, net %s us\n" \
        "$3" "$(field "$r" appends_per_s)" "$(field "$r" p50_ms)" "$(field "$r" p90_ms)" \
        "$(field "$r" p99_ms)" \
        "$(echo "$sim" | sed -n 's/.*acked writes \([0-9]*\).*/\1/p' |
            awk -v s="$SECS" '{ printf "%.0f", $1 / s }')" \
        "$(echo "$sim" | sed -n 's/.*ack latency ms: p50 \([0-9.]*\).*/\1/p')" \
        "$(echo "$sim" | sed -n 's/.*ack latency ms:.*p90 \([0-9.]*\).*/\1/p')" \
        "$(echo "$sim" | sed -n 's/.*ack latency ms:.*p99 \([0-9.]*\)  p99.9.*/\1/p')" \
        "$p50" "$p90" "$mean" "$net"
    echo "raw: $r" >>"$DIR/raw.txt"
    printf '"%s",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$3" "$(field "$r" appends_per_s)" \
        "$(field "$r" p50_ms)" "$(field "$r" p90_ms)" "$(field "$r" p99_ms)" \
        "$(echo "$sim" | sed -n 's/.*acked writes \([0-9]*\).*/\1/p' |
            awk -v s="$SECS" '{ printf "%.0f", $1 / s }')" \
        "$(echo "$sim" | sed -n 's/.*ack latency ms: p50 \([0-9.]*\).*/\1/p')" \
        "$(echo "$sim" | sed -n 's/.*ack latency ms:.*p90 \([0-9.]*\).*/\1/p')" \
        "$(echo "$sim" | sed -n 's/.*ack latency ms:.*p99 \([0-9.]*\)  p99.9.*/\1/p')" \
        "$p50" "$p90" "$mean" "$net" >>"$DIR/reality.csv"
}

echo "workload,real_per_s,real_p50_ms,real_p90_ms,real_p99_ms,sim_per_s,sim_p50_ms,sim_p90_ms,\
sim_p99_ms,fsync_p50_us,fsync_p90_us,fsync_mean_us,net_us" >"$DIR/reality.csv"
{
    echo "raftd on loopback (3 nodes, 64-byte records, ${SECS}s per row) against raftsim's prediction"
    echo "for the same workload with fsync and network as measured during the row"
    echo
    printf "%-26s %9s %7s %7s %8s  %9s %7s %7s %7s\n" workload "real/s" p50ms p90ms p99ms \
        "sim/s" p50ms p90ms p99ms
    row 1 1 "1 client, 1 in flight" || exit 1
    row 16 4 "16 clients, 64 in flight" || exit 1
    echo
    echo "real latency is per request (the 16-client row's requests carry 4 records each),"
    echo "simulated latency per record; scenarios in $DIR/sim-*.scn, raw figures in raw.txt"
} | tee "$DIR/results.txt"
