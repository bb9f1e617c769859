"""Study 2: commit latency CDFs, each with its lower bound."""
import plotlib
from plotlib import plt


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/latency.csv")
    summary = plotlib.read_csv(out + "/latency_summary.csv")
    by_setting = {}
    for r in rows:
        by_setting.setdefault(r["setting"], []).append(int(r["latency_us"]) / 1000.0)
    fig, ax = plt.subplots(figsize=(8, 5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, s in enumerate(summary):
        name, color = s["setting"], colors[i % len(colors)]
        if name not in by_setting:
            continue
        xs, ys = plotlib.cdf_points(by_setting[name])
        ax.step(xs, ys, where="post", color=color, label=name)
        ax.axvline(int(s["lower_bound_us"]) / 1000.0, color=color, linestyle=":",
                   linewidth=1)
    ax.set_xscale("log")
    ax.set_ylim(0, 100)
    ax.set_xlabel("commit latency (ms); dotted: lower bound = round trip + fsync")
    ax.set_ylabel("cumulative percent of writes")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    plotlib.save(fig, out, "latency")


main()
