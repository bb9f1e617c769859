"""Study 6: terms and leader changes over time, PreVote x CheckQuorum.

The four runs share every panel; runs that behave alike draw identical
curves, so each configuration has its own line style and markers (placed
at different times per run, and largest for the first drawn) and every
overlap stays visible. All three quantities are integers: integer ticks."""
import plotlib
from plotlib import plt

CUT_MS, HEAL_MS = 2000, 8000


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/prevote.csv")
    configs = []
    series = {}
    for r in rows:
        c = r["config"]
        if c not in series:
            configs.append(c)
            series[c] = {"t": [], "term": [], "changes": [], "leader": []}
        s = series[c]
        s["t"].append(int(r["t_ms"]) / 1000.0)
        s["term"].append(int(r["max_term"]))
        s["changes"].append(int(r["leader_changes"]))
        s["leader"].append(int(r["leader"]))
    fig, axes = plt.subplots(3, 1, figsize=(10.5, 9), sharex=True)
    for i, c in enumerate(configs):
        s = series[c]
        n = len(s["t"])
        every = (n // 16 * i // max(len(configs), 1), max(n // 16, 1))
        for ax, key in zip(axes, ("term", "changes", "leader")):
            ax.step(s["t"], s[key], where="post", **plotlib.style(c, order=i, markevery=every))
    axes[0].set_ylabel("highest term")
    axes[1].set_ylabel("leader changes\n(cumulative)")
    axes[2].set_ylabel("leader id (0 = none)")
    axes[2].set_xlabel("virtual time (s)")
    t_max = max(max(s["t"]) for s in series.values())
    for ax in axes:
        ax.axvspan(CUT_MS / 1000.0, HEAL_MS / 1000.0, color="grey", alpha=0.12,
                   gid="ref:partition")
        ax.grid(True, alpha=0.3)
        plotlib.integer_ticks(ax.yaxis)
        lo, hi = ax.dataLim.y0, ax.dataLim.y1
        pad = max(0.5, 0.05 * (hi - lo))
        ax.set_ylim(lo - pad, hi + pad)
    axes[0].set_xlim(0, t_max)
    axes[0].set_title("one follower cut off from the leader (shaded), still reaching the others")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    plotlib.save(fig, out, "prevote")


main()
