/* test_scenario_lang.c — the tester's vocabulary in the scenario language
 * (issue 17): names bound at run time (`as NAME`), leader / follower / names
 * wherever a node goes, `reconnect` and `isolate-peers`. Each feature: what it
 * parses into, what it does when run, and a round trip through the writer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "../../sim/scenario/expect.h"
#include "../../sim/scenario/runner.h"
#include "../../sim/scenario/scenario_int.h"
#include "../../sim/world/world.h"
#include "scn_parse.h"

/* parse -> write -> parse -> write: the same text twice, and the plan back. */
static void round_trip(const char *text)
{
    scenario x, y;
    parse_ok(text, &x);
    char *once = write_text(&x, x.actions, x.n_actions, 1);
    parse_ok(once, &y);
    cr_assert_eq(y.n_actions, x.n_actions, "%s", once);
    for (size_t i = 0; i < x.n_actions; i++) {
        const sim_action *a = &x.actions[i], *b = &y.actions[i];
        cr_expect_eq(a->kind, b->kind);
        cr_expect_eq(a->target.kind, b->target.kind, "action %zu in\n%s", i, once);
        cr_expect_eq(a->target.ep, b->target.ep);
        cr_expect_eq(a->target2.kind, b->target2.kind);
        cr_expect_eq(a->target2.ep, b->target2.ep);
        cr_expect_eq(a->bind, b->bind);
        cr_expect_eq(a->both, b->both);
        cr_expect_eq(a->n_sym, b->n_sym);
        for (int k = 0; k < a->n_sym; k++) {
            cr_expect_eq(a->sym[k].kind, b->sym[k].kind);
            cr_expect_eq(a->sym[k].ep, b->sym[k].ep);
            cr_expect_eq(a->sym_group[k], b->sym_group[k]);
        }
    }
    char *twice = write_text(&y, y.actions, y.n_actions, 1);
    cr_expect_str_eq(twice, once, "writing is a fixed point");
    free(once);
    free(twice);
    scenario_free(&x);
    scenario_free(&y);
}

#define PLAN "nodes 5\nclient c1 writer rate 100/s\nduration 4s\n"

Test(scenario_lang, as_binds_a_name_that_later_actions_use)
{
    scenario sc;
    parse_ok(PLAN "at 1s crash leader as old\nat 1s pause follower 10ms as slow\n"
                  "at 2s restart old\nat 2s clock-jump slow +1ms\nat 3s crash leader as old\n",
             &sc);
    cr_assert_eq(sc.cfg.n_names, 2);
    cr_expect_str_eq(sc.cfg.names[0], "old");
    cr_expect_str_eq(sc.cfg.names[1], "slow");
    cr_expect_eq(sc.actions[0].bind, 1);
    cr_expect_eq(sc.actions[1].bind, 2);
    cr_expect_eq(sc.actions[1].dur_ns, 10 * SIM_NS_PER_MS);
    cr_expect_eq(sc.actions[2].target.kind, SIM_TARGET_NAME);
    cr_expect_eq(sc.actions[2].target.ep, 0);
    cr_expect_eq(sc.actions[3].target.ep, 1);
    cr_expect_eq(sc.actions[4].bind, 1, "binding a name again reuses its slot");
    scenario_free(&sc);
}

Test(scenario_lang, every_node_action_takes_leader_follower_and_names)
{
    scenario sc;
    parse_ok(PLAN "at 1s crash follower as f\nat 1s restart leader\nat 1s restart f\n"
                  "at 1s partition {leader f} {follower c1}\nat 1s cut leader -> f\n"
                  "at 1s uncut f -> leader\nat 1s isolate f\nat 1s reconnect leader\n"
                  "at 1s isolate-peers f\nat 1s transfer-leadership f\nat 1s resume f\n"
                  "at 1s drift f +1ppm\n",
             &sc);
    cr_assert_eq(sc.n_actions, 12);
    cr_expect_eq(sc.actions[1].target.kind, SIM_TARGET_LEADER);
    const sim_action *part = &sc.actions[3];
    cr_expect_eq(part->n_groups, 2);
    cr_expect_eq(part->n_sym, 3);
    cr_expect_eq(part->sym[0].kind, SIM_TARGET_LEADER);
    cr_expect_eq(part->sym[1].kind, SIM_TARGET_NAME);
    cr_expect_eq(part->sym_group[1], 0);
    cr_expect_eq(part->sym[2].kind, SIM_TARGET_FOLLOWER);
    cr_expect_eq(part->sym_group[2], 1);
    cr_expect_eq(part->groups[1].bits[0], UINT64_C(1) << 5, "c1 is endpoint 6, placed now");
    cr_expect_eq(sc.actions[4].target.kind, SIM_TARGET_LEADER);
    cr_expect_eq(sc.actions[4].target2.kind, SIM_TARGET_NAME);
    cr_expect_eq(sc.actions[5].target2.kind, SIM_TARGET_LEADER);
    cr_expect_eq(sc.actions[9].target2.kind, SIM_TARGET_NAME);
    scenario_free(&sc);
}

