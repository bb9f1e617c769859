#!/bin/sh
# reports/run-one.sh NAME — run one study driver and draw its plots.
# Called by reports/run.sh (BUILD, REPORT_OUT, QUICK in the environment).
set -eu
name=$1
out=${REPORT_OUT:-reports/out}
# reality: a real raftd cluster on loopback beside the simulation's prediction
# (tools/raftd/bench.sh). Wall-clock numbers, so not in a QUICK report, whose
# CSVs must be identical from run to run.
if [ "$name" = reality ]; then
    if [ -n "${QUICK:-}" ]; then
        echo "[reality] skipped: QUICK reports hold only reproducible figures" >&2
        exit 0
    fi
    b=${BUILD:-build}
    tools/raftd/bench.sh "$b/raftd" "$b/raftctl" "$b/raftsim" "$out/reality-work" \
        "${REALITY_SECONDS:-5}" >&2
    cp "$out/reality-work/reality.csv" "$out/reality.csv"
    exit 0
fi
case " election latency throughput availability compaction prevote spacetime heatmap scale " in
    *" $name "*) ;;
    *) echo "report: unknown study '$name'" >&2; exit 2 ;;
esac
bin=${BUILD:-build}/study_$name
[ -x "$bin" ] || { echo "report: $bin is missing (make study-bins)" >&2; exit 2; }
start=$(date +%s)
echo "[$name] running${QUICK:+ (quick)}" >&2
"$bin" ${QUICK:+--quick} "$out"
# Every plot is matplotlib through reports/plot/plotlib.py, which also writes
# NAME.plot.json for reports/check_plots.py.
/usr/bin/python3 "reports/plot/$name.py" "$out"
if [ "$name" = spacetime ]; then
    /usr/bin/python3 tools/trace2chrome.py "$out/spacetime.jsonl" "$out/spacetime.chrome.json"
fi
echo "[$name] done in $(( $(date +%s) - start )) s" >&2
