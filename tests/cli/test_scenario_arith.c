/* test_scenario_arith.c — metric arithmetic beyond sums (issue 17): number
 * terms (`acked + 1`), factors and ratios (`3 * messages.vote`,
 * `100 * acked / committed`, integer, a zero divisor never holds), guards
 * comparing a metric with a metric (`if term n1 == term n2`), and the
 * per-node `heard-leader`. Parsing, values against the simulator's own
 * counters, windows, the writer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "../../sim/scenario/expect.h"
#include "../../sim/scenario/scenario_int.h"
#include "../../sim/world/world.h"
#include "scn_parse.h"

#define PLAN "nodes 5\nclient c1 writer rate 100/s\nheartbeat 50ms\nduration 4s\n"
/* lhs - rhs of one expectation line on the simulator s now */
#define NOW(line) expect_now(s, PLAN, line)

Test(scenario_arith, terms_parse_into_factors_divisors_and_numbers)
{
    scenario sc;
    parse_ok(PLAN "expect acked + 1 <= committed\n"
                  "expect messages.append <= 3 * messages.vote - 2 between 2s 3s\n"
                  "expect 100 * acked / committed >= 90\nexpect acked / 2 < 10 + reads\n",
             &sc);
    const expectation *e = sc.expects;
    cr_expect_eq(e[0].lhs_more.n, 1);
    cr_expect(e[0].lhs_term[1].number);
    cr_expect_eq(e[0].lhs_term[1].mul, 1);
    cr_expect(e[0].rhs_is_metric);
    cr_expect(e[1].rhs_term[0].has_mul);
    cr_expect_eq(e[1].rhs_term[0].mul, 3);
    cr_expect_eq(e[1].rhs.arg, SIM_MSG_GROUP + sim_msg_group_from_name("vote"));
    cr_expect(e[1].rhs_term[1].number);
    cr_expect_eq(e[1].rhs_more.sign[0], -1);
    cr_expect(!e[1].always, "counters: compared by their change");
    cr_expect_eq(e[2].lhs_term[0].mul, 100);
    cr_expect_eq(e[2].lhs_term[0].div, EXPECT_DIV_METRIC);
    cr_expect_eq(e[2].lhs_term[0].div_ref.metric, SIM_M_COMMITTED);
    cr_expect(!e[2].rhs_is_metric, "a plain number stays a value");
    cr_expect_eq(e[2].value, 90);
    cr_expect_eq(e[3].lhs_term[0].div, EXPECT_DIV_NUMBER);
    cr_expect_eq(e[3].lhs_term[0].div_value, 2);
    cr_expect(e[3].rhs_term[0].number);
    scenario_free(&sc);
    parse_ok(PLAN "expect acked / commit n1 < 5 between 1s 2s\n", &sc);
    cr_expect(sc.expects[0].always, "a gauge divisor: it must hold throughout");
    scenario_free(&sc);
    parse_fails(PLAN "expect acked / 0 < 1\n", "t.scn:5:16: error: expected a divisor above 0");
    parse_fails(PLAN "expect acked / < 1\n", "t.scn:5:16: error: expected a metric");
    parse_fails(PLAN "expect 3 * < 1\n", "t.scn:5:12: error: expected a metric");
    parse_fails(PLAN "expect no 3 * acked\n", "t.scn:5:8: error: expected `no` before one metric");
    parse_fails(PLAN "expect acked + 1\n", "t.scn:5:18: error: expected a comparison");
    parse_fails(PLAN "expect acked < 99999999999999999999\n",
                "t.scn:5:16: error: expected a number below 2^63 or a metric");
}

