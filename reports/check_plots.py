"""Check the report's plots: make report-check and make test-report run this.

Usage: /usr/bin/python3 reports/check_plots.py OUTDIR

reports/plot/plotlib.py's save() writes, beside every NAME.png, NAME.plot.json:
the figure read back from its matplotlib artists after drawing (each axes'
scales, limits and ticks, every line's colour, marker, style and drawn path
in pixels, bars, bands, arrows, texts, legends), with the PNG's SHA-256.
This script tests the rules of issue 19 part 4 on those descriptions:

  png      the description belongs to the PNG next to it (same SHA-256);
  colour   every series is a configuration from plotlib.CONFIGS drawn in that
           configuration's colour (the same in every panel and figure), and
           every legend entry shows the colour of its series; no line takes
           its colour from the cycle (every line names what it is: gid);
  overlap  two series whose drawn paths coincide (half the pixels of one lie
           on the other) differ in line style or marker;
  integer  on a linear axis where every plotted value is an integer, every
           tick is an integer;
  legend   no legend box covers a drawn line point, bar, band, image or arrow;
  fit      series lie inside their axes (none clipped) and fill them: at most
           15% empty at either end of an axis, except below a linear axis
           that starts at zero;
  study rules: the latency plot is a CCDF (falling curves) on log-log axes
           whose view holds the 1% (p99) level; the scale study's axes all
           start at zero; the space-time diagram has zoom panels where every
           message arrow is slanted (at least 1 px across per 4 px down) and
           the terms and log indices are labelled.
Exit status 1 with one line per broken rule; 0 and a summary otherwise."""
import hashlib
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plot"))
import plotlib  # noqa: E402  (for CONFIGS, the fixed colour of each configuration)

STUDIES = ["election", "latency", "throughput", "availability", "compaction", "prevote",
           "spacetime", "heatmap", "scale"]
GAP_MAX = 0.15          # at most this fraction of an axis empty at either end
COINCIDE = 0.5          # this fraction of a path's pixels on another path: they coincide
SLANT_MIN = 0.25        # a message arrow's |dx| / |dy| in pixels, at least

errors = []
counts = {}


def fail(name, rule, msg):
    errors.append("%s: %s: %s" % (name, rule, msg))


def ok(rule):
    counts[rule] = counts.get(rule, 0) + 1


def axes_name(ax):
    return ax.get("gid") or ax.get("title") or ax.get("ylabel") or "axes %d" % ax["index"]


def densify(points, step=1.0):
    """Points along a polyline, at most `step` pixels apart."""
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if any(math.isnan(v) for v in (x0, y0, x1, y1)):
            continue
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n)]
    if points and not any(math.isnan(v) for v in points[-1]):
        out.append(tuple(points[-1]))
    return out


def cfg_name(gid):
    return gid[4:] if gid and gid.startswith("cfg:") else None


def series(ax):
    return [ln for ln in ax["lines"] if cfg_name(ln["gid"]) and len(ln["display"]) > 0]


# ---- generic rules ----

def check_colours(name, fig):
    for ax in fig["axes"]:
        for ln in ax["lines"]:
            if not ln["gid"]:
                fail(name, "colour", "%s: line %r names no configuration or reference (gid): "
                     "its colour would come from the cycle" % (axes_name(ax), ln["label"]))
        for art in ax["lines"] + ax["patches"]:
            cfg = cfg_name(art["gid"])
            if cfg is None:
                continue
            want = plotlib.CONFIGS.get(cfg, (None,))[0]
            if want is None:
                fail(name, "colour", "configuration %r is not in plotlib.CONFIGS" % cfg)
            elif art["color"] != want:
                fail(name, "colour", "%s: %r drawn in %s, its colour is %s" % (
                    axes_name(ax), cfg, art["color"], want))
            else:
                ok("colour")
    for lg in fig["legends"]:
        for e in lg["entries"]:
            cfg = max((c for c in plotlib.CONFIGS if e["text"].startswith(c)), key=len,
                      default=None)
            if cfg is None or e["color"] is None:
                continue
            if e["color"] != plotlib.CONFIGS[cfg][0]:
                fail(name, "colour", "legend entry %r in %s, its series is %s" % (
                    e["text"], e["color"], plotlib.CONFIGS[cfg][0]))
            else:
                ok("colour")