Test(scenario_lang, a_two_way_cut_chosen_at_run_time_is_one_action_both_ways)
{
    scenario sc;
    parse_ok(PLAN "at 1s cut leader <-> n2\nat 1s cut n1 <-> n2\n", &sc);
    cr_assert_eq(sc.n_actions, 3, "named ends still split into two one-way cuts");
    cr_expect(sc.actions[0].both);
    cr_expect(!sc.actions[1].both && !sc.actions[2].both);
    scenario_free(&sc);
}

Test(scenario_lang, names_must_be_bound_earlier_and_well_formed)
{
    parse_fails(PLAN "at 1s restart old\n", "t.scn:4:15: error: expected a node");
    parse_fails(PLAN "at 1s restart old\n", "t.scn:4:15: error: expected a node (n1, leader, "
                     "follower, all or a name bound with `as`); 'old' is not a name bound");
    parse_fails(PLAN "at 1s crash all as x\n", "t.scn:4:17: error: expected `as NAME` only");
    parse_fails(PLAN "at 1s heal as x\n", "t.scn:4:12: error: expected `as NAME` only");
    parse_fails(PLAN "at 1s crash leader as\n", "t.scn:4:23: error: expected a name after");
    parse_fails(PLAN "at 1s crash leader as n2\n", "t.scn:4:23: error: expected a name after");
    parse_fails(PLAN "at 1s crash leader as follower\n", "t.scn:4:23: error: expected a name");
    parse_fails(PLAN "at 1s crash leader as Old\n", "t.scn:4:23: error: expected a name");
    parse_fails(PLAN "at 1s crash leader as old x\n", "t.scn:4:27: error: expected the end");
    parse_fails(PLAN "at 1s isolate-peers c1\n", "t.scn:4:21: error: expected a node");
}