Test(scenario_arith, sides_compute_what_the_counters_say)
{
    scenario sc;
    sim *s = run_to(PLAN, &sc, 2, 3 * SIM_NS_PER_S);
    const uint64_t *m = s->met.msgs_type;
    int64_t ae = (int64_t)(m[RAFT_MSG_APPEND_ENTRIES] + m[RAFT_MSG_APPEND_ENTRIES_RESP]);
    int64_t rv = (int64_t)(m[RAFT_MSG_REQUEST_VOTE] + m[RAFT_MSG_REQUEST_VOTE_RESP]);
    int64_t acked = (int64_t)s->hist.acked, committed = (int64_t)s->chk.committed;
    cr_assert_gt(rv, 0);
    cr_assert_gt(acked, 100);
    cr_expect_eq(NOW("expect acked + 1 == 0"), acked + 1);
    cr_expect_eq(NOW("expect acked - 7 == 0"), acked - 7);
    cr_expect_eq(NOW("expect 3 * messages.vote == 0"), 3 * rv);
    cr_expect_eq(NOW("expect messages.append / messages.vote == 0"), ae / rv);
    cr_expect_eq(NOW("expect 100 * acked / committed == 0"), 100 * acked / committed);
    cr_expect_eq(NOW("expect acked / 3 == 0"), acked / 3);
    cr_expect_eq(NOW("expect acked == 2 * acked / 2 - 5 + messages.vote / messages.vote"),
                 acked - (acked - 5 + 1));
    cr_expect_eq(NOW("expect -1 * acked / 2 == 0"), -acked / 2, "toward zero");
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_arith, a_zero_divisor_never_holds_and_says_so)
{
    char why[256];
    /* no vote between 2s and 3s of a calm run: the ratio of the changes is 0/0 */
    cr_expect_not(run_passes(PLAN "expect messages.append / messages.vote >= 0 between 2s 3s\n",
                             2, why, sizeof why));
    cr_expect(strstr(why, "a divisor was 0, so it cannot hold"), "%s", why);
    cr_expect_not(run_passes(PLAN "expect acked / reads >= 0\n", 2, why, sizeof why));
    cr_expect(strstr(why, "a divisor was 0"), "%s", why);
    /* over the whole run there were votes */
    cr_expect(run_passes(PLAN "expect messages.append / messages.vote >= 1\n", 2, why,
                         sizeof why), "%s", why);
}

Test(scenario_arith, over_a_window_metrics_change_and_numbers_stay)
{
    char why[256];
    /* no election from 2s to 3s: the change is 0, the number is kept */
    cr_expect(run_passes(PLAN "expect elections + 5 == 5 between 2s 3s\n", 2, why,
                         sizeof why), "%s", why);
    cr_expect(run_passes(PLAN "expect acked + 10 <= 2 * committed + 10 between 2s 3s\n", 2, why,
                     sizeof why), "%s", why);
    /* the ratio of the changes: about 100 writes a second at 100/s */
    cr_expect(run_passes(PLAN "expect 100 * acked / committed >= 80 between 2s 3s\n", 2, why,
                     sizeof why), "%s", why);
    cr_expect_not(run_passes(PLAN "expect acked / 2 >= 100 between 2s 3s\n", 2, why, sizeof why));
}

Test(scenario_arith, a_guard_compares_a_metric_with_a_metric)
{
    scenario sc;
    parse_ok(PLAN "at 1s if term n1 == term n2 crash n3\nat 1s if term n1 != term n2 crash n4\n"
                  "at 1s if commit n1 >= commit on any crash n5\n", &sc);
    cr_expect(sc.actions[0].guard_rhs_metric);
    cr_expect_eq(sc.actions[0].guard_rhs.metric, SIM_M_TERM);
    cr_expect_eq(sc.actions[0].guard_rhs.node, 2);
    scenario_free(&sc);
    sim *s = run_to(PLAN "at 1s if term n1 == term n2 crash n3\n"
                         "at 1s if term n1 != term n2 crash n4\n", &sc, 2, 2 * SIM_NS_PER_S);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 2, "terms agree in a calm cluster: the first fires, the second is skipped");
    cr_expect_eq(done[0].kind, SIM_ACT_CRASH);
    cr_expect_eq(done[0].target.ep, 3);
    cr_expect_eq(done[1].kind, SIM_ACT_SKIPPED);
    cr_expect(!s->nodes[3].up && s->nodes[4].up);
    sim_free(s);
    scenario_free(&sc);
}

