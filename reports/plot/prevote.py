"""Study 6: terms and leader changes over time, PreVote x CheckQuorum."""
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
    fig, axes = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
    for c in configs:
        s = series[c]
        axes[0].step(s["t"], s["term"], where="post", label=c)
        axes[1].step(s["t"], s["changes"], where="post", label=c)
        axes[2].step(s["t"], s["leader"], where="post", label=c)
    axes[0].set_ylabel("highest term")
    axes[1].set_ylabel("leader changes (cumulative)")
    axes[2].set_ylabel("leader id (0 = none)")
    axes[2].set_xlabel("virtual time (s)")
    for ax in axes:
        ax.axvspan(CUT_MS / 1000.0, HEAL_MS / 1000.0, color="grey", alpha=0.12)
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    axes[0].set_title("one follower cut off from the leader (shaded), still reaching the others")
    fig.tight_layout()
    plotlib.save(fig, out, "prevote")


main()