Test(scenario_lang, a_bound_name_hits_the_node_the_first_action_hit)
{
    scenario sc;
    sim *s = run_to(PLAN "at 1s crash leader as old\nat 2s restart old\n"
                         "at 2.5s isolate follower as lone\n", &sc, 3, 3 * SIM_NS_PER_S);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(done[0].target.kind, SIM_TARGET_EP);
    cr_expect_eq(done[1].target.ep, done[0].target.ep, "restart old = the crashed leader");
    cr_expect(s->nodes[done[0].target.ep].up);
    cr_expect_eq(s->bound[0], done[0].target.ep);
    cr_expect_eq(s->bound[1], done[2].target.ep);
    cr_expect_neq(done[2].target.ep, s->leader, "a follower is not the leader");
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, a_name_bound_by_a_skipped_action_is_unbound_and_skips_its_users)
{
    scenario sc;
    /* at 0 nobody leads: the crash is skipped, so is the restart of `old` */
    sim *s = run_to(PLAN "at 0 crash leader as old\nat 1s crash n1\nat 2s restart old\n", &sc, 1,
                    3 * SIM_NS_PER_S);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 3, "both skips keep their place (replay files spell them)");
    cr_expect_eq(done[0].kind, SIM_ACT_SKIPPED);
    cr_expect_eq(done[1].kind, SIM_ACT_CRASH);
    cr_expect_eq(done[2].kind, SIM_ACT_SKIPPED);
    cr_expect_eq(done[2].at_ns, 2 * SIM_NS_PER_S);
    cr_expect_eq(s->bound[0], 0);
    cr_expect(!s->nodes[1].up, "n1 stays down: `restart old` did not fire");
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, reconnect_undoes_one_nodes_faults_and_leaves_the_others)
{
    scenario sc;
    sim *s = run_to(PLAN "at 1s isolate n1\nat 1s isolate n2\nat 1s cut n3 -> n4\n"
                         "at 1s partition {n5} {n4 c1}\nat 2s reconnect n1\nat 2s reconnect n5\n",
                    &sc, 1, 3 * SIM_NS_PER_S);
    for (sim_ep o = 2; o <= 6; o++) {
        cr_expect(!net_blocked(&s->nw, 1, o), "n1 -> %u open again", o);
        cr_expect(!net_blocked(&s->nw, o, 1), "%u -> n1 open again", o);
    }
    cr_expect(net_blocked(&s->nw, 2, 3) && net_blocked(&s->nw, 3, 2), "n2 still isolated");
    cr_expect(net_blocked(&s->nw, 3, 4), "the cut n3 -> n4 stays");
    cr_expect(!net_blocked(&s->nw, 4, 3));
    cr_expect(!net_blocked(&s->nw, 5, 4) && !net_blocked(&s->nw, 4, 5), "n5 left its group");
    cr_expect_eq(s->nw.group[6], 2, "c1 still in the partition");
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, isolate_peers_leaves_client_links_and_isolate_does_not)
{
    scenario sc;
    sim *s = run_to(PLAN "at 1s isolate-peers n1\nat 1s isolate n2\n", &sc, 1, 2 * SIM_NS_PER_S);
    for (sim_ep o = 2; o <= 5; o++)
        cr_expect(net_blocked(&s->nw, 1, o) && net_blocked(&s->nw, o, 1), "n1 <-> n%u cut", o);
    cr_expect(!net_blocked(&s->nw, 1, 6) && !net_blocked(&s->nw, 6, 1), "n1 <-> c1 open");
    cr_expect(net_blocked(&s->nw, 2, 6) && net_blocked(&s->nw, 6, 2), "n2 <-> c1 cut");
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, a_partition_places_the_leader_and_a_follower_when_it_happens)
{
    scenario sc;
    sim *s = run_to(PLAN "at 1s partition {leader c1} {follower}\nat 1s cut leader <-> follower\n",
                    &sc, 5, 2 * SIM_NS_PER_S);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 3, "the partition, then the run-time cut as two one-way cuts");
    cr_expect_eq(done[0].n_sym, 0, "recorded with concrete members");
    sim_ep leader = 0, follower = 0;
    for (sim_ep ep = 1; ep <= 5; ep++) {
        if (done[0].groups[0].bits[0] >> (ep - 1) & 1)
            leader = ep;
        if (done[0].groups[1].bits[0] >> (ep - 1) & 1)
            follower = ep;
    }
    cr_assert(leader && follower && leader != follower);
    cr_expect_eq(s->nw.group[leader], 1);
    cr_expect_eq(s->nw.group[6], 1, "c1 with the leader");
    cr_expect_eq(s->nw.group[follower], 2);
    cr_expect_eq(done[1].target2.ep, done[2].target.ep);
    cr_expect_eq(done[1].target.ep, done[2].target2.ep);
    cr_expect(net_blocked(&s->nw, done[1].target.ep, done[1].target2.ep));
    cr_expect(net_blocked(&s->nw, done[1].target2.ep, done[1].target.ep));
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, names_targets_and_new_actions_round_trip_through_the_writer)
{
    round_trip(PLAN "at 1s crash leader as old\nat 1s pause follower 5ms as p\n"
                    "at 2s restart old\nat 2s partition {old n1} {leader c1 follower}\n"
                    "at 2s cut leader <-> old\nat 2s uncut p -> n3\nat 3s reconnect old\n"
                    "at 3s isolate-peers leader as iso\nat 3s transfer-leadership iso\n");
}

Test(scenario_lang, a_replay_of_a_run_with_names_has_the_same_trace)
{
    const char *text = PLAN "at 1s crash leader as old\nat 1s isolate-peers follower as f\n"
                            "at 2s restart old\nat 2s partition {old f} {leader c1}\n"
                            "at 3s reconnect f\nat 3s cut leader <-> follower\n";
    replay_gives_same_trace(text, 9);
}

/* ---- control: repeat blocks and guards ---- */

Test(scenario_lang, a_repeat_block_unrolls_into_rounds_in_time_order)
{
    scenario sc;
    parse_ok(PLAN "at 500ms crash n1\nrepeat 3 every 1s {\n  at 0 crash leader as old\n"
                  "  at +200ms restart old\n}\nat +0 restart all\n",
             &sc);
    cr_assert_eq(sc.n_actions, 1 + 3 * 2 + 1);
    uint64_t want[] = { 500, 500, 700, 1500, 1700, 2500, 2700, 3500 };
    for (size_t i = 0; i < sc.n_actions; i++)
        cr_expect_eq(sc.actions[i].at_ns, want[i] * SIM_NS_PER_MS, "action %zu", i);
    cr_expect_eq(sc.actions[3].kind, SIM_ACT_CRASH);
    cr_expect_eq(sc.actions[3].bind, 1);
    cr_expect_eq(sc.actions[4].target.kind, SIM_TARGET_NAME);
    scenario_free(&sc);
    parse_ok(PLAN "repeat 2 every 100ms from 2s {\nat 50ms crash n2\n}\n", &sc);
    cr_expect_eq(sc.actions[0].at_ns, 2050 * SIM_NS_PER_MS);
    cr_expect_eq(sc.actions[1].at_ns, 2150 * SIM_NS_PER_MS);
    scenario_free(&sc);
}

