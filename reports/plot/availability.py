"""Study 4: committed writes per 100 ms through faults, with fault times and
the leader's id (right axis, integer ticks: node ids)."""
import plotlib
from plotlib import plt


def main():
    out = plotlib.outdir()
    rows = plotlib.read_csv(out + "/availability.csv")
    events = plotlib.read_csv(out + "/availability_events.csv")
    t = [int(r["t_ms"]) / 1000.0 for r in rows]
    acked = [int(r["acked"]) for r in rows]
    leader = [int(r["leader"]) for r in rows]
    fig, ax = plt.subplots(figsize=(11, 5))
    width = (t[1] - t[0]) if len(t) > 1 else 0.1
    color = plotlib.CONFIGS["committed writes"][0]
    ax.bar(t, acked, width=width, align="edge", color=color, alpha=0.55, edgecolor=color,
           linewidth=0.5, label="committed writes", gid="cfg:committed writes")
    ax2 = ax.twinx()
    ax2.step(t + [t[-1] + width], leader + [leader[-1]], where="post",
             **dict(plotlib.style("leader id"), linewidth=2))
    t_end = t[-1] + width
    top = max(acked) * 1.12
    faults = [e for e in events if e["kind"] not in ("leader", "no-leader")]
    for e in faults:
        x = int(e["t_us"]) / 1e6
        ax.axvline(x, color="#e31a1c", linestyle=(0, (4, 3)), linewidth=1, gid="ref:fault")
        ax.annotate(e["kind"], (x, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -12), textcoords="offset points", fontsize=8, color="#e31a1c")
    ax.set_xlim(0, t_end)
    ax.set_ylim(0, top)
    ax2.set_ylim(-0.3, max(leader) + 0.5)
    plotlib.integer_ticks(ax.yaxis)
    plotlib.integer_ticks(ax2.yaxis)
    ax.set_xlabel("virtual time (s)")
    ax.set_ylabel("writes committed per 100 ms")
    ax2.set_ylabel("leader (node id, 0 = none)")
    ax.grid(True, alpha=0.3)
    handles = [ax.patches[0], ax2.lines[0],
               plt.Line2D([], [], color="#e31a1c", linestyle=(0, (4, 3)), label="fault")]
    labels = ["committed writes", "leader id (right axis)", "fault"]
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    plotlib.save(fig, out, "availability")


main()
