"""Study 7: a space-time diagram drawn from a run's JSON Lines trace.

Top panel: the whole run, one lane per node: each node's role (follower /
candidate / leader / down) as a coloured band labelled with its term, the
crash and restart, and the three windows the panels below zoom into.
Messages take 3-5 ms in a run of a second, so at full width they would be
vertical strokes; each zoom panel shows tens of milliseconds, where every
message is a slanted arrow from its send to its delivery (a cross where it
was lost). In the zooms, each node's term is written at the left edge and at
every role change, each append is labelled with the log indices and term it
wrote ("log 2 t1"), and each commit with the new commit index.
The windows are picked from the trace: A the first election, B the first
client write (client -> leader -> followers -> leader -> client), C the
election after the crash.
Also writes spacetime.csv: one row per message, matched send -> outcome by
the message id the trace carries (first-in first-out per (from, to, type,
bytes) for a trace without ids)."""
import collections
import csv
import json
import os

import plotlib
from plotlib import plt

ROLE_COLORS = {"follower": "#e0e0e0", "precandidate": "#fdd49e", "candidate": "#fc8d59",
               "leader": "#66bd63", "down": "#ffffff"}
TYPE_COLORS = {"AppendEntries": "#1f78b4", "AppendEntriesResp": "#a6cee3",
               "RequestVote": "#e31a1c", "RequestVoteResp": "#fb9a99",
               "ClientAppend": "#6a3d9a", "ClientAppendResp": "#cab2d6"}
WINDOW_MAX_MS = 45   # a zoom wider than this would draw messages nearly vertical
LEAD_MS, TAIL_MS = 3, 12


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def match_messages(events):
    """[(send_t, end_t, from, to, type, bytes, outcome)] in send order."""
    by_id, pending = {}, collections.defaultdict(collections.deque)
    msgs = []
    for e in events:
        ev = e.get("ev")
        if ev not in ("send", "deliver", "drop", "duplicate"):
            continue
        key = (e["from"], e["to"], e["type"], e["bytes"])
        if ev == "send" or ev == "duplicate":
            rec = [e["t"], None, e["from"], e["to"], e["type"], e["bytes"], "in-flight"]
            msgs.append(rec)
            if "id" in e and ev == "send":
                by_id[e["id"]] = rec
            else:
                pending[key].append(rec)
            continue
        rec = by_id.pop(e["id"], None) if "id" in e else None
        if rec is None and pending[key]:
            rec = pending[key].popleft()
        if rec is not None:
            rec[1] = e["t"]
            rec[6] = "delivered" if ev == "deliver" else "dropped-" + e.get("reason", "?")
        elif ev == "drop":  # a drop reported without its own send event
            msgs.append([e["t"], e["t"], e["from"], e["to"], e["type"], e["bytes"],
                         "dropped-" + e.get("reason", "?")])
    return msgs


def role_spans(events, n_nodes, end_t):
    """node -> [(start_t, end_t, role, term)]."""
    current, spans, term = {}, collections.defaultdict(list), collections.Counter()
    for node in range(1, n_nodes + 1):
        current[node] = (0, "follower")  # every node boots as a follower

    def switch(node, t, role):
        start, old = current[node]
        spans[node].append((start, t, old, term[node]))
        current[node] = (t, role)

    for e in events:
        ev = e.get("ev")
        if ev == "term":
            # a term change inside a role starts a new labelled span
            start, role = current[e["node"]]
            spans[e["node"]].append((start, e["t"], role, term[e["node"]]))
            current[e["node"]] = (e["t"], role)
            term[e["node"]] = e["term"]
        elif ev == "role":
            term[e["node"]] = max(term[e["node"]], e.get("term", 0))
            switch(e["node"], e["t"], e["role"])
        elif ev == "crash":
            switch(e["node"], e["t"], "down")
        elif ev == "restart":
            switch(e["node"], e["t"], "follower")
    for node, (start, role) in current.items():
        spans[node].append((start, end_t, role, term[node]))
    return {n: [s for s in sp if s[1] > s[0]] for n, sp in spans.items()}