Test(scenario_lang, repeat_is_bounded_and_its_mistakes_are_errors)
{
    parse_fails(PLAN "repeat 100001 every 1ms {\nat 0 crash n1\n}\n",
                "t.scn:4:8: error: expected a number of rounds (SCN_MAX_REPEAT_ROUNDS) between 1 "
                "and 100000");
    parse_fails(PLAN "repeat 100000 every 1ms {\nat 0 crash n1\nat 0 crash n2\n}\n",
                "t.scn:7:1: error: expected at most 100000 actions in all (this repeat makes "
                "200000)");
    parse_fails(PLAN "repeat 3 every 1s {\nat 1s crash n1\n}\n",
                "t.scn:5:4: error: expected a time within one round (below 1s)");
    parse_fails(PLAN "repeat 3 every 1s {\n}\n", "t.scn:5:1: error: expected at least one `at`");
    parse_fails(PLAN "repeat 3 every 1s {\nat 0 crash n1\n", "t.scn:4:1: error: expected '}' to "
                "close this repeat block");
    parse_fails(PLAN "repeat 3 every 1s {\nexpect leader\n}\n", "t.scn:5:1: error: expected `at` "
                "or '}' in a repeat block");
    parse_fails(PLAN "repeat 3 every 1s {\nrepeat 2 every 1ms {\n", "t.scn:5:1: error: expected "
                "'}' to close the repeat block of line 4");
    parse_fails(PLAN "at 2s crash n1\nrepeat 3 every 1s from 1s {\n", "t.scn:5:24: error: "
                "expected a start at or after the previous `at`");
    parse_fails(PLAN "repeat 3 every 0 {\n", "t.scn:4:16: error: expected a round length above 0");
}

Test(scenario_lang, guards_parse_into_a_metric_an_operator_and_a_number)
{
    scenario sc;
    parse_ok(PLAN "at 1s if leader crash leader\nat 1s if up < 3 restart all\n"
                  "at 1s if no leader restart all\nat 1s if term n2 >= 4 crash n2\n"
                  "at 1s if is-leader n3 isolate n3\n",
             &sc);
    const sim_action *a = sc.actions;
    cr_expect(a[0].guarded);
    cr_expect_eq(a[0].guard.metric, SIM_M_LEADER);
    cr_expect_eq(a[0].guard_op, EXPECT_NE);
    cr_expect_eq(a[1].guard.metric, SIM_M_UP);
    cr_expect_eq(a[1].guard.sel, SIM_SEL_SUM, "`up` alone counts live nodes");
    cr_expect_eq(a[1].guard_op, EXPECT_LT);
    cr_expect_eq(a[1].guard_value, 3);
    cr_expect_eq(a[2].guard_op, EXPECT_EQ);
    cr_expect_eq(a[2].guard_value, 0);
    cr_expect_eq(a[3].guard.sel, SIM_SEL_NODE);
    cr_expect_eq(a[3].guard.node, 2);
    cr_expect_eq(a[4].guard.metric, SIM_M_IS_LEADER);
    cr_expect_eq(a[4].guard_value, 1);
    scenario_free(&sc);
    parse_fails(PLAN "at 1s if crash n1\n", "t.scn:4:10: error: expected a metric");
    parse_fails(PLAN "at 1s if up crash n1\n", "t.scn:4:13: error: expected a comparison");
    parse_fails(PLAN "at 1s if term n1 < term n2 + 1 crash n1\n", "t.scn:4:20: error: expected "
                "one metric or a number after the comparison in `if`");
    parse_fails(PLAN "at 1s if leader\n", "t.scn:4:17: error: expected an action");
}

