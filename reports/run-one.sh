#!/bin/sh
# reports/run-one.sh NAME — run one study driver and draw its plots.
# Called by reports/run.sh (BUILD, REPORT_OUT, QUICK in the environment).
set -eu
name=$1
case " election latency throughput availability compaction prevote spacetime heatmap scale " in
    *" $name "*) ;;
    *) echo "report: unknown study '$name'" >&2; exit 2 ;;
esac
out=${REPORT_OUT:-reports/out}
bin=${BUILD:-build}/study_$name
[ -x "$bin" ] || { echo "report: $bin is missing (make study-bins)" >&2; exit 2; }
start=$(date +%s)
echo "[$name] running${QUICK:+ (quick)}" >&2
"$bin" ${QUICK:+--quick} "$out"
if [ -f "reports/plot/$name.gp" ]; then
    gnuplot -e "out='$out'" "reports/plot/$name.gp"
fi
if [ -f "reports/plot/$name.py" ]; then
    /usr/bin/python3 "reports/plot/$name.py" "$out"
fi
if [ "$name" = spacetime ]; then
    /usr/bin/python3 tools/trace2chrome.py "$out/spacetime.jsonl" "$out/spacetime.chrome.json"
fi
echo "[$name] done in $(( $(date +%s) - start )) s" >&2
