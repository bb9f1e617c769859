/* test_scenario_writes.c — per-operation observables (issue 17): a write
 * named with `at T write cK as NAME`, and what an expectation or a guard may
 * ask of it: `NAME index`, `NAME committed`, `NAME applied-on`, `NAME acked`.
 * Parsing, values checked against the client's acknowledgement and every
 * node's applied index, the writer, a replay. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/expect.h"
#include "../../sim/scenario/scenario_int.h"
#include "../../sim/world/world.h"
#include "scn_parse.h"

/* c1's own workload starts after the run: the named write is its only op */
#define PLAN "nodes 5\nclient c1 writer rate 1/s from 1h\nclient c2 writer rate 50/s\n" \
             "duration 4s\n"

/* The value of expectation i's left side now. */
static int64_t lhs(const scenario *sc, size_t i, const sim *s)
{
    int64_t l, r;
    cr_assert(expect_sides(&sc->expects[i], s, &l, &r), "%s", sc->expects[i].text);
    return l;
}

Test(scenario_writes, a_named_write_parses_into_an_action_and_observables)
{
    scenario sc;
    parse_ok(PLAN "at 2s write c1 as w1\nexpect w1 applied-on >= 3 at 3s\nexpect w1 committed\n"
                  "expect w1 index > 0\nexpect w1 acked\nat 3s if w1 committed crash n1\n", &sc);
    const sim_action *a = &sc.actions[0];
    cr_expect_eq(a->kind, SIM_ACT_WRITE);
    cr_expect_eq(a->target.kind, SIM_TARGET_EP);
    cr_expect_eq(a->target.ep, 6, "c1 is endpoint 6 after 5 nodes");
    cr_expect_eq(a->bind, 1);
    cr_expect_eq(sc.expects[0].lhs.metric, SIM_M_WRITE_APPLIED_ON);
    cr_expect_eq(sc.expects[0].lhs.arg, 0, "the name's slot");
    cr_expect_eq(sc.expects[1].lhs.metric, SIM_M_WRITE_COMMITTED);
    cr_expect_eq(sc.expects[1].op, EXPECT_EQ);
    cr_expect_eq(sc.expects[1].value, 1, "`w1 committed` alone is == 1");
    cr_expect_eq(sc.expects[2].lhs.metric, SIM_M_WRITE_INDEX);
    cr_expect_eq(sc.expects[3].lhs.metric, SIM_M_WRITE_ACKED);
    cr_expect(sc.actions[1].guarded);
    cr_expect_eq(sc.actions[1].guard.metric, SIM_M_WRITE_COMMITTED);
    scenario_free(&sc);
}

Test(scenario_writes, names_of_writes_and_nodes_do_not_mix)
{
    parse_fails(PLAN "at 1s write n1\n", "t.scn:5:13: error: expected a client");
    parse_fails(PLAN "at 1s write c1 as w1\nat 2s restart w1\n",
                "t.scn:6:15: error: expected a node (n1, leader, follower, all or a name bound "
                "with `as`); 'w1' names a write, not a node");
    parse_fails(PLAN "at 1s write c1 as w1\nat 2s crash leader as w1\n",
                "t.scn:6:23: error: expected a new name or one that already names a node; 'w1' "
                "names a write");
    parse_fails(PLAN "at 1s crash leader as old\nat 2s write c1 as old\n",
                "t.scn:6:19: error: expected a new name or one that already names a write; "
                "'old' names a node");
    parse_fails(PLAN "at 1s write c1 as w1\nexpect w1 >= 3\n",
                "t.scn:6:11: error: expected what to ask of the write: index, committed, "
                "applied-on or acked");
    parse_fails(PLAN "expect w1 committed\n", "t.scn:5:8: error: expected a metric");
    parse_fails(PLAN "at 1s write c1 as w1\nexpect up among w1 == 1\n",
                "t.scn:6:17: error: expected connected or a set of nodes");
}