Test(scenario_lang, a_guard_decides_when_the_action_is_due)
{
    scenario sc;
    /* n1, n2 crash at 1s; at 2s only 3 of 5 are up, so `if up < 4` restarts
     * them; `if up < 3` at 1.5s did not fire (3 are up); `if no leader` at 0
     * fires (nobody leads yet), `if leader` at 0 does not. */
    sim *s = run_to(PLAN "at 0 if leader crash n5\nat 0 if no leader pause n4 1ms\n"
                         "at 1s crash n1\nat 1s crash n2\nat 1.5s if up < 3 restart all\n"
                         "at 2s if up < 4 restart all\n", &sc, 1, 3 * SIM_NS_PER_S);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 6, "4 fired, 2 skipped (recorded as `skipped` where they were due)");
    cr_expect_eq(done[0].kind, SIM_ACT_SKIPPED);
    cr_expect_eq(done[1].kind, SIM_ACT_PAUSE);
    cr_expect_eq(done[4].kind, SIM_ACT_SKIPPED);
    cr_expect_eq(done[4].at_ns, 1500 * SIM_NS_PER_MS);
    cr_expect_eq(done[5].kind, SIM_ACT_RESTART);
    cr_expect_eq(done[5].at_ns, 2 * SIM_NS_PER_S);
    cr_expect(!done[5].guarded, "recorded as it ran: no guard in a replay");
    cr_expect(s->nodes[1].up && s->nodes[2].up && s->nodes[5].up);
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, repeats_and_guards_round_trip_and_replay)
{
    const char *text = PLAN "repeat 20 every 150ms from 1s {\nat 0 if leader crash leader as old\n"
                            "at 50ms if up < 4 restart all\nat 100ms restart old\n}\n"
                            "at +0 if term on any > 1 restart all\n";
    round_trip(text);
    cr_expect_gt(replay_gives_same_trace(text, 4), 20);
}

/* ---- observables and metric arithmetic ---- */

static int64_t metric_now(const sim *s, const char *expect_line)
{
    return expect_now(s, PLAN, expect_line);
}

Test(scenario_lang, per_node_term_vote_log_and_snapshot_read_the_node)
{
    scenario sc;
    sim *s = run_to(PLAN "snapshot every 50 keep 5\n", &sc, 2, 3 * SIM_NS_PER_S);
    for (raft_id id = 1; id <= 5; id++) {
        raft_status st;
        s->ops->get_status(s->nodes[id].proto, &st);
        char line[128];
        snprintf(line, sizeof line, "expect vote n%u == 0", id);
        cr_expect_eq(metric_now(s, line), (int64_t)st.vote);
        snprintf(line, sizeof line, "expect log-retained n%u == 0", id);
        cr_expect_eq(metric_now(s, line), (int64_t)st.log_entries);
        snprintf(line, sizeof line, "expect log-bytes n%u == 0", id);
        cr_expect_eq(metric_now(s, line), (int64_t)st.log_bytes);
        snprintf(line, sizeof line, "expect snapshot-term n%u == 0", id);
        cr_expect_eq(metric_now(s, line), (int64_t)st.snap.term);
        cr_expect_gt(st.snap.term, 0, "n%u has snapshotted (50 entries per snapshot)", id);
        cr_expect_lt(st.log_entries, 300, "the snapshot bounds the retained log");
    }
    cr_expect_eq(metric_now(s, "expect vote on any == 0"), s->leader,
                 "everyone voted for the only leader of a calm run");
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, message_groups_sum_their_types_by_kind_and_direction)
{
    scenario sc;
    sim *s = run_to(PLAN, &sc, 1, 2 * SIM_NS_PER_S);
    const uint64_t *m = s->met.msgs_type;
    int64_t ae = (int64_t)m[RAFT_MSG_APPEND_ENTRIES], aer = (int64_t)m[RAFT_MSG_APPEND_ENTRIES_RESP];
    int64_t rv = (int64_t)m[RAFT_MSG_REQUEST_VOTE], rvr = (int64_t)m[RAFT_MSG_REQUEST_VOTE_RESP];
    cr_assert_gt(ae, 0);
    cr_assert_gt(rv, 0);
    cr_expect_eq(metric_now(s, "expect messages.append == 0"), ae + aer);
    cr_expect_eq(metric_now(s, "expect messages.append.requests == 0"), ae);
    cr_expect_eq(metric_now(s, "expect messages.vote.replies == 0"), rvr);
    cr_expect_eq(metric_now(s, "expect messages.vote + messages.append == 0"), rv + rvr + ae + aer);
    cr_expect_eq(metric_now(s, "expect messages.raft + messages.client == messages"), 0);
    cr_expect_eq(metric_now(s, "expect messages.requests + messages.replies == messages"), 0);
    cr_expect_eq(metric_now(s, "expect bytes.append.requests == 0"),
                 (int64_t)s->met.bytes_type[RAFT_MSG_APPEND_ENTRIES]);
    cr_expect_eq(metric_now(s, "expect messages.append - messages.append.replies == "
                               "messages AppendEntries"), 0);
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_lang, arithmetic_parses_on_both_sides_and_counts_change_over_a_window)
{
    scenario sc;
    parse_ok(PLAN "expect messages.append + messages.vote <= 42 between 2s 3s\n"
                  "expect term n1 - term n2 == 0\nexpect acked <= committed + reads - elections\n"
                  "expect commit n1 + committed < 5 between 1s 2s\n",
             &sc);
    const expectation *e = sc.expects;
    cr_expect_eq(e[0].lhs_more.n, 1);
    cr_expect_eq(e[0].lhs_more.sign[0], 1);
    cr_expect_eq(e[0].lhs.arg, SIM_MSG_GROUP + sim_msg_group_from_name("append"));
    cr_expect(!e[0].always, "a sum of counters is compared by its change");
    cr_expect_eq(e[1].lhs_more.sign[0], -1);
    cr_expect_eq(e[2].rhs_more.n, 2);
    cr_expect_eq(e[2].rhs_more.sign[1], -1);
    cr_expect(e[3].always, "a gauge in the sum: it must hold throughout");
    scenario_free(&sc);
    parse_fails(PLAN "expect a + b < 1\n", "t.scn:4:8: error: expected a metric");
    parse_fails(PLAN "expect acked + < 1\n", "t.scn:4:16: error: expected a metric");
    parse_fails(PLAN "expect acked + reads + reads + reads + reads < 1\n",
                "t.scn:4:38: error: expected at most 4 metrics on a side");
    parse_fails(PLAN "expect messages.gossip > 1\n", "t.scn:4:8: error: expected a metric");
    parse_fails(PLAN "expect no acked + reads\n", "t.scn:4:8: error: expected `no` before one");
    /* a window: the change of a sum is the sum of the changes */
    const char *text = PLAN "expect messages.append + messages.vote <= 0 between 1s 2s\n";
    scenario w;
    parse_ok(text, &w);
    run_options opt = { 0 };
    run_result res;
    char err[256];
    cr_assert_eq(run_scenario(&w, 1, &opt, &res, err, sizeof err), 0, "%s", err);
    cr_expect(!res.passed && strstr(res.reason, "as the change from 1.000 s to 2.000 s"), "%s", res.reason);
    run_result_free(&res);
    scenario_free(&w);
}

