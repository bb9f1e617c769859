"""Helpers shared by the plot scripts (run with /usr/bin/python3).

Every figure of the report is drawn with matplotlib through these helpers:
- one fixed colour (and marker and line style) per configuration, the same
  in every panel and every figure (CONFIGS; `style(name)`), never the
  colour cycle;
- `save` writes NAME.png, NAME.svg and NAME.plot.json: a description of the
  figure read back from its matplotlib artists after drawing (axes, scales,
  limits, ticks, every series' colour and drawn path in pixels, legends),
  which reports/check_plots.py (make report-check, make test-report) tests.
"""
import csv
import hashlib
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import cbook  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Reproducible SVGs: no random ids, no dates.
matplotlib.rcParams["svg.hashsalt"] = "raftsim"
matplotlib.rcParams["font.size"] = 10
DPI = 110

# Configuration -> (colour, marker, line style). A configuration keeps its
# colour wherever it is drawn; configurations whose curves can coincide
# differ in marker and line style as well, so an overlap stays visible.
CONFIGS = {
    # study 1: election timeout ranges (ms); 150-300 is in both panels
    "150-150": ("#7f7f7f", "o", "-"),
    "150-151": ("#d62728", "s", "-"),
    "150-155": ("#ff7f0e", "^", "-"),
    "150-175": ("#2ca02c", "v", "-"),
    "150-200": ("#1f77b4", "D", "--"),
    "150-300": ("#9467bd", "o", ":"),
    "12-24": ("#17becf", "s", "-"),
    "25-50": ("#bcbd22", "^", "-"),
    "50-100": ("#8c564b", "v", "-"),
    "100-200": ("#e377c2", "D", "-"),
    # study 2: networks
    "1ms": ("#1f77b4", "o", "-"),
    "4-6ms": ("#ff7f0e", "s", "-"),
    "4-6ms drop 1%": ("#2ca02c", "^", "--"),
    "4-6ms drop 5%": ("#d62728", "v", "-."),
    "pareto 2ms mean 5ms": ("#9467bd", "D", "-"),
    # study 3: batching x window
    "batching off, window 1": ("#a6cee3", "o", "-"),
    "batching off, window 4": ("#1f78b4", "s", "-"),
    "batching off, window 16": ("#08306b", "^", "-"),
    "batching on, window 1": ("#fdbf6f", "o", "--"),
    "batching on, window 4": ("#ff7f00", "s", "--"),
    "batching on, window 16": ("#b15928", "^", "--"),
    # study 5
    "snapshots off": ("#1f78b4", "o", "-"),
    "snapshots on": ("#e31a1c", "s", "--"),
    # study 6: PreVote x CheckQuorum (two of them coincide in quiet runs)
    "prevote=off checkquorum=off": ("#1f77b4", "o", "-"),
    "prevote=on checkquorum=off": ("#ff7f0e", "s", "-"),
    "prevote=off checkquorum=on": ("#2ca02c", "^", "--"),
    "prevote=on checkquorum=on": ("#d62728", "x", ":"),
    # single-series studies
    "committed writes": ("#1f78b4", "", "-"),
    "leader id": ("#33a02c", "", "-"),
    "nodes sweep": ("#6a3d9a", "o", "-"),
    "duration sweep": ("#b15928", "s", "-"),
}
# Reference lines (bounds, diagonals, levels): grey, never a configuration.
REF_COLOR = "#555555"
# Marker sizes for series drawn on top of each other: the first drawn is the
# largest, so every marker of a stack stays visible.
MARKER_SIZES = [9, 6.5, 4.5, 3]


def style(name, order=0, markevery=None):
    """Keyword arguments for plot/step: the configuration's fixed colour,
    marker, line style and label; gid "cfg:NAME" lets check_plots find it."""
    if name not in CONFIGS:
        raise KeyError("plotlib.CONFIGS has no colour for configuration %r" % name)
    color, marker, ls = CONFIGS[name]
    kw = dict(color=color, linestyle=ls, label=name, gid="cfg:" + name, linewidth=1.6)
    if marker:
        kw.update(marker=marker, markersize=MARKER_SIZES[order % len(MARKER_SIZES)],
                  markerfacecolor="none" if marker != "x" else color, markeredgewidth=1.2)
        if markevery is not None:
            kw["markevery"] = markevery
    return kw


def integer_ticks(axis):
    """Integer quantities (counts, ids, terms, whole seconds) get integer ticks."""
    axis.set_major_locator(MaxNLocator(integer=True))


def log_labels(axis, minor_digits="25"):
    """Plain numbers on a log axis: every decade, and the minor ticks whose
    leading digit is in minor_digits (so a short range still has labels)."""
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: "%g" % v))
    axis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _p: "%g" % v if ("%g" % v)[0] in minor_digits else ""))


