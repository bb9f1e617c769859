#!/bin/sh
# reports/check-browser.sh [OUTDIR] — make report-check: load OUTDIR/index.html
# in headless Chromium, assert that every image loaded (the page's inline
# script marks each <img> data-loaded="yes|no"), and save a screenshot
# OUTDIR/screenshot.png.
set -eu
out=${1:-reports/out}
page=$(cd "$out" && pwd)/index.html
[ -f "$page" ] || { echo "report-check: $page missing: run make report first" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "report-check: chromium not found" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
run() {
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --virtual-time-budget=10000 "$@" "file://$page" \
        2>"$profile/stderr.txt"
}
run --dump-dom > "$profile/dom.html" || { cat "$profile/stderr.txt" >&2; exit 1; }
imgs=$(grep -o '<img ' "$profile/dom.html" | wc -l)
yes=$(grep -o 'data-loaded="yes"' "$profile/dom.html" | wc -l)
no=$(grep -o 'data-loaded="no"' "$profile/dom.html" | wc -l)
echo "report-check: $yes of $imgs images loaded" >&2
[ "$imgs" -gt 0 ] || { echo "report-check: FAILED: the page has no images" >&2; exit 1; }
[ "$no" -eq 0 ] && [ "$yes" -eq "$imgs" ] || {
    echo "report-check: FAILED: images not loaded:" >&2
    grep -o '<img [^>]*data-loaded="no"[^>]*>' "$profile/dom.html" >&2 || true
    exit 1
}
run --screenshot="$out/screenshot.png" --window-size=1280,6000 --hide-scrollbars \
    || { cat "$profile/stderr.txt" >&2; exit 1; }
[ "$(head -c 8 "$out/screenshot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    || { echo "report-check: FAILED: no screenshot" >&2; exit 1; }
echo "report-check: ok; screenshot in $out/screenshot.png" >&2
