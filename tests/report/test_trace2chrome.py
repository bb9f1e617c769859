"""tools/trace2chrome.py turns a small hand-written trace into well-formed
Chrome trace-event JSON. Run: python3 tests/report/test_trace2chrome.py"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "trace2chrome.py")

# Two nodes and one client (endpoint 3, "c1" by the header's node count): an
# election, a heartbeat that is delivered, one that is lost, two heartbeats
# of the same size delivered in the opposite order (ids 7 and 8: pairing by
# guesswork would cross them), a client write, and a crash with a restart.
HEADER = {"t": 0, "ev": "header", "format": 2, "raftsim": "0.1.0", "seed": 7,
          "file": "x.scn", "nodes": 2, "clients": ["c1"], "config": "nodes 2\n"}
TRACE = [
    HEADER,
    {"t": 0, "ev": "role", "node": 1, "role": "follower", "term": 0},
    {"t": 0, "ev": "role", "node": 2, "role": "follower", "term": 0},
    {"t": 150000000, "ev": "term", "node": 1, "term": 1},
    {"t": 150000000, "ev": "role", "node": 1, "role": "candidate", "term": 1},
    {"t": 150000000, "ev": "send", "from": 1, "to": 2, "type": "RequestVote", "bytes": 30,
     "id": 1},
    {"t": 154000000, "ev": "deliver", "from": 1, "to": 2, "type": "RequestVote", "bytes": 30,
     "id": 1},
    {"t": 154000000, "ev": "term", "node": 2, "term": 1},
    {"t": 154000000, "ev": "send", "from": 2, "to": 1, "type": "RequestVoteResp", "bytes": 14,
     "id": 2},
    {"t": 158000000, "ev": "deliver", "from": 2, "to": 1, "type": "RequestVoteResp",
     "bytes": 14, "id": 2},
    {"t": 158000000, "ev": "role", "node": 1, "role": "leader", "term": 1},
    {"t": 158000000, "ev": "send", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "id": 3},
    {"t": 162000000, "ev": "deliver", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "id": 3},
    {"t": 208000000, "ev": "send", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "id": 4},
    {"t": 208000000, "ev": "drop", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "reason": "loss", "id": 4},
    {"t": 210000000, "ev": "invoke", "client": 3, "session": 1, "op": "append", "seq": 1,
     "cname": "c1"},
    {"t": 210000000, "ev": "send", "from": 3, "to": 1, "type": "ClientAppend", "bytes": 60,
     "id": 5},
    {"t": 213000000, "ev": "deliver", "from": 3, "to": 1, "type": "ClientAppend", "bytes": 60,
     "id": 5},
    {"t": 250000000, "ev": "send", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "id": 7},
    {"t": 251000000, "ev": "send", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "id": 8},
    {"t": 253000000, "ev": "deliver", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "id": 8},
    {"t": 259000000, "ev": "deliver", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "id": 7},
    {"t": 300000000, "ev": "crash", "node": 1, "lost": 0, "torn": 0},
    {"t": 400000000, "ev": "restart", "node": 1, "last": 1, "snap": 0},
    {"t": 450000000, "ev": "timer", "node": 2, "deadline": 450000000},
    {"t": 500000000, "ev": "end", "verdict": "pass", "events": 40, "expects": []},
]


class Trace2ChromeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        src = os.path.join(cls.tmp.name, "run.jsonl")
        dst = os.path.join(cls.tmp.name, "run.json")
        with open(src, "w") as f:
            f.write("".join(json.dumps(e) + "\n" for e in TRACE))
        subprocess.run([sys.executable, TOOL, src, dst], check=True)
        with open(dst) as f:
            cls.doc = json.load(f)
        cls.events = cls.doc["traceEvents"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def of(self, ph):
        return [e for e in self.events if e["ph"] == ph]

    def test_every_event_has_the_fields_chrome_requires(self):
        for e in self.events:
            for key in ("ph", "pid", "name"):
                self.assertIn(key, e)
            if e["ph"] != "M":
                self.assertIn("ts", e)
                self.assertGreaterEqual(e["ts"], 0)

    def test_each_node_and_the_client_get_a_named_track(self):
        names = {e["pid"]: e["args"]["name"] for e in self.of("M")
                 if e["name"] == "process_name"}
        self.assertEqual(names, {1: "n1", 2: "n2", 3: "c1"})

    def test_roles_become_back_to_back_slices_in_microseconds(self):
        n1 = sorted((e["ts"], e["args"]["role"], e["dur"]) for e in self.of("X")
                    if e["cat"] == "role" and e["pid"] == 1)
        self.assertEqual([r for _, r, _ in n1], ["follower", "candidate", "leader", "down",
                                                 "follower"])
        self.assertEqual(n1[2][0], 158000.0)       # leader from 158 ms
        self.assertEqual(n1[2][2], 300000 - 158000)  # until the crash

    def test_each_delivered_message_is_one_flow_arrow_forward_in_time(self):
        starts = {e["id"]: e for e in self.of("s")}
        ends = {e["id"]: e for e in self.of("f")}
        self.assertEqual(len(ends), 6)  # RV, RVR, AE, ClientAppend, the two AEs delivered
        self.assertEqual(len(starts), 7)  # plus the lost AppendEntries
        for fid, end in ends.items():
            self.assertLessEqual(starts[fid]["ts"], end["ts"])
            self.assertEqual(end["bp"], "e")
            self.assertNotEqual(starts[fid]["pid"], end["pid"])

    def test_messages_pair_by_id_even_when_one_overtakes_its_twin(self):
        ends = {e["id"]: e["ts"] for e in self.of("f")}
        self.assertEqual(ends[8], 253000.0)  # sent second, delivered first
        self.assertEqual(ends[7], 259000.0)
        lost = [e for e in self.of("i") if e["name"].startswith("lost")]
        self.assertEqual([e["args"]["id"] for e in lost], [4])

    def test_each_term_change_steps_the_nodes_term_counter(self):
        terms = sorted((e["pid"], e["ts"], e["args"]["term"]) for e in self.of("C"))
        self.assertEqual(terms, [(1, 0, 0), (1, 150000.0, 1), (2, 0, 0), (2, 154000.0, 1)])

    def test_header_and_end_lines_become_metadata_and_a_verdict(self):
        self.assertEqual(self.doc["otherData"]["seed"], 7)
        self.assertEqual(self.doc["otherData"]["format"], 2)
        self.assertEqual(self.doc["otherData"]["events"], len(TRACE) - 2)

    def test_lost_messages_crashes_and_the_verdict_are_instant_events(self):
        names = sorted(e["name"] for e in self.of("i"))
        self.assertEqual(names, ["crash", "end: pass", "lost AppendEntries", "restart"])


if __name__ == "__main__":
    unittest.main()
