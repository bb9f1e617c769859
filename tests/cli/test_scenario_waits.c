/* test_scenario_waits.c — the wait-until expectation (issue 17):
 * `expect X from first [after T0] until T` — X must become true at some
 * event in [T0, T], and from the first time it does it must hold after every
 * event up to T. What it parses into, what it decides on runs, the writer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/scenario_int.h"
#include "scn_parse.h"

#define PLAN "nodes 5\nclient c1 writer rate 100/s\nduration 4s\n"

Test(scenario_waits, from_first_parses_its_window)
{
    scenario sc;
    parse_ok(PLAN "expect leader from first until 3s\n"
                  "expect term n1 == term n2 from first after 1.5s until 2s\n", &sc);
    cr_assert_eq(sc.expects[0].when, EXPECT_FROM_FIRST);
    cr_expect_eq(sc.expects[0].t1_ns, 0, "watched from the start");
    cr_expect_eq(sc.expects[0].t2_ns, 3 * SIM_NS_PER_S);
    cr_expect_eq(sc.expects[0].op, EXPECT_NE, "`leader` alone is leader != 0");
    cr_assert_eq(sc.expects[1].when, EXPECT_FROM_FIRST);
    cr_expect_eq(sc.expects[1].t1_ns, 1500 * SIM_NS_PER_MS);
    cr_expect_eq(sc.expects[1].t2_ns, 2 * SIM_NS_PER_S);
    cr_expect(sc.expects[1].rhs_is_metric);
    scenario_free(&sc);
    parse_fails(PLAN "expect leader from 1s until 3s\n", "t.scn:4:20: error: expected 'first'");
    parse_fails(PLAN "expect leader from first 3s\n", "t.scn:4:26: error: expected 'until'");
    parse_fails(PLAN "expect leader from first until\n", "t.scn:4:32: error: expected an end time");
    parse_fails(PLAN "expect leader from first after 3s until 2s\n",
                "t.scn:4:41: error: expected an end time at or after the start time");
    parse_fails(PLAN "expect always leader from first until 2s\n",
                "t.scn:4:8: error: expected `always` only with `between`");
}

Test(scenario_waits, a_leader_that_emerges_and_stays_passes)
{
    char why[256];
    cr_expect(run_passes(PLAN "expect leader from first until 3.5s\n", 1, why, sizeof why), "%s",
              why);
    /* a calm cluster's terms agree once its first election is over (at 0
     * they agree too, at 0, and then a candidate moves ahead: the start
     * counts as a first time) */
    cr_expect_not(run_passes(PLAN "expect term on all == term on any from first until 3s\n", 1, why,
                           sizeof why));
    cr_expect(strstr(why, "it first held at 0 ms"), "%s", why);
    cr_expect(run_passes(PLAN "expect term on all == term on any from first after 1s until 3s\n",
                         1, why, sizeof why), "%s", why);
}

Test(scenario_waits, a_leader_lost_after_it_first_held_fails_there)
{
    char why[256];
    cr_expect_not(run_passes(PLAN "at 2s crash leader\nexpect leader from first until 3s\n", 1, why,
                           sizeof why));
    cr_expect(strstr(why, "saw 0, needs != 0, at 2.000 s"), "%s", why);
    cr_expect(strstr(why, "it first held at"), "%s", why);
    /* the same crash, watched from after the new election: it holds */
    cr_expect(run_passes(PLAN "at 2s crash leader\nexpect leader from first after 2s until 3.5s\n",
                       1, why, sizeof why), "%s", why);
}

Test(scenario_waits, never_true_before_the_end_fails)
{
    char why[256];
    cr_expect_not(run_passes(PLAN "expect committed >= 100000 from first until 2s\n", 1, why,
                           sizeof why));
    cr_expect(strstr(why, "it never held from 0 ms on"), "%s", why);
    /* true only after T: too late */
    cr_expect_not(run_passes(PLAN "at 2s crash leader\n"
                                "expect leader-changes >= 2 from first after 2s until 2.05s\n",
                           1, why, sizeof why));
    cr_expect(strstr(why, "it never held from 2.000 s on"), "%s", why);
}

Test(scenario_waits, within_is_not_enough_where_from_first_fails)
{
    /* within only asks for one moment; from first also for what follows */
    char why[256];
    const char *crash = PLAN "at 2s crash all\n";
    char text[512];
    snprintf(text, sizeof text, "%sexpect leader within 3s\n", crash);
    cr_expect(run_passes(text, 1, why, sizeof why), "%s", why);
    snprintf(text, sizeof text, "%sexpect leader from first until 3s\n", crash);
    cr_expect_not(run_passes(text, 1, why, sizeof why), "the majority crashed: no leader from 2s");
}

Test(scenario_waits, from_first_round_trips_through_the_writer)
{
    scenario x, y;
    parse_ok(PLAN "expect leader from first until 3s\n"
                  "expect term n1 == term n2 from first after 1500ms until 2s\n", &x);
    char *buf = write_parse_write(&x, &y);
    cr_expect(strstr(buf, "expect leader != 0 from first until 3s\n"), "%s", buf);
    cr_expect(strstr(buf, "expect term n1 == term n2 from first after 1500ms until 2s\n"), "%s",
              buf);
    cr_assert_eq(y.n_expects, 2);
    for (size_t i = 0; i < 2; i++) {
        cr_expect_eq(y.expects[i].when, x.expects[i].when);
        cr_expect_eq(y.expects[i].t1_ns, x.expects[i].t1_ns);
        cr_expect_eq(y.expects[i].t2_ns, x.expects[i].t2_ns);
    }
    free(buf);
    scenario_free(&x);
    scenario_free(&y);
}
