"""Study 2: commit latency tails: one CCDF per network on log-log axes.

y is the percent of writes slower than x, on a log scale, so the tail is
spread out: the p99 is where a curve crosses the 1% line (marked with a dot
from latency_summary.csv), the p90 where it crosses 10%. Each network's
lower bound (round trip + fsync) is a triangle of its colour on the top edge."""
import plotlib
from plotlib import plt
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter


def pct(v, _pos=None):
    return ("%g" % v) + "%"


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/latency.csv")
    summary = plotlib.read_csv(out + "/latency_summary.csv")
    by_setting = {}
    for r in rows:
        by_setting.setdefault(r["setting"], []).append(int(r["latency_us"]) / 1000.0)
    fig, ax = plt.subplots(figsize=(9, 5.2))
    ax.set_gid("latency-ccdf")
    lo_y, xs_all, bounds_seen = 100.0, [], {}
    drawn = [s for s in summary if s["setting"] in by_setting]
    for i, s in enumerate(drawn):
        name = s["setting"]
        xs, ys = plotlib.ccdf_points(by_setting[name])
        lo_y, xs_all = min(lo_y, ys[-1]), xs_all + xs + [int(s["lower_bound_us"]) / 1000.0]
        kw = plotlib.style(name, order=i, markevery=(0.02 + 0.035 * i, 0.18))
        ax.step(xs, ys, where="post", **kw)
        color = kw["color"]
        p99 = int(s["p99_us"]) / 1000.0
        ax.plot([p99], [1.0], marker="o", color=color, markersize=6, linestyle="none",
                gid="p99:" + name)
        bound = int(s["lower_bound_us"]) / 1000.0
        stacked = bounds_seen.get(bound, 0)  # networks sharing a bound: nested triangles
        bounds_seen[bound] = stacked + 1
        ax.plot([bound], [1.0], marker="v", color=color, markersize=13 - 4 * stacked,
                linestyle="none", transform=ax.get_xaxis_transform(), clip_on=False,
                gid="bound:" + name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(min(xs_all) / 1.15, max(xs_all) * 1.15)
    ax.set_ylim(lo_y / 2.0, 100 * 1.3)
    for level, text in ((1.0, "p99"), (10.0, "p90"), (50.0, "p50")):
        ax.axhline(level, color=plotlib.REF_COLOR, linewidth=0.8, linestyle=(0, (4, 3)),
                   gid="ref:" + text)
        ax.annotate(text, (1.0, level), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                    color=plotlib.REF_COLOR)
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=10))
    ax.yaxis.set_major_formatter(FuncFormatter(pct))
    plotlib.log_labels(ax.xaxis, "235")
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("commit latency x (ms, log scale); triangles on the top edge: lower bound "
                  "= round trip + fsync")
    ax.set_ylabel("writes slower than x (percent, log scale)")
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", axis="x", alpha=0.15)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(plt.Line2D([], [], marker="o", color="black", linestyle="none"))
    labels.append("its p99 (from the summary)")
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.745, 0.93), fontsize=8,
               title="network", title_fontsize=8)
    fig.tight_layout(rect=(0, 0, 0.745, 1))
    plotlib.save(fig, out, "latency")


main()