Test(scenario_lang, arithmetic_and_new_metrics_round_trip_through_the_writer)
{
    scenario x, y;
    parse_ok(PLAN "at 1s if log-retained on any > 100 crash n1\n"
                  "expect messages.append + messages.vote - bytes.client.replies <= 42 "
                  "between 2s 3s\nexpect vote n1 == snapshot-term n2 + log-bytes on all\n",
             &x);
    char *once = write_text(&x, x.actions, x.n_actions, 1);
    parse_ok(once, &y);
    cr_assert_eq(y.n_expects, 2);
    for (size_t i = 0; i < 2; i++) {
        const expectation *a = &x.expects[i], *b = &y.expects[i];
        cr_expect_eq(a->lhs.metric, b->lhs.metric);
        cr_expect_eq(a->lhs.arg, b->lhs.arg);
        cr_expect_eq(a->lhs_more.n, b->lhs_more.n);
        cr_expect_eq(a->rhs_more.n, b->rhs_more.n);
        for (int k = 0; k < a->lhs_more.n; k++) {
            cr_expect_eq(a->lhs_more.sign[k], b->lhs_more.sign[k]);
            cr_expect_eq(a->lhs_more.ref[k].arg, b->lhs_more.ref[k].arg);
        }
        for (int k = 0; k < a->rhs_more.n; k++)
            cr_expect_eq(a->rhs_more.ref[k].sel, b->rhs_more.ref[k].sel);
    }
    cr_expect_eq(y.actions[0].guard.metric, SIM_M_LOG_RETAINED);
    char *twice = write_text(&y, y.actions, y.n_actions, 1);
    cr_expect_str_eq(twice, once);
    cr_expect(strstr(once, "messages.append + messages.vote - bytes.client.replies <= 42"), "%s",
              once);
    free(once);
    free(twice);
    scenario_free(&x);
    scenario_free(&y);
}
