#!/bin/sh
# tests/report/check_plots_bites.sh [QUICKDIR] — prove reports/check_plots.py
# bites: break one plot script at a time (a copy in a scratch folder, one sed
# each), redraw that figure into a copy of a report (default
# build/report-quick, made by make test-report), and require check_plots.py
# to fail. Ends "N caught, 0 missed"; exit 1 if any break was missed or a
# sed no longer applies (a plot script changed: update the break).
# Not part of make test (a few CPU-seconds per break): run it after
# changing reports/plot/ or reports/check_plots.py.
set -u
cd "$(dirname "$0")/../.."
Q=${1:-build/report-quick}
PY=/usr/bin/python3
die() { echo "check_plots_bites: $*" >&2; exit 2; }
[ -f "$Q/latency.plot.json" ] || die "no report in $Q"
$PY reports/check_plots.py "$Q" 2>/dev/null || die "$Q fails unbroken"
caught=0 missed=0
brk() { # brk NAME SCRIPT SED-EXPR
    name=$1 script=$2 expr=$3
    d=$(mktemp -d)
    cp "$Q"/* "$d"/ && cp -r reports/plot "$d/plot"
    sed -i "$expr" "$d/plot/$script.py"
    if cmp -s "reports/plot/$script.py" "$d/plot/$script.py"; then
        echo "[$name] MISSED: the break no longer applies to $script.py"
        missed=$((missed + 1))
    elif ! $PY "$d/plot/$script.py" "$d" 2>"$d/plot.err"; then
        echo "[$name] MISSED: the broken plot crashed"; missed=$((missed + 1))
    elif $PY reports/check_plots.py "$d" 2>"$d/err"; then
        echo "[$name] MISSED: check_plots passed"; missed=$((missed + 1))
    else
        echo "[$name] caught: $(grep -m1 FAILED "$d/err" | cut -c1-150)"
        caught=$((caught + 1))
    fi
    rm -rf "$d"
}
brk latency-linear-y latency 's/ax.set_yscale("log")/ax.set_yscale("linear")/'
brk latency-cdf latency 's/plotlib.ccdf_points/plotlib.cdf_points/'
brk prevote-no-int-ticks prevote 's/plotlib.integer_ticks(ax.yaxis)/pass/'
brk availability-float-ticks availability \
    's/plotlib.integer_ticks(ax2.yaxis)/ax2.set_yticks([0, 2.5, 5])/'
brk election-cycle-colours election 's/(h,) = ax.step(/kw.pop("color"); &/'
brk prevote-alike prevote \
    's/plotlib.style(c, order=i, markevery=every)/dict(plotlib.style(c), linestyle="-", marker="")/'
brk availability-legend-inside availability \
    's/fig.legend(handles, labels, loc="lower/ax.legend(handles, labels, loc="upper/'
brk election-legend-inside election \
    's/loc="upper left", bbox_to_anchor=(1.01, 1.0)/loc="center"/'
brk compaction-loose-y compaction \
    's/ax.set_ylim(0, ax.dataLim.y1 \* 1.1)/ax.set_ylim(0, ax.dataLim.y1 * 2)/'
brk scale-not-from-zero scale \
    's/ax.set_ylim(0, max(/ax.set_ylim(0.9 * min(p[1] for p in pts), max(/'
brk spacetime-no-zoom spacetime \
    's/^WINDOW_MAX_MS = 45/WINDOW_MAX_MS = 2000/; s/TAIL_MS = 3, 12/TAIL_MS = 3, 900/'
brk spacetime-no-index-labels spacetime \
    's/ax.annotate("log %s %s" % (idx, terms)/ax.annotate(idx/'
echo "check_plots_bites: $caught caught, $missed missed"
[ "$missed" -eq 0 ]
