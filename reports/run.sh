#!/bin/sh
# reports/run.sh STUDY... — run the named studies (in parallel, REPORT_JOBS at
# a time), plot each, then write the page reports/out/index.html.
# Environment: BUILD (build folder with the study_* binaries), QUICK (1 = fewer
# trials), REPORT_OUT (output folder), REPORT_JOBS.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPORT_OUT=${REPORT_OUT:-reports/out}
REPORT_JOBS=${REPORT_JOBS:-2}
QUICK=${QUICK:-}
[ "$QUICK" = 0 ] && QUICK=
export BUILD REPORT_OUT QUICK
mkdir -p "$REPORT_OUT"
start=$(date +%s)
printf '%s\n' "$@" | xargs -n1 -P"$REPORT_JOBS" reports/run-one.sh
/usr/bin/python3 reports/make_page.py "$REPORT_OUT" ${QUICK:+--quick}
echo "report: $* done in $(( $(date +%s) - start )) s; open $REPORT_OUT/index.html" >&2
