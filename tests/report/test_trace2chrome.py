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

# Two nodes and one client (endpoint 3): an election, a heartbeat that is
# delivered, one that is lost, a client write, and a crash with a restart.
TRACE = [
    {"t": 0, "ev": "role", "node": 1, "role": "follower", "term": 0},
    {"t": 0, "ev": "role", "node": 2, "role": "follower", "term": 0},
    {"t": 150000000, "ev": "role", "node": 1, "role": "candidate", "term": 1},
    {"t": 150000000, "ev": "send", "from": 1, "to": 2, "type": "RequestVote", "bytes": 30},
    {"t": 154000000, "ev": "deliver", "from": 1, "to": 2, "type": "RequestVote", "bytes": 30},
    {"t": 154000000, "ev": "send", "from": 2, "to": 1, "type": "RequestVoteResp", "bytes": 14},
    {"t": 158000000, "ev": "deliver", "from": 2, "to": 1, "type": "RequestVoteResp",
     "bytes": 14},
    {"t": 158000000, "ev": "role", "node": 1, "role": "leader", "term": 1},
    {"t": 158000000, "ev": "send", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48},
    {"t": 162000000, "ev": "deliver", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48},
    {"t": 208000000, "ev": "send", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48},
    {"t": 208000000, "ev": "drop", "from": 1, "to": 2, "type": "AppendEntries", "bytes": 48,
     "reason": "loss"},
    {"t": 210000000, "ev": "invoke", "client": 3, "session": 1, "op": "append", "seq": 1},
    {"t": 210000000, "ev": "send", "from": 3, "to": 1, "type": "ClientAppend", "bytes": 60},
    {"t": 213000000, "ev": "deliver", "from": 3, "to": 1, "type": "ClientAppend", "bytes": 60},
    {"t": 300000000, "ev": "crash", "node": 1, "lost": 0, "torn": 0},
    {"t": 400000000, "ev": "restart", "node": 1, "last": 1, "snap": 0},
    {"t": 450000000, "ev": "timer", "node": 2, "deadline": 450000000},
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
        self.assertEqual(len(ends), 4)  # RV, RVR, AE, ClientAppend delivered
        self.assertEqual(len(starts), 5)  # plus the lost AppendEntries
        for fid, end in ends.items():
            self.assertLessEqual(starts[fid]["ts"], end["ts"])
            self.assertEqual(end["bp"], "e")
            self.assertNotEqual(starts[fid]["pid"], end["pid"])

    def test_lost_messages_and_crashes_are_instant_events(self):
        names = sorted(e["name"] for e in self.of("i"))
        self.assertEqual(names, ["crash", "lost AppendEntries", "restart"])


if __name__ == "__main__":
    unittest.main()
