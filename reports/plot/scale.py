"""Study 9: simulator scale (wall-clock figures from scale_wall.csv).

Every axis starts at zero, so growth reads as a proportion; cluster sizes,
durations and whole milliseconds of wall time get integer ticks."""
import plotlib
from plotlib import plt


def panel(ax, rows, sweep, xcol, ycol, yscale, xlabel, ylabel, integer_y):
    pts = sorted((int(r[xcol]), int(r[ycol]) * yscale) for r in rows if r["sweep"] == sweep)
    ax.plot([p[0] for p in pts], [p[1] for p in pts],
            **plotlib.style(sweep + " sweep"))
    ax.set_xlim(0, max(p[0] for p in pts) * 1.05)
    ax.set_ylim(0, max(max(p[1] for p in pts) * 1.1, 1))
    plotlib.integer_ticks(ax.xaxis)
    if integer_y:
        plotlib.integer_ticks(ax.yaxis)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/scale_wall.csv")
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    panel(axes[0][0], rows, "nodes", "nodes", "wall_ms", 1, "cluster size (nodes)",
          "wall time (ms)", True)
    panel(axes[0][1], rows, "nodes", "nodes", "events_per_s", 1e-6, "cluster size (nodes)",
          "events per second (millions)", False)
    panel(axes[1][0], rows, "nodes", "nodes", "peak_rss_kb", 1 / 1024.0,
          "cluster size (nodes)", "peak memory (MB)", False)
    panel(axes[1][1], rows, "duration", "duration_s", "wall_ms", 1,
          "virtual duration (s), 5 nodes", "wall time (ms)", True)
    fig.suptitle("simulator cost (wall clock; differs between machines and runs)", fontsize=10)
    fig.tight_layout()
    plotlib.save(fig, out, "scale")


main()