Test(scenario_arith, heard_leader_is_the_time_since_a_leader_reached_the_node)
{
    scenario sc;
    sim *s = run_to(PLAN "at 2s isolate n5\n", &sc, 2, 1500 * SIM_NS_PER_MS);
    raft_id leader = s->leader;
    cr_assert(leader);
    for (raft_id id = 1; id <= 5; id++) {
        char line[64];
        snprintf(line, sizeof line, "expect heard-leader n%u == 0", id);
        int64_t v = NOW(line);
        if (id == leader)
            cr_expect_eq(v, 0, "a leader hears itself");
        else
            cr_expect(v >= 0 && v <= 60 * (int64_t)SIM_NS_PER_MS, "n%u: %lld", id, (long long)v);
    }
    sim_run_until(s, 3 * SIM_NS_PER_S);
    if (leader != 5) {
        cr_expect_geq(NOW("expect heard-leader n5 == 0"), 950 * (int64_t)SIM_NS_PER_MS,
                      "isolated at 2s");
        cr_expect_leq(NOW("expect heard-leader any among connected == 0"),
                      60 * (int64_t)SIM_NS_PER_MS);
    }
    sim_free(s);
    scenario_free(&sc);
    char why[256];
    cr_expect(run_passes(PLAN "at 2s isolate n5\n"
                          "expect always heard-leader on any <= 120ms between 1s 2s\n"
                          "expect heard-leader any among connected < 120ms at 3.5s\n", 2, why,
                     sizeof why), "%s", why);
    cr_expect_not(run_passes(PLAN "at 2s isolate n5\n"
                              "expect always heard-leader on any <= 120ms between 1s 3s\n", 2, why,
                         sizeof why));
}

Test(scenario_arith, arithmetic_and_guards_round_trip_through_the_writer)
{
    scenario x, y;
    parse_ok(PLAN "at 1s if term n1 < term on any crash n1\n"
                  "expect acked + 1 <= 3 * committed - 2 between 1s 2s\n"
                  "expect 100 * acked / committed >= 90\nexpect heard-leader on all < 1s\n"
                  "expect messages.append / messages.vote <= acked / 2\n", &x);
    char *buf = write_parse_write(&x, &y);
    cr_expect(strstr(buf, "at 1s if term n1 < term on any crash n1\n"), "%s", buf);
    cr_expect(strstr(buf, "expect acked + 1 <= 3 * committed - 2 between 1s 2s\n"), "%s", buf);
    cr_expect(strstr(buf, "expect 100 * acked / committed >= 90\n"), "%s", buf);
    cr_expect(strstr(buf, "expect heard-leader on all < 1s\n"), "%s", buf);
    cr_expect(strstr(buf, "expect messages.append / messages.vote <= acked / 2\n"), "%s", buf);
    cr_expect(y.actions[0].guard_rhs_metric);
    cr_expect_eq(y.actions[0].guard_rhs.sel, SIM_SEL_ANY);
    cr_assert_eq(y.n_expects, x.n_expects);
    for (size_t i = 0; i < x.n_expects; i++)
        for (uint32_t k = 0; k <= x.expects[i].lhs_more.n; k++) {
            const expect_term *a = &x.expects[i].lhs_term[k], *b = &y.expects[i].lhs_term[k];
            cr_expect(a->has_mul == b->has_mul && a->number == b->number && a->mul == b->mul &&
                      a->div == b->div && a->div_value == b->div_value &&
                      a->div_ref.metric == b->div_ref.metric, "expectation %zu term %u", i, k);
        }
    free(buf);
    scenario_free(&x);
    scenario_free(&y);
}