Test(scenario_writes, a_committed_write_has_the_index_its_client_was_told_and_every_node_applies_it)
{
    scenario sc;
    sim *s = run_to(PLAN "at 1s write c1 as w1\nexpect w1 index == 0\nexpect w1 committed\n"
                         "expect w1 applied-on == 0\nexpect w1 acked\n", &sc, 3, 2 * SIM_NS_PER_S);
    size_t op = s->write_op[0];
    cr_assert_gt(op, 0, "the write was issued");
    const hist_op *o = &s->hist.ops[op - 1];
    cr_assert_eq(o->client, 6, "by c1");
    cr_assert_eq(o->outcome, HIST_OK, "acknowledged within a second of a calm run");
    cr_expect_eq(lhs(&sc, 0, s), (int64_t)o->index, "the index the leader acknowledged");
    cr_expect_gt(o->index, 1);
    cr_expect_eq(lhs(&sc, 1, s), 1);
    cr_expect_eq(lhs(&sc, 2, s), 5, "every node has applied it");
    cr_expect_eq(lhs(&sc, 3, s), 1);
    for (raft_id id = 1; id <= 5; id++)
        cr_expect_geq(s->chk.nodes[id].applied, o->index);
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_writes, applied_on_counts_only_up_nodes_that_reached_the_index)
{
    scenario sc;
    /* n4 and n5 down before the write: 3 of 5 apply it; back at 2s, they catch up */
    const char *text = PLAN "at 500ms crash n4\nat 500ms crash n5\nat 1s write c1 as w1\n"
                            "at 2s restart n4\nat 2s restart n5\nexpect w1 applied-on == 0\n";
    sim *s = run_to(text, &sc, 3, 1500 * SIM_NS_PER_MS);
    cr_expect_eq(lhs(&sc, 0, s), 3);
    sim_run_until(s, 3500 * SIM_NS_PER_MS);
    cr_expect_eq(lhs(&sc, 0, s), 5, "the restarted nodes caught up");
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_writes, a_write_without_a_majority_is_not_committed_until_one_returns)
{
    scenario sc;
    const char *text = PLAN "at 500ms crash n1\nat 500ms crash n2\nat 500ms crash n3\n"
                            "at 1s write c1 as w1\nat 2.5s restart all\n"
                            "expect w1 committed\nexpect w1 index == 0\nexpect w1 acked\n"
                            "expect w1 applied-on == 0\n";
    sim *s = run_to(text, &sc, 3, 2 * SIM_NS_PER_S);
    cr_assert_gt(s->write_op[0], 0, "issued, though nobody can commit it");
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(lhs(&sc, i, s), 0, "%s", sc.expects[i].text);
    sim_run_until(s, 4 * SIM_NS_PER_S);
    cr_expect_eq(lhs(&sc, 0, s), 1, "committed once a majority is back");
    cr_expect_gt(lhs(&sc, 1, s), 0);
    cr_expect_eq(lhs(&sc, 2, s), 1);
    cr_expect_eq(lhs(&sc, 3, s), 5);
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_writes, an_unwritten_name_reads_zero_and_a_run_judges_the_write)
{
    scenario sc;
    sim *s = run_to(PLAN "at 3s write c1 as w1\nexpect w1 index == 0\n", &sc, 3, 2 * SIM_NS_PER_S);
    cr_expect_eq(s->write_op[0], 0);
    cr_expect_eq(lhs(&sc, 0, s), 0, "not written yet");
    sim_free(s);
    scenario_free(&sc);
    char why[256];
    cr_expect(run_passes(PLAN "at 1s write c1 as w1\nexpect w1 applied-on == 5 at 2s\n"
                              "expect w1 applied-on == 4 at 3.5s\nat 3s crash n2\n", 1, why,
                         sizeof why), "%s", why);
}

Test(scenario_writes, named_writes_round_trip_and_replay_with_the_same_trace)
{
    const char *text = PLAN "repeat 3 every 500ms from 1s {\nat 0 write c1 as w1\n}\n"
                            "at 2.5s write c2 as w2\nat 3s if w2 committed crash n1\n"
                            "expect w1 applied-on >= 3 at 3s\nexpect w2 committed\n"
                            "expect w2 index > w1 index\n";
    char why[256];
    cr_expect(run_passes(text, 5, why, sizeof why), "%s", why);
    cr_expect_eq(replay_gives_same_trace(text, 5), 5, "3 writes, 1 more, the guarded crash");
    scenario sc, re;
    parse_ok(text, &sc);
    char *buf = write_parse_write(&sc, &re);
    cr_expect(strstr(buf, "at 2500ms write c2 as w2\n"), "%s", buf);
    cr_expect(strstr(buf, "at 3s if w2 committed == 1 crash n1\n"), "%s", buf);
    cr_expect(strstr(buf, "expect w1 applied-on >= 3 at 3s\n"), "%s", buf);
    cr_expect(strstr(buf, "expect w2 committed == 1\n"), "%s", buf);
    cr_expect(strstr(buf, "expect w2 index > w1 index\n"), "%s", buf);
    free(buf);
    scenario_free(&sc);
    scenario_free(&re);
}
