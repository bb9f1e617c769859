"""The JSON Lines trace carries what a viewer needs (sim/world/trace.h, format 2):
a header with the full configuration, message ids that pair every send with
exactly one outcome, partition groups, entry terms, client names, term
changes and an end line -- and tracing does not change the trace hash.
Run: RAFTSIM=build/raftsim python3 tests/view/test_trace_schema.py"""
import collections
import json
import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RAFTSIM = os.environ.get("RAFTSIM", os.path.join(ROOT, "build", "raftsim"))


def run(scn, *extra):
    out = subprocess.run([RAFTSIM, "run", os.path.join(ROOT, scn), "-q", *extra],
                         capture_output=True, text=True)
    m = re.search(r"trace-hash: (0x[0-9a-f]+)", out.stdout)
    assert m, out.stdout + out.stderr
    return m.group(1)


class TraceSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.traces, cls.hashes = {}, {}
        # figure8: partitions and crashes; chaos: loss, duplicates, pauses
        for scn in ("scenarios/figure8.scn", "scenarios/chaos.scn"):
            path = os.path.join(cls.tmp.name, os.path.basename(scn) + ".jsonl")
            cls.hashes[scn] = (run(scn, "--trace", path), run(scn))
            with open(path) as f:
                cls.traces[scn] = [json.loads(line) for line in f]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_tracing_leaves_the_trace_hash_unchanged(self):
        for scn, (traced, plain) in self.hashes.items():
            self.assertEqual(traced, plain, scn)

    def test_header_first_with_seed_nodes_clients_and_rerunnable_config(self):
        h = self.traces["scenarios/figure8.scn"][0]
        self.assertEqual(h["ev"], "header")
        self.assertEqual(h["format"], 2)
        self.assertEqual(h["nodes"], 5)
        self.assertEqual(h["clients"], ["c1", "c2"])
        self.assertIn("seed", h)
        self.assertIn("partition {n1 n2 c1} {n3 n4 n5 c2}", h["config"])
        self.assertIn("\nseed %d\n" % h["seed"], h["config"])

    def test_end_line_last_with_verdict_and_every_expectation(self):
        tr = self.traces["scenarios/figure8.scn"]
        end = tr[-1]
        self.assertEqual(end["ev"], "end")
        self.assertEqual(end["verdict"], "pass")
        self.assertEqual([e["line"] for e in end["expects"]],
                         [e["line"] for e in tr[0]["expects"]])
        self.assertTrue(all(e["status"] == "held" for e in end["expects"]))

    def test_every_send_has_a_unique_id_and_exactly_one_outcome(self):
        for scn, tr in self.traces.items():
            sent, outcome = {}, collections.Counter()
            for e in tr:
                if e["ev"] in ("send", "duplicate"):
                    self.assertNotIn(e["id"], sent, scn)
                    sent[e["id"]] = e
                elif e["ev"] in ("deliver", "drop"):
                    s = sent[e["id"]]
                    self.assertEqual((s["from"], s["to"], s["type"]),
                                     (e["from"], e["to"], e["type"]))
                    outcome[e["id"]] += 1
                elif e["ev"] == "crash":
                    for i in e.get("held_lost", []):
                        outcome[i] += 1
            self.assertGreater(len(sent), 1000, scn)
            self.assertEqual(set(outcome), set(sent), scn)
            self.assertEqual(max(outcome.values()), 1, scn)
        kinds = {e["ev"] for e in self.traces["scenarios/chaos.scn"]}
        self.assertIn("drop", kinds)

    def test_partition_actions_name_their_groups(self):
        parts = [e for e in self.traces["scenarios/figure8.scn"]
                 if e["ev"] == "action" and e["action"] == "partition"]
        self.assertTrue(parts)
        self.assertEqual(parts[0]["groups"], [[1, 2, 6], [3, 4, 5, 7]])

    def test_appends_carry_one_term_per_entry_and_terms_are_traced(self):
        tr = self.traces["scenarios/figure8.scn"]
        appends = [e for e in tr if e["ev"] == "append"]
        self.assertTrue(appends)
        for e in appends:
            self.assertEqual(sum(c for _, c in e["terms"]), e["last"] - e["first"] + 1, e)
        term_of = {}
        for e in tr:
            if e["ev"] == "term":
                self.assertGreater(e["term"], term_of.get(e["node"], 0))
                term_of[e["node"]] = e["term"]
            elif e["ev"] == "role":
                self.assertEqual(e["term"], term_of.get(e["node"], 0), e)

    def test_client_events_name_the_client_as_the_scenario_does(self):
        tr = self.traces["scenarios/figure8.scn"]
        names = {(e["client"], e["cname"]) for e in tr if e["ev"] in ("invoke", "complete")}
        self.assertEqual(names, {(6, "c1"), (7, "c2")})


if __name__ == "__main__":
    unittest.main()
