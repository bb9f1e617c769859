/* test_scenario_faults.c — network faults restricted to a message class
 * (`drop 100% append.replies`, `delay append.requests 100ms`) and
 * reordering outside FIFO order, as a scenario states them: what they parse
 * into, what they do to a run, and a replay of a run that changes them. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/runner.h"
#include "../../sim/scenario/scenario_int.h"
#include "../../sim/world/world.h"
#include "scn_parse.h"

static int64_t metric(const sim *s, enum sim_metric m)
{
    sim_metric_ref r = { .metric = m };
    int64_t v;
    cr_assert(sim_metric(s, &r, &v));
    return v;
}

#define PLAN "nodes 3\nclient c1 writer rate 100/s\nduration 4s\n"

Test(scenario_faults, a_class_parses_into_a_fault_on_every_link)
{
    scenario sc;
    parse_ok(PLAN "drop 5% replies\ndelay append 20ms\nreorder 10% delay 200ms..2200ms\n"
                  "at 1s set reorder 3% vote.requests delay pareto 1ms 5ms\n", &sc);
    cr_assert_eq(sc.cfg.n_msg_faults, 2);
    cr_expect_eq(sc.cfg.msg_faults[0].kind, SIM_MF_DROP);
    cr_expect_str_eq(sim_msg_group_name(sc.cfg.msg_faults[0].group), "replies");
    cr_expect_eq(sc.cfg.msg_faults[0].ppm, 50000);
    cr_expect_eq(sc.cfg.msg_faults[1].kind, SIM_MF_DELAY);
    cr_expect_eq(sc.cfg.msg_faults[1].ppm, 1000000, "delay without a share: every message");
    cr_expect_eq(sc.cfg.msg_faults[1].delay.a_ns, 20 * SIM_NS_PER_MS);
    cr_expect(sc.cfg.net.reorder_free);
    cr_expect_eq(sc.cfg.net.reorder_delay.kind, SIM_DIST_UNIFORM);
    cr_expect_eq(sc.cfg.net.reorder_delay.a_ns, 200 * SIM_NS_PER_MS);
    cr_expect_eq(sc.cfg.net.reorder_delay.b_ns, 2200 * SIM_NS_PER_MS);
    cr_assert_eq(sc.n_actions, 1);
    cr_expect_str_eq(sim_msg_group_name(sc.actions[0].msg_class - 1), "vote.requests");
    cr_expect_eq(sc.actions[0].dist.kind, SIM_DIST_PARETO);
    scenario_free(&sc);
}

/* Without AppendEntries replies a leader is elected (votes pass) but
 * nothing commits; once the replies flow again, writes commit. */
Test(scenario_faults, dropping_append_replies_stops_commits_and_not_elections)
{
    scenario sc;
    sim *s = run_to(PLAN "drop 100% append.replies\nat 2s set drop 0% append.replies\n", &sc, 3,
                    1990 * SIM_NS_PER_MS);
    cr_expect_gt(metric(s, SIM_M_LEADER), 0, "a leader: votes are not dropped");
    cr_expect_eq(metric(s, SIM_M_COMMITTED), 0, "no acknowledgement reached the leader");
    cr_expect_gt(metric(s, SIM_M_DROPPED), 50);
    sim_run_until(s, 4 * SIM_NS_PER_S);
    cr_expect_gt(metric(s, SIM_M_COMMITTED), 50, "commits once replies flow");
    sim_free(s);
    scenario_free(&sc);
}

/* 100 ms more on every AppendEntries request: every acknowledged write
 * waited at least that long; without it, well under. */
Test(scenario_faults, delaying_append_requests_delays_every_commit)
{
    scenario a, b;
    sim *slow = run_to(PLAN "delay append.requests 100ms\n", &a, 2, 4 * SIM_NS_PER_S);
    sim *fast = run_to(PLAN, &b, 2, 4 * SIM_NS_PER_S);
    cr_expect_gt(metric(slow, SIM_M_ACKED), 100);
    cr_expect_geq(metric(slow, SIM_M_LATENCY_P50), (int64_t)(100 * SIM_NS_PER_MS));
    cr_expect_lt(metric(fast, SIM_M_LATENCY_P50), (int64_t)(50 * SIM_NS_PER_MS));
    sim_free(slow);
    sim_free(fast);
    scenario_free(&a);
    scenario_free(&b);
}

Test(scenario_faults, a_replay_of_a_run_that_changes_class_faults_has_the_same_trace)
{
    const char *text = PLAN "drop 10% replies\nreorder 5% delay 20ms..200ms\n"
                            "at 1s set duplicate 20% append\nat 2s set reorder 30% vote delay 5ms\n"
                            "at 2s set drop 0% replies\nat 3s set reorder-delay pareto 1ms 9ms\n";
    replay_gives_same_trace(text, 5);
}

static const sim_link_params *link_params(const sim *s, sim_ep from, sim_ep to)
{
    return &s->nw.params[net_link(&s->nw, from, to)];
}

/* `client-links reliable`: the configuration's drop, a `set` on every link
 * and a fault by class leave client links alone; a set naming the client
 * changes its link; the liveness heal makes it reliable again. */
