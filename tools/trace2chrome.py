#!/usr/bin/env python3
"""trace2chrome.py — turn a raftsim JSON Lines trace into Chrome trace-event JSON.

    tools/trace2chrome.py RUN.jsonl OUT.json

Open OUT.json in https://ui.perfetto.dev or chrome://tracing. Layout:
  * one process (track group) per node, "n1".., and per client, "c1"..;
  * on a node's "role" thread: its role as slices (follower, precandidate,
    candidate, leader, down), named with the term;
  * on its "messages" thread: a 1 us slice per message sent or received, and
    a flow arrow from each send to its delivery;
  * faults (crash, restart, pause, resume, lost messages, scripted actions,
    violations) as instant events.
The trace schema is documented in sim/world/trace.h. Times there are integer
nanoseconds; Chrome wants microseconds (fractions allowed). Each node's term
is a counter track ("term"), stepping at every term change. Sends are paired
with their delivery or loss by the message id the trace carries (format 2);
a format-1 trace without ids falls back to first-in first-out per (from, to,
type, bytes), which is approximate when a message overtakes a twin. The
header line names the node count (so endpoints above it are clients c1..);
the end line's verdict becomes an instant event.
Standard library only."""
import collections
import json
import sys

ROLE_TID, MSG_TID = 1, 2
FAULTS = ("crash", "restart", "pause", "resume", "violation", "heal")


def us(t_ns):
    return t_ns / 1000.0


