"""Study 5: catch-up time and bytes sent for a follower down for T seconds,
with and without snapshots. T is a whole number of seconds: integer ticks."""
import plotlib
from plotlib import plt


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/compaction.csv")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    for i, snap in enumerate(("off", "on")):
        pts = sorted((int(r["down_s"]), int(r["catchup_us"]), int(r["bytes_sent"]))
                     for r in rows if r["snapshots"] == snap)
        if not pts:
            continue
        xs = [p[0] for p in pts]
        kw = plotlib.style("snapshots " + snap, order=i)
        axes[0].plot(xs, [p[1] / 1000.0 for p in pts], **kw)
        axes[1].plot(xs, [p[2] / 1e6 for p in pts], **kw)
    downs = sorted({int(r["down_s"]) for r in rows})
    for ax, ylabel in ((axes[0], "catch-up time (ms)"),
                       (axes[1], "bytes sent during catch-up (MB)")):
        ax.set_xlabel("time the follower was down (s)")
        ax.set_ylabel(ylabel)
        pad = 0.04 * (downs[-1] - downs[0] or 1)
        ax.set_xlim(downs[0] - pad, downs[-1] + pad)
        ax.set_ylim(0, ax.dataLim.y1 * 1.1)
        ax.set_xticks(downs)
        plotlib.integer_ticks(ax.xaxis)
        ax.set_xticks(downs)
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9)
    fig.suptitle("3 nodes, 1,000 writes/s of 256 B, links at 10 MB/s", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    plotlib.save(fig, out, "compaction")


main()
