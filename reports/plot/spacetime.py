"""Study 7: a space-time diagram drawn from a run's JSON Lines trace.

One lane per node (and per client), time left to right; an arrow per message
from its send to its delivery, a cross where one was lost; each node's role
(follower / candidate / leader / down) as a coloured band along its lane.
Also writes spacetime.csv: one row per message, matched send -> outcome.
Sends and deliveries are matched first-in first-out per (from, to, type,
bytes): the trace carries no message id. Links are FIFO, so this is exact
unless the reorder fault or a duplicate lets a message overtake another of the
same type and size on the same link; such a pair may be drawn crossed over."""
import collections
import csv
import json
import os

import plotlib
from plotlib import plt

ROLE_COLORS = {"follower": "#d9d9d9", "precandidate": "#fdd49e", "candidate": "#fc8d59",
               "leader": "#66bd63", "down": "#ffffff"}
TYPE_COLORS = {"AppendEntries": "#1f78b4", "AppendEntriesResp": "#a6cee3",
               "RequestVote": "#e31a1c", "RequestVoteResp": "#fb9a99",
               "ClientAppend": "#6a3d9a", "ClientAppendResp": "#cab2d6"}


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def match_messages(events):
    """[(send_t, end_t, from, to, type, bytes, outcome)] in send order."""
    pending = collections.defaultdict(collections.deque)
    msgs = []
    for e in events:
        ev = e.get("ev")
        if ev not in ("send", "deliver", "drop", "duplicate"):
            continue
        key = (e["from"], e["to"], e["type"], e["bytes"])
        if ev == "send" or ev == "duplicate":
            rec = [e["t"], None, e["from"], e["to"], e["type"], e["bytes"], "in-flight"]
            msgs.append(rec)
            pending[key].append(rec)
        elif pending[key]:
            rec = pending[key].popleft()
            rec[1] = e["t"]
            rec[6] = "delivered" if ev == "deliver" else "dropped-" + e.get("reason", "?")
        elif ev == "drop":  # a drop reported without its own send event
            msgs.append([e["t"], e["t"], e["from"], e["to"], e["type"], e["bytes"],
                         "dropped-" + e.get("reason", "?")])
    return msgs


def role_spans(events, end_t):
    """node -> [(start_t, end_t, role)]."""
    current, spans = {}, collections.defaultdict(list)
    n_nodes = max([e["node"] for e in events if "node" in e] or [0])
    for node in range(1, n_nodes + 1):
        current[node] = (0, "follower")  # every node boots as a follower

    def switch(node, t, role):
        if node in current:
            start, old = current[node]
            spans[node].append((start, t, old))
        current[node] = (t, role)

    for e in events:
        ev = e.get("ev")
        if ev == "role":
            switch(e["node"], e["t"], e["role"])
        elif ev == "crash":
            switch(e["node"], e["t"], "down")
        elif ev == "restart":
            switch(e["node"], e["t"], "follower")
    for node, (start, role) in current.items():
        spans[node].append((start, end_t, role))
    return spans


def write_csv(out, msgs):
    with open(os.path.join(out, "spacetime.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["send_us", "end_us", "from", "to", "type", "bytes", "outcome"])
        for m in msgs:
            w.writerow([m[0] // 1000, "" if m[1] is None else m[1] // 1000] + m[2:])


def draw(out, events, msgs):
    end_t = max(e["t"] for e in events)
    lanes = sorted({m[2] for m in msgs} | {m[3] for m in msgs} |
                   {e["node"] for e in events if "node" in e and e.get("ev") == "role"})
    y = {ep: i for i, ep in enumerate(lanes)}
    n_nodes = max([e["node"] for e in events if e.get("ev") == "role"] or [0])
    fig, ax = plt.subplots(figsize=(18, 1.2 + 1.1 * len(lanes)))
    for node, spans in role_spans(events, end_t).items():
        for start, stop, role in spans:
            ax.broken_barh([(start / 1e6, (stop - start) / 1e6)], (y[node] - 0.12, 0.24),
                           facecolors=ROLE_COLORS.get(role, "#999999"), edgecolor="none")
    for send_t, end, frm, to, typ, _bytes, outcome in msgs:
        color = TYPE_COLORS.get(typ, "#777777")
        x0, y0 = send_t / 1e6, y[frm]
        if outcome == "delivered":
            ax.annotate("", xy=(end / 1e6, y[to]), xytext=(x0, y0),
                        arrowprops=dict(arrowstyle="->", color=color, lw=0.6))
        elif outcome.startswith("dropped"):
            x1 = (end if end and end > send_t else send_t + 1.5e6) / 1e6
            ym = y0 + (y[to] - y0) * 0.4
            ax.plot([x0, x1], [y0, ym], color=color, lw=0.6, linestyle="--")
            ax.plot([x1], [ym], marker="x", color="black", markersize=5)
    for e in events:
        if e.get("ev") in ("crash", "restart"):
            ax.annotate(e["ev"], (e["t"] / 1e6, y[e["node"]] + 0.3), fontsize=8, color="red")
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(["n%d" % ep if ep <= n_nodes else "c%d" % (ep - n_nodes)
                        for ep in lanes])
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.invert_yaxis()
    ax.set_xlabel("virtual time (ms)")
    handles = [plt.Line2D([], [], color=c, label=t) for t, c in TYPE_COLORS.items()]
    handles += [plt.Rectangle((0, 0), 1, 1, color=c, label=r)
                for r, c in ROLE_COLORS.items() if r != "down"]
    handles.append(plt.Line2D([], [], marker="x", color="black", linestyle="none",
                              label="lost"))
    ax.legend(handles=handles, ncol=6, fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.12))
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    plotlib.save(fig, out, "spacetime")


def main():
    out = plotlib.outdir()
    events = load(os.path.join(out, "spacetime.jsonl"))
    msgs = match_messages(events)
    write_csv(out, msgs)
    draw(out, events, msgs)


main()