def outdir():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUTDIR" % sys.argv[0])
    return sys.argv[1]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def save(fig, out, name):
    """Write OUT/name.png, OUT/name.svg and OUT/name.plot.json."""
    png = os.path.join(out, name + ".png")
    fig.savefig(png, dpi=DPI, metadata={"Software": None})
    fig.savefig(os.path.join(out, name + ".svg"), metadata={"Date": None})
    fig.set_dpi(DPI)
    fig.canvas.draw()
    desc = describe(fig)
    with open(png, "rb") as f:
        desc["png_sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(out, name + ".plot.json"), "w") as f:
        json.dump(desc, f, separators=(",", ":"))
    plt.close(fig)


def cdf_points(values):
    """Sorted values and the cumulative percent at each, for a step CDF."""
    xs = sorted(values)
    n = len(xs)
    return xs, [100.0 * (i + 1) / n for i in range(n)]


def ccdf_points(values):
    """Sorted values and the percent of values >= each (100 down to 100/n)."""
    xs = sorted(values)
    n = len(xs)
    return xs, [100.0 * (n - i) / n for i in range(n)]


# ---- the figure's description, read back from its artists ----

def _r(v):
    return round(float(v), 6)


def _bbox(b):
    return [_r(b.x0), _r(b.y0), _r(b.x1), _r(b.y1)]


def _color(c):
    return matplotlib.colors.to_hex(c, keep_alpha=False) if c is not None else None


def _line(ax, ln):
    x, y = ln.get_xdata(orig=False), ln.get_ydata(orig=False)
    import numpy as np
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ds = ln.get_drawstyle()
    if ds and ds != "default" and len(x):
        x, y = cbook.STEP_LOOKUP_MAP[ds](x, y)
    pts = np.column_stack([x, y])
    disp = ln.get_transform().transform(pts) if len(pts) else pts
    in_data = ln.get_transform() == ax.transData
    return {
        "label": ln.get_label(), "gid": ln.get_gid(),
        "color": _color(ln.get_color()), "marker": str(ln.get_marker()),
        "linestyle": ln.get_linestyle(), "visible": ln.get_visible(),
        "data": [[_r(a), _r(b)] for a, b in zip(ln.get_xdata(orig=False),
                                                 ln.get_ydata(orig=False))] if in_data else None,
        "display": [[_r(a), _r(b)] for a, b in disp],
    }


def _patch(ax, p, renderer):
    d = {"label": p.get_label(), "gid": p.get_gid(), "color": _color(p.get_facecolor()),
         "display": _bbox(p.get_window_extent(renderer)), "data": None}
    if p.get_transform() == ax.transData or (
            hasattr(p, "get_data_transform") and p.get_data_transform() == ax.transData):
        ext = p.get_extents()  # display
        inv = ax.transData.inverted()
        (x0, y0), (x1, y1) = inv.transform([[ext.x0, ext.y0], [ext.x1, ext.y1]])
        d["data"] = [_r(x0), _r(y0), _r(x1), _r(y1)]
    return d


def _collection(ax, c):
    out = []
    trans = c.get_transform()
    for path in c.get_paths():
        verts = trans.transform(path.vertices)
        if len(verts):
            out.append([_r(verts[:, 0].min()), _r(verts[:, 1].min()),
                        _r(verts[:, 0].max()), _r(verts[:, 1].max())])
    return {"label": c.get_label(), "gid": c.get_gid(), "display": out,
            "in_data": trans == ax.transData}


def _arrow(ax, a):
    if a.arrow_patch is None:
        return None
    (x1, y1), (x0, y0) = a.xy, a.xyann
    disp = ax.transData.transform([[x0, y0], [x1, y1]])
    return {"gid": a.get_gid(), "color": _color(a.arrow_patch.get_edgecolor()),
            "data": [[_r(x0), _r(y0)], [_r(x1), _r(y1)]],
            "display": [[_r(v) for v in p] for p in disp]}


def _ticks(axis, lo, hi):
    lo, hi = min(lo, hi), max(lo, hi)
    eps = 1e-9 * (hi - lo)
    locs = [t for t in axis.get_majorticklocs() if lo - eps <= t <= hi + eps]
    labels = [t.get_text() for t in axis.get_majorticklabels()
              if t.get_visible() and t.get_text()]
    return [_r(t) for t in locs], labels


def _legend(lg, renderer):
    entries = []
    for text, h in zip(lg.get_texts(), getattr(lg, "legend_handles", None) or lg.legendHandles):
        e = {"text": text.get_text(), "color": None, "marker": None, "linestyle": None}
        if hasattr(h, "get_color") and not hasattr(h, "get_facecolor"):
            e.update(color=_color(h.get_color()), marker=str(h.get_marker()),
                     linestyle=h.get_linestyle())
        elif hasattr(h, "get_facecolor"):
            fc = h.get_facecolor()
            e["color"] = _color(fc[0] if hasattr(fc, "ndim") and fc.ndim == 2 else fc)
        entries.append(e)
    return {"bbox": _bbox(lg.get_window_extent(renderer)), "entries": entries}


def describe(fig):
    renderer = fig.canvas.get_renderer()
    axes = []
    legends = [_legend(lg, renderer) for lg in fig.legends]
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        xt, xtl = _ticks(ax.xaxis, *xlim)
        yt, ytl = _ticks(ax.yaxis, *ylim)
        arrows = [a for a in (_arrow(ax, t) for t in ax.texts
                              if isinstance(t, matplotlib.text.Annotation)) if a]
        axes.append({
            "index": i, "gid": ax.get_gid(), "title": ax.get_title(),
            "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "bbox": _bbox(ax.get_window_extent(renderer)),
            "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
            "xlim": [_r(v) for v in xlim], "ylim": [_r(v) for v in ylim],
            "xticks": xt, "xticklabels": xtl, "yticks": yt, "yticklabels": ytl,
            "lines": [_line(ax, ln) for ln in ax.lines],
            "patches": [_patch(ax, p, renderer) for p in ax.patches],
            "collections": [_collection(ax, c) for c in ax.collections],
            "images": [{"display": _bbox(im.get_window_extent(renderer))}
                       for im in ax.images],
            "arrows": arrows,
            "texts": [{"text": t.get_text(), "gid": t.get_gid()} for t in ax.texts
                      if t.get_text()],
        })
        if ax.get_legend() is not None:
            legends.append(_legend(ax.get_legend(), renderer))
    w, h = fig.canvas.get_width_height()
    return {"width": w, "height": h, "axes": axes, "legends": legends}
