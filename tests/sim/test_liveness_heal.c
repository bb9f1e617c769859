/* test_liveness_heal.c — the heal check (sim/world/liveness.c) judges only
 * where Raft promises a leader: not when, with PreVote off, node-to-node
 * messages took longer than the minimum election timeout shortly before
 * the deadline (paper §5.6: broadcastTime << electionTimeout; explore seed
 * 15597). */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/world/liveness.h"
#include "sim_fixture.h"

enum { HEAL_MS = 1000, WITHIN_MS = 2000, SLOW_AT_MS = HEAL_MS + 1 };

/* Three nodes healed at 1 s with client writes in flight, judged at 3 s;
 * 1 ms after the heal (a scripted action, so it outlives the heal, which
 * restores the configured links) every link's one-way latency becomes
 * 700 ms, over twice the maximal election timeout (300 ms): the followers
 * stop hearing the leader for 700 ms and campaign, and no vote comes back
 * before its candidate has moved on to a later term, so no leader is in
 * office at the deadline and the writes stay unacknowledged. */
static sim *slow_after_heal(bool prevote)
{
    sim_config cfg = fixture_cluster(3, 3, 64, 500000, 1500000);
    cfg.raft.prevote = prevote;
    cfg.liveness = true;
    cfg.heal_at_ns = HEAL_MS * SIM_NS_PER_MS;
    cfg.converge_within_ns = WITHIN_MS * SIM_NS_PER_MS;
    cr_assert_lt(2 * cfg.raft.election_timeout_max_ns, 700 * SIM_NS_PER_MS);
    sim *s = fixture_sim(&cfg, 3);
    sim_action slow = {.at_ns = SLOW_AT_MS * SIM_NS_PER_MS, .kind = SIM_ACT_SET,
                       .param = SIM_PARAM_LATENCY};
    slow.target.kind = SIM_TARGET_ALL;
    slow.dist = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 700 * SIM_NS_PER_MS};
    cr_assert_eq(sim_add_action(s, &slow), 0);
    return s;
}

Test(liveness_heal, prevote_off_and_messages_slower_than_the_election_timeout_are_not_judged)
{
    sim *s = slow_after_heal(false);
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert(s->live_decided);
    cr_assert(s->live_unjudged, "the deadline was judged");
    cr_assert_eq(s->leader, 0, "no leader at the deadline (the case the rule is for)");
    cr_assert_gt(s->late_ns, s->cfg.raft.election_timeout_min_ns);
    cr_assert_gt(s->late_until_ns, SLOW_AT_MS * SIM_NS_PER_MS);
    cr_assert_lt(s->late_until_ns, (HEAL_MS + WITHIN_MS + 700) * SIM_NS_PER_MS);
    char buf[200];
    const char *v = liveness_verdict(s, buf, sizeof buf);
    cr_assert_not_null(strstr(v, "not judged"), "%s", v);
    cr_assert_not_null(strstr(v, "PreVote off"), "%s", v);
    sim_free(s);
}

Test(liveness_heal, prevote_on_is_still_judged_with_the_same_slow_links)
{
    sim *s = slow_after_heal(true);
    cr_assert(!sim_run(s), "converged although no vote can come back in time");
    cr_assert_eq(s->v.kind, SIM_V_LIVENESS);
    cr_assert(!s->live_unjudged);
    sim_free(s);
}

Test(liveness_heal, a_message_slower_than_the_election_timeout_is_remembered_with_its_link)
{
    sim *s = slow_after_heal(false);
    cr_assert(sim_run_until(s, HEAL_MS * SIM_NS_PER_MS));
    cr_assert(s->healed);
    cr_assert_eq(s->late_until_ns, 0, "1.5 ms links: nothing late before the change");
    cr_assert(sim_run_until(s, (SLOW_AT_MS + 200) * SIM_NS_PER_MS));
    cr_assert_geq(s->late_ns, 700 * SIM_NS_PER_MS);
    cr_assert(s->late_from >= 1 && s->late_from <= 3 && s->late_to >= 1 && s->late_to <= 3);
    cr_assert_neq(s->late_from, s->late_to);
    sim_free(s);
}
