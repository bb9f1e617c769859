/* The connected-majority liveness check (liveness_majority.c): a run whose
 * connected majority never keeps a leader fails without any heal, naming
 * the nodes; a run where the leader stays passes; the check is off where
 * the configuration says so, and judges only nodes that are up, unpaused
 * and connected both ways, and only what Raft promises them: a timeout
 * spread of at least SIM_TIMING_FACTOR broadcast times, links that lose at
 * most one message in ten, no disruptor without PreVote (with CheckQuorum:
 * once a leader emerged), writes only from clients that reach them. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/world/liveness_majority.h"
#include "../../sim/world/world.h"
#include "sim_fixture.h"

/* 5 nodes, a writer, 1-5 ms links, PreVote off; n4 reaches only n2 and n5
 * only n3 from 500 ms on (scenarios/partial-partition-livelock.scn). */
static sim_config partial(bool check_quorum, uint64_t secs)
{
    sim_config cfg = fixture_cluster(5, secs, 32, 1000000, 5000000);
    cfg.raft.prevote = false;
    cfg.raft.check_quorum = check_quorum;
    return cfg;
}

static void cut(sim *s, uint64_t at_ms, sim_ep a, sim_ep b)
{
    for (int dir = 0; dir < 2; dir++) {
        sim_action x = {.at_ns = at_ms * SIM_NS_PER_MS, .kind = SIM_ACT_CUT};
        x.target = (sim_target){.kind = SIM_TARGET_EP, .ep = dir ? b : a};
        x.target2 = (sim_target){.kind = SIM_TARGET_EP, .ep = dir ? a : b};
        cr_assert_eq(sim_add_action(s, &x), 0);
    }
}

static void partial_cuts(sim *s)
{
    cut(s, 500, 4, 1);
    cut(s, 500, 4, 3);
    cut(s, 500, 4, 5);
    cut(s, 500, 5, 1);
    cut(s, 500, 5, 2);
}

/* 3 nodes, a writer, 1-5 ms links, the default 150-300 ms timeouts: the
 * timing requirement holds (spread 150 ms >= 10 x (2 x 3 ms + 1 ms fsync)). */
static sim_config three(uint64_t secs)
{
    sim_config cfg = partial(true, secs);
    cfg.n_nodes = 3;
    raft_config_default(&cfg.raft, 1, 3);
    cfg.raft.prevote = true;
    return cfg;
}

/* A leadership transfer every `every_ms` from `from_ms`, to n1, n2, n3, ...
 * in turn: no leader keeps office for long (a correct core's stand-in for a
 * livelock). */
static void churn(sim *s, uint64_t from_ms, uint64_t to_ms, uint64_t every_ms)
{
    raft_id to = 1;
    for (uint64_t t = from_ms; t < to_ms; t += every_ms, to = to % 3 + 1) {
        sim_action x = {.at_ns = t * SIM_NS_PER_MS, .kind = SIM_ACT_TRANSFER};
        x.target2 = (sim_target){.kind = SIM_TARGET_EP, .ep = to};
        cr_assert_eq(sim_add_action(s, &x), 0);
    }
}

Test(liveness_majority, a_leader_lost_again_and_again_fails_and_names_the_majority)
{
    sim_config cfg = three(8);
    sim *s = fixture_sim(&cfg, 1);
    churn(s, 300, 8000, 120);
    cr_assert(!sim_run(s), "the churn went unnoticed");
    cr_assert_eq(s->v.kind, SIM_V_CONNECTED_LIVENESS, "%s: %s",
                 sim_violation_name(s->v.kind), s->v.detail);
    cr_assert_not_null(strstr(s->v.detail, "nodes n1,n2,n3 up and connected"), "%s",
                       s->v.detail);
    cr_assert_not_null(strstr(s->v.detail, "no leader among them held office for 600 ms in "
                                           "the last 3000 ms"), "%s", s->v.detail);
    /* judged one period (10 election timeouts of 300 ms) after the start */
    cr_assert_eq(s->v.time_ns, 3 * SIM_NS_PER_S);
    sim_free(s);
}

