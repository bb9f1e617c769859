"""Study 8: throughput and p99 latency over drop rate x partition frequency."""
import plotlib
from plotlib import plt


def grid(rows, key):
    drops = sorted({int(r["drop_pct"]) for r in rows})
    periods = sorted({int(r["partition_every_ms"]) for r in rows},
                     key=lambda p: (p != 0, -p))
    cells = {}
    for r in rows:
        k = (int(r["drop_pct"]), int(r["partition_every_ms"]))
        cells.setdefault(k, []).append(int(r[key]))
    z = [[sum(cells[(d, p)]) / len(cells[(d, p)]) for p in periods] for d in drops]
    return drops, periods, z


def panel(ax, fig, rows, key, title, scale, fmt, cmap, dark_low):
    drops, periods, z = grid(rows, key)
    z = [[v * scale for v in row] for row in z]
    im = ax.imshow(z, origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels(["never" if p == 0 else "%g s" % (p / 1000.0) for p in periods])
    ax.set_yticks(range(len(drops)))
    ax.set_yticklabels(["%d%%" % d for d in drops])
    ax.set_xlabel("a partition every")
    ax.set_ylabel("messages dropped")
    ax.set_title(title)
    vmax = max(max(row) for row in z) or 1
    for i, row in enumerate(z):
        for j, v in enumerate(row):
            ax.text(j, i, fmt % v, ha="center", va="center", fontsize=8,
                    color="white" if (v < 0.5 * vmax) == dark_low else "black")
    fig.colorbar(im, ax=ax)


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/heatmap.csv")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    panel(axes[0], fig, rows, "acked_per_s", "committed writes per second", 1, "%.0f",
          "viridis", True)
    panel(axes[1], fig, rows, "p99_us", "p99 commit latency (ms)", 0.001, "%.0f",
          "magma_r", False)
    fig.tight_layout()
    plotlib.save(fig, out, "heatmap")


main()