class Converter:
    def __init__(self, events):
        self.header = next((e for e in events if e.get("ev") == "header"), None)
        self.final = next((e for e in events if e.get("ev") == "end"), None)
        self.events = [e for e in events if e.get("ev") not in ("header", "end")]
        events = self.events
        self.out = []
        self.clients = sorted({e["client"] for e in events if "client" in e})
        if self.header:
            self.n_nodes = self.header["nodes"]
            self.nodes = list(range(1, self.n_nodes + 1))
        else:
            self.nodes = sorted({e["node"] for e in events if "node" in e} - set(self.clients))
            self.n_nodes = max(self.nodes) if self.nodes else 0
        self.end = max((e["t"] for e in events), default=0)

    def name(self, ep):
        if ep > self.n_nodes:
            return "c%d" % (ep - self.n_nodes)
        return "n%d" % ep

    def metadata(self):
        eps = sorted(set(self.nodes) | set(self.clients) |
                     {e[k] for e in self.events for k in ("from", "to") if k in e})
        for ep in eps:
            self.out.append({"ph": "M", "name": "process_name", "pid": ep, "tid": 0,
                             "args": {"name": self.name(ep)}})
            self.out.append({"ph": "M", "name": "process_sort_index", "pid": ep, "tid": 0,
                             "args": {"sort_index": ep}})
            self.out.append({"ph": "M", "name": "thread_name", "pid": ep, "tid": ROLE_TID,
                             "args": {"name": "role"}})
            self.out.append({"ph": "M", "name": "thread_name", "pid": ep, "tid": MSG_TID,
                             "args": {"name": "messages"}})

    def terms(self):
        for node in self.nodes:
            self.out.append({"ph": "C", "name": "term", "pid": node, "ts": 0,
                             "args": {"term": 0}})
        for e in self.events:
            if e.get("ev") == "term":
                self.out.append({"ph": "C", "name": "term", "pid": e["node"],
                                 "ts": us(e["t"]), "args": {"term": e["term"]}})

    def roles(self):
        # Every node boots as a follower of term 0.
        current = {node: (0, "follower", 0) for node in self.nodes}

        def close(node, t):
            if node in current:
                start, role, term = current.pop(node)
                if t == start:
                    return  # replaced at once (e.g. an explicit boot event)
                self.out.append({"ph": "X", "name": "%s (term %s)" % (role, term)
                                 if term is not None else role, "cat": "role",
                                 "pid": node, "tid": ROLE_TID, "ts": us(start),
                                 "dur": us(t - start), "args": {"role": role, "term": term}})

        for e in self.events:
            ev = e.get("ev")
            if ev == "role":
                close(e["node"], e["t"])
                current[e["node"]] = (e["t"], e["role"], e.get("term"))
            elif ev == "crash":
                close(e["node"], e["t"])
                current[e["node"]] = (e["t"], "down", None)
            elif ev == "restart":
                close(e["node"], e["t"])
                current[e["node"]] = (e["t"], "follower", None)
        for node in sorted(current):
            close(node, self.end)

    def message_slice(self, pid, t, name, args):
        self.out.append({"ph": "X", "name": name, "cat": "message", "pid": pid,
                         "tid": MSG_TID, "ts": us(t), "dur": 1, "args": args})

    def messages(self):
        pending = collections.defaultdict(collections.deque)  # format 1: no ids
        for e in self.events:
            ev = e.get("ev")
            if ev not in ("send", "duplicate", "deliver", "drop"):
                continue
            key = (e["from"], e["to"], e["type"], e["bytes"])
            args = {"from": self.name(e["from"]), "to": self.name(e["to"]),
                    "type": e["type"], "bytes": e["bytes"]}
            if "id" in e:
                args["id"] = e["id"]
            if ev in ("send", "duplicate"):
                flow_id = e.get("id")
                if flow_id is None:
                    flow_id = len(self.out) + 1
                    pending[key].append(flow_id)
                self.message_slice(e["from"], e["t"], "send " + e["type"], args)
                self.out.append({"ph": "s", "id": flow_id, "name": e["type"], "cat": "flow",
                                 "pid": e["from"], "tid": MSG_TID, "ts": us(e["t"])})
                continue
            flow_id = e.get("id")
            if flow_id is None and pending[key]:
                flow_id = pending[key].popleft()
            if ev == "deliver":
                self.message_slice(e["to"], e["t"], "recv " + e["type"], args)
                if flow_id is not None:
                    self.out.append({"ph": "f", "bp": "e", "id": flow_id,
                                     "name": e["type"], "cat": "flow", "pid": e["to"],
                                     "tid": MSG_TID, "ts": us(e["t"])})
            else:
                args["reason"] = e.get("reason")
                self.out.append({"ph": "i", "s": "t", "name": "lost " + e["type"],
                                 "cat": "fault", "pid": e["from"], "tid": MSG_TID,
                                 "ts": us(e["t"]), "args": args})

    def faults(self):
        for e in self.events:
            ev = e.get("ev")
            if ev in FAULTS:
                pid = e.get("node", 0)
                args = {k: v for k, v in e.items() if k not in ("t", "ev")}
                self.out.append({"ph": "i", "s": "p" if pid else "g", "name": ev,
                                 "cat": "fault", "pid": pid, "tid": ROLE_TID,
                                 "ts": us(e["t"]), "args": args})
            elif ev == "action":
                self.out.append({"ph": "i", "s": "g", "name": "action " + str(e.get("action")),
                                 "cat": "fault", "pid": 0, "tid": 0, "ts": us(e["t"]),
                                 "args": {k: v for k, v in e.items() if k not in ("t", "ev")}})

    def verdict(self):
        if self.final:
            args = {k: v for k, v in self.final.items() if k not in ("t", "ev")}
            self.out.append({"ph": "i", "s": "g", "name": "end: " + self.final["verdict"],
                             "cat": "verdict", "pid": 0, "tid": 0,
                             "ts": us(self.final["t"]), "args": args})

    def convert(self):
        self.metadata()
        self.terms()
        self.roles()
        self.messages()
        self.faults()
        self.verdict()
        other = {"source": "raftsim", "events": len(self.events)}
        if self.header:
            other.update({k: self.header[k] for k in ("format", "raftsim", "seed", "file")
                          if k in self.header})
        return {"traceEvents": self.out, "displayTimeUnit": "ms", "otherData": other}


def load(path):
    events = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as err:
                sys.exit("%s:%d: not JSON: %s" % (path, n, err))
    return events


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: trace2chrome.py RUN.jsonl OUT.json")
    result = Converter(load(argv[1])).convert()
    with open(argv[2], "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv)