Test(scenario_faults, reliable_client_links_keep_their_reliability_through_sets_and_the_heal)
{
    scenario sc;
    sim *s = run_to("nodes 3\nclient c1 writer rate 100/s\nduration 4s\nclient-links reliable\n"
                    "drop 10%\ndrop 100% client.replies\nliveness heal-at 3s within 1s\n"
                    "at 1s set duplicate 20%\nat 2s set drop c1 -> n1 50%\n",
                    &sc, 1, 1500 * SIM_NS_PER_MS);
    sim_ep c1 = 4;
    cr_expect_eq(link_params(s, 1, 2)->drop_ppm, 100000, "peers: the configuration's drop");
    cr_expect_eq(link_params(s, 1, 2)->dup_ppm, 200000, "peers: the set on every link");
    cr_expect_eq(link_params(s, c1, 1)->drop_ppm, 0, "client link: reliable");
    cr_expect_eq(link_params(s, 1, c1)->dup_ppm, 0);
    cr_expect_gt(metric(s, SIM_M_ACKED), 20, "client replies are not dropped by the class fault");
    sim_run_until(s, 2500 * SIM_NS_PER_MS);
    cr_expect_eq(link_params(s, c1, 1)->drop_ppm, 500000, "named: changed");
    cr_expect_eq(link_params(s, c1, 2)->drop_ppm, 0);
    sim_run_until(s, 3500 * SIM_NS_PER_MS);
    cr_expect_eq(link_params(s, c1, 1)->drop_ppm, 0, "the heal: reliable again");
    cr_expect_eq(link_params(s, 1, 2)->drop_ppm, 100000);
    cr_expect_eq(link_params(s, 1, 2)->dup_ppm, 0, "peers: back to the configuration");
    sim_free(s);
    scenario_free(&sc);
}

/* Issue 17: client links are reliable unless the scenario says
 * `client-links like-peers`; then the configuration's drop reaches them. */
Test(scenario_faults, client_links_are_reliable_by_default_and_like_peers_makes_them_lossy)
{
    scenario sc;
    sim *s = run_to(PLAN "drop 10%\n", &sc, 1, 500 * SIM_NS_PER_MS);
    cr_expect(sc.cfg.client_links_reliable, "the language's default");
    cr_expect_eq(link_params(s, 4, 1)->drop_ppm, 0, "client link: reliable");
    cr_expect_eq(link_params(s, 1, 4)->drop_ppm, 0);
    cr_expect_eq(link_params(s, 1, 2)->drop_ppm, 100000, "peers: the configuration's drop");
    sim_free(s);
    scenario_free(&sc);
    s = run_to(PLAN "drop 10%\nclient-links like-peers\n", &sc, 1, 500 * SIM_NS_PER_MS);
    cr_expect(!sc.cfg.client_links_reliable);
    cr_expect_eq(link_params(s, 4, 1)->drop_ppm, 100000, "client link: like the peers'");
    cr_expect_eq(link_params(s, 1, 4)->drop_ppm, 100000);
    sim_free(s);
    scenario_free(&sc);
}

/* The writer states `client-links like-peers` (not the default) and nothing
 * for reliable links; both parse back to the same setting. */
static void client_links_round_trip(const char *text, bool reliable, bool written)
{
    scenario sc, re;
    parse_ok(text, &sc);
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(scenario_write(f, &sc, NULL, 0, 1, "links"), 0);
    fclose(f);
    cr_expect_eq(strstr(buf, "client-links like-peers") != NULL, written, "%s", buf);
    cr_expect_null(strstr(buf, "client-links reliable"), "the default is not written: %s", buf);
    parse_ok(buf, &re);
    cr_expect_eq(sc.cfg.client_links_reliable, reliable);
    cr_expect_eq(re.cfg.client_links_reliable, reliable, "%s", buf);
    free(buf);
    scenario_free(&sc);
    scenario_free(&re);
}

Test(scenario_faults, the_writer_states_like_peers_client_links_and_omits_the_default)
{
    client_links_round_trip(PLAN "drop 10%\n", true, false);
    client_links_round_trip(PLAN "drop 10%\nclient-links reliable\n", true, false);
    client_links_round_trip(PLAN "drop 10%\nclient-links like-peers\n", false, true);
}

/* `set` on a link whose ends are chosen at run time: the leader and a
 * bound name, resolved when the action fires. */
Test(scenario_faults, set_takes_leader_follower_and_names_resolved_when_it_fires)
{
    scenario sc;
    sim *s = run_to(PLAN "at 1s crash follower as gone\nat 2s restart gone\n"
                         "at 2s set latency leader -> gone const 30ms\n"
                         "at 2s set fsync leader const 5ms\n",
                    &sc, 1, 2100 * SIM_NS_PER_MS);
    sim_ep gone = s->bound[0];
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 4);
    sim_ep leader = done[2].target.ep;
    cr_assert(gone >= 1 && gone <= 3 && leader >= 1 && leader <= 3 && leader != gone);
    cr_expect_eq(done[2].target2.kind, SIM_TARGET_EP, "recorded resolved, for a replay");
    cr_expect_eq(done[2].target2.ep, gone);
    cr_expect_eq(link_params(s, leader, gone)->latency.a_ns, 30 * SIM_NS_PER_MS);
    cr_expect_eq(link_params(s, gone, leader)->latency.a_ns, 30 * SIM_NS_PER_MS);
    sim_ep other = 6 - leader - gone;
    cr_expect_eq(link_params(s, leader, other)->latency.a_ns, SIM_NS_PER_MS, "other links: 1 ms");
    cr_expect_eq(s->nodes[leader].dk.params.fsync.a_ns, 5 * SIM_NS_PER_MS);
    sim_free(s);
    scenario_free(&sc);
}
