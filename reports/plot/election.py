"""Study 1: cumulative percent of trials against downtime (Figure 16).

Trials that reached the driver's cap without a leader are not drawn at the
cap (they would stretch the axis to 20 minutes): such a line stops short of
100% and its legend entry says how many trials it is missing. Each timeout
range keeps one colour in both panels (150-300 is in both); the curves that
bunch together differ in line style and marker as well."""
import plotlib
from plotlib import plt

TOP = ["150-150", "150-151", "150-155", "150-175", "150-200", "150-300"]
BOTTOM = ["12-24", "25-50", "50-100", "100-200", "150-300"]


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/election.csv")
    by_line, censored, cap = {}, {}, 0
    for r in rows:
        line = r["line"]
        by_line.setdefault(line, [])
        censored.setdefault(line, 0)
        if int(r["censored"]):
            censored[line] += 1
            cap = max(cap, int(r["downtime_us"]) / 1e6)
        else:
            by_line[line].append(int(r["downtime_us"]) / 1000.0)
    fig, axes = plt.subplots(2, 1, figsize=(10, 8.4))
    for ax, lines, title in ((axes[0], TOP, "randomness of the election timeout"),
                             (axes[1], BOTTOM, "scale of the election timeout")):
        handles, texts, xs_all = [], [], []
        for i, line in enumerate(l for l in lines if l in by_line):
            vals = by_line[line]
            n = len(vals) + censored[line]
            xs, ys = plotlib.cdf_points(vals)
            ys = [y * len(vals) / n for y in ys]  # percent of all trials, capped ones too
            kw = plotlib.style(line, order=i, markevery=(0.01 + 0.02 * i, 0.12))
            (h,) = ax.step(xs, ys, where="post", **kw)
            xs_all += xs
            text = line + " ms"
            if censored[line]:
                text += "\n(%d of %d trials: no leader within %.0f s)" % (censored[line], n, cap)
            handles.append(h)
            texts.append(text)
        ax.set_xscale("log")
        if xs_all:
            ax.set_xlim(min(xs_all) / 1.15, max(xs_all) * 1.15)
        ax.set_ylim(0, 100)
        plotlib.log_labels(ax.xaxis)
        ax.set_xlabel("time without leader (ms, log scale)")
        ax.set_ylabel("cumulative percent of trials")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(handles, texts, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  title="election timeout", title_fontsize=8)
    fig.tight_layout()
    plotlib.save(fig, out, "election")


main()
