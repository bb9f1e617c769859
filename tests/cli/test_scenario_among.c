/* test_scenario_among.c — expectations limited to the connected nodes or to
 * a set (`expect leaders among connected == 1`, `term all among n1,old`):
 * the metric sums (or takes the minimum / maximum) over those nodes only. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/scenario/expect.h"
#include "../../sim/scenario/scenario_int.h"

static void parse_ok(const char *text, scenario *sc)
{
    char err[512];
    cr_assert_eq(scenario_parse("t.scn", text, strlen(text), sc, err, sizeof err), 0, "%s", err);
}

/* n1 crashes (bound to `gone`), {n1 n2} is cut from {n3 n4 n5}: the
 * connected majority is n3, n4, n5, with one leader. */
#define PLAN "nodes 5\nclient c1 writer rate 100/s\nduration 4s\n" \
             "at 1s crash n1 as gone\nat 1s partition {n1 n2} {n3 n4 n5 c1}\n"

static int64_t value_at_3s(const char *metric_text)
{
    scenario sc;
    char text[512];
    snprintf(text, sizeof text, PLAN "expect %s >= 0\n", metric_text);
    parse_ok(text, &sc);
    char err[256];
    sim *s = sim_new(&sc.cfg, 3, err, sizeof err);
    cr_assert(s, "%s", err);
    for (size_t i = 0; i < sc.n_actions; i++)
        cr_assert_eq(sim_add_action(s, &sc.actions[i]), 0);
    sim_run_until(s, 3 * SIM_NS_PER_S);
    int64_t l, r;
    cr_assert(expect_sides(&sc.expects[0], s, &l, &r));
    sim_free(s);
    scenario_free(&sc);
    return l;
}

Test(scenario_among, among_connected_counts_only_the_connected_majority)
{
    cr_expect_eq(value_at_3s("up sum"), 4, "n2 is up too, but cut off");
    cr_expect_eq(value_at_3s("up among connected"), 3);
    cr_expect_eq(value_at_3s("leaders among connected"), 1, "one leader on the majority side");
    cr_expect_eq(value_at_3s("leaders among n3,n4,n5"), 1);
    cr_expect_eq(value_at_3s("up among n2,gone"), 1, "the name resolves to the crashed n1");
    cr_expect_eq(value_at_3s("is-leader any among n1,n2"), 0, "no leader on the minority side");
}

Test(scenario_among, among_parses_sets_and_names_and_rejects_strangers)
{
    scenario sc;
    parse_ok(PLAN "expect term all among n2,gone >= 1\n", &sc);
    cr_expect_eq(sc.expects[0].lhs.sel, SIM_SEL_ALL);
    cr_expect_eq(sc.expects[0].lhs.among, SIM_AMONG_SET);
    cr_expect_eq(sc.expects[0].lhs.among_nodes, 2);
    cr_expect_eq(sc.expects[0].lhs.among_names, 1);
    scenario_free(&sc);
    char err[512];
    const char *bad = PLAN "expect leaders among n2,stranger == 1\n";
    cr_assert_eq(scenario_parse("t.scn", bad, strlen(bad), &sc, err, sizeof err), 2);
    cr_expect(strstr(err, "t.scn:6:25: error: expected connected or a set of nodes"), "%s", err);
}