Test(liveness_majority, a_narrow_timeout_spread_is_not_judged_and_the_summary_says_why)
{
    sim_config cfg = three(8);
    cfg.raft.election_timeout_min_ns = 150 * SIM_NS_PER_MS; /* spread 10 ms < 10 x 7 ms */
    cfg.raft.election_timeout_max_ns = 160 * SIM_NS_PER_MS;
    sim *s = fixture_sim(&cfg, 1);
    churn(s, 300, 8000, 120);
    cr_assert(sim_run(s), "judged although Raft promises nothing: %s", s->v.detail);
    cr_assert_eq(s->cm.mode, CM_OFF_TIMING);
    cr_assert_eq(s->cm.checked, 0);
    char why[512];
    liveness_connected_summary(s, why, sizeof why);
    cr_assert_not_null(strstr(why, "election-timeout spread 10 ms under 10 broadcast times "
                                   "(up to 7.000 ms"), "%s", why);
    sim_free(s);
}

Test(liveness_majority, a_lossy_network_is_not_connected)
{
    sim_config cfg = three(1);
    cfg.net.drop_ppm = 500000; /* a drop burst: half the messages lost */
    sim *s = fixture_sim(&cfg, 1);
    cr_assert(sim_run_until(s, 500 * SIM_NS_PER_MS));
    cr_assert_eq(s->cm.set, 0, "a 50%%-lossy majority counted as connected");
    sim_free(s);
    cfg.net.drop_ppm = 50000; /* 5%: still connected */
    s = fixture_sim(&cfg, 1);
    cr_assert(sim_run_until(s, 500 * SIM_NS_PER_MS));
    cr_assert_eq(s->cm.set, 0x7);
    cr_assert_eq(s->cm.mode, CM_FULL);
    sim_free(s);
}

Test(liveness_majority, without_prevote_and_checkquorum_disruptors_void_the_promise)
{
    sim_config cfg = partial(false, 8); /* thesis §9.6: n4, n5 depose leaders, as they may */
    sim *s = fixture_sim(&cfg, 1);
    partial_cuts(s);
    cr_assert(sim_run(s), "judged although Raft promises nothing: %s", s->v.detail);
    cr_assert_eq(s->cm.mode, CM_OFF_DISRUPTED);
    char why[512];
    liveness_connected_summary(s, why, sizeof why);
    cr_assert_not_null(strstr(why, "CheckQuorum off"), "%s", why);
    cr_assert_not_null(strstr(why, "thesis §9.6"), "%s", why);
    sim_free(s);
}

/* A leader outside the majority that reaches it but hears no quorum (a
 * deaf node, explore's `deaf` dimension) keeps its heartbeats coming
 * without CheckQuorum, and PreVote makes the followers refuse to elect:
 * nothing is promised, so the check does not judge. */
Test(liveness_majority, with_prevote_but_without_checkquorum_disruptors_void_the_promise)
{
    sim_config cfg = partial(false, 8);
    cfg.raft.prevote = true;
    sim *s = fixture_sim(&cfg, 1);
    partial_cuts(s);
    cr_assert(sim_run(s), "judged although Raft promises nothing: %s", s->v.detail);
    cr_assert_eq(s->cm.mode, CM_OFF_DISRUPTED);
    sim_free(s);
}

Test(liveness_majority, with_checkquorum_a_leader_that_emerged_must_stay)
{
    sim_config cfg = partial(true, 8);
    sim *s = fixture_sim(&cfg, 1);
    partial_cuts(s);
    cr_assert(sim_run_until(s, 600 * SIM_NS_PER_MS));
    cr_assert_eq(s->cm.set, 0x7);
    cr_assert_eq(s->cm.mode, CM_AFTER_LEADER, "PreVote off, n4 and n5 reach n2 and n3");
    sim_free(s);
    s = fixture_sim(&cfg, 1);
    partial_cuts(s);
    churn(s, 600, 8000, 120);
    cr_assert(!sim_run(s), "the churn went unnoticed");
    cr_assert_eq(s->v.kind, SIM_V_CONNECTED_LIVENESS, "%s", s->v.detail);
    cr_assert_not_null(strstr(s->v.detail, "in the 3000 ms since a leader emerged"), "%s",
                       s->v.detail);
    sim_free(s);
}

