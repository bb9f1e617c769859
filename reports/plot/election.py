"""Study 1: cumulative percent of trials against downtime (Figure 16)."""
import plotlib
from plotlib import plt

TOP = ["150-150", "150-151", "150-155", "150-175", "150-200", "150-300"]
BOTTOM = ["12-24", "25-50", "50-100", "100-200", "150-300"]


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/election.csv")
    by_line, censored = {}, {}
    for r in rows:
        by_line.setdefault(r["line"], []).append(int(r["downtime_us"]) / 1000.0)
        censored[r["line"]] = censored.get(r["line"], 0) + int(r["censored"])
    fig, axes = plt.subplots(2, 1, figsize=(8, 8))
    for ax, lines, title in ((axes[0], TOP, "randomness of the election timeout"),
                             (axes[1], BOTTOM, "scale of the election timeout")):
        for line in lines:
            if line not in by_line:
                continue
            xs, ys = plotlib.cdf_points(by_line[line])
            label = line + " ms"
            if censored[line]:
                label += " (%d of %d: no leader within the %.0f s cap)" % (
                    censored[line], len(xs), max(xs) / 1000.0)
            ax.step(xs, ys, where="post", label=label)
        ax.set_xscale("log")
        ax.set_xlim(left=10)
        ax.set_ylim(0, 100)
        ax.set_xlabel("time without leader (ms)")
        ax.set_ylabel("cumulative percent")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    plotlib.save(fig, out, "election")


main()
