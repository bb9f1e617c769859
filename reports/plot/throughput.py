"""Study 3: committed throughput and median latency against offered load, on
a FIFO network (top) and one that reorders 10% of messages (bottom).

Six configurations (batching x window) keep their colours in all four
panels; the batched ones commit everything offered and lie on top of each
other and of the diagonal, so they differ in marker and line style, nested
marker sizes keep each visible, and the legend sits below the panels."""
import plotlib
from plotlib import plt

NETWORKS = (("fifo", "FIFO links: one-way delay 0.5-1.5 ms"),
            ("reorder", "10% of messages held back up to 2 ms: they get overtaken"))
CONFIGS = [("off", "1"), ("off", "4"), ("off", "16"), ("on", "1"), ("on", "4"), ("on", "16")]


def fit_log(ax, xs, ys):
    ax.set_xlim(min(xs) / 1.3, max(xs) * 1.3)
    ax.set_ylim(min(ys) / 1.3, max(ys) * 1.3)


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/throughput.csv")
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.6))
    for row, (net, title) in zip(axes, NETWORKS):
        ax_t, ax_l = row
        all_x, all_t, all_l = [], [], []
        for i, (b, w) in enumerate(CONFIGS):
            pts = sorted((int(r["offered_per_s"]), int(r["acked_per_s"]), int(r["p50_us"]))
                         for r in rows
                         if r["network"] == net and r["batching"] == b and r["window"] == w)
            if not pts:
                continue
            xs = [p[0] for p in pts]
            name = "batching %s, window %s" % (b, w)
            order = i % 3 if b == "on" else 0
            ax_t.plot(xs, [p[1] for p in pts], **plotlib.style(name, order=order))
            ax_l.plot(xs, [p[2] / 1000.0 for p in pts], **plotlib.style(name, order=order))
            all_x += xs
            all_t += [p[1] for p in pts]
            all_l += [p[2] / 1000.0 for p in pts]
        lo, hi = min(all_x), max(all_x)
        ax_t.plot([lo, hi], [lo, hi], color=plotlib.REF_COLOR, linewidth=0.8,
                  linestyle=(0, (4, 3)), label="offered = committed", gid="ref:diagonal",
                  zorder=1)
        fit_log(ax_t, all_x, all_t + [lo, hi])
        fit_log(ax_l, all_x, all_l)
        for ax, ylabel in ((ax_t, "committed writes/s"), (ax_l, "median commit latency (ms)")):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("offered load (writes/s, log scale)")
            ax.set_ylabel(ylabel + " (log)")
            ax.grid(True, which="both", alpha=0.25)
            plotlib.log_labels(ax.xaxis)
            plotlib.log_labels(ax.yaxis)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8.5)
    fig.suptitle("3 nodes, fsync 1 ms, one open-loop writer", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    plotlib.save(fig, out, "throughput")


main()