Test(liveness_majority, a_writer_cut_off_from_the_majority_is_not_waited_for)
{
    sim_config cfg = three(8); /* two periods after the partition: 3.5 s, 6.5 s */
    sim *s = fixture_sim(&cfg, 1);
    /* the writer (endpoint 4) with n1, away from n2 and n3 */
    sim_action p = {.at_ns = 500 * SIM_NS_PER_MS, .kind = SIM_ACT_PARTITION, .n_groups = 2};
    epset_add(&p.groups[0], 1);
    epset_add(&p.groups[0], 4);
    epset_add(&p.groups[1], 2);
    epset_add(&p.groups[1], 3);
    cr_assert_eq(sim_add_action(s, &p), 0);
    cr_assert(sim_run_until(s, 600 * SIM_NS_PER_MS));
    cr_assert_eq(s->cm.set, 0x6);
    cr_assert_eq(s->cm.clients, 0, "the writer reaches neither n2 nor n3");
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert_geq(s->cm.checked, 2, "the leader's periods were judged");
    sim_free(s);
}

Test(liveness_majority, a_leader_that_stays_under_the_same_partition_passes)
{
    sim_config cfg = partial(true, 8);
    sim *s = fixture_sim(&cfg, 1);
    partial_cuts(s);
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert_geq(s->cm.gen, 1, "a connected majority was judged");
    sim_free(s);
}

Test(liveness_majority, the_check_is_off_when_the_configuration_says_so)
{
    sim_config cfg = partial(false, 8);
    cfg.connected_liveness = false;
    sim *s = fixture_sim(&cfg, 1);
    partial_cuts(s);
    cr_assert(sim_run(s), "%s", s->v.detail);
    sim_free(s);
}

Test(liveness_majority, the_bound_is_configurable)
{
    sim_config cfg = three(8);
    cfg.connected_within_ns = 2 * SIM_NS_PER_S;
    sim *s = fixture_sim(&cfg, 1);
    churn(s, 300, 8000, 120);
    cr_assert(!sim_run(s));
    cr_assert_eq(s->v.kind, SIM_V_CONNECTED_LIVENESS, "%s", s->v.detail);
    /* judged at the end of a 2 s period from the start */
    cr_assert_eq(s->v.time_ns % (2 * SIM_NS_PER_S), 0, "%s at %llu ns", s->v.detail,
                 (unsigned long long)s->v.time_ns);
    cr_assert_not_null(strstr(s->v.detail, "in the last 2000 ms"), "%s", s->v.detail);
    sim_free(s);
}

Test(liveness_majority, the_majority_is_recomputed_on_crashes_and_cuts_only_from_live_links)
{
    sim_config cfg = partial(true, 3);
    sim *s = fixture_sim(&cfg, 2);
    cut(s, 500, 1, 2);
    sim_action crash = {.at_ns = 700 * SIM_NS_PER_MS, .kind = SIM_ACT_CRASH};
    crash.target = (sim_target){.kind = SIM_TARGET_EP, .ep = 5};
    cr_assert_eq(sim_add_action(s, &crash), 0);
    cr_assert(sim_run_until(s, 100 * SIM_NS_PER_MS));
    cr_assert_eq(s->cm.set, 0x1f, "all five connected at first");
    cr_assert(sim_run_until(s, 600 * SIM_NS_PER_MS));
    /* n1 and n2 no longer talk: majorities {1,3,4,5} and {2,3,4,5} */
    cr_assert_eq(s->cm.set, 0x1f);
    cr_assert(sim_run_until(s, 800 * SIM_NS_PER_MS));
    /* n5 down: {1,3,4} and {2,3,4} */
    cr_assert_eq(s->cm.set, 0x0f);
    sim_free(s);
}

Test(liveness_majority, no_connected_majority_means_nothing_is_judged)
{
    sim_config cfg = partial(false, 5);
    sim *s = fixture_sim(&cfg, 3);
    sim_action p = {.at_ns = 200 * SIM_NS_PER_MS, .kind = SIM_ACT_PARTITION, .n_groups = 3};
    for (sim_ep e = 1; e <= 5; e++)
        epset_add(&p.groups[e <= 2 ? 0 : e <= 4 ? 1 : 2], e);
    cr_assert_eq(sim_add_action(s, &p), 0);
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert_eq(s->cm.set, 0);
    sim_free(s);
}
