#!/bin/bash
# bench.sh — raftd on loopback against raftsim's prediction (make bench-raftd).
#
# Starts a 3-node cluster on 127.0.0.1 (data in WORK), measures appends/s and
# latency percentiles with `raftctl bench` for 1 client / 1 in flight and
# 16 clients / 64 in flight (each client one request of 4 records at a time),
# reads the cluster's own figures (mean fdatasync time, the leader's mean
# AppendEntries round trip), and runs the same workload in raftsim with its
# network latency and fsync set to what was measured. Not a test: numbers.
#
# usage: bench.sh RAFTD RAFTCTL RAFTSIM WORK [SECONDS]
set -u
RAFTD=$1 RAFTCTL=$2 RAFTSIM=$3 WORK=$4 SECS=${5:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../tests/raftd/lib.sh"
N=3 OPTS="" DIR="$WORK"
BASE=$((30000 + ($$ % 300) * 100))
trap 'cluster_cleanup' EXIT
trap 'cluster_cleanup; exit 1' INT TERM
rm -rf "$DIR"
mkdir -p "$DIR"
start_cluster
l=$(leader) || { echo "bench: no leader" >&2; exit 1; }
ctl append --count 1000 --batch 100 >/dev/null 2>&1

real() { # CLIENTS BATCH -> the key=value line
    ctl --timeout $((SECS + 30)) bench --clients "$1" --batch "$2" --seconds "$SECS"
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

r1=$(real 1 1) || exit 1
r16=$(real 16 4) || exit 1
# fdatasync: the median of the leader's recent syncs; the network: half the
# median round trip of a small request (raftctl's ping before its load)
fsync_us=$(nstat "$l" store_sync_p50_us)
fsync90_us=$(nstat "$l" store_sync_p90_us)
fsyncmean_us=$(nstat "$l" store_sync_mean_us)
# a heavy tail like the disk's: pareto from 0.7 x the median, with its mean
fsync_min=$((fsync_us * 7 / 10))
[ "$fsync_min" -ge 1 ] || fsync_min=1
[ "$fsyncmean_us" -gt "$fsync_min" ] || fsyncmean_us=$((fsync_min + 1))
net_us=$(( $(field "$r1" ping_us) / 2 ))
[ "$net_us" -ge 10 ] || net_us=10

sim() { # CLIENTS OUTSTANDING -> raftsim's summary
    local scn="$DIR/sim-$1.scn" i
    {
        echo "# raftd bench, as measured: fsync ${fsync_us}us, one-way latency ${net_us}us"
        echo "nodes 3"
        echo "latency uniform $((net_us * 3 / 4))us $((net_us * 5 / 4))us"
        echo "fsync pareto ${fsync_min}us ${fsyncmean_us}us"
        for i in $(seq 1 "$1"); do
            echo "client c$i writer outstanding $2 payload 64 from 500ms"
        done
        echo "duration $((SECS + 1))s"
    } >"$scn"
    "$RAFTSIM" run "$scn" 2>&1
}
s1=$(sim 1 1)
s16=$(sim 16 4)
sim_rate() { echo "$1" | sed -n 's/.*acked writes \([0-9]*\).*/\1/p' | awk -v s="$SECS" '{ printf "%.0f", $1 / s }'; }
sim_pct() { echo "$1" | sed -n "s/.*ack latency ms: p50 \([0-9.]*\)  p90 \([0-9.]*\)  p99 \([0-9.]*\).*/\\$2/p"; }

{
echo "raftd on loopback (3 nodes, 64-byte records, ${SECS}s per row) against raftsim's prediction"
echo "measured: leader fdatasync p50 ${fsync_us} us, p90 ${fsync90_us} us, mean ${fsyncmean_us} us; client round trip p50 $(field "$r1" ping_us) us"
echo "=> raftsim: fsync pareto ${fsync_min}us ${fsyncmean_us}us (min, mean), latency uniform $((net_us * 3 / 4))-$((net_us * 5 / 4)) us"
echo
printf "%-34s %12s %9s %9s %9s   %12s %9s %9s %9s\n" workload "real ops/s" "p50 ms" "p90 ms" \
    "p99 ms" "sim ops/s" "p50 ms" "p90 ms" "p99 ms"
printf "%-34s %12s %9s %9s %9s   %12s %9s %9s %9s\n" "1 client, 1 in flight" \
    "$(field "$r1" appends_per_s)" "$(field "$r1" p50_ms)" "$(field "$r1" p90_ms)" \
    "$(field "$r1" p99_ms)" "$(sim_rate "$s1")" "$(sim_pct "$s1" 1)" "$(sim_pct "$s1" 2)" \
    "$(sim_pct "$s1" 3)"
printf "%-34s %12s %9s %9s %9s   %12s %9s %9s %9s\n" "16 clients, 64 in flight (4/req)" \
    "$(field "$r16" appends_per_s)" "$(field "$r16" p50_ms)" "$(field "$r16" p90_ms)" \
    "$(field "$r16" p99_ms)" "$(sim_rate "$s16")" "$(sim_pct "$s16" 1)" "$(sim_pct "$s16" 2)" \
    "$(sim_pct "$s16" 3)"
echo
echo "real: latency per request (16-client rows: a request carries 4 records); sim: per record."
echo "raw: $r1"
echo "raw: $r16"
} | tee "$DIR/results.txt"