def pixels(ln):
    return {(int(x // 2), int(y // 2)) for x, y in densify(ln["display"], 0.7)}


def check_overlap(name, fig):
    for ax in fig["axes"]:
        lines = [ln for ln in series(ax) if len(ln["display"]) > 1]
        pix = [pixels(ln) for ln in lines]
        for i in range(len(lines)):
            for j in range(i + 1, len(lines)):
                a, b = pix[i], pix[j]
                if not a or not b or len(a & b) < COINCIDE * min(len(a), len(b)):
                    continue
                la, lb = lines[i], lines[j]
                has_marker = la["marker"] not in ("None", "", " ") and \
                    lb["marker"] not in ("None", "", " ")
                if la["linestyle"] == lb["linestyle"] and not (
                        has_marker and la["marker"] != lb["marker"]):
                    fail(name, "overlap", "%s: %r and %r coincide (%d%% of pixels) and are "
                         "drawn alike (style %s, marker %s)" % (
                             axes_name(ax), la["label"], lb["label"],
                             100 * len(a & b) // min(len(a), len(b)), la["linestyle"],
                             la["marker"]))
                else:
                    ok("overlap")


def is_int(v):
    return abs(v - round(v)) < 1e-6


def check_integer(name, fig):
    for ax in fig["axes"]:
        for k, axis in ((0, "x"), (1, "y")):
            if ax[axis + "scale"] != "linear":
                continue
            vals = [p[k] for ln in series(ax) if ln["data"] for p in ln["data"]]
            for pa in ax["patches"]:
                if cfg_name(pa["gid"]) and pa["data"]:
                    vals += [pa["data"][k], pa["data"][k + 2]]
            vals = [v for v in vals if not math.isnan(v)]
            if len(vals) < 2 or not all(is_int(v) for v in vals):
                continue
            bad = [t for t in ax[axis + "ticks"] if not is_int(t)]
            if bad:
                fail(name, "integer", "%s: integer data on %s but ticks at %s" % (
                    axes_name(ax), axis, ", ".join("%g" % t for t in bad)))
            else:
                ok("integer")


def inside(p, box):
    return box[0] < p[0] < box[2] and box[1] < p[1] < box[3]


def intersect(a, b):
    box = [max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])]
    return box if box[0] < box[2] and box[1] < box[3] else None


def check_legends(name, fig):
    for lg in fig["legends"]:
        covered = []
        for ax in fig["axes"]:
            box = intersect(lg["bbox"], ax["bbox"])
            if box is None:
                continue
            for ln in ax["lines"]:
                if any(inside(p, box) for p in densify(ln["display"], 1.0)):
                    covered.append("line %r" % (ln["gid"] or ln["label"]))
            for art in ax["patches"] + ax["images"]:
                if not (art.get("gid") or "").startswith("ref:") and \
                        intersect(art["display"], box):
                    covered.append("patch/image %r" % art.get("label"))
            for c in ax["collections"]:
                if any(intersect(b, box) for b in c["display"]):
                    covered.append("band %r" % c["gid"])
            for a in ax["arrows"]:
                if any(inside(p, box) for p in densify(a["display"], 1.0)):
                    covered.append("arrow %r" % a["gid"])
        if covered:
            first = [e["text"].split("\n")[0] for e in lg["entries"]][:3]
            fail(name, "legend", "legend %s covers %s" % (
                first, ", ".join(sorted(set(covered))[:4])))
        else:
            ok("legend")


def check_fit(name, fig):
    for ax in fig["axes"]:
        if (ax["gid"] or "").startswith("zoom:"):
            continue  # a zoom shows part of the data by design
        pts = [p for ln in series(ax) for p in ln["display"] if not math.isnan(p[0] + p[1])]
        for pa in ax["patches"]:
            if cfg_name(pa["gid"]):
                d = pa["display"]
                pts += [(d[0], d[1]), (d[2], d[3])]
        if not pts:
            continue
        box = ax["bbox"]
        for k, axis in ((0, "x"), (1, "y")):
            lo, hi = box[k], box[k + 2]
            dmin, dmax = min(p[k] for p in pts), max(p[k] for p in pts)
            span = hi - lo
            if dmin < lo - 1.5 or dmax > hi + 1.5:
                fail(name, "fit", "%s: data beyond the %s axis (%g..%g px, axis %g..%g)" % (
                    axes_name(ax), axis, dmin, dmax, lo, hi))
                continue
            vlo = ax[axis + "lim"][0]
            zero_based = ax[axis + "scale"] == "linear" and vlo == 0
            gap_lo = 0 if zero_based else (dmin - lo) / span
            gap_hi = (hi - dmax) / span
            if gap_lo > GAP_MAX or gap_hi > GAP_MAX:
                fail(name, "fit", "%s: %s axis %d%% empty below and %d%% above the data "
                     "(at most %d%%)" % (axes_name(ax), axis, 100 * gap_lo, 100 * gap_hi,
                                         100 * GAP_MAX))
            else:
                ok("fit")


# ---- study rules ----

def check_latency(fig):
    axs = [ax for ax in fig["axes"] if ax["gid"] == "latency-ccdf"]
    if not axs:
        return fail("latency", "ccdf", "no axes with gid latency-ccdf")
    ax = axs[0]
    if ax["xscale"] != "log" or ax["yscale"] != "log":
        fail("latency", "ccdf", "axes are %s-%s, not log-log" % (ax["xscale"], ax["yscale"]))
    lo, hi = sorted(ax["ylim"])
    if not lo < 1.0 <= hi:
        fail("latency", "ccdf", "y view %g..%g percent does not hold the 1%% (p99) level"
             % (lo, hi))
    n = 0
    for ln in series(ax):
        ys = [p[1] for p in ln["data"]]
        if any(b > a + 1e-9 for a, b in zip(ys, ys[1:])):
            fail("latency", "ccdf", "%r rises: a CDF, not a CCDF" % ln["label"])
        if ys and ys[0] < 99.999:
            fail("latency", "ccdf", "%r starts at %g%%, not 100%%" % (ln["label"], ys[0]))
        n += 1
    if n == 0:
        fail("latency", "ccdf", "no latency series drawn")
    ok("ccdf")


def check_scale(fig):
    for ax in fig["axes"]:
        for axis in ("x", "y"):
            if ax[axis + "scale"] != "linear" or ax[axis + "lim"][0] != 0:
                fail("scale", "zero", "%s: %s axis starts at %g, not 0" % (
                    axes_name(ax), axis, ax[axis + "lim"][0]))
            else:
                ok("zero")


def check_spacetime(fig):
    zooms = [ax for ax in fig["axes"] if (ax["gid"] or "").startswith("zoom:")]
    if not zooms:
        fail("spacetime", "zoom", "no zoom panel (axes gid zoom:*)")
    for ax in fig["axes"]:
        for a in ax["arrows"]:
            if not (a["gid"] or "").startswith("msg:"):
                continue
            (x0, y0), (x1, y1) = a["display"]
            dx, dy = abs(x1 - x0), abs(y1 - y0)
            if dy > 1 and dx / dy < SLANT_MIN:
                fail("spacetime", "zoom", "%s: a %s arrow is near vertical (%.1f px across, "
                     "%.1f px down)" % (axes_name(ax), a["gid"][4:], dx, dy))
                break
        else:
            if ax in zooms:
                ok("zoom")
    for ax in zooms:
        if not any(a["gid"] and a["gid"].startswith("msg:") for a in ax["arrows"]):
            fail("spacetime", "zoom", "%s draws no message" % axes_name(ax))
        texts = [t["text"] for t in ax["texts"]]
        if not any(re.search(r"\bt\d+$", t) for t in texts):
            fail("spacetime", "labels", "%s: no term label (\"leader t1\")" % axes_name(ax))
        if not any(re.match(r"log \d+(-\d+)? t\d+", t) for t in texts):
            fail("spacetime", "labels", "%s: no log index label (\"log 2 t1\")"
                 % axes_name(ax))
        ok("labels")


STUDY_RULES = {"latency": check_latency, "scale": check_scale, "spacetime": check_spacetime}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_plots.py OUTDIR")
    out = sys.argv[1]
    if not any(os.path.exists(os.path.join(out, n + ".plot.json")) for n in STUDIES):
        sys.exit("check_plots: no plots in %s: run make report (or QUICK=1) first" % out)
    for name in STUDIES:
        path = os.path.join(out, name + ".plot.json")
        png = os.path.join(out, name + ".png")
        if not os.path.exists(path) or not os.path.exists(png):
            fail(name, "png", "%s or %s missing" % (png, path))
            continue
        with open(path) as f:
            fig = json.load(f)
        with open(png, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != fig.get("png_sha256"):
                fail(name, "png", "%s does not describe %s (stale?)" % (path, png))
                continue
        ok("png")
        for rule in (check_colours, check_overlap, check_integer, check_legends, check_fit):
            rule(name, fig)
        if name in STUDY_RULES:
            STUDY_RULES[name](fig)
    summary = ", ".join("%s %d" % (k, v) for k, v in sorted(counts.items()))
    if errors:
        for e in errors:
            print("check_plots: FAILED: " + e, file=sys.stderr)
        print("check_plots: %d rule failures (checks passed: %s)" % (len(errors), summary),
              file=sys.stderr)
        sys.exit(1)
    print("check_plots: %d plots ok (%s)" % (len(STUDIES), summary), file=sys.stderr)


main()