def write_csv(out, msgs):
    with open(os.path.join(out, "spacetime.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["send_us", "end_us", "from", "to", "type", "bytes", "outcome"])
        for m in msgs:
            w.writerow([m[0] // 1000, "" if m[1] is None else m[1] // 1000] + m[2:])


def windows(events):
    """[(letter, title, t0_ms, t1_ms)] chosen from the trace."""
    ms = [e["t"] / 1e6 for e in events]
    out = []

    def election_after(t_from, letter, title):
        cand = next((e for e in events if e["t"] / 1e6 >= t_from and e.get("ev") == "role"
                     and e["role"] in ("precandidate", "candidate")), None)
        if cand is None:
            return
        lead = next((e for e in events if e["t"] >= cand["t"] and e.get("ev") == "role"
                     and e["role"] == "leader"), None)
        t0 = cand["t"] / 1e6 - LEAD_MS
        t1 = (lead["t"] / 1e6 if lead else t0) + TAIL_MS
        out.append((letter, title, t0, min(t1, t0 + WINDOW_MAX_MS)))

    election_after(0, "A", "the first election, then the leader's first AppendEntries")
    first_leader = next((e["t"] for e in events if e.get("role") == "leader"), 0)
    inv = next((e for e in events if e.get("ev") == "invoke" and e["t"] > first_leader), None)
    if inv is not None:
        done = next((e for e in events if e.get("ev") == "complete" and e["t"] > inv["t"]
                     and e.get("seq") == inv.get("seq")), None)
        t0 = inv["t"] / 1e6 - 2
        t1 = (done["t"] / 1e6 + 3) if done else t0 + WINDOW_MAX_MS
        out.append(("B", "the first client write, from invoke to completion", t0,
                    min(t1, t0 + WINDOW_MAX_MS)))
    crash = next((e for e in events if e.get("ev") == "crash"), None)
    if crash is not None:
        election_after(crash["t"] / 1e6, "C", "after the leader's crash: the next election")
    return [(a, b, max(c, 0), min(d, max(ms))) for a, b, c, d in out]


def lane_name(ep, n_nodes, clients):
    return "n%d" % ep if ep <= n_nodes else clients.get(ep, "c%d" % (ep - n_nodes))


def draw_roles(ax, spans, y, labels, t0, t1):
    for node, sp in spans.items():
        for start, stop, role, term in sp:
            a, b = max(start / 1e6, t0), min(stop / 1e6, t1)
            if b <= a:
                continue
            ax.broken_barh([(a, b - a)], (y[node] - 0.13, 0.26),
                           facecolors=ROLE_COLORS.get(role, "#999999"), edgecolor="none",
                           gid="role:%s" % role)
            if labels and role != "down" and (b - a) > 0.06 * (t1 - t0):
                ax.annotate("%s t%d" % (role, term), (a, y[node] - 0.15), fontsize=7.5,
                            xytext=(2, 0), textcoords="offset points", va="bottom",
                            color="#333333", gid="term")


def draw_zoom(ax, events, msgs, spans, y, t0, t1):
    draw_roles(ax, spans, y, False, t0, t1)
    for node, sp in spans.items():  # every lane's role and term where the window opens
        for start, stop, role, term in sp:
            if start / 1e6 <= t0 < stop / 1e6 or (start / 1e6 > t0 and start / 1e6 < t1):
                x = max(start / 1e6, t0)
                ax.annotate("%s t%d" % (role, term) if role != "down" else "down",
                            (x, y[node] - 0.15), fontsize=7.5, xytext=(2, 1),
                            textcoords="offset points", va="bottom", color="#333333",
                            gid="term")
    for send_t, end, frm, to, typ, _bytes, outcome in msgs:
        color = TYPE_COLORS.get(typ, "#777777")
        x0 = send_t / 1e6
        if outcome == "delivered":
            x1 = end / 1e6
            if x1 < t0 or x0 > t1:
                continue
            ax.annotate("", xy=(x1, y[to]), xytext=(x0, y[frm]),
                        arrowprops=dict(arrowstyle="-|>", color=color, lw=1.1,
                                        shrinkA=0, shrinkB=0, mutation_scale=9),
                        gid="msg:" + typ)
        elif outcome.startswith("dropped"):
            x1 = (end if end and end > send_t else send_t + 1.5e6) / 1e6
            if x1 < t0 or x0 > t1:
                continue
            ym = y[frm] + (y[to] - y[frm]) * 0.4
            ax.plot([x0, x1], [y[frm], ym], color=color, lw=1, linestyle="--", gid="lost")
            ax.plot([x1], [ym], marker="x", color="black", markersize=6, gid="lost")
    for e in events:
        t = e["t"] / 1e6
        if not t0 <= t <= t1 or "node" not in e:
            continue
        if e.get("ev") == "append":
            terms = "/".join("t%d" % pair[0] for pair in e.get("terms", []))
            idx = ("%d" % e["first"] if e["first"] == e["last"]
                   else "%d-%d" % (e["first"], e["last"]))
            ax.annotate("log %s %s" % (idx, terms), (t, y[e["node"]] + 0.15), fontsize=7,
                        xytext=(1, -1), textcoords="offset points", va="top",
                        color="#08306b", gid="index")
            ax.plot([t], [y[e["node"]]], marker="|", color="#08306b", markersize=9,
                    gid="index")
        elif e.get("ev") == "commit":
            ax.annotate("commit %d" % e["commit"], (t, y[e["node"]] + 0.15), fontsize=7,
                        xytext=(1, -9), textcoords="offset points", va="top",
                        color="#006d2c", gid="index")
        elif e.get("ev") in ("crash", "restart"):
            ax.annotate(e["ev"], (t, y[e["node"]] - 0.3), fontsize=8, color="red")
    ax.set_xlim(t0, t1)


def main():
    out = plotlib.outdir()
    events = load(os.path.join(out, "spacetime.jsonl"))
    msgs = match_messages(events)
    write_csv(out, msgs)
    header = next((e for e in events if e.get("ev") == "header"), {})
    end_t = max(e["t"] for e in events)
    n_nodes = header.get("nodes") or max(
        [e["node"] for e in events if e.get("ev") in ("role", "term", "append")] or [0])
    lanes = sorted({m[2] for m in msgs} | {m[3] for m in msgs} | set(range(1, n_nodes + 1)))
    clients = {n_nodes + 1 + i: c for i, c in enumerate(header.get("clients", []))}
    y = {ep: i for i, ep in enumerate(lanes)}
    names = [lane_name(ep, n_nodes, clients) for ep in lanes]
    spans = role_spans(events, n_nodes, end_t)
    wins = windows(events)
    lane_h = 0.62
    heights = [lane_h * len(lanes) + 0.4] + [lane_h * len(lanes) + 0.9] * len(wins)
    fig, axes = plt.subplots(1 + len(wins), 1, figsize=(15, sum(heights) + 1.6),
                             gridspec_kw=dict(height_ratios=heights))
    over = axes[0]
    over.set_gid("overview")
    draw_roles(over, spans, y, True, 0, end_t / 1e6)
    for e in events:
        if e.get("ev") in ("crash", "restart"):
            over.annotate(e["ev"], (e["t"] / 1e6, y[e["node"]] + 0.42), fontsize=8, color="red")
    for letter, _title, t0, t1 in wins:
        over.axvspan(t0, t1, color="#fdae6b", alpha=0.45, gid="ref:window")
        over.annotate(letter, ((t0 + t1) / 2, 1.0), xycoords=("data", "axes fraction"),
                      xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                      fontsize=9, fontweight="bold")
    over.set_xlim(0, end_t / 1e6)
    over.set_title("the whole run: roles with their terms; A, B, C are zoomed in below",
                   fontsize=9)
    for ax, (letter, title, t0, t1) in zip(axes[1:], wins):
        ax.set_gid("zoom:" + letter)
        draw_zoom(ax, events, msgs, spans, y, t0, t1)
        ax.set_title("%s: %s (%.0f ms wide)" % (letter, title, t1 - t0), fontsize=9)
    for ax in axes:
        ax.set_yticks(range(len(lanes)))
        ax.set_yticklabels(names)
        ax.set_ylim(-0.6, len(lanes) - 0.4)
        ax.invert_yaxis()
        ax.grid(True, axis="x", alpha=0.3)
        ax.set_xlabel("virtual time (ms)", fontsize=8)
    handles = [plt.Line2D([], [], color=c, label=t, lw=1.5) for t, c in TYPE_COLORS.items()]
    handles += [plt.Rectangle((0, 0), 1, 1, color=c, label=r)
                for r, c in ROLE_COLORS.items() if r != "down"]
    handles.append(plt.Line2D([], [], marker="x", color="black", linestyle="none",
                              label="lost"))
    handles.append(plt.Line2D([], [], marker="|", color="#08306b", linestyle="none",
                              markersize=9, label="append: log index, term"))
    fig.legend(handles=handles, ncol=6, fontsize=8, loc="lower center")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    plotlib.save(fig, out, "spacetime")


main()
